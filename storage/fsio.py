"""The file layer: every byte the store puts on disk goes through here.

Small on purpose, so tests can swap in a layer that fails on demand (full
disk, I/O error, a crash between write and rename) — see ``FaultyIO`` in the
tests. Windows and POSIX differ only in directory fsync, handled here.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import BinaryIO


class FileIO:
    """Plain, durable file operations."""

    def read_bytes(self, path: Path) -> bytes:
        return path.read_bytes()

    def open_append(self, path: Path) -> BinaryIO:
        return open(path, "ab", buffering=0)

    def append(self, handle: BinaryIO, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = handle.write(view)
            if written is None or written <= 0:
                raise OSError("short write")
            view = view[written:]

    def fsync(self, handle: BinaryIO) -> None:
        handle.flush()
        os.fsync(handle.fileno())

    def truncate(self, handle: BinaryIO, size: int) -> None:
        handle.truncate(size)
        os.fsync(handle.fileno())

    def write_atomic(self, path: Path, data: bytes) -> None:
        """Temp file in the same folder, fsync, ``os.replace``, fsync the folder."""
        tmp = path.with_name(f".{path.name}.tmp")
        try:
            with open(tmp, "wb") as handle:
                self.append(handle, data)
                handle.flush()
                os.fsync(handle.fileno())
            self.replace(tmp, path)
        except BaseException:
            try:
                tmp.unlink()
            except OSError:
                pass
            raise
        self.fsync_dir(path.parent)

    def replace(self, src: Path, dst: Path) -> None:
        os.replace(src, dst)

    def link_or_copy(self, src: Path, dst: Path) -> None:
        try:
            os.link(src, dst)
        except OSError:
            data = src.read_bytes()
            with open(dst, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())

    def unlink(self, path: Path) -> None:
        try:
            path.unlink()
        except FileNotFoundError:
            pass

    def fsync_dir(self, folder: Path) -> None:
        if sys.platform == "win32":  # NTFS metadata is journaled; no directory handles
            return
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


DEFAULT_IO = FileIO()

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

    def write_new(self, path: Path, data: bytes) -> None:
        """Create ``path`` holding ``data`` all at once, never replacing a file.

        Where the OS and filesystem allow (Linux ``O_TMPFILE``), the data is
        written to an unnamed file that gets its name only when complete, so a
        crash leaves nothing behind. Elsewhere (FAT-formatted USB sticks,
        Windows) a dot-temp file is renamed into place; ``stale_temp_files``
        finds what an interrupted call left.
        """
        tmpfile = getattr(os, "O_TMPFILE", 0)
        if tmpfile:
            try:
                fd = os.open(path.parent, tmpfile | os.O_WRONLY, 0o644)
            except OSError:
                fd = -1  # not supported here: fall back
            if fd >= 0:
                try:
                    with os.fdopen(fd, "wb", closefd=False) as handle:
                        self.append(handle, data)
                        handle.flush()
                        os.fsync(fd)
                    named = self._name_unnamed(fd, path)
                finally:
                    os.close(fd)
                if named:
                    self.fsync_dir(path.parent)
                    return
        if path.exists():
            raise FileExistsError(path)
        self.write_atomic(path, data)

    @staticmethod
    def _name_unnamed(fd: int, path: Path) -> bool:
        """linkat(AT_SYMLINK_FOLLOW) the O_TMPFILE ``fd`` to ``path``. A
        directory fd makes Python use linkat rather than link(), which would
        not follow /proc's link. False when this system cannot (no /proc)."""
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.link(f"/proc/self/fd/{fd}", path.name, dst_dir_fd=folder)
        except FileExistsError:
            raise
        except OSError:
            return False
        finally:
            os.close(folder)
        return True

    @staticmethod
    def stale_temp_files(folder: Path, pattern: str) -> list[Path]:
        """Temp files ``write_atomic``/``write_new`` left for names matching ``pattern``."""
        return sorted(folder.glob(f".{pattern}.tmp"))

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

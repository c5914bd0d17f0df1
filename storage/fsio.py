"""The file layer: every byte branchtool puts on disk goes through here.

Small on purpose, so tests can swap in a layer that fails on demand (full
disk, I/O error, a crash between write and rename) — see ``FaultyIO`` in the
tests.

What it promises, in the vault and outside it (a USB stick, a report folder):

- **No write follows a link.** A file is written to a temp file with a random
  name, created ``O_CREAT|O_EXCL|O_NOFOLLOW`` (never an existing file, never
  through a symlink a hostile stick holds), then renamed over the target; a
  rename replaces a symlink, it does not write through it. Appends open with
  ``O_NOFOLLOW`` too.
- **Owner-only.** Files are created 0600, folders 0700 (``make_private_dir``).
- **Windows.** Antivirus, the indexer, OneDrive and backup tools hold files
  open for a moment: ``replace`` and ``unlink`` retry a sharing violation
  (WinError 5 and 32) for about two seconds before giving up. NTFS journals
  its metadata and has no directory handles, so ``fsync_dir`` is a no-op there.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, TypeVar

FILE_MODE = 0o600
DIR_MODE = 0o700
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation
_CREATE_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY
# Windows' "access denied" and "sharing violation": a scanner holds the file.
RETRY_WINERRORS = (5, 32)
RETRY_SECONDS = 2.0
_T = TypeVar("_T")


def temp_name(name: str) -> str:
    """``.<name>.<random>.tmp``: a dot file beside the target that nobody can
    guess (a hostile stick cannot plant a link under it in advance)."""
    return f".{name}.{secrets.token_hex(8)}.tmp"


def _is_busy(exc: OSError) -> bool:
    return getattr(exc, "winerror", None) in RETRY_WINERRORS


def retry_busy(operation: Callable[[], _T], *, seconds: float = RETRY_SECONDS,
               sleep: Callable[[float], None] = time.sleep) -> _T:
    """Run ``operation``; on Windows, while it fails because another program
    holds the file (WinError 5/32), try again for up to ``seconds``."""
    waited, pause = 0.0, 0.02
    while True:
        try:
            return operation()
        except OSError as exc:
            if not _is_busy(exc) or waited >= seconds:
                raise
        sleep(pause)
        waited += pause
        pause = min(pause * 2, 0.25)


def create_new(path: Path, mode: int = FILE_MODE) -> int:
    """A new file at ``path``, opened for writing: ``O_EXCL`` (never an
    existing file) and ``O_NOFOLLOW`` (never through a link), owner-only."""
    return os.open(path, _CREATE_NEW, mode)


def make_private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) as owner-only folders; an existing
    folder keeps its place and is narrowed to 0700 (POSIX)."""
    path = Path(path)
    missing = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=DIR_MODE)
        restrict(folder, DIR_MODE)
    if not missing:
        restrict(path, DIR_MODE)


def restrict(path: Path, mode: int) -> None:
    """chmod ``path`` to ``mode`` unless it is a link (POSIX; Windows keeps the
    profile folder's ACL: see docs/threat-model.md)."""
    if sys.platform == "win32":
        return
    try:
        info = os.lstat(path)
        if not stat.S_ISLNK(info.st_mode) and stat.S_IMODE(info.st_mode) != mode:
            os.chmod(path, mode)
    except OSError:
        pass  # not ours, or read-only media: reading still works


class NotRegularFile(OSError):
    """A FIFO, a device or a folder where a file was expected."""


def read_regular(path: Path, limit: int) -> bytes:
    """Up to ``limit + 1`` bytes of the regular file at ``path`` (a caller
    that gets more than ``limit`` knows it is too large). A FIFO or device a
    hostile stick names like a key file raises ``NotRegularFile`` instead of
    blocking or reading forever."""
    with open_regular(path) as handle:
        return handle.read(limit + 1)


def open_regular(path: Path) -> BinaryIO:
    """``path`` opened for reading if it is a regular file (checked on the
    open file, without blocking on a FIFO); else ``NotRegularFile``."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | _BINARY)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFile(f"not a regular file: {Path(path).name}")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


class FileIO:
    """Plain, durable file operations."""

    def read_bytes(self, path: Path) -> bytes:
        return path.read_bytes()

    def open_append(self, path: Path) -> BinaryIO:
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | _NOFOLLOW | _BINARY
        return os.fdopen(os.open(path, flags, FILE_MODE), "ab", buffering=0)

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

    @contextlib.contextmanager
    def _temp_beside(self, path: Path) -> Iterator[tuple[Path, BinaryIO]]:
        """A new owner-only temp file beside ``path``, removed on failure."""
        tmp = path.with_name(temp_name(path.name))
        fd = create_new(tmp)
        try:
            with os.fdopen(fd, "wb") as handle:
                yield tmp, handle
        except BaseException:
            with contextlib.suppress(OSError):
                self.unlink(tmp)
            raise

    def write_atomic(self, path: Path, data: bytes) -> None:
        """Random-named temp file in the same folder, fsync, ``os.replace``
        (which replaces a link at ``path`` rather than writing through it),
        fsync the folder."""
        with self._temp_beside(path) as (tmp, handle):
            self.append(handle, data)
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
            self.replace(tmp, path)
        self.fsync_dir(path.parent)

    def write_new(self, path: Path, data: bytes) -> None:
        """Create ``path`` holding ``data`` all at once, never replacing a file.

        Where the OS and filesystem allow (Linux ``O_TMPFILE``), the data is
        written to an unnamed file that gets its name only when complete, so a
        crash leaves nothing behind. Elsewhere (FAT-formatted USB sticks,
        Windows) a random-named temp file is linked (or, where links are not
        supported, renamed) into place; ``stale_temp_files`` finds what an
        interrupted call left.
        """
        tmpfile = getattr(os, "O_TMPFILE", 0)
        if tmpfile:
            try:
                fd = os.open(path.parent, tmpfile | os.O_WRONLY, FILE_MODE)
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
        if os.path.lexists(path):
            raise FileExistsError(path)
        with self._temp_beside(path) as (tmp, handle):
            self.append(handle, data)
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
            try:
                os.link(tmp, path)  # fails if the name was taken meanwhile
            except FileExistsError:
                raise
            except OSError:  # no hard links here (FAT): rename, as before
                if os.path.lexists(path):
                    raise FileExistsError(path) from None
                self.replace(tmp, path)
            else:
                self.unlink(tmp)
        self.fsync_dir(path.parent)

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
        """Temp files ``write_atomic``/``write_new`` left for names matching
        ``pattern`` (and the fixed ``.<name>.tmp`` earlier versions used)."""
        found = set(folder.glob(f".{pattern}.*.tmp")) | set(folder.glob(f".{pattern}.tmp"))
        return sorted(found)

    def replace(self, src: Path, dst: Path) -> None:
        retry_busy(lambda: os.replace(src, dst))

    def link_or_copy(self, src: Path, dst: Path, *, copy: bool = True) -> bool:
        """``dst`` a hard link to ``src`` (True), or where the file system has
        none (FAT, exFAT, some network shares) a durable copy; with ``copy``
        False, nothing then (False either way)."""
        try:
            os.link(src, dst)
        except OSError:
            if copy:
                self.copy(src, dst)
            return False
        return True

    def copy(self, src: Path, dst: Path) -> None:
        """A durable copy of ``src`` at the new name ``dst``."""
        data = src.read_bytes()
        with os.fdopen(create_new(dst), "wb") as handle:
            self.append(handle, data)
            handle.flush()
            os.fsync(handle.fileno())

    def unlink(self, path: Path) -> None:
        try:
            retry_busy(lambda: path.unlink())
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

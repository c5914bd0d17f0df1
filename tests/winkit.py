"""Imitations of what Windows does differently, for running the Windows
branches here.

``FakeMsvcrt`` stands in for the ``msvcrt`` module's ``locking``: byte-range
locks per file that are *mandatory* as on Windows — a lock held through one
handle makes reads and writes of those bytes through any other handle fail
with ``PermissionError`` (errno 13), and a second lock of a held byte fails.
Handles must come from ``fake.open`` (which tests put in the module under
test as its ``open``) for reads and writes to be checked. A handle that is
closed loses its locks, as a process that dies does.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import IO, Any


class FakeMsvcrt:
    LK_UNLCK, LK_LOCK, LK_NBLCK, LK_RLCK, LK_NBRLCK = 0, 1, 2, 3, 4

    def __init__(self) -> None:
        # (device, inode) -> {byte offset: the handle holding it}
        self.locks: dict[tuple[int, int], dict[int, LockedFile]] = {}
        self.handles: dict[int, LockedFile] = {}
        self.calls: list[tuple[str, int, int]] = []

    # -- msvcrt's API ---------------------------------------------------------------------
    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        handle = self.handles[fd]
        start = os.lseek(fd, 0, os.SEEK_CUR)
        held = self.locks.setdefault(handle.key, {})
        self._forget_closed(held)
        span = range(start, start + nbytes)
        if mode == self.LK_UNLCK:
            self.calls.append(("unlock", start, nbytes))
            if any(held.get(b) is not handle for b in span):
                raise PermissionError(errno.EACCES, "Permission denied")
            for b in span:
                del held[b]
            return
        if mode != self.LK_NBLCK:
            raise NotImplementedError(mode)
        self.calls.append(("lock", start, nbytes))
        if any(b in held for b in span):  # even the same handle: Windows locks do not nest
            raise PermissionError(errno.EACCES, "Permission denied")
        for b in span:
            held[b] = handle

    # -- what the OS does with those locks ----------------------------------------------------
    def open(self, path: str | os.PathLike[str], mode: str = "r", *args: Any,
             **kwargs: Any) -> LockedFile:
        return LockedFile(self, open(path, mode, *args, **kwargs))

    def check(self, handle: LockedFile, start: int, length: int) -> None:
        held = self.locks.get(handle.key, {})
        self._forget_closed(held)
        if any(owner is not handle for b, owner in held.items() if start <= b < start + length):
            raise PermissionError(errno.EACCES, "Permission denied")

    @staticmethod
    def _forget_closed(held: dict[int, LockedFile]) -> None:
        for b in [b for b, owner in held.items() if owner.closed]:
            del held[b]

    def locked_bytes(self, path: Path) -> list[int]:
        st = path.stat()
        held = self.locks.get((st.st_dev, st.st_ino), {})
        self._forget_closed(held)
        return sorted(held)


class LockedFile:
    """A binary file handle whose reads and writes honour ``FakeMsvcrt``'s locks."""

    def __init__(self, fake: FakeMsvcrt, raw: IO[bytes]) -> None:
        self.fake = fake
        self.raw = raw
        st = os.fstat(raw.fileno())
        self.key = (st.st_dev, st.st_ino)
        fake.handles[raw.fileno()] = self

    @property
    def closed(self) -> bool:
        return self.raw.closed

    def fileno(self) -> int:
        return self.raw.fileno()

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.raw.seek(offset, whence)

    def tell(self) -> int:
        return self.raw.tell()

    def read(self, size: int = -1) -> bytes:
        start = self.raw.tell()
        end = os.fstat(self.raw.fileno()).st_size if size < 0 else start + size
        self.fake.check(self, start, max(0, end - start))
        return self.raw.read(size)

    def write(self, data: bytes) -> int:
        self.raw.seek(0, os.SEEK_END)  # the handles here are opened for appending
        self.fake.check(self, self.raw.tell(), len(data))
        return self.raw.write(data)

    def truncate(self, size: int | None = None) -> int:
        return self.raw.truncate(size)

    def flush(self) -> None:
        self.raw.flush()

    def close(self) -> None:
        self.raw.close()

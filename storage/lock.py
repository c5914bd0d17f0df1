"""One writer per vault: an OS file lock on ``<vault>/lock``.

The OS releases the lock when its holder dies, so a lock left by a dead
process is simply taken over; the file also records the holder's pid and host
so a refusal can say who holds it.

The file is one newline (byte 0, the byte that is locked) followed by the
holder record, JSON. Two ways to lock it, behind one interface:

- POSIX: ``flock`` on the whole file. Advisory: anyone may read the record.
- Windows: ``msvcrt.locking`` of byte 0. That lock is *mandatory*: no other
  handle may read or write byte 0 while it is held, so the record is read
  from byte 1 on, which nobody locks. Windows releases a dead process's locks
  "after a short delay", so taking the lock is tried for about a second
  before the vault is called busy.

The file is opened ``O_NOFOLLOW`` (where the OS has it), created 0600, and
must be a regular file with one name: the lock truncates what it opens, so a
``lock`` that is a symlink or a hard link to ``identity.age`` (planted in a
vault folder on a stick) would destroy that file. Such a lock is refused
(``LockNotFile``) and nothing is written.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import socket
import stat
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import IO, Protocol

from storage.errors import LockNotFile, VaultBusy, VaultUnreadable

LOCK_OFFSET = 0  # the byte that is locked
RECORD_OFFSET = 1  # where the holder record starts: never locked
MAX_RECORD = 4096
FILE_MODE = 0o600
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO planted as ``lock`` must not block the open


def _no_follow(path: str, flags: int) -> int:
    """The opener of the lock file: created if missing, owner-only, never
    through a symlink (``O_NOFOLLOW``; Windows has none: the link is looked
    for first)."""
    if not _NOFOLLOW and os.path.islink(path):
        raise LockNotFile(file=os.path.basename(path))
    return os.open(path, flags | os.O_CREAT | _NOFOLLOW | _NONBLOCK, FILE_MODE)


class Locking(Protocol):
    def try_lock(self, handle: IO[bytes]) -> bool: ...
    def unlock(self, handle: IO[bytes]) -> None: ...


class FlockLocking:
    """POSIX: ``flock`` (released by the kernel when the holder dies)."""

    def __init__(self, fcntl: ModuleType) -> None:
        self.fcntl = fcntl

    def try_lock(self, handle: IO[bytes]) -> bool:
        try:
            self.fcntl.flock(handle.fileno(), self.fcntl.LOCK_EX | self.fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def unlock(self, handle: IO[bytes]) -> None:
        self.fcntl.flock(handle.fileno(), self.fcntl.LOCK_UN)


class MsvcrtLocking:
    """Windows: ``msvcrt.locking`` of the byte at ``LOCK_OFFSET`` (it locks
    from the handle's position). ``msvcrt`` is passed in, so the tests run
    this branch here with a module that imitates Windows' mandatory locks."""

    def __init__(self, msvcrt: ModuleType, *, attempts: int = 10, pause: float = 0.1,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.msvcrt = msvcrt
        self.attempts = attempts
        self.pause = pause
        self.sleep = sleep

    def try_lock(self, handle: IO[bytes]) -> bool:
        for attempt in range(self.attempts):
            if attempt:
                self.sleep(self.pause)  # a dead holder's lock goes after a short delay
            try:
                handle.seek(LOCK_OFFSET)
                self.msvcrt.locking(handle.fileno(), self.msvcrt.LK_NBLCK, 1)
            except OSError:
                continue
            return True
        return False

    def unlock(self, handle: IO[bytes]) -> None:
        handle.seek(LOCK_OFFSET)
        self.msvcrt.locking(handle.fileno(), self.msvcrt.LK_UNLCK, 1)


def platform_locking() -> Locking:
    """``flock`` where the OS has ``fcntl`` (POSIX), else ``msvcrt`` (Windows).
    Chosen by what can be imported, not by ``sys.platform``, so a test that
    poses as Windows to check the console keeps a lock that works."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - the branch is tested with a fake msvcrt
        import msvcrt

        return MsvcrtLocking(msvcrt)
    return FlockLocking(fcntl)


class VaultLock:
    def __init__(self, folder: Path, locking: Locking | None = None) -> None:
        self.path = folder / "lock"
        self.locking = locking or platform_locking()
        self._handle: IO[bytes] | None = None

    def acquire(self) -> None:
        handle = self._open()
        if not self.locking.try_lock(handle):
            holder = self._read_holder(handle)
            handle.close()
            raise VaultBusy(pid=holder.get("pid", "?"), host=holder.get("host", "?"))
        try:
            handle.seek(0)
            handle.truncate()
            record = json.dumps({"pid": os.getpid(), "host": socket.gethostname()})
            handle.write(b"\n" + record.encode())  # byte 0, then the record from RECORD_OFFSET
            handle.flush()
        except OSError:
            self.locking.unlock(handle)
            handle.close()
            raise
        self._handle = handle

    def _open(self) -> IO[bytes]:
        """The lock file, read-write (``r+b``: writes go where the handle
        points, which ``MsvcrtLocking`` moves); ``LockNotFile`` if it is a
        link, a folder, a FIFO or a second name of another file,
        ``VaultUnreadable`` if the OS refuses it otherwise."""
        try:
            handle = open(self.path, "r+b", opener=_no_follow)  # noqa: SIM115 - held while locked
        except OSError as exc:  # ELOOP for a link; a folder; permissions, a sharing violation
            if self.path.is_symlink() or (self.path.exists() and not self.path.is_file()):
                raise LockNotFile(file=self.path.name) from None
            reason = errno.errorcode.get(exc.errno or 0, type(exc).__name__)
            raise VaultUnreadable(reason=reason) from None
        try:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
                raise LockNotFile(file=self.path.name)
            if os.name == "posix" and stat.S_IMODE(info.st_mode) != FILE_MODE:
                with contextlib.suppress(OSError):  # a lock made by an older version
                    os.fchmod(handle.fileno(), FILE_MODE)
        except BaseException:
            handle.close()
            raise
        return handle

    @staticmethod
    def _read_holder(handle: IO[bytes]) -> dict[str, object]:
        """The holder's record, read past the locked byte (Windows refuses a
        read of a byte another process has locked)."""
        try:
            handle.seek(RECORD_OFFSET)
            data = handle.read(MAX_RECORD).strip()
            value = json.loads(data.decode()) if data else {}
            return value if isinstance(value, dict) else {}
        except (OSError, ValueError):
            return {}

    def release(self) -> None:
        if self._handle is None:
            return
        try:
            try:
                self._handle.seek(0)
                self._handle.truncate()
            except OSError:
                pass  # the record goes stale; the next holder writes its own
            self.locking.unlock(self._handle)
        finally:
            self._handle.close()
            self._handle = None

    @property
    def held(self) -> bool:
        return self._handle is not None

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
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import IO, Protocol

from storage.errors import VaultBusy

LOCK_OFFSET = 0  # the byte that is locked
RECORD_OFFSET = 1  # where the holder record starts: never locked
MAX_RECORD = 4096


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
    if sys.platform == "win32":  # pragma: no cover - the branch is tested with a fake msvcrt
        import msvcrt

        return MsvcrtLocking(msvcrt)
    import fcntl

    return FlockLocking(fcntl)


class VaultLock:
    def __init__(self, folder: Path, locking: Locking | None = None) -> None:
        self.path = folder / "lock"
        self.locking = locking or platform_locking()
        self._handle: IO[bytes] | None = None

    def acquire(self) -> None:
        handle = open(self.path, "a+b")  # noqa: SIM115 - held for the vault's lifetime
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

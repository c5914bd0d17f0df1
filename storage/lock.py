"""One writer per vault: an OS file lock on ``<vault>/lock``.

The OS releases the lock when its holder dies, so a lock left by a dead
process is simply taken over; the file also records the holder's pid and host
so a refusal can say who holds it. ``flock`` on POSIX, ``msvcrt.locking`` on
Windows.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path
from typing import IO

from storage.errors import VaultBusy

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(handle: IO[bytes]) -> bool:
        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(handle: IO[bytes]) -> bool:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def _unlock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class VaultLock:
    def __init__(self, folder: Path) -> None:
        self.path = folder / "lock"
        self._handle: IO[bytes] | None = None

    def acquire(self) -> None:
        handle = open(self.path, "a+b")  # noqa: SIM115 - held for the vault's lifetime
        if not _try_lock(handle):
            holder = self._read_holder(handle)
            handle.close()
            raise VaultBusy(pid=holder.get("pid", "?"), host=holder.get("host", "?"))
        # The holder record lives after byte 0 so Windows' one-byte lock region
        # does not stop others from reading who holds it.
        handle.seek(0)
        handle.truncate()
        record = json.dumps({"pid": os.getpid(), "host": socket.gethostname()})
        handle.write(b"\n" + record.encode())
        handle.flush()
        self._handle = handle

    @staticmethod
    def _read_holder(handle: IO[bytes]) -> dict[str, object]:
        try:
            handle.seek(0)
            data = handle.read().strip()
            value = json.loads(data.decode()) if data else {}
            return value if isinstance(value, dict) else {}
        except (OSError, ValueError):
            return {}

    def release(self) -> None:
        if self._handle is None:
            return
        try:
            self._handle.seek(0)
            self._handle.truncate()
            _unlock(self._handle)
        finally:
            self._handle.close()
            self._handle = None

    @property
    def held(self) -> bool:
        return self._handle is not None

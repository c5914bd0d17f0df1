"""The Windows branches that can run here (issue 20, /work/shared/WINDOWS.md).

The vault lock through ``msvcrt.locking`` with Windows' mandatory byte locks
(a fake ``msvcrt``, tests/winkit.py); the file layer with no ``O_TMPFILE``
and no directory fsync; file names Windows reserves; the console and the
install location checks the app makes on Windows.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from winkit import FakeMsvcrt

import storage.lock as lock_module
from storage.errors import VaultBusy
from storage.lock import MsvcrtLocking, VaultLock
from storage.vault import Vault

PW = "correct horse battery staple"


# -- the vault lock (WINDOWS.md item 5) ---------------------------------------------------------
@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeMsvcrt:
    fake = FakeMsvcrt()
    monkeypatch.setattr(lock_module, "open", fake.open, raising=False)
    return fake


def windows_lock(folder: Path, fake: FakeMsvcrt, sleeps: list[float] | None = None) -> VaultLock:
    sleep = sleeps.append if sleeps is not None else (lambda _s: None)
    return VaultLock(folder, MsvcrtLocking(fake, sleep=sleep))  # type: ignore[arg-type]


def test_a_busy_vault_names_its_holder_past_the_locked_byte(tmp_path: Path,
                                                            fake: FakeMsvcrt) -> None:
    first = windows_lock(tmp_path, fake)
    first.acquire()
    lock_file = tmp_path / "lock"
    assert fake.locked_bytes(lock_file) == [0]
    # Windows' lock is mandatory: byte 0 cannot be read through another handle
    other = fake.open(lock_file, "a+b")
    other.seek(0)
    with pytest.raises(PermissionError):
        other.read()
    other.close()
    sleeps: list[float] = []
    second = windows_lock(tmp_path, fake, sleeps)
    with pytest.raises(VaultBusy) as err:
        second.acquire()
    assert err.value.params == {"pid": os.getpid(), "host": socket.gethostname()}
    assert 0.5 <= sum(sleeps) <= 2  # a dead holder's lock may take a moment to go
    assert not second.held
    first.release()
    assert fake.locked_bytes(lock_file) == []
    second.acquire()
    assert fake.locked_bytes(lock_file) == [0]
    assert lock_file.read_bytes().startswith(b"\n{")
    second.release()
    assert [c[0] for c in fake.calls].count("unlock") == 2
    assert all(start == 0 and n == 1 for _, start, n in fake.calls)


def test_a_dead_holders_lock_is_taken_over(tmp_path: Path, fake: FakeMsvcrt) -> None:
    first = windows_lock(tmp_path, fake)
    first.acquire()
    assert first._handle is not None
    first._handle.close()  # the process died: Windows drops its locks
    second = windows_lock(tmp_path, fake)
    second.acquire()
    assert second.held and fake.locked_bytes(tmp_path / "lock") == [0]
    second.release()


def test_the_vault_refuses_a_second_writer_with_windows_locking(
        tmp_path: Path, fake: FakeMsvcrt, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lock_module, "platform_locking",
                        lambda: MsvcrtLocking(fake, sleep=lambda _s: None))  # type: ignore[arg-type]
    path = tmp_path / "vault"
    vault = Vault.create(path, PW, work_factor=10)
    try:
        with pytest.raises(VaultBusy) as err:
            Vault.open(path, PW)
        assert err.value.params["pid"] == os.getpid()
    finally:
        vault.close()
    Vault.open(path, PW).close()

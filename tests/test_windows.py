"""The Windows branches that can run here (issue 20, /work/shared/WINDOWS.md).

The vault lock through ``msvcrt.locking`` with Windows' mandatory byte locks
(a fake ``msvcrt``, tests/winkit.py); the file layer with no ``O_TMPFILE``
and no directory fsync; file names Windows reserves; the console and the
install location checks the app makes on Windows.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from winkit import FakeMsvcrt

import storage.lock as lock_module
from storage.errors import LockNotFile, VaultBusy
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


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_with_no_o_nofollow_a_lock_link_is_still_refused(
        tmp_path: Path, fake: FakeMsvcrt, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows has no ``O_NOFOLLOW``: the link is looked for before the open."""
    monkeypatch.setattr(lock_module, "_NOFOLLOW", 0)
    precious = tmp_path / "identity.age"
    precious.write_bytes(b"keep me")
    (tmp_path / "lock").symlink_to(precious)
    with pytest.raises(LockNotFile):
        windows_lock(tmp_path, fake).acquire()
    assert precious.read_bytes() == b"keep me"


# -- the suite starts on Windows (WINDOWS.md item 4) ----------------------------------------------
BLOCK_POSIX = '''
import sys
BLOCKED = {"pty", "termios", "tty", "fcntl", "resource", "pwd", "grp"}
class _Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"No module named {name!r} (blocked, as on Windows)")
        return None
sys.meta_path.insert(0, _Block())
'''

IMPORT_EVERYTHING = '''
import importlib, pkgutil, sys
import branchtool, screens, storage
for package in (branchtool, screens, storage):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if not info.name.endswith(".__main__"):  # that one runs the command line
            importlib.import_module(info.name)
for path in sorted(__import__("pathlib").Path("bench").glob("*.py")):  # a package, from the root
    importlib.import_module("bench" if path.stem == "__init__" else f"bench.{path.stem}")
blocked = sorted({"pty", "termios", "fcntl", "resource", "pwd", "grp"} & set(sys.modules))
print("imported", len(sys.modules), "blocked", blocked)
'''


def _without_posix_modules(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "sitecustomize.py").write_text(BLOCK_POSIX, encoding="utf-8")
    return {**os.environ, "PYTHONPATH": str(tmp_path)}


def test_every_module_and_test_module_imports_without_posix_only_modules(
        tmp_path: Path) -> None:
    """What WINDOWS.md checked by hand, kept: with pty, termios, fcntl,
    resource, pwd and grp unimportable, every product module and benchmark
    imports and pytest collects every test module (ptykit imports pty only
    when it runs a program; bench/timing reads memory without resource)."""
    root = Path(__file__).resolve().parent.parent
    env = _without_posix_modules(tmp_path)
    done = subprocess.run([sys.executable, "-c", IMPORT_EVERYTHING], cwd=root, env=env,
                          capture_output=True, text=True, encoding="utf-8", check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("blocked []")
    collected = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q",
                                "-p", "no:cacheprovider", "tests"], cwd=root, env=env,
                               capture_output=True, text=True, encoding="utf-8", check=False)
    assert collected.returncode == 0, collected.stdout[-3000:] + collected.stderr[-2000:]
    assert "error" not in collected.stdout.splitlines()[-1]


# -- the file layer without what Windows lacks --------------------------------------------------
def test_new_files_without_o_tmpfile_go_through_a_dot_temp(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows (and a FAT stick) has no O_TMPFILE: write_new renames a dot-temp
    into place and leaves nothing else; an existing name is never replaced."""
    from storage.fsio import FileIO

    monkeypatch.delattr(os, "O_TMPFILE", raising=False)
    io = FileIO()
    target = tmp_path / "CS01-000001-20261205.bundle.age"
    io.write_new(target, b"sealed bytes")
    assert target.read_bytes() == b"sealed bytes"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]
    with pytest.raises(FileExistsError):
        io.write_new(target, b"other bytes")
    assert target.read_bytes() == b"sealed bytes"
    # what an interrupted call leaves is found for cleanup
    (tmp_path / ".CS01-000002-20261205.bundle.age.tmp").write_bytes(b"half")
    assert [p.name for p in io.stale_temp_files(tmp_path, "CS01-*.bundle.age")] == [
        ".CS01-000002-20261205.bundle.age.tmp"]


def test_no_directory_is_opened_for_fsync_on_windows(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows cannot open a folder as a file: the folder fsync is skipped
    (NTFS journals its metadata) and a save still completes."""
    from storage.fsio import FileIO

    opened: list[Path] = []
    real_open = os.open

    def watching_open(path: object, *args: object, **kwargs: object) -> int:
        opened.append(Path(str(path)))
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.delattr(os, "O_TMPFILE", raising=False)
    monkeypatch.setattr(os, "open", watching_open)
    io = FileIO()
    io.write_atomic(tmp_path / "vault.json", b"{}")
    io.write_new(tmp_path / "receipt.json", b"{}")
    io.fsync_dir(tmp_path)
    assert tmp_path not in opened
    assert (tmp_path / "vault.json").read_bytes() == b"{}"


# -- names Windows reserves (WINDOWS.md item 11) ------------------------------------------
@pytest.mark.parametrize("code", ["CON", "con", "Prn", "AUX", "nul", "COM1", "com9", "LPT1",
                                  "lpt0", "COM0"])
def test_device_names_are_refused_as_branch_codes(code: str) -> None:
    from branchtool.branch_code import branch_code_problem

    assert branch_code_problem(code) == "cli.init.reserved_code"


@pytest.mark.parametrize("code", ["CON1", "CONS", "COM10", "NULL", "LPT", "CS01", "A-1"])
def test_names_near_device_names_are_fine(code: str) -> None:
    from branchtool.branch_code import branch_code_problem

    assert branch_code_problem(code) is None


def test_init_and_create_say_why_a_device_name_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from branchtool import i18n
    from branchtool.cli import main
    from branchtool.errors import UserError
    from branchtool.session import Session

    monkeypatch.setenv("BRANCHTOOL_HOME", str(tmp_path / "v"))
    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", PW)
    try:
        assert main(["--lang", "en", "init", "--branch-code", "Com1", "--branch-name", "x"]) == 1
        assert "Com1 is a name Windows keeps for a device" in capsys.readouterr().err
        assert not (tmp_path / "v").exists()
        with pytest.raises(UserError) as err:
            Session(tmp_path / "w").create("nul", "第一支部", PW)
        assert err.value.key == "cli.init.reserved_code" and "nul" in err.value.message()
    finally:
        i18n.set_language("zh-CN")


def test_enrolment_refuses_codes_that_differ_only_in_case(tmp_path: Path) -> None:
    """Receipts and bundles are named by branch code; on Windows and macOS
    cs01-receipt-….json and CS01-receipt-….json are one file."""
    from branchtool.errors import UserError
    from branchtool.keyfiles import BRANCH_FORMAT, KeyFile
    from storage import age, minisign
    from tests.officekit import Clock, make_office

    def key(code: str) -> KeyFile:
        _, public = minisign.generate_keypair()
        _, recipient = age.generate_identity()
        return KeyFile(BRANCH_FORMAT, "第一党支部", recipient, public, code=code)

    office = make_office(tmp_path / "office", Clock())
    try:
        office.trust.enrol(key("CS01"))
        with pytest.raises(UserError) as err:
            office.trust.preview(key("cs01"))
        assert err.value.key == "office.trust.code_case_clash"
        assert err.value.params == {"code": "cs01", "other": "CS01"}
        with pytest.raises(UserError) as err:
            office.trust.enrol(key("AUX"))
        assert err.value.key == "office.trust.reserved_code"
        office.trust.enrol(key("CS02"))
        assert [b["code"] for b in office.trust.branches()] == ["CS01", "CS02"]
    finally:
        office.vault.close()

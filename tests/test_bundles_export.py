"""A branch's bundle: format, signature, chaining, redaction, failure safety."""

from __future__ import annotations

import datetime as dt
import errno
import subprocess
from pathlib import Path

import pytest

from branchtool import demo
from branchtool.bundles import format as fmt
from branchtool.bundles.scope import Period
from branchtool.errors import UserError
from branchtool.session import Session
from storage import age, minisign
from tests.bundlekit import OfficeKeys, make_office_keys
from tests.storekit import FaultyIO

TODAY = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def office() -> OfficeKeys:
    return make_office_keys()


@pytest.fixture
def branch(tmp_path: Path, office: OfficeKeys) -> Session:
    session = demo.build(tmp_path / "branch", people=30, days=5, seed=3, today=TODAY,
                         work_factor=10)
    session.bundles.set_office_key(office.key)
    session.bundles.today = lambda: TODAY
    yield session
    session.lock()


def open_bundle(path: Path, office: OfficeKeys, branch: Session) -> dict:
    tar = age.decrypt(path.read_bytes(), [office.identity])
    json_bytes, signature = fmt.unpack(tar)
    comment = minisign.verify(json_bytes, signature, branch.vault.signing_public_key)
    assert f"seq={fmt.decode(json_bytes)['sequence']}" in comment
    return fmt.decode(json_bytes)


def test_export_names_signs_and_addresses(branch: Session, office: OfficeKeys,
                                          tmp_path: Path) -> None:
    out = tmp_path / "usb"
    out.mkdir()
    result = branch.bundles.export(out, Period(TODAY, TODAY))
    assert result.path.name == "DEMO-000001-20261120.bundle.age"
    assert [p.name for p in out.iterdir()] == [result.path.name]
    doc = open_bundle(result.path, office, branch)
    assert doc["recipient"] == office.key.recipient
    assert doc["branch"]["code"] == "DEMO" and doc["sequence"] == 1
    assert doc["previous_sha256"] is None
    assert doc["signer_key_id"] == branch.vault.signing_key_id
    assert doc["counts"]["roster"] == len(doc["data"]["roster"]) > 0
    assert doc["history"]["base"]["seq"] == 0
    assert doc["history"]["head"]["seq"] == len(doc["history"]["entries"])
    # the branch can reopen what it sent; a stranger cannot
    assert branch.bundles.open_sent(result.path)["bundle_id"] == doc["bundle_id"]
    stranger, _ = age.generate_identity()
    with pytest.raises(age.NoIdentityMatchError):
        age.decrypt(result.path.read_bytes(), [stranger])


def test_two_exports_chain(branch: Session, office: OfficeKeys, tmp_path: Path) -> None:
    first = branch.bundles.export(tmp_path, Period(TODAY, TODAY))
    person = next(iter(branch.roster.people()))
    branch.roster.edit(person.id, {"notes": "changed after the first report"})
    second = branch.bundles.export(tmp_path, Period(TODAY, TODAY))
    one, two = open_bundle(first.path, office, branch), open_bundle(second.path, office, branch)
    assert two["sequence"] == one["sequence"] + 1
    assert two["previous_sha256"] == age_json_sha(first.path, office)
    assert two["history"]["base"] == one["history"]["head"]
    assert two["history"]["entries"][0]["prev"] == one["history"]["head"]["hash"]
    assert [s["sequence"] for s in branch.bundles.outbox()] == [1, 2]


def age_json_sha(path: Path, office: OfficeKeys) -> str:
    import hashlib

    json_bytes, _ = fmt.unpack(age.decrypt(path.read_bytes(), [office.identity]))
    return hashlib.sha256(json_bytes).hexdigest()


def _plaintext(path: Path, office: OfficeKeys) -> bytes:
    return fmt.unpack(age.decrypt(path.read_bytes(), [office.identity]))[0]


def test_redaction_levels_withhold_exactly_what_they_say(
    branch: Session, office: OfficeKeys, tmp_path: Path
) -> None:
    people = [p for p in branch.roster.people() if p["id_number"] and p["phone"]]
    assert people
    ids = [p["id_number"].encode() for p in people]
    phones = [p["phone"].encode() for p in people]
    addresses = [p["address"].encode() for p in people if p["address"]]
    names = [p["name"].encode() for p in people]
    period = Period(TODAY, TODAY)
    full = _plaintext(branch.bundles.export(tmp_path, period, "full").path, office)
    standard = _plaintext(branch.bundles.export(tmp_path, period, "standard").path, office)
    counts = _plaintext(branch.bundles.export(tmp_path, period, "counts").path, office)
    for value in ids + phones + addresses:
        assert value in full
        assert value not in standard
        assert value not in counts
    assert all(name in standard for name in names)
    assert all(name not in counts for name in names)
    assert fmt.decode(counts)["counts"]["roster"] == len(fmt.decode(full)["data"]["roster"])
    preview = branch.bundles.preview(period, "standard")
    assert set(preview.withheld["roster"]) == {"id_number", "phone", "address", "notes"}


@pytest.mark.parametrize("fault", ["full_disk", "half_written", "folder_vanished",
                                   "outbox_write"])
def test_failed_export_leaves_no_file_and_keeps_the_sequence(
    branch: Session, tmp_path: Path, fault: str
) -> None:
    out = tmp_path / "usb"
    out.mkdir()
    faulty = FaultyIO()
    branch.bundles.io = faulty
    if fault == "full_disk":
        faulty.fail, faulty.errno = "write_new", errno.ENOSPC
    elif fault == "half_written":
        faulty.fail, faulty.errno, faulty.partial = "append", errno.ENOSPC, True
    elif fault == "folder_vanished":
        original = faulty.write_new

        def vanish(path: Path, data: bytes) -> None:
            path.parent.rmdir()
            original(path, data)

        faulty.write_new = vanish  # type: ignore[method-assign]
    else:
        store_io = branch.vault.store.io
        branch.vault.store.io = store_faulty = FaultyIO()
        store_faulty.fail = "fsync"
    with pytest.raises(UserError) as err:
        branch.bundles.export(out, Period(TODAY, TODAY))
    assert err.value.message()
    if fault == "outbox_write":
        branch.vault.store.io = store_io
    if out.exists():
        assert list(out.iterdir()) == []
    assert branch.bundles.outbox() == []
    if fault == "outbox_write":
        # the store refuses writes until reopened only when truncation failed; here it works
        out.mkdir(exist_ok=True)
        branch.bundles.io = FaultyIO()
        assert branch.bundles.export(out, Period(TODAY, TODAY)).sequence == 1


def test_export_needs_an_office_key_and_a_folder(tmp_path: Path) -> None:
    session = demo.build(tmp_path / "b", people=5, days=1, seed=1, today=TODAY, work_factor=10)
    try:
        with pytest.raises(UserError) as err:
            session.bundles.export(tmp_path, Period(TODAY, TODAY))
        assert err.value.key == "export.no_office_key"
        session.bundles.set_office_key(make_office_keys().key)
        with pytest.raises(UserError) as err:
            session.bundles.export(tmp_path / "missing", Period(TODAY, TODAY))
        assert err.value.key == "export.no_folder"
    finally:
        session.lock()


@pytest.mark.interop
def test_reference_tools_open_and_verify(branch: Session, office: OfficeKeys, tmp_path: Path,
                                         age_bin: str, minisign_bin: str) -> None:
    result = branch.bundles.export(tmp_path, Period(TODAY, TODAY))
    key = tmp_path / "office-key.txt"
    key.write_text(office.identity + "\n")
    pub = tmp_path / "branch.pub"
    pub.write_text(branch.vault.signing_public_key)
    work = tmp_path / "x"
    work.mkdir()
    tar = subprocess.run([age_bin, "-d", "-i", str(key), str(result.path)],
                         capture_output=True, check=True).stdout
    listing = subprocess.run(["tar", "tvf", "-"], input=tar, capture_output=True,
                             check=True).stdout.decode()
    assert len(listing.strip().splitlines()) == 2
    subprocess.run(["tar", "xf", "-"], input=tar, cwd=work, check=True)
    assert sorted(p.name for p in work.iterdir()) == ["bundle.json", "bundle.json.minisig"]
    done = subprocess.run([minisign_bin, "-Vm", "bundle.json", "-p", str(pub)], cwd=work,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "branch=DEMO seq=1" in done.stdout


def test_cli_export_and_keys_export(branch: Session, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    from branchtool.cli import main
    from branchtool.keyfiles import BRANCH_FORMAT, read_key_file

    path = branch.path
    branch.lock()
    monkeypatch.setenv("BRANCHTOOL_HOME", str(path))
    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", demo.PASSPHRASE)
    out = tmp_path / "usb"
    out.mkdir()
    assert main(["export", "--out", str(out), "--from", "2026-11-18", "--to", "2026-11-20",
                 "--redaction", "counts"]) == 0
    printed = Path(capsys.readouterr().out.strip())
    assert printed.parent == out and printed.name.startswith("DEMO-000001-")
    assert main(["--lang", "en", "export", "--out", str(out), "--from", "bad-date"]) == 1
    assert "not understood" in capsys.readouterr().err
    assert main(["keys", "export", "--out", str(tmp_path / "branch.pub")]) == 0
    key = read_key_file(tmp_path / "branch.pub", BRANCH_FORMAT)
    assert key.code == "DEMO" and key.fingerprint in capsys.readouterr().out


def test_standard_withholds_every_marked_field_of_every_kind(
    branch: Session, office: OfficeKeys, tmp_path: Path
) -> None:
    from branchtool.bundles.scope import kinds

    period = Period(TODAY - dt.timedelta(days=6), TODAY)
    full = _plaintext(branch.bundles.export(tmp_path, period, "full").path, office)
    standard = _plaintext(branch.bundles.export(tmp_path, period, "standard").path, office)
    counts = _plaintext(branch.bundles.export(tmp_path, period, "counts").path, office)
    withheld: dict[str, set[str]] = {}
    for kind in kinds():
        for key in kind.withheld("standard"):
            for doc in kind.records(branch.vault, period):
                value = doc.get(key)
                if isinstance(value, str) and len(value) >= 4:
                    withheld.setdefault(f"{kind.name}.{key}", set()).add(value)
    # the demo has care descriptions, visit findings, contacts' places and
    # sources, members' record texts: each must be in full and nowhere else
    assert {"care.description", "care.measures", "member_records.description",
            "contacts.source_case", "roster.id_number"} <= set(withheld)
    for name, values in withheld.items():
        for value in values:
            assert value.encode() in full, name
            assert value.encode() not in standard, name
            assert value.encode() not in counts, name
    preview = branch.bundles.preview(period, "standard")
    assert set(preview.withheld["care"]) == {"description", "measures"}
    assert "extensions" in preview.withheld["contacts"]
    assert preview.counts["checkins"] == len(fmt.decode(full)["data"]["checkins"]) > 0


def test_bundle_carries_reports_and_figures_of_the_period(
    branch: Session, office: OfficeKeys, tmp_path: Path
) -> None:
    period = Period(TODAY - dt.timedelta(days=6), TODAY)
    first = branch.health.first_day()
    assert first is not None
    preview = branch.bundles.preview(period, "counts")
    doc = fmt.decode(_plaintext(branch.bundles.export(tmp_path, period, "counts").path, office))
    days = [d for d in period.days() if d >= first]
    assert sorted(preview.reports) == sorted(doc["reports"])
    assert {f"daily/{d}" for d in days} <= set(doc["reports"])
    assert f"weekly/{TODAY}" in doc["reports"]
    assert {"care/2026-11-20", "records/2026-11-20"} <= set(doc["reports"])
    # counts only: nobody named in any report or figure
    names = [p["name"] for p in branch.roster.people()]
    text = fmt.encode({"reports": doc["reports"], "figures": doc["figures"]}).decode()
    assert not [name for name in names if name in text]
    health = doc["figures"]["health"]["days"]
    assert sorted(health) == [d.isoformat() for d in days]
    summary = branch.health.day_summary(TODAY)
    assert health[TODAY.isoformat()]["reported"] == len(summary.reported)
    assert health[TODAY.isoformat()]["missing"] == len(summary.missing)
    for figure, key in (("alerts", "open"), ("care", "open"), ("tasks", "overdue"),
                        ("notices", "expected"), ("notices", "confirmed"),
                        ("roster", "active")):
        assert isinstance(doc["figures"][figure][key], int)


def test_an_interrupted_export_on_a_stick_without_unnamed_files_is_cleaned_up(
    branch: Session, tmp_path: Path
) -> None:
    out = tmp_path / "usb"
    out.mkdir()
    stale = out / ".DEMO-000001-20261120.bundle.age.tmp"
    stale.write_bytes(b"half a bundle")  # what a crash on a FAT stick leaves
    result = branch.bundles.export(out, Period(TODAY, TODAY))
    assert [p.name for p in out.iterdir()] == [result.path.name]


def test_an_export_interrupted_before_the_outbox_is_redone(branch: Session,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "usb"
    out.mkdir()
    store_io = branch.vault.store.io
    branch.vault.store.io = failing = FaultyIO()
    failing.fail = "fsync"  # the outbox write fails after the file landed
    with pytest.raises(UserError):
        branch.bundles.export(out, Period(TODAY, TODAY))
    branch.vault.store.io = store_io
    # a kill at that instant would leave the file: put one back to stand for it
    branch.bundles.io = FaultyIO()
    first = branch.bundles.export(out, Period(TODAY, TODAY))
    leftover = first.path.read_bytes()
    branch.vault.partition("outbox").remove(branch.bundles.outbox()[0]["id"])
    again = branch.bundles.export(out, Period(TODAY, TODAY))
    assert again.path == first.path and again.path.read_bytes() != leftover
    assert [s["sequence"] for s in branch.bundles.outbox()] == [1]
    other = out / "DEMO-000002-20261120.bundle.age"
    other.write_bytes(b"not ours")
    with pytest.raises(UserError) as err:
        branch.bundles.export(out, Period(TODAY, TODAY))
    assert err.value.key == "export.exists" and other.read_bytes() == b"not ours"

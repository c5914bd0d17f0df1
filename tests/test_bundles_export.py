"""A branch's bundle: format, signature, chaining, redaction, failure safety."""

from __future__ import annotations

import datetime as dt
import errno
import shlex
import subprocess
from pathlib import Path

import pytest
from fixtures_app import chinese  # noqa: F401  (fixture: messages in zh-CN)

from branchtool import demo
from branchtool.bundles import format as fmt
from branchtool.errors import UserError
from branchtool.period import Period
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
    assert set(preview.withheld["roster"]) == {"id_number", "phone", "school_number", "address",
                                                  "notes"}


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
@pytest.mark.skipif(not Path("/bin/bash").exists(), reason="runs the shell's pipeline")
def test_reference_tools_open_and_verify(branch: Session, office: OfficeKeys, tmp_path: Path,
                                         age_bin: str, minisign_bin: str, zstd_bin: str,
                                         tar_bin: str) -> None:
    """The command line docs/formats.md gives, run as written: ``age -d -i
    office-key.txt X.bundle.age | zstd -d | tar x``, then ``minisign -Vm``."""
    result = branch.bundles.export(tmp_path, Period(TODAY, TODAY))
    key = tmp_path / "office-key.txt"
    key.write_text(office.identity + "\n")
    pub = tmp_path / "branch.pub"
    pub.write_text(branch.vault.signing_public_key)
    work = tmp_path / "x"
    work.mkdir()
    q = shlex.quote
    pipeline = f"{q(age_bin)} -d -i {q(str(key))} {q(str(result.path))} | {q(zstd_bin)} -d"
    listing = subprocess.run(f"set -o pipefail; {pipeline} | {q(tar_bin)} tvf -", shell=True,
                             executable="/bin/bash", capture_output=True, text=True,
                             check=True).stdout
    assert len(listing.strip().splitlines()) == 2
    subprocess.run(f"set -o pipefail; {pipeline} | {q(tar_bin)} x", shell=True,
                   executable="/bin/bash", cwd=work, check=True)
    assert sorted(p.name for p in work.iterdir()) == ["bundle.json", "bundle.json.minisig"]
    done = subprocess.run([minisign_bin, "-Vm", "bundle.json", "-p", str(pub)], cwd=work,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "branch=DEMO seq=1" in done.stdout
    # the age payload is a zstd frame (28 B5 2F FD) far smaller than the tar
    plain = subprocess.run([age_bin, "-d", "-i", str(key), str(result.path)],
                           capture_output=True, check=True).stdout
    assert plain[:4] == b"\x28\xb5\x2f\xfd"
    tar = subprocess.run([zstd_bin, "-d"], input=plain, capture_output=True, check=True).stdout
    assert len(plain) * 3 < len(tar)


@pytest.mark.interop
@pytest.mark.skipif(not Path("/bin/bash").exists(), reason="runs the shell's pipeline")
def test_a_bundle_repacked_by_hand_with_the_reference_tools_is_read(
        branch: Session, office: OfficeKeys, tmp_path: Path, age_bin: str, zstd_bin: str,
        tar_bin: str) -> None:
    """What a person does with the tools alone — ``age -d | zstd -d | tar x``,
    then ``tar c | zstd | age -r`` — gives a bundle the office's reader takes:
    GNU tar's headers, a frame without its size (zstd from a pipe), and a bare
    tar (as written before issue 19)."""
    from branchtool.office.opening import decrypt_file

    result = branch.bundles.export(tmp_path, Period(TODAY, TODAY))
    key = tmp_path / "office-key.txt"
    key.write_text(office.identity + "\n")
    work = tmp_path / "x"
    work.mkdir()
    q = shlex.quote
    subprocess.run(f"set -o pipefail; {q(age_bin)} -d -i {q(str(key))} {q(str(result.path))}"
                   f" | {q(zstd_bin)} -d | {q(tar_bin)} x", shell=True, executable="/bin/bash",
                   cwd=work, check=True)
    original = (work / "bundle.json").read_bytes()
    identity = age.X25519Identity.parse(office.identity)
    recipient = age.identity_to_recipient(office.identity)
    for compress in (f"| {q(zstd_bin)} -q -19 ", ""):
        again = tmp_path / ("again.zst.age" if compress else "again.tar.age")
        subprocess.run(f"set -o pipefail; {q(tar_bin)} --format=ustar -c bundle.json "
                       f"bundle.json.minisig {compress}| {q(age_bin)} -r {recipient} "
                       f"-o {q(str(again))}", shell=True, executable="/bin/bash", cwd=work,
                       check=True)
        tar, _size, _sha = decrypt_file(again, identity, fmt.MAX_FILE)
        json_bytes, signature = fmt.unpack_tar(tar)
        assert json_bytes == original
        assert signature == (work / "bundle.json.minisig").read_text()


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
    from branchtool.bundles.kinds import kinds

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


# -- content: what the secretary chooses to send ------------------------------------------------
def _propose_deeds(branch: Session) -> list[str]:
    """The demo's deeds are drafts: mark them for reporting (拟上报)."""
    ids = [doc["id"] for doc in branch.deeds.all()]
    assert ids
    for deed_id in ids:
        branch.deeds.set_status(deed_id, "proposed")
    return ids


def test_by_default_everything_is_sent_and_named_in_the_content(
    branch: Session, office: OfficeKeys, tmp_path: Path
) -> None:
    from branchtool.bundles.kinds import choose, groups, kinds

    every = [kind.name for kind in kinds()]
    assert choose().kinds == tuple(every) and choose().everything
    assert [g.name for g in groups()] == ["roster", "watch", "care", "tasks", "records", "deeds"]
    assert sorted(k for g in groups() for k in g.kinds) == sorted(every)  # each kind once
    period = Period(TODAY - dt.timedelta(days=6), TODAY)
    doc = fmt.decode(_plaintext(branch.bundles.export(tmp_path, period).path, office))
    assert doc["content"] == every
    assert sorted(doc["data"]) == sorted(doc["counts"]) == sorted(every)  # keys sorted
    assert branch.bundles.outbox()[0]["content"] == every
    preview = branch.bundles.preview(period)
    assert list(preview.counts) == every and preview.content.left_out() == []


def test_a_content_choice_filters_the_preview_the_data_and_the_reports(
    branch: Session, office: OfficeKeys, tmp_path: Path
) -> None:
    from branchtool.bundles import sending

    _propose_deeds(branch)
    period = Period(TODAY - dt.timedelta(days=6), TODAY)
    everything = branch.bundles.preview(period, "standard")
    preview = branch.bundles.preview(period, "standard", content=["watch", "tasks"])
    watch = ["checkins", "contacts", "followups", "alerts", "watch_settings", "notices",
             "relays", "daily_reports"]
    assert list(preview.counts) == [*watch, "tasks"]
    assert {k: everything.counts[k] for k in preview.counts} == preview.counts
    assert set(preview.withheld) == set(preview.counts)
    # the care, records and deeds reports stay home with their records; the
    # daily and weekly reports always travel
    kinds_of = {name.split("/")[0] for name in preview.reports}
    assert {"daily", "weekly"} <= kinds_of and not kinds_of & {"care", "records", "deeds"}
    assert {"care", "records", "deeds"} <= {n.split("/")[0] for n in everything.reports}
    assert preview.deeds_to_report == 0 and everything.deeds_to_report > 0
    view = sending.describe(preview)
    assert [line.name for line in view.sections] == [*watch, "tasks"]
    assert view.left_out == ["花名册", "帮扶（帮扶对象、走访记录）", "党员表现记实", "先进典型事迹"]

    result = branch.bundles.export(tmp_path, period, "standard", content=["tasks", "watch"])
    doc = fmt.decode(_plaintext(result.path, office))
    assert doc["content"] == [*watch, "tasks"]  # in registry order, whatever the order asked
    assert sorted(doc["data"]) == sorted(doc["counts"]) == sorted(doc["content"])
    assert sorted(doc["reports"]) == sorted(preview.reports)
    assert set(doc["figures"]) == set(branch.bundles.build(period, "standard")[0]["figures"])
    assert result.deeds_reported == 0  # the deeds stayed home: still to report
    assert len(branch.deeds.for_reporting()) == everything.deeds_to_report
    # counts only, with a choice: counts of what is chosen, no records
    doc = fmt.decode(_plaintext(branch.bundles.export(tmp_path, period, "counts",
                                                      content=["roster"]).path, office))
    assert doc["content"] == ["roster"] and doc["data"] == {"roster": []}
    assert doc["counts"] == {"roster": everything.counts["roster"]}


def test_an_unknown_or_empty_content_is_one_sentence(branch: Session, tmp_path: Path) -> None:
    period = Period(TODAY, TODAY)
    with pytest.raises(UserError) as err:
        branch.bundles.preview(period, content=["roster", "salaries"])
    assert err.value.key == "export.bad_content"
    assert err.value.message() == ("没有名为“salaries”的上报内容，可选：roster, watch, care, "
                                   "tasks, records, deeds。")
    for call in (lambda: branch.bundles.preview(period, content=[]),
                 lambda: branch.bundles.export(tmp_path, period, content=())):
        with pytest.raises(UserError) as err:
            call()
        assert err.value.message() == "请至少选择一项上报内容。"
    assert list(tmp_path.iterdir()) == [tmp_path / "branch"] and branch.bundles.outbox() == []


def test_the_schema_takes_bundles_with_and_without_content(
    branch: Session, office: OfficeKeys, tmp_path: Path
) -> None:
    doc, _ = branch.bundles.build(Period(TODAY, TODAY), "standard", content=["roster"])
    assert fmt.decode(fmt.encode(doc))["content"] == ["roster"]
    old = dict(doc)
    del old["content"]  # a bundle written before the choice existed
    assert fmt.carried_kinds(fmt.decode(fmt.encode(old))) == ["roster"]
    for content in ([], ["roster", "roster"], "roster", [1], ["no such/kind"], ["tasks"]):
        with pytest.raises(fmt.BundleRejected) as err:
            fmt.decode(fmt.encode({**doc, "content": content}))
        assert err.value.params == {"field": "content"}, content


# -- deeds: reported once a bundle carried their stories -----------------------------------------
@pytest.mark.parametrize("redaction", ["full", "standard"])
def test_deeds_sent_become_reported_in_one_batch(
    branch: Session, office: OfficeKeys, tmp_path: Path, redaction: str
) -> None:
    ids = _propose_deeds(branch)
    period = Period(TODAY, TODAY)
    assert branch.bundles.preview(period, redaction).deeds_to_report == len(ids)
    frames = branch.vault.store._journal_frames
    result = branch.bundles.export(tmp_path, period, redaction)
    assert branch.vault.store._journal_frames == frames + 2  # the outbox, then the deeds
    assert result.deeds_reported == len(ids) and result.warning is None
    assert branch.deeds.for_reporting() == []
    assert {branch.deeds.get(i)["status"] for i in ids} == {"reported"}
    assert branch.bundles.outbox()[0]["deeds"] == sorted(
        ids, key=lambda i: branch.deeds.get(i)["date"])
    doc = branch.bundles.open_sent(result.path)
    material = next(text for name, text in doc["reports"].items() if name.startswith("deeds/"))
    for deed_id in ids:
        assert branch.deeds.get(deed_id)["title"] in material
    # sent once: the next bundle carries no deeds material and marks nothing
    again = branch.bundles.export(tmp_path, period, redaction)
    assert again.deeds_reported == 0
    assert not any(n.startswith("deeds/") for n in branch.bundles.open_sent(again.path)["reports"])


@pytest.mark.parametrize("how", ["counts", "left_out"])
def test_deeds_not_sent_stay_marked_for_reporting(
    branch: Session, tmp_path: Path, how: str
) -> None:
    ids = _propose_deeds(branch)
    period = Period(TODAY, TODAY)
    redaction, content = ("counts", None) if how == "counts" else (
        "standard", ["roster", "watch", "care", "tasks", "records"])
    assert branch.bundles.preview(period, redaction, content).deeds_to_report == 0
    result = branch.bundles.export(tmp_path, period, redaction, content=content)
    assert result.deeds_reported == 0
    assert [d["id"] for d in branch.deeds.for_reporting()] == sorted(
        ids, key=lambda i: branch.deeds.get(i)["date"])
    assert branch.bundles.outbox()[0]["deeds"] == []


def test_a_failure_to_mark_the_deeds_leaves_the_bundle_standing(
    branch: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage.errors import StorageError

    ids = _propose_deeds(branch)

    def fail(deed_ids: object) -> int:
        raise StorageError("storage.write_failed", reason="ENOSPC")

    monkeypatch.setattr(branch.deeds, "mark_reported", fail)
    result = branch.bundles.export(tmp_path, Period(TODAY, TODAY))
    assert result.path.exists() and result.deeds_reported == 0
    assert [s["sequence"] for s in branch.bundles.outbox()] == [1]
    assert result.warning is not None and result.warning.key == "export.deeds_not_marked"
    assert "仍是“拟上报”" in result.warning.message()
    assert branch.bundles.open_sent(result.path)["sequence"] == 1  # valid as written
    assert len(branch.deeds.for_reporting()) == len(ids)  # they travel again next time
    monkeypatch.undo()
    assert branch.bundles.export(tmp_path, Period(TODAY, TODAY)).deeds_reported == len(ids)


def test_a_deed_changed_back_to_a_draft_meanwhile_is_left_alone(branch: Session) -> None:
    first, *others = _propose_deeds(branch)
    branch.deeds.set_status(first, "draft")
    assert branch.deeds.mark_sent([first, *others, *others]) == others
    assert branch.deeds.get(first)["status"] == "draft"
    assert branch.deeds.mark_sent([first]) == []


def test_a_bundle_carries_the_corrections_of_earlier_days(branch: Session, office: OfficeKeys,
                                                           tmp_path: Path) -> None:
    """Records filed by day changed since the last bundle travel with the next
    one at its redaction level, with their day's figures; a record of a day
    after the period waits for its own bundle; the first bundle, having no
    "last", sends its period only."""
    earlier, yesterday = TODAY - dt.timedelta(days=3), TODAY - dt.timedelta(days=1)
    first = open_bundle(branch.bundles.export(tmp_path, Period(yesterday, yesterday)).path,
                        office, branch)
    assert {r["date"] for r in first["data"]["checkins"]} == {yesterday.isoformat()}
    person = next(iter(branch.health.day(earlier)))
    branch.health.record(earlier, person, {"temperature": "38.6", "note": "复测"})
    second = open_bundle(branch.bundles.export(tmp_path, Period(yesterday, yesterday)).path,
                         office, branch)
    [corrected] = [r for r in second["data"]["checkins"] if r["date"] == earlier.isoformat()]
    assert corrected["temperature"] == "38.6" and "note" not in corrected  # standard level
    assert not any(r["date"] == TODAY.isoformat() for r in second["data"]["checkins"])
    assert second["counts"]["checkins"] == len(second["data"]["checkins"])
    days = second["figures"]["health"]["days"]
    assert sorted(days) == [earlier.isoformat(), yesterday.isoformat()]
    assert days[earlier.isoformat()] == first_figures(branch, earlier)
    # nothing changed since: the next bundle is its period again
    third = open_bundle(branch.bundles.export(tmp_path, Period(yesterday, yesterday)).path,
                        office, branch)
    assert {r["date"] for r in third["data"]["checkins"]} == {yesterday.isoformat()}
    # at the counts level the figures still carry the corrected day
    branch.health.record(earlier, person, {"temperature": "36.5"})
    counts = open_bundle(branch.bundles.export(tmp_path, Period(yesterday, yesterday),
                                               "counts").path, office, branch)
    assert counts["data"]["checkins"] == [] and counts["counts"]["checkins"] == len(
        third["data"]["checkins"]) + 1
    assert earlier.isoformat() in counts["figures"]["health"]["days"]


def first_figures(branch: Session, day: dt.date) -> dict:
    from branchtool.reports.figures import health

    return health(branch, Period(day, day))["days"][day.isoformat()]

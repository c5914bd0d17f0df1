"""The import pipeline on the service: order within a run, gaps, duplicates,
one journal frame per run, changes after reporting, failures that write
nothing; and what the dashboard makes of it."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from branchtool.bundles import providers
from branchtool.bundles.kinds import kinds
from branchtool.errors import UserError
from branchtool.office.service import OfficeService
from branchtool.period import Period
from branchtool.session import Session
from tests.officekit import TODAY, TZ, Clock, enrol, export, make_branch, make_office
from tests.storekit import FaultyIO


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def office(tmp_path: Path, clock: Clock) -> OfficeService:
    service = make_office(tmp_path / "office", clock)
    yield service
    service.vault.close()


@pytest.fixture
def a(tmp_path: Path, office: OfficeService) -> Session:
    session = make_branch(tmp_path / "a", "A1", "第一党支部", office, people=12, seed=1)
    enrol(office, session)
    yield session
    session.lock()


@pytest.fixture
def b(tmp_path: Path, office: OfficeService) -> Session:
    session = make_branch(tmp_path / "b", "B2", "第二党支部", office, people=9, seed=2)
    enrol(office, session)
    yield session
    session.lock()


def verdicts(results: list) -> list[tuple]:
    return [(r.branch, r.sequence, r.verdict, r.reason) for r in results]


def test_a_run_takes_each_branch_in_sequence_order_and_flags_gaps(
    office: OfficeService, a: Session, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    one, _, three = (export(a, usb) for _ in range(3))
    results = office.import_paths([three, one])
    assert verdicts(results) == [("A1", 3, "accepted", None), ("A1", 1, "accepted", None)]
    assert results[0].missing == [2] and "2" in results[0].message()
    assert office.trust.require("A1")["missing"] == [2]
    assert office.overview(TODAY).rows[0].missing == [2]
    assert verdicts(office.import_paths([one])) == [("A1", 1, "duplicate", None)]


def test_one_run_is_one_journal_frame(office: OfficeService, a: Session, b: Session,
                                      tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    files = [export(a, usb), export(a, usb), export(b, usb)]
    before = office.vault.store.seq
    results = office.import_paths([usb])
    assert [r.verdict for r in results] == ["accepted"] * 3
    assert office.vault.store.seq == before + 1
    assert office.vault.verify_history().ok and office.vault.check() == []
    # the same files again, and one twice in one run: no-ops, nothing written
    again = office.import_paths([*files, files[0]])
    assert [r.verdict for r in again] == ["duplicate"] * 4
    assert office.vault.store.seq == before + 1


def test_a_rejection_among_good_files_keeps_the_good_ones(
    office: OfficeService, a: Session, b: Session, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    good = export(a, usb)
    bad = usb / "B2-000001-20261120.bundle.age"
    export(b, tmp_path / "elsewhere").rename(bad)
    bad.write_bytes(bad.read_bytes()[:-1])
    results = office.import_paths([usb])
    assert verdicts(results) == [  # the damaged file's branch: what its name says
        ("A1", 1, "accepted", None), ("B2", 1, "rejected", "truncated")]
    assert results[1].claimed and results[1].day == TODAY.isoformat()
    assert bad.exists() and good.exists()


def test_changes_after_reporting_are_flagged_with_old_and_new_values(
    office: OfficeService, a: Session, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    office.import_paths([export(a, usb)])
    people = list(a.roster.people())
    edited, removed = people[0], people[1]
    a.roster.edit(edited.id, {"unit": "报告后更正"})
    a.vault.partition("roster").remove(removed.id)
    [result] = office.import_paths([export(a, usb)])
    assert result.changes == 2
    changes = {c["record"]: c for c in office.changes("A1")}
    update = changes[edited.id]
    assert (update["kind"], update["op"], update["sequence"]) == ("roster", "update", 2)
    assert update["fields"]["unit"] == [edited["unit"], "报告后更正"]
    assert set(update["fields"]) <= {"unit", "updated_at"}
    assert update["new_known"] and update["time"]
    gone = changes[removed.id]
    assert (gone["op"], gone["fields"]["name"]) == ("remove", [removed["name"], None])
    held = {r["id"] for r in office.latest_records("A1", "roster")}
    assert edited.id in held and removed.id not in held
    row = office.overview(TODAY).rows[0]
    assert (row.changes_last, row.changes_total) == (2, 2)


def test_a_lower_redaction_level_is_not_a_change(office: OfficeService, a: Session,
                                                  tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    office.import_paths([export(a, usb, redaction="full")])
    [result] = office.import_paths([export(a, usb, redaction="standard")])
    assert (result.verdict, result.changes) == ("accepted", 0)
    [result] = office.import_paths([export(a, usb, redaction="counts")])
    assert (result.verdict, result.changes) == ("accepted", 0)
    assert len(office.latest_records("A1", "roster")) == 12


def test_nothing_is_written_when_the_run_is_cancelled_or_the_disk_fails(
    office: OfficeService, a: Session, tmp_path: Path
) -> None:
    path = export(a, tmp_path / "usb")
    before = office.vault.store.seq
    with pytest.raises(UserError) as err:
        office.import_paths([path], cancelled=lambda: True)
    assert err.value.key == "office.import.cancelled"
    store = office.vault.store
    io, store.io = store.io, FaultyIO()
    store.io.fail = "fsync"
    with pytest.raises(UserError) as err:
        office.import_paths([path])
    assert err.value.message()
    store.io = io
    assert office.vault.store.seq == before
    assert office.trust.require("A1")["last"] is None
    assert [r.verdict for r in office.import_paths([path])] == ["accepted"]


def test_the_size_cap_is_a_setting(office: OfficeService, a: Session, tmp_path: Path) -> None:
    path = export(a, tmp_path / "usb")
    office.save_settings(max_size=1000, deadline="08:00")
    [result] = office.import_paths([path])
    assert (result.reason, result.params) == ("too_large", {"limit": "1000 B"})
    assert "1000 B" in result.message()
    assert office.settings().deadline == "08:00"
    with pytest.raises(UserError):
        office.save_settings(deadline="25:00")


def _health(days: dict[str, dict[str, int]]):  # a figures provider for the tests
    return lambda session, period: {"days": {d: v for d, v in days.items()
                                             if period.contains(d)}}


def test_on_time_zero_report_totals_and_rates(
    office: OfficeService, a: Session, b: Session, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    kinds()  # the areas register their providers first; the test replaces one
    day = TODAY.isoformat()
    quiet = {"expected": 12, "reported": 12, "fever": 0, "symptom": 0, "risk": 0,
             "observation": 0, "quarantine": 0}
    warm = {**quiet, "expected": 9, "reported": 8, "fever": 1}
    monkeypatch.setitem(providers.FIGURES, "health", _health({day: quiet}))
    # A1 sends at 09:00 Beijing time (01:00 UTC), B2 at 10:00: after the 09:30 deadline
    monkeypatch.setattr("branchtool.bundles.export.utc_now",
                        lambda: f"{day}T01:00:00.000Z")
    usb = tmp_path / "usb"
    export(a, usb)
    monkeypatch.setitem(providers.FIGURES, "health", _health({day: warm}))
    monkeypatch.setattr("branchtool.bundles.export.utc_now",
                        lambda: f"{day}T02:00:00.000Z")
    export(b, usb)
    office.import_paths([usb])
    view = office.overview(TODAY)
    rows = {r.code: r for r in view.rows}
    assert (rows["A1"].reported, rows["A1"].on_time, rows["A1"].zero) == (True, True, True)
    assert (rows["B2"].reported, rows["B2"].on_time, rows["B2"].zero) == (True, False, False)
    assert view.totals.health["expected"] == 21 and view.totals.health["fever"] == 1
    assert view.totals.checkin_coverage == pytest.approx(20 / 21)
    assert (view.totals.reported, view.totals.on_time, view.totals.zero) == (2, 1, 1)
    # enrolled today: one day owed each in both windows
    assert [(r.days, r.expected, r.received, r.on_time) for r in view.rates] == [
        (14, 2, 2, 1), (30, 2, 2, 1)]
    tomorrow = office.overview(TODAY + dt.timedelta(days=1))
    assert [r.reported for r in tomorrow.rows] == [False, False]
    assert [(r.expected, r.received) for r in tomorrow.rates] == [(4, 2), (4, 2)]
    office.save_settings(deadline="10:30")
    assert all(r.on_time for r in office.overview(TODAY).rows)


def test_the_office_time_zone_decides_the_deadline(office: OfficeService, a: Session,
                                                   tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("branchtool.bundles.export.utc_now",
                        lambda: f"{TODAY.isoformat()}T01:20:00.000Z")  # 09:20 in UTC+8
    office.import_paths([export(a, tmp_path / "usb")])
    assert office.overview(TODAY).rows[0].on_time
    office.tz = dt.timezone(dt.timedelta(hours=9))  # 10:20 there
    assert not office.overview(TODAY).rows[0].on_time
    office.tz = TZ


def test_drilling_into_a_branch(office: OfficeService, a: Session, tmp_path: Path) -> None:
    path = export(a, tmp_path / "usb")
    sent = a.bundles.open_sent(path)
    office.import_paths([path])
    latest = office.latest_bundle("A1")
    assert latest is not None and latest["reports"] == sent["reports"]
    assert latest["figures"] == sent["figures"] and latest["sequence"] == 1
    assert [b["sequence"] for b in office.bundles_of("A1")] == [1]
    assert len(office.latest_records("A1", "roster")) == len(sent["data"]["roster"])


def test_the_office_core_does_not_import_textual() -> None:
    code = ("import sys, branchtool.office.service, branchtool.office.summary, "
            "branchtool.cli.office_cmds, branchtool.cli.receipt_cmds; "
            "assert 'textual' not in sys.modules, 'textual imported'")
    subprocess.run([sys.executable, "-c", code], check=True,
                   cwd=Path(__file__).resolve().parent.parent)


def test_a_new_timestamp_alone_is_not_a_change() -> None:
    from branchtool.office.changes import diff

    old = {"id": "x", "notes": "a", "updated_at": "2026-11-20T01:00:00Z"}
    assert diff(old, {**old, "updated_at": "2026-11-20T02:00:00Z"}, True) == {}
    assert diff(old, {**old, "notes": "b", "updated_at": "t"}, True) == {
        "notes": ["a", "b"], "updated_at": ["2026-11-20T01:00:00Z", "t"]}
    assert diff(old, {"id": "x", "notes": "a"}, False) == {}


def test_a_check_in_corrected_after_reporting(office: OfficeService, a: Session,
                                              tmp_path: Path) -> None:
    """Check-ins are filed by day: a correction to a day already reported
    travels, with its new values, in the next bundle whatever its period, and
    the office counts that day again."""
    assert "checkins" in {k.name for k in kinds()}
    usb = tmp_path / "usb"
    yesterday = TODAY - dt.timedelta(days=1)
    office.import_paths([export(a, usb, day=yesterday)])
    before = office.overview(yesterday).rows[0].health
    sheet = a.health.day(yesterday)
    person, old = next((p, c) for p, c in sheet.items()
                       if not c.get("symptoms") and c.get("temperature", "36") < "37")
    a.health.record(yesterday, person, {"temperature": "37.9", "symptoms": "fever"})
    today_person = next(iter(a.health.day(TODAY)))
    a.health.record(TODAY, today_person, {"temperature": "39.1"})
    assert a.bundles.preview(Period(TODAY, TODAY)).revised == {"checkins": 1}
    [result] = office.import_paths([export(a, usb)])  # today only
    assert result.verdict == "accepted"
    [late] = [c for c in office.changes("A1") if c["record"] == f"{yesterday}:{person}"]
    assert late["op"] == "update" and late["new_known"]
    assert late["fields"]["temperature"] == [old["temperature"], "37.9"]
    assert late["fields"]["symptoms"] == [None, "fever"]
    held = {r["id"]: r for r in office.latest_records("A1", "checkins", [f"{TODAY:%Y-%m}"])}
    assert held[f"{yesterday}:{person}"]["temperature"] == "37.9"
    assert {r["date"] for r in held.values()} == {yesterday.isoformat(), TODAY.isoformat()}
    after = office.overview(yesterday).rows[0].health
    assert (after["fever"], after["symptom"]) == (before["fever"] + 1, before["symptom"] + 1)
    assert after["reported"] == before["reported"]


def _chain(count: int) -> list[dict]:
    from storage.history import GENESIS, make_entry

    entries, prev = [], GENESIS
    for seq in range(1, count + 1):
        entry = make_entry(seq, f"2026-11-20T00:00:{seq:02d}.000Z", "roster", f"r{seq % 4}",
                           ("insert", "update", "remove")[seq % 3], "ab" * 32, prev)
        entries.append(entry)
        prev = entry["entry"]
    return entries


@pytest.mark.parametrize("tamper", ["none", "seq", "prev", "op", "hash", "entry", "drop",
                                    "extra_key", "no_entry"])
def test_the_office_walks_a_chain_as_the_store_verifies_it(tamper: str) -> None:
    from branchtool.office.checks import walk_chain
    from storage.history import GENESIS, verify_chain

    entries = _chain(12)
    victim = entries[5]
    if tamper == "seq":
        victim["seq"] = 99
    elif tamper == "prev":
        victim["prev"] = "0" * 64
    elif tamper == "op":
        victim["op"] = "rewrite"
    elif tamper == "hash":
        victim["hash"] = "cd" * 32
    elif tamper == "entry":
        victim["entry"] = "ef" * 32
    elif tamper == "drop":
        del entries[5]
    elif tamper == "extra_key":
        victim["note"] = "x"
    elif tamper == "no_entry":
        del victim["entry"]
    report = verify_chain(entries, 0, GENESIS)
    broken, hashes, last_op = walk_chain(entries, 0, GENESIS)
    assert broken == report.broken_at
    if report.ok:
        assert hashes[-1] == report.head_hash and len(hashes) == report.head_seq
        last = [e for e in entries if e["record"] == "r1"][-1]
        assert last_op["r1"] == ("roster", last["op"], last["time"])


@pytest.mark.parametrize("record", ["r", "a},{b", '"},{"', "x}", "{y", "},{},{"])
@pytest.mark.parametrize("tamper", ["none", "nested", "hash", "link"])
def test_the_office_walks_odd_chains_as_the_store_verifies_them(record: str, tamper: str) -> None:
    """Whatever the entries' text (braces inside a string, a nested value
    added after hashing, an entry that travels as its link only), the
    office's verdict on a chain is the store's own ``verify_chain``'s."""
    from branchtool.office import checks
    from storage.history import GENESIS, make_entry, verify_chain

    entries, prev = [], GENESIS
    for seq in range(1, 9):
        entry = make_entry(seq, f"2026-11-20T00:00:{seq:02d}.000Z", "roster",
                           record if seq % 2 else f"r{seq}", "update", "ab" * 32, prev)
        entries.append(entry)
        prev = entry["entry"]
    if tamper == "nested":
        entries[4]["note"] = [{}, {"k": "},{"}, {}]
    elif tamper == "hash":
        entries[6]["hash"] = "cd" * 32
    elif tamper == "link":
        entries[2] = {k: entries[2][k] for k in ("seq", "prev", "entry")}
    report = verify_chain(entries, 0, GENESIS, links=True)
    broken, hashes, last_op = checks.walk_chain(entries, 0, GENESIS)
    assert broken == report.broken_at
    assert hashes == [e["entry"] for e in entries][:len(hashes)]
    if report.ok:
        assert (len(hashes), hashes[-1]) == (report.head_seq, report.head_hash)
        assert last_op[record] == ("roster", "update", entries[6]["time"])


def test_an_alert_going_its_course_is_not_a_change(office: OfficeService, a: Session,
                                                   tmp_path: Path) -> None:
    """An alert's episode growing by a day, or being handled, is how alerts
    live, not a correction of what was reported."""
    usb = tmp_path / "usb"
    office.import_paths([export(a, usb)])
    alert = next(doc for doc in a.vault.partition("alerts").all() if doc["status"] == "open")
    a.vault.partition("alerts").update(alert["id"], {"status": "handled", "note": "已复测"})
    person = next(iter(a.roster.people()))
    a.roster.edit(person.id, {"unit": "更正后的班级"})
    [result] = office.import_paths([export(a, usb)])
    assert result.changes == 1
    assert [c["kind"] for c in office.changes("A1")] == ["roster"]
    held = {d["id"]: d for d in office.latest_records("A1", "alerts")}
    assert held[alert["id"]]["status"] == "handled"  # what the office holds follows

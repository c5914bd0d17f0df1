"""A missing sequence arriving late: it fills its gap when the chain proves
it is the file the branch sent there, never overwrites what a later file
sent, and anything else older stays refused (issue 22, item 2)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import orjson
import pytest

from branchtool.bundles import format as fmt
from branchtool.office.checks import link_id
from branchtool.office.model import GAPS
from branchtool.office.receipts import make_receipt
from branchtool.office.service import OfficeService
from branchtool.session import Session
from storage import age
from tests.make_hostile_bundles import seal
from tests.officekit import TODAY, Clock, enrol, export, make_branch, make_office


@pytest.fixture
def office(tmp_path: Path) -> OfficeService:
    service = make_office(tmp_path / "office", Clock())
    yield service
    service.vault.close()


@pytest.fixture
def a(tmp_path: Path, office: OfficeService) -> Session:
    session = make_branch(tmp_path / "a", "A1", "第一党支部", office, people=10, days=5, seed=1)
    enrol(office, session)
    yield session
    session.lock()


def verdicts(results: list) -> list[tuple]:
    return [(r.branch, r.sequence, r.verdict, r.reason) for r in results]


def day(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=4 - n)


def missing_in_receipt(office: OfficeService) -> list[int]:
    signed = orjson.loads(make_receipt(office.vault, office.trust.require("A1"), "now"))
    return orjson.loads(signed["receipt"])["missing"]


def test_a_late_file_fills_its_gap(office: OfficeService, a: Session, tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    files = {n: export(a, usb, day=day(n)) for n in (1, 2, 3, 4)}
    office.import_paths([files[1]])
    assert verdicts(office.import_paths([files[2], files[4]])) == [
        ("A1", 2, "accepted", None), ("A1", 4, "accepted", None)]
    assert office.trust.require("A1")["missing"] == [3] == missing_in_receipt(office)
    assert not office.overview(day(3)).rows[0].reported
    [result] = office.import_paths([files[3]])
    assert (result.verdict, result.filled) == ("accepted", True)
    assert "3" in result.message()
    branch = office.trust.require("A1")
    assert branch["missing"] == [] == missing_in_receipt(office)
    assert [seq for seq, _, _ in branch["accepted"]] == [1, 2, 3, 4]
    assert branch["last"]["sequence"] == 4  # the later file stays the last
    row = office.overview(day(3)).rows[0]
    assert row.reported and row.health is not None
    assert {r["date"] for r in office.latest_records("A1", "checkins", [f"{TODAY:%Y-%m}"])} \
        >= {day(n).isoformat() for n in (1, 2, 3, 4)}
    assert office.vault.partition(GAPS).all() == []  # nothing kept once the gap is filled
    assert verdicts(office.import_paths([files[3]])) == [("A1", 3, "duplicate", None)]


def test_an_old_file_that_is_not_missing_is_still_a_rollback(
    office: OfficeService, a: Session, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    first = export(a, usb, day=day(1))
    office.import_paths([first])
    doc = a.bundles.open_sent(first)
    office.import_paths([export(a, usb, day=day(2))])
    replay = tmp_path / "replay.bundle.age"
    replay.write_bytes(seal({**doc, "bundle_id": "OTHERID", "created": "2026-11-21T00:00:00Z"},
                            a.vault.sign, [office.vault.recipient]))
    assert verdicts(office.import_paths([replay])) == [("A1", 1, "rejected", "rollback")]


def test_a_file_the_chain_does_not_prove_is_refused(office: OfficeService, a: Session,
                                                    tmp_path: Path) -> None:
    """A #3 signed by the branch but not the one #4 follows (a copy from a
    restored backup, say) is refused; the genuine one then fills the gap."""
    usb = tmp_path / "usb"
    files = {n: export(a, usb, day=day(n)) for n in (1, 2, 3, 4)}
    office.import_paths([files[1], files[2], files[4]])
    doc = a.bundles.open_sent(files[3])
    doc["data"]["roster"] = doc["data"]["roster"][1:]
    fork = tmp_path / "fork.bundle.age"
    fork.write_bytes(seal(doc, a.vault.sign, [office.vault.recipient]))
    assert verdicts(office.import_paths([fork])) == [("A1", 3, "rejected", "chain")]
    assert office.trust.require("A1")["missing"] == [3]
    assert [r.verdict for r in office.import_paths([files[3]])] == ["accepted"]


def test_a_long_gap_fills_in_order_or_waits_for_a_neighbour(
    office: OfficeService, a: Session, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    files = {n: export(a, usb, day=day(n)) for n in (1, 2, 3, 4, 5)}
    office.import_paths([files[1], files[5]])
    assert office.trust.require("A1")["missing"] == [2, 3, 4]
    [lonely] = office.import_paths([files[3]])
    assert (lonely.verdict, lonely.reason) == ("rejected", "gap_unlinked")
    assert "2" in lonely.message() and "4" in lonely.message()
    results = office.import_paths([files[4], files[3], files[2]])
    assert [r.verdict for r in results] == ["accepted"] * 3 and all(r.filled for r in results)
    assert office.trust.require("A1")["missing"] == []
    # with a gap open, the office keeps the links it needs, and only those
    office.import_paths([export(a, usb)])  # 6
    assert office.vault.partition(GAPS).all() == []


def test_a_late_file_never_overwrites_what_a_later_one_sent(
    office: OfficeService, a: Session, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    people = list(a.roster.people())
    one = export(a, usb, day=day(1))
    two = export(a, usb, day=day(2))
    # after #2: a check-in of day 1 corrected (travels in #3), then a person's
    # unit changed after #3 (travels in #4, the newer value)
    corrected = next(iter(a.health.day(day(1))))
    a.health.record(day(1), corrected, {"temperature": "38.8"})
    three = export(a, usb, day=day(3))
    a.roster.edit(people[0].id, {"unit": "新的班级"})
    a.health.record(day(1), corrected, {"temperature": "39.2"})
    four = export(a, usb, day=day(4))
    office.import_paths([one, two, four])
    link = office.vault.partition(GAPS).get(link_id("A1", 4))
    assert link is not None and people[0].id in link["touched"]
    [result] = office.import_paths([three])
    assert result.filled
    roster = {p["id"]: p for p in office.latest_records("A1", "roster")}
    assert roster[people[0].id]["unit"] == "新的班级"
    held = {r["id"]: r for r in office.latest_records("A1", "checkins", [f"{TODAY:%Y-%m}"])}
    assert held[f"{day(1)}:{corrected}"]["temperature"] == "39.2"
    # the day #3 reported is there, with #3's figures
    sent = a.bundles.open_sent(three)
    assert office.trust.require("A1")["health"][day(3).isoformat()] == {
        k: v for k, v in sent["figures"]["health"]["days"][day(3).isoformat()].items()
        if k in ("expected", "reported", "fever", "symptom", "risk", "observation",
                 "quarantine")}
    # day 1's figures stay #4's (the newest correction)
    four_days = a.bundles.open_sent(four)["figures"]["health"]["days"]
    assert office.trust.require("A1")["health"][day(1).isoformat()]["fever"] == \
        four_days[day(1).isoformat()]["fever"]


def test_a_tampered_late_file_changes_nothing(office: OfficeService, a: Session,
                                              tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    files = {n: export(a, usb, day=day(n)) for n in (1, 2, 3)}
    office.import_paths([files[1], files[3]])
    before = office.trust.require("A1")
    plain = age.decrypt(files[2].read_bytes(), [a.vault.identity])
    json_bytes, signature = fmt.unpack(plain)
    doc = orjson.loads(json_bytes)
    doc["branch"]["name"] = "另一个名字"
    bad = tmp_path / "bad.bundle.age"
    bad.write_bytes(age.encrypt(fmt.pack(fmt.encode(doc), signature, 0),
                                [office.vault.recipient]))
    [result] = office.import_paths([bad])
    assert (result.verdict, result.reason) == ("rejected", "signature")
    assert office.trust.require("A1") == before

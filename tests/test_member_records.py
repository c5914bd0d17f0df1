"""Members' records: validation, links to tasks, views and the period summary."""

# ruff: noqa: F811  (pytest fixtures imported from fixtures_app)
from __future__ import annotations

import datetime as dt

import pytest
from fixtures_app import chinese, person, roster, session, vault_dir  # noqa: F401
from rowtexts import texts

from branchtool.records.fields import InvalidRecord
from branchtool.records.member_record import MEMBER_RECORD
from branchtool.services.member_records import RecordQuery
from branchtool.services.roster import RosterService
from branchtool.session import Session


@pytest.fixture
def members(roster: RosterService) -> list[str]:
    return [roster.add(person(name, category="staff", stage="member"))
            for name in ("王书记", "李党员", "张党员")]


def entry(members: list[str], **values: object) -> dict[str, object]:
    return {"member": members[1], "kind": "praise", "date": "2024-05-20",
            "description": "主动承担值守任务", "recorded_by": members[0], **values}


def test_an_entry_is_checked(session: Session, members: list[str]) -> None:
    records = session.member_records
    for values, expected in [
        (entry(members, kind=""), ("kind", "field.required")),
        (entry(members, kind="奖励"), ("kind", "field.choice_invalid")),
        (entry(members, description=""), ("description", "field.required")),
        (entry(members, date="2099-01-01"), ("date", "care.check.future")),
        (entry(members, recorded_by=""), ("recorded_by", "field.required")),
        (entry(members, tasks=["NOSUCHTASK"]), ("tasks", "ref.task_missing")),
    ]:
        with pytest.raises(InvalidRecord) as exc:
            records.add(values)
        problem = exc.value.problems[0]
        assert (problem.field, problem.key) == expected
    # kinds are read in either language
    assert MEMBER_RECORD.clean(entry(members, kind="问责"))[0]["kind"] == "accountability"
    assert MEMBER_RECORD.clean(entry(members, kind="Exemplary deed"))[0]["kind"] == "deed"


def test_entries_link_to_tasks(session: Session, members: list[str]) -> None:
    task_id = session.tasks.add({"title": "值守", "assignees": [members[1]], "due": "2024-06-02"})
    records = session.member_records
    record_id = records.add(entry(members, tasks=[task_id]))
    assert [r.id for r in records.for_task(task_id)] == [record_id]
    assert texts(records.query()[0]) == ("2024年5月20日", "李党员", "表扬", "1", "王书记")
    # A task deleted later does not block editing the entry.
    session.tasks.delete(task_id)
    records.edit(record_id, {"description": "主动承担值守任务，表现突出"})


def test_an_archived_member_cannot_get_a_new_entry(
        session: Session, roster: RosterService, members: list[str]) -> None:
    records = session.member_records
    old = records.add(entry(members))
    roster.archive(members[1], "transferred")
    with pytest.raises(InvalidRecord) as exc:
        records.add(entry(members, kind="criticism"))
    assert exc.value.problems[0].key == "ref.person_archived"
    records.edit(old, {"kind": "deed"})


def test_views_and_summary(session: Session, members: list[str]) -> None:
    records = session.member_records
    records.add(entry(members, date="2024-04-30"))
    records.add(entry(members, date="2024-05-01", kind="deed"))
    records.add(entry(members, date="2024-05-31", kind="criticism", member=members[2]))
    records.add(entry(members, date="2024-05-15", kind="praise"))
    assert [r.doc["date"] for r in records.query()] == [
        "2024-05-31", "2024-05-15", "2024-05-01", "2024-04-30"]
    assert len(records.query(RecordQuery(kind="praise"))) == 2
    assert len(records.query(RecordQuery(text="张"))) == 1
    assert len(records.for_member(members[1])) == 3
    summary = records.summary(dt.date(2024, 5, 1), dt.date(2024, 5, 31))
    assert summary.by_kind == {"praise": 1, "deed": 1, "criticism": 1, "accountability": 0,
                               "other": 0}
    assert summary.by_member == {members[1]: {"deed": 1, "praise": 1},
                                 members[2]: {"criticism": 1}}
    assert [e["date"] for e in summary.entries] == ["2024-05-01", "2024-05-15", "2024-05-31"]
    assert records.blank()["date"] == dt.date.today().isoformat()

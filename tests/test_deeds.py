"""Exemplary deeds: validation, statuses and what feeds the report."""

# ruff: noqa: F811  (pytest fixtures imported from fixtures_app)
from __future__ import annotations

import pytest
from fixtures_app import chinese, person, roster, session, vault_dir  # noqa: F401
from rowtexts import texts

from branchtool.errors import UserError
from branchtool.records.fields import InvalidRecord
from branchtool.services.deeds import DeedQuery
from branchtool.services.roster import RosterService
from branchtool.session import Session


@pytest.fixture
def members(roster: RosterService) -> list[str]:
    return [roster.add(person(name, category="staff", stage="member"))
            for name in ("王书记", "李党员", "张党员")]


def deed(people: list[str], **values: object) -> dict[str, object]:
    return {"members": people[1:], "title": "坚守一线的战“疫”先锋", "date": "2024-05-20",
            "narrative": "疫情期间，李党员和张党员连续值守三十天……\n\n第二段。", **values}


def test_a_deed_is_checked(session: Session, roster: RosterService, members: list[str]) -> None:
    deeds = session.deeds
    for values, expected in [
        (deed(members, members=[]), ("members", "field.required")),
        (deed(members, title=""), ("title", "field.required")),
        (deed(members, narrative="", status="proposed"), ("narrative",
                                                           "deed.check.narrative_needed")),
        (deed(members, date="2099-01-01"), ("date", "care.check.future")),
    ]:
        with pytest.raises(InvalidRecord) as exc:
            deeds.add(values)
        problem = exc.value.problems[0]
        assert (problem.field, problem.key) == expected
    deeds.add(deed(members, narrative=""))  # a draft may start with a title only
    roster.archive(members[2], "left")
    with pytest.raises(InvalidRecord) as exc:
        deeds.add(deed(members))
    assert exc.value.problems[0].key == "ref.person_archived"


def test_the_narrative_keeps_its_lines(session: Session, members: list[str]) -> None:
    deed_id = session.deeds.add(deed(members))
    doc = session.deeds.get(deed_id)
    assert doc is not None and doc["narrative"].endswith("……\n\n第二段。")


def test_deeds_marked_for_reporting_feed_the_report(session: Session,
                                                    members: list[str]) -> None:
    deeds = session.deeds
    draft = deeds.add(deed(members, title="草稿"))
    second = deeds.add(deed(members, title="第二", date="2024-05-21", status="proposed"))
    first = deeds.add(deed(members, title="第一", date="2024-05-01", status="proposed"))
    assert [d["id"] for d in deeds.for_reporting()] == [first, second]
    with pytest.raises(UserError):
        deeds.mark_reported([first, draft])
    frames = session.vault.store._journal_frames
    assert deeds.mark_reported([first, second]) == 2
    assert session.vault.store._journal_frames == frames + 1
    assert deeds.for_reporting() == []
    assert [r.id for r in deeds.query(DeedQuery(status="reported"))] == [second, first]
    assert deeds.query(DeedQuery(status="reported"))[0].muted
    assert texts(deeds.query(DeedQuery(text="草"))[0]) == (
        "2024年5月20日", "草稿", "李党员、张党员", "草稿")
    assert [r.id for r in deeds.for_member(members[2])] == [second, draft, first]
    deeds.set_status(draft, "proposed")
    assert [d["id"] for d in deeds.for_reporting()] == [draft]

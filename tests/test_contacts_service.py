"""Close contacts: roster and outside people, default and extended ends, daily
follow-ups, today's agenda, and closing an observation."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

import datetime as dt

import pytest
from fixtures_app import chinese  # noqa: F401
from healthkit import NOW, TODAY, Watch, clock, reopen, watch  # noqa: F401

from branchtool.errors import UserError
from branchtool.records.fields import InvalidRecord


def day(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def test_a_roster_contact_takes_the_roster_name_and_default_dates(watch: Watch) -> None:
    contacts = watch.session.contacts
    cid = contacts.add({"exposure_date": "2024-05-25", "contact_type": "次密接",
                        "observation_type": "医学观察"}, person_id=watch.ids[0])
    doc = contacts.get(cid)
    assert (doc["name"], doc["person"], doc["contact_type"]) == ("张三", watch.ids[0],
                                                                 "secondary")
    assert (doc["start_date"], doc["end_date"]) == ("2024-05-25", "2024-06-08")
    assert contacts.person_isolation(TODAY) == {watch.ids[0]: "medical_observation"}
    assert contacts.for_person(watch.ids[0])[0]["id"] == cid


def test_an_outside_contact_needs_a_name(watch: Watch) -> None:
    contacts = watch.session.contacts
    with pytest.raises(InvalidRecord) as caught:
        contacts.add({"exposure_date": "2024-05-25"})
    assert caught.value.problems[0].field == "name"
    with pytest.raises(InvalidRecord) as caught:
        contacts.add({"name": "林秀英", "exposure_date": "2024-06-02"})
    assert caught.value.problems[0].key == "contact.check.future_exposure"
    cid = contacts.add({"name": "林秀英", "exposure_date": "2024-05-25"})
    assert contacts.outside_isolation(TODAY)[0]["id"] == cid
    assert contacts.person_isolation(TODAY) == {}


def test_an_extension_keeps_the_old_end_and_the_reason(watch: Watch) -> None:
    contacts = watch.session.contacts
    cid = contacts.add({"name": "林秀英", "exposure_date": "2024-05-20"})
    assert contacts.get(cid)["end_date"] == "2024-06-03"
    with pytest.raises(UserError) as caught:
        contacts.extend(cid, "2024-06-03", "复查")
    assert caught.value.key == "contact.extend.not_later"
    with pytest.raises(InvalidRecord):
        contacts.extend(cid, "2024-06-10", "")
    doc = contacts.extend(cid, "2024-06-10", "同住家属新近确诊")
    assert doc["end_date"] == "2024-06-10"
    assert doc["extensions"] == [{"end_date": "2024-06-10", "reason": "同住家属新近确诊",
                                  "previous_end": "2024-06-03", "on": "2024-06-01"}]
    assert reopen(watch).contacts.get(cid)["extensions"][0]["reason"] == "同住家属新近确诊"


def test_follow_up_to_release(watch: Watch) -> None:
    s = watch.session
    cid = s.contacts.add({"exposure_date": day(14)}, person_id=watch.ids[1])
    for n in range(14, 0, -1):
        s.contacts.follow_up(cid, day(n), "well", temperature="36.5")
    s.contacts.follow_up(cid, TODAY, "unreached")
    s.contacts.follow_up(cid, TODAY, "well", temperature="36.4")  # re-entered: updated
    statuses = [f["status"] for f in s.contacts.followups(cid)]
    assert len(statuses) == 15 and set(statuses) == {"well"}
    agenda = s.contacts.agenda(TODAY)
    assert [d["id"] for d in agenda.ending] == [cid]
    s.contacts.close(cid, "released", TODAY)
    assert s.contacts.active_on(TODAY) == []
    assert s.contacts.agenda(TODAY).ending == []
    with pytest.raises(UserError) as caught:
        s.contacts.close(cid, "released", TODAY)
    assert caught.value.key == "contact.closed"
    with pytest.raises(UserError) as caught:
        s.contacts.follow_up(cid, TODAY, "well")
    assert caught.value.key == "contact.followup.not_active"


def test_follow_ups_only_inside_the_observation(watch: Watch) -> None:
    contacts = watch.session.contacts
    cid = contacts.add({"name": "林秀英", "exposure_date": day(20)})  # ended 6 days ago
    with pytest.raises(UserError) as caught:
        contacts.follow_up(cid, TODAY, "well")
    assert caught.value.key == "contact.followup.not_active"
    contacts.follow_up(cid, day(6), "lost")  # its last day
    with pytest.raises(UserError):
        contacts.follow_up(cid, day(5), "well")
    with pytest.raises(UserError) as caught:
        contacts.follow_up(cid, TODAY + dt.timedelta(days=1), "well")
    assert caught.value.key == "health.future_date"


def test_the_agenda(watch: Watch) -> None:
    contacts = watch.session.contacts
    watch.clock.now = NOW - dt.timedelta(days=2)  # registered two days ago
    a = contacts.add({"name": "甲", "exposure_date": day(5), "observation_type": "居家隔离"})
    b = contacts.add({"name": "乙", "exposure_date": day(14)})  # ends today
    c = contacts.add({"name": "丙", "exposure_date": day(16)})  # ended, no outcome
    watch.clock.now = NOW
    contacts.follow_up(a, day(1), "well")
    contacts.follow_up(b, TODAY, "unwell")
    agenda = contacts.agenda(TODAY)
    assert [d["id"] for d in agenda.due] == [a]
    assert [d["id"] for d in agenda.done] == [b]
    assert [d["id"] for d in agenda.missed_yesterday] == [b]
    assert [d["id"] for d in agenda.ending] == [b]
    assert [d["id"] for d in agenda.overdue] == [c]
    assert agenda.by_type == {"medical_observation": 1, "home_quarantine": 1,
                              "central_quarantine": 0}
    assert agenda.by_status["unwell"] == 1


def test_removing_a_contact_takes_its_follow_ups_in_one_frame(watch: Watch) -> None:
    contacts = watch.session.contacts
    cid = contacts.add({"name": "林秀英", "exposure_date": day(3)})
    contacts.follow_up(cid, day(1), "well")
    contacts.follow_up(cid, TODAY, "well")
    before = watch.frames()
    contacts.remove(cid)
    assert watch.frames() == before + 1
    assert contacts.followups(cid) == [] and contacts.get(cid) is None


def test_follow_ups_are_due_from_the_day_after_registration(watch: Watch) -> None:
    contacts = watch.session.contacts
    watch.clock.now = NOW.replace(hour=15)
    # Registered today with an exposure five days ago: nothing missed yet.
    cid = contacts.add({"name": "甲", "exposure_date": day(5)})
    agenda = contacts.agenda(TODAY)
    assert agenda.missed_yesterday == [] and agenda.due == []
    assert agenda.by_type["medical_observation"] == 1  # under observation all the same
    contacts.follow_up(cid, TODAY, "well")  # a call on the day is still recorded
    assert [d["id"] for d in contacts.agenda(TODAY).done] == [cid]
    tomorrow = contacts.agenda(TODAY + dt.timedelta(days=1))
    assert [d["id"] for d in tomorrow.due] == [cid] and tomorrow.missed_yesterday == []
    after = contacts.agenda(TODAY + dt.timedelta(days=2))
    assert [d["id"] for d in after.missed_yesterday] == [cid]

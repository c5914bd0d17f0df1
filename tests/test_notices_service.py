"""Notices: the audience, relaying in one frame, responses and supervision
notes, and coverage with the members not yet reached."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

import datetime as dt

import pytest
from fixtures_app import chinese  # noqa: F401
from healthkit import NOW, TODAY, Watch, add_people, clock, reopen, watch  # noqa: F401

from branchtool.errors import UserError
from branchtool.records.fields import InvalidRecord

NOTICE = {"number": "院党组〔2020〕3号", "issuer": "学院党委", "issued_on": "2024-05-28",
          "title": "关于做好疫情防控工作的通知", "deadline": "2024-06-05"}


def test_coverage_counts_the_members_reached(watch: Watch) -> None:
    notices = watch.session.notices
    add_people(watch.session, ("钱八",), stage="league")  # not a Party member
    nid = notices.add(NOTICE)
    assert len(notices.audience(nid)) == 5
    before = watch.frames()
    assert notices.relay(nid, watch.ids[:3], "in_person", TODAY, "支部书记") == 3
    assert watch.frames() == before + 1
    assert notices.relay(nid, watch.ids[:4], "wechat_group", TODAY) == 1  # the first relay stays
    assert notices.relays(nid)[watch.ids[0]]["method"] == "in_person"
    coverage = notices.coverage(nid)
    assert (coverage.expected, coverage.relayed) == (5, 4)
    assert [p["name"] for p in coverage.not_reached] == ["孙七"]
    assert coverage.share == pytest.approx(0.8)


def test_responses_and_supervision_notes(watch: Watch) -> None:
    notices = watch.session.notices
    nid = notices.add(NOTICE)
    with pytest.raises(InvalidRecord) as caught:
        notices.respond(nid, watch.ids[0], "studied")
    assert caught.value.problems[0].key == "relay.check.response_before_relay"
    notices.check_note(nid, watch.ids[0], "督导检查时尚未传达")  # a note before any relay
    notices.relay(nid, [watch.ids[0]], "phone", TODAY)
    notices.respond(nid, watch.ids[0], "studied")
    relay = reopen(watch).notices.relays(nid)[watch.ids[0]]
    assert (relay["method"], relay["response"], relay["check_note"]) == (
        "phone", "studied", "督导检查时尚未传达")
    coverage = watch.session.notices.coverage(nid)
    assert (coverage.relayed, coverage.acknowledged, coverage.studied) == (1, 1, 1)


def test_everyone_audience_and_leavers(watch: Watch) -> None:
    notices = watch.session.notices
    add_people(watch.session, ("钱八",), stage="league")
    nid = notices.add({**NOTICE, "audience": "全体人员"})
    assert notices.coverage(nid).expected == 6
    notices.relay(nid, [watch.ids[0]], "in_person", TODAY)
    watch.session.roster.archive(watch.ids[0], "transferred")
    coverage = notices.coverage(nid)
    assert (coverage.expected, coverage.relayed) == (5, 0)


def test_current_notices_and_checks(watch: Watch) -> None:
    notices = watch.session.notices
    old = notices.add({**NOTICE, "issued_on": "2024-04-01", "deadline": ""})
    due = notices.add(NOTICE)
    later = notices.add({**NOTICE, "issued_on": "2024-05-30", "deadline": ""})
    assert [n["id"] for n in notices.current(TODAY)] == [later, due]
    assert old in [n["id"] for n in notices.all()]
    with pytest.raises(InvalidRecord) as caught:
        notices.add({**NOTICE, "deadline": "2024-05-01"})
    assert caught.value.problems[0].key == "notice.check.deadline_before_issue"
    with pytest.raises(UserError) as caught:
        notices.relay(due, [watch.ids[0]], "wechat_group", TODAY + dt.timedelta(days=1))
    assert caught.value.key == "health.future_date"


def test_removing_a_notice_takes_its_relays(watch: Watch) -> None:
    notices = watch.session.notices
    nid = notices.add(NOTICE)
    notices.relay(nid, watch.ids, "wechat_group", TODAY)
    notices.remove(nid)
    assert notices.get(nid) is None and notices.relays(nid) == {}


def test_the_relay_methods_and_other_with_its_words(watch: Watch) -> None:
    from branchtool.records.notice import LEGACY_METHODS, METHODS, RELAY, method_text

    notices = watch.session.notices
    nid = notices.add(NOTICE)
    labels = [RELAY.field("method").choice_label(m) for m in METHODS]
    assert labels == ["微信群", "QQ群", "钉钉", "腾讯会议", "短信", "电话", "当面", "书面",
                      "其他（注明）"]
    with pytest.raises(InvalidRecord) as caught:
        notices.relay(nid, watch.ids[:1], "other", TODAY)
    assert caught.value.problems[0].key == "relay.check.other_needs_text"
    assert notices.relay(nid, watch.ids[:1], "other", TODAY, method_other="班级群接龙") == 1
    assert method_text(notices.relays(nid)[watch.ids[0]]) == "其他：班级群接龙"
    assert notices.relay(nid, watch.ids[1:2], "qq_group", TODAY, method_other="x") == 1
    assert notices.relays(nid)[watch.ids[1]]["method_other"] == ""  # only with "other"
    with pytest.raises(ValueError):  # no longer offered for a new relay
        notices.relay(nid, watch.ids[2:3], "meeting", TODAY)
    # A relay stored before, with a method no longer offered, still reads and
    # takes a response.
    old = {"id": f"{nid}:{watch.ids[2]}", "notice": nid, "person": watch.ids[2],
           "method": "meeting", "relayed_on": TODAY.isoformat(), "relayed_by": "",
           "response": "", "check_note": "", "updated_at": "2024-06-01T01:00:00Z"}
    watch.session.vault.partition("relays").upsert(old)
    assert "meeting" in LEGACY_METHODS
    assert method_text(notices.relays(nid)[watch.ids[2]]) == "支部会议"
    assert notices.respond(nid, watch.ids[2], "acknowledged")["method"] == "meeting"

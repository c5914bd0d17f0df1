"""Alerts: raised in the frame of the check-in that causes them, kept as
episodes, resolved by a correction, handled with a note, and the time rules
(missing, N days in a row, observation ending) at their boundaries."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

import datetime as dt

import pytest
from fixtures_app import chinese  # noqa: F401
from healthkit import NOW, TODAY, Watch, clock, reopen, watch  # noqa: F401

from branchtool.errors import UserError
from branchtool.records.alert import HANDLED, OPEN, RESOLVED


def day(n: int) -> dt.date:
    """``n`` days before TODAY."""
    return TODAY - dt.timedelta(days=n)


def rules_of(w: Watch, person: str) -> list[tuple[str, str, str, str]]:
    return sorted((a["rule"], a["since"], a["last"], a["status"])
                  for a in w.session.alerts.for_person(person))


def test_a_fever_is_raised_in_the_same_frame_as_its_checkin(watch: Watch) -> None:
    s = watch.session
    before = watch.frames()
    s.health.record(TODAY, watch.ids[0], {"temperature": "37.3"})
    assert watch.frames() == before + 1
    [alert] = s.alerts.open()
    view = s.alerts.view(alert)
    assert (view.rule, view.who, view.since) == ("fever", "张三", "2024年6月1日")
    assert view.why == "发热 37.3℃"


def test_37_2_raises_nothing(watch: Watch) -> None:
    watch.session.health.record(TODAY, watch.ids[0], {"temperature": "37.2"})
    assert watch.session.alerts.open() == []


def test_consecutive_days_are_one_episode_since_the_first(watch: Watch) -> None:
    s = watch.session
    for n, temperature in ((2, "37.5"), (1, "38.4"), (0, "37.9")):
        s.health.record(day(n), watch.ids[0], {"temperature": temperature})
    [alert] = s.alerts.open()
    assert (alert["since"], alert["last"], alert["detail"]) == ("2024-05-30", "2024-06-01",
                                                                "38.4")


def test_a_gap_of_a_day_starts_a_new_episode(watch: Watch) -> None:
    s = watch.session
    s.health.record(day(3), watch.ids[0], {"symptoms": "干咳"})
    s.health.mark_normal(day(2), watch.ids[0])
    s.health.record(day(1), watch.ids[0], {"symptoms": "干咳"})
    assert [(a["since"], a["last"]) for a in s.alerts.open()] == [
        ("2024-05-29", "2024-05-29"), ("2024-05-31", "2024-05-31")]


def test_correcting_a_checkin_resolves_its_alert(watch: Watch) -> None:
    s = watch.session
    s.health.record(TODAY, watch.ids[0], {"temperature": "38.0", "risk_travel": "是"})
    s.health.record(TODAY, watch.ids[0], {"temperature": "36.6"})
    assert rules_of(watch, watch.ids[0]) == [
        ("fever", "2024-06-01", "2024-06-01", RESOLVED),
        ("risk_travel", "2024-06-01", "2024-06-01", OPEN)]


def test_handling_keeps_the_alert_in_history(watch: Watch) -> None:
    s = watch.session
    s.health.record(TODAY, watch.ids[0], {"case_contact": "是"})
    [alert] = s.alerts.open()
    s.alerts.handle(alert["id"], "已安排居家观察")
    assert s.alerts.open() == []
    [kept] = reopen(watch).alerts.for_person(watch.ids[0])
    assert (kept["status"], kept["note"], kept["handled_on"]) == (HANDLED, "已安排居家观察",
                                                                 "2024-06-01")
    with pytest.raises(UserError) as caught:
        watch.session.alerts.handle(alert["id"], "again")
    assert caught.value.key == "alert.not_open"
    # a handled episode is never reopened by the same condition the next day
    watch.clock.now = NOW + dt.timedelta(days=1)
    watch.session.health.record(TODAY + dt.timedelta(days=1), watch.ids[0],
                                {"case_contact": "是"})
    assert watch.session.alerts.open() == []


def test_missing_today_waits_for_the_deadline(watch: Watch) -> None:
    s = watch.session
    s.health.mark_rest_normal(day(1))  # the watch began yesterday
    s.health.mark_normal(TODAY, watch.ids[0])
    assert s.alerts.refresh(dt.datetime(2024, 6, 1, 9, 59)) == 0
    assert s.alerts.refresh(dt.datetime(2024, 6, 1, 10, 0)) == 4
    assert s.alerts.refresh(dt.datetime(2024, 6, 1, 10, 30)) == 0  # nothing twice
    assert {s.alerts.who(a) for a in s.alerts.open()} == {"李四", "王五", "赵六", "孙七"}


def test_a_late_checkin_resolves_the_missing_alert(watch: Watch) -> None:
    s = watch.session
    s.health.mark_rest_normal(day(1))
    s.alerts.refresh()
    s.health.mark_normal(TODAY, watch.ids[1])
    assert ("missing", "2024-06-01", "2024-06-01", RESOLVED) in rules_of(watch, watch.ids[1])
    assert len(s.alerts.open()) == 4


def test_missing_n_days_in_a_row_at_its_boundary(watch: Watch) -> None:
    s = watch.session  # default: 3 days in a row
    for n in (5, 4, 3):
        s.health.mark_rest_normal(day(n))  # everyone reports until three days ago
    for n in (2, 1):
        s.health.mark_normal(day(n), watch.ids[0])  # then only 张三
    s.alerts.refresh(dt.datetime(2024, 6, 1, 9, 0))  # before the deadline: 2 days missing
    assert not any(a["rule"] == "missing_streak" for a in s.alerts.open())
    s.alerts.refresh(dt.datetime(2024, 6, 1, 10, 0))  # today counts: 3 days in a row
    streaks = [a for a in s.alerts.open() if a["rule"] == "missing_streak"]
    assert len(streaks) == 4
    assert {(a["since"], a["last"]) for a in streaks} == {("2024-05-30", "2024-06-01")}
    assert s.alerts.why(streaks[0]) == "连续 3 天未打卡"


def test_missing_before_the_watch_began_raises_nothing(watch: Watch) -> None:
    s = watch.session
    assert s.alerts.refresh() == 0  # no check-in ever: nothing is missing yet
    s.health.mark_normal(TODAY, watch.ids[0])
    assert s.alerts.refresh() == 4
    assert not any(a["rule"] == "missing_streak" for a in s.alerts.open())


def test_an_observation_ending_today_is_raised_on_day_14(watch: Watch) -> None:
    s = watch.session
    s.health.mark_rest_normal(TODAY)
    contact = s.contacts.add({"name": "林秀英", "exposure_date": day(13)})
    s.alerts.refresh()
    assert s.alerts.open() == []  # ends tomorrow
    watch.clock.now = NOW + dt.timedelta(days=1)
    s = reopen(watch)
    s.health.mark_rest_normal(TODAY + dt.timedelta(days=1))
    s.alerts.refresh()
    [alert] = s.alerts.open()
    assert (alert["rule"], alert["contact"], s.alerts.who(alert)) == ("observation_ends",
                                                                      contact, "林秀英")
    assert s.alerts.why(alert) == "今日观察期满"
    watch.clock.now = NOW + dt.timedelta(days=2)
    s = reopen(watch)
    s.health.mark_rest_normal(TODAY + dt.timedelta(days=2))
    assert s.alerts.refresh() == 0  # day 15: over, nothing new


def test_alert_reasons_in_english(watch: Watch) -> None:
    from branchtool import i18n

    s = watch.session
    s.health.record(TODAY, watch.ids[0], {"temperature": "38.0"})
    i18n.set_language("en")
    assert s.alerts.why(s.alerts.open()[0]) == "Fever 38.0 °C"


def test_fever_and_symptoms_on_one_day_are_one_alert_with_both_reasons(watch: Watch) -> None:
    s = watch.session
    s.health.record(TODAY, watch.ids[0], {"temperature": "38.1", "symptoms": "干咳"})
    s.health.record(TODAY, watch.ids[1], {"symptoms": "干咳"})
    assert len(s.alerts.open()) == 3  # the rules' episodes are kept apart ...
    views = s.alerts.views()
    assert s.alerts.count_open() == len(views) == 2  # ... shown one per person and day
    [both] = [v for v in views if v.who == "张三"]
    assert both.why == "发热 38.1℃、有症状" and len(both.ids) == 2
    assert s.alerts.view_of(both.ids[1]) == both
    before = watch.frames()
    s.alerts.handle_all(both.ids, "已电话联系，复测体温正常")
    assert watch.frames() == before + 1
    assert [a["status"] for a in s.alerts.for_person(watch.ids[0])] == [HANDLED, HANDLED]
    assert s.alerts.count_open() == 1
    with pytest.raises(UserError):
        s.alerts.handle_all(both.ids, "再处置一次")

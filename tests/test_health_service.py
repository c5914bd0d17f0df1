"""The health service: the day sheet, marks and corrections (one frame each),
the day figures kept in step with the check-ins, and the day summary."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

import datetime as dt

import pytest
from fixtures_app import chinese  # noqa: F401
from healthkit import NOW, TODAY, Watch, clock, reopen, watch  # noqa: F401
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from branchtool.errors import UserError
from branchtool.records.fields import InvalidRecord
from branchtool.services.health import ABNORMAL, MISSING, NORMAL

YESTERDAY = TODAY - dt.timedelta(days=1)


def test_the_sheet_lists_everyone_active_in_name_order_all_missing_at_first(
        watch: Watch) -> None:
    health = watch.session.health
    sheet = health.sheet(TODAY)
    assert [p["name"] for p in sheet.people] == ["李四", "孙七", "王五", "张三", "赵六"]
    assert {sheet.status(p.id) for p in sheet.people} == {MISSING}
    assert len(sheet.missing()) == 5 and sheet.reported == 0


def test_a_mark_is_one_frame_and_the_sheet_follows_it(watch: Watch) -> None:
    health = watch.session.health
    sheet = health.sheet(TODAY)
    before = watch.frames()
    doc = health.mark_normal(TODAY, watch.ids[0])
    assert watch.frames() == before + 1
    assert doc["source"] == "proxy" and doc["risk_travel"] == "no" and doc["isolation"] == "none"
    assert sheet.status(watch.ids[0]) == NORMAL
    assert len(sheet.missing()) == 4


def test_reentering_a_day_updates_the_same_checkin(watch: Watch) -> None:
    health = watch.session.health
    health.mark_normal(TODAY, watch.ids[0])
    health.record(TODAY, watch.ids[0], {"temperature": "37.8", "symptoms": "干咳"})
    entries = health.day(TODAY)
    assert len(entries) == 1
    assert health.sheet(TODAY).status(watch.ids[0]) == ABNORMAL
    assert health.get(TODAY, watch.ids[0])["temperature"] == "37.8"
    assert watch.session.vault.partition("checkins/2024-06").get(
        f"2024-06-01:{watch.ids[0]}")["symptoms"] == "dry_cough"


def test_stored_checkins_leave_empty_fields_out(watch: Watch) -> None:
    health = watch.session.health
    health.mark_normal(TODAY, watch.ids[0])
    stored = watch.session.vault.partition("checkins/2024-06").all()[0]
    assert "" not in stored.values()
    assert health.get(TODAY, watch.ids[0])["note"] == ""


def test_mark_the_rest_normal_is_one_frame(watch: Watch) -> None:
    health = watch.session.health
    health.record(TODAY, watch.ids[1], {"temperature": "38.0"})
    before = watch.frames()
    assert health.mark_rest_normal(TODAY) == 4
    assert watch.frames() == before + 1
    assert health.missing_on(TODAY) == []
    assert health.sheet(TODAY).status(watch.ids[1]) == ABNORMAL  # left as it was
    assert health.mark_rest_normal(TODAY) == 0


def test_clear_takes_a_mark_back(watch: Watch) -> None:
    health = watch.session.health
    health.mark_normal(TODAY, watch.ids[0])
    health.clear(TODAY, watch.ids[0])
    assert health.sheet(TODAY).status(watch.ids[0]) == MISSING
    assert health.figures(TODAY).reported == 0


def test_a_person_under_observation_stays_so_when_marked_normal(watch: Watch) -> None:
    s = watch.session
    s.contacts.add({"exposure_date": "2024-05-28", "observation_type": "居家隔离"},
                   person_id=watch.ids[2])
    assert s.health.mark_normal(TODAY, watch.ids[2])["isolation"] == "home_quarantine"
    assert s.health.figures(TODAY).quarantine == 1


def test_future_days_and_archived_people_are_refused(watch: Watch) -> None:
    health = watch.session.health
    with pytest.raises(UserError) as caught:
        health.mark_normal(TODAY + dt.timedelta(days=1), watch.ids[0])
    assert caught.value.key == "health.future_date"
    watch.session.roster.archive(watch.ids[0], "transferred")
    with pytest.raises(UserError) as caught:
        health.mark_normal(TODAY, watch.ids[0])
    assert caught.value.key == "checkin.person_not_active"
    assert len(health.sheet(TODAY)) == 4
    with pytest.raises(UserError) as caught:
        health.sheet("2024-13-01")
    assert caught.value.key == "health.bad_date"


def test_invalid_values_store_nothing_and_say_nothing_of_them(watch: Watch) -> None:
    health = watch.session.health
    before = watch.frames()
    with pytest.raises(InvalidRecord) as caught:
        health.record(TODAY, watch.ids[0], {"temperature": "45.5", "note": "秘密"})
    assert watch.frames() == before
    assert health.day(TODAY) == {}
    assert "45.5" not in str(caught.value) and "秘密" not in str(caught.value)


def test_a_checkin_just_before_midnight_counts_for_that_day(watch: Watch) -> None:
    health = watch.session.health
    late = dt.datetime(2024, 5, 31, 23, 59, 59)
    health.record(YESTERDAY, watch.ids[0], {"temperature": "36.5"}, at=late)
    assert health.get(YESTERDAY, watch.ids[0])["at"] == "2024-05-31T23:59:59"
    assert health.get(TODAY, watch.ids[0]) is None


def test_figures_survive_reopening_and_start_with_the_first_checkin(watch: Watch) -> None:
    health = watch.session.health
    health.record(YESTERDAY, watch.ids[0], {"temperature": "37.3"})
    health.mark_normal(TODAY, watch.ids[1])
    session = reopen(watch)
    series = session.health.series(TODAY, 3)
    assert series[0] is None  # before the watch began
    assert (series[1].reported, series[1].fever, series[1].expected) == (1, 1, 5)
    assert (series[2].reported, series[2].fever, series[2].missing) == (1, 0, 4)
    assert session.health.first_day() == YESTERDAY


def test_a_new_fever_threshold_applies_to_past_days(watch: Watch) -> None:
    health = watch.session.health
    health.record(TODAY, watch.ids[0], {"temperature": "37.4"})
    assert health.figures(TODAY).fever == 1
    health.save_settings({"fever_threshold": "37.5"})
    assert health.figures(TODAY).fever == 0
    assert reopen(watch).health.settings.fever_threshold == "37.5"
    with pytest.raises(UserError) as caught:
        watch.session.health.save_settings({"fever_threshold": "36"})
    assert caught.value.key == "health.settings.bad_fever_threshold"


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 4), st.sampled_from(
    ["normal", "fever", "cough", "travel", "clear", "quarantine"])), max_size=12))
def test_incremental_figures_equal_a_rebuild(watch: Watch, steps: list[tuple[int, str]]
                                             ) -> None:
    health = watch.session.health
    for index, what in steps:
        pid = watch.ids[index]
        if what == "normal":
            health.mark_normal(TODAY, pid)
        elif what == "clear":
            health.clear(TODAY, pid)
        else:
            values = {"fever": {"temperature": "38.2"}, "cough": {"symptoms": "干咳"},
                      "travel": {"risk_travel": "是"},
                      "quarantine": {"isolation": "集中隔离"}}[what]
            health.record(TODAY, pid, values)
    if not steps:
        return
    kept = health.figures(TODAY)
    health.rebuild_figures(TODAY)
    assert health.figures(TODAY) == kept
    for pid in list(health.day(TODAY)):  # leave the vault clean for the next example
        health.clear(TODAY, pid)


def test_day_summary_lists_what_the_report_needs(watch: Watch) -> None:
    s = watch.session
    s.health.record(TODAY, watch.ids[0], {"temperature": "38.5", "symptoms": "发热┋乏力"})
    s.health.record(TODAY, watch.ids[1], {"isolation": "医学观察"})
    s.health.mark_normal(TODAY, watch.ids[2])
    watch.clock.now = NOW - dt.timedelta(days=1)  # registered yesterday: due today
    outside = s.contacts.add({"name": "林秀英", "exposure_date": "2024-05-30",
                              "observation_type": "集中隔离"})
    watch.clock.now = NOW
    summary = s.health.day_summary(TODAY, contacts=s.contacts)
    assert set(summary.reported) == set(watch.ids[:3])
    assert set(summary.missing) == set(watch.ids[3:])
    assert [(a.person, a.reasons) for a in summary.abnormal] == [(watch.ids[0],
                                                                  ["fever", "symptom"])]
    assert summary.observation == [watch.ids[1]]
    assert summary.outside_quarantine == [outside]
    assert summary.followups_due == [outside]
    assert not summary.is_zero


def test_a_day_with_nothing_to_report_is_a_zero_report(watch: Watch) -> None:
    health = watch.session.health
    health.mark_rest_normal(TODAY)
    assert health.day_summary(TODAY).is_zero


def test_history_gives_a_persons_last_days(watch: Watch) -> None:
    health = watch.session.health
    health.mark_normal(YESTERDAY, watch.ids[0])
    days = health.history(watch.ids[0], TODAY, 3)
    assert [d is None for d in days] == [True, False, True]


def test_a_persons_history_reads_their_checkins_alone(watch: Watch) -> None:
    """A person's days not opened yet are read by id: their own documents,
    not the days' whole; what comes back is what the opened days give."""
    days = [TODAY + dt.timedelta(days=n) for n in range(3)]
    for day in days:
        watch.clock.now = dt.datetime.combine(day, NOW.time())
        watch.session.health.mark_rest_normal(day)
    watch.session.health.record(days[1], watch.ids[0], {"temperature": "38.1"})
    watch.session.health.clear(days[2], watch.ids[0])
    health = reopen(watch).health
    month = watch.session.vault.partition("checkins/2024-06")
    read: list[str] = []
    get, get_many = month.get, month.get_many
    month.get = lambda i: read.append(i) or get(i)  # type: ignore[method-assign]
    month.get_many = lambda ids: read.extend(ids) or get_many(ids)  # type: ignore[method-assign]
    health.sheet(days[0])  # one day opened whole: its five read
    assert len(read) == 5
    got = health.history(watch.ids[0], days[2], 4)
    assert read[5:] == [f"{day.isoformat()}:{watch.ids[0]}" for day in days[1:]]
    assert [d is None for d in got] == [True, False, False, True]
    assert got[2]["temperature"] == "38.1" and got[1]["source"] == "proxy"
    assert got[1:] == [health.get(day, watch.ids[0]) for day in days]


def test_opening_a_day_reads_that_days_checkins_alone(watch: Watch) -> None:
    """After unlock a month of check-ins is authenticated but not parsed: the
    day sheet parses its own day's documents (copies), not the month's."""
    days = [TODAY + dt.timedelta(days=n) for n in range(3)]
    for day in days:
        watch.clock.now = dt.datetime.combine(day, NOW.time())
        watch.session.health.mark_rest_normal(day)
    health = reopen(watch).health
    month = watch.session.vault.partition("checkins/2024-06")
    assert month._unparsed == 15
    sheet = health.sheet(days[1])
    assert sheet.reported == 5 and {sheet.status(p.id) for p in sheet.people} == {NORMAL}
    assert month._unparsed == 15  # the copies came from one parse of the day's bytes
    assert health.get(days[2], watch.ids[0])["source"] == "proxy"
    health.record(days[2], watch.ids[0], {"temperature": "38.1"})
    assert month._unparsed == 14  # the write parsed the one document it replaced
    assert health.sheet(days[2]).status(watch.ids[0]) == ABNORMAL
    assert health.sheet(days[0]).reported == 5

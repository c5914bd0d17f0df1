"""Every early-warning rule at its boundary: 37.2 vs 37.3, day 14 vs 15,
midnight, the deadline, N-1 vs N days; and the check-in fields' parsing."""

from __future__ import annotations

import datetime as dt

import pytest
from fixtures_app import chinese  # noqa: F401
from hypothesis import given
from hypothesis import strategies as st

from branchtool.records.checkin import CHECKIN
from branchtool.records.contact import CONTACT, default_end
from branchtool.records.health_fields import parse_temperature
from branchtool.services import health_rules as rules
from branchtool.services.health_rules import HealthSettings

DEFAULT = HealthSettings()


# -- fever -------------------------------------------------------------------------
@pytest.mark.parametrize(("temperature", "fever"), [
    ("37.2", False), ("37.3", True), ("36.5", False), ("38.0", True), ("", False),
])
def test_fever_starts_at_37_3(temperature: str, fever: bool) -> None:
    assert rules.is_fever(temperature, DEFAULT) is fever


def test_the_threshold_comes_from_the_settings() -> None:
    strict = HealthSettings(fever_threshold="37.5")
    assert not rules.is_fever("37.4", strict)
    assert rules.is_fever("37.5", strict)


@given(st.integers(350, 420))
def test_fever_is_exact_in_tenths(tenths: int) -> None:
    text = f"{tenths // 10}.{tenths % 10}"
    assert rules.is_fever(text, DEFAULT) is (tenths >= 373)


@pytest.mark.parametrize(("raw", "stored"), [
    ("37.3", "37.3"), ("37.3℃", "37.3"), (" 36,5 ", "36.5"), (37.25, "37.3"), (37.24, "37.2"),
    ("36.5度", "36.5"), (36, "36.0"), ("36.5°C", "36.5"),
])
def test_temperatures_are_read_the_usual_ways(raw: object, stored: str) -> None:
    values, problems = CHECKIN.clean({"date": "2024-06-01", "temperature": raw})
    assert problems == []
    assert values["temperature"] == stored


@pytest.mark.parametrize(("raw", "key"), [
    ("34.9", "temperature.range"), ("42.1", "temperature.range"), ("abc", "temperature.invalid"),
    ("nan", "temperature.invalid"), (True, "temperature.invalid"),
])
def test_temperatures_out_of_range_are_refused(raw: object, key: str) -> None:
    _, problems = CHECKIN.clean({"date": "2024-06-01", "temperature": raw})
    assert [p.key for p in problems] == [key]
    assert "34.9" not in problems[0].message() and "abc" not in problems[0].message()


def test_the_range_ends_are_allowed() -> None:
    for edge in ("35.0", "42.0"):
        assert CHECKIN.clean({"date": "2024-06-01", "temperature": edge})[1] == []
    assert parse_temperature("35") is not None


# -- the other check-in rules --------------------------------------------------------------
def test_flags_follow_rule_order() -> None:
    doc = {"temperature": "38.1", "symptoms": "dry_cough", "risk_travel": "yes",
           "case_contact": "yes"}
    assert rules.checkin_flags(doc, DEFAULT) == ["fever", "symptom", "risk_travel",
                                                  "case_contact"]
    assert rules.checkin_flags({"temperature": "36.5", "risk_travel": "no"}, DEFAULT) == []
    assert rules.checkin_flags(None, DEFAULT) == []


@pytest.mark.parametrize(("answer", "stored"), [
    ("发热┋干咳", "fever,dry_cough"), ("干咳、发热", "fever,dry_cough"), ("无", ""),
    ("以上都没有", ""), ("咽痛,乏力", "fatigue,sore_throat"), ("Sore throat", "sore_throat"),
    (["腹泻", "呼吸困难"], "diarrhea,dyspnea"),
])
def test_symptoms_read_a_surveys_answer(answer: object, stored: str) -> None:
    values, problems = CHECKIN.clean({"date": "2024-06-01", "symptoms": answer})
    assert problems == []
    assert values["symptoms"] == stored


def test_an_unknown_symptom_is_refused_without_echoing_it() -> None:
    _, problems = CHECKIN.clean({"date": "2024-06-01", "symptoms": "发热┋头晕眼花"})
    assert [p.key for p in problems] == ["field.choice_invalid"]
    assert "头晕眼花" not in problems[0].message()


def test_other_symptoms_need_words_and_home_needs_a_province() -> None:
    _, problems = CHECKIN.clean({"date": "2024-06-01", "symptoms": "其他", "location": "在家"})
    assert [p.key for p in problems] == ["checkin.check.other_needs_text",
                                         "checkin.check.home_needs_province"]
    values, problems = CHECKIN.clean({"date": "2024-06-01", "symptoms": "其他",
                                      "symptom_other": "头痛", "location": "在家",
                                      "province": "湖北省"})
    assert problems == []
    values, _ = CHECKIN.clean({"symptoms": ""}, base=values)
    assert values["symptom_other"] == ""  # no "other" symptom, no text about it


# -- days and times ---------------------------------------------------------------------------
def test_midnight_starts_the_next_day() -> None:
    assert rules.day_of(dt.datetime(2024, 6, 1, 23, 59, 59)) == dt.date(2024, 6, 1)
    assert rules.day_of(dt.datetime(2024, 6, 2, 0, 0, 0)) == dt.date(2024, 6, 2)


def test_missing_today_counts_from_the_deadline() -> None:
    day = dt.date(2024, 6, 1)
    assert not rules.missing_is_due(day, dt.datetime(2024, 6, 1, 9, 59), DEFAULT)
    assert rules.missing_is_due(day, dt.datetime(2024, 6, 1, 10, 0), DEFAULT)
    assert rules.missing_is_due(day, dt.datetime(2024, 6, 2, 0, 0), DEFAULT)  # past midnight
    assert not rules.missing_is_due(dt.date(2024, 6, 2), dt.datetime(2024, 6, 1, 23, 0), DEFAULT)


# -- observation -------------------------------------------------------------------------------
def _contact(exposure: str, **values: str) -> dict[str, str]:
    doc, problems = CONTACT.clean({"name": "林秀英", "exposure_date": exposure, **values})
    assert problems == []
    return doc


def test_observation_runs_to_exposure_plus_14_days_inclusive() -> None:
    exposure = dt.date(2024, 5, 1)
    contact = _contact("2024-05-01")
    assert contact["end_date"] == "2024-05-15" == default_end(exposure).isoformat()
    day14, day15 = exposure + dt.timedelta(days=14), exposure + dt.timedelta(days=15)
    assert rules.observation_active(contact, exposure)
    assert rules.observation_active(contact, day14)
    assert not rules.observation_active(contact, day15)
    assert rules.observation_ends_on(contact, day14)
    assert not rules.observation_ends_on(contact, day14 - dt.timedelta(days=1))
    assert not rules.observation_ends_on(contact, day15)
    assert not rules.release_overdue(contact, day14)
    assert rules.release_overdue(contact, day15)


def test_an_outcome_ends_the_observation_that_day() -> None:
    contact = _contact("2024-05-01", outcome="解除观察", outcome_date="2024-05-10")
    assert rules.observation_active(contact, dt.date(2024, 5, 9))
    assert not rules.observation_active(contact, dt.date(2024, 5, 10))
    assert not rules.release_overdue(contact, dt.date(2024, 5, 20))


def test_observation_does_not_start_before_its_start() -> None:
    contact = _contact("2024-05-01", start_date="2024-05-03")
    assert not rules.observation_active(contact, dt.date(2024, 5, 2))
    assert rules.observation_active(contact, dt.date(2024, 5, 3))


def test_contact_dates_must_be_in_order() -> None:
    _, problems = CONTACT.clean({"name": "x", "exposure_date": "2024-05-05",
                                 "start_date": "2024-05-04", "end_date": "2024-05-03"})
    assert [p.key for p in problems] == ["contact.check.start_before_exposure",
                                         "contact.check.end_before_start"]


def test_isolation_groups() -> None:
    assert rules.isolation_group("medical_observation") == "observation"
    assert rules.isolation_group("home_quarantine") == "quarantine"
    assert rules.isolation_group("central_quarantine") == "quarantine"
    assert rules.isolation_group("none") == rules.isolation_group("") == ""


# -- settings -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("values", "bad"), [
    ({"fever_threshold": "36.9"}, "fever_threshold"),
    ({"fever_threshold": "38.6"}, "fever_threshold"),
    ({"fever_threshold": "x"}, "fever_threshold"), ({"missing_days": "1"}, "missing_days"),
    ({"missing_days": "15"}, "missing_days"), ({"deadline": "24:00"}, "deadline"),
    ({"deadline": "9:00"}, "deadline"),
])
def test_settings_outside_their_bounds_are_refused(values: dict[str, str], bad: str) -> None:
    with pytest.raises(ValueError, match=bad):
        HealthSettings.parse(values)


def test_settings_at_their_bounds_are_accepted() -> None:
    low = HealthSettings.parse({"fever_threshold": "37.0", "missing_days": "2",
                                "deadline": "00:00"})
    high = HealthSettings.parse({"fever_threshold": "38.5", "missing_days": 14,
                                 "deadline": "23:59"})
    assert (low.fever_tenths, low.missing_days) == (370, 2)
    assert (high.fever_tenths, high.missing_days, high.deadline_time) == (385, 14,
                                                                          dt.time(23, 59))
    assert HealthSettings.from_doc({"fever_threshold": "99"}) == HealthSettings()

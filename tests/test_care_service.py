"""Hardship care: amounts, cases, visits, urgency, reminders at their boundary,
support totals and the period summary."""

# ruff: noqa: F811  (pytest fixtures imported from fixtures_app)
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from fixtures_app import TODAY, chinese, person, roster, session, vault_dir  # noqa: F401
from rowtexts import texts

from branchtool import i18n, money
from branchtool.records.care import CARE, VISIT
from branchtool.records.fields import InvalidRecord
from branchtool.services.care import CASES, VISITS, CareQuery, CareService
from branchtool.services.roster import RosterService
from branchtool.session import Session


@pytest.fixture
def care(session: Session, roster: RosterService) -> CareService:
    vault = session.vault
    return CareService(vault.partition(CASES), vault.partition(VISITS), vault.batch, roster,
                       today=lambda: TODAY)


@pytest.fixture
def people(roster: RosterService) -> dict[str, str]:
    return {
        "secretary": roster.add(person("王书记", category="staff", stage="member")),
        "member": roster.add(person("李党员", category="staff", stage="member")),
        "student": roster.add(person("赵同学")),
    }


def case_values(people: dict[str, str], **values: object) -> dict[str, object]:
    return {"person": people["student"], "hardship": "economic", "severity": "serious",
            "description": "父亲住院，生活费紧张", "responsible": people["member"],
            "opened_on": "2024-05-01", "next_visit": "2024-06-03", **values}


def visit_values(people: dict[str, str], **values: object) -> dict[str, object]:
    return {"date": "2024-05-20", "method": "home", "visitor": people["member"],
            "findings": "已了解情况", **values}


def first_problem(exc: pytest.ExceptionInfo[InvalidRecord]) -> tuple[str, str]:
    problem = exc.value.problems[0]
    return problem.field, problem.key


# -- amounts -------------------------------------------------------------------------------
@pytest.mark.parametrize(("raw", "stored"), [
    ("200", "200.00"), ("200.5", "200.50"), ("1,200.00", "1200.00"), ("¥200", "200.00"),
    ("￥ 1,500 元", "1500.00"), ("0.1", "0.10"), (0.1, "0.10"), (300, "300.00"),
    (Decimal("12.30"), "12.30"), (".5", "0.50"), ("1，200", "1200.00"),
])
def test_amounts_are_read_the_ways_people_write_them(raw: object, stored: str) -> None:
    values, problems = VISIT.clean({"amount": raw})
    assert values["amount"] == stored
    assert not [p for p in problems if p.field == "amount"]


@pytest.mark.parametrize(("raw", "key"), [
    ("abc", "amount.invalid"), ("1,2,3", "amount.invalid"), ("12,00", "amount.invalid"),
    ("-5", "amount.negative"), ("1.234", "amount.precision"), ("0.005", "amount.precision"),
    ("10000000.01", "amount.too_large"), ("9" * 40, "amount.too_large"), ("1e5", "amount.invalid"),
])
def test_bad_amounts_are_named(raw: object, key: str) -> None:
    problems = [p for p in VISIT.clean({"amount": raw})[1] if p.field == "amount"]
    assert [p.key for p in problems] == [key]
    assert "金额" in problems[0].message()


def test_amount_totals_are_exact() -> None:
    total = sum((money.from_text(money.to_text(money.parse("0.1")[0] or money.ZERO))
                 for _ in range(10)), money.ZERO)
    assert total == Decimal("1.00")
    assert money.display("1234567.5") == "1,234,567.50 元"
    i18n.set_language("en")
    assert money.display(Decimal("3")) == "¥3.00"


# -- cases -----------------------------------------------------------------------------------
def test_a_case_for_someone_on_the_roster(care: CareService, people: dict[str, str]) -> None:
    case_id = care.add_case(case_values(people, name="ignored", category="staff"))
    doc = care.get(case_id)
    assert doc is not None
    assert doc["name"] == "" and doc["category"] == ""  # the roster knows who they are
    assert care.case_row(case_id).who == "赵同学"


def test_a_case_for_someone_not_on_the_roster(care: CareService, people: dict[str, str]) -> None:
    case_id = care.add_case(case_values(people, person="", name="外院学生", category="student"))
    assert care.case_row(case_id).who == "外院学生"
    with pytest.raises(InvalidRecord) as exc:
        care.add_case(case_values(people, person="", name=""))
    assert first_problem(exc) == ("name", "care.check.who")


def test_case_dates_in_order(care: CareService, people: dict[str, str]) -> None:
    with pytest.raises(InvalidRecord) as exc:
        care.add_case(case_values(people, next_visit="2024-04-30"))
    assert first_problem(exc) == ("next_visit", "care.check.date_order")
    assert exc.value.message() == "下次走访不能早于建档日期"
    with pytest.raises(InvalidRecord) as exc:
        care.add_case(case_values(people, opened_on="2099-01-01", next_visit="2099-01-02"))
    assert first_problem(exc) == ("opened_on", "care.check.future")


def test_a_followed_case_needs_its_next_visit(care: CareService, people: dict[str, str]) -> None:
    with pytest.raises(InvalidRecord) as exc:
        care.add_case(case_values(people, next_visit=""))
    assert first_problem(exc) == ("next_visit", "care.check.next_visit_needed")
    care.add_case(case_values(people, next_visit="", status="resolved"))


def test_an_archived_member_cannot_be_made_responsible(
        care: CareService, roster: RosterService, people: dict[str, str]) -> None:
    case_id = care.add_case(case_values(people))
    roster.archive(people["member"], "transferred")
    with pytest.raises(InvalidRecord) as exc:
        care.add_case(case_values(people))
    assert first_problem(exc) == ("responsible", "ref.person_archived")
    assert exc.value.message() == "帮扶责任人已转出或出党，不能再指派"
    # The case they already had keeps them; editing something else still works.
    care.edit_case(case_id, {"severity": "extreme"})
    assert care.case_row(case_id).cell("responsible_name") == "李党员（已离开）"


def test_an_unknown_person_is_refused(care: CareService, people: dict[str, str]) -> None:
    with pytest.raises(InvalidRecord) as exc:
        care.add_case(case_values(people, responsible="01NOSUCHPERSON"))
    assert first_problem(exc) == ("responsible", "ref.person_missing")


def test_closing_a_case_records_when(care: CareService, people: dict[str, str]) -> None:
    case_id = care.add_case(case_values(people))
    assert care.edit_case(case_id, {"status": "resolved"})["closed_on"] == TODAY.isoformat()
    assert care.edit_case(case_id, {"status": "following"})["closed_on"] == ""


def test_list_rows_never_show_care_details(care: CareService, people: dict[str, str]) -> None:
    case_id = care.add_case(case_values(people, measures="每月补助"))
    care.add_visit(case_id, visit_values(people, follow_up="联系辅导员"))
    cells = " ".join(texts(care.case_row(case_id))) + " ".join(texts(care.visits()[0]))
    for secret in ("父亲住院", "每月补助", "已了解情况", "联系辅导员"):
        assert secret not in cells
    # The list of every visit says who, when, how and by whom, not what was given.
    care.add_visit(case_id, visit_values(people, date="2024-05-21", support="money",
                                         amount="500"))
    assert texts(care.visits()[0]) == ("2024年5月21日", "赵同学", "上门", "李党员")
    assert texts(care.visits(case_id)[0]) == ("2024年5月21日", "上门", "李党员", "慰问金",
                                               "500.00 元")
    redacted = {f.key for f in CARE.fields if f.redact == "standard"}
    assert redacted == {"description", "measures"}
    assert {f.key for f in VISIT.fields if f.redact == "standard"} == {"findings", "follow_up"}


# -- visits ------------------------------------------------------------------------------------
def test_a_visit_moves_the_cases_next_visit_in_the_same_batch(
        session: Session, care: CareService, people: dict[str, str]) -> None:
    case_id = care.add_case(case_values(people))
    frames = session.vault.store._journal_frames
    care.add_visit(case_id, visit_values(people, next_visit="2024-06-10"))
    assert session.vault.store._journal_frames == frames + 1
    doc = care.get(case_id)
    assert doc is not None and doc["next_visit"] == "2024-06-10"
    assert care.last_visit(case_id) == "2024-05-20"


def test_visit_validation(care: CareService, people: dict[str, str]) -> None:
    case_id = care.add_case(case_values(people))
    cases = {
        "date_before_case": (visit_values(people, date="2024-04-01"),
                             ("date", "care.check.date_order")),
        "next_not_after": (visit_values(people, next_visit="2024-05-20"),
                           ("next_visit", "care.check.after")),
        "money_no_amount": (visit_values(people, support="money"),
                            ("amount", "care.check.amount_needed")),
        "amount_no_support": (visit_values(people, amount="100"),
                              ("amount", "care.check.amount_without_support")),
        "counselling_amount": (visit_values(people, support="counselling", amount="100"),
                               ("amount", "care.check.amount_without_support")),
        "bad_amount": (visit_values(people, support="money", amount="12.345"),
                       ("amount", "amount.precision")),
        "future": (visit_values(people, date="2099-01-01"), ("date", "care.check.future")),
    }
    for name, (values, expected) in cases.items():
        problems = care.check_visit(case_id, values)
        assert (problems[0].field, problems[0].key) == expected, name
    care.add_visit(case_id, visit_values(people, support="goods", amount="300"))


def test_deleting_a_case_takes_its_visits_in_one_batch(
        session: Session, care: CareService, people: dict[str, str]) -> None:
    case_id = care.add_case(case_values(people))
    for day in ("2024-05-10", "2024-05-20"):
        care.add_visit(case_id, visit_values(people, date=day))
    frames = session.vault.store._journal_frames
    care.delete_case(case_id)
    assert session.vault.store._journal_frames == frames + 1
    assert len(care) == 0 and care.visits() == []


def test_a_failed_batch_leaves_memory_unchanged(
        care: CareService, people: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    case_id = care.add_case(case_values(people))

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(care._part, "update", broken)
    with pytest.raises(OSError):
        care.add_visit(case_id, visit_values(people, next_visit="2024-06-10"))
    assert care.visits() == []
    doc = care.get(case_id)
    assert doc is not None and doc["next_visit"] == "2024-06-03"


# -- urgency, reminders, totals ---------------------------------------------------------------
def test_the_list_is_sorted_by_urgency(care: CareService, people: dict[str, str]) -> None:
    ids = {
        "ordinary_old": care.add_case(case_values(people, severity="ordinary",
                                                  opened_on="2024-01-01")),
        "serious_recent": care.add_case(case_values(people, opened_on="2024-05-25")),
        "serious_old": care.add_case(case_values(people, opened_on="2024-03-01")),
        "extreme": care.add_case(case_values(people, severity="extreme", opened_on="2024-05-30")),
        "resolved": care.add_case(case_values(people, severity="extreme", status="resolved")),
    }
    care.add_visit(ids["serious_old"], visit_values(people, date="2024-05-28"))
    order = [row.id for row in care.cases(CareQuery(status=""))]
    names = {v: k for k, v in ids.items()}
    assert [names[i] for i in order] == [
        "extreme", "serious_recent", "serious_old", "ordinary_old", "resolved"]
    assert [names[r.id] for r in care.cases()] == [
        "extreme", "serious_recent", "serious_old", "ordinary_old"]
    extreme = care.cases(CareQuery(status="", severity="extreme", hardship="economic"))
    assert [r.muted for r in extreme] == [False, True]


def test_reminders_at_their_boundary(care: CareService, people: dict[str, str]) -> None:
    for day in ("2024-05-30", "2024-05-31", "2024-06-01", "2024-06-03", "2024-06-04"):
        care.add_case(case_values(people, person="", name=f"人{day[-2:]}", next_visit=day))
    care.add_case(case_values(people, next_visit="2024-05-01", status="referred"))
    found = {r.who: (r.kind, r.days) for r in care.reminders()}
    assert found == {"人30": ("overdue", 2), "人31": ("overdue", 1), "人01": ("due", 0),
                     "人03": ("due", 2)}
    assert care.reminders()[0].message() == "人30的走访已逾期 2 天（应于2024年5月30日）"
    assert {r.who for r in care.reminders(dt.date(2024, 6, 2))} >= {"人04"}


def test_support_totals_by_period_and_type(care: CareService, people: dict[str, str]) -> None:
    case_id = care.add_case(case_values(people, opened_on="2024-03-01"))
    for day, support, amount in [("2024-04-30", "money", "999"), ("2024-05-01", "money", "200.10"),
                                 ("2024-05-15", "money", "0.20"), ("2024-05-20", "goods", "150"),
                                 ("2024-05-31", "counselling", ""), ("2024-06-01", "money", "5")]:
        care.add_visit(case_id, visit_values(people, date=day, support=support, amount=amount))
    totals = care.support_totals(dt.date(2024, 5, 1), dt.date(2024, 5, 31))
    assert totals.visits == 4
    assert totals.amount == Decimal("350.30")
    assert (totals.by_type["money"].count, totals.by_type["money"].amount) == (2, Decimal("200.30"))
    assert totals.by_type["counselling"].count == 1
    assert [v["date"] for v in care.visits_between(dt.date(2024, 5, 1), dt.date(2024, 5, 15))] \
        == ["2024-05-01", "2024-05-15"]


def test_summary_of_a_period(care: CareService, people: dict[str, str]) -> None:
    a = care.add_case(case_values(people, opened_on="2024-04-01"))
    care.add_case(case_values(people, opened_on="2024-05-10", hardship="illness",
                              severity="extreme"))
    care.add_visit(a, visit_values(people, method="phone"))
    care.edit_case(a, {"status": "resolved"})  # closed on TODAY, after the period
    summary = care.summary(dt.date(2024, 5, 1), dt.date(2024, 5, 31))
    # one student in two cases: one person followed, at the more severe of them
    assert (summary.following, summary.opened, summary.closed) == (1, 1, {})
    assert summary.by_hardship == {"economic": 1, "illness": 1}
    assert summary.by_severity == {"extreme": 1}
    assert summary.visits_by_method["phone"] == 1 and summary.people_visited == 1
    june = care.summary(dt.date(2024, 6, 1), dt.date(2024, 6, 30))
    assert june.closed == {"resolved": 1} and june.following == 1 and june.closed_people == 1


def test_the_sums_count_each_person_once(care: CareService, people: dict[str, str]) -> None:
    """A person in several cases, visited in each, several times: each figure
    of people counts them once; visits and amounts count every visit."""
    member = people["member"]
    cases = [care.add_case(case_values(people, hardship=h, opened_on="2024-05-02"))
             for h in ("economic", "illness")]
    care.add_case(case_values(people, person=member, hardship="family", severity="ordinary"))
    outsider = [care.add_case(case_values(people, person="", name="钱同学", category="student",
                                          hardship=h)) for h in ("study", "economic")]
    for case_id in [*cases, *outsider]:
        for day in ("2024-05-10", "2024-05-20"):
            care.add_visit(case_id, visit_values(people, date=day, support="money",
                                                 amount="100"))
    summary = care.summary(dt.date(2024, 5, 1), dt.date(2024, 5, 31))
    assert summary.following == 3 and summary.opened == 3  # 赵同学, 李党员, 钱同学
    assert summary.people_visited == 2 and summary.support.visits == 8
    assert summary.support.amount == Decimal("800")
    assert summary.by_hardship == {"economic": 2, "illness": 1, "family": 1, "study": 1}
    assert sum(summary.by_severity.values()) == summary.following
    for case_id in (*cases, *outsider):
        care.edit_case(case_id, {"status": "resolved"})
    june = care.summary(dt.date(2024, 6, 1), dt.date(2024, 6, 30))
    assert june.closed == {"resolved": 2} and june.closed_people == 2 and june.following == 1


def test_the_service_reloads_what_was_written(
        session: Session, care: CareService, people: dict[str, str]) -> None:
    case_id = care.add_case(case_values(people))
    care.add_visit(case_id, visit_values(people, support="money", amount="88.8"))
    again = session.care
    assert again is not care
    assert again.last_visit(case_id) == "2024-05-20"
    assert again.visits(case_id)[0].doc["amount"] == "88.80"


def test_visits_of_a_period(care: CareService, people: dict[str, str]) -> None:
    case_id = care.add_case(case_values(people, opened_on="2024-03-01"))
    for day in ("2024-04-30", "2024-05-01", "2024-05-31", "2024-06-01"):
        care.add_visit(case_id, visit_values(people, date=day))
    may = care.visits(start=dt.date(2024, 5, 1), end=dt.date(2024, 5, 31))
    assert [r.doc["date"] for r in may] == ["2024-05-31", "2024-05-01"]
    assert len(care.visits(case_id, end=dt.date(2024, 5, 1))) == 2
    assert len(care.visits(case_id)) == 4


# -- several hardships, several kinds of support (issue 17) -------------------------------------
def test_several_hardships_and_supports_and_the_old_single_values(
        care: CareService, people: dict[str, str], session: Session) -> None:
    both = care.add_case(case_values(people, hardship="疾病、经济困难"))
    assert care.get(both)["hardship"] == "economic,illness"  # type: ignore[index]
    # A case stored before, with one code, reads, filters and counts as it did.
    old = care.add_case(case_values(people, hardship="study", person="", name="钱同学",
                                    category="student"))
    assert CARE.field("hardship").display(care.get(old)["hardship"]) == "学业"  # type: ignore[index]
    assert {r.id for r in care.cases(CareQuery(hardship="illness"))} == {both}
    assert {r.id for r in care.cases(CareQuery(hardship="economic"))} == {both}
    assert {r.id for r in care.cases(CareQuery(hardship="study"))} == {old}
    summary = care.summary(dt.date(2024, 5, 1), TODAY)
    assert (summary.by_hardship["economic"], summary.by_hardship["illness"],
            summary.by_hardship["study"]) == (1, 1, 1)
    # One amount per visit, counted once, with the money; each support counted.
    care.add_visit(both, visit_values(people, support=["counselling", "money"], amount="300"))
    care.add_visit(both, visit_values(people, date="2024-05-21", support="goods",
                                      amount="50"))
    with pytest.raises(InvalidRecord) as caught:
        care.add_visit(both, visit_values(people, date="2024-05-22",
                                          support="counselling,study", amount="10"))
    assert first_problem(caught) == ("amount", "care.check.amount_without_support")
    totals = care.support_totals(dt.date(2024, 5, 1), TODAY)
    assert totals.visits == 2 and totals.amount == Decimal("350")
    assert (totals.by_type["money"].count, totals.by_type["money"].amount) == (1, Decimal("300"))
    assert (totals.by_type["counselling"].count, totals.by_type["counselling"].amount) == (
        1, Decimal("0"))
    assert totals.by_type["goods"].amount == Decimal("50")
    assert VISIT.field("support").display("money,counselling") == "慰问金、心理疏导"

"""The person record definition: ID numbers, phones, dates and their order."""


from __future__ import annotations

import datetime as dt

import pytest
from fixtures_app import (
    chinese,  # noqa: F401  (fixtures)
    id_number,
    person,
)
from hypothesis import given
from hypothesis import strategies as st

from branchtool import i18n
from branchtool.records import checks, dates
from branchtool.records.fields import Kind
from branchtool.records.person import PERSON


def problems(**values: object) -> dict[str, str]:
    """field -> first problem message of a person with ``values``."""
    out: dict[str, str] = {}
    for p in PERSON.clean({**person(), **values})[1]:
        out.setdefault(p.field, p.message())
    return out


# -- resident ID numbers (GB 11643) ------------------------------------------
def test_the_standards_example_id_is_valid() -> None:
    assert checks.id_check_digit("11010519491231002") == "X"
    assert checks.id_problem("11010519491231002X") is None


@given(st.dates(dt.date(1920, 1, 1), dt.date(2010, 12, 31)), st.integers(0, 999),
       st.sampled_from(["110105", "440106", "650102", "820000"]))
def test_every_single_digit_error_is_caught(born: dt.date, order: int, region: str) -> None:
    good = id_number(born, region=region, order=order)
    assert checks.id_problem(good) is None
    for i in range(17):
        wrong = str((int(good[i]) + 1) % 10)
        bad = good[:i] + wrong + good[i + 1:]
        assert checks.id_problem(bad) is not None


@pytest.mark.parametrize(("number", "key"), [
    ("110105491231002", "check.id.old_format"),
    ("1101051949123100", "check.id.length"),
    ("11010519491231002Y", "check.id.characters"),
    ("99010519491231002X", "check.id.region"),
    ("110105194902300021", "check.id.birth_date"),
    ("110105194912310021", "check.id.check_digit"),
])
def test_id_problems_are_named(number: str, key: str) -> None:
    assert checks.id_problem(number) == key


def test_id_gives_birth_date_and_gender_when_empty() -> None:
    values, found = PERSON.clean(person(id_number=id_number(dt.date(1990, 3, 7), order=124)))
    assert found == []
    assert values["birth_date"] == "1990-03-07"
    assert values["gender"] == "female"


def test_id_must_agree_with_birth_date_and_gender() -> None:
    found = problems(id_number=id_number(dt.date(1990, 3, 7), order=123),
                     birth_date="1990-03-08", gender="女")
    assert found == {"birth_date": "出生日期与身份证号不一致", "gender": "性别与身份证号不一致"}


def test_lower_case_x_and_spaces_are_normalised() -> None:
    values, found = PERSON.clean(person(id_number=" 110105 19491231 002x "))
    assert found == []
    assert values["id_number"] == "11010519491231002X"


def test_an_id_that_excel_turned_into_a_number_is_refused() -> None:
    found = problems(id_number=1.10105194912310e17)
    assert "末几位已丢失" in found["id_number"]


# -- phones --------------------------------------------------------------------
@pytest.mark.parametrize("raw", ["13800138000", "138 0013 8000", "138-0013-8000",
                                 "+86 138 0013 8000", 13800138000])
def test_mobile_numbers_in_usual_spellings(raw: object) -> None:
    values, found = PERSON.clean(person(phone=raw))
    assert found == []
    assert values["phone"] == "13800138000"


@pytest.mark.parametrize("raw", ["1380013800", "23800138000", "12800138000", "138001380001"])
def test_bad_mobile_numbers(raw: str) -> None:
    assert problems(phone=raw)["phone"] == "手机应为 11 位手机号码，以 1 开头"


def test_phone_with_letters() -> None:
    assert problems(phone="138oo138ooo")["phone"] == "手机只能包含数字"


# -- dates -----------------------------------------------------------------------
@pytest.mark.parametrize(("raw", "stored"), [
    ("2020-02-01", "2020-02-01"), ("2020/2/1", "2020-02-01"), ("2020.2.1", "2020-02-01"),
    ("2020年2月1日", "2020-02-01"), ("20200201", "2020-02-01"), (20200201, "2020-02-01"),
    ("2019.06", "2019-06"), ("2019年6月", "2019-06"),
    (dt.datetime(2020, 2, 1, 8, 30), "2020-02-01"),
    (43862, "2020-02-01"), ("2020-02-01 00:00:00", "2020-02-01"),
])
def test_dates_written_the_usual_ways(raw: object, stored: str) -> None:
    assert dates.parse(raw) == stored


@pytest.mark.parametrize("raw", ["2020-02-30", "2020-13-01", "yesterday", "1899-12-31", "2020"])
def test_not_dates(raw: str) -> None:
    assert dates.parse(raw) is None
    assert "不是有效日期" in problems(birth_date=raw)["birth_date"]


def test_dates_are_shown_the_chinese_way() -> None:
    field = PERSON.field("joined_on")
    assert field.display("2020-02-01") == "2020年2月1日"
    assert field.display("2019-06") == "2019年6月"
    i18n.set_language("en")
    assert field.display("2020-02-01") == "2020-02-01"


def test_development_dates_must_come_in_order() -> None:
    found = problems(stage="member", birth_date="1990-01-01", applied_on="2010-03-01",
                     activist_on="2010-09-01", candidate_on="2011-09-01",
                     joined_on="2011-06-01", confirmed_on="2012-06-01")
    assert found == {"joined_on": "入党日期不能早于确定发展对象日期"}


def test_month_precision_is_compared_at_month_precision() -> None:
    assert problems(stage="member", joined_on="2019-06", confirmed_on="2019-06-15") == {}
    assert "不能早于" in problems(stage="member", joined_on="2019-06-20",
                                  confirmed_on="2019-05")["confirmed_on"]


def test_dates_of_stages_not_reached_are_refused() -> None:
    found = problems(stage="activist", applied_on="2020-01-01", joined_on="2021-01-01")
    assert found == {"joined_on": "政治面貌为入党积极分子，不应已有入党日期"}


def test_an_applicant_must_be_eighteen() -> None:
    found = problems(stage="applicant", birth_date="2004-05-02", applied_on="2022-05-01")
    assert found == {"applied_on": "申请入党时应年满 18 周岁，请核对申请入党日期"}
    assert problems(stage="applicant", birth_date="2004-05-02", applied_on="2022-05-02") == {}


def test_dates_in_the_future_are_refused() -> None:
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    assert problems(birth_date=tomorrow) == {"birth_date": "出生日期不能晚于今天"}


# -- choices, required fields, headers -------------------------------------------------
@pytest.mark.parametrize(("raw", "code"), [
    ("正式党员", "member"), ("中共党员", "member"), ("中共预备党员", "probationary"),
    ("积极分子", "activist"), ("Full member", "member"), ("member", "member"),
    ("共青团员", "league"),
])
def test_choices_accept_labels_of_both_languages_and_aliases(raw: str, code: str) -> None:
    values, found = PERSON.clean(person(stage=raw))
    assert found == []
    assert values["stage"] == code


def test_an_unknown_choice_lists_the_allowed_ones() -> None:
    assert problems(category="校友")["category"] == "人员类别只能是：教工、学生、其他"
    i18n.set_language("en")
    assert problems(category="alumni")["category"] == \
        "Category must be one of: Staff, Student, Other"


def test_required_fields() -> None:
    found = PERSON.clean({"name": "  "})[1]
    assert [(p.field, p.message()) for p in found] == [
        ("name", "姓名不能为空"), ("category", "人员类别不能为空"), ("stage", "政治面貌不能为空"),
    ]


def test_problem_messages_never_hold_values() -> None:
    secret_id = "110105194912310021"
    found = PERSON.clean(person(id_number=secret_id, phone="99999", birth_date="tomorrow"))[1]
    for problem in found:
        assert secret_id not in problem.message() and "99999" not in problem.message()
        assert secret_id not in repr(problem)


@pytest.mark.parametrize(("header", "key"), [
    ("姓名", "name"), ("身份证号码", "id_number"), ("公民身份号码", "id_number"),
    ("手机号码", "phone"), ("入党时间", "joined_on"), ("*姓名", "name"),
    ("手机（必填）", "phone"), ("出生年月", "birth_date"), ("Date of birth", "birth_date"),
    ("政治面貌", "stage"), ("班级", "unit"), ("籍 贯", "native_place"),
])
def test_usual_headers_are_recognised(header: str, key: str) -> None:
    assert PERSON.match_header(header) == key


def test_unknown_headers_are_not_guessed() -> None:
    assert PERSON.match_header("宿舍楼") is None
    assert PERSON.match_header("") is None


def test_one_definition_gives_columns_in_order() -> None:
    columns = [f.key for f in PERSON.columns]
    assert columns[0] == "name"
    assert all(f.width > 0 for f in PERSON.columns)
    assert PERSON.field("id_number").kind is Kind.IDCARD

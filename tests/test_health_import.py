"""Importing a day's check-ins from a survey export: column guessing, matching
people, the rows that cannot be imported, midnight, one batch, and the CLI."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from fixtures_app import PASSPHRASE, chinese, id_number  # noqa: F401
from healthkit import NOW, TODAY, Watch, add_people, clock, watch  # noqa: F401

from branchtool.cli import main
from branchtool.errors import UserError
from branchtool.services import checkin_import as ci

WJX_HEADER = ("序号,提交答卷时间,所用时间,来源,1、姓名,2、手机号码,3、今日体温,4、是否有以下症状,"
              "5、当前所在地,6、所在省份,7、近14天是否到过中高风险地区,8、是否接触确诊或疑似病例")


def wjx(tmp_path: Path, rows: list[str], *, name: str = "survey.csv",
        encoding: str = "utf-8-sig") -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join([WJX_HEADER, *rows]) + "\n").encode(encoding))
    return path


def row(n: int, when: str, name: str, phone: str = "", temperature: str = "36.5",
        symptoms: str = "无", where: str = "在校", province: str = "", travel: str = "否") -> str:
    cells = (n, when, "80秒", "微信", name, phone, temperature, symptoms, where, province, travel,
             "否")
    return ",".join(str(c) for c in cells)


def test_a_wjx_export_is_understood(watch: Watch, tmp_path: Path) -> None:
    _, mapping = ci.read(wjx(tmp_path, [row(1, "2024/6/1 7:30:12", "张三")]))
    assert mapping == [None, "submitted", None, None, "name", "phone", "temperature",
                       "symptoms", "place", "province", "risk_travel", "case_contact"]


def test_rows_are_matched_by_id_phone_or_name(watch: Watch, tmp_path: Path) -> None:
    s = watch.session
    path = tmp_path / "ids.csv"
    path.write_text("姓名,身份证号,手机,体温,日期\n"
                    f"张三,{id_number(order=100)},,36.6,2024-06-01\n"
                    "李四,,13800000001,36.7,2024-06-01\n"
                    "王五,,,36.8,2024-06-01\n", encoding="utf-8")
    sheet, mapping = ci.read(path)
    plan = ci.plan(s.health, s.roster, sheet, mapping)
    assert [(r.row, r.person) for r in plan.rows] == [(2, watch.ids[0]), (3, watch.ids[1]),
                                                      (4, watch.ids[2])]
    assert plan.problems == 0 and plan.days == {"2024-06-01": 3}


def test_unmatched_ambiguous_and_invalid_rows_are_listed(watch: Watch, tmp_path: Path) -> None:
    s = watch.session
    add_people(s, ("张三",))  # a second 张三
    s.roster.archive(watch.ids[4], "left")  # 孙七
    path = wjx(tmp_path, [
        row(1, "2024/6/1 7:30", "张三"),  # two people of that name
        row(2, "2024/6/1 7:31", "周九"),  # nobody
        row(3, "2024/6/1 7:32", "李四", temperature="50"),  # out of range
        row(4, "2024/6/1 7:33", "孙七"),  # archived: not matched by name
        row(5, "2024/6/1 7:34", "王五", symptoms="发热┋干咳", travel="是"),
        row(6, "2024/6/1 7:35", "赵六", phone="13800000001"),  # phone of 李四
    ])
    plan = ci.plan(s.health, s.roster, *ci.read(path))
    assert [(i.row, i.key, i.written) for i in plan.ambiguous] == [
        (2, ci.SEVERAL, "张三"), (7, ci.MISMATCH, "赵六")]
    assert plan.ambiguous[0].reason() == "花名册中有 2 人同名，请指定是哪一位"
    assert [(i.row, i.key) for i in plan.unmatched] == [(3, ci.NO_MATCH), (5, ci.NO_MATCH)]
    assert [(b.row, b.problems[0].key) for b in plan.bad] == [(4, "temperature.range")]
    assert "50" not in plan.bad[0].reason()
    [ok] = plan.rows
    assert (ok.person, ok.values["symptoms"], ok.values["risk_travel"], ok.values["source"]) == (
        watch.ids[2], "fever,dry_cough", "yes", "import")
    ci.assign(plan, s.health, 2, watch.ids[0])  # the secretary picks the right 张三
    assert plan.ambiguous[0].row == 7 and len(plan.rows) == 2
    result = ci.commit(s.health, s.roster, plan)
    assert (result.added, result.updated, result.skipped) == (2, 0, 4)


def test_midnight_decides_the_day_and_the_later_answer_wins(watch: Watch,
                                                            tmp_path: Path) -> None:
    s = watch.session
    path = wjx(tmp_path, [
        row(1, "2024-05-31 23:59:59", "张三", temperature="36.6"),
        row(2, "2024-06-01 00:00:00", "张三", temperature="36.7"),
        row(3, "2024-06-01 08:00:00", "李四", temperature="38.1"),
        row(4, "2024-06-01 07:00:00", "李四", temperature="36.9"),  # earlier: replaced
    ])
    plan = ci.plan(s.health, s.roster, *ci.read(path))
    assert plan.days == {"2024-05-31": 1, "2024-06-01": 2}
    assert plan.superseded == [5]
    ci.commit(s.health, s.roster, plan)
    assert s.health.get("2024-05-31", watch.ids[0])["temperature"] == "36.6"
    assert s.health.get(TODAY, watch.ids[0])["at"] == "2024-06-01T00:00:00"
    assert s.health.get(TODAY, watch.ids[1])["temperature"] == "38.1"
    assert [a["rule"] for a in s.alerts.open()] == ["fever"]


def test_commit_is_one_frame_and_refuses_a_stale_plan(watch: Watch, tmp_path: Path) -> None:
    s = watch.session
    s.health.mark_normal(TODAY, watch.ids[1])
    path = wjx(tmp_path, [row(i, f"2024/6/1 7:3{i}", n) for i, n in
                          enumerate(("张三", "李四", "王五"))])
    plan = ci.plan(s.health, s.roster, *ci.read(path))
    stale = ci.plan(s.health, s.roster, *ci.read(path))
    before = watch.frames()
    result = ci.commit(s.health, s.roster, plan)
    assert watch.frames() == before + 1
    assert (result.added, result.updated) == (2, 1)
    with pytest.raises(UserError) as caught:
        ci.commit(s.health, s.roster, stale)
    assert caught.value.key == "checkin.import.stale"


def test_the_date_option_overrides_the_sheet(watch: Watch, tmp_path: Path) -> None:
    s = watch.session
    path = wjx(tmp_path, [row(1, "2024/6/1 7:30", "张三")])
    plan = ci.plan(s.health, s.roster, *ci.read(path), day="2024年5月30日")
    assert plan.days == {"2024-05-30": 1}
    for bad, key in (("2024-02-30", "checkin.import.bad_day"),
                     ("2024-06-02", "health.future_date")):
        with pytest.raises(UserError) as caught:
            ci.plan(s.health, s.roster, *ci.read(path), day=bad)
        assert caught.value.key == key


def test_sheets_it_cannot_use_are_refused(watch: Watch, tmp_path: Path) -> None:
    s = watch.session
    no_person = tmp_path / "a.csv"
    no_person.write_text("体温,日期\n36.5,2024-06-01\n", encoding="utf-8")
    with pytest.raises(UserError) as caught:
        ci.plan(s.health, s.roster, *ci.read(no_person))
    assert caught.value.key == "checkin.import.no_person_column"
    no_date = tmp_path / "b.csv"
    no_date.write_text("姓名,体温\n张三,36.5\n", encoding="utf-8")
    with pytest.raises(UserError) as caught:
        ci.plan(s.health, s.roster, *ci.read(no_date))
    assert caught.value.key == "checkin.import.no_date"
    broken = tmp_path / "c.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(UserError) as caught:
        ci.read(broken)
    assert caught.value.key == "table.bad_xlsx"
    assert s.health.day(TODAY) == {}


def test_an_xlsx_with_date_cells_and_number_cells(watch: Watch, tmp_path: Path) -> None:
    s = watch.session
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["每日健康打卡统计"])  # a title row above the header
    sheet.append(["提交时间", "姓名", "体温", "症状", "隔离状态"])
    sheet.append([dt.datetime(2024, 6, 1, 8, 15), "张三", 36.5, "无", "无"])
    sheet.append([dt.datetime(2024, 5, 31, 23, 59), "李四", 37.3, "干咳", "居家隔离"])
    path = tmp_path / "survey.xlsx"
    book.save(path)
    plan = ci.plan(s.health, s.roster, *ci.read(path))
    assert [(r.row, r.values["date"], r.values["temperature"]) for r in plan.rows] == [
        (3, "2024-06-01", "36.5"), (4, "2024-05-31", "37.3")]
    assert plan.rows[1].values["isolation"] == "home_quarantine"


def test_gb18030_csv(watch: Watch, tmp_path: Path) -> None:
    path = wjx(tmp_path, [row(1, "2024/6/1 7:30", "王五")], encoding="gb18030")
    plan = ci.plan(watch.session.health, watch.session.roster, *ci.read(path))
    assert [r.person for r in plan.rows] == [watch.ids[2]]


# -- the CLI ---------------------------------------------------------------------------------
@pytest.fixture
def cli(watch: Watch, monkeypatch: pytest.MonkeyPatch) -> Watch:
    """The watch's vault, locked, for the CLI to open (today pinned by the
    files' dates, not the clock)."""
    watch.session.lock()
    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", PASSPHRASE)
    return watch


def run(w: Watch, *args: str) -> int:
    return main(["--data-dir", str(w.session.path), *args])


def checkins_on(w: Watch, day: str, capsys: pytest.CaptureFixture[str]) -> list[dict]:
    capsys.readouterr()
    assert run(w, "list", "checkins", "--date", day, "--json") == 0
    return json.loads(capsys.readouterr().out)


def test_cli_import_stores_nothing_while_rows_have_problems(
        cli: Watch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = wjx(tmp_path, [row(1, "2024/5/31 7:30", "张三"), row(2, "2024/5/31 7:31", "周九")])
    assert run(cli, "checkin", "import", str(path)) == 1
    captured = capsys.readouterr()
    assert "第 3 行（周九）：花名册中找不到此人" in captured.out  # the name to find the row by
    assert "未导入任何记录" in captured.err
    assert checkins_on(cli, "2024-05-31", capsys) == []
    assert run(cli, "checkin", "import", str(path), "--dry-run") == 1
    capsys.readouterr()
    assert run(cli, "checkin", "import", str(path), "--skip-problems", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["matched"], report["stored"], report["unmatched"]) == (
        1, True, [{"row": 3, "written": "周九", "reason": ci.NO_MATCH}])
    [stored] = checkins_on(cli, "2024-05-31", capsys)
    assert (stored["person_name"], stored["source"]) == ("张三", "import")
    assert "note" in stored  # listed in full on the secretary's own machine
    capsys.readouterr()
    assert run(cli, "list", "checkins", "--date", "2024-05-31", "--json",
               "--redaction", "standard") == 0
    [standard] = json.loads(capsys.readouterr().out)
    assert "note" not in standard and "symptom_other" not in standard


def test_cli_import_of_a_clean_file(cli: Watch, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    path = wjx(tmp_path, [row(1, "2024/5/31 7:30", "张三"), row(2, "2024/5/31 7:31", "李四")])
    assert run(cli, "checkin", "import", str(path), "--dry-run") == 0
    assert checkins_on(cli, "2024-05-31", capsys) == []
    assert run(cli, "checkin", "import", str(path), "--date", "2024-05-30") == 0
    assert "已导入" in capsys.readouterr().out
    assert len(checkins_on(cli, "2024-05-30", capsys)) == 2
    assert run(cli, "checkin", "import", str(tmp_path / "missing.csv")) == 1
    assert run(cli, "checkin", "import", str(path), "--date", "someday") == 1

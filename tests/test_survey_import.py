"""Survey exports as the tools write them (问卷星, 腾讯问卷, 金数据, 麦客, a class's
own sheet): imported with no hand mapping, every answer spelling understood,
unknown answers held and mapped once, templates applied the next day, and the
day's figures right afterwards."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from fixtures_app import PASSPHRASE, chinese, id_number  # noqa: F401
from healthkit import NAMES, TODAY, Watch, add_people, clock, watch  # noqa: F401
from surveykit import (
    DAY,
    MORNING,
    SCHOOL,
    class_answers,
    class_xlsx,
    day_answers,
    jinshuju_xlsx,
    mikecrm_csv,
    tencent_xlsx,
    wjx_csv,
    wjx_days_xlsx,
    wjx_xlsx,
    write_csv,
)

from branchtool import tables
from branchtool.cli import main
from branchtool.services import checkin_import as ci
from branchtool.services import survey_headers as sh
from branchtool.services import survey_values as sv

TABLES = Path(__file__).parent / "tables"


def numbered(watch: Watch) -> Watch:
    """Give everyone a 学号 (the phones are 1380000000n, ID numbers order 100+n)."""
    for person_id, number in zip(watch.ids, SCHOOL, strict=True):
        watch.session.roster.edit(person_id, {"school_number": number})
    return watch


def run(w: Watch, *args: str) -> int:
    return main(["--data-dir", str(w.session.path), *args])


@pytest.fixture
def cli(watch: Watch, monkeypatch: pytest.MonkeyPatch) -> Watch:
    numbered(watch)
    watch.session.lock()
    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", PASSPHRASE)
    return watch


BUILDERS = {
    "wjx.xlsx": lambda p, a: wjx_xlsx(p, a),
    "wjx-gbk.csv": lambda p, a: wjx_csv(p, a, "gbk"),
    "wjx-bom.csv": lambda p, a: wjx_csv(p, a, "utf-8-sig"),
    "tencent.xlsx": lambda p, a: tencent_xlsx(p, a),
    "jinshuju.xlsx": lambda p, a: jinshuju_xlsx(p, a),
    "mikecrm.csv": lambda p, a: mikecrm_csv(p, a),
}


# -- each tool's layout, end to end through the CLI ------------------------------------------
@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_each_tools_export_imports_with_no_hand_mapping(
        cli: Watch, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    path = BUILDERS[name](tmp_path / name, day_answers())
    assert run(cli, "checkin", "import", str(path), "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["stored"] and report["matched"] == 4
    assert (report["unmatched"], report["ambiguous"], report["invalid"], report["held"]) == (
        [], [], [], [])
    assert report["superseded"] == [3]  # 李四's first answer: the later one stands
    assert [c["name"] for c in report["newly_abnormal"]] == ["张三", "王五"]
    assert report["missing"] == {DAY.isoformat(): ["孙七"]}
    assert [r["name"] for r in report["late"]] == ["赵六"]  # after 10:00
    assert run(cli, "health", "summary", "--date", DAY.isoformat(), "--json") == 0
    figures = json.loads(capsys.readouterr().out)
    assert {k: figures[k] for k in ("expected", "reported", "missing", "fever", "symptom",
                                    "risk", "quarantine")} == {
        "expected": 5, "reported": 4, "missing": 1, "fever": 1, "symptom": 1, "risk": 1,
        "quarantine": 1}


@pytest.mark.parametrize("name", ["wjx.xls", "wjx.ods", "tencent.xls", "tencent.ods",
                                  "class.xls", "class.ods"])
def test_each_tools_export_saved_as_xls_or_ods_imports_as_its_xlsx(
        cli: Watch, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    """The same morning as LibreOffice saved it (tests/tables/): the same columns,
    the same answers read, the same preview as the tool's own .xlsx."""
    tool = name.split(".")[0]
    xlsx = MORNING[tool](tmp_path / f"{tool}.xlsx")
    reports = []
    for path in (xlsx, TABLES / name):
        assert run(cli, "checkin", "import", str(path), "--dry-run", "--json") == 0
        report = json.loads(capsys.readouterr().out)
        reports.append({k: v for k, v in report.items() if k not in ("file", "sheet")})
    assert reports[0] == reports[1]
    report = reports[1]
    assert (report["matched"], report["unmatched"], report["invalid"], report["held"]) == (
        4, [], [], [])
    if tool != "class":  # a class's sheet has no submission time: no twice, no late
        assert report["superseded"] == [3] and [r["name"] for r in report["late"]] == ["赵六"]
    assert report["missing"] == {DAY.isoformat(): ["孙七"]}


def test_a_template_kept_from_the_xlsx_applies_to_the_ods(
        cli: Watch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The questionnaire is known by its questions, whatever file it came in."""
    xlsx = MORNING["wjx"](tmp_path / "wjx.xlsx")
    assert run(cli, "checkin", "import", str(xlsx), "--map", "来源=备注", "--json") == 0
    capsys.readouterr()
    assert run(cli, "checkin", "import", str(TABLES / "wjx.ods"), "--dry-run", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["template"] == "wjx.xlsx" and report["matched"] == 4


def test_a_workbook_of_several_days_asks_which_sheet(
        cli: Watch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = DAY - dt.timedelta(days=1)
    path = wjx_days_xlsx(tmp_path / "打卡汇总.xlsx", {
        f"{day.month}月{day.day}日": day_answers(day) for day in (before, DAY)},
        notes="每天的导出各放一页。")
    with pytest.raises(tables.SheetChoice) as caught:
        ci.prepare(path)
    assert caught.value.sheets == ["5月30日", "5月31日"]  # not the notes
    assert run(cli, "checkin", "import", str(path), "--json") == 1
    assert "--sheet" in capsys.readouterr().err
    assert run(cli, "checkin", "import", str(path), "--sheet", "5月31日", "--json") == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["sheet"] == "5月31日" and report["stored"] and report["matched"] == 4
    assert "读取的是工作表“5月31日”" in captured.err
    assert report["days"] == {DAY.isoformat(): 4}


def test_a_survey_sheet_beside_a_sheet_of_notes_is_read_without_asking(tmp_path: Path) -> None:
    import openpyxl

    path = MORNING["tencent"](tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(path)
    book.create_sheet("统计", 0).append(["应报", 5, "已报", 4])
    book.save(path)
    prepared = ci.prepare(path)
    assert prepared.sheet.sheet == "Sheet" and prepared.tool == "tencent"
    assert prepared.sheet.note_texts() == ["读取的是工作表“Sheet”（文件中共 2 个工作表）。"]


def test_a_class_sheet_with_a_title_row_and_its_own_words(
        cli: Watch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = class_xlsx(tmp_path / "2101班.xlsx", class_answers(), DAY)
    sheet, mapping = ci.read(path)
    assert sheet.headers[:3] == ["序号", "学号", "姓名"]
    assert mapping == [None, "school_number", "name", "temperature", "symptoms", "location",
                       "risk_travel", "note", "date"]
    assert run(cli, "checkin", "import", str(path), "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["held"] == [] and report["invalid"] == []
    assert run(cli, "health", "summary", "--date", DAY.isoformat(), "--json") == 0
    figures = json.loads(capsys.readouterr().out)
    assert (figures["reported"], figures["fever"], figures["risk"]) == (4, 1, 2)


# -- answers -----------------------------------------------------------------------------
@pytest.mark.parametrize(("raw", "stored"), [
    ("36.5", "36.5"), ("36.5℃", "36.5"), ("36.5度", "36.5"), ("36.5 °C", "36.5"),
    (36.5, "36.5"), ("37", "37.0"), ("36,8", "36.8"), ("３６.６", "36.6"), ("38.2°", "38.2"),
    ("体温正常", None), ("37.3℃以下", None),
])
def test_temperatures_as_written(watch: Watch, raw: object, stored: str | None) -> None:
    answer = sv.interpret("temperature", raw)
    if stored is None:  # not a number: held for mapping
        assert answer.held == [str(raw)]
        return
    values, problems = ci.CHECKIN.clean({**answer.cells, "date": "2024-05-31"})
    assert problems == [] and values["temperature"] == stored


@pytest.mark.parametrize("raw", ["是", "有", "Y", "y", "yes", "是的", "是（请在备注说明）", "到过"])
def test_yes_spelled_every_way(raw: str) -> None:
    assert sv.interpret("risk_travel", raw).cells == {"risk_travel": "yes"}
    assert sv.interpret("case_contact", raw).cells == {"case_contact": "yes"}


@pytest.mark.parametrize("raw", ["否", "无", "N", "n", "没有", "否，一直在校", "未到过", "（空）",
                                 "N/A"])
def test_no_spelled_every_way(raw: str) -> None:
    assert sv.interpret("risk_travel", raw).cells == {"risk_travel": "no"}


@pytest.mark.parametrize("raw", ["无", "无异常", "正常", "健康", "（空）", "(空)", "N/A", "没有",
                                 "以上都没有", "身体健康"])
def test_nothing_spelled_every_way(raw: str) -> None:
    answer = sv.interpret("symptoms", raw)
    assert answer.held == [] and answer.cells["symptoms"] == []


@pytest.mark.parametrize("raw", ["发热┋干咳", "发热|干咳", "发热，干咳", "发热、干咳", "发热;干咳",
                                 "发烧；咳嗽", "发热,干咳", ["发热", "干咳"]])
def test_multiple_answers_joined_every_way(raw: object) -> None:
    assert sv.interpret("symptoms", raw).cells["symptoms"] == ["dry_cough", "fever"]


def test_other_with_its_words_and_an_unknown_symptom() -> None:
    answer = sv.interpret("symptoms", "发热┋其他〖流鼻涕〗┋头晕")
    assert answer.cells == {"symptoms": ["fever", "other"], "symptom_other": "流鼻涕"}
    assert answer.held == ["头晕"]


@pytest.mark.parametrize(("raw", "code"), [
    ("否", "none"), ("无", "none"), ("居家隔离", "home_quarantine"),
    ("集中隔离", "central_quarantine"), ("医学观察", "medical_observation"),
    ("居家健康监测", "home_monitoring"), ("是，集中隔离观察中", "central_quarantine"),
    ("未隔离", "none"),
])
def test_quarantine_states(raw: str, code: str) -> None:
    assert sv.interpret("isolation", raw).cells == {"isolation": code}


@pytest.mark.parametrize(("raw", "cells"), [
    ("广东省-广州市-天河区", {"province": "广东省", "city": "广州市"}),
    ("湖北省 武汉市 洪山区 珞喻路1号", {"province": "湖北省", "city": "武汉市"}),
    ("湖北武汉", {"province": "湖北省", "city": "武汉"}),
    ("北京市-北京市-海淀区", {"province": "北京市", "city": "北京市"}),
    ("四川省成都市武侯区", {"province": "四川省", "city": "成都市"}),
    ("在校", {"location": "campus"}),
    ("学校东区宿舍", {"location": "campus"}),
    ("在家（河南省郑州市）", {"location": "home"}),
    ("广东省-深圳市-南山区（在家）", {"province": "广东省", "city": "深圳市", "location": "home"}),
    ("新加坡", {}),
])
def test_places_as_written(raw: str, cells: dict[str, str]) -> None:
    answer = sv.interpret("place", raw)
    assert answer.held == []
    assert {k: v for k, v in answer.cells.items() if k != "place"} == cells
    assert answer.cells["place"] == raw


def test_the_place_column_never_refuses_a_row(watch: Watch, tmp_path: Path) -> None:
    """The first complaint: 目前所在地 with 省-市-区 answers refused every row."""
    path = write_csv(tmp_path / "a.csv", [
        ["提交答卷时间", "1、姓名", "5、目前所在地", "6、当前所在地"],
        ["2024/5/31 7:30", "张三", "广东省-广州市-天河区", "x"],
        ["2024/5/31 7:31", "李四", "在家", "y"],
    ])
    plan = ci.plan(watch.session.health, watch.session.roster, *ci.read(path))
    assert plan.problems == 0 and len(plan.rows) == 2
    first, second = (r.values for r in plan.rows)
    assert (first["province"], first["city"], first["place"]) == ("广东省", "广州市",
                                                                   "广东省-广州市-天河区")
    assert second["location"] == "home"


# -- headers -------------------------------------------------------------------------------
@pytest.mark.parametrize(("header", "key"), [
    ("1、您的姓名：", "name"), ("Q2.学号", "school_number"), ("（3）手机号码", "phone"),
    ("第4题 今日体温", "temperature"), ("5、今日身体状况（可多选）", "symptoms"),
    ("6、目前所在地", "place"), ("当前所在地", "place"), ("是否在校", "location"),
    ("7、近14天是否到过中高风险地区？", "risk_travel"),
    ("8、是否接触过新冠肺炎确诊或疑似病例", "case_contact"),
    ("9、目前隔离状态：", "isolation"), ("10、其他需要说明的情况：", "note"),
    ("提交答卷时间", "submitted"), ("填写时间", "submitted"), ("结束答题时间", "submitted"),
    ("序号", None), ("所用时间", None), ("来源", None), ("来源详情", None), ("来自IP", None),
    ("填写设备", None), ("紧急联系人姓名", None), ("家长手机号", None), ("工号", "school_number"),
    ("身份证号码", "id_number"), ("Q3.体温(℃)", "temperature"),
])
def test_headers_as_the_tools_write_them(header: str, key: str | None) -> None:
    assert sh.match_question(header) == key


def test_one_column_per_option_ticked_with_1_0_or_yes_no(watch: Watch, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "opt.csv", [
        ["提交时间", "姓名", "5、症状:发热", "5、症状:干咳", "5、症状:无", "6、今日身体状况(乏力)",
         "6、今日身体状况(腹泻)"],
        ["2024-05-31 07:00", "张三", "1", "0", "0", "", ""],
        ["2024-05-31 07:01", "李四", "否", "是", "否", "", ""],
        ["2024-05-31 07:02", "王五", "0", "0", "1", "", ""],
    ])
    sheet, mapping = ci.read(path)
    assert mapping[2:5] == ["symptoms|发热", "symptoms|干咳", "symptoms|无"]
    assert mapping[5:] == ["symptoms|乏力", "symptoms|腹泻"]  # a second symptoms question
    plan = ci.plan(watch.session.health, watch.session.roster, sheet, mapping)
    assert [r.values["symptoms"] for r in plan.rows] == ["fever", "dry_cough", ""]


# -- people --------------------------------------------------------------------------------
def test_a_name_typed_wrong_but_phone_or_school_number_right(watch: Watch,
                                                            tmp_path: Path) -> None:
    numbered(watch)
    path = write_csv(tmp_path / "typo.csv", [
        ["提交时间", "姓名", "学号", "手机"],
        ["2024-05-31 07:00", "张珊", "", "13800000000"],  # same sound: 张三's phone
        ["2024-05-31 07:01", "李思", SCHOOL[1], ""],  # one character off: 李四's 学号
        ["2024-05-31 07:02", "赵六", "", "13800000002"],  # a different person's phone
    ])
    plan = ci.plan(watch.session.health, watch.session.roster, *ci.read(path))
    assert [(r.row, r.person) for r in plan.rows] == [(2, watch.ids[0]), (3, watch.ids[1])]
    assert [(r.row, r.written) for r in plan.renamed] == [(2, "张珊"), (3, "李思")]
    [odd] = plan.ambiguous
    assert (odd.row, odd.written, odd.key) == (4, "赵六", ci.MISMATCH)


def test_rows_matching_nobody_or_several_or_impossible_are_listed_with_the_name(
        watch: Watch, tmp_path: Path) -> None:
    add_people(watch.session, ("张三",))
    path = write_csv(tmp_path / "p.csv", [
        ["提交答卷时间", "1、姓名", "2、体温"],
        ["2024/5/31 7:30", "张三", "36.5"],  # two of that name
        ["2024/5/31 7:31", "周九", "36.5"],  # nobody
        ["2024/5/31 7:32", "李四", "3.66"],  # impossible
        ["2024/5/31 7:33", "王五", "36.7"],
    ])
    plan = ci.plan(watch.session.health, watch.session.roster, *ci.read(path))
    assert [(i.row, i.written) for i in plan.ambiguous] == [(2, "张三")]
    assert [(i.row, i.written) for i in plan.unmatched] == [(3, "周九")]
    assert [(i.row, i.written, i.key) for i in plan.bad] == [(4, "李四", "temperature.range")]
    assert "3.66" not in plan.bad[0].reason()  # messages carry no values
    assert len(plan.rows) == 1


def test_a_sheet_with_only_an_unknown_value_in_one_column(
        cli: Watch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Imported, the value held and grouped; mapped once with --value, kept in
    the template, and the next day's file needs nothing."""
    rows = [["提交答卷时间", "1、姓名", "2、今日体温"]]
    rows += [[f"2024/5/31 7:3{i}", n, "体温正常"] for i, n in enumerate(NAMES[:3])]
    rows.append(["2024/5/31 7:40", NAMES[3], "36.6"])
    path = write_csv(tmp_path / "d1.csv", rows)
    assert run(cli, "checkin", "import", str(path)) == 0
    out = capsys.readouterr().out
    assert "3 行的体温写的是『体温正常』" in out
    assert run(cli, "list", "checkins", "--date", "2024-05-31", "--json") == 0
    assert len(json.loads(capsys.readouterr().out)) == 4  # imported all the same
    # mapped in one step: every row that wrote it
    assert run(cli, "checkin", "import", str(path), "--value", "体温:体温正常=", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["held"] == [] and report["template"]
    # the next day: same questionnaire, nothing to say
    rows2 = [["提交答卷时间", "1、姓名", "2、今日体温"],
             ["2024/6/1 7:30", NAMES[0], "体温正常"], ["2024/6/1 7:31", NAMES[1], "37.8"]]
    assert run(cli, "checkin", "import", str(write_csv(tmp_path / "d2.csv", rows2)),
               "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["held"] == [] and report["matched"] == 2
    assert run(cli, "checkin", "template", "show", "1") == 0
    assert "『体温正常』 → 不记录" in capsys.readouterr().out


def test_a_template_follows_a_renumbered_questionnaire(watch: Watch, tmp_path: Path) -> None:
    s = watch.session
    path = write_csv(tmp_path / "a.csv", [
        ["序号", "提交答卷时间", "1、姓名", "2、体温", "3、你最喜欢的食堂", "4、是否到过风险区域"],
        ["1", "2024/5/31 7:30", "张三", "36.5", "一食堂", "去过"]])
    prepared = ci.prepare(path, s.survey_templates)
    assert prepared.template is None and prepared.tool == "wjx"
    mapping = list(prepared.mapping)
    assert mapping[5] == "risk_travel"
    mapping[4] = "note"  # by hand: the canteen goes to the note
    plan = ci.plan(s.health, s.roster, prepared.sheet, mapping)
    ci.commit(s.health, s.roster, plan)
    ci.remember(s.survey_templates, prepared, mapping, prepared.values, plan)
    moved = write_csv(tmp_path / "b.csv", [
        ["序号", "提交答卷时间", "1、姓名", "2、学号", "3、体温", "4、你最喜欢的食堂",
         "5、是否到过风险区域"],
        ["1", "2024/6/1 7:30", "李四", "", "36.5", "二食堂", "否"]])
    again = ci.prepare(moved, s.survey_templates)
    assert again.template is not None and again.template.name == "a.csv"
    assert again.mapping == [None, "submitted", "name", "school_number", "temperature", "note",
                             "risk_travel"]


def test_the_preview_says_who_is_newly_abnormal_late_twice_and_missing(
        watch: Watch, tmp_path: Path) -> None:
    s = numbered(watch).session
    s.health.record(DAY - dt.timedelta(days=1), watch.ids[0], {"temperature": "38.0"})
    path = wjx_xlsx(tmp_path / "w.xlsx", day_answers())
    plan = ci.plan(s.health, s.roster, *ci.read(path))
    reasons = {c.person: c.reasons for c in plan.concerns}
    assert reasons == {watch.ids[0]: ["symptom"],  # the fever was there yesterday
                       watch.ids[2]: ["risk_travel", "quarantine"]}
    assert [r.person for r in plan.late] == [watch.ids[3]]
    assert [(t.person, t.kept, t.dropped) for t in plan.twice] == [(watch.ids[1], 4, [3])]
    assert plan.missing == {DAY.isoformat(): [watch.ids[4]]}
    before = watch.frames()
    ci.commit(s.health, s.roster, plan)
    assert watch.frames() == before + 1  # one batch


def test_cli_maps_a_column_by_hand_and_keeps_it(cli: Watch, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(tmp_path / "q.csv", [
        ["提交时间", "1、姓名", "2、今天怎么样", "3、体温"],
        ["2024-05-31 07:00", "张三", "有点咳嗽", "36.5"]])
    assert run(cli, "checkin", "import", str(path), "--map", "今天怎么样=备注",
               "--json") == 0
    capsys.readouterr()
    assert run(cli, "checkin", "template", "list") == 0
    listing = capsys.readouterr().out
    assert "1. q.csv：3 个问题" in listing
    # the next file of the questionnaire: the column goes to the note by itself
    again = write_csv(tmp_path / "q2.csv", [
        ["提交时间", "1、姓名", "2、今天怎么样", "3、体温"],
        ["2024-06-01 07:00", "李四", "挺好", "36.6"]])
    assert run(cli, "checkin", "import", str(again), "--dry-run") == 0
    assert "套用问卷模板“q.csv”" in capsys.readouterr().out
    assert run(cli, "list", "checkins", "--date", "2024-05-31", "--json") == 0
    assert run(cli, "checkin", "template", "delete", "1") == 0
    assert "已删除模板“q.csv”" in capsys.readouterr().out
    assert run(cli, "checkin", "template", "show", "1") == 1
    assert run(cli, "checkin", "import", str(again), "--value", "体温:x=hot") == 1
    assert "不能记为" in capsys.readouterr().err

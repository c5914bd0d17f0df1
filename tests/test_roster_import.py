"""Importing and exporting the roster: headers, bad rows, duplicates, encodings,
one atomic batch, and the round trip."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from fixtures_app import (  # noqa: F401  (fixtures)
    BRANCH_CODE,
    BRANCH_NAME,
    PASSPHRASE,
    WORK_FACTOR,
    chinese,
    id_number,
    person,
    roster,
    session,
    vault_dir,
)

from branchtool import i18n
from branchtool.errors import UserError
from branchtool.services import roster_io
from branchtool.services.roster import ALL_STATUSES, RosterQuery, RosterService
from branchtool.session import Session
from storage.errors import WriteFailed

ID_A = id_number(dt.date(1990, 1, 1), order=11)
ID_B = id_number(dt.date(1991, 2, 2), order=22)
ID_C = id_number(dt.date(1992, 3, 3), order=33)
HEADERS = ["序号", "姓名", "性别", "身份证号码", "手机号码", "人员类别", "政治面貌", "入党时间",
           "宿舍"]


def write_xlsx(path: Path, rows: list[list[object]], *, title: str | None = None) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def sample(tmp_path: Path) -> Path:
    """A class roster the way a secretary gets it: a title row, then headers;
    row numbers below are Excel's."""
    return write_xlsx(tmp_path / "名单.xlsx", [
        HEADERS,
        [1, "张三", "男", ID_A, "13800138000", "学生", "中共党员", "2019.06", "1号楼"],  # row 3
        [2, "李四", "女", ID_B, "13900139000", "学生", "积极分子", None, "2号楼"],  # row 4
        [3, "", "男", ID_C, None, "学生", "团员", None, None],  # row 5: no name
        [4, "王五", "男", "110105194912310021", None, "学生", "群众", None, None],  # 6: check digit
        [None, None, None, None, None, None, None, None, None],  # an empty row is skipped
        [5, "赵六", "女", None, "12345", "学生", "群众", None, None],  # row 8: phone
        [6, "钱七", "男", ID_A, None, "学生", "群众", None, None],  # row 9: repeats row 3
        [7, "孙八", "女", None, None, "校友", "群众", "明年", None],  # row 10: two problems
    ], title="计算机学院2021级1班党员名单")


def test_usual_headers_are_mapped_below_a_title_row(tmp_path: Path) -> None:
    sheet, mapping = roster_io.read(sample(tmp_path))
    assert sheet.headers == HEADERS
    assert mapping == [None, "name", "gender", "id_number", "phone", "category", "stage",
                       "joined_on", None]
    assert sheet.rows[0][0] == 3


def test_plan_lists_bad_rows_with_row_numbers_and_reasons(tmp_path: Path,
                                                          roster: RosterService) -> None:
    sheet, mapping = roster_io.read(sample(tmp_path))
    plan = roster_io.plan(roster, sheet, mapping)
    assert [r.row for r in plan.new] == [3, 4]
    assert [(b.row, b.reason()) for b in plan.bad] == [
        (5, "姓名不能为空"),
        (6, "身份证号校验位不对，请核对每一位"),
        (8, "手机应为 11 位手机号码，以 1 开头"),
        (9, "身份证号与第 3 行重复"),
        (10, "人员类别只能是：教工、学生、其他；"
             "入党日期不是有效日期，请写成 2020-02-01 或 2020年2月1日"),
    ]
    assert plan.new[0].values["joined_on"] == "2019-06"
    assert plan.new[0].values["stage"] == "member"


def test_reasons_never_quote_the_cells(tmp_path: Path, roster: RosterService) -> None:
    sheet, mapping = roster_io.read(sample(tmp_path))
    for bad in roster_io.plan(roster, sheet, mapping).bad:
        assert "110105194912310021" not in bad.reason() and "12345" not in bad.reason()


def test_commit_writes_the_new_people(tmp_path: Path, session: Session) -> None:
    sheet, mapping = roster_io.read(sample(tmp_path))
    result = roster_io.commit(session.roster, roster_io.plan(session.roster, sheet, mapping))
    assert result == roster_io.ImportResult(added=2, updated=0, skipped=0, bad=5)
    session.lock()
    session.unlock(PASSPHRASE)
    assert {p["name"] for p in session.roster.people()} == {"李四", "张三"}


def test_duplicates_are_skipped_or_updated(tmp_path: Path, roster: RosterService) -> None:
    existing = roster.add(person("张三", id_number=ID_A, group="第一党小组", stage="league"))
    sheet, mapping = roster_io.read(sample(tmp_path))
    plan = roster_io.plan(roster, sheet, mapping)
    assert [(r.row, r.existing) for r in plan.duplicates] == [(3, existing)]
    assert [b.row for b in plan.bad][-2] == 9  # the row repeating row 3 is still bad

    skipped = roster_io.commit(roster, plan, roster_io.SKIP)
    assert (skipped.added, skipped.updated, skipped.skipped) == (1, 0, 1)
    assert roster.get(existing)["stage"] == "league"

    plan = roster_io.plan(roster, sheet, mapping)
    assert [r.row for r in plan.changed] == [3]  # 李四 was imported as in the sheet
    updated = roster_io.commit(roster, plan, roster_io.UPDATE)
    assert (updated.added, updated.updated, updated.skipped) == (0, 1, 1)
    doc = roster.get(existing)
    assert (doc["stage"], doc["joined_on"]) == ("member", "2019-06")
    assert doc["group"] == "第一党小组"  # an empty cell does not blank a field


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path, session: Session,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    roster = session.roster
    existing = roster.add(person("张三", id_number=ID_A))
    sheet, mapping = roster_io.read(sample(tmp_path))
    plan = roster_io.plan(roster, sheet, mapping)
    partition = session.vault.partition("roster")

    def disk_full(*args: object, **kwargs: object) -> None:
        raise WriteFailed(reason="ENOSPC")

    monkeypatch.setattr(partition, "update", disk_full)  # fails after the inserts were staged
    with pytest.raises(WriteFailed):
        roster_io.commit(roster, plan, roster_io.UPDATE)
    monkeypatch.undo()
    assert [p.id for p in roster.people()] == [existing]
    session.lock()
    session.unlock(PASSPHRASE)
    assert [p.id for p in session.roster.people()] == [existing]


def test_a_plan_made_before_a_change_is_refused(tmp_path: Path, roster: RosterService) -> None:
    sheet, mapping = roster_io.read(sample(tmp_path))
    plan = roster_io.plan(roster, sheet, mapping)
    roster.add(person("插队"))
    with pytest.raises(UserError) as caught:
        roster_io.commit(roster, plan)
    assert caught.value.key == "roster.import.stale"


def test_nothing_to_import_is_a_user_error(tmp_path: Path, roster: RosterService) -> None:
    path = write_xlsx(tmp_path / "bad.xlsx", [["姓名", "人员类别"], ["甲", "外星人"]])
    sheet, mapping = roster_io.read(path)
    plan = roster_io.plan(roster, sheet, mapping, {"stage": "masses"})
    with pytest.raises(UserError) as caught:
        roster_io.commit(roster, plan)
    assert caught.value.key == "roster.import.nothing"


def test_defaults_fill_empty_cells(tmp_path: Path, roster: RosterService) -> None:
    path = write_xlsx(tmp_path / "class.xlsx",
                      [["姓名", "政治面貌"], ["甲", "团员"], ["乙", None]])
    sheet, mapping = roster_io.read(path)
    plan = roster_io.plan(roster, sheet, mapping, {"category": "student", "stage": "masses"})
    assert [(r.values["category"], r.values["stage"]) for r in plan.new] == [
        ("student", "league"), ("student", "masses")]


def test_a_sheet_without_names_is_refused(tmp_path: Path, roster: RosterService) -> None:
    path = write_xlsx(tmp_path / "x.xlsx", [["学号", "电话"], ["1", "13800138000"]])
    sheet, mapping = roster_io.read(path)
    assert mapping == ["school_number", "phone"]
    with pytest.raises(UserError) as caught:
        roster_io.plan(roster, sheet, mapping)
    assert caught.value.key == "roster.import.no_name_column"


def test_an_id_number_excel_turned_into_a_number(tmp_path: Path, roster: RosterService) -> None:
    path = write_xlsx(tmp_path / "n.xlsx", [["姓名", "身份证号", "人员类别", "政治面貌"],
                                           ["甲", float(ID_A[:17] + "0"), "学生", "群众"]])
    plan = roster_io.plan(roster, *roster_io.read(path))
    assert plan.bad[0].reason().startswith("身份证号在表格中被存成了数字")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030", "utf-16"])
def test_csv_in_the_encodings_excel_writes(tmp_path: Path, roster: RosterService,
                                          encoding: str) -> None:
    path = tmp_path / "名单.csv"
    delimiter = "\t" if encoding == "utf-16" else ","
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out, delimiter=delimiter)
        writer.writerow(["姓名", "身份证号码", "人员类别", "政治面貌"])
        writer.writerow(["张三", ID_A, "学生", "正式党员"])
    sheet, mapping = roster_io.read(path)
    assert sheet.headers[0] == "姓名"  # no BOM left on the first header
    plan = roster_io.plan(roster, sheet, mapping)
    assert [(r.values["name"], r.values["id_number"]) for r in plan.new] == [("张三", ID_A)]


def test_files_that_cannot_be_read(tmp_path: Path) -> None:
    """Every other kind of file is in tests/test_table_read.py."""
    with pytest.raises(UserError) as caught:
        roster_io.read(tmp_path / "missing.xlsx")
    assert caught.value.key == "table.unreadable"


def test_a_corrupt_workbook(tmp_path: Path) -> None:
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(UserError) as caught:
        roster_io.read(tmp_path / "broken.xlsx")
    assert caught.value.key == "table.bad_xlsx"


# -- export --------------------------------------------------------------------------
def _fill(roster: RosterService) -> None:
    roster.add(person("张三", id_number=ID_A, phone="13800138000", stage="member",
                      applied_on="2008-03-01", activist_on="2008-10-01",
                      candidate_on="2009-10-01", joined_on="2010-06", confirmed_on="2011-06-15",
                      group="第一党小组", unit="计算机学院", notes="备注：有逗号, 和\"引号\""))
    roster.add(person("李四", category="staff", stage="applicant", education="master",
                      address="学府路 1 号"))
    archived = roster.add(person("王五", ethnicity="回族"))
    roster.archive(archived, "transferred")


def _comparable(roster: RosterService) -> list[dict[str, str]]:
    people = roster.query(RosterQuery(status=ALL_STATUSES))
    return [{k: v for k, v in p.doc.items() if k not in ("id", "created_at", "updated_at")}
            for p in people]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_export_then_import_gives_the_same_roster(tmp_path: Path, session: Session,
                                                  suffix: str, lang: str) -> None:
    i18n.set_language(lang)
    _fill(session.roster)
    path = tmp_path / f"roster{suffix}"
    assert roster_io.export(session.roster, path) == 3
    other = Session(tmp_path / "other", work_factor=WORK_FACTOR)
    other.create(BRANCH_CODE, BRANCH_NAME, PASSPHRASE)
    try:
        sheet, mapping = roster_io.read(path)
        assert None not in mapping
        plan = roster_io.plan(other.roster, sheet, mapping)
        assert plan.bad == []
        roster_io.commit(other.roster, plan)
        assert _comparable(other.roster) == _comparable(session.roster)
    finally:
        other.lock()


def test_exported_workbook_is_all_text(tmp_path: Path, roster: RosterService) -> None:
    """Every cell text (issue 13, no formulas out): ID numbers keep their
    digits, dates read as ISO text, and nothing is a number or a formula."""
    _fill(roster)
    path = tmp_path / "r.xlsx"
    roster_io.export(roster, path)
    sheet = openpyxl.load_workbook(path).active
    header = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(header, sheet[4], strict=True)}  # 张三, third in pinyin order
    assert row["姓名"].value == "张三"
    assert row["身份证号"].value == ID_A and row["身份证号"].number_format == "@"
    assert row["转正日期"].value == "2011-06-15"
    assert row["入党日期"].value == "2010-06"
    assert row["政治面貌"].value == "正式党员"
    assert all(c.data_type == "s" for line in sheet.iter_rows() for c in line if c.value)


def test_export_to_an_unwritable_place(tmp_path: Path, roster: RosterService) -> None:
    with pytest.raises(UserError) as caught:
        roster_io.export(roster, tmp_path / "no such folder" / "r.xlsx")
    assert caught.value.key == "table.unwritable"
    with pytest.raises(UserError):
        roster_io.export(roster, tmp_path / "r.pdf")


def test_a_roster_with_school_numbers_finds_people_by_them(tmp_path: Path,
                                                          roster: RosterService) -> None:
    known = roster.add({"name": "张三", "category": "student", "stage": "league",
                        "school_number": "2021001"})
    path = write_xlsx(tmp_path / "class.xlsx", [
        ["学号", "姓名", "手机"],
        [2021001, "张三", "13800138000"],  # a number cell, as Excel keeps it
        ["2021002", "李四", ""],
        ["2021002", "王五", ""],  # the same 学号 twice in the file
    ])
    sheet, mapping = roster_io.read(path)
    assert mapping == ["school_number", "name", "phone"]
    plan = roster_io.plan(roster, sheet, mapping, {"category": "student", "stage": "league"})
    assert [(r.row, r.existing) for r in plan.duplicates] == [(2, known)]
    assert [r.row for r in plan.new] == [3]
    assert [(b.row, b.problems[0].key) for b in plan.bad] == [(4, "roster.import.repeated_id")]

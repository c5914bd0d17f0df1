"""Every spreadsheet people have (issue 21): the same roster and the same
survey day, saved by LibreOffice as .xlsx, .xls, .ods and as CSV in every
encoding (tests/tables/, made by tests/make_table_fixtures.py), import with
identical results; hidden rows are read and said so; a workbook with several
sheets picks the one with the headers or asks; and every file that is not a
table gets one sentence naming what it is."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

import datetime as dt
import io
import shutil
import struct
import zipfile
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
    session,
    vault_dir,
)

from branchtool import i18n, table_scan, tables
from branchtool.errors import UserError
from branchtool.services import checkin_import as ci
from branchtool.services import roster_io
from branchtool.session import Session

TABLES = Path(__file__).parent / "tables"
WORKBOOKS = [".xlsx", ".xls", ".ods"]
TEXTS = ["-utf8.csv", "-utf8-bom.csv", "-gb18030.csv", "-utf16.csv", "-utf16-nobom.csv",
         "-tab.tsv"]
FORMATS = WORKBOOKS + TEXTS


class _Clock:
    def __call__(self) -> dt.datetime:
        return dt.datetime(2024, 6, 1, 18, 0)


def _roster_plan(session: Session, suffix: str) -> roster_io.ImportPlan:
    return roster_io.plan(session.roster, *roster_io.read(TABLES / f"roster{suffix}"))


def _roster_outcome(plan: roster_io.ImportPlan) -> tuple[list, list]:
    return ([(r.row, r.values) for r in plan.new],
            [(b.row, [p.key for p in b.problems]) for b in plan.bad])


@pytest.mark.parametrize("suffix", FORMATS)
def test_the_same_roster_from_every_format(session: Session, suffix: str) -> None:
    plan = _roster_plan(session, suffix)
    assert _roster_outcome(plan) == _roster_outcome(_roster_plan(session, ".xlsx"))
    new = {r.values["name"]: r.values for r in plan.new}
    assert list(new) == ["张三", "李四", "王五", "赵六", "钱七"]  # 钱七's row is hidden
    assert new["张三"]["joined_on"] == "2019-06-01"  # a date cell
    assert new["张三"]["phone"] == "13800138001"  # a number cell
    assert new["李四"]["joined_on"] == "2023-06"  # text, month precision
    assert new["李四"]["birth_date"] == "1992-02-02"  # a bare serial number
    assert new["赵六"]["birth_date"] == "1994-04-04"  # 1994年4月4日
    bad = {b.row: b.reason() for b in plan.bad}
    assert bad[8].startswith("身份证号在表格中被存成了数字")  # the title row is row 1
    assert set(bad) == {8, 9, 10}


@pytest.mark.parametrize("suffix", WORKBOOKS)
def test_hidden_rows_are_read_and_said(suffix: str) -> None:
    sheet, _ = roster_io.read(TABLES / f"roster{suffix}")
    assert sheet.hidden_rows == [7]
    assert sheet.sheet == "名单" and sheet.sheets == ["名单", "说明"]
    notes = sheet.note_texts()
    assert "第 7 行在表格中是隐藏的（共 1 行），已和其他行一样读取，请留意。" in notes
    assert len(sheet.headers) == 9  # the formatted empty column after the data is left out
    assert sheet.rows[-1][0] == 10  # and so are the formatted empty rows


def _with_roster(tmp_path: Path) -> Session:
    other = Session(tmp_path / "vault", work_factor=WORK_FACTOR)
    other.clock = _Clock()
    other.create(BRANCH_CODE, BRANCH_NAME, PASSPHRASE)
    roster_io.commit(other.roster, roster_io.plan(other.roster,
                                                  *roster_io.read(TABLES / "roster.xlsx")))
    return other


def test_the_same_survey_day_from_every_format(tmp_path: Path) -> None:
    s = _with_roster(tmp_path)
    try:
        outcomes = {}
        for suffix in [*FORMATS, "-text-named.xls"]:
            sheet, mapping = ci.read(TABLES / f"survey{suffix}")
            plan = ci.plan(s.health, s.roster, sheet, mapping)
            names = {p.id: p["name"] for p in s.roster.people()}
            outcomes[suffix] = (
                sorted((r.row, names[r.person], r.at, sorted(r.values.items()))
                       for r in plan.rows),
                [(i.row, i.key) for i in plan.unmatched + plan.ambiguous],
                [(b.row, [p.key for p in b.problems]) for b in plan.bad],
                plan.days)
        first = outcomes[".xlsx"]
        assert all(outcome == first for outcome in outcomes.values())
        rows, unmatched, bad, days = first
        assert [(row, name) for row, name, *_ in rows] == [
            (2, "张三"), (3, "李四"), (4, "王五"), (5, "赵六"), (7, "钱七")]
        assert rows[1][2] == dt.datetime(2024, 6, 1, 8, 2, 40)  # a date-time cell
        assert dict(rows[2][3])["temperature"] == "37.8"
        assert unmatched == [(6, ci.NO_MATCH)] and bad == [] and days == {"2024-06-01": 5}
    finally:
        s.lock()


def test_a_text_file_named_xls_is_read_as_text_and_said() -> None:
    sheet, _ = ci.read(TABLES / "survey-text-named.xls")
    assert sheet.note_texts() == ["survey-text-named.xls 其实是文本（CSV）文件，已按 CSV 读取。"]


# -- which sheet ----------------------------------------------------------------------------
def _two_classes(path: Path) -> Path:
    book = openpyxl.Workbook()
    for title, name in (("一班", "甲"), ("二班", "乙")):
        sheet = book.create_sheet(title)
        sheet.append(["姓名", "身份证号", "人员类别", "政治面貌"])
        sheet.append([name, id_number(order=11 if title == "一班" else 22), "学生", "群众"])
    del book["Sheet"]
    book.create_sheet("统计").append(["人数", 2])
    book.save(path)
    return path


def test_several_sheets_with_the_headers_ask_which(tmp_path: Path) -> None:
    path = _two_classes(tmp_path / "两个班.xlsx")
    with pytest.raises(tables.SheetChoice) as caught:
        roster_io.read(path)
    assert caught.value.sheets == ["一班", "二班"]
    assert "--sheet" in caught.value.message()
    sheet, _ = roster_io.read(path, "二班")
    assert sheet.rows[0][1][0] == "乙" and sheet.sheet == "二班"
    assert roster_io.read(path, " 二班 ")[0].sheet == "二班"  # as typed on a command line
    with pytest.raises(UserError) as caught_name:
        roster_io.read(path, "三班")
    assert caught_name.value.key == "table.no_such_sheet"
    assert "一班、二班、统计" in caught_name.value.message()


def test_the_cli_takes_sheet(tmp_path: Path, session: Session, vault_dir: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    from branchtool.cli import main

    session.lock()
    path = _two_classes(tmp_path / "两个班.xlsx")
    base = ["--data-dir", str(vault_dir), "roster", "import", str(path), "--dry-run"]
    pw = tmp_path / "pw"
    pw.write_text(PASSPHRASE, encoding="utf-8")
    assert main(["--passphrase-file", str(pw), *base]) == 1
    assert "--sheet" in capsys.readouterr().err
    assert main(["--passphrase-file", str(pw), *base, "--sheet", "一班"]) == 0
    captured = capsys.readouterr()
    assert "可新增 1 人" in captured.out and "读取的是工作表“一班”" in captured.err


# -- files that are not tables ------------------------------------------------------------------
def _renamed_stream(data: bytes, old: str, new: str) -> bytes:
    """An OLE compound file with its stream ``old`` renamed ``new`` (the
    directory entry's name and its length; nothing else moves)."""
    out = bytearray(data)
    at = out.find(old.encode("utf-16-le") + b"\x00\x00")
    assert at > 512  # in the directory, after the header
    out[at:at + 64] = (new.encode("utf-16-le") + b"\x00\x00").ljust(64, b"\x00")
    struct.pack_into("<H", out, at + 64, (len(new) + 1) * 2)
    return bytes(out)


def _docx(path: Path) -> bytes:
    import docx

    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "姓名"
    table.cell(1, 0).text = "张三"
    document.save(path)
    return path.read_bytes()


def _cases(tmp_path: Path) -> dict[str, tuple[str, bytes]]:
    xls = (TABLES / "roster.xls").read_bytes()
    xlsx = (TABLES / "roster.xlsx").read_bytes()
    ods = (TABLES / "roster.ods").read_bytes()
    damaged_ods = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(ods)) as src, zipfile.ZipFile(damaged_ods, "w") as z:
        for item in src.infolist():
            body = src.read(item)
            z.writestr(item, body[: len(body) // 3] if item.filename == "content.xml" else body)
    return {
        "empty.xlsx": ("table.is_empty", b""),
        "名单.docx": ("table.is_docx", _docx(tmp_path / "doc.docx")),
        "名单.xlsx": ("table.is_docx", _docx(tmp_path / "doc2.docx")),  # a renamed .docx
        "roster-html-named.xls": ("table.is_html", (TABLES / "roster-html-named.xls")
                                  .read_bytes()),
        "加密.xlsx": ("table.is_encrypted", _renamed_stream(
            _renamed_stream(xls, "Workbook", "EncryptedPackage"), "\x05SummaryInformation",
            "EncryptionInfo")),
        "未转换.et": ("table.is_et", _renamed_stream(xls, "Workbook", "Contents")),
        "damaged.xls": ("table.bad_xls", xls[:1536]),
        "damaged.xlsx": ("table.bad_xlsx", xlsx[: len(xlsx) // 2]),
        "damaged.ods": ("table.bad_ods", damaged_ods.getvalue()),
        "a.pdf": ("table.is_pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"),
        "a.zip": ("table.is_zip", _zip({"readme.txt": b"hello"})),
        "binary.csv": ("table.unknown_type", bytes(range(256)) * 8),
        "excel2003.xls": ("table.is_xml2003", b'<?xml version="1.0"?>\n<?mso-application '
                          b'progid="Excel.Sheet"?>\n<Workbook xmlns="urn:schemas-microsoft-com'
                          b':office:spreadsheet"></Workbook>'),
    }


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in members.items():
            z.writestr(name, body)
    return out.getvalue()


def test_files_that_are_not_tables_get_one_sentence(tmp_path: Path) -> None:
    for name, (key, data) in _cases(tmp_path).items():
        path = tmp_path / name
        path.write_bytes(data)
        for read in (roster_io.read, ci.read):
            with pytest.raises(UserError) as caught:
                read(path)
            assert caught.value.key == key, name
            message = caught.value.message()
            assert name in message and "\n" not in message and message.endswith("。")


def test_a_real_et_that_holds_a_workbook_is_read(tmp_path: Path) -> None:
    """WPS can keep BIFF records inside its .et: read like the .xls it is."""
    shutil.copy(TABLES / "roster.xls", tmp_path / "名单.et")
    sheet, _ = roster_io.read(tmp_path / "名单.et")
    assert len(sheet.rows) == 8


# -- hostile files: bounded memory, never a hang -----------------------------------------------
@pytest.mark.parametrize("suffix", [".xlsx", ".ods", ".xls"])
def test_cells_far_apart_are_refused_before_calamine_lays_them_out(suffix: str) -> None:
    with pytest.raises(UserError) as caught:
        roster_io.read(TABLES / f"far-cells{suffix}")
    assert caught.value.key == "table.too_many_cells"
    assert str(table_scan.MAX_CELLS) in caught.value.message()


def test_a_zip_bomb_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", b"<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = b"\x00" * (1 << 20)
            for _ in range((table_scan.MAX_UNZIPPED >> 20) + 1):
                member.write(block)
    assert path.stat().st_size < 1 << 20
    with pytest.raises(UserError) as caught:
        roster_io.read(path)
    assert caught.value.key == "table.bomb"


def test_a_member_larger_than_declared_is_damaged(tmp_path: Path) -> None:
    """calamine stops at the declared size; the scan's zipfile checks the CRC."""
    data = bytearray((TABLES / "roster.xlsx").read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    struct.pack_into("<I", data, info.header_offset + 22, 100)
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        size = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + size] == b"xl/worksheets/sheet1.xml":
            struct.pack_into("<I", data, at + 24, 100)
        at = data.find(b"PK\x01\x02", at + 4)
    path = tmp_path / "liar.xlsx"
    path.write_bytes(bytes(data))
    with pytest.raises(UserError) as caught:
        roster_io.read(path)
    assert caught.value.key == "table.bad_xlsx"


@pytest.mark.parametrize(("source", "member", "key"), [
    ("roster.xlsx", "xl/worksheets/sheet1.xml", "table.bad_xlsx"),
    ("roster.xlsx", "xl/workbook.xml", "table.bad_xlsx"),
    ("roster.ods", "content.xml", "table.bad_ods"),
])
def test_a_broken_deflate_stream_is_damaged(tmp_path: Path, source: str, member: str,
                                            key: str) -> None:
    """A stick's bit flip in a member's compressed bytes: zlib's own error
    (not zipfile's) is one sentence too, for every part the scan reads."""
    data = bytearray((TABLES / source).read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo(member)
    assert info.compress_type == zipfile.ZIP_DEFLATED
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len
    data[start] = 0x07  # a final block of the reserved type 3: "invalid block type"
    path = tmp_path / f"flipped{Path(source).suffix}"
    path.write_bytes(bytes(data))
    with pytest.raises(UserError) as caught:
        roster_io.read(path)
    assert caught.value.key == key


def test_a_cell_that_makes_calamine_panic_is_damaged_and_prints_nothing(
        tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """A date cell far out of range panics in calamine's Rust (chrono). The
    file is damaged in one sentence, and Rust's panic message, written
    straight to descriptor 2, never reaches the terminal under the app."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "入党时间"])
    sheet.append(["张三", -1e12])
    sheet["B2"].number_format = "yyyy-mm-dd"
    path = tmp_path / "panic.xlsx"
    book.save(path)
    with pytest.raises(UserError) as caught:
        roster_io.read(path)
    assert caught.value.key == "table.bad_xlsx"
    assert "panicked" not in capfd.readouterr().err
    print("still here", file=__import__("sys").stderr)  # descriptor 2 is back
    assert "still here" in capfd.readouterr().err


def test_a_file_over_the_size_limit_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:  # sparse: nothing is written to the disk
        handle.truncate(table_scan.MAX_FILE_BYTES + 1)
    with pytest.raises(UserError) as caught:
        roster_io.read(path)
    assert caught.value.key == "table.too_large"


def test_a_text_table_of_too_many_cells_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    path.write_bytes(b"\xe5\xa7\x93\xe5\x90\x8d" + b"," * (table_scan.MAX_CELLS + 10))
    with pytest.raises(UserError) as caught:
        roster_io.read(path)
    assert caught.value.key == "table.too_many_cells"


def test_every_message_is_in_both_catalogs() -> None:
    import re

    from branchtool import i18n

    keys = set()
    for module in ("table_scan.py", "table_read.py"):
        text = (Path(__file__).parent.parent / "branchtool" / module).read_text("utf-8")
        keys |= set(re.findall(r'"(table\.[a-z_.0-9]+)"', text))
    assert len(keys) > 25
    for lang in i18n.LANGUAGES:
        assert keys <= set(i18n.catalog(lang)), lang



# -- the app asks which sheet -------------------------------------------------------------------
async def test_the_import_dialog_asks_which_sheet(session: Session, tmp_path: Path) -> None:
    from fixtures_app import make_app, settle, text_of
    from textual.widgets import Input, Select

    from screens.import_roster import ImportRosterScreen

    path = _two_classes(tmp_path / "两个班.xlsx")
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, ImportRosterScreen)
        app.screen.query_one("#import-path", Input).value = str(path)
        await pilot.press("enter")
        await settle(app, pilot)
        choice = app.screen.query_one("#import-sheet", Select)
        assert choice.display and app.screen.sheet is None
        assert text_of(app, "#import-message") == i18n.t("table.choose_sheet")
        choice.value = "二班"
        await settle(app, pilot)
        await settle(app, pilot)  # read, then plan
        assert app.screen.sheet is not None and app.screen.sheet.sheet == "二班"
        assert "读取的是工作表“二班”" in text_of(app, "#import-info")
        assert text_of(app, "#import-summary").startswith("可新增 1 人")
        choice.value = "一班"  # another sheet of the same file
        await settle(app, pilot)
        await settle(app, pilot)
        assert app.screen.sheet.sheet == "一班"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    assert [p["name"] for p in session.roster.people()] == ["甲"]


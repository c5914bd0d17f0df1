"""Builds tests/tables/: the same roster and the same survey day saved by a
real office suite in every format people hand over.

The two sources are written with openpyxl the way a secretary's sheets look:
a merged title row above the headers, ID numbers as text but one the suite
turned into a number, a phone as a number, dates as date cells, as text and
as a bare serial number, a hidden row, formatted empty rows and columns after
the data, and a second sheet of notes. LibreOffice (headless) then saves each
as .xlsx, .xls and .ods, and its CSV export writes UTF-8, UTF-16 and
tab-separated text; GB 18030 (what Chinese Excel's "CSV" writes), UTF-8
with a BOM and UTF-16 without one are the UTF-8 export re-encoded, byte for
byte. LibreOffice cannot write .xlsb (its "Calc MS Excel 2007 Binary"
filter only imports). Two files that are not tables complete the set: the
roster exported as HTML and named .xls (survey tools do that), and the
survey's tab-separated text named .xls; and three workbooks whose two cells
lie far apart (A1 and Z200000, A1 and IV60000), which calamine would lay out
as millions of cells.

The survey tools' exports of the check-in tests' morning (``surveykit``:
问卷星 with its text times and ``┋``, 腾讯问卷 with date-time cells and one
column per option ticked 1/0, a class's sheet with a merged title and date
cells) are saved as .xls and .ods too: ``wjx.xls``, ``tencent.ods``…

Run from the repository: ``python tests/make_table_fixtures.py`` (needs
``soffice``: ``apt-get install --no-install-recommends libreoffice-calc-nogui``);
``python tests/make_table_fixtures.py surveys`` makes the survey tools' files only.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "tables"
sys.path.insert(0, str(HERE))

from fixtures_app import id_number  # noqa: E402

TITLE = "计算机学院第一党支部 党员名单"
ROSTER_HEADERS = ["序号", "姓名", "性别", "身份证号码", "手机号码", "人员类别", "政治面貌",
                  "入党时间", "出生日期"]
PEOPLE = [  # name, gender, id order, phone, category, stage, joined, born
    ("张三", "男", 11, 13800138001, "学生", "中共党员", dt.date(2019, 6, 1), "1991-01-01"),
    ("李四", "女", 22, "13800138002", "学生", "预备党员", "2023.06", 33636),  # 1992-02-02
    ("王五", "男", 33, "13800138003", "教工", "中共党员", dt.date(2010, 7, 1), "1993/3/3"),
    ("赵六", "女", 44, "13800138004", "学生", "共青团员", None, "1994年4月4日"),
    ("钱七", "男", 55, "13800138005", "学生", "入党积极分子", None, None),  # hidden row
    ("孙八", "女", "number", "13800138006", "学生", "群众", None, None),
    ("周九", "男", 77, "12345", "学生", "群众", None, None),
    ("吴十", "女", 88, "13800138008", "校友", "群众", None, None),
]
HIDDEN = "钱七"

SURVEY_HEADERS = ["序号", "提交答卷时间", "所用时间", "来源", "1、姓名", "2、手机号码",
                  "3、今日体温", "4、是否有以下症状", "5、当前所在地", "6、所在省份"]
ANSWERS = [  # submitted, name, phone, temperature, symptoms, where
    ("2024/6/1 7:30:12", "张三", 13800138001, 36.5, "无", "在校"),
    (dt.datetime(2024, 6, 1, 8, 2, 40), "李四", 13800138002, 36.8, "无", "在家"),
    ("2024/6/1 8:15:00", "王五", "13800138003", 37.8, "发热┋干咳", "在校"),
    ("2024/6/1 9:00:00", "赵六", 13800138004, "36.6", "无", "在校"),
    ("2024/6/1 9:30:00", "无名氏", 13900000000, 36.4, "无", "在校"),  # on no roster
    ("2024/6/1 10:00:00", "钱七", 13800138005, 36.5, "无", "在家"),  # hidden row
]
SURVEY_HIDDEN = "钱七"


def roster_source(path: Path) -> None:
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "名单"
    sheet.append([TITLE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(ROSTER_HEADERS))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(ROSTER_HEADERS)
    for n, (name, gender, order, phone, category, stage, joined, born) in enumerate(PEOPLE, 1):
        if order == "number":  # the suite turned the ID into a number: its last digits are gone
            ident: object = float(id_number(dt.date(1998, 8, 8), order=66))
        else:
            ident = id_number(dt.date(1990 + n, n, n), order=order)
        sheet.append([n, name, gender, ident, phone, category, stage, joined, born])
        row = sheet.max_row
        sheet.cell(row, 4).number_format = "@" if isinstance(ident, str) else "General"
        if isinstance(joined, dt.date):
            sheet.cell(row, 8).number_format = "yyyy-mm-dd"
        if name == HIDDEN:
            sheet.row_dimensions[row].hidden = True
    grey = PatternFill("solid", fgColor="DDDDDD")
    for row in range(sheet.max_row + 1, sheet.max_row + 6):  # formatted empty rows
        sheet.cell(row, 2).fill = grey
    for row in range(2, sheet.max_row):  # a formatted empty column after the data
        sheet.cell(row, len(ROSTER_HEADERS) + 2).fill = grey
    notes = book.create_sheet("说明")
    notes.append(["本表由组织委员填写，每学期更新一次。"])
    book.save(path)


def survey_source(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(SURVEY_HEADERS)
    for n, (submitted, name, phone, temperature, symptoms, where) in enumerate(ANSWERS, 1):
        sheet.append([n, submitted, "35秒", "微信", name, phone, temperature, symptoms, where,
                      "北京市" if where == "在家" else None])
        if isinstance(submitted, dt.datetime):
            sheet.cell(sheet.max_row, 2).number_format = "yyyy/m/d h:mm:ss"
        if name == SURVEY_HIDDEN:
            sheet.row_dimensions[sheet.max_row].hidden = True
    book.save(path)


def far_cells(path: Path, far: str) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"] = "姓名"
    book.active[far] = "张三"
    book.save(path)


def soffice(source: Path, target: str, out: Path) -> Path:
    """``source`` saved by LibreOffice through the filter ``target``."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
             "--convert-to", target, "--outdir", str(out), str(source)],
            check=True, capture_output=True, timeout=120)
    made = out / (source.stem + "." + target.split(":")[0])
    if not made.exists():
        raise SystemExit(f"LibreOffice did not write {made}")
    return made


CSV = "csv:Text - txt - csv (StarCalc):{sep},34,{charset},1"


def build(out: Path = OUT) -> list[Path]:
    if shutil.which("soffice") is None:
        raise SystemExit("soffice not found: apt-get install libreoffice-calc-nogui")
    out.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        for stem, source in (("roster", roster_source), ("survey", survey_source)):
            src = work / f"{stem}.xlsx"
            source(src)
            for fmt in ("xlsx", "xls", "ods"):
                made.append(_move(soffice(src, fmt, work / fmt), out / f"{stem}.{fmt}"))
            utf8 = soffice(src, CSV.format(sep=44, charset=76), work / "utf8").read_bytes()
            utf16 = soffice(src, CSV.format(sep=44, charset=65535), work / "utf16").read_bytes()
            tsv = soffice(src, CSV.format(sep=9, charset=76), work / "tsv").read_bytes()
            text = utf8.decode("utf-8")
            files = {
                f"{stem}-utf8.csv": utf8,
                f"{stem}-utf8-bom.csv": b"\xef\xbb\xbf" + utf8,
                f"{stem}-gb18030.csv": text.encode("gb18030"),
                f"{stem}-utf16.csv": utf16,
                f"{stem}-utf16-nobom.csv": utf16[2:] if utf16[:2] == b"\xff\xfe" else utf16,
                f"{stem}-tab.tsv": tsv,
            }
            if stem == "survey":
                files["survey-text-named.xls"] = tsv
            for name, data in files.items():
                (out / name).write_bytes(data)
                made.append(out / name)
        html = soffice(work / "roster.xlsx", "html:HTML (StarCalc)", work / "html")
        made.append(_move(html, out / "roster-html-named.xls"))
        for stem, far, fmts in (("far-cells", "Z200000", ("xlsx", "ods")),
                                ("far-cells-xls", "IV60000", ("xls",))):
            src = work / f"{stem}.xlsx"
            far_cells(src, far)
            for fmt in fmts:
                made.append(_move(soffice(src, fmt, work / fmt), out / f"far-cells.{fmt}"))
    return made + build_surveys(out)


def build_surveys(out: Path = OUT) -> list[Path]:
    """The check-in tests' morning as each survey tool exports it, as .xls and .ods."""
    from surveykit import MORNING

    if shutil.which("soffice") is None:
        raise SystemExit("soffice not found: apt-get install libreoffice-calc-nogui")
    made: list[Path] = []
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        for tool, write in MORNING.items():
            src = write(work / f"{tool}.xlsx")
            for fmt in ("xls", "ods"):
                made.append(_move(soffice(src, fmt, work / fmt), out / f"{tool}.{fmt}"))
    return made


def _move(source: Path, target: Path) -> Path:
    shutil.move(source, target)
    return target


if __name__ == "__main__":
    for path in build_surveys() if sys.argv[1:] == ["surveys"] else build():
        print(f"{path.relative_to(HERE.parent)}  {path.stat().st_size:>7} bytes")

"""The roster and check-in importers on hostile sheets (see ``tests.fuzz``)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from hypothesis import strategies as st

from tests.fuzz.core import Op, Prop, Target, apply_ops, byte_op, folder_digest, user_error_ok

# =====================================================================================
# the roster and check-in importers
# =====================================================================================

SHEET_PASSPHRASE = "correct horse battery"
SHEET_NOW = dt.datetime(2024, 6, 1, 11, 0)
NAMES = ("张三", "李四", "王五", "赵六", "孙七")


class _Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class SheetWorld:
    """A branch vault (work factor 10) with five people, the roster and
    check-in services on it, and the text cells and headers the sheets use."""

    root: Path
    pristine: Path
    work: Path
    session: Any
    headers: list[str]  # every header either importer recognises
    values: list[str]  # cell texts that mean something to a field
    by_field: dict[str, list[str]]  # the texts a column of that field holds
    good: dict[str, list[str]]  # the texts a clean row's column holds
    resets: int = 0
    counter: int = 0

    @classmethod
    def build(cls, root: Path) -> SheetWorld:
        from branchtool.records.checkin import CHECKIN
        from branchtool.records.fields import Kind, _catalog_variants, _choice_lookup
        from branchtool.records.person import PERSON
        from branchtool.session import Session
        from tests.fixtures_app import BRANCH_CODE, BRANCH_NAME, id_number

        root.mkdir(parents=True, exist_ok=True)
        session = Session(root / "vault", work_factor=10)
        session.clock = _Clock(SHEET_NOW)
        session.create(BRANCH_CODE, BRANCH_NAME, SHEET_PASSPHRASE)
        for i, name in enumerate(NAMES):
            session.roster.add({"name": name, "category": "student", "stage": "member",
                                "id_number": id_number(order=100 + i),
                                "phone": f"1380000{i:04d}"})
        session.roster.add({"name": "张三", "category": "staff", "stage": "masses"})  # twin
        session.lock()
        headers: list[str] = []
        values: list[str] = [*NAMES, id_number(order=100), id_number(order=101).lower(),
                             id_number(order=555), "110105194912310021", "11010519491231002",
                             "13800000001", "+86 138 0000 0002", "12345"]
        for record in (PERSON, CHECKIN):
            for fdef in record.fields:
                headers.append(fdef.key)
                headers.extend(_catalog_variants(fdef.label_key))
                if fdef.kind is Kind.CHOICE:
                    values.extend(_choice_lookup(fdef))
        headers.extend(_catalog_variants("checkin.import.submitted"))
        headers.extend(["1、姓名", "Q2. 手机号码", "3．体温", "序号", "手机（必填）", "备注",
                        "提交答卷时间", "所用时间", "来源"])
        values.extend(["36.5", "37.3", "39", "50", "36,5", "发热┋干咳", "发热|其他", "是", "否",
                       "在校", "在家", "2024-06-01", "2024/6/1 7:30", "2024/6/1 24:00",
                       "2024-06-02", "2019.06", "2019年6月", "20190601", "2019-02-30",
                       "2024-05-31 23:59:59", "45000", "1e999", "nan", "inf", "-0", "0x10",
                       "=1+1", "=HYPERLINK(\"http://x\")", "@SUM(A1)", "+1", "NULL", "None"])
        by_field: dict[str, list[str]] = {
            "name": [*NAMES, "张九", "李十一", "王 五", "欧阳娜娜", "x" * 50],
            "id_number": [id_number(order=100 + i) for i in range(5)]
            + [id_number(order=300 + i) for i in range(4)]
            + ["110105194912310021", "11010519491231002X", id_number(order=301).lower()],
            "phone": [f"1380000{i:04d}" for i in range(5)]
            + ["13900001111", "+86 139 0000 2222", "12345", "1380000000a"],
            "submitted": ["2024/6/1 7:30:12", "2024-05-31 23:59", "2024/6/1 24:00",
                          "2024-06-01T00:00:00", "2024/5/30 8:00", "昨天", "2024/6/2 8:00"],
            "temperature": ["36.5", "37.3", "39", "50", "36,5", "abc", "36.55", "-1"],
        }
        dates_text = ["2024-06-01", "2024/5/31", "2019.06", "2019年6月", "20190601",
                      "2019-02-30", "1899-12-31", "2101-01-01", "2024-06-02", "1995-03-07"]
        for record in (PERSON, CHECKIN):
            for fdef in record.fields:
                if fdef.kind is Kind.CHOICE:
                    by_field.setdefault(fdef.key, []).extend([*_choice_lookup(fdef),
                                                              *fdef.choices, "其他", "?"])
                elif fdef.kind is Kind.DATE:
                    by_field.setdefault(fdef.key, dates_text)
        by_field["symptoms"] += ["发热┋干咳", "发热、乏力", "无", "发热|其他"]
        # Values a clean row takes: each valid alone (cross-field rules may still object).
        good = {
            "name": ["张九", "李十一", "欧阳娜娜", *NAMES],
            "id_number": [id_number(order=300 + i) for i in range(4)] + [id_number(order=101)],
            "phone": ["13900001111", "13900002222", "13800000001"],
            "gender": ["男", "女"], "category": ["学生", "教工"], "stage": ["群众", "共青团员"],
            "birth_date": ["1995-03-07", "2001/2/3"], "date": ["2024-06-01", "2024/5/31"],
            "submitted": ["2024/6/1 7:30:12", "2024-05-31 23:59:00"],
            "temperature": ["36.5", "36.8", "37.5"], "symptoms": ["无", "发热┋干咳"],
            "location": ["在校"], "risk_travel": ["否"], "case_contact": ["否", "是"],
            "isolation": ["无", "居家隔离"], "education": ["大学本科"],
        }
        world = cls(root, root / "vault", root / "work", None, sorted(set(headers)),
                    sorted(set(values)), by_field, good)
        world.reset()
        return world

    def field_of(self, importer: str, header: str) -> str | None:
        from branchtool.records.person import PERSON
        from branchtool.services import checkin_import as ci

        return (PERSON.match_header(header) if importer == "roster"
                else ci.match_header(header))

    def reset(self) -> None:
        from branchtool.session import Session

        if self.session is not None and self.session.vault is not None:
            self.session.lock()
        shutil.rmtree(self.work, ignore_errors=True)
        shutil.copytree(self.pristine, self.work)
        session = Session(self.work, work_factor=10)
        session.clock = _Clock(SHEET_NOW)
        session.unlock(SHEET_PASSPHRASE)
        self.session = session
        self.resets += 1

    def close(self) -> None:
        if self.session is not None and self.session.vault is not None:
            self.session.lock()

    def path(self, suffix: str) -> Path:
        self.counter += 1
        folder = self.root / "incoming"
        folder.mkdir(exist_ok=True)
        return folder / f"sheet-{self.counter}{suffix}"

    def state(self) -> tuple[dict[str, str], int]:
        """The vault's data files (by digest) and the store's sequence."""
        store = self.session.vault.store
        return folder_digest(self.work / "data"), store.seq


# A cell: text (a CSV's only kind), or what an .xlsx holds.
@dataclass(frozen=True)
class Cell:
    kind: str  # "text", "pick" (one of the world's values), "n", "b", "e", "d", "f", "blank"
    text: str = ""
    pick: int = 0
    style: int = 0  # 0 general, 1 date, 2 time, 3 duration, 4 text


# Numbers a workbook cell holds ("n"), and a few no program writes (which make
# openpyxl refuse the whole workbook, so they are rarer).
_NUMBERS = ["0", "1", "-1", "1.5", "36.6", "45000", "45444", "45444.3125", "2958465",
            "2958466", "99999999", "1e20", "1e308", "1e999", "-1e999", "20240601", "2.5e-5",
            "110105199003071231", "13800000001", "-0.0", "4.5E+4"]
_NOT_NUMBERS = ["nan", "inf", "abc", "", "1,5", "0x1A", "１２３"]


def cells(hostile: bool = False) -> st.SearchStrategy[Cell]:
    """A cell; ``hostile``: also the cells no program writes, which make
    openpyxl refuse the whole workbook (so only some sheets have them)."""
    text = st.one_of(st.text(max_size=20), st.sampled_from(
        ["", " ", "\t", "\u3000", "\ufeff", "\x00", "x" * 300, "\n", "\"", "=1/0", "'123"]))
    pick = st.integers(0, 1 << 10)
    number = st.builds(Cell, st.just("n"), st.sampled_from(_NUMBERS), st.just(0),
                       st.sampled_from([0, 0, 1, 2, 3, 4]))
    fit = st.builds(Cell, st.just("fit"), st.just(""), pick)
    options = [fit, fit, fit, fit, st.builds(Cell, st.just("pick"), st.just(""), pick),
               st.builds(Cell, st.just("text"), text), st.builds(Cell, st.just("blank")),
               number]
    if hostile:
        options.append(st.builds(
            Cell, st.sampled_from(["b", "e", "d", "f", "s_bad", "n"]),
            st.sampled_from([*_NOT_NUMBERS, "1", "0", "true", "2", "#DIV/0!",
                             "2024-06-01T07:30:00", "2024-13-45", "SUM(A1)", "99999"]),
            st.just(0), st.integers(0, 4)))
    return st.one_of(*options)


ROSTER_HEADERS = ("序号", "姓名", "性别", "身份证号码", "手机号码", "人员类别", "政治面貌",
                  "入党时间", "宿舍")
WJX_HEADERS = ("序号", "提交答卷时间", "所用时间", "来源", "1、姓名", "2、手机号码", "3、今日体温",
               "4、是否有以下症状", "5、当前所在地", "6、所在省份", "7、近14天是否到过中高风险地区")
SIMPLE_HEADERS = ("姓名", "身份证号", "手机", "体温", "日期")


@dataclass(frozen=True)
class SheetInput:
    importer: str  # "roster" or "checkin"
    form: str  # "csv", "xlsx", "xlsx-bytes" (a damaged workbook), "bytes", "name"
    title: bool  # a title row above the headers
    headers: tuple[int | str, ...]  # index into the world's headers, or literal text
    rows: tuple[tuple[Cell, ...], ...]
    encoding: str
    delimiter: str
    newline: str
    quoting: bool
    huge: int  # a cell of this many characters (0: none)
    ops: tuple[Op, ...]  # damage to the file's bytes
    raw: bytes
    suffix: str
    mapping: tuple[int, ...] | None  # a hand-made mapping (indices into the fields)
    day: str | None  # the check-in import's day
    update: bool  # commit duplicates too (roster)
    assign: bool  # resolve the first unmatched row by hand (check-ins)


# The headers of the fields most cells are checked against.
CORE_HEADERS = ["姓名", "身份证号", "手机", "类别", "政治面貌", "出生日期", "入党时间", "性别",
                "日期", "提交时间", "体温", "症状", "当前所在地", "name", "birth_date", "date"]


@st.composite
def sheet_inputs(draw: st.DrawFn, importer: str | None = None) -> SheetInput:
    header = st.one_of(st.sampled_from(CORE_HEADERS), st.integers(0, 1 << 10),
                       st.text(max_size=12), st.just(""))
    importer = importer or draw(st.sampled_from(["roster", "checkin"]))
    presets = ([(), ROSTER_HEADERS, ROSTER_HEADERS, SIMPLE_HEADERS] if importer == "roster"
               else [(), WJX_HEADERS, WJX_HEADERS, SIMPLE_HEADERS, ROSTER_HEADERS])
    preset = draw(st.sampled_from(presets))
    if preset:
        headers: list[int | str] = list(preset)
        for index, value in draw(st.lists(st.tuples(st.integers(0, 20), header), max_size=2)):
            headers.insert(index % (len(headers) + 1), value)
        if draw(st.booleans()):
            del headers[draw(st.integers(0, len(headers) - 1))]
    else:
        headers = draw(st.lists(st.one_of(header, st.sampled_from(CORE_HEADERS)), max_size=8))
    hostile = draw(st.integers(0, 4)) == 0
    width = max(1, len(headers))
    good = st.lists(st.builds(Cell, st.just("good"), st.just(""), st.integers(0, 99)),
                    min_size=width, max_size=width)
    rows = draw(st.lists(st.one_of(good, st.lists(cells(hostile), max_size=width + 1))
                         .map(tuple), max_size=8))
    return SheetInput(
        importer,
        draw(st.sampled_from(["csv", "csv", "xlsx", "xlsx", "xlsx", "xlsx-bytes", "xlsx-quirky",
                              "bytes", "name"])),
        draw(st.booleans()), tuple(headers), tuple(rows),
        draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be",
                              "gb18030", "latin-1", "utf-8-sig+utf-16"])),
        draw(st.sampled_from([",", "\t", ";", "|"])),
        draw(st.sampled_from(["\n", "\r\n", "\r"])),
        draw(st.booleans()),
        draw(st.sampled_from([0] * 12 + [140_000, 1_100_000])),
        tuple(draw(st.lists(byte_op(), max_size=2))),
        draw(st.binary(max_size=300)),
        draw(st.sampled_from([".csv", ".xlsx", ".txt", ".xls", ".xlsm", ".CSV", ".ods", ""])),
        draw(st.one_of(st.none(), st.none(), st.lists(st.integers(0, 40), max_size=8).map(tuple))),
        draw(st.sampled_from([None, None, None, "2024-06-01", "2024-05-30", "2024-06-02", "昨天",
                              "2024/5/31", "1900-01-01"])),
        draw(st.booleans()), draw(st.booleans()))


def _cell_text(world: SheetWorld, cell: Cell) -> str:
    if cell.kind == "pick":
        return world.values[cell.pick % len(world.values)]
    if cell.kind == "blank":
        return ""
    return cell.text


def _table(world: SheetWorld, ex: SheetInput) -> list[list[Cell]]:
    """The sheet's cells; a "fit" cell becomes a text its column's field holds."""
    names = [h if isinstance(h, str) else world.headers[h % len(world.headers)]
             for h in ex.headers]
    fields = [world.field_of(ex.importer, h) for h in names]
    table = ([[Cell("text", "某某党支部 名单")]] if ex.title else [])
    table.append([Cell("text", h) for h in names])
    for row in ex.rows:
        out = []
        for i, cell in enumerate(row):
            if cell.kind in ("fit", "good"):
                field_name = (fields[i] if i < len(fields) else None) or ""
                if cell.kind == "good":
                    pool = world.good.get(field_name, [""])
                else:
                    pool = world.by_field.get(field_name, world.values)
                cell = Cell("text", pool[cell.pick % len(pool)])
            out.append(cell)
        table.append(out)
    if ex.huge:
        table[-1] = [*table[-1], Cell("text", "长" * ex.huge)]
    return table


def _csv_bytes(world: SheetWorld, ex: SheetInput, table: list[list[Cell]]) -> bytes:
    out = io.StringIO()
    if ex.quoting:
        writer = csv.writer(out, delimiter=ex.delimiter, lineterminator=ex.newline)
        for row in table:
            writer.writerow([_cell_text(world, c) for c in row])
    else:
        for row in table:
            out.write(ex.delimiter.join(_cell_text(world, c) for c in row) + ex.newline)
    text = out.getvalue()
    if ex.encoding == "utf-8-sig+utf-16":  # a UTF-8 BOM on UTF-16 text
        return b"\xef\xbb\xbf" + text.encode("utf-16-le", "surrogatepass")
    return text.encode(ex.encoding, "replace" if ex.encoding in ("gb18030", "latin-1")
                       else "surrogatepass")


_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _xml_text(text: str) -> str:
    from xml.sax.saxutils import escape

    # XML 1.0 has no place for most control characters (nor lone surrogates).
    clean = "".join(ch for ch in text
                    if ch in "\t\n\r" or (ch >= " " and not "\ud800" <= ch <= "\udfff"))
    return escape(clean)


def _column(n: int) -> str:
    name = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        name = chr(65 + rem) + name
    return name


def xlsx_bytes(world: SheetWorld, table: list[list[Cell]], quirky: bool = False) -> bytes:
    """A minimal workbook written by hand, so cells can hold what a program
    never writes: numbers like 1e999, shared-string indices past the end,
    dates of any serial, formulas without values. ``quirky``: a stylesheet
    openpyxl cannot read (an empty ``<fill/>``)."""
    strings: list[str] = []
    rows = []
    for r, row in enumerate(table, start=1):
        out = []
        for c, cell in enumerate(row):
            ref = f'{_column(c)}{r}'
            style = f' s="{cell.style}"' if cell.style else ""
            if cell.kind in ("text", "pick"):
                strings.append(_cell_text(world, cell))
                out.append(f'<c r="{ref}" t="s"{style}><v>{len(strings) - 1}</v></c>')
            elif cell.kind == "n":
                out.append(f'<c r="{ref}"{style}><v>{_xml_text(cell.text)}</v></c>')
            elif cell.kind == "s_bad":
                out.append(f'<c r="{ref}" t="s"><v>{10**6}</v></c>')
            elif cell.kind == "f":
                out.append(f'<c r="{ref}"{style}><f>{_xml_text(cell.text)}</f></c>')
            elif cell.kind == "blank":
                out.append(f'<c r="{ref}"{style}/>')
            else:  # b, e, d
                out.append(f'<c r="{ref}" t="{cell.kind}"{style}>'
                           f'<v>{_xml_text(cell.text)}</v></c>')
        rows.append(f'<row r="{r}">{"".join(out)}</row>')
    sheet = f'<worksheet {_NS}><sheetData>{"".join(rows)}</sheetData></worksheet>'
    sst = (f'<sst {_NS} count="{len(strings)}" uniqueCount="{len(strings)}">'
           + "".join(f'<si><t xml:space="preserve">{_xml_text(t)}</t></si>' for t in strings)
           + "</sst>")
    fill = "<fill/>" if quirky else '<fill><patternFill patternType="none"/></fill>'
    styles = (f'<styleSheet {_NS}><fonts count="1"><font><sz val="11"/></font></fonts>'
              f'<fills count="1">{fill}</fills>'
              '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/>'
              '</cellStyleXfs><cellXfs count="5"><xf numFmtId="0"/>'
              '<xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="21" applyNumberFormat="1"/>'
              '<xf numFmtId="46" applyNumberFormat="1"/><xf numFmtId="49" applyNumberFormat="1"/>'
              '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" '
              'builtinId="0"/></cellStyles></styleSheet>')
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
            '</Types>'),
        "_rels/.rels": (f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
                        f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
                        '</Relationships>'),
        "xl/workbook.xml": (f'<workbook {_NS} xmlns:r="{_REL}"><sheets><sheet name="Sheet1" '
                            'sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_PKG}">'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
            '</Relationships>'),
        "xl/worksheets/sheet1.xml": sheet,
        "xl/styles.xml": styles,
        "xl/sharedStrings.xml": sst,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text.encode("utf-8"))
    return out.getvalue()


def sheet_file(world: SheetWorld, ex: SheetInput) -> Path:
    table = _table(world, ex)
    if ex.form == "csv":
        data, suffix = _csv_bytes(world, ex, table), ".csv"
    elif ex.form in ("xlsx", "xlsx-bytes", "xlsx-quirky"):
        data, suffix = xlsx_bytes(world, table, ex.form == "xlsx-quirky"), ".xlsx"
        if ex.form == "xlsx-bytes":
            data = apply_ops(data, ex.ops) if ex.ops else data[: len(data) // 2]
    elif ex.form == "bytes":
        data, suffix = ex.raw, ex.suffix
    else:  # any file under any name
        data, suffix = _csv_bytes(world, ex, table), ex.suffix
    if ex.form == "csv" and ex.ops:
        data = apply_ops(data, ex.ops)
    path = world.path(suffix)
    path.write_bytes(data)
    return path



def _in_both_languages(render: Callable[[], str]) -> None:
    from branchtool import i18n

    before = i18n.language()
    try:
        for lang in i18n.LANGUAGES:
            i18n.set_language(lang)
            assert render().strip()
    finally:
        i18n.set_language(before)


def _quiet(check: Callable[[SheetWorld, SheetInput], None]
           ) -> Callable[[SheetWorld, SheetInput], None]:
    """openpyxl warns about every odd cell it reads; the fuzzer makes many."""
    def run(world: SheetWorld, ex: SheetInput) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            check(world, ex)
    return run


def check_roster_import(world: SheetWorld, ex: SheetInput) -> None:
    from branchtool.errors import UserError
    from branchtool.records.person import PERSON
    from branchtool.services import roster_io

    roster = world.session.roster
    path = sheet_file(world, ex)
    before = world.state()
    people = {p.id: dict(roster.get(p.id) or {}) for p in roster.people()}
    try:
        try:
            sheet, mapping = roster_io.read(path)
            if ex.mapping is not None:
                keys: list[str | None] = [None, *(f.key for f in PERSON.fields)]
                mapping = [keys[ex.mapping[i % len(ex.mapping)] % len(keys)] if ex.mapping
                           else None for i in range(len(sheet.headers))]
            plan = roster_io.plan(roster, sheet, mapping,
                                  defaults={"category": "student"} if ex.title else None)
        except UserError as exc:
            user_error_ok(exc)
            assert world.state() == before, "a refused sheet changed the vault"
            return
    finally:
        path.unlink()
    assert world.state() == before, "planning changed the vault"
    numbers = [r.row for r in plan.new + plan.duplicates] + [b.row for b in plan.bad]
    assert len(numbers) == len(set(numbers)), "a row is in the plan twice"
    assert set(numbers) <= {n for n, _ in sheet.rows}, "a row number the sheet does not have"
    for bad in plan.bad:
        assert bad.problems
        _in_both_languages(bad.reason)
    for row in plan.new:
        assert row.values["name"] and row.values["category"]
    if not plan.importable(roster_io.UPDATE if ex.update else roster_io.SKIP):
        try:
            roster_io.commit(roster, plan, roster_io.UPDATE if ex.update else roster_io.SKIP)
        except UserError as exc:
            user_error_ok(exc)
        else:
            raise AssertionError("a plan with nothing to import was committed")
        assert world.state() == before, "committing nothing changed the vault"
        assert {p.id: roster.get(p.id) for p in roster.people()} == people
        return
    result = roster_io.commit(roster, plan, roster_io.UPDATE if ex.update else roster_io.SKIP)
    assert result.added == len(plan.new)
    assert result.bad == len(plan.bad)
    if ex.update:
        assert result.updated == len(plan.changed)
        world.reset()  # the changed people are put back with the whole vault
        return
    added = [p.id for p in roster.people() if p.id not in people]
    assert len(added) == len(plan.new), "the roster did not gain exactly the new rows"
    for person_id in added:
        roster.delete(person_id)
    assert {p.id: roster.get(p.id) for p in roster.people()} == people


def check_checkin_import(world: SheetWorld, ex: SheetInput) -> None:
    from branchtool.errors import UserError
    from branchtool.services import checkin_import as ci

    session = world.session
    health, roster = session.health, session.roster
    path = sheet_file(world, ex)
    before = world.state()
    try:
        try:
            sheet, mapping = ci.read(path)
            if ex.mapping is not None:
                keys: list[str | None] = [None, "name", "id_number", "phone", ci.SUBMITTED,
                                          *(f.key for f in _checkin_fields())]
                mapping = [keys[ex.mapping[i % len(ex.mapping)] % len(keys)] if ex.mapping
                           else None for i in range(len(sheet.headers))]
                mapping = [k if k not in mapping[:i] else None  # each field once
                           for i, k in enumerate(mapping)]
            plan = ci.plan(health, roster, sheet, mapping, ex.day)
            if ex.assign and (plan.unmatched or plan.ambiguous):
                issue = (plan.unmatched or plan.ambiguous)[0]
                ci.assign(plan, health, issue.row, next(iter(roster.people())).id)
        except UserError as exc:
            user_error_ok(exc)
            assert world.state() == before, "a refused sheet changed the vault"
            return
    finally:
        path.unlink()
    assert world.state() == before, "planning changed the vault"
    numbers = ([r.row for r in plan.rows] + [i.row for i in plan.unmatched + plan.ambiguous]
               + [b.row for b in plan.bad])
    assert len(numbers) == len(set(numbers)), "a row is in the plan twice"
    assert not set(plan.superseded) & {r.row for r in plan.rows}, "a superseded row is planned"
    assert set(numbers) | set(plan.superseded) <= {n for n, _ in sheet.rows}
    assert sum(plan.days.values()) == len(plan.rows)
    for item in plan.bad + plan.unmatched + plan.ambiguous:
        _in_both_languages(item.reason)
    orjson.dumps(ci.summary_counts(plan))
    if not plan.rows:
        try:
            ci.commit(health, roster, plan)
        except UserError as exc:
            user_error_ok(exc)
        else:
            raise AssertionError("a plan with nothing to import was committed")
        assert world.state() == before, "committing nothing changed the vault"
        return
    result = ci.commit(health, roster, plan)
    assert result.added + result.updated == len(plan.rows)
    for row in plan.rows:
        stored = health.day(row.values["date"]).get(row.person)
        assert stored is not None, "a planned check-in was not written"
    world.reset()


def _checkin_fields() -> tuple[Any, ...]:
    from branchtool.records.checkin import CHECKIN

    return CHECKIN.fields


IMPORTERS = Target("importers", SheetWorld.build, [
    Prop("roster import", sheet_inputs("roster"), _quiet(check_roster_import)),
    Prop("check-in import", sheet_inputs("checkin"), _quiet(check_checkin_import)),
])

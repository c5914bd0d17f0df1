"""Fuzzing the roster and check-in importers (issue 9): CSVs in any encoding
and delimiter, hand-written workbooks holding what Excel never writes, damaged
workbooks, huge cells, formulas, empty sheets, wrong types and any file name
give a plan (bad rows by number and reason) or a ``UserError``; committing a
plan with nothing to import changes nothing. The long run is ``bench/fuzz.py``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given

from tests import fuzz
from tests.fuzz.sheet_fuzz import Cell, SheetInput, SheetWorld, xlsx_bytes

ROSTER, CHECKIN = fuzz.IMPORTERS.props


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SheetWorld]:
    w = SheetWorld.build(tmp_path_factory.mktemp("fuzz-sheets"))
    yield w
    w.close()


@fuzz.suite(120)
@given(ex=ROSTER.strategy)
def test_any_sheet_gives_a_roster_plan_or_a_user_error(world: SheetWorld, ex) -> None:
    fuzz.run_check(ROSTER, world, ex)


@fuzz.suite(120)
@given(ex=CHECKIN.strategy)
def test_any_sheet_gives_a_checkin_plan_or_a_user_error(world: SheetWorld, ex) -> None:
    fuzz.run_check(CHECKIN, world, ex)


# -- what the fuzzing found (fixed in branchtool/tables.py and branchtool/records/dates.py) ----

def _sheet(world: SheetWorld, importer: str, headers: tuple[str, ...],
           *rows: tuple[Cell, ...], form: str = "xlsx") -> SheetInput:
    return SheetInput(importer, form, False, headers, rows, "utf-8", ",", "\n", True, 0,
                              (), b"", ".xlsx", None, None, False, False)


@pytest.mark.parametrize("data", [
    b"\xff\xfe\xd3\x59\x0d\x54\x2c\x00\x01",  # UTF-16 of odd length: UnicodeDecodeError
    b"\xff\xfe\x00\xd8,\x00a\x00",  # a lone surrogate
])
def test_a_broken_utf16_csv_is_read_with_replacement_characters(world: SheetWorld,
                                                                data: bytes) -> None:
    from branchtool import tables

    path = world.path(".csv")
    path.write_bytes(data)
    sheet = tables.read_sheet(path)
    assert sheet.headers


def test_a_cell_over_the_csv_modules_limit_is_a_user_error(world: SheetWorld) -> None:
    """csv.Error ("field larger than field limit") came out of the import."""
    from branchtool.errors import UserError
    from branchtool.services import roster_io

    path = world.path(".csv")
    path.write_text("姓名,备注\n张九," + "长" * 140_000 + "\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        roster_io.read(path)
    assert err.value.key == "table.bad_csv"


@pytest.mark.parametrize("how", ["stylesheet", "nan", "shared string"])
def test_a_workbook_openpyxl_could_not_read(world: SheetWorld, how: str) -> None:
    """openpyxl raised TypeError (an empty ``<fill/>``), ValueError (``nan``
    in a number cell) and IndexError (a shared string past the end) out of
    the import. calamine (issue 21) reads the first two as they are, and the
    third is refused as a damaged workbook."""
    from branchtool.errors import UserError
    from branchtool.services import roster_io

    row = {"stylesheet": Cell("text", "张九"), "nan": Cell("n", "nan"),
           "shared string": Cell("s_bad")}[how]
    table = [[Cell("text", "姓名")], [row]]
    path = world.path(".xlsx")
    path.write_bytes(xlsx_bytes(world, table, quirky=how == "stylesheet"))
    if how == "shared string":
        with pytest.raises(UserError) as err:
            roster_io.read(path)
        assert err.value.key == "table.bad_xlsx"
        return
    sheet, mapping = roster_io.read(path)
    assert mapping == ["name"]
    plan = roster_io.plan(world.session.roster, sheet, mapping)
    assert [b.row for b in plan.bad] == [2]  # no category: a bad row, named


@pytest.mark.parametrize(("importer", "headers"), [
    ("roster", ("姓名", "出生日期", "类别", "政治面貌")),
    ("checkin", ("姓名", "提交时间", "体温")),
    ("checkin", ("姓名", "日期", "体温")),
])
@pytest.mark.parametrize("number", ["1e999", "-1e999"])
def test_an_infinite_number_in_a_date_column_is_a_bad_row(
        world: SheetWorld, importer: str, headers: tuple[str, ...], number: str) -> None:
    """A workbook's 1e999 reads as float('inf'): dates.parse raised OverflowError."""
    from branchtool.records import dates

    assert dates.parse(float(number)) is None
    row = (Cell("text", "李四"), Cell("n", number), Cell("text", "学生" if importer == "roster"
                                                         else "36.5"), Cell("text", "群众"))
    prop = ROSTER if importer == "roster" else CHECKIN
    fuzz.run_check(prop, world, _sheet(world, importer, headers, row))

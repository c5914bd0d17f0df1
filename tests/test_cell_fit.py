"""No name cut silently: a list of names too long for its cell ends at a name
with "等 N 人", other text ends in "…", widths are display widths (a Chinese
character is two cells), date columns are as wide as the longest date, and
the day sheet's 未报 line ends with how many more are missing."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

from collections.abc import Iterator

from fixtures_app import chinese, english, make_app  # noqa: F401  (fixtures)
from healthkit import Watch, add_people, clock, open_watch, static, watch  # noqa: F401
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from textual.app import App, ComposeResult

from branchtool import i18n
from branchtool.records import dates
from branchtool.records.fields import FieldDef, Kind
from screens.cell_fit import cut, fit_cell, join_names, shorten
from screens.record_table import RecordTable

FOUR = "程建国、宋雨萱、沈翔家、毛文哲"


def test_a_list_of_names_ends_at_a_name_with_how_many() -> None:
    assert shorten(FOUR, names=True, cells=40) == FOUR
    assert shorten(FOUR, names=True, cells=24) == "程建国、宋雨萱等 4 人"
    assert shorten(FOUR, names=True, cells=29) == "程建国、宋雨萱、沈翔家等 4 人"
    assert shorten(FOUR, names=True, cells=14) == "程建国等 4 人"
    # Not even one whole name fits: it is cut with a sign, never silently.
    assert shorten(FOUR, names=True, cells=12) == "程建…等 4 人"


def test_other_text_ends_in_an_ellipsis_by_display_width() -> None:
    assert shorten("在家 石家庄", 10) == "在家 石家…"
    assert cell_len(shorten("在家 石家庄", 9)) <= 9 and shorten("在家 石家庄", 9).endswith("…")
    assert cut("abc", 3) == "abc" and cut("abcd", 3) == "ab…"
    assert fit_cell("张三", 6) == "张三  "
    # Reasons or symptoms listed with 、 are not people.
    assert shorten("3 天未打卡、连续 3 天未打卡", 18) == "3 天未打卡、连续…"


def test_english_names_end_with_and_n_more(english: Iterator[None]) -> None:
    assert shorten("Ann, Bob, Carl, Dan", 18, names=True) == "Ann, Bob +2 more"
    assert join_names(["Ann", "Bob"], 20) == "Ann, Bob"


@given(st.lists(st.text("张王李赵沈翔家毛文哲程建国", min_size=1, max_size=4), min_size=1,
                max_size=8), st.integers(min_value=1, max_value=40))
def test_a_shortened_cell_fits_and_shows_only_whole_names_or_a_sign(
        names: list[str], cells: int) -> None:
    i18n.set_language("zh-CN")
    text = shorten("、".join(names), cells, names=True)
    assert cell_len(text) <= cells
    if text != "、".join(names):
        assert text.endswith(("人", "…")), text
    assert cell_len(fit_cell("、".join(names), cells)) == cells


def test_a_date_column_holds_the_longest_date() -> None:
    column = FieldDef("due", Kind.DATE, width=10, record="task")
    assert column.column_width() >= cell_len(dates.display("2026-12-15")) == 14


class _Row:
    id = "r1"
    muted = False

    def cell(self, key: str) -> str:
        return {"title": "整理党费收缴台账", "assignee_names": FOUR}[key]


async def test_a_table_row_shows_whole_names_and_how_many() -> None:
    columns = [FieldDef("title", width=16, record="task"),
               FieldDef("assignee_names", width=10, record="task")]

    class TableApp(App[None]):
        def compose(self) -> ComposeResult:
            yield RecordTable(columns)

    app = TableApp()
    async with app.run_test(size=(44, 6)) as pilot:
        table = app.query_one(RecordTable)
        table.set_rows([_Row()])
        await pilot.pause()
        line = "".join(segment.text for segment in table.render_line(1))
        assert "整理党费收缴台账" in line
        assert "等 4 人" in line and "程建国" in line
        assert not any(line.rstrip().endswith(cut_name) for cut_name in ("宋", "沈翔", "毛文"))


async def test_the_missing_line_ends_with_how_many_more(watch: Watch) -> None:
    add_people(watch.session, tuple(f"测试员{i:02d}" for i in range(30)))
    app = make_app(watch.session)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_watch(app, pilot, "checkins")
        line = static(app, "#sheet-missing")
        assert line.startswith("未报：") and "等（另" in line and line.endswith("人）")
        assert cell_len(line) <= 100
        shown = line.removeprefix("未报：").split(" 等（另")[0].split("、")
        assert set(shown) <= {p["name"] for p in watch.session.roster.people()}
        rest = int(line.split("等（另 ")[1].split(" ")[0])
        assert rest + len(shown) == 35

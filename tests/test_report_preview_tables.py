"""The reports section's preview never splits a name (#16): at 80x24 every
name in a report's tables stands whole on the screen; a table too wide for
the width is shown one block per row, and only what cannot fit at all is
cut, with "…"."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

from typing import Any

import pytest
from fixtures_app import TODAY, chinese, demo_session, english, settle  # noqa: F401
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from terminalkit import screen_lines
from textual.containers import VerticalScroll

from branchtool import reports
from branchtool.reports.document import Paragraph, Table
from branchtool.reports.text import cell
from branchtool.session import Session
from screens.preview_table import WHOLE, table_lines, wrap_cell
from screens.reports_pane import ReportsPane

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡"
            "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹")
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂华建国雨萱文哲翔家梦怡婷泽波"
names = st.builds(lambda s, g: s + g, st.sampled_from(SURNAMES),
                  st.text(GIVEN, min_size=1, max_size=3))


def flat(lines: list[Any]) -> list[str]:
    return [line.plain for line in lines]


# -- the layout ------------------------------------------------------------------------------
def test_a_list_of_names_wraps_between_names() -> None:
    assert wrap_cell("程建国、宋雨萱、毛文哲、沈翔", 16) == ["程建国、宋雨萱、", "毛文哲、沈翔"]
    assert wrap_cell("2024年6月1日（今日期满）", 14) == ["2024年6月1日", "（今日期满）"]
    assert wrap_cell("姜家萱", 4) == ["姜…"]  # not even one name fits: cut, with a sign


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.tuples(names, st.lists(names, min_size=1, max_size=5), names,
                               st.integers(0, 999)), min_size=1, max_size=6),
       width=st.integers(30, 118))
def test_every_name_in_a_table_stands_whole(rows: list[Any], width: int) -> None:
    headers = ["姓名", "承办人", "帮扶责任人", "次数"]
    cells = [[a, "、".join(b), c, str(n)] for a, b, c, n in rows]
    lines = flat(table_lines(headers, cells, width))
    assert all(cell_len(line) <= width for line in lines)
    assert not any("…" in line for line in lines)  # names of 4 characters always fit 30 cells
    text = "\n".join(lines)
    for a, b, c, _ in rows:
        for name in (a, *b, c):
            assert name in text


@settings(max_examples=100, deadline=None)
@given(title=st.text("关于做好疫情防控工作的党员先锋岗活动", min_size=1, max_size=40),
       people=st.lists(names, min_size=1, max_size=8), width=st.integers(24, 100))
def test_long_text_wraps_and_the_names_beside_it_do_not(title: str, people: list[str],
                                                         width: int) -> None:
    lines = flat(table_lines(["通知", "未阅知"], [[title, "、".join(people)]], width))
    assert all(cell_len(line) <= width for line in lines)
    for name in people:
        assert any(name in line for line in lines), (name, lines)
    rest = "".join(lines)
    for name in sorted(people, key=len, reverse=True):
        rest = rest.replace(name, "")
    for mark in ("通知", "未阅知", "：", "、", "─", " "):
        rest = rest.replace(mark, "")
    assert rest == title  # the title wrapped, all of it there, in order


def test_a_table_too_wide_is_one_block_per_row() -> None:
    headers = ["序号", "姓名", "困难类型", "困难程度", "帮扶责任人", "本期走访", "下次走访", "状态"]
    row = ["1", "外院学生甲", "隔离期间生活困难", "特别困难", "欧阳娜娜", "0", "2024年6月13日",
           "跟进中"]
    lines = flat(table_lines(headers, [row], 60))
    assert lines[0].split() == ["1", "外院学生甲"]
    body = " ".join(lines[1:])
    for field in ("困难类型：隔离期间生活困难", "帮扶责任人：欧阳娜娜", "下次走访：2024年6月13日"):
        assert field in body
    assert all(cell_len(line) <= 60 for line in lines)


def test_headings_wrap_only_when_they_must(english: None) -> None:
    lines = flat(table_lines(["Date", "Expected", "Missing"], [["05-26", "39", "1"]], 80))
    assert lines[0].split() == ["Date", "Expected", "Missing"]
    narrow = " ".join(flat(table_lines(
        ["Date", "Expected", "Reported", "Missing", "Observation"],
        [["05-26", "39", "38", "1", "1"]], 30)))
    assert "Missi" not in narrow.replace("Missing", "")  # a word of a heading stays whole
    narrow = " ".join(flat(table_lines(["通知标题", "应传达", "已传达", "覆盖率", "已阅知"],
                                       [["关于做好疫情防控工作的通知", "14", "11", "78.6%", "10"]],
                                       50)))
    assert "应传达" in narrow and "已阅知" in narrow  # headings whole while the title can wrap


# -- on the screen, 80x24 --------------------------------------------------------------------
def table_names(session: Session, doc: Any) -> dict[str, int]:
    """How often each roster name stands as a name in the report's tables
    and in its paragraphs that list names (“未报告8人：郝清涛、龙铭哲……”)."""
    people = {p["name"] for p in session.roster.people()}
    counts: dict[str, int] = {}
    for section in doc.sections:
        for block in section.blocks:
            if isinstance(block, Table):
                values = [cell(value) for row in block.rows for value in row]
            elif isinstance(block, Paragraph):
                values = [block.text.rstrip("。").rpartition("：")[2]]
            else:
                continue
            for value in values:
                for name in value.split("、"):
                    if name in people:
                        counts[name] = counts.get(name, 0) + 1
    return counts


async def preview_lines(app: Any, pilot: Any, pane: ReportsPane) -> list[str]:
    """Every line of the preview, read off the screen page by page."""
    scroll = pane.query_one("#report-scroll", VerticalScroll)
    region = scroll.content_region
    height = region.height
    total = scroll.virtual_size.height
    lines: list[str] = []
    top = 0
    while top < total:
        scroll.scroll_to(y=top, animate=False, immediate=True)
        await pilot.pause()
        shown = int(scroll.scroll_y)
        screen = screen_lines(app)
        page = [screen[y][region.x:] for y in range(region.y, region.bottom)]
        lines += page[top - shown:]
        top += height
    return lines


@pytest.mark.parametrize("kind", reports.KINDS)
async def test_no_name_is_split_in_the_preview_at_80x24(demo_session: Session,
                                                        kind: str) -> None:
    from screens.app import BranchApp

    app = BranchApp(demo_session, today=lambda: TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.screen.action_section("reports")
        await settle(app, pilot)
        pane = app.screen.query_one(ReportsPane)
        pane.show_kind(kind)
        await settle(app, pilot)
        await pilot.pause()
        assert pane.document is not None and pane.document.kind == kind
        expected = table_names(demo_session, pane.document)
        if kind in ("daily", "care"):
            assert expected, "the demo's report names people in its tables"
        lines = await preview_lines(app, pilot, pane)
        for name, times in expected.items():
            whole = sum(line.count(name) for line in lines)
            assert whole >= times, (name, times, whole)
        assert not any("…" in line for line in lines)


def test_a_paragraph_listing_names_breaks_between_them() -> None:
    from screens.preview_table import list_lines

    text = "未报告8人：郝清涛、龙铭哲、彭哲春、秦子、邵诗琪、尹志、于妍思、赵涵晓。"
    starts = list_lines(text, 70)
    assert starts is not None
    lines = [text[a:b] for a, b in zip([0, *starts], [*starts, len(text)], strict=True)]
    assert lines == ["未报告8人：郝清涛、龙铭哲、彭哲春、秦子、邵诗琪、尹志、于妍思、", "赵涵晓。"]
    assert list_lines("本支部应报告57人，已报告49人，未报告8人，报告率86.0%。", 30) is None


def test_whole_is_wide_enough_for_a_date_and_a_long_name() -> None:
    assert cell_len("2024年12月15日") <= WHOLE and cell_len("阿不都热合曼") <= WHOLE


NAMES = ["郝清涛", "龙铭哲", "彭哲春", "秦子", "邵诗琪", "尹志", "于妍思", "赵涵晓", "欧阳娜娜"]


@pytest.mark.parametrize("width", range(40, 81, 3))
async def test_a_list_of_names_on_screen_keeps_each_whole(width: int) -> None:
    from textual.app import App, ComposeResult

    from screens.preview_table import ReportMarkdown

    source = f"## 三、未报告人员\n\n未报告{len(NAMES)}人：{'、'.join(NAMES)}。\n"

    class Page(App[None]):
        def compose(self) -> ComposeResult:
            yield ReportMarkdown(source)

    app = Page()
    async with app.run_test(size=(width, 12)) as pilot:
        await pilot.pause()
        text = "\n".join(screen_lines(app))
        for name in NAMES:
            assert name in text, (width, name, text)


@settings(max_examples=200, deadline=None)
@given(headers=st.lists(st.text(min_size=0, max_size=12), min_size=1, max_size=9),
       rows=st.lists(st.lists(st.text(max_size=30), max_size=11), max_size=5),
       width=st.integers(0, 130))
def test_any_table_lays_out_within_its_width(headers: list[str], rows: list[list[str]],
                                             width: int) -> None:
    """Whatever a bundle's report holds (an office shows a branch's), the
    layout neither fails nor draws past the width it has (at 8 cells and up)."""
    lines = flat(table_lines(headers, rows, width))
    if width >= 8:
        assert all(cell_len(line) <= width for line in lines), (width, lines)

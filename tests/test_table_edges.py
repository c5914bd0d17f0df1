"""A list's last column is never cut by its scrollbar (#16): at 80x24 the
day sheet of 40 people scrolls, and its 班级或部门 column used to run under
the scrollbar, "软件工程2023级3班" showing as "软件工程2023级" with no sign.
A cell shown is its whole text or ends in "…"."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

from fixtures_app import chinese, demo_session, make_app, settle  # noqa: F401
from terminalkit import cells, screen_lines

from branchtool.session import Session
from screens.day_sheet import SheetTable


async def test_the_last_column_is_whole_or_marked_beside_the_scrollbar(
        demo_session: Session) -> None:
    app = make_app(demo_session)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.screen.action_section("watch")
        await settle(app, pilot)
        app.screen.query_one("#watch-section").action_tab("checkins")
        await settle(app, pilot)
        table = app.screen.query_one(SheetTable)
        await pilot.pause()
        await settle(app, pilot)
        assert table.show_vertical_scrollbar  # more people than lines
        region = table.content_region
        right = table.scrollable_content_region.right  # the scrollbar's first cell
        columns = table.visible_columns()
        screen = screen_lines(app)
        seen = 0
        for y in range(1, region.height):
            if table.scroll_offset.y + y - 1 >= len(table.rows):
                break
            row = table.rows[table.scroll_offset.y + y - 1]
            start = region.x + 1  # each column after the others and their spaces
            for n, (_, column, width) in enumerate(columns):
                end = right if n == len(columns) - 1 else start + width
                shown = cells(screen[region.y + y], start, end).strip()
                start += width + 1
                full = row.cell(column.key)
                seen += bool(full)
                assert shown == full or shown.endswith("…") or "等" in shown, \
                    (column.key, full, shown)
        assert seen


async def test_the_header_keeps_the_date_whole_and_marks_a_long_name() -> None:
    """The office's read-only view of a branch names it at length (“……（DEMO）·
    只读”): at 80 columns the date lost its 日 (“星期”); now the name ends in
    “…” and the date and weekday stand whole."""
    import datetime as dt

    from textual.app import App, ComposeResult

    from screens.header import BranchHeader

    day = dt.date(2026, 12, 6)  # a Sunday: 星期日

    class Page(App[None]):
        def compose(self) -> ComposeResult:
            yield BranchHeader("计算机学院学生第一党支部（演示）（DEMO）· 只读", lambda: day)

    app = Page()
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.pause()
        line = screen_lines(app)[0]
        assert line.endswith("2026年12月6日 星期日") and "…" in line, line
    app = Page()
    async with app.run_test(size=(120, 5)) as pilot:
        await pilot.pause()
        line = screen_lines(app)[0]
        assert "只读" in line and "…" not in line and line.endswith("星期日"), line

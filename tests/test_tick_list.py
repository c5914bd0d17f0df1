"""Tick lists (承办人, 相关任务, 党员, 症状): the ticked ones come first, Space
ticks the highlighted row as soon as the list has the focus, a ticked row
shows a mark that needs no colour, and labels are plain text."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

from fixtures_app import chinese, make_app, person, session, settle, vault_dir  # noqa: F401
from test_care_screens import branch, form_row, open_section  # noqa: F401
from textual.app import App, ComposeResult
from textual.widgets import Input

from branchtool.session import Session
from screens.care_form import CareForm
from screens.tick_list import TICKED, UNTICKED, TickList, ticked_first


def marks(widget: TickList) -> list[str]:
    """The box of each row as drawn (the character between ▐ and ▌)."""
    return [widget.render_line(y).text[1] for y in range(widget.option_count)]


def test_ticked_options_come_first_in_their_order() -> None:
    options = [("甲", "a"), ("乙", "b"), ("丙", "c"), ("丁", "d")]
    assert ticked_first(options, {"d", "b"}) == [
        ("乙", "b", True), ("丁", "d", True), ("甲", "a", False), ("丙", "c", False)]


async def test_space_ticks_at_once_after_tab_and_the_mark_needs_no_colour() -> None:
    class Form(App[None]):
        def compose(self) -> ComposeResult:
            yield Input()
            yield TickList(("[b]程建国[/b]", "a", False), ("宋雨萱", "b", False), id="ticks")

    app = Form()
    async with app.run_test(size=(40, 8)) as pilot:
        ticks = app.query_one(TickList)
        await pilot.press("tab")
        assert app.focused is ticks
        await pilot.press("space")  # no arrow key first
        assert ticks.selected == ["a"]
        await pilot.pause()
        assert marks(ticks) == [TICKED, UNTICKED]
        assert "[b]程建国[/b]" in ticks.render_line(0).text  # a name is not markup
        await pilot.press("down", "space", "up", "space")
        assert ticks.selected == ["b"]
        assert marks(ticks) == [UNTICKED, TICKED]


async def test_editing_a_task_shows_its_assignees_first_and_space_works_at_once(
        session: Session, branch: dict[str, str]) -> None:
    task = session.tasks.add({"title": "值班", "assignees": [branch["zhao"]],
                              "due": "2024-06-05 17:00"})
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_section(app, pilot, "tasks")
        pane.edit(task)
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, CareForm)
        ticks = form_row(form, "assignees").widget
        assert isinstance(ticks, TickList)
        assert ticks.get_option_at_index(0).value == branch["zhao"]
        assert marks(ticks)[0] == TICKED and set(marks(ticks)[1:]) == {UNTICKED}
        while app.focused is not ticks:
            await pilot.press("tab")
        await pilot.press("down", "space")
        assert set(ticks.selected) == {branch["zhao"], ticks.get_option_at_index(1).value}

"""Names in drop-downs and tick lists are names, never markup: a Party group
called ``[/]…`` or a member named ``[b]…[/b]`` (a roster imported from a
sheet students filled in) is offered as written, and choosing it works."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

from typing import Any

from fixtures_app import (  # noqa: F401  (fixtures)
    chinese,
    make_app,
    person,
    session,
    vault_dir,
)
from textual.widgets import Select
from textual.widgets._select import SelectOverlay

from branchtool.session import Session
from screens.main import MainScreen
from screens.roster_pane import RosterTable
from screens.task_form import BulkTaskForm

GROUP = "[/]学生党小组"
OTHER = "[b]教工[/b]党小组"
NAME = "[red]张[/red]三"


def fill(session: Session) -> None:
    session.roster.add(person(NAME, category="staff", stage="member", group=OTHER))
    session.roster.add(person("李四", stage="member", group=GROUP))


def offered(select: Select[Any]) -> list[str]:
    overlay = select.query_one(SelectOverlay)
    return [str(overlay.get_option_at_index(i).prompt) for i in range(overlay.option_count)]


async def test_a_group_named_like_markup_is_a_filter_choice(session: Session) -> None:
    fill(session)
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        group = app.screen.query_one("#filter-group", Select)
        assert GROUP in offered(group) and OTHER in offered(group)
        group.value = GROUP
        await pilot.pause()
        assert [row["name"] for row in app.screen.query_one(RosterTable).rows] == ["李四"]


async def test_the_bulk_task_form_offers_such_a_group(session: Session) -> None:
    fill(session)
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        main = app.screen
        assert isinstance(main, MainScreen)
        main.action_section("tasks")
        await pilot.pause()
        await pilot.press("ctrl+b")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, BulkTaskForm)
        who = form.query_one("#field-who", Select)
        assert GROUP in offered(who) and OTHER in offered(who)
        who.value = GROUP
        await pilot.pause()
        assert who.value == GROUP
        assert "1 名党员" in str(form.query_one("#form-hint").render())

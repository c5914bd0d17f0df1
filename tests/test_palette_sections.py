"""The command palette offers every section's commands, wherever it is
opened; a command of another section opens that section, then runs."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

from fixtures_app import chinese, demo_session, make_app, settle  # noqa: F401  (fixtures)
from textual.command import CommandPalette

from branchtool.session import Session
from screens.care_form import CareForm
from screens.main import MainScreen
from screens.reports_pane import ReportsPane
from screens.tasks import TasksPane


async def palette(app, pilot, typed: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+p")
    await settle(app, pilot)
    assert CommandPalette.is_open(app)
    await pilot.press(*typed)
    await pilot.pause(0.3)
    await pilot.press("enter")
    await settle(app, pilot)


async def test_the_palette_from_the_roster_finds_a_report_and_a_task_command(
        demo_session: Session) -> None:
    app = make_app(demo_session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        main = app.screen
        assert isinstance(main, MainScreen) and main.active_pane.id == "roster"
        await palette(app, pilot, "周报")
        pane = main.active_pane
        assert isinstance(pane, ReportsPane) and pane.kind == "weekly"
        main.action_section("roster")
        await settle(app, pilot)
        await palette(app, pilot, "新建任务")
        assert isinstance(main.active_pane, TasksPane)
        assert isinstance(app.screen, CareForm)
        titles = [c.title for c in app.palette_commands(main)]
        assert {"新增人员", "新增帮扶对象", "新建任务", "报告：疫情防控日报"} <= set(titles)
        assert len(titles) == len(set(titles))  # no command twice

"""The office's view of a branch (``v``) shows the daily report's 其他事项
as the branch wrote it (#17): the bundle carries each day's words, and the
view's Reports section builds the report with them — a hostile text's
control characters spelled out and its markup shown as written — or the
zero report's 今日无异常 when that is what was sent."""


from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fixtures_app import chinese, settle  # noqa: F401
from textual.widgets import Input, Markdown

from branchtool.office.branch_view import ViewSession
from branchtool.services import day_reports
from branchtool.session import Session
from screens.branch_view import BranchViewScreen
from screens.office_branch import OfficeBranchScreen
from screens.reports_pane import ReportsPane
from tests.officekit import (
    OFFICE_PASSPHRASE,
    TODAY,
    TZ,
    Clock,
    enrol,
    export,
    make_branch,
    make_office,
)

HOSTILE = "[red]假[/red][@click=app.quit]退出[/] \x1b[2J\x1b]0;伪造标题\x07 \u202e反向"
YESTERDAY = TODAY - dt.timedelta(days=1)


@pytest.fixture
def office_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An office holding a branch's bundle of two days: yesterday sent as
    the zero report, today with 其他事项 that a changed program left
    uncleaned."""
    clock = Clock()
    office = make_office(tmp_path / "office", clock)
    branch = make_branch(tmp_path / "a", "A1", "第一党支部", office, people=6, days=3, seed=1)
    enrol(office, branch)
    with monkeypatch.context() as m:
        m.setattr(day_reports, "clean_other", lambda text: text)
        branch.day_reports.save(TODAY, "张三同学已返校\n" + HOSTILE)
    branch.day_reports.save(YESTERDAY, "今日无异常", zero=True)
    result = office.import_paths([export(branch, tmp_path / "usb", start=YESTERDAY)])
    assert [r.verdict for r in result] == ["accepted"]
    branch.lock()
    office.vault.close()
    return tmp_path / "office"


def test_the_view_holds_what_the_branch_wrote(office_path: Path) -> None:
    office = Session(office_path, work_factor=10)
    office.unlock(OFFICE_PASSPHRASE)
    try:
        view = ViewSession(office, "A1", lambda: Clock()().astimezone(TZ))
        assert view.day_reports.other(TODAY) == "张三同学已返校\n" + HOSTILE
        assert view.day_reports.other(YESTERDAY) == "今日无异常"
    finally:
        office.lock()


async def test_v_shows_the_other_matters_as_text(office_path: Path) -> None:
    from screens.app import BranchApp

    session = Session(office_path, work_factor=10)
    session.unlock(OFFICE_PASSPHRASE)
    app = BranchApp(session, today=lambda: TODAY)
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(app, pilot)
        app.push_screen(OfficeBranchScreen(session, "A1"))
        await settle(app, pilot)
        await pilot.press("v")
        await settle(app, pilot)
        view = app.screen
        assert isinstance(view, BranchViewScreen)
        view.action_section("reports")
        await settle(app, pilot)
        pane = view.query_one(ReportsPane)
        preview = pane.query_one("#report-view", Markdown)

        async def daily(day: dt.date) -> str:
            pane.query_one("#report-date", Input).value = day.isoformat()
            pane.action_refresh()
            await settle(app, pilot)
            await pilot.pause()
            source = preview.source
            return source[source.index("十、其他事项"):]

        today = await daily(TODAY)
        assert "张三同学已返校" in today
        assert "\x1b" not in today and "\u202e" not in today and "\x07" not in today
        assert "\\x1b" in today and "\\u202e反向" in today  # spelled out
        shown = "\n".join(str(block._content) for block in preview.query("MarkdownParagraph"))
        assert "[red]假[/red][@click=app.quit]退出[/]" in shown  # markup as written
        assert "\\x1b]0;伪造标题\\x07" in shown
        assert app.is_running  # the hostile link quit nothing
        yesterday = await daily(YESTERDAY)
        assert "今日无异常" in yesterday.split("---")[0]
    session.lock()

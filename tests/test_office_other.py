"""A branch's 其他事项 at the office (issue 17 item 3): the office reads it in
the branch's daily report, and a hostile one — markup, ESC sequences, a
right-to-left override, sent by a branch whose program was changed to skip
the cleaning — shows as plain text, never obeyed."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures_app import chinese, settle  # noqa: F401
from textual.widgets import Markdown, Select

from branchtool.services import day_reports
from branchtool.session import Session
from screens.office_branch import OfficeBranchScreen
from tests.officekit import OFFICE_PASSPHRASE, TODAY, Clock, enrol, export, make_branch, make_office

HOSTILE = "[red]假[/red][@click=app.quit]退出[/] \x1b[2J\x1b]0;伪造标题\x07 \u202e反向"


async def test_a_hostile_other_matters_shows_as_plain_text(
        chinese: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from screens.app import BranchApp

    office = make_office(tmp_path / "office", Clock())
    branch = make_branch(tmp_path / "a", "A1", "第一党支部", office, people=6, seed=1)
    enrol(office, branch)
    # a branch whose program was changed: its text is kept as sent
    monkeypatch.setattr(day_reports, "clean_other", lambda text: text)
    branch.day_reports.save(TODAY, "张三同学已返校\n" + HOSTILE)
    office.import_paths([export(branch, tmp_path / "usb")])
    branch.lock()
    office.vault.close()

    session = Session(tmp_path / "office", work_factor=10)
    session.unlock(OFFICE_PASSPHRASE)
    app = BranchApp(session, today=lambda: TODAY)
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(app, pilot)
        app.push_screen(OfficeBranchScreen(session, "A1"))
        await settle(app, pilot)
        screen = app.screen
        await pilot.press("alt+2")
        reports = screen.query_one("#branch-report", Select)
        reports.value = f"daily/{TODAY.isoformat()}"
        await settle(app, pilot)
        view = screen.query_one("#branch-report-text", Markdown)
        source = view.source
        assert "\x1b" not in source and "\u202e" not in source and "\x07" not in source
        assert "\\x1b\\[2J" in source and "\\u202e反向" in source
        await pilot.pause()
        shown = "\n".join(str(block._content) for block in view.query("MarkdownParagraph"))
        assert "张三同学已返校" in shown
        assert "[red]假[/red][@click=app.quit]退出[/]" in shown  # markup as written
        assert "\\x1b]0;伪造标题\\x07" in shown
        assert app.is_running  # the hostile link quit nothing
    session.lock()

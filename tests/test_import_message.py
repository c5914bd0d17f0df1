"""The import dialogs' message under the file is read whole (#16): a long
sentence (a file that is a web page saved as .xls, as survey sites export
it) wraps, by the Chinese line-breaking rules, instead of being cut at the
edge of an 80-column screen without a sign."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

from pathlib import Path

from fixtures_app import chinese, make_app, session, settle, vault_dir  # noqa: F401
from terminalkit import cells, screen_lines
from textual.widgets import Button, Input

from branchtool import i18n
from branchtool.session import Session
from screens.import_roster import ImportRosterScreen
from screens.line_breaks import NO_LINE_START

SURVEY_PAGE = ("<html><head><meta charset='utf-8'></head><body><table>"
               "<tr><td>姓名</td><td>学号</td></tr><tr><td>张三</td><td>2023001</td></tr>"
               "</table></body></html>")


async def test_a_long_message_is_read_whole_at_80x24(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "第二党支部党员信息采集表（问卷星导出）.xls"
    path.write_text(SURVEY_PAGE, encoding="utf-8")
    sentence = i18n.t("table.is_html", name=path.name)
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ImportRosterScreen)
        screen.query_one("#import-path", Input).value = str(path)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.pause()
        message = screen.query_one("#import-message")
        region = message.content_region
        shown = [cells(line, region.x, region.right).strip()
                 for line in screen_lines(app)[region.y:region.bottom]]
        assert "".join(shown).replace(" ", "") == sentence.replace(" ", ""), shown
        assert len(shown) > 1  # it did not fit one line: it wrapped
        assert not any(line.strip()[:1] in NO_LINE_START for line in shown[1:])
        commit = screen.query_one("#import-commit", Button)
        assert commit.region.y >= region.y and commit.region.bottom <= app.size.height

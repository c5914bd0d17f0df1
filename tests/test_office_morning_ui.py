"""An office clerk's morning in the app, driven with Pilot (issue 22): a stick
with one late file, one damaged, one branch silent, one correcting a check-in
of yesterday, and a branch revoked last night — imported at 80x24; the
dashboard, its filters, the list of the abnormal and the import log; a
branch's page; nothing cut at 80 or 120 columns; the office knowing itself."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fixtures_app import settle
from rich.cells import cell_len
from textual.widgets import Input, Markdown, Select

from branchtool import i18n
from branchtool.session import Session
from screens.office_branch import ChangeScreen, OfficeBranchScreen
from screens.office_dashboard import OfficeDashboard
from screens.office_import import FileVerdictScreen, OfficeImportPane
from screens.office_main import OfficeMainScreen
from screens.record_table import RecordTable
from screens.unlock import UnlockScreen
from tests import morningkit
from tests.morningkit import (
    CORRECTED,
    DAMAGED,
    LATE,
    MORNING,
    REVOKED,
    SILENT,
    Morning,
    office_time_zone,
)
from tests.officekit import OFFICE_PASSPHRASE


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Morning:
    with office_time_zone():
        return morningkit.build(tmp_path_factory.mktemp("morning"), branches=6)


@pytest.fixture
def morning(built: Morning, tmp_path: Path) -> Iterator[Morning]:
    """A copy of the office of the morning, for one test; the office's zone."""
    shutil.copytree(built.office, tmp_path / "office")
    with office_time_zone():
        yield Morning(built.root, tmp_path / "office", built.usb, built.branches,
                      built.names, built.corrected)


@pytest.fixture(params=["zh-CN", "en"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    before = i18n.language()
    i18n.set_language(request.param)
    yield request.param
    i18n.set_language(before)


def office_app(path: Path):  # type: ignore[no-untyped-def]
    from screens.app import BranchApp

    session = Session(path, work_factor=10)
    session.unlock(OFFICE_PASSPHRASE)
    return BranchApp(session, today=lambda: MORNING), session


async def import_stick(app, pilot, usb: Path) -> OfficeImportPane:  # type: ignore[no-untyped-def]
    await settle(app, pilot)
    app.screen.action_section("import")
    await settle(app, pilot)
    pane = app.screen.query_one(OfficeImportPane)
    pane.query_one("#office-import-paths", Input).value = str(usb)
    pane.action_import()
    await settle(app, pilot)
    await settle(app, pilot)
    return pane


def rows_by_code(table: RecordTable) -> dict[str, Any]:
    return {row.id: row for row in table.rows}


async def test_the_refusal_is_reachable_at_80_columns(morning: Morning, lang: str) -> None:
    app, session = office_app(morning.office)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await import_stick(app, pilot, morning.usb)
        table = pane.query_one("#office-import-results", RecordTable)
        damaged = next(n for n, r in enumerate(pane.results) if r.verdict == "rejected")
        assert pane.results[damaged].branch == DAMAGED
        table.focus()
        table.move_to(damaged)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FileVerdictScreen)
        shown = str(app.screen.query_one("#file-verdict").render())
        assert pane.results[damaged].message() in shown
        assert f"{DAMAGED}-000002-{MORNING:%Y%m%d}.bundle.age" in shown
        await pilot.press("escape")
        assert isinstance(app.screen, OfficeMainScreen)
    session.lock()


async def test_the_dashboard_of_the_morning(morning: Morning, lang: str) -> None:
    morningkit.import_morning(morning)
    app, session = office_app(morning.office)
    t = i18n.t
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        dashboard = app.screen.query_one(OfficeDashboard)
        rows = rows_by_code(dashboard.query_one("#office-branches", RecordTable))
        arrival = {code: row.cell("arrival") for code, row in rows.items()}
        assert arrival[DAMAGED] == t("office.day.damaged")  # not "not reported"
        assert arrival[SILENT] == t("office.day.missing")
        assert arrival[REVOKED] == t("office.day.revoked")
        assert arrival[LATE].endswith(t("office.day.late"))
        assert arrival[CORRECTED].endswith(t("office.day.on_time"))
        # whom to phone; the silent branch never said
        contact = {code: (row.cell("secretary"), row.cell("phone")) for code, row in rows.items()}
        assert contact[CORRECTED] == ("王秀英", "138 0013 0000")
        assert contact[SILENT] == ("—", "—")
        assert "5" in str(dashboard.query_one("#office-head").render())  # 5 owed, not 6
        assert dashboard.overview is not None and dashboard.overview.totals.branches == 5

        async def shown(filter_key: str) -> list[str]:
            dashboard.query_one("#office-filter", Select).value = filter_key
            await pilot.pause()
            return [r.id for r in dashboard.query_one("#office-branches", RecordTable).rows]

        assert await shown("absent") == [DAMAGED, SILENT]
        assert await shown("late") == [LATE]
        assert await shown("changed") == [CORRECTED]
        fever = await shown("fever")
        assert CORRECTED in fever and SILENT not in fever
        await shown("all")
        dashboard.query_one("#office-sort", Select).value = "trouble"
        await pilot.pause()
        order = [r.id for r in dashboard.query_one("#office-branches", RecordTable).rows]
        assert order[:3] == [DAMAGED, SILENT, LATE]
        # the named list of the abnormal: the corrected branch's fever of today
        await pilot.press("f3")
        await settle(app, pilot)
        abnormal = dashboard.query_one("#office-abnormal", RecordTable)
        assert any(r.cell("code") == CORRECTED and r.cell("temperature") == "38.2℃"
                   for r in abnormal.rows)
        # the import log: the damaged file, its reason; Enter shows it all
        await pilot.press("f4")
        await settle(app, pilot)
        log = dashboard.query_one("#office-log", RecordTable)
        refused = [r for r in log.rows if r.cell("verdict") == t("office.verdict.rejected")]
        assert len(refused) == 1 and refused[0].cell("code") == DAMAGED
    session.lock()


async def test_the_log_outlives_a_lock_and_a_restart(morning: Morning) -> None:
    morningkit.import_morning(morning)
    app, session = office_app(morning.office)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("f4")
        await settle(app, pilot)
        dashboard = app.screen.query_one(OfficeDashboard)
        before = [dict(r.values) for r in dashboard.query_one("#office-log", RecordTable).rows]
        assert before
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen)
        assert dashboard.query_one("#office-log", RecordTable).rows == []
        app.screen.query_one(Input).value = OFFICE_PASSPHRASE
        await pilot.press("enter")
        await settle(app, pilot)
        await settle(app, pilot)
        await pilot.press("f4")
        await settle(app, pilot)
        assert [dict(r.values) for r in dashboard.query_one("#office-log", RecordTable).rows] \
            == before
    session.lock()
    app, session = office_app(morning.office)  # the program started again
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        rows = rows_by_code(app.screen.query_one("#office-branches", RecordTable))
        assert rows[DAMAGED].cell("arrival") == i18n.t("office.day.damaged")
    session.lock()


async def test_a_branch_page_names_whom_and_what(morning: Morning) -> None:
    i18n.set_language("zh-CN")
    morningkit.import_morning(morning)
    app, session = office_app(morning.office)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#office-branches", RecordTable)
        table.focus()
        table.move_to(0)  # B01, the one that corrected yesterday
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, OfficeBranchScreen) and screen.code == CORRECTED
        overview = str(screen.query_one("#branch-overview").render())
        assert "王秀英" in overview and "138 0013 0000" in overview
        # the reports of both bundles, yesterday's too
        await pilot.press("alt+2")
        reports = screen.query_one("#branch-report", Select)
        values = [v for _, v in reports._options if v != Select.NULL]
        assert f"daily/{morningkit.YESTERDAY}" in values and f"daily/{MORNING}" in values
        reports.value = f"daily/{morningkit.YESTERDAY}"
        await settle(app, pilot)
        assert "疫情防控日报" in screen.query_one("#branch-report-text", Markdown).source
        # Enter on the first bundle in the Bundles tab: its reports
        await pilot.press("alt+5")
        bundles = screen.query_one("#branch-bundles", RecordTable)
        bundles.focus()
        bundles.move_to(len(bundles.rows) - 1)  # #1, the oldest
        await pilot.press("enter")
        await settle(app, pilot)
        assert reports.value == f"daily/{morningkit.YESTERDAY}"
        # the correction: by the person's name, the fields by their labels, new values
        await pilot.press("alt+4")
        changes = screen.query_one("#branch-changes", RecordTable)
        [row] = changes.rows
        name = morning.corrected["name"]
        assert row.cell("subject").startswith(name) and "体温" in row.cell("fields")
        assert "at" not in row.cell("fields").split("、")
        changes.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ChangeScreen)
        text = str(app.screen.query_one("Static").render())
        assert name in text and "37.9℃" in text and "新值不在" not in text
    session.lock()


@pytest.mark.parametrize("size", [(120, 35), (80, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_nothing_is_cut(morning: Morning, lang: str, size: tuple[int, int]) -> None:
    """Every cell the dashboard and the import draw is whole (a column too
    wide for the screen is left out, never cut)."""
    app, session = office_app(morning.office)
    async with app.run_test(size=size) as pilot:
        pane = await import_stick(app, pilot, morning.usb)
        for table in (pane.query_one("#office-import-results", RecordTable),):
            assert_whole(table)
        app.screen.action_section("dashboard")
        await settle(app, pilot)
        table = app.screen.query_one("#office-branches", RecordTable)
        assert_whole(table)
        names = {r.id: r.cell("name") for r in table.rows}
        assert names == morning.names  # B01 and B13 alike would both read whole
        statuses = [r.cell("arrival") for r in table.rows]
        assert any(s.endswith(i18n.t("office.day.on_time")) for s in statuses)
    session.lock()


def assert_whole(table: RecordTable) -> None:
    shown = table.visible_columns()
    assert shown, "no column fits"
    for row in table.rows:
        for _, column, width in shown:
            text = row.cell(column.key)
            assert cell_len(text) <= width, (column.key, text, width)
            assert not text.endswith("…") or column.key == "message", text
    assert sum(width + 1 for _, _, width in shown) + 1 <= table.row_width()


async def test_the_office_knows_itself(morning: Morning) -> None:
    from branchtool.office.create import office_key
    from screens.settings import SettingsScreen

    i18n.set_language("zh-CN")
    app, session = office_app(morning.office)
    key = office_key(session.vault)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert str(app.screen.query_one("#header").render()).strip().startswith("党委办公室")
        assert app.title == "党委办公室"
        titles = [c.title for c in app.palette_commands(app.screen)]  # type: ignore[attr-defined]
        assert f"本办公室：{key.name}" in titles
        helps = [c.help for c in app.palette_commands(app.screen)]  # type: ignore[attr-defined]
        assert any(key.fingerprint in h for h in helps)
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        office = str(app.screen.query_one("#settings-office").render())
        assert key.name in office and key.fingerprint in office
        await pilot.press("escape")
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen)
        assert str(app.screen.query_one("#unlock-title").render()) == "党委办公室"
    session.lock()

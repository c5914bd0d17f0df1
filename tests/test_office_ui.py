"""Office mode in the app, driven with Pilot: the dashboard, drilling into a
branch, importing a folder with a verdict per file, enrolling a branch, the
office init form, and a lock in the middle."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from fixtures_app import english, settle, toasts  # noqa: F401  (english: a fixture)
from textual.widgets import Input, Markdown, Select

from branchtool.office.service import OfficeService
from branchtool.records.person import PERSON
from branchtool.session import Session
from screens.confirm import ConfirmScreen
from screens.file_picker import FilePicker
from screens.office_branch import ChangeScreen, OfficeBranchScreen
from screens.office_dashboard import OfficeDashboard
from screens.office_import import OfficeImportPane
from screens.office_init import OfficeInitScreen
from screens.office_main import OfficeMainScreen
from screens.office_trust import TrustPane
from screens.path_prompt import PathScreen
from screens.record_table import RecordTable
from screens.unlock import UnlockScreen
from tests.officekit import OFFICE_PASSPHRASE, TODAY, Clock, enrol, export, make_branch, make_office

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Any]:
    """An office (closed) with A1 enrolled and two bundles imported (the second
    corrects a note), B2 enrolled with nothing sent, and in ``usb`` a new
    bundle of B2 plus a damaged file; C3's key file not yet enrolled."""
    office = make_office(tmp_path / "office", Clock())
    a = make_branch(tmp_path / "a", "A1", "第一党支部", office, people=10, seed=1)
    b = make_branch(tmp_path / "b", "B2", "第二党支部", office, people=6, seed=2)
    c = make_branch(tmp_path / "c", "C3", "第三党支部", office, people=3, seed=3)
    enrol(office, a)
    enrol(office, b)
    sent = tmp_path / "sent"
    office.import_paths([export(a, sent, start=TODAY - dt.timedelta(days=1))])
    person = next(iter(a.roster.people()))
    a.roster.edit(person.id, {"unit": "corrected after reporting"})
    office.import_paths([export(a, sent)])
    edited = str(person["name"])
    usb = tmp_path / "usb"
    export(b, usb)
    (usb / "broken.bundle.age").write_bytes(b"not an age file")
    (tmp_path / "C3.pub").write_bytes(c.bundles.branch_key().to_bytes())
    for session in (a, b, c):
        session.lock()
    office.vault.close()
    return {"office": tmp_path / "office", "usb": usb, "c3": tmp_path / "C3.pub",
            "edited": edited}


def office_app(path: Path):  # type: ignore[no-untyped-def]
    from screens.app import BranchApp

    session = Session(path, work_factor=10)
    session.unlock(OFFICE_PASSPHRASE)
    return BranchApp(session, today=lambda: TODAY), session


async def test_dashboard_and_a_branch_read_only(world: dict[str, Path]) -> None:
    app, session = office_app(world["office"])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, OfficeMainScreen)
        assert "某学院党委办公室" in str(app.screen.query_one("#header").render())
        dashboard = app.screen.query_one(OfficeDashboard)
        table = dashboard.query_one("#office-branches", RecordTable)
        assert [r.id for r in table.rows] == ["A1", "B2"]
        assert "not reported" in table.rows[1].cell("arrival")
        head = str(dashboard.query_one("#office-head").render())
        assert "1 of 2 branches reported" in head
        table.focus()
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, OfficeBranchScreen) and screen.code == "A1"
        assert "missing" in str(screen.query_one("#branch-overview").render()).lower()
        await pilot.press("alt+2")
        reports = screen.query_one("#branch-report", Select)
        names = [value for _, value in reports._options if value != Select.NULL]
        assert names and all("/" in n for n in names)
        reports.value = names[0]
        await settle(app, pilot)
        assert screen.query_one("#branch-report-text", Markdown).source.startswith("#")
        await pilot.press("alt+4")
        changes = screen.query_one("#branch-changes", RecordTable)
        [row] = changes.rows
        # who changed what: the person by name, the fields by their labels, no bookkeeping
        person = world["edited"]
        assert row.cell("subject") == person and row.cell("fields") == PERSON.field("unit").label
        changes.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ChangeScreen)
        shown = str(app.screen.query_one("Static").render())
        assert person in shown and "corrected after reporting" in shown
        assert "updated_at" not in shown and "→" in shown
        await pilot.press("escape")
        await pilot.press("alt+3")
        kinds = screen.query_one("#branch-kind", Select)
        kinds.value = "roster"
        await settle(app, pilot)
        assert len(screen.query_one("#branch-data", RecordTable).rows) == 10
        data = screen.query_one("#branch-data", RecordTable).rows
        names = {row.cell(row.columns[0].key) for row in data}
        if "checkins" in [value for _, value in kinds._options]:
            kinds.value = "checkins"
            await settle(app, pilot)
            checkins = screen.query_one("#branch-data", RecordTable).rows
            assert checkins and {row.cell(row.columns[0].key) for row in checkins} <= names
        await pilot.press("escape")
        assert isinstance(app.screen, OfficeMainScreen)
    session.lock()


async def test_import_a_folder_with_a_verdict_per_file(world: dict[str, Path]) -> None:
    app, session = office_app(world["office"])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("alt+2")
        await pilot.pause()
        pane = app.screen.query_one(OfficeImportPane)
        pane.query_one("#office-import-paths", Input).value = str(world["usb"].parent)
        pane.action_browse()
        await settle(app, pilot)
        picker = app.screen
        assert isinstance(picker, FilePicker)  # opened where the typed path points
        assert picker.navigation.location == world["usb"].parent
        picker.query_one("#path-input", Input).value = f'"{world["usb"]}"'  # Copy as path
        await pilot.press("enter")
        await pilot.pause()
        assert pane.query_one("#office-import-paths", Input).value == str(world["usb"])
        await pilot.press("enter")
        await settle(app, pilot)
        rows = pane.query_one("#office-import-results", RecordTable).rows
        assert [(r.cell("file"), r.cell("verdict"), r.cell("code")) for r in rows] == [
            ("B2-000001-20261120.bundle.age", "accepted", "B2"),
            ("broken.bundle.age", "REJECTED", "—")]
        assert "not an encrypted bundle" in rows[1].cell("message")
        assert any("1 accepted, 0 already imported, 1 rejected" in t for t in toasts(app))
        assert (world["usb"] / "broken.bundle.age").exists()
        dashboard = app.screen.query_one(OfficeDashboard)
        await settle(app, pilot)
        assert "2 of 2 branches reported" in str(dashboard.query_one("#office-head").render())
    session.lock()


async def test_enrol_a_branch_after_seeing_its_fingerprint(world: dict[str, Path]) -> None:
    app, session = office_app(world["office"])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("alt+3")
        await pilot.pause()
        pane = app.screen.query_one(TrustPane)
        assert [r.id for r in pane.query_one("#trust-branches", RecordTable).rows] == [
            "A1", "B2"]
        pane.action_enrol()
        await pilot.pause()
        assert isinstance(app.screen, PathScreen)
        app.screen.query_one(Input).value = str(world["c3"])
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        key = OfficeService.of(session).read_branch_key(world["c3"])
        assert "C3" in app.screen.question and key.fingerprint not in app.screen.question
        # the fingerprint has a widget of its own: a name cannot cover it
        assert key.fingerprint in str(app.screen.query_one("#confirm-fingerprint-0").render())
        await pilot.click("#yes")
        await pilot.pause()
        assert [r.id for r in pane.query_one("#trust-branches", RecordTable).rows] == [
            "A1", "B2", "C3"]
        events = [r.cell("event") for r in pane.query_one("#trust-log", RecordTable).rows]
        assert events[0] == "enrolled" and len(events) == 3
    session.lock()


async def test_lock_drops_what_the_office_shows(world: dict[str, Path]) -> None:
    app, session = office_app(world["office"])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#office-branches", RecordTable)
        assert table.rows
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen) and not session.unlocked
        assert table.rows == []
        app.screen.query_one(Input).value = OFFICE_PASSPHRASE
        await pilot.press("enter")
        await settle(app, pilot)
        await settle(app, pilot)
        assert isinstance(app.screen, OfficeMainScreen)
        assert [r.id for r in table.rows] == ["A1", "B2"]
    session.lock()


async def test_office_init_form(tmp_path: Path) -> None:
    from screens.office_app import OfficeInitApp

    usb = tmp_path / "usb"
    usb.mkdir()
    session = Session(tmp_path / "office", work_factor=10)
    app = OfficeInitApp(session, today=lambda: TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, OfficeInitScreen)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert screen.rows["name"].problem == "The office needs a name."
        screen.rows["name"].widget.value = "某学院党委办公室"
        screen.rows["passphrase"].widget.value = "a long office passphrase"
        screen.rows["repeat"].widget.value = "a long office passphrase"
        screen.rows["out"].widget.value = str(usb)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await settle(app, pilot)
        assert isinstance(app.screen, OfficeMainScreen)
        assert session.unlocked and session.vault.kind == "office"
        assert (usb / "office.pub").exists()
    session.lock()


async def test_the_deadline_is_a_setting(world: dict[str, Path]) -> None:
    from screens.office_settings import OfficeSettingsScreen

    app, session = office_app(world["office"])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        app.screen.query_one("#office-branches", RecordTable).focus()
        await pilot.press("f6")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, OfficeSettingsScreen)
        assert screen.value("deadline") == "09:30" and screen.value("max_size") == "256"
        screen.rows["deadline"].widget.value = "7:00"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert screen.rows["deadline"].problem == "The deadline must be a time like 09:30."
        screen.rows["deadline"].widget.value = "23:00"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, OfficeMainScreen)
        assert OfficeService.of(session).settings().deadline == "23:00"
        assert "deadline 23:00" in str(app.screen.query_one("#office-deadline").render())
    session.lock()

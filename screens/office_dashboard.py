"""The office dashboard: every enrolled branch on one day — its last bundle,
whether the day's report (or zero report) arrived and by the deadline,
missing sequences, open alerts, key status — then the college's totals and
the 14/30-day reporting rate. Enter opens a branch (read-only).

The overview is computed in a worker from the branches' documents only; the
table draws only the rows on screen.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input
from textual.worker import Worker, WorkerState

from branchtool import i18n
from branchtool.errors import UserError
from branchtool.office import present
from branchtool.office.service import OfficeService
from branchtool.office.status import Overview
from branchtool.session import Session
from screens.base import LockAware, focus_if_lost, localize_bindings
from screens.commands import PaletteCommand
from screens.office_rows import BRANCH_COLUMNS, branch_line
from screens.path_prompt import PathScreen
from screens.places import confirm_unsynced
from screens.plain import Static
from screens.record_table import RecordTable

OVERVIEW, RECEIPTS, SUMMARY = "office-overview", "office-receipts", "office-summary"


class OfficeChanged(Message):
    """Something the office holds changed (an import, a trust change): views
    that show it reload."""


class OfficeDashboard(Vertical, LockAware):
    DEFAULT_CSS = """
    OfficeDashboard { height: 1fr; }
    #office-day-bar { height: 1; }
    #office-day-bar Static { width: auto; margin-right: 1; }
    #office-day { width: 14; margin-right: 1; }
    #office-head { height: auto; text-style: bold; }
    #office-branches { height: 1fr; min-height: 5; }
    #office-totals { height: auto; color: $text-muted; }
    #office-buttons { height: 1; }
    #office-buttons Button { height: 1; border: none; min-width: 8; margin-right: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "refresh", "office_ui.key.refresh"),
        # priority: the day's input would take Ctrl+E (to the end)
        Binding("ctrl+e", "summary", "office_ui.key.summary", priority=True),
        Binding("ctrl+g", "receipts", "office_ui.key.receipts"),
        Binding("f6", "settings", "office_ui.key.settings"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__(id="office-dashboard")
        self.session = session
        self.overview: Overview | None = None
        localize_bindings(self)

    def _today(self) -> dt.date:
        return getattr(self.app, "today", dt.date.today)()

    def compose(self) -> ComposeResult:
        with Horizontal(id="office-day-bar"):
            yield Static(i18n.t("office_ui.day"))
            yield Input(self._today().isoformat(), id="office-day", compact=True)
            yield Static(id="office-deadline")
        yield Static(id="office-head")
        yield RecordTable(BRANCH_COLUMNS, empty_text=i18n.t("office.status.no_branches"),
                          id="office-branches")
        yield Static(id="office-totals")
        with Horizontal(id="office-buttons"):
            yield Button(i18n.t("office_ui.summary"), id="office-summary-button")
            yield Button(i18n.t("office_ui.receipts"), id="office-receipts-button")
            yield Button(i18n.t("office_ui.settings.title"), id="office-settings-button")

    def on_mount(self) -> None:
        self.query_one("#office-branches", RecordTable).focus()
        self.reload_data()

    def on_show(self) -> None:
        self.call_after_refresh(focus_if_lost, self.query_one("#office-branches", RecordTable))

    # -- data ----------------------------------------------------------------------------
    def day(self) -> dt.date | None:
        try:
            return dt.date.fromisoformat(self.query_one("#office-day", Input).value.strip())
        except ValueError:
            return None

    def reload_data(self) -> None:
        day = self.day()
        if day is None:
            self.query_one("#office-head", Static).update(
                i18n.t("cli.bad_date", value=self.query_one("#office-day", Input).value))
            return
        self._load(day)

    @work(thread=True, exclusive=True, group=OVERVIEW, exit_on_error=False)
    def _load(self, day: dt.date) -> Overview:
        return OfficeService.of(self.session).overview(day)

    def show(self, overview: Overview) -> None:
        self.overview = overview
        lines = present.overview_lines(overview)
        totals_from = 1 + (len(overview.rows) or 1)  # after the head and a line per branch
        self.query_one("#office-head", Static).update(lines[0])
        self.query_one("#office-deadline", Static).update(
            i18n.t("office_ui.deadline", deadline=overview.deadline))
        table = self.query_one("#office-branches", RecordTable)
        current = table.current
        table.set_rows([branch_line(r) for r in overview.rows],
                       keep=current.id if current else None)
        self.query_one("#office-totals", Static).update("\n".join(lines[totals_from:]))

    def forget_data(self) -> None:
        self.overview = None
        self.query_one("#office-branches", RecordTable).set_rows([])
        self.query_one("#office-head", Static).update("")
        self.query_one("#office-totals", Static).update("")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is WorkerState.SUCCESS:
            if worker.group == OVERVIEW and self.session.unlocked:
                self.show(worker.result)  # type: ignore[arg-type]
            elif worker.group in (RECEIPTS, SUMMARY):
                self.app.notify(i18n.t(f"office_ui.done.{worker.group}",
                                       result=str(worker.result)))
        elif event.state is WorkerState.ERROR:
            error = worker.error
            if not isinstance(error, UserError):
                raise error  # type: ignore[misc]
            self.app.notify(error.message(), severity="error")

    # -- actions -----------------------------------------------------------------------
    @on(Input.Submitted, "#office-day")
    def action_refresh(self) -> None:
        self.reload_data()

    @on(RecordTable.Opened, "#office-branches")
    def _open(self, event: RecordTable.Opened) -> None:
        from screens.office_branch import OfficeBranchScreen

        self.app.push_screen(OfficeBranchScreen(self.session, event.row_id))

    @on(Button.Pressed, "#office-summary-button")
    def action_summary(self) -> None:
        day = self.day() or self._today()
        default = Path.home() / f"college-{day:%Y%m%d}.xlsx"
        self.app.push_screen(PathScreen(i18n.t("office_ui.summary_title"), default,
                                        ok=i18n.t("office_ui.save"),
                                        note=i18n.t("office_ui.summary_note")),
                             lambda path: confirm_unsynced(
                                 self, path, lambda: self._write_summary(path, day))
                             if path else None)

    @work(thread=True, group=SUMMARY, exit_on_error=False)
    def _write_summary(self, path: Path, day: dt.date) -> Path:
        return OfficeService.of(self.session).export_summary(path, day)

    @on(Button.Pressed, "#office-receipts-button")
    def action_receipts(self) -> None:
        self.app.push_screen(PathScreen(i18n.t("office_ui.receipts_title"), Path.home(),
                                        ok=i18n.t("office_ui.write"),
                                        note=i18n.t("office_ui.receipts_note"), must_exist=True),
                             lambda path: self._write_receipts(path) if path else None)

    @work(thread=True, group=RECEIPTS, exit_on_error=False)
    def _write_receipts(self, folder: Path) -> int:
        return len(OfficeService.of(self.session).write_receipts(folder))

    @on(Button.Pressed, "#office-settings-button")
    def action_settings(self) -> None:
        from screens.office_settings import OfficeSettingsScreen

        self.app.push_screen(OfficeSettingsScreen(OfficeService.of(self.session)),
                             lambda saved: self.reload_data() if saved else None)

    def palette_commands(self) -> list[PaletteCommand]:
        t = i18n.t
        return [PaletteCommand(t("office_ui.summary"), t("office_ui.summary_note"),
                               self.action_summary),
                PaletteCommand(t("office_ui.receipts"), t("office_ui.receipts_note"),
                               self.action_receipts),
                PaletteCommand(t("office_ui.settings.title"), t("office_ui.settings.help"),
                               self.action_settings)]

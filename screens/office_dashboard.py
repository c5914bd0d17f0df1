"""The office dashboard: every enrolled branch on one day — whether the day's
report (or zero report) arrived and by the deadline, or its file was refused,
whom to phone, fevers, changes after reporting, missing sequences, open
alerts, key status — then the college's totals and the 14/30-day reporting
rate. Beside the branches, the named list of the abnormal of the day and the
import log (every file accepted or refused, kept in the vault). A filter
shows only the branches not reported, late, with fever or changed after
reporting; a sort puts those first. Enter opens a branch (read-only), a
person's branch, or a file's whole verdict.

The overview is computed in a worker from the branches' documents only; the
list of the abnormal and the log, when their tab is first shown; the
tables draw only the rows on screen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from branchtool import i18n
from branchtool.office import imports, present
from branchtool.office.abnormal import AbnormalList
from branchtool.office.service import OfficeService
from branchtool.office.status import BranchRow, Overview
from branchtool.session import Session
from screens.base import LockAware, focus_if_lost, localize_bindings
from screens.commands import PaletteCommand
from screens.failures import RunsWorkers
from screens.file_picker import FilePicker, Mode, default_folder
from screens.office_rows import (
    ABNORMAL_COLUMNS,
    BRANCH_COLUMNS,
    LOG_IMPORT_COLUMNS,
    OfficeTable,
    abnormal_line,
    branch_line,
    fit,
    log_import_line,
)
from screens.path_prompt import PathScreen
from screens.places import confirm_unsynced
from screens.plain import Select, Static
from screens.record_table import RecordTable

OVERVIEW, RECEIPTS, SUMMARY = "office-overview", "office-receipts", "office-summary"
ABNORMAL, LOG = "office-abnormal", "office-log"
TABS = ("branches", "abnormal", "log")


def _late(row: BranchRow) -> bool:
    return row.reported and row.on_time is False


def _fever(row: BranchRow) -> bool:
    return bool(row.health and row.health.get("fever"))


def _absent(row: BranchRow) -> bool:
    return row.expected and not row.reported


# filter -> which rows it keeps
FILTERS: dict[str, Callable[[BranchRow], bool]] = {
    "all": lambda row: True,
    "absent": _absent,
    "late": _late,
    "fever": _fever,
    "changed": lambda row: row.changes_last > 0,
}


def _trouble(row: BranchRow) -> tuple[int, ...]:
    """Problems first: refused, not reported, late, fever, changed; then fine."""
    return (not (row.refused and not row.reported), not _absent(row), not _late(row),
            not _fever(row), not row.changes_last)


# sort -> the rows' order
SORTS: dict[str, Callable[[BranchRow], Any]] = {
    "code": lambda row: row.code,
    "trouble": lambda row: (*_trouble(row), row.code),
    "fever": lambda row: (-(row.health or {}).get("fever", 0), row.code),
}


class OfficeDashboard(RunsWorkers, Vertical, LockAware):
    DEFAULT_CSS = """
    OfficeDashboard { height: 1fr; }
    #office-day-bar { height: 1; }
    #office-day-bar Static { width: auto; margin-right: 1; }
    #office-day { width: 12; margin-right: 1; }
    #office-filter, #office-sort { width: 18; margin-right: 1; }
    #office-head { height: auto; text-style: bold; }
    #office-tabs { height: 1fr; min-height: 7; }
    #office-tabs TabPane { padding: 0; }
    #office-branches, #office-abnormal, #office-log { height: 1fr; }
    #office-totals { height: auto; color: $text-muted; }
    #office-buttons { height: 1; }
    #office-buttons Button { height: 1; border: none; min-width: 8; margin-right: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "refresh", "office_ui.key.refresh"),
        # priority: the day's input would take Ctrl+E (to the end)
        Binding("ctrl+e", "summary", "office_ui.key.summary", priority=True),
        Binding("ctrl+g", "receipts", "office_ui.key.receipts", show=False),  # a button too
        Binding("f6", "settings", "office_ui.key.settings"),
        Binding("ctrl+f", "filter", "office_ui.key.filter", show=False),
        *(Binding(f"f{n + 2}", f"tab('{tab}')", f"office_ui.dash_tab.{tab}", show=False)
          for n, tab in enumerate(TABS)),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__(id="office-dashboard")
        self.session = session
        self.overview: Overview | None = None
        self.abnormal: AbnormalList | None = None
        self.import_log: list[dict[str, Any]] = []
        localize_bindings(self)

    def _today(self) -> dt.date:
        return getattr(self.app, "today", dt.date.today)()

    def compose(self) -> ComposeResult:
        t = i18n.t
        with Horizontal(id="office-day-bar"):
            yield Static(t("office_ui.day"))
            yield Input(self._today().isoformat(), id="office-day", compact=True)
            yield Select([(t(f"office_ui.filter.{k}"), k) for k in FILTERS], value="all",
                         allow_blank=False, compact=True, id="office-filter")
            yield Select([(t(f"office_ui.sort.{k}"), k) for k in SORTS], value="code",
                         allow_blank=False, compact=True, id="office-sort")
            yield Static(id="office-deadline")
        yield Static(id="office-head")
        with TabbedContent(id="office-tabs"):
            with TabPane(t("office_ui.dash_tab.branches"), id="office-tab-branches"):
                yield OfficeTable(BRANCH_COLUMNS, empty_text=t("office.status.no_branches"),
                                  id="office-branches")
            with TabPane(t("office_ui.dash_tab.abnormal"), id="office-tab-abnormal"):
                yield OfficeTable(ABNORMAL_COLUMNS, empty_text=t("office_ui.no_abnormal"),
                                  id="office-abnormal")
            with TabPane(t("office_ui.dash_tab.log"), id="office-tab-log"):
                yield OfficeTable(LOG_IMPORT_COLUMNS, empty_text=t("office_ui.no_log"),
                                  id="office-log")
        yield Static(id="office-totals")
        with Horizontal(id="office-buttons"):
            yield Button(t("office_ui.summary"), id="office-summary-button")
            yield Button(t("office_ui.receipts"), id="office-receipts-button")
            yield Button(t("office_ui.settings.title"), id="office-settings-button")

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
        self.abnormal, self.import_log = None, []
        self._label("abnormal", i18n.t("office_ui.dash_tab.abnormal"))  # the count is the day's
        self._load_tab()

    @work(thread=True, exclusive=True, group=OVERVIEW, exit_on_error=False)
    def _load(self, day: dt.date) -> Overview:
        return OfficeService.of(self.session).overview(day)

    def _load_tab(self) -> None:
        """The list of the abnormal or the log, when its tab is shown."""
        day, tab = self.day(), self.query_one("#office-tabs", TabbedContent).active
        if day is None or not self.session.unlocked:
            return
        if tab == "office-tab-abnormal" and self.abnormal is None:
            self._load_abnormal(day)
        elif tab == "office-tab-log" and not self.import_log:
            self._load_log(day)

    @work(thread=True, exclusive=True, group=ABNORMAL, exit_on_error=False)
    def _load_abnormal(self, day: dt.date) -> AbnormalList:
        return OfficeService.of(self.session).abnormal(day)

    @work(thread=True, exclusive=True, group=LOG, exit_on_error=False)
    def _load_log(self, day: dt.date) -> list[dict[str, Any]]:
        """The files of the day's import months, those of the day first."""
        entries = OfficeService.of(self.session).import_log(imports.months_around(day))
        key = day.isoformat()
        office = OfficeService.of(self.session)
        return sorted(entries, key=lambda e: (
            e.get("day") != key and imports.local_day(e["time"], office.tz) != key))

    @on(TabbedContent.TabActivated, "#office-tabs")
    def _tab_shown(self) -> None:
        self._load_tab()

    def show(self, overview: Overview) -> None:
        self.overview = overview
        lines = present.overview_lines(overview)
        totals_from = 1 + (len(overview.rows) or 1)  # after the head and a line per branch
        head = lines[0]
        refused = sum(1 for r in overview.rows if r.refused and not r.reported)
        if refused:
            head += i18n.t("office_ui.head_refused", count=refused)
        self.query_one("#office-head", Static).update(head)
        self.query_one("#office-deadline", Static).update(
            i18n.t("office_ui.deadline", deadline=overview.deadline))
        self._show_rows()
        totals = [*lines[totals_from:totals_from + 3], present.rates_line(overview.rates)]
        self.query_one("#office-totals", Static).update("\n".join(totals))
        self._label("branches", i18n.t("office_ui.dash_tab.branches_count",
                                       shown=len(self._rows()), count=len(overview.rows)))

    def _label(self, tab: str, text: str) -> None:
        """A tab's label, changed only when it says something new (a label
        change lays the tabs out again)."""
        found = self.query_one("#office-tabs", TabbedContent).get_tab(f"office-tab-{tab}")
        if str(found.label) != text:
            found.label = text  # type: ignore[assignment]

    def _rows(self) -> list[BranchRow]:
        if self.overview is None:
            return []
        keep = FILTERS[str(self.query_one("#office-filter", Select).value)]
        order = SORTS[str(self.query_one("#office-sort", Select).value)]
        return sorted((r for r in self.overview.rows if keep(r)), key=order)

    def _show_rows(self) -> None:
        table = self.query_one("#office-branches", RecordTable)
        current = table.current
        columns, lines = fit(BRANCH_COLUMNS, [branch_line(r) for r in self._rows()])
        table.set_columns(columns)
        table.set_rows(lines, keep=current.id if current else None)

    @on(Select.Changed, "#office-filter")
    @on(Select.Changed, "#office-sort")
    def _reorder(self) -> None:
        if self.overview is not None:
            self.show(self.overview)

    def show_abnormal(self, found: AbnormalList) -> None:
        self.abnormal = found
        table = self.query_one("#office-abnormal", RecordTable)
        columns, lines = fit(ABNORMAL_COLUMNS, [abnormal_line(n, p)
                                                for n, p in enumerate(found.people)])
        table.set_columns(columns)
        table.set_rows(lines)
        self._label("abnormal", i18n.t("office_ui.dash_tab.abnormal_count",
                                       count=len(found.people)))

    def show_log(self, entries: list[dict[str, Any]]) -> None:
        self.import_log = entries
        table = self.query_one("#office-log", RecordTable)
        columns, lines = fit(LOG_IMPORT_COLUMNS, [log_import_line(e) for e in entries],
                             table.row_width() or self.size.width - 2)
        table.set_columns(columns)
        table.set_rows(lines)

    def forget_data(self) -> None:
        self.overview, self.abnormal, self.import_log = None, None, []
        for selector in ("#office-branches", "#office-abnormal", "#office-log"):
            self.query_one(selector, RecordTable).set_rows([])
        self.query_one("#office-head", Static).update("")
        self.query_one("#office-totals", Static).update("")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is WorkerState.SUCCESS:
            if not self.session.unlocked:
                return
            if worker.group == OVERVIEW:
                self.show(worker.result)  # type: ignore[arg-type]
            elif worker.group == ABNORMAL:
                self.show_abnormal(worker.result)  # type: ignore[arg-type]
            elif worker.group == LOG:
                self.show_log(worker.result)  # type: ignore[arg-type]
            elif worker.group in (RECEIPTS, SUMMARY):
                self.app.notify(i18n.t(f"office_ui.done.{worker.group}",
                                       result=str(worker.result)))

    # -- actions -----------------------------------------------------------------------
    @on(Input.Submitted, "#office-day")
    def action_refresh(self) -> None:
        self.reload_data()

    def action_filter(self) -> None:
        self.query_one("#office-filter", Select).focus()

    def action_tab(self, tab: str) -> None:
        self.query_one("#office-tabs", TabbedContent).active = f"office-tab-{tab}"
        self.query_one(f"#office-{tab}", RecordTable).focus()

    @on(RecordTable.Opened, "#office-branches")
    def _open(self, event: RecordTable.Opened) -> None:
        self._open_branch(event.row_id)

    @on(RecordTable.Opened, "#office-abnormal")
    def _open_person(self, event: RecordTable.Opened) -> None:
        self._open_branch(event.row_id.split("|", 1)[0])

    def _open_branch(self, code: str) -> None:
        from screens.office_branch import OfficeBranchScreen

        self.app.push_screen(OfficeBranchScreen(self.session, code))

    @on(RecordTable.Opened, "#office-log")
    def _open_file(self, event: RecordTable.Opened) -> None:
        from screens.office_import import FileVerdictScreen

        entry = next((e for e in self.import_log if e["id"] == event.row_id), None)
        if entry is not None:
            self.app.push_screen(FileVerdictScreen.of_entry(entry))

    @on(Button.Pressed, "#office-summary-button")
    def action_summary(self) -> None:
        day = self.day() or self._today()
        default = default_folder(self.app) / f"college-{day:%Y%m%d}.xlsx"
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
        self.app.push_screen(FilePicker(i18n.t("office_ui.receipts_title"), mode=Mode.FOLDER,
                                        ok=i18n.t("office_ui.write"),
                                        note=i18n.t("office_ui.receipts_note")),
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
                               self.action_settings),
                *(PaletteCommand(t(f"office_ui.filter_cmd.{k}"), t("office_ui.filter_help"),
                                 lambda k=k: self._filter(k)) for k in FILTERS if k != "all"),
                PaletteCommand(t("office_ui.dash_tab.abnormal"), t("office_ui.abnormal_help"),
                               lambda: self.action_tab("abnormal")),
                PaletteCommand(t("office_ui.dash_tab.log"), t("office_ui.log_help"),
                               lambda: self.action_tab("log"))]

    def _filter(self, key: str) -> None:
        self.query_one("#office-filter", Select).value = key
        self.action_tab("branches")

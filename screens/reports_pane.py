"""The reports section: pick a report, its day and redaction level, read it
rendered (Textual's Markdown), and save it as .md, .docx or .xlsx.

Building and writing run in workers; the pane only shows what they return.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Markdown
from textual.worker import Worker, WorkerState

from branchtool import i18n, reports
from branchtool.bundles.sending import parse_day, redaction_label
from branchtool.errors import UserError
from branchtool.records.redaction import DEFAULT_REDACTION, REDACTIONS
from branchtool.reports import markdown
from branchtool.reports.document import Document
from branchtool.session import Session
from screens.base import LockAware, focus_if_lost, localize_bindings
from screens.commands import PaletteCommand
from screens.failures import Failure, RunsWorkers
from screens.file_picker import default_folder
from screens.path_prompt import PathScreen
from screens.places import confirm_unsynced
from screens.plain import Select, Static

BUILD, WRITE = "report-build", "report-write"


class ReportsPane(RunsWorkers, Vertical, LockAware):
    DEFAULT_CSS = """
    ReportsPane { height: 1fr; }
    #report-bar { height: 1; margin-bottom: 1; }
    #report-bar Select { width: 1fr; margin-right: 1; }
    #report-bar Input { width: 14; margin-right: 1; }
    #report-from.-hidden { display: none; }
    #report-scroll { height: 1fr; border: round $primary-background; }
    #report-status { height: 1; color: $text-muted; }
    #report-buttons { height: auto; align-horizontal: right; }
    #report-buttons Button { margin-left: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "refresh", "export_ui.key.refresh"),
        # priority: the date inputs would take Ctrl+D and Ctrl+X (delete, cut)
        Binding("ctrl+d", "save('docx')", "export_ui.key.save_docx", priority=True),
        Binding("ctrl+x", "save('xlsx')", "export_ui.key.save_xlsx", priority=True),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__(id="reports")
        self.session = session
        self.document: Document | None = None
        localize_bindings(self)

    def _today(self) -> dt.date:
        return getattr(self.app, "today", dt.date.today)()

    def compose(self) -> ComposeResult:
        with Horizontal(id="report-bar"):
            yield Select([(i18n.t(f"report.kind.{k}"), k) for k in reports.KINDS],
                         value="daily", allow_blank=False, compact=True, id="report-kind")
            yield Input(placeholder=i18n.t("export_ui.report.from"), compact=True,
                        id="report-from", classes="-hidden")
            yield Input(placeholder=i18n.t("export_ui.report.date"), compact=True,
                        id="report-date")
            yield Select([(redaction_label(r), r) for r in REDACTIONS],
                         value=DEFAULT_REDACTION, allow_blank=False, compact=True,
                         id="report-redaction")
        with VerticalScroll(id="report-scroll"):
            yield Markdown(id="report-view", open_links=False)
        yield Static(id="report-status")
        with Horizontal(id="report-buttons"):
            for fmt in reports.FORMATS:
                yield Button(i18n.t(f"export_ui.report.save_{fmt}"), id=f"report-save-{fmt}",
                             compact=True)

    def on_mount(self) -> None:
        self.query_one("#report-date", Input).value = self._today().isoformat()
        self._shown = False

    def on_show(self) -> None:
        self.call_after_refresh(focus_if_lost, self.query_one("#report-kind", Select))
        if not self._shown:
            self._shown = True
            self.action_refresh()

    # -- choices ----------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return str(self.query_one("#report-kind", Select).value)

    @property
    def redaction(self) -> str:
        return str(self.query_one("#report-redaction", Select).value)

    @on(Select.Changed)
    def _choice_changed(self, event: Select.Changed) -> None:
        if event.select.id == "report-kind":
            start = self.query_one("#report-from", Input)
            start.set_class(self.kind not in reports.PERIOD_KINDS, "-hidden")
        if self._shown:
            self.action_refresh()

    @on(Input.Submitted)
    def _date_entered(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        if not self.session.unlocked:
            return
        try:
            day = parse_day(self.query_one("#report-date", Input).value)
            text = self.query_one("#report-from", Input).value.strip()
            start = parse_day(text) if text and self.kind in reports.PERIOD_KINDS else None
        except UserError as error:
            self._status(error.message())
            return
        self._status(i18n.t("export_ui.report.building"))
        self._build(self.kind, day, start, self.redaction)

    @work(thread=True, exclusive=True, group=BUILD, exit_on_error=False)
    def _build(self, kind: str, day: dt.date, start: dt.date | None,
               redaction: str) -> tuple[Document, str]:
        doc = reports.build(self.session, kind, day, start=start, redaction=redaction)
        return doc, markdown.render(doc)

    # -- saving -------------------------------------------------------------------------
    @on(Button.Pressed, "#report-buttons Button")
    def _save_pressed(self, event: Button.Pressed) -> None:
        self.action_save(str(event.button.id).rsplit("-", 1)[1])

    def action_save(self, fmt: str) -> None:
        doc = self.document
        if doc is None:
            return
        default = default_folder(self.app) / reports.file_name(doc, fmt)
        self.app.push_screen(
            PathScreen(i18n.t("export_ui.report.save_title", title=doc.title), default,
                       ok=i18n.t("export_ui.report.save")),
            lambda path: path is not None and confirm_unsynced(
                self, path, lambda: self._write(doc, path, fmt)))

    @work(thread=True, exclusive=True, group=WRITE, exit_on_error=False)
    def _write(self, doc: Document, path: Path, fmt: str) -> Path:
        return reports.write(doc, path, fmt)

    # -- results --------------------------------------------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group not in (BUILD, WRITE):
            return
        event.stop()
        if event.state is WorkerState.SUCCESS:
            if worker.group == BUILD:
                self.document, source = worker.result
                self.query_one("#report-view", Markdown).update(source)
                self._status(i18n.t("export_ui.report.ready", title=self.document.title))
            else:
                self.notify(i18n.t("export_ui.report.saved", path=str(worker.result)))

    def worker_failed(self, failure: Failure) -> bool:
        self._status(failure.sentence)
        return False  # and a notification, wherever the focus is

    def _status(self, message: str) -> None:
        self.query_one("#report-status", Static).update(message)

    def palette_commands(self) -> list[PaletteCommand]:
        kinds = [PaletteCommand(i18n.t("export_ui.report.show", kind=i18n.t(f"report.kind.{k}")),
                                i18n.t("export_ui.report.show_help"),
                                lambda k=k: self.show_kind(k))
                 for k in reports.KINDS]
        return kinds + [PaletteCommand(i18n.t(f"export_ui.report.save_{fmt}"),
                                       i18n.t("export_ui.report.save_help"),
                                       lambda f=fmt: self.action_save(f))
                        for fmt in reports.FORMATS]

    def show_kind(self, kind: str) -> None:
        """Preview the report ``kind`` (the list's choice changes with it)."""
        self.query_one("#report-kind", Select).value = kind

    # -- locking -------------------------------------------------------------------------
    def forget_data(self) -> None:
        self.document = None
        self.query_one("#report-view", Markdown).update("")
        self._status("")

    def reload_data(self) -> None:
        if self._shown:
            self.action_refresh()

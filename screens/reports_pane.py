"""The reports section: pick a report, its day and redaction level, read it
rendered (Textual's Markdown), and save it as .md, .docx or .xlsx. Under a
daily report, the day's 其他事项 (kept in the vault with the day: saved by
Ctrl+S, on leaving the box and before a file is written); ``z`` saves the
day's report as 今日无异常 when nothing is abnormal, else says what is.

Building and writing run in workers; the pane only shows what they return.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Markdown, TextArea
from textual.worker import Worker

from branchtool import i18n, reports
from branchtool.bundles.sending import parse_day, redaction_label
from branchtool.errors import KeyedError, describe
from branchtool.records.redaction import DEFAULT_REDACTION, REDACTIONS
from branchtool.reports import daily_other, markdown
from branchtool.reports import text as report_text
from branchtool.reports.document import Document
from branchtool.session import Session
from branchtool.shown import shown
from screens.base import (
    LockAware,
    ReadOnlyGuard,
    focus_if_lost,
    is_read_only,
    localize_bindings,
)
from screens.commands import PaletteCommand
from screens.failures import Failure, RunsWorkers, on_success
from screens.file_picker import default_folder
from screens.path_prompt import PathScreen
from screens.places import confirm_unsynced
from screens.plain import Select, Static
from screens.preview_table import ReportMarkdown

BUILD, WRITE, ZERO = "report-build", "report-write", "report-zero"
DAILY = "daily"


class ReportsPane(RunsWorkers, ReadOnlyGuard, Vertical, LockAware):
    WRITE_ACTIONS = frozenset({"save_other", "zero"})
    DEFAULT_CSS = """
    ReportsPane { height: 1fr; }
    #report-bar { height: 1; margin-bottom: 1; }
    #report-bar Select { width: 1fr; margin-right: 1; }
    #report-bar Input { width: 14; margin-right: 1; }
    #report-from.-hidden { display: none; }
    #report-scroll { height: 1fr; border: round $primary-background; }
    #report-other-box { height: auto; }
    #report-other-box.-hidden { display: none; }
    #report-other { height: 5; border: round $primary-background;
                    border-title-color: $text-muted; }
    #report-other:focus { border: round $primary; }
    #report-status { height: auto; max-height: 3; color: $text-muted; }
    #report-buttons { height: auto; align-horizontal: right; }
    #report-buttons Button { margin-left: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "refresh", "export_ui.key.refresh"),
        # priority: the date inputs would take Ctrl+D and Ctrl+X (delete, cut)
        Binding("ctrl+d", "save('docx')", "export_ui.key.save_docx", priority=True),
        Binding("ctrl+x", "save('xlsx')", "export_ui.key.save_xlsx", priority=True),
        # the daily report's own words: Ctrl+S in the box too; z outside it
        Binding("ctrl+s", "save_other", "export_ui.key.save_other", priority=True),
        Binding("z", "zero", "export_ui.key.zero"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__(id="reports")
        self.session = session
        self.document: Document | None = None
        # the day whose 其他事项 the box holds, and the text as kept in the vault
        self._other_day: dt.date | None = None
        self._other_saved = ""
        self._pending_save = ""  # a format to save in once the rebuilt report is ready
        self._pending_zero = False  # the zero report, once the rebuilt report is ready
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
            yield ReportMarkdown(id="report-view", open_links=False)
        with Vertical(id="report-other-box"):
            yield TextArea(id="report-other", soft_wrap=True, show_line_numbers=False)
        yield Static(id="report-status")
        with Horizontal(id="report-buttons"):
            for fmt in reports.FORMATS:
                yield Button(i18n.t(f"export_ui.report.save_{fmt}"), id=f"report-save-{fmt}",
                             compact=True)

    def on_mount(self) -> None:
        self.query_one("#report-date", Input).value = self._today().isoformat()
        self._shown = False
        # the box's name and what becomes of its text, on its frame (a line saved)
        self._other_box.border_title = i18n.t("export_ui.report.other_label")
        self._show_other_box()

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
            self._show_other_box()
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
        except KeyedError as error:
            self._status(describe(error))
            return
        self._status(i18n.t("export_ui.report.building"))
        self._build(self.kind, day, start, self.redaction)

    @work(thread=True, exclusive=True, group=BUILD, exit_on_error=False)
    def _build(self, kind: str, day: dt.date, start: dt.date | None,
               redaction: str) -> tuple[Document, str, str]:
        doc = reports.build(self.session, kind, day, start=start, redaction=redaction)
        other = self.session.day_reports.other(day) if kind == DAILY else ""
        return doc, markdown.render(doc), other

    # -- the daily report's 其他事项 and the zero report ---------------------------------
    def _show_other_box(self) -> None:
        self.query_one("#report-other-box").set_class(
            self.kind != DAILY or is_read_only(self), "-hidden")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.refuses(action):
            return False
        if action == "save_other" and self.kind != DAILY:
            return None  # shown dimmed: only a daily report has 其他事项
        return True

    @property
    def _other_box(self) -> TextArea:
        return self.query_one("#report-other", TextArea)

    def _other_changed(self) -> bool:
        return self._other_day is not None and self._other_box.text != self._other_saved

    def _keep_other(self, other: str, day: dt.date) -> None:
        """The box holds ``day``'s 其他事项 as kept."""
        self._other_day, self._other_saved = day, other
        box = self._other_box
        if box.text != other:
            box.load_text(other)
            box.move_cursor(box.document.end)  # to write on after what is there

    def _store_other(self) -> bool:
        """Keep what the box says as its day's 其他事项; False (said why) if
        it could not be kept."""
        day = self._other_day
        if day is None or not self._other_changed() or is_read_only(self):
            return True
        try:
            self.session.day_reports.save(day, self._other_box.text)
        except KeyedError as error:  # too long, or the disk refused it: the text stays in the box
            sentence = describe(error)
            self._status(sentence)
            self.notify(sentence, severity="error")
            return False
        self._other_saved = self.session.day_reports.other(day)
        self.notify(i18n.t("export_ui.report.other_saved", day=report_text.day(day)))
        return True

    def action_save_other(self) -> None:
        if self.kind != DAILY:
            return
        if self._other_changed() and self._store_other():
            self.action_refresh()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        if event.widget.id == "report-other" and self._other_changed() and self._store_other():
            self.action_refresh()

    def action_zero(self) -> None:
        if not self.session.unlocked or not self._store_other():
            return
        try:
            day = parse_day(self.query_one("#report-date", Input).value)
        except KeyedError as error:
            self._status(describe(error))
            return
        self._zero(day, self._today())

    def zero_today(self) -> None:
        """今日无异常 for today, whatever day the pane showed (the dashboard's
        ``z`` and the palette)."""
        self.query_one("#report-date", Input).value = self._today().isoformat()
        # after the preview of today is built (the section may just have been
        # opened): its "ready" line would otherwise replace the answer
        self._pending_zero = True
        self.action_refresh()

    @work(thread=True, exclusive=True, group=ZERO, exit_on_error=False)
    def _zero(self, day: dt.date, today: dt.date) -> tuple[dt.date, str]:
        return day, daily_other.save_zero(self.session, day, today)

    # -- saving -------------------------------------------------------------------------
    @on(Button.Pressed, "#report-buttons Button")
    def _save_pressed(self, event: Button.Pressed) -> None:
        self.action_save(str(event.button.id).rsplit("-", 1)[1])

    def action_save(self, fmt: str) -> None:
        doc = self.document
        if doc is None:
            return
        if self.kind == DAILY and self._other_changed():
            # the file carries the 其他事项 as typed: keep it, rebuild, then ask where
            if self._store_other():
                self._pending_save = fmt
                self.action_refresh()
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
        on_success(event, {BUILD: lambda result: self._built(*result),
                           ZERO: lambda result: self._zero_saved(*result),
                           WRITE: lambda path: self.notify(
                               i18n.t("export_ui.report.saved", path=str(path)))})

    def worker_failed(self, failure: Failure) -> bool:
        self._status(failure.sentence)
        return False  # and a notification, wherever the focus is

    def _built(self, doc: Document, source: str, other: str) -> None:
        self.document = doc
        # what a branch wrote (其他事项, names) is data: its control characters
        # spelled out, as the office shows a bundle's text (``branchtool.shown``)
        self.query_one("#report-view", Markdown).update(shown(source, lines=True))
        self._status(i18n.t("export_ui.report.ready", title=doc.title))
        if doc.kind == DAILY and (doc.date != self._other_day or not self._other_changed()):
            self._keep_other(other, doc.date)
        if self._pending_save:
            fmt, self._pending_save = self._pending_save, ""
            self.action_save(fmt)
        if self._pending_zero:
            self._pending_zero = False
            self.action_zero()

    def _zero_saved(self, day: dt.date, other: str) -> None:
        self._keep_other(other, day)
        message = i18n.t("export_ui.report.zero_saved", day=report_text.day(day))
        self._status(message)
        self.notify(message)
        if self.kind == DAILY:
            self.action_refresh()
        else:
            self.show_kind(DAILY)

    def _status(self, message: str) -> None:
        self.query_one("#report-status", Static).update(message)

    def palette_commands(self) -> list[PaletteCommand]:
        kinds = [PaletteCommand(i18n.t("export_ui.report.show", kind=i18n.t(f"report.kind.{k}")),
                                i18n.t("export_ui.report.show_help"),
                                lambda k=k: self.show_kind(k))
                 for k in reports.KINDS]
        kinds.append(PaletteCommand(i18n.t("export_ui.report.zero_command"),
                                    i18n.t("export_ui.report.zero_help"), self.zero_today,
                                    writes=True))
        return kinds + [PaletteCommand(i18n.t(f"export_ui.report.save_{fmt}"),
                                       i18n.t("export_ui.report.save_help"),
                                       lambda f=fmt: self.action_save(f))
                        for fmt in reports.FORMATS]

    def show_kind(self, kind: str) -> None:
        """Preview the report ``kind`` (the list's choice changes with it)."""
        self.query_one("#report-kind", Select).value = kind

    # -- locking -------------------------------------------------------------------------
    def forget_data(self) -> None:
        if self.session.unlocked:
            self._store_other()  # what was typed is kept, not lost with the screen
        self.document = None
        self.query_one("#report-view", Markdown).update("")
        self._status("")
        self._other_day, self._other_saved, self._pending_save = None, "", ""
        self._pending_zero = False
        self._other_box.load_text("")

    def reload_data(self) -> None:
        if self._shown:
            self.action_refresh()

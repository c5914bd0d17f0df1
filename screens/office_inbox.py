"""The office's notices and tasks to its branches (下发): compose a notice
(文号, title, body, relay due date, acknowledgement required) or a task
(title, what to report back, due date) for all branches or some, write what
is waiting onto the stick (one file per branch), and see for each notice and
task, per branch, how far it got: relayed to 38/40, acknowledged 35, the
task's status, overdue branches in red, the college total, and the branches
that have not yet received it (their next bundle names the file)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Checkbox, Input, RadioButton, RadioSet, TextArea

from branchtool import i18n
from branchtool.errors import KeyedError, UserError, describe
from branchtool.inbox import present
from branchtool.office.service import OfficeService
from branchtool.session import Session
from screens.base import LockAware, localize_bindings
from screens.file_picker import default_folder
from screens.plain import Static


def coverage_text(notices: list[dict[str, Any]], tasks: list[dict[str, Any]],
                  pending: dict[str, int]) -> Text:
    """The coverage, one line per item and per branch; overdue lines red."""
    out = Text()
    for kind, entries in (("notice", notices), ("task", tasks)):
        for entry in entries:
            head = present.notice_line(entry) if kind == "notice" else present.task_line(entry)
            out.append(head + "\n", style="bold")
            for code, row in sorted(entry["branches"].items()):
                out.append(present.branch_line(code, row, kind) + "\n",
                           style="red" if row["overdue"] else "")
            if entry["not_received"]:
                out.append(i18n.t("inbox.coverage.not_received",
                                  codes=present.codes(entry["not_received"])) + "\n",
                           style="yellow")
    if not out:
        out.append(i18n.t("inbox.coverage.empty") + "\n")
    if pending:
        out.append(i18n.t("inbox_ui.pending", count=sum(pending.values()),
                          codes=present.codes(sorted(pending))), style="bold yellow")
    return out


class OfficeInboxPane(VerticalScroll, LockAware):
    DEFAULT_CSS = """
    OfficeInboxPane { height: 1fr; }
    .inbox-row { height: auto; }
    .inbox-label { width: 10; }
    .inbox-row Input { width: 1fr; }
    #inbox-kind { height: auto; width: 1fr; }
    #inbox-body { height: 5; }
    #inbox-buttons { height: auto; margin-top: 1; }
    #inbox-buttons Button { margin-right: 2; }
    #inbox-message { height: auto; color: $warning; }
    #inbox-coverage { height: auto; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "add", "inbox_ui.key.add", priority=True),
        Binding("ctrl+w", "send", "inbox_ui.key.send", priority=True),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__(id="office-inbox")
        self.session = session
        localize_bindings(self)

    @property
    def office(self) -> OfficeService:
        return OfficeService.of(self.session)

    def _today(self) -> dt.date:
        return getattr(self.app, "today", dt.date.today)()

    def compose(self) -> ComposeResult:
        with Horizontal(classes="inbox-row"):
            yield Static(i18n.t("inbox_ui.kind"), classes="inbox-label")
            with RadioSet(id="inbox-kind", compact=True):
                yield RadioButton(i18n.t("inbox_ui.kind.notice"), value=True,
                                  id="inbox-kind-notice", compact=True)
                yield RadioButton(i18n.t("inbox_ui.kind.task"), id="inbox-kind-task",
                                  compact=True)
        for key in ("title", "number", "due", "report", "to"):
            with Horizontal(classes="inbox-row", id=f"inbox-row-{key}"):
                yield Static(i18n.t(f"inbox_ui.field.{key}"), classes="inbox-label")
                yield Input(placeholder=i18n.t(f"inbox_ui.hint.{key}"), compact=True,
                            id=f"inbox-{key}")
        yield Checkbox(i18n.t("inbox_ui.field.ack"), id="inbox-ack", compact=True)
        yield Static(i18n.t("inbox_ui.field.body"))
        yield TextArea(id="inbox-body", soft_wrap=True, compact=True)
        with Horizontal(classes="inbox-row"):
            yield Static(i18n.t("inbox_ui.field.folder"), classes="inbox-label")
            yield Input(str(default_folder(self.app)), compact=True, id="inbox-folder")
        with Horizontal(id="inbox-buttons"):
            yield Button(i18n.t("inbox_ui.add"), variant="primary", id="inbox-add",
                         compact=True)
            yield Button(i18n.t("inbox_ui.send"), id="inbox-send", compact=True)
        yield Static(id="inbox-message")
        yield Static(id="inbox-coverage")

    def on_mount(self) -> None:
        self._kind_changed()
        self.reload_data()

    def forget_data(self) -> None:
        self.query_one("#inbox-coverage", Static).update("")

    def reload_data(self) -> None:
        if not self.session.unlocked:
            return
        office = self.office
        today = self._today()
        notices, tasks = office.outbox.coverage(day=today)
        pending = {c: len(i) for c, i in office.outbox.pending().items()}
        self.query_one("#inbox-coverage", Static).update(coverage_text(notices, tasks, pending))

    def on_show(self) -> None:
        self.reload_data()

    @on(RadioSet.Changed, "#inbox-kind")
    def _kind_changed(self) -> None:
        task = self.query_one("#inbox-kind-task", RadioButton).value
        self.query_one("#inbox-row-number").display = not task
        self.query_one("#inbox-row-report").display = task
        self.query_one("#inbox-ack").display = not task

    def _say(self, text: str) -> None:
        self.query_one("#inbox-message", Static).update(text)

    def _value(self, key: str) -> str:
        return self.query_one(f"#inbox-{key}", Input).value.strip()

    def _day(self, key: str) -> dt.date | None:
        text = self._value(key)
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise UserError("cli.bad_date", value=text) from None

    @on(Button.Pressed, "#inbox-add")
    def action_add(self) -> None:
        to = [c for c in self._value("to").replace("，", ",").split(",") if c.strip()] or None
        body = self.query_one("#inbox-body", TextArea).text
        outbox = self.office.outbox
        try:
            if self.query_one("#inbox-kind-task", RadioButton).value:
                due = self._day("due")
                if due is None:
                    raise UserError("inbox_ui.due_required")
                item = outbox.add_task(title=self._value("title"), due=due, description=body,
                                       report=self._value("report"), to=to,
                                       issued_on=self._today())
            else:
                item = outbox.add_notice(title=self._value("title"), text=body,
                                         due=self._day("due"), number=self._value("number"),
                                         ack=self.query_one("#inbox-ack", Checkbox).value,
                                         to=to, issued_on=self._today())
        except KeyedError as error:
            self._say(describe(error))
            return
        for key in ("title", "number", "due", "report"):
            self.query_one(f"#inbox-{key}", Input).value = ""
        self.query_one("#inbox-body", TextArea).text = ""
        self._say(i18n.t("inbox_ui.added", title=present.shown(item["title"])))
        self.reload_data()

    @on(Button.Pressed, "#inbox-send")
    def action_send(self) -> None:
        folder = Path(self._value("folder"))
        try:
            written = self.office.outbox.send(folder)
        except KeyedError as error:
            self._say(describe(error))
            return
        if not written:
            self._say(i18n.t("cli.inbox.send.none"))
        else:
            self._say(i18n.t("inbox_ui.sent", count=len(written), folder=str(folder),
                             codes=present.codes([s.branch for s in written])))
        self.reload_data()

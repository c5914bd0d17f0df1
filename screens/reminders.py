"""The dashboard's reminders panel: care visits overdue or due within two
days, and tasks overdue or due within a day — Enter opens the case or task.

Listed in the dashboard's ``PANELS`` (``screens.dashboard``). Who and what
only: never the care details.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message

from branchtool import i18n
from branchtool.records.views import ListView, ViewRow, computed
from branchtool.session import Session
from screens.base import LockAware
from screens.care_table import FlaggedTable
from screens.plain import Static
from screens.record_table import RecordTable

CASE, TASK = "case", "task"
REMINDER_VIEW = ListView.of(
    None,
    computed("kind", attrgetter("kind"), width=10, priority=90, record="reminder"),
    computed("what", attrgetter("what"), width=26, priority=100, record="reminder"),
    computed("when", attrgetter("when"), width=20, priority=80, record="reminder"))


@dataclass(frozen=True)
class ReminderRow(ViewRow):
    id: str  # "case:<id>" or "task:<id>"
    kind: str
    what: str
    when: str
    overdue: bool
    muted = False
    VIEW: ClassVar[ListView] = REMINDER_VIEW


def reminder_rows(session: Session) -> list[ReminderRow]:
    """Overdue first (visits, then tasks), then what is due soon."""
    rows = []
    for r in session.care.reminders():
        rows.append(ReminderRow(
            f"{CASE}:{r.case_id}", i18n.t(f"reminder.visit.{r.kind}"), r.who,
            i18n.t("reminder.today") if r.kind == "due" and r.days == 0
            else i18n.format_date(r.next_visit), r.kind == "overdue"))
    for t in session.tasks.reminders():
        rows.append(ReminderRow(f"{TASK}:{t.task_id}", i18n.t(f"reminder.task.{t.kind}"),
                                t.title, i18n.format_datetime(t.due), t.kind == "overdue"))
    rows.sort(key=lambda r: not r.overdue)  # stable: each part keeps its order
    return rows


class RemindersPanel(Vertical, LockAware):
    DEFAULT_CSS = """
    RemindersPanel { height: 9; }
    RemindersPanel > #reminders-head { height: 1; color: $text-muted; }
    RemindersPanel > FlaggedTable { height: 1fr; }
    """

    class Changed(Message):
        """A case or task opened from here was changed: the dashboard's figures change."""

    def __init__(self, session: Session) -> None:
        super().__init__(id="panel-reminders")
        self.session = session

    def compose(self) -> ComposeResult:
        yield Static(id="reminders-head")
        yield FlaggedTable(REMINDER_VIEW.columns, empty_text=i18n.t("reminder.none"),
                           id="reminders-table")

    @property
    def table(self) -> FlaggedTable:
        return self.query_one(FlaggedTable)

    def show(self, day: dt.date | None = None) -> None:
        """Called by the dashboard after each refresh."""
        if not self.session.unlocked:
            return
        rows = reminder_rows(self.session)
        current = self.table.current
        self.table.set_rows(rows, keep=current.id if current else None)
        visits = sum(1 for r in rows if r.id.startswith(CASE) and r.overdue)
        tasks = sum(1 for r in rows if r.id.startswith(TASK) and r.overdue)
        self.query_one("#reminders-head", Static).update(i18n.t(
            "reminder.head", visits=visits, tasks=tasks, soon=len(rows) - visits - tasks))

    def reload_data(self) -> None:
        self.show()

    def forget_data(self) -> None:
        self.table.set_rows([])
        self.query_one("#reminders-head", Static).update("")

    @on(RecordTable.Opened)
    def _opened(self, event: RecordTable.Opened) -> None:
        event.stop()
        kind, _, record_id = event.row_id.partition(":")
        if kind == CASE:
            from screens.care import CaseDetail

            screen: Any = CaseDetail(self.session, record_id, changed=self._changed)
        else:
            from screens.tasks import TaskDetail

            screen = TaskDetail(self.session, record_id, changed=self._changed)
        self.app.push_screen(screen, lambda _: self._changed())

    def _changed(self, *_: object) -> None:
        self.show()
        self.post_message(self.Changed())

"""A member's page: their tasks, records and deeds together, with the cases
they are responsible for — the vanguard's workload and record in one place."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer

from branchtool import i18n
from branchtool.records.deed import DEED_COLUMNS
from branchtool.records.member_record import RECORD_COLUMNS
from branchtool.records.person import ACTIVE, PERSON
from branchtool.records.task import TASK_COLUMNS
from branchtool.session import Session
from screens.base import LockAware, ReadOnlyGuard, localize_bindings
from screens.care_table import FlaggedTable
from screens.plain import Static
from screens.record_table import RecordTable


class MemberPage(ReadOnlyGuard, ModalScreen[None], LockAware):
    WRITE_ACTIONS = frozenset({"add_record"})
    CSS_PATH = "member_page.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "focus_list('tasks')", "member_page.key.tasks"),
        Binding("r", "focus_list('records')", "member_page.key.records"),
        Binding("d", "focus_list('deeds')", "member_page.key.deeds"),
        Binding("n", "add_record", "member_page.key.add_record"),
        Binding("escape", "close", "dialog.key.close"),
    ]

    def __init__(self, session: Session, person_id: str, *,
                 changed: Callable[..., None] = lambda *_: None) -> None:
        super().__init__()
        self.session = session
        self.person_id = person_id
        self.changed = changed
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(id="member-box"):
            yield Static(id="member-title")
            yield Static(id="member-summary")
            yield Static(classes="member-heading", id="member-tasks-heading")
            yield FlaggedTable(TASK_COLUMNS, empty_text=i18n.t("member_page.no_tasks"),
                               id="member-tasks")
            yield Static(classes="member-heading", id="member-records-heading")
            yield FlaggedTable(RECORD_COLUMNS, empty_text=i18n.t("member_page.no_records"),
                               id="member-records")
            yield Static(classes="member-heading", id="member-deeds-heading")
            yield FlaggedTable(DEED_COLUMNS, empty_text=i18n.t("member_page.no_deeds"),
                               id="member-deeds")
            yield Footer(compact=True)

    def on_mount(self) -> None:
        self.reload_data()
        self.query_one("#member-tasks", FlaggedTable).focus()

    def reload_data(self) -> None:
        session = self.session
        if not session.unlocked:
            return
        person = session.roster.person(self.person_id)
        if person is None:
            self.dismiss(None)
            return
        tasks = session.tasks.for_member(self.person_id)
        records = session.member_records.for_member(self.person_id)
        deeds = session.deeds.for_member(self.person_id)
        cases = session.care.responsible_for(self.person_id)
        title = Text(person["name"], style="bold")
        for key in ("stage", "group", "party_post"):
            value = PERSON.field(key).display(person[key])
            if value:
                title.append("  " + value)
        if person.status != ACTIVE:
            title.append(f"  [{PERSON.field('status').display(person.status)}]", style="italic")
        self.query_one("#member-title", Static).update(title)
        open_count = sum(1 for r in tasks if not r.muted)
        overdue = sum(1 for r in tasks if r.overdue)
        praise = sum(1 for r in records if r.doc["kind"] in ("praise", "deed"))
        self.query_one("#member-summary", Static).update(i18n.t(
            "member_page.summary", open=open_count, overdue=overdue, done=sum(
                1 for r in tasks if r.doc["status"] == "done"), praise=praise,
            other=len(records) - praise, cases=len(cases)))
        for key, rows in (("tasks", tasks), ("records", records), ("deeds", deeds)):
            self.query_one(f"#member-{key}-heading", Static).update(
                i18n.t(f"member_page.{key}", count=len(rows)))
            self.query_one(f"#member-{key}", FlaggedTable).set_rows(rows)

    def forget_data(self) -> None:
        self.query_one("#member-title", Static).update(i18n.t("app.locked"))
        self.query_one("#member-summary", Static).update("")
        for key in ("tasks", "records", "deeds"):
            self.query_one(f"#member-{key}", FlaggedTable).set_rows([])

    def _changed(self) -> None:
        self.reload_data()
        self.changed()

    def action_focus_list(self, key: str) -> None:
        self.query_one(f"#member-{key}", FlaggedTable).focus()

    @on(RecordTable.Opened)
    def _opened(self, event: RecordTable.Opened) -> None:
        which = getattr(self.focused, "id", "") or ""  # the table Enter was pressed in
        if which == "member-tasks":
            from screens.tasks import TaskDetail

            self.app.push_screen(TaskDetail(self.session, event.row_id,
                                            changed=lambda *_: self._changed()))
        elif which == "member-records":
            from screens.member_records import MemberRecordForm

            self.app.push_screen(MemberRecordForm(self.session, event.row_id),
                                 lambda saved: saved and self._changed())
        elif which == "member-deeds":
            from screens.member_records import deed_form

            self.app.push_screen(deed_form(self.session, event.row_id),
                                 lambda saved: saved and self._changed())

    def action_add_record(self) -> None:
        from screens.member_records import MemberRecordForm

        def saved(record_id: str | None) -> None:
            if record_id:
                self._changed()
                self.notify(i18n.t("member_record.added"))

        self.app.push_screen(MemberRecordForm(self.session, member=self.person_id), saved)

    def action_close(self) -> None:
        self.dismiss(None)

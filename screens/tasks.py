"""The tasks section (党组织交办的任务): views by status and by member (each
member's open and overdue tasks), overdue highlighted; adding one task or one
for every member; a task's detail with its progress log and the steps that
move it on (start, progress, done with evidence, cancel)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widget import Widget

from branchtool import i18n
from branchtool.records import dates
from branchtool.records.fields import FieldDef, Kind, RecordDef
from branchtool.records.fieldtypes import RefListField, to_datetime
from branchtool.records.task import OPEN, STATUSES, TASK
from branchtool.records.views import Row
from branchtool.services.book import names, person_name
from branchtool.services.tasks import LOAD_VIEW, OPEN_STATUSES, TASK_VIEW, TaskQuery, progress
from branchtool.session import Session
from screens.care_form import CareForm
from screens.care_table import FlaggedTable
from screens.commands import PaletteCommand
from screens.confirm import ConfirmScreen
from screens.details import Act, DetailScreen, DetailView, titled
from screens.list_pane import ListPane, ListTable
from screens.navigation import OpenPersonPage
from screens.person_rows import PERSON_KEY, PersonRows
from screens.plain import Select, Static
from screens.record_table import RecordTable
from screens.task_form import BulkTaskForm, NoteScreen, task_form

# Who has done their part of a task, with one note for all (K in a task).
CONFIRM_TASK = RecordDef("progress", (
    RefListField("people", required=True),
    FieldDef("note", Kind.TEXT, max_length=200),
))

# The views of the list: by status (open, overdue, each status, all), or by member.
OVERDUE, ALL, BY_MEMBER = "overdue", "all", "members"
VIEWS = (OPEN_STATUSES, OVERDUE, *STATUSES, ALL, BY_MEMBER)


class TaskTable(ListTable, PersonRows, FlaggedTable):
    WRITE_ACTIONS = frozenset({"edit"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "row('edit')", "task.key.edit"),
        PERSON_KEY,
    ]

    def person_of(self, row: Any) -> str | None:
        """The first person a task is assigned to."""
        assignees = self.people_of(row)
        return assignees[0] if assignees else None

    def people_of(self, row: Any) -> list[str]:
        """Everyone the task is assigned to (``m`` asks whose page)."""
        return list(dict.fromkeys(row.doc.get("assignees", "").split()))


class LoadTable(PersonRows, FlaggedTable):
    """One row per member: open, overdue and done tasks."""

    BINDINGS: ClassVar[list[BindingType]] = [PERSON_KEY]


class TasksPane(ListPane):
    NAME = "tasks"
    SEARCH = "task.search.placeholder"
    WRITE_ACTIONS = frozenset({"add", "bulk"})
    DEFAULT_CSS = """
    #tasks-view { width: 24; margin-right: 0; }
    #tasks-hint { width: 1fr; padding-left: 2; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+f", "search", "task.key.search"),
        Binding("ctrl+n", "add", "task.key.add"),
        Binding("ctrl+b", "bulk", "task.key.bulk"),
    ]

    def compose_filters(self) -> Iterable[Widget]:
        yield Select([(i18n.t(f"task.view.{v}"), v) for v in VIEWS], allow_blank=False,
                     value=OPEN_STATUSES, compact=True, id="tasks-view")
        yield Static(id="tasks-hint")

    def compose_tables(self) -> Iterable[RecordTable]:
        yield TaskTable(TASK_VIEW.columns, empty_text=i18n.t("task.empty"), id="tasks-table")
        load = LoadTable(LOAD_VIEW.columns, empty_text=i18n.t("task.empty_load"),
                         id="tasks-load")
        load.display = False
        yield load

    @property
    def view(self) -> str:
        return str(self.query_one("#tasks-view", Select).value)

    @property
    def table(self) -> FlaggedTable:
        return self.query_one(LoadTable if self.view == BY_MEMBER else TaskTable)

    def list_rows(self) -> tuple[Sequence[Row], str]:
        tasks = self.session.tasks
        view, text = self.view, self.search_text
        by_member = view == BY_MEMBER
        self.query_one(TaskTable).display = not by_member
        self.query_one(LoadTable).display = by_member
        self.query_one("#tasks-hint", Static).update(
            i18n.t("task.hint.members" if by_member else "task.hint.tasks"))
        rows: Sequence[Row]
        if by_member:
            terms = text.lower().split()
            rows = [r for r in tasks.workload(everyone=True)
                    if all(t in r.name.lower() for t in terms)]
        else:
            status = {OVERDUE: OPEN_STATUSES, ALL: ""}.get(view, view)
            rows = tasks.query(TaskQuery(status=status, text=text, overdue_only=view == OVERDUE))
        counts = tasks.counts()
        return rows, i18n.t("task.count", shown=len(rows), open=counts["todo"] + counts["doing"],
                            overdue=counts["overdue"])

    def open_row(self, row_id: str) -> None:
        if self.view == BY_MEMBER:
            self.post_message(OpenPersonPage(self.session, row_id, changed=self.reload_data))
        else:
            self.open_task(row_id)

    # -- actions ---------------------------------------------------------------------
    def open_task(self, task_id: str) -> None:
        self.app.push_screen(TaskDetail(self.session, task_id, changed=self.reload_data))

    def action_add(self) -> None:
        def saved(task_id: str | None) -> None:
            if task_id:
                self.reload_data(keep=task_id)
                self.notify(i18n.t("task.added"))

        self.app.push_screen(task_form(self.session), saved)

    def action_bulk(self) -> None:
        def saved(count: str | None) -> None:
            if count:
                self.reload_data()
                self.notify(i18n.t("task.bulk.done", count=count))

        self.app.push_screen(BulkTaskForm(self.session), saved)

    def edit(self, task_id: str) -> None:
        def saved(saved_id: str | None) -> None:
            if saved_id:
                self.reload_data(keep=saved_id)
                self.notify(i18n.t("task.saved"))

        self.app.push_screen(task_form(self.session, task_id), saved)

    def show(self, view: str) -> None:
        self.set_filter("#tasks-view", view)

    def palette_commands(self) -> list[PaletteCommand]:
        t = i18n.t
        commands = [
            PaletteCommand(t("task.cmd.add"), t("task.cmd.add_help"), self.action_add,
                           writes=True),
            PaletteCommand(t("task.cmd.bulk"), t("task.cmd.bulk_help"), self.action_bulk,
                           writes=True),
            PaletteCommand(t("task.cmd.search"), t("task.cmd.search_help"), self.action_search),
        ]
        for view in VIEWS:
            commands.append(PaletteCommand(t("task.cmd.view", view=t(f"task.view.{view}")),
                                           t("task.cmd.view_help"),
                                           lambda v=view: self.show(v)))
        return commands


def _task_title(session: Session, doc: dict[str, Any]) -> Text:
    title = Text(doc["title"], style="bold")
    title.append("  " + TASK.field("status").display(doc["status"]))
    if session.tasks.is_overdue(doc["id"]):
        title.append("  " + i18n.t("task.overdue"), style="bold red")
    return title


def _notice_title(session: Session, notice_id: str) -> str:
    if not notice_id:
        return ""
    try:
        notice = session.notices.get(notice_id)
    except AttributeError:
        return ""
    return notice["title"] if notice else i18n.t("task.notice_deleted")


def _task_log(screen: Any, doc: dict[str, Any]) -> RenderableType:
    if not doc.get("log"):
        return ""
    log = Table.grid(padding=(0, 2))
    log.add_column(style="dim", no_wrap=True)
    log.add_column(no_wrap=True)
    log.add_column()
    for entry in doc["log"]:
        log.add_row(i18n.format_datetime(to_datetime(entry["at"])),
                    TASK.field("status").display(entry.get("status", "")),
                    entry.get("text", ""))
    return titled(i18n.t("task.log.title"), log)


TASK_DETAIL = DetailView(
    TASK, get=lambda session, task_id: session.tasks.get(task_id), title=_task_title,
    fields=tuple(f.key for f in TASK.fields),
    shown={"assignees": lambda session, value: names(session.roster, value),
           "notice": _notice_title},
    sections={"task-people": lambda screen, doc: screen.people(doc), "task-log": _task_log},
    actions=(
        Act("p", "progress", "task.key.progress", writes=True),
        Act("s", "start", "task.key.start", writes=True),
        Act("d", "done", "task.key.done", writes=True),
        Act("c", "cancel_task", "task.key.cancel", writes=True),
        Act("K", "confirm_many", "progress.key.confirm_done", writes=True),
        Act("u", "pending", "progress.key.not_done"),
        Act("e", "edit", "task.key.edit", writes=True),
        Act("ctrl+d", "delete", "task.key.delete", writes=True, show=False),
    ))


class TaskDetail(DetailScreen):
    """One task: what, who, when, its progress log, and the steps on it."""
    VIEW = TASK_DETAIL

    def __init__(self, session: Session, task_id: str, *,
                 changed: Callable[..., None] = lambda *_: None) -> None:
        super().__init__(session, task_id, changed=changed)
        self.task_id = task_id
        self.pending_only = False  # the assignees who have not done their part only

    def allows(self, action: str, doc: dict[str, Any]) -> bool | None:
        status = doc["status"]
        if action == "start":
            return status == "todo" or None
        if action in ("done", "cancel_task", "progress", "confirm_many"):
            return status in OPEN or None
        return True

    def people(self, doc: dict[str, Any]) -> Table:
        """Each assignee's own status: done (with the day and the note) or not."""
        done, total = progress(doc)
        title = i18n.t("progress.task.people", done=done, total=total)
        if self.pending_only:
            title += i18n.t("progress.task.filter")
        people = Table.grid(padding=(0, 2))
        people.add_column(no_wrap=True)
        people.add_column(no_wrap=True)
        people.add_column()
        confirmed = doc.get("confirmed") or {}
        finished = doc["status"] == "done"
        for person_id in doc.get("assignees", "").split():
            mark = confirmed.get(person_id)
            if self.pending_only and (mark or finished):
                continue
            name = person_name(self.session.roster, person_id)
            if mark:
                people.add_row(name, i18n.t("progress.task.done_on", date=dates.display(
                    mark["on"])), mark.get("note", ""))
            elif finished:
                people.add_row(name, i18n.t("progress.task.done"), "")
            else:
                people.add_row(name, Text(TASK.field("status").display(doc["status"]),
                                          style="yellow"), "")
        return titled(title, people)

    def action_progress(self) -> None:
        def written(text: str | None) -> None:
            if text:
                self.run(lambda: self.session.tasks.log_progress(self.task_id, text),
                         i18n.t("task.logged"))

        self.app.push_screen(NoteScreen(i18n.t("task.progress.title"),
                                        i18n.t("task.progress.label")), written)

    def action_start(self) -> None:
        self.run(lambda: self.session.tasks.set_status(self.task_id, "doing"),
                 i18n.t("task.started"))

    def action_done(self) -> None:
        doc = self.session.tasks.get(self.task_id) or {}

        def written(text: str | None) -> None:
            if text:
                self.run(lambda: self.session.tasks.set_status(self.task_id, "done",
                                                               evidence=text),
                         i18n.t("task.completed"))

        self.app.push_screen(NoteScreen(i18n.t("task.done.title"), i18n.t("task.done.label"),
                                        text=doc.get("evidence", ""), max_length=2000),
                             written)

    def action_cancel_task(self) -> None:
        def written(text: str | None) -> None:
            if text is not None:
                self.run(lambda: self.session.tasks.set_status(self.task_id, "cancelled",
                                                               text),
                         i18n.t("task.cancelled"))

        self.app.push_screen(NoteScreen(i18n.t("task.cancel.title"),
                                        i18n.t("task.cancel.label"), required=False), written)

    def action_edit(self) -> None:
        def saved(saved_id: str | None) -> None:
            if saved_id:
                self.after(i18n.t("task.saved"))

        self.app.push_screen(task_form(self.session, self.task_id), saved)

    def action_delete(self) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self.session.tasks.delete(self.task_id)
                self.changed()
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen(i18n.t("task.delete.question"),
                                           yes=i18n.t("care.delete.yes"),
                                           no=i18n.t("dialog.cancel"), danger=True), answered)

    def action_pending(self) -> None:
        self.pending_only = not self.pending_only
        self.reload_data()

    def action_confirm_many(self) -> None:
        """Tick who has done their part (everyone not yet, ticked to start
        with), one note for all: one keystroke, one write."""
        doc = self.session.tasks.get(self.task_id) or {}
        confirmed = doc.get("confirmed") or {}
        waiting = [p for p in doc.get("assignees", "").split() if p not in confirmed]
        if not waiting:
            return
        options = [(person_name(self.session.roster, p), p) for p in waiting]

        def save(values: dict[str, Any]) -> str:
            chosen = str(values.get("people", "")).split()
            count = self.session.tasks.confirm(self.task_id, chosen,
                                               str(values.get("note", "")))
            self.notify(i18n.t("progress.confirm.done", count=count))
            return self.task_id

        def check(values: dict[str, Any]) -> list[Any]:
            return CONFIRM_TASK.clean(values)[1]

        self.app.push_screen(CareForm(
            CONFIRM_TASK, i18n.t("progress.task.confirm_title", count=len(waiting)),
            {"people": " ".join(waiting), "note": ""}, check=check, save=save,
            session=self.session, pickers={"people": lambda _: options}),
            lambda saved: saved and (self.reload_data(), self.changed()))

"""Task forms: one task, one task for every member in one step (from a
template of the notice's duties), and the short note a progress entry or a
completion asks for."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, TextArea

from branchtool import i18n
from branchtool.records.task import TASK, TEMPLATES
from branchtool.services.tasks import TaskService
from branchtool.session import Session
from screens.base import ReadOnlyForm, localize_bindings
from screens.care_form import CareForm
from screens.form import FormRow
from screens.plain import Select, Static

ALL_MEMBERS = "*"


def _notice_options(session: Session) -> Callable[[dict[str, Any]], list[tuple[str, str]]]:
    def options(values: dict[str, Any]) -> list[tuple[str, str]]:
        notices = session.notices.all()
        return [(f"{n.get('number', '')} {n['title']}".strip()[:40], n["id"]) for n in notices]

    return options


def task_form(session: Session, task_id: str | None = None,
              values: dict[str, str] | None = None) -> CareForm:
    """Add a task (``values`` prefill it) or edit ``task_id``."""
    tasks = session.tasks
    if task_id:
        values = tasks.values_of(task_id)
        title = i18n.t("task.form.edit_title", title=values["title"])
    else:
        values = {**tasks.blank(), **(values or {})}
        title = i18n.t("task.form.add_title")

    def save(values: dict[str, Any]) -> str:
        if task_id:
            return str(session.tasks.edit(task_id, values)["id"])
        return session.tasks.add(values)

    return CareForm(TASK, title, values, check=lambda v: session.tasks.check(v, task_id),
                    save=save, session=session, pickers={"notice": _notice_options(session)})


class BulkTaskForm(CareForm):
    """One task for each member (of a Party group, or all), made from a
    template or written here, created in one batch."""

    BINDINGS: ClassVar[list[BindingType]] = []

    def __init__(self, session: Session) -> None:
        values = session.tasks.from_template(TEMPLATES[0].code)
        super().__init__(TASK, i18n.t("task.bulk.title"), values,
                         check=self._check, save=self._save, session=session,
                         pickers={"notice": _notice_options(session)},
                         hidden=("assignees", "status", "evidence"))
        templates: Select[str] = Select(
            [(i18n.t(t.title_key), t.code) for t in TEMPLATES], allow_blank=True,
            prompt=i18n.t("task.bulk.no_template"), value=TEMPLATES[0].code, compact=True,
            id="field-template")
        groups = [(i18n.t("task.bulk.all_members"), ALL_MEMBERS)]
        groups += [(g, g) for g in session.roster.groups()]
        who: Select[str] = Select(groups, allow_blank=False, value=ALL_MEMBERS, compact=True,
                                  id="field-who")
        self.rows = [FormRow(i18n.t("task.bulk.template"), templates, key="template"),
                     FormRow(i18n.t("task.bulk.who"), who, required=True, key="who"),
                     *self.rows]

    @property
    def tasks(self) -> TaskService:
        return self.session.tasks

    def on_mount(self) -> None:
        super().on_mount()
        self._count()

    def _group(self) -> str:
        who = str(self.values.get("who") or ALL_MEMBERS)
        return "" if who == ALL_MEMBERS else who

    def members(self) -> list[str]:
        return [p.id for p in self.tasks.members(self._group())]

    def _check(self, values: dict[str, Any]) -> list[Any]:
        return self.tasks.check_bulk(values)

    def _save(self, values: dict[str, Any]) -> str:
        template = str(values.get("template") or "")
        ids = self.tasks.add_for_each(values, self.members(), template=template)
        return str(len(ids))

    def _count(self) -> None:
        if not self.session.unlocked:
            return
        count = len(self.members())
        self.query_one("#form-hint", Static).update(i18n.t("task.bulk.count", count=count))

    @on(Select.Changed, "#field-template")
    def _template(self, event: Select.Changed) -> None:
        if event.select.is_blank() or not self.session.unlocked:
            return
        values = self.tasks.from_template(str(event.value))
        for row in self.rows:
            if row.key in ("title", "due", "priority"):
                widget = row.widget
                if isinstance(widget, Input | Select):
                    widget.value = values[row.key].replace("T", " ") if row.key == "due" \
                        else values[row.key]
            elif row.key == "description" and isinstance(row.widget, TextArea):
                row.widget.text = values["description"]

    @on(Select.Changed, "#field-who")
    def _who(self) -> None:
        self._count()


class NoteScreen(ReadOnlyForm, ModalScreen[str | None]):
    """A few lines of text: a progress entry, or the evidence of completion."""

    CSS_PATH = "tasks.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "form.key.save", priority=True),
        Binding("escape", "cancel", "form.key.cancel"),
    ]

    def __init__(self, title: str, label: str, *, text: str = "", required: bool = True,
                 max_length: int = 500) -> None:
        super().__init__()
        self.title_text, self.label, self.text = title, label, text
        self.required, self.max_length = required, max_length
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(id="note-box"):
            yield Static(self.title_text, id="note-title")
            yield Static(self.label, id="note-label")
            yield TextArea(self.text, soft_wrap=True, compact=True, id="note-text")
            yield Static("", id="note-problem")
            with Horizontal(id="note-buttons"):
                yield Static(i18n.t("task.note.hint"), id="note-hint")
                yield Button(i18n.t("form.save"), variant="primary", id="note-save")
                yield Button(i18n.t("form.cancel"), id="note-cancel")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    @on(Button.Pressed, "#note-save")
    def action_save(self) -> None:
        text = self.query_one(TextArea).text.strip()
        problem = ""
        if self.required and not text:
            problem = i18n.t("task.note.empty")
        elif len(text) > self.max_length:
            problem = i18n.t("task.log.too_long", maximum=self.max_length)
        if problem:
            self.query_one("#note-problem", Static).update(problem)
            return
        self.dismiss(text)

    @on(Button.Pressed, "#note-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

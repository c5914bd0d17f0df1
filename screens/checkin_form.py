"""One person's check-in of one day: every field of the definition, the
symptoms as a list to tick, the last seven days above. Ctrl+S saves through
the health service (one frame, alerts included); problems show under their
fields."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, SelectionList

from branchtool import i18n
from branchtool.errors import KeyedError, describe
from branchtool.records.checkin import CHECKIN
from branchtool.records.fields import InvalidRecord, Problem
from branchtool.records.health_fields import split_codes
from branchtool.services import health_rules as rules
from branchtool.session import Session
from screens.base import LockAware, ReadOnlyForm, localize_bindings
from screens.form import FormRow, field_widget, widget_value
from screens.plain import Static
from screens.tick_list import TickList

HISTORY_DAYS = 7


def symptom_list(value: str) -> SelectionList[str]:
    fdef = CHECKIN.field("symptoms")
    chosen = set(split_codes(value))
    return TickList(*[(fdef.choice_label(c), c, c in chosen) for c in fdef.choices],
                    id="field-symptoms", compact=True)


def history_text(session: Session, person_id: str, day: dt.date) -> str:
    """The last days as marks: ✓ normal, ! abnormal, · missing."""
    settings = session.health.settings
    marks = []
    for doc in session.health.history(person_id, day - dt.timedelta(days=1), HISTORY_DAYS):
        if doc is None:
            marks.append("·")
        else:
            marks.append("!" if rules.checkin_flags(doc, settings) else "✓")
    return i18n.t("watch.form.history", days=HISTORY_DAYS, marks="".join(marks))


class CheckinForm(ReadOnlyForm, ModalScreen[bool], LockAware):
    CSS_PATH = "checkin_form.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "form.key.save", priority=True),
        Binding("escape", "cancel", "form.key.cancel"),
    ]

    def __init__(self, session: Session, day: dt.date, person_id: str) -> None:
        super().__init__()
        self.session = session
        self.day = day
        self.person_id = person_id
        person = session.roster.person(person_id)
        self.person_name = person["name"] if person is not None else ""
        existing = session.health.get(day, person_id)
        self.is_new = existing is None
        values = existing or {**CHECKIN.blank(), "risk_travel": "no", "case_contact": "no",
                              "isolation": session.contacts.person_isolation(day).get(
                                  person_id, "none")}
        self.rows: list[FormRow] = []
        for fdef in CHECKIN.fields:
            if fdef.key == "date":
                continue
            value = values.get(fdef.key, "")
            widget: Widget = (symptom_list(value) if fdef.key == "symptoms" else
                              field_widget(fdef, value, widget_id=f"field-{fdef.key}"))
            self.rows.append(FormRow(fdef.label, widget, required=fdef.required, key=fdef.key))
        self.history = history_text(session, person_id, day)
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(id="checkin-box"):
            yield Static(i18n.t("watch.form.title", name=self.person_name,
                                date=i18n.format_date(self.day)), id="checkin-title")
            yield Static(self.history, id="checkin-history")
            with VerticalScroll(id="checkin-fields"):
                yield from self.rows
            with Horizontal(id="checkin-buttons"):
                yield Static(i18n.t("form.hint"), id="checkin-hint")
                yield Button(i18n.t("form.save"), variant="primary", id="checkin-save")
                yield Button(i18n.t("form.cancel"), id="checkin-cancel")

    def on_mount(self) -> None:
        self.rows[0].widget.focus()

    @property
    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for row in self.rows:
            if isinstance(row.widget, SelectionList):
                out[row.key] = list(row.widget.selected)
            else:
                out[row.key] = widget_value(row.widget)
        return out

    def show_problems(self, problems: list[Problem]) -> FormRow | None:
        first: dict[str, str] = {}
        for problem in problems:
            first.setdefault(problem.field or self.rows[0].key, problem.message())
        shown = None
        for row in self.rows:
            message = first.get(row.key, "")
            row.show_problem(message)
            if message and shown is None:
                shown = row
        return shown

    @on(Input.Submitted)
    def _next(self) -> None:
        self.focus_next()

    @on(Button.Pressed, "#checkin-save")
    def action_save(self) -> None:
        values = self.values
        source = values.pop("source", "") or "proxy"
        try:
            self.session.health.record(self.day, self.person_id, values, source=source)
        except InvalidRecord as exc:
            row = self.show_problems(exc.problems)
            if row is not None:
                row.widget.focus()
                row.scroll_visible(animate=False)
            return
        except KeyedError as exc:
            self.notify(describe(exc), severity="error")
            return
        self.dismiss(True)

    @on(Button.Pressed, "#checkin-cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)

    def forget_data(self) -> None:
        self.query_one("#checkin-history", Static).update("")

    def reload_data(self) -> None:
        self.query_one("#checkin-history", Static).update(
            history_text(self.session, self.person_id, self.day))


"""The record form for care cases, visits, tasks, records and deeds: the
roster's ``RecordForm`` with inputs for what those records add — a person
found by typing (anyone on the roster), a member chosen from a list, several
members (or tasks) ticked in a list, and multi-line text.

Choices come from the roster: active Party members, plus whoever the record
already names (an archived assignee stays on the task and is shown as such).
The services refuse newly naming someone archived; the form shows why.

Forms reach the services through the session each time (``check`` and
``save`` callables do too): a form survives a lock, the services do not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, TextArea
from textual.widgets.option_list import Option

from branchtool import i18n
from branchtool.records.fields import FieldDef, Kind, Problem, RecordDef
from branchtool.records.fieldtypes import DateTimeField, RefField, RefListField, split_ids
from branchtool.records.person import ACTIVE
from branchtool.services.book import person_name
from branchtool.services.roster import RosterQuery, RosterService
from branchtool.session import Session
from screens.form import FormRow, MultiChoice, field_widget, widget_value
from screens.plain import OptionList, Select, SelectionList
from screens.record_form import RecordForm
from screens.tick_list import TickList, ticked_first

MEMBER_STAGES = ("probationary", "member")
MATCHES = 6  # people shown under the person search


def member_options(roster: RosterService, keep: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(label, id) of the active Party members in pinyin order, then the people
    in ``keep`` that are not among them (archived ones marked)."""
    people = [p for p in roster.people()
              if p.status == ACTIVE and p["stage"] in MEMBER_STAGES]
    people.sort(key=lambda p: p.name_key)
    options = [(_member_label(p), p.id) for p in people]
    listed = {p.id for p in people}
    options += [(person_name(roster, i), i) for i in dict.fromkeys(keep) if i and i not in listed]
    return options


def _member_label(person: Any) -> str:
    group = person["group"]
    return f"{person['name']}  {group}" if group else person["name"]


class PersonSearch(Vertical):
    """Anyone on the roster, found by typing part of the name, pinyin
    initials, ID number or phone; Enter or a click takes the highlighted one."""

    DEFAULT_CSS = """
    PersonSearch { height: auto; width: 1fr; }
    PersonSearch > OptionList { height: auto; max-height: 6; display: none; }
    PersonSearch.-searching > OptionList { display: block; }
    """

    class Changed(Message):
        def __init__(self, picker: PersonSearch) -> None:
            super().__init__()
            self.picker = picker

        @property
        def control(self) -> PersonSearch:
            return self.picker

    def __init__(self, session: Session, value: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session = session  # the roster is reached through it: a lock drops it
        self.value = value
        self._shown = person_name(session.roster, value) if value else ""

    def compose(self) -> ComposeResult:
        yield Input(self._shown, placeholder=i18n.t("care.form.find_person"), compact=True)
        yield OptionList(compact=True)

    def focus(self, scroll_visible: bool = True) -> PersonSearch:
        self.query_one(Input).focus(scroll_visible)
        return self

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        text = event.value.strip()
        matches = self.query_one(OptionList)
        if not text or text == self._shown:
            self.remove_class("-searching")
            return
        found = self.session.roster.query(RosterQuery(text=text))[:MATCHES]
        matches.set_options(
            Option(f"{p['name']}  {p['unit'] or p['group']}", id=p.id) for p in found)
        if found:
            matches.highlighted = 0
        self.set_class(bool(found), "-searching")
        if self.value:
            self.value = ""  # typing drops the choice until a new one is made
            self.post_message(self.Changed(self))

    def on_key(self, event: Any) -> None:
        matches = self.query_one(OptionList)
        if not self.has_class("-searching"):
            return
        if event.key in ("down", "up"):
            matches.action_cursor_down() if event.key == "down" else matches.action_cursor_up()
            event.stop()
            event.prevent_default()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        matches = self.query_one(OptionList)
        if self.has_class("-searching") and matches.highlighted is not None:
            event.stop()
            self._choose(matches.get_option_at_index(matches.highlighted).id or "")

    @on(OptionList.OptionSelected)
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(event.option.id or "")

    def _choose(self, person_id: str) -> None:
        self.value = person_id
        self._shown = person_name(self.session.roster, person_id)
        self.remove_class("-searching")
        with self.query_one(Input).prevent(Input.Changed):
            self.query_one(Input).value = self._shown
        self.post_message(self.Changed(self))


def value_of(widget: Widget) -> str:
    """A form widget's value in the stored form (lists of ids space-separated)."""
    if isinstance(widget, PersonSearch):
        return widget.value
    if isinstance(widget, TextArea):
        return widget.text
    if isinstance(widget, SelectionList) and not isinstance(widget, MultiChoice):
        return " ".join(str(v) for v in widget.selected)
    return widget_value(widget)


# How a reference field is chosen: "person" (search the roster), "member" (a
# list of members), "members" (tick members), or a callable giving the options.
Options = Callable[[dict[str, Any]], list[tuple[str, str]]]
Picker = str | Options


class CareForm(RecordForm):
    """``RecordForm`` whose reference and multi-line fields get fitting inputs.
    ``pickers`` says how each reference field is chosen; ``hidden`` fields
    keep their value without an input."""

    DEFAULT_CSS = """
    CareForm FormRow TextArea { height: 4; width: 1fr; }
    CareForm FormRow TextArea.-tall { height: 8; }
    CareForm FormRow SelectionList { height: auto; max-height: 6; width: 1fr; }
    """

    def __init__(self, record: RecordDef, title: str, values: dict[str, str], *,
                 check: Callable[[dict[str, Any]], list[Problem]],
                 save: Callable[[dict[str, Any]], str], session: Session,
                 pickers: dict[str, Picker] | None = None, hidden: Iterable[str] = (),
                 tall: Iterable[str] = ()) -> None:
        # Messages still queued when the vault locks must not reach the services.
        super().__init__(record, title, values, save=save, hidden=hidden,
                         check=lambda v: check(v) if session.unlocked else [])
        self.session = session
        self.pickers = pickers or {}
        tall = set(tall)
        rows = []
        for row in self.rows:
            fdef = record.field(row.key)
            widget = self._widget(fdef, values.get(fdef.key, fdef.default), fdef.key in tall)
            if widget is not None:
                row = FormRow(fdef.label, widget, required=fdef.required, key=fdef.key)
            rows.append(row)
        self.rows = rows

    def _widget(self, fdef: FieldDef, value: str, tall: bool) -> Widget | None:
        widget_id = f"field-{fdef.key}"
        if isinstance(fdef, DateTimeField):
            self.initial[fdef.key] = value.replace("T", " ")
            return field_widget(fdef, value.replace("T", " "), widget_id=widget_id)
        if fdef.kind is Kind.NOTE:
            return TextArea(value, id=widget_id, soft_wrap=True, compact=True,
                            classes="-tall" if tall else "")
        if not isinstance(fdef, RefField | RefListField):
            return None
        picker = self.pickers.get(fdef.key, "members" if isinstance(fdef, RefListField)
                                  else "member")
        if picker == "person":
            return PersonSearch(self.session, value, id=widget_id)
        chosen = split_ids(value)
        options = picker(self.initial) if callable(picker) \
            else member_options(self.session.roster, chosen)
        if isinstance(fdef, RefListField):
            return TickList(*ticked_first(options, chosen), id=widget_id, compact=True)
        select: Select[str] = Select(options, prompt=i18n.t("form.choose"), compact=True,
                                     value=value if value in {v for _, v in options}
                                     else Select.NULL, id=widget_id)
        return select

    @property
    def values(self) -> dict[str, Any]:
        return {**self.hidden, **{row.key: value_of(row.widget) for row in self.rows}}

    def set_options(self, key: str, options: list[tuple[str, str]]) -> None:
        """Offer other choices in a reference field (e.g. the tasks of the member
        chosen), keeping what is chosen among them."""
        widget = self.query_one(f"#field-{key}")
        if isinstance(widget, TickList):
            chosen = set(widget.selected)
            widget.clear_options()
            widget.add_ticks(ticked_first(options, chosen))
        elif isinstance(widget, Select):
            widget.set_options(options)

    @on(TextArea.Changed)
    @on(PersonSearch.Changed)
    def _other_changed(self, event: Message) -> None:
        control = getattr(event, "control", None)
        key = (getattr(control, "id", "") or "").removeprefix("field-")
        if key:
            self.touched.add(key)
        self.show_problems(self.check(self.values))

"""Close contacts (密接追踪): today's agenda, the contacts under observation
(or all), and one contact's follow-ups with the day's actions — follow up,
extend the observation, end it (release, referral, confirmation)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from branchtool import i18n
from branchtool.records.contact import CONTACT, EXTENSION, FOLLOWUP, OBSERVATION_TYPES
from branchtool.records.fields import Problem, RecordDef
from branchtool.records.views import ListView, Row, ViewRow, computed
from branchtool.services import health_rules as rules
from branchtool.session import Session
from screens.details import Act, DetailScreen, DetailView
from screens.list_pane import ListPane, ListTable
from screens.person_picker import PersonPicker
from screens.person_rows import PERSON_KEY, PersonRows
from screens.record_form import RecordForm
from screens.record_table import RecordTable
from screens.watch_widgets import StyledTable

FOLLOWUP_COLUMNS = FOLLOWUP.columns
CLOSING = RecordDef("contact", (
    dataclasses.replace(CONTACT.field("outcome"), required=True),
    dataclasses.replace(CONTACT.field("outcome_date"), required=True),
    CONTACT.field("note"),
))
QUICK = {"w": "well", "u": "unwell", "n": "unreached", "l": "lost"}


class ContactTable(ListTable, PersonRows, StyledTable):
    """The contacts: ``m`` opens a roster person's page (an outside contact has none)."""

    BINDINGS: ClassVar[list[BindingType]] = [PERSON_KEY]

    def person_of(self, row: Any) -> str | None:
        return row.doc.get("person")


CONTACT_VIEW = ListView.of(
    CONTACT, "name", "contact_type", "observation_type", "end_date",
    computed("today", lambda row: row.today_text(), width=14, priority=85,
             record="watch.contacts"),
    "outcome", "exposure_date")
FOLLOWUP_VIEW = ListView(FOLLOWUP, FOLLOWUP_COLUMNS)


class ContactRow(ViewRow):
    __slots__ = ("doc", "followup", "id", "today", "tone")
    VIEW = CONTACT_VIEW

    def __init__(self, doc: dict[str, Any], followup: dict[str, Any] | None,
                 name: str, today: dt.date) -> None:
        self.id = doc["id"]
        self.doc = {**doc, "name": name}
        self.followup = followup
        self.today = today
        if doc.get("outcome"):
            self.tone = "muted"
        elif rules.observation_ends_on(doc, today) or rules.release_overdue(doc, today):
            self.tone = "warn"
        else:
            self.tone = ""

    def today_text(self) -> str:
        """Today's follow-up: done (its status), due, or due from tomorrow."""
        if self.followup:
            return FOLLOWUP.field("status").display(self.followup["status"])
        if self.doc.get("outcome"):
            return ""
        if rules.observation_active(self.doc, self.today) \
                and not rules.followup_due(self.doc, self.today):  # registered today
            return i18n.t("watch.contacts.due_tomorrow")
        return i18n.t("watch.contacts.due")


class ContactsPane(ListPane):
    """The contacts under observation (or all): today's agenda, the table."""
    NAME = "contacts"
    LAZY = True  # the watch section loads it when first shown
    WRITE_ACTIONS = frozenset({"add", "add_outside"})
    DEFAULT_CSS = "#contacts-head { height: 2; }"  # the agenda
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "add", "watch.contacts.key.add_person"),
        Binding("ctrl+e", "add_outside", "watch.contacts.key.add_outside"),
        Binding("f", "toggle_all", "watch.contacts.key.all", show=False),
    ]

    def compose_tables(self) -> Iterable[RecordTable]:
        yield ContactTable(CONTACT_VIEW.columns, empty_text=i18n.t("watch.contacts.empty"),
                           id="contacts-table")

    def show_only(self, only: str) -> None:
        self.everything = False
        self.reload_data()

    def list_rows(self) -> tuple[Sequence[Row], str]:
        """The contacts shown, and the agenda (two lines)."""
        contacts = self.session.contacts
        today = self.session.health.today()
        agenda = contacts.agenda(today)
        docs = contacts.all() if self.everything else contacts.active_on(today)
        if not self.everything:
            seen = {d["id"] for d in docs}
            docs += [d for d in agenda.overdue if d["id"] not in seen]
        done = contacts.followups_on(today)
        rows = [ContactRow(d, done.get(d["id"]), contacts.name(d), today) for d in docs]
        kinds = i18n.t("list.separator").join(
            i18n.t("watch.contacts.kind_count",
                   kind=CONTACT.field("observation_type").choice_label(k),
                   count=agenda.by_type[k]) for k in OBSERVATION_TYPES)
        return rows, "\n".join((
            i18n.t("watch.contacts.agenda", active=sum(agenda.by_type.values()), kinds=kinds),
            i18n.t("watch.contacts.agenda_today", due=len(agenda.due), done=len(agenda.done),
                   missed=len(agenda.missed_yesterday), ending=len(agenda.ending),
                   overdue=len(agenda.overdue))))

    # -- adding ----------------------------------------------------------------------
    def action_add(self) -> None:
        """Ctrl+N: a contact from the roster (Ctrl+E: from outside it)."""
        def chosen(person_id: str | None) -> None:
            if person_id:
                self.add(person_id)

        self.app.push_screen(PersonPicker(self.session, i18n.t("watch.contacts.pick_title")),
                             chosen)

    def action_add_outside(self) -> None:
        self.add(None)

    def add(self, person_id: str | None) -> None:
        contacts = self.session.contacts
        values = CONTACT.blank()
        if person_id is not None:
            person = self.session.roster.person(person_id)
            if person is not None:  # the roster knows who they are and how to reach them
                values.update(name=person["name"], phone=person["phone"] or "",
                              id_number=person["id_number"] or "")

        def check(v: dict[str, Any]) -> list[Problem]:
            return contacts.clean(v, person_id=person_id)[1]

        def saved(contact_id: str | None) -> None:
            if contact_id:
                self.changed(keep=contact_id)

        self.app.push_screen(RecordForm(
            CONTACT, i18n.t("watch.contacts.add_title"), values, check=check,
            save=lambda v: contacts.add(v, person_id=person_id)), saved)

    def open_row(self, row_id: str) -> None:
        self.app.push_screen(ContactScreen(self.session, row_id),
                             lambda _: self.changed(keep=row_id))


def _contact_title(session: Session, doc: dict[str, Any]) -> str:
    return i18n.t("watch.contacts.title", name=session.contacts.name(doc),
                  type=CONTACT.field("contact_type").display(doc["contact_type"]),
                  observation=CONTACT.field("observation_type").display(
                      doc["observation_type"]))


def _contact_lines(screen: Any, doc: dict[str, Any]) -> str:
    """The observation period, its extensions, and how it ended or ends."""
    today = screen.today
    lines = [i18n.t("watch.contacts.period",
                    start=CONTACT.field("start_date").display(doc["start_date"]),
                    end=CONTACT.field("end_date").display(doc["end_date"]),
                    exposure=CONTACT.field("exposure_date").display(doc["exposure_date"]))]
    for ext in doc.get("extensions", []):
        lines.append(i18n.t("watch.contacts.extended",
                            previous=CONTACT.field("end_date").display(ext["previous_end"]),
                            end=CONTACT.field("end_date").display(ext["end_date"]),
                            reason=ext["reason"]))
    if doc.get("outcome"):
        lines.append(i18n.t("watch.contacts.ended",
                            outcome=CONTACT.field("outcome").display(doc["outcome"]),
                            date=CONTACT.field("outcome_date").display(doc["outcome_date"])))
    elif rules.observation_ends_on(doc, today):
        lines.append(i18n.t("watch.contacts.ends_today"))
    elif rules.release_overdue(doc, today):
        lines.append(i18n.t("watch.contacts.release_overdue"))
    return "\n".join(lines)


CONTACT_DETAIL = DetailView(
    CONTACT, get=lambda session, contact_id: session.contacts.get(contact_id),
    title=_contact_title, sections={"contact-fields": _contact_lines},
    actions=(
        Act("w", "quick('w')", "watch.contacts.key.well", writes=True),
        Act("u", "quick('u')", "watch.contacts.key.unwell", writes=True, show=False),
        Act("n", "quick('n')", "watch.contacts.key.unreached", writes=True, show=False),
        Act("l", "quick('l')", "watch.contacts.key.lost", writes=True, show=False),
        Act("x", "extend", "watch.contacts.key.extend", writes=True),
        Act("r", "release", "watch.contacts.key.release", writes=True),
        Act("o", "close_other", "watch.contacts.key.outcome", writes=True, show=False),
        Act("e", "edit", "watch.contacts.key.edit", writes=True, show=False),
    ))


class ContactScreen(DetailScreen):
    """One contact: the record, the follow-ups, and what can be done today."""
    VIEW = CONTACT_DETAIL

    def __init__(self, session: Session, contact_id: str) -> None:
        super().__init__(session, contact_id)
        self.contact_id = contact_id

    def compose_more(self) -> ComposeResult:
        yield StyledTable(FOLLOWUP_COLUMNS, empty_text=i18n.t("watch.contacts.no_followups"),
                          id="followup-table")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#followup-table").focus()

    @property
    def today(self) -> dt.date:
        return self.session.health.today()

    def show_more(self, doc: dict[str, Any]) -> None:
        rows = [FollowupRow(f) for f in reversed(self.session.contacts.followups(
            self.contact_id))]
        self.query_one("#followup-table", StyledTable).set_rows(rows)

    def forget_data(self) -> None:
        super().forget_data()
        self.query_one("#followup-table", StyledTable).set_rows([])

    def action_quick(self, key: str) -> None:
        status = QUICK[key]
        self.run(lambda: self.session.contacts.follow_up(self.contact_id, self.today, status),
                 i18n.t("watch.contacts.followed",
                        status=FOLLOWUP.field("status").choice_label(status)))

    def action_extend(self) -> None:
        contacts = self.session.contacts

        def save(values: dict[str, Any]) -> str:
            contacts.extend(self.contact_id, values["end_date"], values["reason"])
            return self.contact_id

        def check(values: dict[str, Any]) -> list[Problem]:
            return EXTENSION.clean(values)[1]

        self.app.push_screen(RecordForm(
            EXTENSION, i18n.t("watch.contacts.extend_title"), EXTENSION.blank(),
            check=check, save=save), lambda _: self.reload_data())

    def action_release(self) -> None:
        self.run(lambda: self.session.contacts.close(self.contact_id, "released", self.today),
                 i18n.t("watch.contacts.released"))

    def action_close_other(self) -> None:
        contacts = self.session.contacts

        def save(values: dict[str, Any]) -> str:
            contacts.close(self.contact_id, values["outcome"], values["outcome_date"],
                           values.get("note", ""))
            return self.contact_id

        self.app.push_screen(RecordForm(
            CLOSING, i18n.t("watch.contacts.outcome_title"),
            {"outcome": "", "outcome_date": self.today.isoformat(), "note": ""},
            check=lambda values: CLOSING.clean(values)[1], save=save),
            lambda _: self.reload_data())

    def action_edit(self) -> None:
        contacts = self.session.contacts
        doc = contacts.get(self.contact_id)
        if doc is None:
            return

        def save(values: dict[str, Any]) -> str:
            contacts.edit(self.contact_id, values)
            return self.contact_id

        self.app.push_screen(RecordForm(
            CONTACT, i18n.t("watch.contacts.edit_title"),
            {f.key: doc.get(f.key, "") for f in CONTACT.fields},
            check=lambda values: contacts.clean(values, contact_id=self.contact_id)[1],
            save=save), lambda _: self.reload_data())


class FollowupRow(ViewRow):
    __slots__ = ("doc", "id", "tone")
    VIEW = FOLLOWUP_VIEW

    def __init__(self, doc: dict[str, Any]) -> None:
        self.id = doc["id"]
        self.doc = doc
        self.tone = "" if doc["status"] == "well" else "warn"

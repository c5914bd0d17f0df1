"""The records section: members' records (党员表现记实 — commendation and
accountability, each linked to the tasks it concerns) and exemplary deeds
(先进典型事迹, drafted with a multi-line editor and marked for reporting)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.widget import Widget

from branchtool import i18n
from branchtool.errors import KeyedError, describe
from branchtool.records.deed import DEED, PROPOSED
from branchtool.records.member_record import MEMBER_RECORD
from branchtool.records.views import Row
from branchtool.services.deeds import DEED_VIEW, DeedQuery
from branchtool.services.member_records import RECORD_VIEW, RecordQuery
from branchtool.session import Session
from screens.care_form import CareForm
from screens.care_table import FlaggedTable
from screens.commands import PaletteCommand
from screens.list_pane import ListPane, ListTable, choice_filter
from screens.navigation import OpenPersonPage
from screens.plain import Select
from screens.record_table import RecordTable

RECORDS, DEEDS = "records", "deeds"
LINKABLE = 60  # the member's latest tasks offered as links


def task_options(session: Session, member: str, keep: str = "") -> list[tuple[str, str]]:
    """(title, id) of a member's latest tasks, and of the tasks already linked."""
    tasks = session.tasks
    options = []
    if member:
        rows = sorted(tasks.for_member(member), key=lambda r: r.doc["due"], reverse=True)
        options = [(f"{r.doc['title']}  {r.cell('due')}", r.id) for r in rows[:LINKABLE]]
    listed = {v for _, v in options}
    options += [(title, i) for i, title in tasks.titles(keep) if i not in listed]
    return options


def secretary(session: Session) -> str:
    """Who records by default: the active member whose Party post is the
    branch secretary's (as either language's catalog writes it), if any."""
    posts = {p for lang in i18n.LANGUAGES
             for p in i18n.catalog(lang).get("member_record.secretary_posts", "").split("|") if p}
    for person in session.roster.people():
        if person["party_post"] in posts and person.status == "active":
            return person.id
    return ""


class MemberRecordForm(CareForm):
    """A record's form: the tasks offered are the member's."""

    def __init__(self, session: Session, record_id: str | None = None,
                 member: str = "") -> None:
        records = session.member_records
        values = records.values_of(record_id) if record_id else records.blank(
            member, secretary(session))
        title = i18n.t("member_record.form.edit_title" if record_id
                       else "member_record.form.add_title")

        def save(values: dict[str, Any]) -> str:
            if record_id:
                return str(session.member_records.edit(record_id, values)["id"])
            return session.member_records.add(values)

        super().__init__(MEMBER_RECORD, title, values,
                         check=lambda v: session.member_records.check(v, record_id), save=save,
                         session=session,
                         pickers={"tasks": lambda v: task_options(session, v.get("member", ""),
                                                                  v.get("tasks", ""))})

    @on(Select.Changed, "#field-member")
    def _member(self, event: Select.Changed) -> None:
        if not self.session.unlocked:
            return
        member = "" if event.select.is_blank() else str(event.value)
        self.set_options("tasks", task_options(self.session, member,
                                               self.values.get("tasks", "")))


def deed_form(session: Session, deed_id: str | None = None,
              members: list[str] | None = None) -> CareForm:
    deeds = session.deeds
    values = deeds.values_of(deed_id) if deed_id else {
        **DEED.blank(), "members": " ".join(members or []),
        "date": session.care.today().isoformat()}
    title = i18n.t("deed.form.edit_title" if deed_id else "deed.form.add_title")

    def save(values: dict[str, Any]) -> str:
        if deed_id:
            return str(session.deeds.edit(deed_id, values)["id"])
        return session.deeds.add(values)

    return CareForm(DEED, title, values, check=lambda v: session.deeds.check(v, deed_id),
                    save=save, session=session, tall=("narrative",))


class RecordsTable(ListTable, FlaggedTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "row('open_member')", "member_record.key.member"),
        Binding("t", "pane('action_toggle')", "member_record.key.toggle"),
    ]


class DeedsTable(ListTable, FlaggedTable):
    WRITE_ACTIONS = frozenset({"propose"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "row('propose')", "deed.key.propose"),
        Binding("t", "pane('action_toggle')", "member_record.key.toggle"),
    ]


class RecordsPane(ListPane):
    NAME = "records"
    SEARCH = "member_record.search.placeholder"

    def compose_filters(self) -> Iterable[Widget]:
        yield Select([(i18n.t("member_record.view.records"), RECORDS),
                      (i18n.t("member_record.view.deeds"), DEEDS)], allow_blank=False,
                     value=RECORDS, compact=True, id="records-view")
        yield choice_filter(MEMBER_RECORD.field("kind"), "member_record.filter.kind",
                            "records-kind")
        yield choice_filter(DEED.field("status"), "deed.filter.status", "deeds-status")

    def compose_tables(self) -> Iterable[RecordTable]:
        yield RecordsTable(RECORD_VIEW.columns, empty_text=i18n.t("member_record.empty"),
                           id="records-table")
        yield DeedsTable(DEED_VIEW.columns, empty_text=i18n.t("deed.empty"), id="deeds-table")

    @property
    def view(self) -> str:
        return str(self.query_one("#records-view", Select).value)

    @property
    def table(self) -> FlaggedTable:
        return self.query_one(DeedsTable if self.view == DEEDS else RecordsTable)

    def list_rows(self) -> tuple[Sequence[Row], str]:
        deeds_view = self.view == DEEDS
        for widget, shown in ((self.query_one(RecordsTable), not deeds_view),
                              (self.query_one(DeedsTable), deeds_view),
                              (self.query_one("#records-kind"), not deeds_view),
                              (self.query_one("#deeds-status"), deeds_view)):
            widget.display = shown
        if deeds_view:
            deeds = self.session.deeds.query(DeedQuery(
                status=self.selected("#deeds-status"), text=self.search_text))
            return deeds, i18n.t("deed.count", shown=len(deeds),
                                 proposed=len(self.session.deeds.for_reporting()))
        records = self.session.member_records.query(RecordQuery(
            kind=self.selected("#records-kind"), text=self.search_text))
        return records, i18n.t("member_record.count", shown=len(records))

    def open_row(self, row_id: str) -> None:
        self.edit(row_id)

    # -- actions ---------------------------------------------------------------------
    def action_toggle(self) -> None:
        self.set_filter("#records-view", RECORDS if self.view == DEEDS else DEEDS)
        self.table.focus()

    def _saved(self, message: str) -> Any:
        def saved(saved_id: str | None) -> None:
            if saved_id:
                self.reload_data(keep=saved_id)
                self.notify(i18n.t(message))

        return saved

    def action_add(self) -> None:
        if self.view == DEEDS:
            self.app.push_screen(deed_form(self.session), self._saved("deed.added"))
        else:
            self.app.push_screen(MemberRecordForm(self.session), self._saved("member_record.added"))

    def edit(self, row_id: str) -> None:
        if self.view == DEEDS:
            self.app.push_screen(deed_form(self.session, row_id), self._saved("deed.saved"))
        else:
            self.app.push_screen(MemberRecordForm(self.session, row_id),
                                 self._saved("member_record.saved"))

    def propose(self, deed_id: str) -> None:
        deeds = self.session.deeds
        doc = deeds.get(deed_id) or {}
        if doc.get("status") == PROPOSED:
            return
        try:
            deeds.set_status(deed_id, PROPOSED)
        except KeyedError as exc:  # the narrative is still empty
            self.notify(describe(exc), severity="error")
            return
        self.reload_data(keep=deed_id)
        self.notify(i18n.t("deed.proposed"))

    def open_member(self, record_id: str) -> None:
        doc = self.session.member_records.get(record_id)
        if doc:
            self.post_message(OpenPersonPage(self.session, doc["member"],
                                             changed=self.reload_data))

    def palette_commands(self) -> list[PaletteCommand]:
        t = i18n.t
        return [
            PaletteCommand(t("member_record.cmd.add"), t("member_record.cmd.add_help"),
                           lambda: self._add(RECORDS), writes=True),
            PaletteCommand(t("deed.cmd.add"), t("deed.cmd.add_help"), lambda: self._add(DEEDS),
                           writes=True),
            PaletteCommand(t("member_record.cmd.records"), t("member_record.cmd.view_help"),
                           lambda: self._view(RECORDS)),
            PaletteCommand(t("deed.cmd.deeds"), t("member_record.cmd.view_help"),
                           lambda: self._view(DEEDS)),
        ]

    def _view(self, view: str) -> None:
        self.set_filter("#records-view", view)

    def _add(self, view: str) -> None:
        self._view(view)
        self.action_add()

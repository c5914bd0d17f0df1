"""The care section (困难帮扶): the cases most urgent first, filters, adding
and editing cases and visits, a case's detail with its visits, and every
visit in one list.

The list shows who, the hardship type and severity, the member responsible
and the visit dates: never the care details, which only a case's detail
shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widget import Widget

from branchtool import i18n, money
from branchtool.records.care import (
    CARE,
    CASE_STATUSES,
    CASE_VISIT_COLUMNS,
    FOLLOWING,
    HARDSHIPS,
    SEVERITIES,
    VISIT,
    VISIT_COLUMNS,
)
from branchtool.records.views import Row
from branchtool.services.book import person_name
from branchtool.services.care import CASE_VIEW, CareQuery, CareService, SupportTotals
from branchtool.session import Session
from screens.base import LockAware, ReadOnlyGuard, localize_bindings
from screens.care_form import CareForm
from screens.care_table import FlaggedTable
from screens.commands import PaletteCommand
from screens.confirm import ConfirmScreen
from screens.details import Act, DetailScreen, DetailView
from screens.list_pane import ListPane, ListTable, choice_filter
from screens.person_rows import PERSON_KEY, PersonRows
from screens.plain import Footer, Select, Static
from screens.record_table import RecordTable

Done = Callable[[], None]


# -- forms -----------------------------------------------------------------------------------
def case_form(session: Session, case_id: str | None = None) -> CareForm:
    care = session.care
    values = care.values_of(case_id) if case_id else care.blank_case()
    title = (i18n.t("care.form.edit_title", who=care.who(values)) if case_id
             else i18n.t("care.form.add_title"))

    def save(values: dict[str, Any]) -> str:
        if case_id:
            return str(session.care.edit_case(case_id, values)["id"])
        return session.care.add_case(values)

    return CareForm(CARE, title, values, check=lambda v: session.care.check(v, case_id),
                    save=save, session=session, pickers={"person": "person"})


def visit_form(session: Session, case_id: str, visit_id: str | None = None) -> CareForm:
    care = session.care
    values = care.visit_book.values_of(visit_id) if visit_id else care.blank_visit(case_id)
    who = care.who(care.values_of(case_id))
    title = i18n.t("care.form.visit_edit_title" if visit_id else "care.form.visit_add_title",
                   who=who)

    def save(values: dict[str, Any]) -> str:
        if visit_id:
            return str(session.care.edit_visit(visit_id, values)["id"])
        return session.care.add_visit(case_id, values)

    return CareForm(VISIT, title, values,
                    check=lambda v: session.care.check_visit(case_id, v, visit_id), save=save,
                    session=session)


# -- the pane ---------------------------------------------------------------------------------
class CaseTable(ListTable, PersonRows, FlaggedTable):
    WRITE_ACTIONS = frozenset({"add_visit", "edit"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("v", "row('add_visit')", "care.key.visit"),
        Binding("e", "row('edit')", "care.key.edit"),
        Binding("a", "pane('action_visits')", "care.key.visits"),
        PERSON_KEY,
    ]

    def person_of(self, row: Any) -> str | None:
        return row.doc.get("person")


class CarePane(ListPane):
    NAME = "care"
    SEARCH = "care.search.placeholder"

    def compose_filters(self) -> Iterable[Widget]:
        statuses = [(CARE.field("status").choice_label(s), s) for s in CASE_STATUSES]
        yield Select([*statuses, (i18n.t("care.filter.all"), "all")], allow_blank=False,
                     value=FOLLOWING, compact=True, id="care-status")
        yield choice_filter(CARE.field("hardship"), "care.filter.hardship", "care-hardship")
        yield choice_filter(CARE.field("severity"), "care.filter.severity", "care-severity")

    def compose_tables(self) -> Iterable[RecordTable]:
        yield CaseTable(CASE_VIEW.columns, empty_text=i18n.t("care.empty"), id="care-table")

    @property
    def table(self) -> CaseTable:
        return self.query_one(CaseTable)

    @property
    def filters(self) -> CareQuery:
        status = self.selected("#care-status")
        return CareQuery(status="" if status == "all" else status,
                         hardship=self.selected("#care-hardship"),
                         severity=self.selected("#care-severity"), text=self.search_text)

    def list_rows(self) -> tuple[Sequence[Row], str]:
        care = self.session.care
        rows = care.cases(self.filters)
        overdue = sum(1 for r in care.reminders() if r.kind == "overdue")
        return rows, i18n.t("care.count", shown=len(rows), overdue=overdue)

    def open_row(self, row_id: str) -> None:
        self.open_case(row_id)

    # -- actions ------------------------------------------------------------------------
    def open_case(self, case_id: str) -> None:
        self.app.push_screen(CaseDetail(self.session, case_id, changed=self.reload_data))

    def action_add(self) -> None:
        def saved(case_id: str | None) -> None:
            if case_id:
                self.reload_data(keep=case_id)
                self.notify(i18n.t("care.added"))

        self.app.push_screen(case_form(self.session), saved)

    def edit(self, case_id: str, done: Done | None = None) -> None:
        def saved(saved_id: str | None) -> None:
            if saved_id:
                self.reload_data(keep=saved_id)
                self.notify(i18n.t("care.saved"))
                if done:
                    done()

        self.app.push_screen(case_form(self.session, case_id), saved)

    def add_visit(self, case_id: str, done: Done | None = None) -> None:
        def saved(visit_id: str | None) -> None:
            if visit_id:
                self.reload_data(keep=case_id)
                self.notify(i18n.t("care.visit_added"))
                if done:
                    done()

        self.app.push_screen(visit_form(self.session, case_id), saved)

    def action_visits(self) -> None:
        self.app.push_screen(VisitsScreen(self.session))

    def palette_commands(self) -> list[PaletteCommand]:
        t = i18n.t
        commands = [
            PaletteCommand(t("care.cmd.add"), t("care.cmd.add_help"), self.action_add,
                           writes=True),
            PaletteCommand(t("care.cmd.visits"), t("care.cmd.visits_help"), self.action_visits),
            PaletteCommand(t("care.cmd.search"), t("care.cmd.search_help"), self.action_search),
        ]
        current = self.table.current
        if current is not None:
            commands.append(PaletteCommand(t("care.cmd.visit"), t("care.cmd.visit_help"),
                                           lambda: self.add_visit(current.id), writes=True))
        for code in SEVERITIES:
            label = CARE.field("severity").choice_label(code)
            commands.append(PaletteCommand(t("care.cmd.severity", severity=label),
                                           t("care.cmd.filter_help"),
                                           lambda c=code: self._filter("severity", c)))
        for code in HARDSHIPS:
            label = CARE.field("hardship").choice_label(code)
            commands.append(PaletteCommand(t("care.cmd.hardship", hardship=label),
                                           t("care.cmd.filter_help"),
                                           lambda c=code: self._filter("hardship", c)))
        return commands

    def _filter(self, name: str, value: str) -> None:
        self.set_filter(f"#care-{name}", value)


# -- a case and its visits -------------------------------------------------------------------
class VisitTable(ReadOnlyGuard, FlaggedTable):
    WRITE_ACTIONS = frozenset({"delete"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("delete", "delete", "care.key.delete_visit"),
    ]

    def action_delete(self) -> None:
        screen = self.screen
        if self.current is not None and isinstance(screen, CaseDetail):
            screen.delete_visit(self.current.id)


class AllVisitsTable(PersonRows, FlaggedTable):
    """Every case's visits: ``m`` opens the page of the person visited."""

    BINDINGS: ClassVar[list[BindingType]] = [PERSON_KEY]

    def person_of(self, row: Any) -> str | None:
        case = self.person_session().care._docs.get(row.doc.get("case", ""))
        return case.get("person") if case else None


def _case_title(session: Session, doc: dict[str, Any]) -> Text:
    title = Text(session.care.who(doc), style="bold")
    for key in ("hardship", "severity", "status"):
        title.append("  " + CARE.field(key).display(doc.get(key, "")))
    return title


CASE_DETAIL = DetailView(
    CARE, get=lambda session, case_id: session.care.get(case_id) if case_id in session.care
    else None, title=_case_title,
    # who, and the hardship, severity and status, are the title
    fields=tuple(f.key for f in CARE.fields if f.key not in (
        "person", "name", "category", "hardship", "severity", "status")),
    shown={"responsible": lambda session, value: person_name(session.roster, value)},
    actions=(
        Act("v", "visit", "care.key.visit", writes=True),
        Act("e", "edit", "care.key.edit", writes=True),
        Act("ctrl+d", "delete", "care.key.delete", writes=True, show=False),
    ))


class CaseDetail(DetailScreen):
    """One case: its details (the only place they show), its visits."""
    VIEW = CASE_DETAIL

    def __init__(self, session: Session, case_id: str, *, changed: Callable[..., None]) -> None:
        super().__init__(session, case_id, changed=changed)
        self.case_id = case_id

    def compose_more(self) -> ComposeResult:
        yield VisitTable(CASE_VISIT_COLUMNS, empty_text=i18n.t("care.no_visits"),
                         id="case-visits")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(VisitTable).focus()

    @property
    def care(self) -> CareService:
        return self.session.care

    def show_more(self, doc: dict[str, Any]) -> None:
        self.query_one(VisitTable).set_rows(self.care.visits(self.case_id))

    def forget_data(self) -> None:
        super().forget_data()
        self.query_one(VisitTable).set_rows([])

    def _refresh(self) -> None:
        self.reload_data()
        self.changed()

    def action_visit(self) -> None:
        def saved(visit_id: str | None) -> None:
            if visit_id:
                self.after(i18n.t("care.visit_added"))

        self.app.push_screen(visit_form(self.session, self.case_id), saved)

    def action_edit(self) -> None:
        def saved(saved_id: str | None) -> None:
            if saved_id:
                self.after(i18n.t("care.saved"))

        self.app.push_screen(case_form(self.session, self.case_id), saved)

    @on(RecordTable.Opened)
    def _edit_visit(self, event: RecordTable.Opened) -> None:
        def saved(visit_id: str | None) -> None:
            if visit_id:
                self.after(i18n.t("care.saved"))

        self.app.push_screen(visit_form(self.session, self.case_id, event.row_id), saved)

    def delete_visit(self, visit_id: str) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self.care.delete_visit(visit_id)
                self._refresh()

        self.app.push_screen(ConfirmScreen(i18n.t("care.delete_visit.question"),
                                           yes=i18n.t("care.delete.yes"),
                                           no=i18n.t("dialog.cancel"), danger=True), answered)

    def action_delete(self) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self.care.delete_case(self.case_id)
                self.changed()
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen(i18n.t("care.delete_case.question"),
                                           yes=i18n.t("care.delete.yes"),
                                           no=i18n.t("dialog.cancel"), danger=True), answered)


PERIODS = ("month", "days30", "year", "all")


def period_dates(period: str, today: dt.date) -> tuple[dt.date | None, dt.date]:
    """The first and last day of a period of the visits list (``None``: no start)."""
    if period == "month":
        return today.replace(day=1), today
    if period == "days30":
        return today - dt.timedelta(days=29), today
    if period == "year":
        return today.replace(month=1, day=1), today
    return None, today


def totals_text(totals: SupportTotals) -> str:
    """``慰问金 2 次 1,200.00 元 · 心理疏导 1 次 · 合计 1,200.00 元``."""
    parts = []
    for code, entry in totals.by_type.items():
        if not entry.count:
            continue
        label = VISIT.field("support").choice_label(code)
        amount = f" {money.display(entry.amount)}" if entry.amount else ""
        parts.append(i18n.t("care.totals.one", support=label, count=entry.count) + amount)
    parts.append(i18n.t("care.totals.all", visits=totals.visits,
                        amount=money.display(totals.amount)))
    return " · ".join(parts)


class VisitsScreen(ModalScreen[None], LockAware):
    """Every visit of a period, latest first: who, when, how, by whom; the
    support given only as totals by type (each case shows its own)."""

    CSS_PATH = "care.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "dialog.key.close"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(id="visits-box", classes="care-box"):
            with Horizontal(id="visits-bar"):
                yield Static(id="visits-title", classes="care-title")
                yield Select([(i18n.t(f"care.period.{p}"), p) for p in PERIODS],
                             allow_blank=False, value="days30", compact=True,
                             id="visits-period")
            yield Static(id="visits-totals")
            yield AllVisitsTable(VISIT_COLUMNS, empty_text=i18n.t("care.no_visits"),
                                 id="visits-table")
            yield Footer(compact=True)

    def on_mount(self) -> None:
        self.reload_data()
        self.query_one(FlaggedTable).focus()

    def reload_data(self) -> None:
        if not self.session.unlocked:
            return
        care = self.session.care
        start, end = period_dates(str(self.query_one(Select).value), care.today())
        rows = care.visits(start=start, end=end)
        self.query_one("#visits-title", Static).update(
            i18n.t("care.visits_title", count=len(rows)))
        totals = care.support_totals(start or dt.date(1900, 1, 1), end)
        self.query_one("#visits-totals", Static).update(totals_text(totals))
        self.query_one(FlaggedTable).set_rows(rows)

    def forget_data(self) -> None:
        self.query_one(FlaggedTable).set_rows([])
        self.query_one("#visits-totals", Static).update("")

    @on(Select.Changed, "#visits-period")
    def _period(self) -> None:
        self.reload_data()

    @on(RecordTable.Opened)
    def _open(self, event: RecordTable.Opened) -> None:
        visit = self.session.care.visit(event.row_id)
        if visit is not None:
            self.app.push_screen(CaseDetail(self.session, visit["case"],
                                            changed=lambda *_: self.reload_data()))

    def action_close(self) -> None:
        self.dismiss(None)

"""The roster section: search as you type, filters, the list, and the actions
on a person (detail, add, edit, archive), import and export."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.widget import Widget

from branchtool import i18n
from branchtool.records.person import ACTIVE, ARCHIVED, PERSON
from branchtool.records.views import Row
from branchtool.services.roster import (
    ALL_STATUSES,
    ARCHIVED_STATUSES,
    ROSTER_VIEW,
    RosterQuery,
)
from branchtool.session import Session
from screens.archive import DELETE, ArchiveScreen
from screens.base import focus_if_lost
from screens.commands import PaletteCommand
from screens.confirm import ConfirmScreen
from screens.export_roster import ExportScreen
from screens.import_roster import ImportRosterScreen
from screens.list_pane import ListPane, ListTable, choice_filter
from screens.person_detail import PersonDetail
from screens.person_rows import PERSON_KEY, PersonRows
from screens.plain import Select
from screens.record_form import RecordForm
from screens.record_table import RecordTable

Done = Callable[[], None]
STATUS_FILTERS = (ACTIVE, ARCHIVED_STATUSES, *ARCHIVED, ALL_STATUSES)


class RosterTable(ListTable, PersonRows, RecordTable):
    WRITE_ACTIONS = frozenset({"edit", "archive"})
    SORTABLE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "row('edit')", "roster.key.edit"),
        Binding("delete", "row('archive')", "roster.key.archive"),
        Binding("s", "sort_next", "roster.key.sort", show=False),
        Binding("r", "reverse", "roster.key.reverse", show=False),
        PERSON_KEY,
    ]

    def action_sort_next(self) -> None:
        keys = [c.key for _, c, _ in self.visible_columns()]
        at = keys.index(self.sort_key) if self.sort_key in keys else -1
        self.pane.sort_by(keys[(at + 1) % len(keys)], descending=False)

    def action_reverse(self) -> None:
        self.pane.sort_by(self.sort_key, descending=not self.descending)


class RosterPane(ListPane):
    NAME = "roster"
    SEARCH = "roster.search.placeholder"
    WRITE_ACTIONS = frozenset({"add", "import"})
    DEFAULT_CSS = "#roster-count { min-width: 30; text-align: right; }"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+f", "search", "roster.key.search"),
        Binding("ctrl+n", "add", "roster.key.add"),
        Binding("ctrl+o", "import", "roster.key.import", show=False),
        Binding("ctrl+s", "export", "roster.key.export", show=False),
        Binding("down", "to_table", "table.key.down", show=False),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.sort = "name"
        self.descending = False

    def compose_filters(self) -> Iterable[Widget]:
        yield choice_filter(PERSON.field("category"), "roster.filter.category",
                            "filter-category")
        yield choice_filter(PERSON.field("stage"), "roster.filter.stage", "filter-stage")
        yield Select([], prompt=i18n.t("roster.filter.group"), compact=True,
                     id="filter-group")
        yield Select([], prompt=i18n.t("roster.filter.unit"), compact=True,
                     id="filter-unit")
        yield Select([(i18n.t(f"roster.filter.status.{s or 'all'}"), s)
                      for s in STATUS_FILTERS],
                     allow_blank=False, value=ACTIVE, compact=True, id="filter-status")

    def compose_tables(self) -> Iterable[RecordTable]:
        yield RosterTable(ROSTER_VIEW.columns, empty_text=i18n.t("roster.empty"),
                          id="roster-table")

    def on_mount(self) -> None:
        self.table.focus()  # (ListPane's on_mount fills it)

    def focus_shown(self) -> None:
        # The section bar keeps the focus when it has it (see focus_if_lost).
        self.call_after_refresh(focus_if_lost, self.table)

    @property
    def table(self) -> RosterTable:
        return self.query_one(RosterTable)

    # -- what the list shows -----------------------------------------------------------
    @property
    def roster_query(self) -> RosterQuery:
        return RosterQuery(
            text=self.search_text,
            category=self.selected("#filter-category"), stage=self.selected("#filter-stage"),
            group=self.selected("#filter-group"), unit=self.selected("#filter-unit"),
            status=self.selected("#filter-status"),
            sort=self.sort, descending=self.descending,
        )

    def list_rows(self) -> tuple[Sequence[Row], str]:
        roster = self.session.roster
        rows = roster.query(self.roster_query)
        self.table.set_sort(self.sort, self.descending)
        return rows, i18n.t("roster.count", shown=len(rows), total=roster.count(ACTIVE))

    def reload_data(self, keep: str | None = None) -> None:
        """Fill the group and class filters and the list again (after an unlock
        or a write); the cursor stays on ``keep`` if given, else on the current row."""
        if not self.session.unlocked:
            return
        roster = self.session.roster
        for name, names in (("group", roster.groups()), ("unit", roster.units())):
            select = self.query_one(f"#filter-{name}", Select)
            chosen = self.selected(f"#filter-{name}")
            with select.prevent(Select.Changed):
                select.set_options([(n, n) for n in names])
                if chosen in names:
                    select.value = chosen
        self.show_rows(keep)

    def forget_data(self) -> None:
        super().forget_data()
        self.query_one("#filter-group", Select).set_options([])
        self.query_one("#filter-unit", Select).set_options([])

    @on(RecordTable.SortClicked)
    def _sort_clicked(self, event: RecordTable.SortClicked) -> None:
        same = event.key == self.sort
        self.sort_by(event.key, descending=same and not self.descending)

    def sort_by(self, key: str, *, descending: bool) -> None:
        self.sort, self.descending = key, descending
        self.show_rows()

    def open_row(self, row_id: str) -> None:
        self.open_detail(row_id)

    # -- actions ---------------------------------------------------------------------
    def open_detail(self, person_id: str) -> None:
        self.app.push_screen(PersonDetail(
            self.session, person_id, edit=self.edit, archive=self.archive,
            restore=self.restore))

    def action_add(self) -> None:
        session = self.session

        def saved(person_id: str | None) -> None:
            if person_id:
                self.reload_data(keep=person_id)
                self.notify(i18n.t("roster.added", name=session.roster.get(person_id)["name"]))

        self.app.push_screen(RecordForm(
            PERSON, i18n.t("roster.form.add_title"), PERSON.blank(),
            check=lambda values: session.roster.check(values),
            save=lambda values: session.roster.add(values)), saved)

    def edit(self, person_id: str, done: Done | None = None) -> None:
        session = self.session
        doc = session.roster.get(person_id)
        if doc is None:
            return

        def saved(saved_id: str | None) -> None:
            if saved_id:
                self.reload_data(keep=saved_id)
                self.notify(i18n.t("roster.saved", name=session.roster.get(saved_id)["name"]))
                if done:
                    done()

        def save(values: dict[str, Any]) -> str:
            return str(session.roster.edit(person_id, values)["id"])

        self.app.push_screen(RecordForm(
            PERSON, i18n.t("roster.form.edit_title", name=doc["name"]),
            {f.key: doc.get(f.key, "") for f in PERSON.fields},
            check=lambda values: session.roster.check(values, person_id), save=save), saved)

    def archive(self, person_id: str, done: Done | None = None) -> None:
        roster = self.session.roster
        doc = roster.get(person_id)
        if doc is None:
            return
        name = doc["name"]

        def chosen(choice: str | None) -> None:
            if choice == DELETE:
                self.app.push_screen(ConfirmScreen(
                    i18n.t("roster.delete.question", name=name), yes=i18n.t("roster.delete.yes"),
                    no=i18n.t("dialog.cancel"), danger=True), deleted)
            elif choice:
                self.session.roster.archive(person_id, choice)
                self.reload_data()
                self.notify(i18n.t(f"roster.archived.{choice}", name=name))
                if done:
                    done()

        def deleted(yes: bool | None) -> None:
            if yes:
                self.session.roster.delete(person_id)
                self.reload_data()
                self.notify(i18n.t("roster.deleted", name=name))
                if done:
                    done()

        self.app.push_screen(ArchiveScreen(name), chosen)

    def restore(self, person_id: str, done: Done | None = None) -> None:
        roster = self.session.roster
        roster.restore(person_id)
        self.reload_data(keep=person_id)
        self.notify(i18n.t("roster.restored", name=roster.get(person_id)["name"]))
        if done:
            done()

    def action_import(self) -> None:
        def finished(imported: bool | None) -> None:
            if imported:
                self.reload_data()

        self.app.push_screen(ImportRosterScreen(self.session), finished)

    def action_export(self) -> None:
        self.app.push_screen(ExportScreen(self.session, list(self.table.rows)))

    def palette_commands(self) -> list[PaletteCommand]:
        commands = [
            PaletteCommand(i18n.t("roster.cmd.add"), i18n.t("roster.cmd.add_help"),
                           self.action_add, writes=True),
            PaletteCommand(i18n.t("roster.cmd.search"), i18n.t("roster.cmd.search_help"),
                           self.action_search),
            PaletteCommand(i18n.t("roster.cmd.import"), i18n.t("roster.cmd.import_help"),
                           self.action_import, writes=True),
            PaletteCommand(i18n.t("roster.cmd.export"), i18n.t("roster.cmd.export_help"),
                           self.action_export),
        ]
        for column in PERSON.columns:
            commands.append(PaletteCommand(
                i18n.t("roster.cmd.sort", column=column.label), i18n.t("roster.cmd.sort_help"),
                lambda key=column.key: self.sort_by(key, descending=False)))
        for status in STATUS_FILTERS:
            label = i18n.t(f"roster.filter.status.{status or 'all'}")
            commands.append(PaletteCommand(
                i18n.t("roster.cmd.show", what=label), i18n.t("roster.cmd.show_help"),
                lambda s=status: self._set_status_filter(s)))
        return commands

    def _set_status_filter(self, status: str) -> None:
        self.set_filter("#filter-status", status)

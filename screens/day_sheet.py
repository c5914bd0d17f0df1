"""The day sheet (每日健康打卡): every active person for a day, keyboard-fast.

Space marks the current row normal and moves down; Enter opens the detail;
``a`` marks everyone still missing normal after a confirmation; ``x`` takes a
mark back; ``n`` jumps to the next missing person; ``[`` and ``]`` change the
day; ``f`` shows all, only the missing or only the abnormal. The missing are
always listed above the table. The day is loaded in a worker (a month of
check-ins is decrypted the first time), marks are written directly (one
fsynced frame each), "mark the rest normal" in a worker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from rich.cells import cell_len
from textual import on, work
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widget import Widget

from branchtool import i18n
from branchtool.errors import KeyedError, describe
from branchtool.records.views import Row
from branchtool.services.health import ABNORMAL, MISSING, SHEET_COLUMNS, DaySheet, SheetRow
from branchtool.session import Session
from screens.cell_fit import join_names
from screens.checkin_form import CheckinForm
from screens.checkin_import import ImportCheckinsScreen
from screens.confirm import ConfirmScreen
from screens.failures import Failure, RunsWorkers
from screens.list_pane import ListPane, ListTable
from screens.person_rows import PERSON_KEY, PersonRows
from screens.plain import Static
from screens.record_table import RecordTable
from screens.watch_widgets import StyledTable

FILTERS = ("", MISSING, ABNORMAL)


class SheetTable(ListTable, PersonRows, StyledTable):
    WRITE_ACTIONS = frozenset({"mark_current", "mark_rest", "clear_current"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "pane('mark_current')", "watch.sheet.key.mark"),
        Binding("a", "pane('mark_rest')", "watch.sheet.key.rest"),
        Binding("x", "pane('clear_current')", "watch.sheet.key.clear", show=False),
        Binding("n", "pane('next_missing')", "watch.sheet.key.next_missing", show=False),
        PERSON_KEY,
    ]


class CheckinsPane(RunsWorkers, ListPane):
    """The day sheet: the day and its counts, the missing, the table."""
    NAME = "checkins"
    LAZY = True  # the watch section loads it when first shown (or warms it)
    ADDS = False  # everyone active is on the sheet
    WRITE_ACTIONS = frozenset({"import"})
    DEFAULT_CSS = """
    #sheet-day { width: auto; text-style: bold; padding-right: 2; }
    #sheet-counts { width: 1fr; }
    #sheet-missing { height: 1; color: $warning; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left_square_bracket", "day(-1)", "watch.sheet.key.previous_day", show=False),
        Binding("right_square_bracket", "day(1)", "watch.sheet.key.next_day", show=False),
        Binding("t", "today", "watch.sheet.key.today", show=False),
        Binding("f", "filter", "watch.sheet.key.filter", show=False),
        Binding("ctrl+o", "import", "watch.sheet.key.import"),
    ]

    class Loaded(Message):
        def __init__(self, sheet: DaySheet) -> None:
            super().__init__()
            self.sheet = sheet

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.day: dt.date | None = None
        self.sheet: DaySheet | None = None
        self.only = ""
        self.loads = 0  # completed loads (for tests)

    def compose_header(self) -> Iterable[Widget]:
        yield Horizontal(Static(id="sheet-day"), Static(id="sheet-counts"),
                         id="sheet-bar", classes="list-bar")
        yield Static(id="sheet-missing")

    def compose_tables(self) -> Iterable[RecordTable]:
        yield SheetTable(SHEET_COLUMNS, empty_text=i18n.t("watch.sheet.empty"),
                         id="sheet-table")

    # -- loading -----------------------------------------------------------------------
    def reload_data(self, keep: str | None = None) -> None:
        """The day's sheet, read in a worker (the rows stay until it is read)."""
        if not self.session.unlocked:
            return
        if self.day is None:
            self.day = self.session.health.today()
        self.query_one("#sheet-day", Static).update(i18n.format_date(self.day))
        self.query_one("#sheet-counts", Static).update(i18n.t("watch.sheet.loading"))
        self._load(self.session, self.day)

    @work(thread=True, exclusive=True, group="sheet", exit_on_error=False)
    def _load(self, session: Session, day: dt.date) -> None:
        """A month's file found damaged locks the app, which offers the backup."""
        self.post_message(self.Loaded(session.health.sheet(day)))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        if not self.session.unlocked or event.sheet.date != self.day:
            return
        self.sheet = event.sheet
        self.loads += 1
        self.show_rows()

    def worker_failed(self, failure: Failure) -> bool:
        if failure.group == "sheet-write":
            self.reload_data()  # the counts say what was written, not "writing" forever
        return False  # a notification says what failed

    def show_rows(self, keep: str | None = None) -> None:
        if self.sheet is not None:
            super().show_rows(keep)

    def list_rows(self) -> tuple[Sequence[Row], str]:
        sheet = self.sheet
        if sheet is None:  # (show_rows waits for it)
            return [], ""
        people = sheet.people
        if self.only:
            people = [p for p in people if sheet.status(p.id) == self.only]
        self.table.empty_text = i18n.t("watch.sheet.none_shown" if self.only
                                       else "watch.sheet.empty")
        return [SheetRow(sheet, p) for p in people], self.counts()

    def counts(self) -> str:
        sheet = self.sheet
        if sheet is None:
            return ""
        abnormal = sum(1 for pid in sheet.entries if sheet.status(pid) == ABNORMAL)
        counts = i18n.t("watch.sheet.counts", expected=len(sheet), reported=sheet.reported,
                        missing=len(sheet.missing()), abnormal=abnormal)
        if self.only:
            counts += "  " + i18n.t(f"watch.sheet.only.{self.only}")
        return counts

    def show_count(self, text: str) -> None:
        """The counts, and the missing below them ("" at a lock)."""
        self.query_one("#sheet-counts", Static).update(text)
        line = self.query_one("#sheet-missing", Static)
        if self.sheet is None:
            line.update("")
            return
        # As many names as the line holds, then "等（另 N 人）": never a name cut.
        missing = self.sheet.missing()
        room = (line.size.width or self.size.width or 80) - cell_len(
            i18n.t("watch.sheet.missing", names=""))
        text = join_names([p["name"] for p in missing], room,
                          lambda _, rest: i18n.t("watch.sheet.more", count=rest))
        line.update(i18n.t("watch.sheet.missing", names=text) if missing
                    else i18n.t("watch.sheet.all_reported"))

    def show_counts(self) -> None:
        if self.sheet is not None:
            self.show_count(self.counts())

    def on_resize(self) -> None:
        self.call_after_refresh(self.show_counts)

    def forget_data(self) -> None:
        self.workers.cancel_group(self, "sheet")
        self.sheet = None
        super().forget_data()

    # -- the day and the filter ----------------------------------------------------------
    def action_day(self, step: int) -> None:
        if self.day is None:
            return
        day = self.day + dt.timedelta(days=step)
        if day > self.session.health.today():
            return
        self.day = day
        self.sheet = None
        self.reload_data()

    def action_today(self) -> None:
        self.day = self.session.health.today()
        self.reload_data()

    def action_filter(self) -> None:
        self.show_only(FILTERS[(FILTERS.index(self.only) + 1) % len(FILTERS)])

    def show_only(self, only: str) -> None:
        self.only = only
        self.show_rows()

    # -- marking -------------------------------------------------------------------------
    def _current(self) -> SheetRow | None:
        row = self.table.current
        return row if isinstance(row, SheetRow) and self.sheet is not None else None

    def _wrote(self, keep: str | None = None) -> None:
        if self.only:
            self.show_rows(keep=keep)
        else:
            self.table.refresh()
            self.show_counts()
        self.post_message(self.Changed())

    def mark_current(self) -> None:
        row = self._current()
        if row is None or self.day is None:
            return
        try:
            self.session.health.mark_normal(self.day, row.id)
        except KeyedError as exc:
            self.notify(describe(exc), severity="error")
            return
        index = self.table.cursor
        self._wrote()
        if self.only == MISSING:
            self.table.move_to(index)
        else:
            self.table.move_to(index + 1)

    def clear_current(self) -> None:
        row = self._current()
        if row is None or self.day is None or row.id not in row.sheet.entries:
            return
        self.session.health.clear(self.day, row.id)
        self._wrote(keep=row.id)

    def next_missing(self) -> None:
        sheet = self.sheet
        rows = self.table.rows
        if sheet is None or not rows:
            return
        start = self.table.cursor
        for step in range(1, len(rows) + 1):
            index = (start + step) % len(rows)
            if rows[index].id not in sheet.entries:
                self.table.move_to(index)
                return

    def mark_rest(self) -> None:
        sheet = self.sheet
        if sheet is None or self.day is None:
            return
        count = len(sheet.missing())
        if not count:
            self.notify(i18n.t("watch.sheet.all_reported"))
            return

        def answered(yes: bool | None) -> None:
            if yes and self.day is not None:
                self.query_one("#sheet-counts", Static).update(i18n.t("watch.sheet.writing"))
                self._mark_rest(self.session, self.day)

        self.app.push_screen(ConfirmScreen(
            i18n.t("watch.sheet.rest_question", count=count, date=i18n.format_date(self.day)),
            yes=i18n.t("watch.sheet.rest_yes"), no=i18n.t("dialog.cancel")), answered)

    @work(thread=True, exclusive=True, group="sheet-write", exit_on_error=False)
    def _mark_rest(self, session: Session, day: dt.date) -> None:
        self.post_message(self.RestMarked(session.health.mark_rest_normal(day)))

    class RestMarked(Message):
        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    @on(RestMarked)
    def _rest_marked(self, event: RestMarked) -> None:
        self.notify(i18n.t("watch.sheet.rest_done", count=event.count))
        self._wrote()
        self.show_rows()

    # -- detail and import -----------------------------------------------------------------
    def open_row(self, person_id: str) -> None:
        """Enter: the person's check-in of the day."""
        if self.day is None:
            return

        def saved(ok: bool | None) -> None:
            if ok:
                self._wrote(keep=person_id)

        self.app.push_screen(CheckinForm(self.session, self.day, person_id), saved)

    def action_import(self) -> None:
        def done(count: Any) -> None:
            if count:
                self.notify(i18n.t("watch.import.done", count=count))
                self.reload_data()
                self.post_message(self.Changed())

        self.app.push_screen(ImportCheckinsScreen(self.session, self.day), done)

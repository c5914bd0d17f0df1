"""Import a day's check-ins from a survey export: read the file, match its
columns (changeable), see the rows that cannot be imported — unmatched,
ambiguous (Enter picks the person), invalid — then write the matched rows as
one batch in a worker."""

from __future__ import annotations

import datetime as dt
from pathlib import Path, PurePath
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Button, Input

from branchtool import i18n
from branchtool.errors import UserError
from branchtool.records.checkin import CHECKIN
from branchtool.records.fields import FieldDef
from branchtool.records.person import PERSON
from branchtool.services import checkin_import as ci
from branchtool.session import Session
from branchtool.tables import Sheet
from screens.import_dialog import IGNORE, ImportDialog
from screens.person_picker import PersonPicker
from screens.plain import Static
from screens.record_table import RecordTable
from screens.watch_widgets import StyledTable

PROBLEM_COLUMNS = (
    FieldDef("row", width=5, priority=100, record="watch.import"),
    FieldDef("written", width=8, priority=90, record="watch.import"),
    FieldDef("reason", width=30, priority=80, record="watch.import"),
)


class ProblemRow:
    __slots__ = ("candidates", "id", "kind", "reason", "row", "tone", "written")

    def __init__(self, row: int, written: str, reason: str, kind: str,
                 candidates: list[str] | None = None) -> None:
        self.id = f"row-{row}"
        self.row, self.written, self.reason, self.kind = row, written, reason, kind
        self.candidates = candidates or []
        self.tone = "alarm" if kind == "bad" else "warn"

    def cells(self) -> tuple[str, ...]:
        return (str(self.row), self.written, self.reason)


def column_options() -> list[tuple[str, str]]:
    options = [(i18n.t("watch.import.ignore"), IGNORE)]
    options += [(PERSON.field(k).label, k) for k in ci.PERSON_KEYS]
    options.append((i18n.t("checkin.import.submitted"), ci.SUBMITTED))
    options += [(f.label, f.key) for f in CHECKIN.fields if f.key != "source"]
    return options


class ImportCheckinsScreen(ImportDialog[int]):
    CSS_PATH: ClassVar[list[str | PurePath]] = ["import_dialog.tcss", "checkin_import.tcss"]
    AUTO_FOCUS = "#ci-path"
    ID = "ci"
    MAP_ID = "ci-map"
    CANCELLED = 0
    TEXT: ClassVar[dict[str, str]] = {
        "title": "watch.import.title", "path": "watch.import.path",
        "read": "watch.import.read", "intro": "watch.import.intro",
        "reading": "watch.import.reading", "file_info": "watch.import.file_info",
        "mapping": "watch.import.mapping", "unnamed": "watch.import.unnamed",
        "commit": "watch.import.commit", "writing": "watch.import.writing",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "commit", "watch.import.key.commit", priority=True),
        Binding("escape", "cancel", "form.key.cancel"),
    ]

    def __init__(self, session: Session, day: dt.date | None = None, path: str = "") -> None:
        super().__init__(session, path)
        self.start_day = day
        self.plan: ci.CheckinPlan | None = None

    def compose_file_options(self) -> ComposeResult:
        yield Input(placeholder=i18n.t("watch.import.day"), compact=True, id="ci-day")

    def compose_preview(self) -> ComposeResult:
        yield Static(id="ci-summary", classes="imp-summary")
        problems = StyledTable(PROBLEM_COLUMNS, empty_text=i18n.t("watch.import.no_problems"),
                               id="ci-problems")
        problems.display = False
        yield problems

    def column_options(self) -> list[tuple[str, str]]:
        return column_options()

    def read_sheet(self, path: Path, sheet_name: str | None) -> tuple[Sheet, list[str | None]]:
        return ci.read(path, sheet_name)

    # -- plan ------------------------------------------------------------------------------
    def plan_options(self) -> str | None:
        """The day of the rows that say none: the one typed, else the sheet's day
        unless a column gives the date."""
        day = self.query_one("#ci-day", Input).value.strip() or None
        if day is None and self.start_day is not None and "date" not in self.mapping \
                and ci.SUBMITTED not in self.mapping:
            day = self.start_day.isoformat()
        return day

    def build_plan(self, sheet: Sheet, mapping: list[str | None],
                   day: str | None) -> ci.CheckinPlan:
        return ci.plan(self.session.health, self.session.roster, sheet, mapping, day=day)

    def show_plan(self, plan: ci.CheckinPlan) -> None:
        self.plan = plan
        days = i18n.t("list.separator").join(
            i18n.format_date(dt.date.fromisoformat(d)) for d in sorted(plan.days))
        updates = sum(1 for r in plan.rows if r.existing)
        self.query_one("#ci-summary", Static).update(i18n.t(
            "watch.import.summary", matched=len(plan.rows), updates=updates,
            unmatched=len(plan.unmatched), ambiguous=len(plan.ambiguous), bad=len(plan.bad),
            days=days or "—"))
        problems = [ProblemRow(i.row, i.written, i.reason(), "ambiguous", i.candidates)
                    for i in plan.ambiguous]
        problems += [ProblemRow(i.row, i.written, i.reason(), "unmatched")
                     for i in plan.unmatched]
        problems += [ProblemRow(b.row, "", b.reason(), "bad") for b in plan.bad]
        problems.sort(key=lambda p: p.row)
        table = self.query_one("#ci-problems", StyledTable)
        table.display = bool(problems)
        table.set_rows(problems)
        self.query_one("#ci-commit", Button).disabled = not plan.rows
        self._say(i18n.t("watch.import.pick_hint") if plan.ambiguous or plan.unmatched else "")

    def importable(self) -> bool:
        return self.plan is not None and bool(self.plan.rows)

    # -- resolving a row by hand ----------------------------------------------------------
    @on(RecordTable.Opened, "#ci-problems")
    def _pick(self, event: RecordTable.Opened) -> None:
        table = self.query_one("#ci-problems", StyledTable)
        row = table.current
        if not isinstance(row, ProblemRow) or row.kind == "bad" or self.plan is None:
            return

        def chosen(person_id: str | None) -> None:
            if person_id and self.plan is not None:
                try:
                    ci.assign(self.plan, self.session.health, row.row, person_id)
                except UserError as exc:
                    self._say(exc.message(), error=True)
                    return
                self.show_plan(self.plan)

        title = i18n.t("watch.import.pick_title", row=row.row)
        self.app.push_screen(PersonPicker(self.session, title, candidates=row.candidates),
                             chosen)

    # -- commit ------------------------------------------------------------------------------
    def write_plan(self, plan: ci.CheckinPlan, options: None) -> ci.ImportResult:
        return ci.commit(self.session.health, self.session.roster, plan)

    def committed(self, result: ci.ImportResult) -> None:
        self.dismiss(result.added + result.updated)

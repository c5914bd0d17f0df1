"""Import a day's check-ins from a survey export: read the file, match its
columns (changeable), see the rows that cannot be imported — unmatched,
ambiguous (Enter picks the person), invalid — then write the matched rows as
one batch in a worker."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from branchtool import i18n
from branchtool.errors import UserError
from branchtool.records.checkin import CHECKIN
from branchtool.records.fields import FieldDef
from branchtool.records.person import PERSON
from branchtool.services import checkin_import as ci
from branchtool.session import Session
from branchtool.tables import Sheet
from screens.base import localize_bindings
from screens.person_picker import PersonPicker
from screens.record_table import RecordTable
from screens.watch_widgets import StyledTable

IGNORE = ""
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


class ImportCheckinsScreen(Screen[int]):
    CSS_PATH = "checkin_import.tcss"
    AUTO_FOCUS = "#ci-path"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "commit", "watch.import.key.commit", priority=True),
        Binding("escape", "cancel", "form.key.cancel"),
    ]

    def __init__(self, session: Session, day: dt.date | None = None, path: str = "") -> None:
        super().__init__()
        self.session = session
        self.start_day = day
        self.start_path = path
        self.sheet: Sheet | None = None
        self.plan: ci.CheckinPlan | None = None
        self.busy = False
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(i18n.t("watch.import.title"), id="ci-title")
        with VerticalScroll(id="ci-body"):
            with Horizontal(id="ci-file"):
                yield Input(self.start_path, placeholder=i18n.t("watch.import.path"),
                            compact=True, id="ci-path")
                yield Input(placeholder=i18n.t("watch.import.day"), compact=True, id="ci-day")
                yield Button(i18n.t("watch.import.read"), id="ci-read", compact=True)
            yield Static(i18n.t("watch.import.intro"), id="ci-info")
            yield Static(id="ci-summary")
            yield StyledTable(PROBLEM_COLUMNS, empty_text=i18n.t("watch.import.no_problems"),
                              id="ci-problems")
            yield Vertical(id="ci-mapping")
        with Horizontal(id="ci-actions"):
            yield Static(id="ci-message")
            yield Button(i18n.t("watch.import.commit"), variant="primary", id="ci-commit",
                         disabled=True)
            yield Button(i18n.t("dialog.cancel"), id="ci-cancel")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#ci-problems").display = False
        if self.start_path:
            self.read_file()

    # -- read ------------------------------------------------------------------------------
    @on(Input.Submitted, "#ci-path")
    @on(Input.Submitted, "#ci-day")
    @on(Button.Pressed, "#ci-read")
    def read_file(self) -> None:
        path = self.query_one("#ci-path", Input).value.strip()
        if path and not self.busy:
            self._say(i18n.t("watch.import.reading"))
            self._read(Path(path).expanduser())

    @work(thread=True, exclusive=True, group="ci-plan", exit_on_error=False)
    def _read(self, path: Path) -> tuple[Sheet, list[str | None]]:
        return ci.read(path)

    async def _show_sheet(self, sheet: Sheet, mapping: list[str | None]) -> None:
        self.sheet = sheet
        self.query_one("#ci-info", Static).update(i18n.t(
            "watch.import.file_info", name=sheet.name, rows=len(sheet.rows),
            columns=len(sheet.headers)))
        box = self.query_one("#ci-mapping", Vertical)
        await box.remove_children()
        options = column_options()
        rows: list[Any] = [Label(i18n.t("watch.import.mapping"), classes="ci-heading")]
        for i, (header, key) in enumerate(zip(sheet.headers, mapping, strict=True)):
            rows.append(Horizontal(
                Label(header or i18n.t("watch.import.unnamed", n=i + 1), classes="ci-header"),
                Select(options, value=key or IGNORE, allow_blank=False, compact=True,
                       id=f"ci-map-{i}"),
                classes="ci-map-row"))
        await box.mount_all(rows)
        self.make_plan()

    # -- plan ------------------------------------------------------------------------------
    @property
    def mapping(self) -> list[str | None]:
        assert self.sheet is not None
        values = [self.query_one(f"#ci-map-{i}", Select).value
                  for i in range(len(self.sheet.headers))]
        return [str(v) if v and v is not Select.NULL else None for v in values]

    @on(Select.Changed)
    def make_plan(self) -> None:
        if self.sheet is None or self.busy:
            return
        self.plan = None
        self.query_one("#ci-commit", Button).disabled = True
        day = self.query_one("#ci-day", Input).value.strip() or None
        if day is None and self.start_day is not None and "date" not in self.mapping \
                and ci.SUBMITTED not in self.mapping:
            day = self.start_day.isoformat()
        self._plan(self.sheet, self.mapping, day)

    @work(thread=True, exclusive=True, group="ci-plan", exit_on_error=False)
    def _plan(self, sheet: Sheet, mapping: list[str | None],
              day: str | None) -> ci.CheckinPlan:
        return ci.plan(self.session.health, self.session.roster, sheet, mapping, day=day)

    def _show_plan(self, plan: ci.CheckinPlan, keep: str | None = None) -> None:
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
        table.set_rows(problems, keep=keep)
        self.query_one("#ci-commit", Button).disabled = not plan.rows
        self._say(i18n.t("watch.import.pick_hint") if plan.ambiguous or plan.unmatched else "")

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
                self._show_plan(self.plan)

        title = i18n.t("watch.import.pick_title", row=row.row)
        self.app.push_screen(PersonPicker(self.session, title, candidates=row.candidates),
                             chosen)

    # -- commit ------------------------------------------------------------------------------
    @on(Button.Pressed, "#ci-commit")
    def action_commit(self) -> None:
        if self.busy or self.plan is None or not self.plan.rows:
            return
        self.busy = True
        self.query_one("#ci-commit", Button).disabled = True
        self._say(i18n.t("watch.import.writing"))
        self._commit(self.plan)

    @work(thread=True, exclusive=True, group="ci-commit", exit_on_error=False)
    def _commit(self, plan: ci.CheckinPlan) -> ci.ImportResult:
        return ci.commit(self.session.health, self.session.roster, plan)

    async def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is WorkerState.ERROR:
            self.busy = False
            error = worker.error
            if not isinstance(error, UserError):
                raise error  # type: ignore[misc]
            self._say(error.message(), error=True)
            self.query_one("#ci-commit", Button).disabled = not (self.plan and self.plan.rows)
        elif event.state is WorkerState.SUCCESS:
            if worker.name == "_read":
                await self._show_sheet(*worker.result)
            elif worker.name == "_plan":
                self._show_plan(worker.result)
            elif worker.name == "_commit":
                result: ci.ImportResult = worker.result
                self.dismiss(result.added + result.updated)

    def _say(self, message: str, *, error: bool = False) -> None:
        label = self.query_one("#ci-message", Static)
        label.update(message)
        label.set_class(error, "-error")

    @on(Button.Pressed, "#ci-cancel")
    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(0)

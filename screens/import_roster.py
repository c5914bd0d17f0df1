"""Import people from a spreadsheet: read the file, match its columns to
fields, preview (new, already on the roster, bad rows with their reasons),
then write everything as one atomic batch in a worker with a progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import (
    Button,
    Footer,
    Input,
    Label,
    ProgressBar,
    RadioButton,
    RadioSet,
    Select,
    Static,
)
from textual.worker import Worker, WorkerState

from branchtool import i18n
from branchtool.errors import UserError
from branchtool.records.person import PERSON
from branchtool.services import roster_io
from branchtool.services.roster import Person
from branchtool.session import Session
from branchtool.tables import Sheet
from screens.base import LockAware, localize_bindings
from screens.record_table import RecordTable

IGNORE = ""
DEFAULTABLE = ("category", "stage")
PREVIEW_ROWS = 50
BAD_ROWS_SHOWN = 200


class ImportRosterScreen(Screen[bool], LockAware):
    CSS_PATH = "import_roster.tcss"
    AUTO_FOCUS = "#import-path"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "commit", "roster_import.key.commit", priority=True),
        Binding("escape", "cancel", "roster_import.key.cancel"),
    ]

    def __init__(self, session: Session, path: str = "") -> None:
        super().__init__()
        self.session = session
        self.start_path = path
        self.sheet: Sheet | None = None
        self.plan: roster_io.ImportPlan | None = None
        self.busy = False
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(i18n.t("roster_import.title"), id="import-title")
        with VerticalScroll(id="import-body"):
            with Horizontal(id="import-file"):
                yield Input(self.start_path, placeholder=i18n.t("roster_import.path_placeholder"),
                            compact=True, id="import-path")
                yield Button(i18n.t("roster_import.read"), id="import-read", compact=True)
            yield Static(i18n.t("roster_import.intro"), id="import-info")
            with Vertical(id="import-preview"):
                yield Static(id="import-summary")
                with RadioSet(id="import-duplicates"):
                    yield RadioButton(i18n.t("roster_import.duplicates.skip"), value=True,
                                      id="dup-skip")
                    yield RadioButton(i18n.t("roster_import.duplicates.update"), id="dup-update")
                yield Static(id="import-dups")
                yield Static(id="import-bad")
                yield Label(i18n.t("roster_import.preview_heading"), classes="import-heading")
                yield RecordTable(PERSON.columns, empty_text=i18n.t("roster_import.preview_empty"),
                                  id="import-table")
            yield Vertical(id="import-mapping")
        with Horizontal(id="import-actions"):
            yield ProgressBar(id="import-progress", show_eta=False)
            yield Static(id="import-message")
            yield Button(i18n.t("roster_import.commit"), variant="primary", id="import-commit",
                         disabled=True)
            yield Button(i18n.t("dialog.cancel"), id="import-cancel")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        if self.start_path:
            self.read_file()

    # -- step 1: read the file ---------------------------------------------------------
    @on(Input.Submitted, "#import-path")
    @on(Button.Pressed, "#import-read")
    def read_file(self) -> None:
        path = self.query_one("#import-path", Input).value.strip()
        if path:
            self._say(i18n.t("roster_import.reading"))
            self._read(Path(path).expanduser())

    @work(thread=True, exclusive=True, group="import-plan", exit_on_error=False)
    def _read(self, path: Path) -> tuple[Sheet, list[str | None]]:
        return roster_io.read(path)

    async def _show_sheet(self, sheet: Sheet, mapping: list[str | None]) -> None:
        self.sheet = sheet
        self.query_one("#import-info", Static).update(
            i18n.t("roster_import.file_info", name=sheet.name, rows=len(sheet.rows),
                   columns=len(sheet.headers)))
        box = self.query_one("#import-mapping", Vertical)
        await box.remove_children()
        options = [(i18n.t("roster_import.ignore"), IGNORE)]
        options += [(f.label, f.key) for f in PERSON.fields]
        rows = [Label(i18n.t("roster_import.mapping_heading"), classes="import-heading")]
        for i, (header, key) in enumerate(zip(sheet.headers, mapping, strict=True)):
            rows.append(Horizontal(
                Label(header or i18n.t("roster_import.unnamed_column", n=i + 1),
                      classes="map-header"),
                Select(options, value=key or IGNORE, allow_blank=False, compact=True,
                       id=f"map-{i}"),
                classes="map-row"))
        rows.append(Label(i18n.t("roster_import.defaults_heading"), classes="import-heading"))
        for key in DEFAULTABLE:
            fdef = PERSON.field(key)
            rows.append(Horizontal(
                Label(fdef.label, classes="map-header"),
                Select([(fdef.choice_label(c), c) for c in fdef.choices],
                       prompt=i18n.t("roster_import.no_default"), compact=True,
                       id=f"default-{key}"),
                classes="map-row"))
        await box.mount_all(rows)
        self.make_plan()

    # -- step 2: the column mapping and the plan ---------------------------------------
    @property
    def mapping(self) -> list[str | None]:
        assert self.sheet is not None
        values = [self.query_one(f"#map-{i}", Select).value
                  for i in range(len(self.sheet.headers))]
        return [str(v) if v and v is not Select.NULL else None for v in values]

    @property
    def defaults(self) -> dict[str, str]:
        out = {}
        for key in DEFAULTABLE:
            select = self.query_one(f"#default-{key}", Select)
            if not select.is_blank():
                out[key] = str(select.value)
        return out

    @on(Select.Changed)
    def make_plan(self) -> None:
        if self.sheet is None or self.busy:
            return
        self.plan = None
        self.query_one("#import-commit", Button).disabled = True
        self._plan(self.sheet, self.mapping, self.defaults)

    @work(thread=True, exclusive=True, group="import-plan", exit_on_error=False)
    def _plan(self, sheet: Sheet, mapping: list[str | None],
              defaults: dict[str, str]) -> roster_io.ImportPlan:
        return roster_io.plan(self.session.roster, sheet, mapping, defaults)

    def _show_plan(self, plan: roster_io.ImportPlan) -> None:
        self.plan = plan
        self.query_one("#import-preview").display = True
        self.query_one("#import-summary", Static).update(i18n.t(
            "roster_import.summary", new=len(plan.new), duplicates=len(plan.duplicates),
            changed=len(plan.changed), bad=len(plan.bad)))
        self.query_one("#import-duplicates").display = bool(plan.duplicates)
        dups = [i18n.t("roster_import.duplicate_row", row=r.row, name=r.values["name"])
                for r in plan.duplicates[:BAD_ROWS_SHOWN]]
        if len(plan.duplicates) > BAD_ROWS_SHOWN:
            dups.append(i18n.t("roster_import.more_duplicates",
                               n=len(plan.duplicates) - BAD_ROWS_SHOWN))
        self.query_one("#import-dups", Static).update(i18n.t("list.separator").join(dups))
        self.query_one("#import-dups").display = bool(dups)
        lines = [i18n.t("roster_import.bad_row", row=b.row, reason=b.reason())
                 for b in plan.bad[:BAD_ROWS_SHOWN]]
        if len(plan.bad) > BAD_ROWS_SHOWN:
            lines.append(i18n.t("roster_import.more_bad_rows", n=len(plan.bad) - BAD_ROWS_SHOWN))
        bad = self.query_one("#import-bad", Static)
        bad.update("\n".join([i18n.t("roster_import.bad_heading"), *lines]) if lines else "")
        bad.display = bool(lines)
        preview = [Person({**r.values, "id": f"row-{r.row}"}) for r in plan.new[:PREVIEW_ROWS]]
        self.query_one("#import-table", RecordTable).set_rows(preview)
        self.query_one("#import-commit", Button).disabled = not self._importable()
        self._say("")

    def _importable(self) -> bool:
        mode = roster_io.UPDATE if self.update else roster_io.SKIP
        return self.plan is not None and self.plan.importable(mode)

    @property
    def update(self) -> bool:
        return self.query_one("#dup-update", RadioButton).value

    @on(RadioSet.Changed, "#import-duplicates")
    def _duplicates_choice(self) -> None:
        self.query_one("#import-commit", Button).disabled = not self._importable()

    # -- step 3: commit -----------------------------------------------------------------
    @on(Button.Pressed, "#import-commit")
    def action_commit(self) -> None:
        if self.busy or not self._importable() or self.plan is None:
            return
        self.busy = True
        total = len(self.plan.new) + (len(self.plan.changed) if self.update else 0)
        bar = self.query_one("#import-progress", ProgressBar)
        bar.update(total=total, progress=0)
        bar.display = True
        self.query_one("#import-commit", Button).disabled = True
        self._say(i18n.t("roster_import.writing"))
        self._commit(self.plan, roster_io.UPDATE if self.update else roster_io.SKIP)

    @work(thread=True, exclusive=True, group="import-commit", exit_on_error=False)
    def _commit(self, plan: roster_io.ImportPlan, on_duplicate: str) -> roster_io.ImportResult:
        bar = self.query_one("#import-progress", ProgressBar)
        return roster_io.commit(
            self.session.roster, plan, on_duplicate,
            progress=lambda done: self.app.call_from_thread(bar.update, progress=done))

    def _committed(self, result: roster_io.ImportResult) -> None:
        self.notify(i18n.t("roster_import.done", added=result.added, updated=result.updated,
                           skipped=result.skipped, bad=result.bad))
        self.dismiss(True)

    # -- around a lock ------------------------------------------------------------------
    def forget_data(self) -> None:
        """Drop the preview (it names people on the roster); the file and the
        column mapping stay, and the plan is made again after unlocking."""
        self.plan = None
        self.query_one("#import-preview").display = False
        self.query_one("#import-dups", Static).update("")
        self.query_one("#import-table", RecordTable).set_rows([])
        self.query_one("#import-commit", Button).disabled = True

    def reload_data(self) -> None:
        self.make_plan()

    # -- workers and messages ----------------------------------------------------------
    async def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is WorkerState.ERROR:
            self.busy = False
            self.query_one("#import-progress").display = False
            error = worker.error
            if not isinstance(error, UserError):
                raise error  # type: ignore[misc]
            self._say(error.message(), error=True)
            self.query_one("#import-commit", Button).disabled = not self._importable()
        elif event.state is WorkerState.SUCCESS:
            if worker.name == "_read":
                await self._show_sheet(*worker.result)
            elif worker.name == "_plan":
                self._show_plan(worker.result)
            elif worker.name == "_commit":
                self._committed(worker.result)

    def _say(self, message: str, *, error: bool = False) -> None:
        label = self.query_one("#import-message", Static)
        label.update(message)
        label.set_class(error, "-error")

    @on(Button.Pressed, "#import-cancel")
    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(False)

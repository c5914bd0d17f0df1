"""Import people from a spreadsheet: read the file, match its columns to
fields, preview (new, already on the roster, bad rows with their reasons),
then write everything as one atomic batch in a worker with a progress bar."""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Button, ProgressBar, RadioButton, RadioSet

from branchtool import i18n
from branchtool.records.person import PERSON
from branchtool.services import roster_io
from branchtool.services.roster import Person
from branchtool.session import Session
from branchtool.tables import Sheet
from screens.base import LockAware
from screens.import_dialog import IGNORE, ImportDialog
from screens.plain import Label, Select, Static
from screens.record_table import RecordTable

DEFAULTABLE = ("category", "stage")
PREVIEW_ROWS = 50
BAD_ROWS_SHOWN = 200


class ImportRosterScreen(ImportDialog[bool], LockAware):
    CSS_PATH: ClassVar[list[str | PurePath]] = ["import_dialog.tcss", "import_roster.tcss"]
    ID = "import"
    MAP_ID = "map"
    CANCELLED = False
    TEXT = "roster_import"
    TEXT_NAMES: ClassVar[dict[str, str]] = {
        "path": "path_placeholder", "mapping": "mapping_heading", "unnamed": "unnamed_column"}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "commit", "roster_import.key.commit", priority=True),
        Binding("ctrl+o", "browse", "picker.key.browse"),
        Binding("escape", "cancel", "roster_import.key.cancel"),
    ]

    def __init__(self, session: Session, path: str = "") -> None:
        super().__init__(session, path)
        self.plan: roster_io.ImportPlan | None = None

    def compose_preview(self) -> ComposeResult:
        with Vertical(id="import-preview"):
            yield Static(id="import-summary", classes="imp-summary")
            with RadioSet(id="import-duplicates"):
                yield RadioButton(i18n.t("roster_import.duplicates.skip"), value=True,
                                  id="dup-skip")
                yield RadioButton(i18n.t("roster_import.duplicates.update"), id="dup-update")
            yield Static(id="import-dups")
            yield Static(id="import-bad")
            yield Label(i18n.t("roster_import.preview_heading"), classes="imp-heading")
            yield RecordTable(PERSON.columns, empty_text=i18n.t("roster_import.preview_empty"),
                              id="import-table")

    def compose_progress(self) -> ComposeResult:
        yield ProgressBar(id="import-progress", show_eta=False)

    # -- step 1: the file's columns and the defaults -------------------------------------
    def column_options(self) -> list[tuple[str, str]]:
        options = [(i18n.t("roster_import.ignore"), IGNORE)]
        return options + [(f.label, f.key) for f in PERSON.fields]

    def more_mapping_rows(self) -> list[Widget]:
        rows: list[Widget] = [Label(i18n.t("roster_import.defaults_heading"),
                                    classes="imp-heading")]
        for key in DEFAULTABLE:
            fdef = PERSON.field(key)
            rows.append(Horizontal(
                Label(fdef.label, classes="imp-header"),
                Select([(fdef.choice_label(c), c) for c in fdef.choices],
                       prompt=i18n.t("roster_import.no_default"), compact=True,
                       id=f"default-{key}"),
                classes="imp-map-row"))
        return rows

    def read_sheet(self, path: Path, sheet_name: str | None) -> tuple[Sheet, list[str | None]]:
        return roster_io.read(path, sheet_name)

    # -- step 2: the plan ----------------------------------------------------------------
    @property
    def defaults(self) -> dict[str, str]:
        out = {}
        for key in DEFAULTABLE:
            select = self.query_one(f"#default-{key}", Select)
            if not select.is_blank():
                out[key] = str(select.value)
        return out

    def plan_options(self) -> dict[str, str]:
        return self.defaults

    def build_plan(self, sheet: Sheet, mapping: list[str | None],
                   defaults: dict[str, str]) -> roster_io.ImportPlan:
        return roster_io.plan(self.session.roster, sheet, mapping, defaults)

    def show_plan(self, plan: roster_io.ImportPlan) -> None:
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
        self.query_one("#import-commit", Button).disabled = not self.importable()
        self._say("")

    def importable(self) -> bool:
        return self.plan is not None and self.plan.importable(self.on_duplicate)

    @property
    def update(self) -> bool:
        return self.query_one("#dup-update", RadioButton).value

    @property
    def on_duplicate(self) -> str:
        return roster_io.UPDATE if self.update else roster_io.SKIP

    @on(RadioSet.Changed, "#import-duplicates")
    def _duplicates_choice(self) -> None:
        self.query_one("#import-commit", Button).disabled = not self.importable()

    # -- step 3: commit -----------------------------------------------------------------
    def commit_options(self) -> str:
        return self.on_duplicate

    def commit_started(self) -> None:
        assert self.plan is not None
        total = len(self.plan.new) + (len(self.plan.changed) if self.update else 0)
        bar = self.query_one("#import-progress", ProgressBar)
        bar.update(total=total, progress=0)
        bar.display = True

    def commit_failed(self) -> None:
        self.query_one("#import-progress").display = False

    def write_plan(self, plan: roster_io.ImportPlan, on_duplicate: str) -> roster_io.ImportResult:
        bar = self.query_one("#import-progress", ProgressBar)
        return roster_io.commit(
            self.session.roster, plan, on_duplicate,
            progress=lambda done: self.app.call_from_thread(bar.update, progress=done))

    def committed(self, result: roster_io.ImportResult) -> None:
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

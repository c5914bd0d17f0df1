"""What the import dialogs share: a file path and a Read button, the file's
columns matched to fields (changeable: every change makes the plan again),
a preview of what the plan would write and what it cannot, then Commit,
which writes the plan in a worker. A workbook with several sheets that
could hold the table shows a sheet choice beside the path (``SheetChoice``);
choosing one reads it. What the reader notes (the sheet read, hidden rows
read) stands under the file's description. Reading and planning run in one
exclusive worker group, committing in another; a ``UserError`` from any of
them is one sentence beside the buttons.

A dialog names its widget ids (``ID``: ``#<ID>-path``, ``#<ID>-commit``...;
``MAP_ID``: the column selects ``#<MAP_ID>-<n>``; the path has the focus
first) and the catalog prefix of its messages (``TEXT``: ``<TEXT>.title``,
``.path``, ``.read``, ``.intro``, ``.reading``, ``.file_info``, ``.mapping``,
``.unnamed``, ``.commit``, ``.writing``; ``TEXT_NAMES`` renames any),
composes its own preview and implements the steps' work: ``read_sheet``,
``build_plan``, ``show_plan``, ``write_plan``, ``committed``.
The shared look is ``import_dialog.tcss`` (by class, ``.imp-...``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Input
from textual.worker import Worker, WorkerState

from branchtool import i18n
from branchtool.session import Session
from branchtool.tables import READABLE, Sheet, SheetChoice
from screens.base import localize_bindings
from screens.failures import Failure, RunsWorkers
from screens.file_picker import FilePicker, Mode, clean_path
from screens.plain import Footer, Label, Select, Static

IGNORE = ""  # the column select's value for "not imported"
ResultT = TypeVar("ResultT")


class ImportDialog(RunsWorkers, Screen[ResultT]):
    ID: ClassVar[str]
    MAP_ID: ClassVar[str]
    CANCELLED: ClassVar[Any]  # what the dialog returns when nothing was imported
    TEXT: ClassVar[str]  # the catalog prefix of the messages
    TEXT_NAMES: ClassVar[dict[str, str]] = {}  # a message's own name under TEXT

    def __init_subclass__(cls, **kwargs: Any) -> None:
        if "ID" in cls.__dict__:
            cls.AUTO_FOCUS = f"#{cls.ID}-path"
        super().__init_subclass__(**kwargs)

    def __init__(self, session: Session, path: str = "") -> None:
        super().__init__()
        self.session = session
        self.start_path = path
        self.sheet: Sheet | None = None
        self.sheet_path: Path | None = None  # the file the sheet choice lists the sheets of
        self.sheet_names: list[str] = []
        self.plan: Any = None
        self.busy = False
        localize_bindings(self)

    def t(self, what: str, **params: object) -> str:
        return i18n.t(f"{self.TEXT}.{self.TEXT_NAMES.get(what, what)}", **params)

    def compose(self) -> ComposeResult:
        yield Static(self.t("title"), id=f"{self.ID}-title", classes="imp-title")
        with VerticalScroll(id=f"{self.ID}-body", classes="imp-body"):
            with Horizontal(id=f"{self.ID}-file", classes="imp-file"):
                yield Input(self.start_path, placeholder=self.t("path"), compact=True,
                            id=f"{self.ID}-path", classes="imp-path")
                sheets: Select[str] = Select([], prompt=i18n.t("table.sheet_prompt"),
                                             compact=True, id=f"{self.ID}-sheet",
                                             classes="imp-sheet")
                sheets.display = False
                yield sheets
                yield from self.compose_file_options()
                yield Button(i18n.t("picker.browse"), id=f"{self.ID}-browse", compact=True,
                             classes="imp-read")
                yield Button(self.t("read"), id=f"{self.ID}-read", compact=True,
                             classes="imp-read")
            yield Static(self.t("intro"), id=f"{self.ID}-info", classes="imp-info")
            yield from self.compose_preview()
            yield Vertical(id=f"{self.ID}-mapping", classes="imp-mapping")
        with Horizontal(id=f"{self.ID}-actions", classes="imp-actions"):
            yield from self.compose_progress()
            yield Static(id=f"{self.ID}-message", classes="imp-message")
            yield Button(self.t("commit"), variant="primary", id=f"{self.ID}-commit",
                         disabled=True)
            yield Button(i18n.t("dialog.cancel"), id=f"{self.ID}-cancel")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        if self.start_path:
            self.read_file()

    # -- what differs ------------------------------------------------------------------
    def compose_file_options(self) -> ComposeResult:
        """Inputs beside the path (Enter in them reads the file too)."""
        yield from ()

    def compose_preview(self) -> ComposeResult:
        """What stands between the file's description and the column mapping."""
        yield from ()

    def compose_progress(self) -> ComposeResult:
        """What stands before the message in the action bar."""
        yield from ()

    def column_options(self) -> Sequence[tuple[str | Content, str]]:
        """The column selects' choices (labels quoting a file: ``Content``)."""
        raise NotImplementedError

    def more_mapping_rows(self) -> list[Widget]:
        """Rows under the column mapping (their selects make the plan again too)."""
        return []

    def read_sheet(self, path: Path, sheet_name: str | None) -> tuple[Sheet, list[str | None]]:
        """The file (in a workbook, the sheet ``sheet_name``, else the one the
        reader picks) and the field each column matches (or ``None``); in a thread."""
        raise NotImplementedError

    def plan_options(self) -> Any:
        """What the plan depends on besides the sheet and mapping (on the UI thread)."""
        return None

    def build_plan(self, sheet: Sheet, mapping: list[str | None], options: Any) -> Any:
        """The plan; runs in a thread."""
        raise NotImplementedError

    def show_plan(self, plan: Any) -> None:
        raise NotImplementedError

    def importable(self) -> bool:
        """Whether committing the current plan would write anything."""
        raise NotImplementedError

    def commit_options(self) -> Any:
        return None

    def commit_started(self) -> None:
        """Called on the UI thread as the commit starts."""

    def commit_failed(self) -> None:
        """Called on the UI thread when a worker fails."""

    def write_plan(self, plan: Any, options: Any) -> Any:
        """Write ``plan``; runs in a thread."""
        raise NotImplementedError

    def committed(self, result: Any) -> None:
        raise NotImplementedError

    # -- step 1: read the file -----------------------------------------------------------
    @on(Input.Submitted)
    def read_file(self) -> None:
        # Explorer's "Copy as path" puts the path in quotes: clean_path takes them off.
        file = clean_path(self.query_one(f"#{self.ID}-path", Input).value)
        if file is not None and not self.busy:
            choice = self.query_one(f"#{self.ID}-sheet", Select)
            if file != self.sheet_path:
                choice.display = False
                choice.set_options([])
                self.sheet_path = None
            name = None if choice.is_blank() else str(choice.value)
            self._say(self.t("reading"))
            self._read(file, name)

    def action_browse(self) -> None:
        """The file dialog, starting where the last file came from."""
        if self.busy:
            return
        field = self.query_one(f"#{self.ID}-path", Input)
        typed = clean_path(field.value)

        def chosen(path: Path | None) -> None:
            if path is not None:
                field.value = str(path)
                self.read_file()

        self.app.push_screen(FilePicker(self.t("title"), mode=Mode.OPEN, start=typed,
                                        suffixes=READABLE), chosen)

    @on(Select.Changed, ".imp-sheet")
    def _sheet_chosen(self, event: Select.Changed) -> None:
        event.stop()
        chosen = None if event.select.is_blank() else str(event.value)
        if chosen is not None and (self.sheet is None or self.sheet.sheet != chosen):
            self.read_file()

    def _offer_sheets(self, path: Path, sheets: list[str], current: str | None) -> None:
        choice = self.query_one(f"#{self.ID}-sheet", Select)
        if self.sheet_path != path or self.sheet_names != sheets:
            with choice.prevent(Select.Changed):
                choice.set_options([(Content(s), s) for s in sheets])  # a file's names
        self.sheet_path, self.sheet_names = path, sheets
        with choice.prevent(Select.Changed):
            if current is None:
                choice.clear()
            else:
                choice.value = current
        choice.display = True

    @work(thread=True, exclusive=True, group="import-plan", exit_on_error=False)
    def _read(self, path: Path, sheet_name: str | None) -> tuple[Sheet, list[str | None]]:
        try:
            return self.read_sheet(path, sheet_name)
        except SheetChoice as choice:
            choice.path = path  # type: ignore[attr-defined]
            raise

    async def _show_sheet(self, sheet: Sheet, mapping: list[str | None]) -> None:
        self.sheet = sheet
        file = clean_path(self.query_one(f"#{self.ID}-path", Input).value)
        if len(sheet.sheets) > 1 and file is not None:
            self._offer_sheets(file, sheet.sheets, sheet.sheet)
        else:
            self.query_one(f"#{self.ID}-sheet", Select).display = False
        info = [self.t("file_info", name=sheet.name, rows=len(sheet.rows),
                       columns=len(sheet.headers)), *sheet.note_texts()]
        self.query_one(f"#{self.ID}-info", Static).update(Content("\n".join(info)))
        box = self.query_one(f"#{self.ID}-mapping", Vertical)
        await box.remove_children()
        options = self.column_options()
        rows: list[Widget] = [Label(self.t("mapping"), classes="imp-heading")]
        for i, (header, key) in enumerate(zip(sheet.headers, mapping, strict=True)):
            rows.append(Horizontal(
                Label(Content(header or self.t("unnamed", n=i + 1)), classes="imp-header"),
                Select(options, value=key or IGNORE, allow_blank=False, compact=True,
                       id=f"{self.MAP_ID}-{i}"),
                classes="imp-map-row"))
        rows += self.more_mapping_rows()
        await box.mount_all(rows)
        self.make_plan()

    # -- step 2: the column mapping and the plan ---------------------------------------
    @property
    def mapping(self) -> list[str | None]:
        assert self.sheet is not None
        values = [self.query_one(f"#{self.MAP_ID}-{i}", Select).value
                  for i in range(len(self.sheet.headers))]
        return [str(v) if v and v is not Select.NULL else None for v in values]

    @on(Select.Changed)
    def make_plan(self, event: Select.Changed | None = None) -> None:
        if event is not None and event.select.has_class("imp-sheet"):
            return  # a sheet was chosen: that reads the file again
        if self.sheet is None or self.busy:
            return
        self.plan = None
        self.query_one(f"#{self.ID}-commit", Button).disabled = True
        self._plan(self.sheet, self.mapping, self.plan_options())

    @work(thread=True, exclusive=True, group="import-plan", exit_on_error=False)
    def _plan(self, sheet: Sheet, mapping: list[str | None], options: Any) -> Any:
        return self.build_plan(sheet, mapping, options)

    # -- step 3: commit -----------------------------------------------------------------
    def action_commit(self) -> None:
        if self.busy or self.plan is None or not self.importable():
            return
        self.busy = True
        self.commit_started()
        self.query_one(f"#{self.ID}-commit", Button).disabled = True
        self._say(self.t("writing"))
        self._commit(self.plan, self.commit_options())

    @work(thread=True, exclusive=True, group="import-commit", exit_on_error=False)
    def _commit(self, plan: Any, options: Any) -> Any:
        return self.write_plan(plan, options)

    # -- workers, buttons, messages -----------------------------------------------------
    async def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is WorkerState.SUCCESS:
            if worker.name == "_read":
                await self._show_sheet(*worker.result)
            elif worker.name == "_plan":
                self.show_plan(worker.result)
            elif worker.name == "_commit":
                self.committed(worker.result)

    def worker_failed(self, failure: Failure) -> bool:
        """The plan read so far is kept; the dialog stays to try again."""
        self.busy = False
        self.commit_failed()
        error = failure.error
        if isinstance(error, SheetChoice):
            self._offer_sheets(getattr(error, "path", Path()), error.sheets, None)
            self._say(i18n.t("table.choose_sheet"), error=True)
            self.query_one(f"#{self.ID}-sheet", Select).focus()
            return True
        self._say(failure.sentence, error=True)
        self.query_one(f"#{self.ID}-commit", Button).disabled = not self.importable()
        return True

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        action = {f"{self.ID}-read": self.read_file,
                  f"{self.ID}-browse": self.action_browse,
                  f"{self.ID}-commit": self.action_commit,
                  f"{self.ID}-cancel": self.action_cancel}.get(event.button.id or "")
        if action is not None:
            action()

    def _say(self, message: str, *, error: bool = False) -> None:
        label = self.query_one(f"#{self.ID}-message", Static)
        label.update(Content(message))  # names a file: never markup
        label.set_class(error, "-error")

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(self.CANCELLED)

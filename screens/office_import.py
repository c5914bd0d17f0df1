"""Importing bundles at the office: a folder (a USB stick) or files, a
progress bar, and a verdict per file — accepted, already imported, or
rejected with its one-sentence reason; Enter shows a file's whole verdict.
The import runs in a worker; a rejected file is never moved or deleted, and
the import log keeps it (the dashboard's 导入记录)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, ProgressBar
from textual.worker import Worker, WorkerState, get_current_worker

from branchtool import i18n
from branchtool.office import imports, present
from branchtool.office.importer import FileResult
from branchtool.office.service import OfficeService
from branchtool.session import Session
from screens.base import LockAware, focus_if_lost, localize_bindings
from screens.commands import PaletteCommand
from screens.failures import Failure, RunsWorkers
from screens.office_events import OfficeChanged
from screens.office_rows import IMPORT_COLUMNS, OfficeTable, fit, import_line
from screens.plain import Static
from screens.record_table import RecordTable

IMPORT = "office-import"
SEPARATOR = ";"


class ImportProgress(Message):
    """Posted by the import worker after each file."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ImportProgress)


class FileVerdictScreen(ModalScreen[None]):
    """One file's verdict in full: name, branch and sequence, when, the
    verdict and its reason, what to do."""

    DEFAULT_CSS = """
    FileVerdictScreen { align: center middle; }
    FileVerdictScreen > VerticalScroll {
        width: 76; max-width: 100%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    FileVerdictScreen .file-title { text-style: bold; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "dialog.key.close"),
        Binding("enter", "close", "dialog.key.close", show=False),
    ]

    def __init__(self, lines: list[str]) -> None:
        super().__init__()
        self.lines = lines
        localize_bindings(self)

    @classmethod
    def of_result(cls, result: FileResult) -> FileVerdictScreen:
        return cls.of_entry({**result.entry(""), "file": str(result.file)})

    @classmethod
    def of_entry(cls, entry: dict[str, Any]) -> FileVerdictScreen:
        t = i18n.t
        lines = [t("office_ui.file.name", file=imports.printable(str(entry["file"]), 400))]
        if entry.get("time"):
            lines.append(t("office_ui.file.time", time=present.when(entry["time"])))
        if entry.get("branch"):
            lines.append(t("office_ui.file.claimed" if entry.get("claimed")
                           else "office_ui.file.branch", code=entry["branch"],
                           sequence=present.count(entry.get("sequence")),
                           day=entry.get("day") or present.DASH))
        lines.append(t("office_ui.file.verdict",
                       verdict=t(f"office.verdict.{entry['verdict']}"),
                       message=imports.message(entry)))
        if entry["verdict"] == "rejected":
            lines.append(t("office_ui.file.damaged_next" if imports.is_damaged(entry["reason"])
                           else "office_ui.file.refused_next"))
        return cls(lines)

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(i18n.t("office_ui.file.title"), classes="file-title")
            yield Static("\n".join(self.lines), id="file-verdict")

    def action_close(self) -> None:
        self.dismiss(None)


def split_paths(text: str) -> list[Path]:
    return [Path(part.strip()).expanduser() for part in text.split(SEPARATOR) if part.strip()]


class OfficeImportPane(RunsWorkers, Vertical, LockAware):
    DEFAULT_CSS = """
    OfficeImportPane { height: 1fr; }
    #office-import-bar { height: 1; }
    #office-import-paths { width: 1fr; margin-right: 1; }
    #office-import-bar Button { height: 1; border: none; min-width: 8; margin-left: 1; }
    #office-import-note { color: $text-muted; height: auto; }
    #office-import-progress { margin: 1 0 0 0; }
    #office-import-progress.-idle { display: none; }
    #office-import-summary { height: auto; text-style: bold; margin-top: 1; }
    #office-import-results { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        # not Ctrl+I: a terminal sends it as Tab
        Binding("ctrl+s", "import", "office_ui.key.import", priority=True),
        Binding("ctrl+o", "browse", "office_ui.key.browse"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__(id="office-import")
        self.session = session
        self.results: list[FileResult] = []
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with Horizontal(id="office-import-bar"):
            yield Input(placeholder=i18n.t("office_ui.import.placeholder"),
                        id="office-import-paths", compact=True)
            yield Button(i18n.t("office_ui.import.browse"), id="office-import-browse")
            yield Button(i18n.t("office_ui.import.button"), variant="primary",
                         id="office-import-button")
        yield Static(i18n.t("office_ui.import.note"), id="office-import-note")
        yield ProgressBar(id="office-import-progress", show_eta=False, classes="-idle")
        yield Static(id="office-import-summary")
        yield OfficeTable(IMPORT_COLUMNS, empty_text=i18n.t("office_ui.import.empty"),
                          id="office-import-results")

    def on_show(self) -> None:
        self.call_after_refresh(focus_if_lost, self.query_one("#office-import-paths", Input))

    @on(Button.Pressed, "#office-import-browse")
    def action_browse(self) -> None:
        from screens.file_picker import FilePicker, Mode

        paths = split_paths(self.query_one("#office-import-paths", Input).value)
        self.app.push_screen(FilePicker(i18n.t("office_ui.pick.title"), mode=Mode.EXISTING,
                                        start=paths[-1] if paths else None,
                                        ok=i18n.t("office_ui.pick.use_folder")), self._picked)

    def _picked(self, path: Path | None) -> None:
        if path is None:
            return
        field = self.query_one("#office-import-paths", Input)
        field.value = str(path)
        field.focus()

    @property
    def busy(self) -> bool:
        return any(w.group == IMPORT and w.is_running for w in self.workers)

    @on(Input.Submitted, "#office-import-paths")
    @on(Button.Pressed, "#office-import-button")
    def action_import(self) -> None:
        if self.busy:
            return
        paths = split_paths(self.query_one("#office-import-paths", Input).value)
        summary = self.query_one("#office-import-summary", Static)
        if not paths:
            summary.update(i18n.t("office_ui.import.no_paths"))
            return
        summary.update(i18n.t("office_ui.import.running"))
        bar = self.query_one("#office-import-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.remove_class("-idle")
        self.query_one("#office-import-button", Button).disabled = True
        self._import(paths)

    @work(thread=True, exclusive=True, group=IMPORT, exit_on_error=False)
    def _import(self, paths: list[Path]) -> list[FileResult]:
        worker = get_current_worker()
        return OfficeService.of(self.session).import_paths(
            paths, progress=lambda done, total: self.post_message(ImportProgress(done, total)),
            cancelled=lambda: worker.is_cancelled)

    def on_import_progress(self, message: ImportProgress) -> None:
        self.query_one("#office-import-progress", ProgressBar).update(
            total=message.total, progress=message.done)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != IMPORT or event.state not in (
                WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        self.query_one("#office-import-button", Button).disabled = False
        self.query_one("#office-import-progress", ProgressBar).add_class("-idle")
        summary = self.query_one("#office-import-summary", Static)
        if event.state is WorkerState.SUCCESS:
            self.show(event.worker.result)  # type: ignore[arg-type]
            self.post_message(OfficeChanged())
        elif event.state is WorkerState.CANCELLED:
            summary.update(i18n.t("office.import.cancelled"))

    def worker_failed(self, failure: Failure) -> bool:
        self.query_one("#office-import-summary", Static).update(failure.sentence)
        return True  # said where the import's summary goes, as a result would be

    def show(self, results: list[FileResult]) -> None:
        self.results = results
        counts = {v: sum(1 for r in results if r.verdict == v)
                  for v in ("accepted", "duplicate", "rejected")}
        text = i18n.t("cli.office.import.summary", **counts)
        summary = self.query_one("#office-import-summary", Static)
        summary.update(text)
        summary.set_class(counts["rejected"] > 0, "-rejected")
        table = self.query_one("#office-import-results", RecordTable)
        columns, lines = fit(IMPORT_COLUMNS, [import_line(i, r) for i, r in enumerate(results)],
                             table.row_width())
        table.set_columns(columns)
        table.set_rows(lines)
        if results:
            table.focus()
        self.app.notify(text, severity="warning" if counts["rejected"] else "information")

    @on(RecordTable.Opened, "#office-import-results")
    def _open(self, event: RecordTable.Opened) -> None:
        """A file's whole verdict: at 80 columns the reason may not fit its row."""
        index = int(event.row_id)
        if 0 <= index < len(self.results):
            self.app.push_screen(FileVerdictScreen.of_result(self.results[index]))

    def forget_data(self) -> None:
        self.results = []
        self.query_one("#office-import-results", RecordTable).set_rows([])
        self.query_one("#office-import-summary", Static).update("")

    def palette_commands(self) -> list[PaletteCommand]:
        return [PaletteCommand(i18n.t("office_ui.import.button"), i18n.t("office_ui.import.note"),
                               self.action_import)]

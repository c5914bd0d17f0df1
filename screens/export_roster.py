"""Export the roster to an .xlsx or .csv file, in a worker."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input
from textual.worker import Worker, WorkerState

from branchtool import i18n
from branchtool.services import roster_io
from branchtool.services.roster import Person
from branchtool.session import Session
from screens.base import localize_bindings
from screens.confirm import ConfirmScreen
from screens.failures import Failure, RunsWorkers
from screens.file_picker import FilePicker, Mode, clean_path, default_folder, save_problem
from screens.places import confirm_unsynced
from screens.plain import Static


def default_name(today: dt.date) -> str:
    return f"{i18n.t('roster.export.file_stem')}-{today:%Y%m%d}.xlsx"


class ExportScreen(RunsWorkers, ModalScreen[None]):
    CSS_PATH = "export_roster.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "dialog.key.cancel"),
    ]

    def __init__(self, session: Session, shown: list[Person]) -> None:
        super().__init__()
        self.session = session
        self.shown = shown
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(classes="export-box"):
            yield Static(i18n.t("roster_export.title"), classes="export-title")
            yield Static(i18n.t("roster_export.path_label"))
            with Horizontal(classes="export-path-row"):
                yield Input(str(default_folder(self.app) / default_name(dt.date.today())),
                            id="export-path")
                yield Button(i18n.t("picker.browse"), id="export-browse", compact=True)
            yield Checkbox(i18n.t("roster_export.only_shown", n=len(self.shown)), id="export-shown")
            yield Static(id="export-message")
            with Horizontal(classes="export-buttons"):
                yield Button(i18n.t("roster_export.ok"), variant="primary", id="export-ok")
                yield Button(i18n.t("dialog.cancel"), id="export-cancel")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#export-ok")
    def _ok(self) -> None:
        path = clean_path(self.query_one("#export-path", Input).value)
        if path is None:
            self.query_one("#export-message", Static).update(i18n.t("export_ui.path.empty"))
            return
        problem = save_problem(path)
        if problem is not None:  # says why; the typed path stays
            self.query_one("#export-message", Static).update(problem)
            return
        if path.exists():
            question = ConfirmScreen(i18n.t("roster_export.overwrite", name=path.name),
                                     yes=i18n.t("roster_export.replace"),
                                     no=i18n.t("dialog.cancel"))
            self.app.push_screen(question, lambda yes: yes and self._start(path))
        else:
            self._start(path)

    def _start(self, path: Path) -> None:
        confirm_unsynced(self, path, lambda: self._write_now(path))

    def _write_now(self, path: Path) -> None:
        people = self.shown if self.query_one("#export-shown", Checkbox).value else None
        self.query_one("#export-ok", Button).disabled = True
        self.query_one("#export-message", Static).update(i18n.t("roster_export.writing"))
        self._export(path, people)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _export(self, path: Path, people: list[Person] | None) -> tuple[Path, int]:
        return path, roster_io.export(self.session.roster, path, people)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.SUCCESS:
            path, count = event.worker.result
            self.notify(i18n.t("roster_export.done", n=count, path=str(path)))
            self.dismiss(None)

    def worker_failed(self, failure: Failure) -> bool:
        self.query_one("#export-message", Static).update(failure.sentence)
        self.query_one("#export-ok", Button).disabled = False
        return True

    @on(Button.Pressed, "#export-browse")
    def _browse(self) -> None:
        field = self.query_one("#export-path", Input)
        typed = clean_path(field.value)

        def chosen(path: Path | None) -> None:
            if path is not None:
                field.value = str(path)
                self._start(path)

        self.app.push_screen(FilePicker(
            i18n.t("roster_export.title"), mode=Mode.SAVE,
            start=typed.parent if typed is not None else None,
            name=typed.name if typed is not None else default_name(dt.date.today()),
            ok=i18n.t("roster_export.ok")), chosen)

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

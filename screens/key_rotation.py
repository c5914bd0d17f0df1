"""The branch changes its signing key from the app (``branchtool keys rotate``
in the CLI): what will happen and the current fingerprint, where the rotation
statement for the office goes, a confirmation, then the new fingerprint to
compare by phone. A statement that could not be written (the stick pulled out)
is written again from here, as is any earlier one (``keys rotation --out``).

The rotation runs in a worker; ``keys_rotation.rotate`` leaves the vault as it
was when it fails, so a failure is one sentence and nothing else."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input
from textual.worker import Worker, WorkerState

from branchtool import i18n, keys_rotation
from branchtool.errors import KeyedError, describe
from branchtool.session import Session
from screens.base import localize_bindings
from screens.confirm import ConfirmScreen
from screens.failures import Failure, RunsWorkers
from screens.file_picker import default_folder
from screens.plain import Select, Static

ROTATE = "key-rotate"


@dataclass(frozen=True)
class Rotated:
    done: keys_rotation.RotationDone
    path: Path
    written: bool


class KeyRotationScreen(RunsWorkers, ModalScreen[bool]):
    """Dismisses with True when the signing key was changed."""

    CSS_PATH = "key_rotation.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "dialog.key.close"),
    ]

    def __init__(self, session: Session, *, folder: Path | None = None,
                 signing: Callable[[], bool] = lambda: False) -> None:
        """``folder``: where the opener writes bundles (the Send section's
        folder); ``signing``: whether a bundle is being signed now, with the
        current key (the opener's export). The dialog reads no other screen."""
        super().__init__()
        self.session = session
        self.bundle_folder = folder
        self.signing = signing
        self.rotated = False
        self.blocked = False  # this vault cannot rotate (not a branch, no branch code)
        localize_bindings(self)

    # -- layout ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        vault = self.session.vault
        key = keys_rotation.branch_key(vault)
        with Vertical(classes="krot-box"):
            yield Static(i18n.t("keys_ui.title"), classes="krot-title")
            yield Static(i18n.t("keys_ui.explain", code=key.code, name=key.name),
                         id="krot-explain")
            yield Static(id="krot-current")
            yield Static(id="krot-earlier")
            yield Static(i18n.t("keys_ui.file"), classes="krot-label")
            yield Input(id="krot-path", compact=True)
            with Horizontal(id="krot-again-row"):
                yield Static(i18n.t("keys_ui.again_label"), classes="krot-label")
                yield Select[int]([], compact=True, id="krot-number")
            yield Static(id="krot-message")
            with Horizontal(classes="krot-buttons"):
                yield Button(i18n.t("keys_ui.rotate"), variant="error", id="krot-rotate")
                yield Button(i18n.t("keys_ui.again"), id="krot-again")
                yield Button(i18n.t("dialog.key.close"), id="krot-close")

    def on_mount(self) -> None:
        try:
            keys_rotation.check_can_rotate(self.session.vault)
        except KeyedError as error:
            self._message(describe(error))
            self.blocked = True
            self.query_one("#krot-rotate", Button).disabled = True
        self._show_state()
        vault = self.session.vault
        path = self.query_one("#krot-path", Input)
        path.value = str(self._folder() / keys_rotation.default_file_name(
            vault, len(keys_rotation.rotations(vault)) + 1))
        path.focus()

    def _folder(self) -> Path:
        """Where the statement goes by default: the folder the Send section
        writes bundles to (the USB stick), when it was given and exists."""
        folder = self.bundle_folder
        if folder is not None and folder.is_dir():
            return folder
        return default_folder(self.app)

    def _show_state(self) -> None:
        """The current key, the rotations so far, and the file names that follow."""
        vault = self.session.vault
        done = keys_rotation.rotations(vault)
        key = keys_rotation.branch_key(vault)
        self.query_one("#krot-current", Static).update(
            i18n.t("keys.rotate.old", fingerprint=key.fingerprint))
        earlier = self.query_one("#krot-earlier", Static)
        earlier.update("\n".join(
            [i18n.t("keys_ui.earlier", count=len(done))]
            + [i18n.t("keys_ui.earlier_row", number=n, time=i18n.format_stamp(doc["time"]),
                      new=doc["new_fingerprint"]) for n, doc in enumerate(done, 1)]
            + [i18n.t("keys_ui.earlier_order")]) if done else "")
        earlier.display = bool(done)
        number = self.query_one("#krot-number", Select)
        number.set_options([(i18n.t("keys_ui.number", number=n), n)
                            for n in range(len(done), 0, -1)])
        if done:
            number.value = len(done)  # the latest by default
        self.query_one("#krot-again-row").display = bool(done)
        self.query_one("#krot-again", Button).display = bool(done)

    def _path(self) -> Path | None:
        text = self.query_one("#krot-path", Input).value.strip()
        if not text:
            self._message(i18n.t("export_ui.path.empty"))
            return None
        return Path(text).expanduser()

    # -- rotate ------------------------------------------------------------------------------
    @on(Button.Pressed, "#krot-rotate")
    def rotate(self) -> None:
        if self.signing():
            self._message(i18n.t("keys_ui.exporting"))  # it signs with the current key
            return
        path = self._path()
        if path is None:
            return
        try:
            keys_rotation.check_out(path)
        except KeyedError as error:
            self._message(describe(error))
            return
        old = keys_rotation.branch_key(self.session.vault)
        question = "\n".join((i18n.t("keys.rotate.old", fingerprint=old.fingerprint),
                              i18n.t("keys.rotate.confirm")))
        self.app.push_screen(
            ConfirmScreen(question, yes=i18n.t("keys_ui.yes"), no=i18n.t("dialog.cancel"),
                          danger=True),
            lambda yes: self._start(path) if yes else None)

    def _start(self, path: Path) -> None:
        self._busy(True)
        self._message(i18n.t("keys_ui.working"))
        self._rotate(path)

    @work(thread=True, exclusive=True, group=ROTATE, exit_on_error=False)
    def _rotate(self, path: Path) -> Rotated:
        done = keys_rotation.rotate(self.session.vault)
        return Rotated(done, path, keys_rotation.write_statement(path, done.statement))

    def _rotated(self, result: Rotated) -> None:
        self.rotated = True
        self.query_one("#krot-rotate", Button).disabled = True  # one rotation per visit
        name = result.path.name
        if result.written:
            text = "\n".join((i18n.t("keys.rotate.done", fingerprint=result.done.new_fingerprint,
                                     path=str(result.path)),
                              i18n.t("keys_ui.next", name=name)))
        else:
            text = i18n.t("keys_ui.not_written", fingerprint=result.done.new_fingerprint,
                          path=str(result.path))
        self._show_state()
        self._message(text)
        # what was done and what comes next replace the explanation and the old key
        self.query_one("#krot-explain").display = False
        self.query_one("#krot-current").display = False
        self.query_one("#krot-close", Button).focus()
        self.notify(i18n.t("keys_ui.toast", fingerprint=result.done.new_fingerprint),
                    timeout=15)

    # -- write a statement again ---------------------------------------------------------------
    @on(Button.Pressed, "#krot-again")
    def write_again(self) -> None:
        path = self._path()
        number = self.query_one("#krot-number", Select).value
        if path is None or not isinstance(number, int):
            return
        try:
            data = keys_rotation.statement(self.session.vault, number)
            keys_rotation.check_out(path)
        except KeyedError as error:
            self._message(describe(error))
            return
        if not keys_rotation.write_statement(path, data):
            self._message(i18n.t("cli.keys.write_failed", path=str(path)))
            return
        self._message("\n".join((i18n.t("keys.rotation.written", path=str(path)),
                                 i18n.t("keys_ui.next", name=path.name))))

    # -- results -------------------------------------------------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != ROTATE:
            return
        event.stop()
        if event.state is WorkerState.SUCCESS:
            self._busy(False)
            self._rotated(event.worker.result)

    def worker_failed(self, failure: Failure) -> bool:
        self._busy(False)
        self._message(failure.sentence)
        return True

    def _busy(self, busy: bool) -> None:
        for button in self.query(Button):
            button.disabled = busy
        if not busy:
            self.query_one("#krot-rotate", Button).disabled = self.rotated or self.blocked

    def _message(self, text: str) -> None:
        self.query_one("#krot-message", Static).update(text)

    @on(Button.Pressed, "#krot-close")
    def action_close(self) -> None:
        if any(worker.group == ROTATE and worker.is_running for worker in self.workers):
            return  # the key is being changed: the dialog stays until it is done
        self.dismiss(self.rotated)

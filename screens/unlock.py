"""Unlock the vault: the passphrase, scrypt in a worker, one clear sentence
when it is wrong. Also the screen shown after a lock."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Input, LoadingIndicator
from textual.worker import Worker, WorkerState

from branchtool import i18n
from branchtool.errors import KeyedError, UserError, describe
from branchtool.session import Session
from branchtool.shown import shown
from screens.base import localize_bindings
from screens.confirm import ConfirmScreen
from screens.failures import Failure, RunsWorkers
from screens.plain import Label, Static


class UnlockScreen(RunsWorkers, Screen[list[str]]):
    """Dismisses with the recovery notices of the opened vault."""

    CSS_PATH = "unlock.tcss"
    AUTO_FOCUS = "#unlock-passphrase"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "restore_backup", "app.unlock.key.restore", show=False),
    ]

    def __init__(self, session: Session, *, demo_passphrase: str = "",
                 locked: bool = False, problem: UserError | None = None) -> None:
        super().__init__()
        self.session = session
        self.demo_passphrase = demo_passphrase
        self.locked = locked
        self.problem = problem  # why the app locked by itself (a damaged file)
        self.offered_backup: str | None = None
        localize_bindings(self)

    def on_mount(self) -> None:
        if self.problem is not None:
            self._tell(self.problem, while_open=True)

    def compose(self) -> ComposeResult:
        info = self.session.info()
        with Center(), Vertical(id="unlock-box"):
            yield Static(i18n.t("app.title.office" if "office_name" in info else "app.title"),
                         id="unlock-title")
            code = info.get("branch_code", "")  # vault.json, not yet authenticated: shown
            yield Static(shown(i18n.t("app.unlock.branch", name=info.get("branch_name", ""),
                                      code=code) if code else info.get("office_name", "")),
                         id="unlock-branch")
            if self.locked:
                yield Static(i18n.t("app.unlock.was_locked"), id="unlock-locked")
            yield Label(i18n.t("app.unlock.passphrase"))
            yield Input(password=True, id="unlock-passphrase")
            if self.demo_passphrase:
                yield Static(i18n.t("app.unlock.demo_hint", passphrase=self.demo_passphrase),
                             id="unlock-demo")
            with Horizontal(id="unlock-status"):
                yield LoadingIndicator(id="unlock-spinner")
                yield Static(id="unlock-message")
            yield Static(i18n.t("app.unlock.keys"), id="unlock-keys")

    @on(Input.Submitted, "#unlock-passphrase")
    def submit(self) -> None:
        field = self.query_one("#unlock-passphrase", Input)
        if not field.value:
            return
        secret = field.value
        field.value = ""  # the passphrase does not stay in the widget
        field.disabled = True
        self.add_class("-busy")
        self._say(i18n.t("app.unlock.unlocking"))
        self._unlock(secret)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _unlock(self, secret: str) -> list[str]:
        return self.session.unlock(secret)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.SUCCESS:
            self.dismiss(event.worker.result)

    def worker_failed(self, failure: Failure) -> bool:
        self.remove_class("-busy")
        field = self.query_one("#unlock-passphrase", Input)
        field.disabled = False
        field.focus()
        if failure.error is not None:
            self._tell(failure.error)
        else:
            self._say(failure.sentence, error=True)
        return True

    def _tell(self, error: UserError, *, while_open: bool = False) -> None:
        """The error, and the last backup to restore when a file failed its check."""
        damaged = error.key == "storage.vault_corrupt"
        message = i18n.t("app.damaged_while_open", file=error.params.get("file", "?")) \
            if damaged and while_open else error.message()
        self.offered_backup = None
        if damaged:
            self.offered_backup = self.session.latest_backup()
            if self.offered_backup:
                message += "\n" + i18n.t("app.unlock.offer_backup", backup=self.offered_backup)
        self._say(message, error=True)

    def action_restore_backup(self) -> None:
        """Ctrl+R after a failed integrity check: confirm, then restore."""
        if not self.offered_backup:
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.session.restore_latest_backup()
            except KeyedError as exc:
                self._say(describe(exc), error=True)
                return
            self.offered_backup = None
            self._say(i18n.t("app.unlock.backup_restored"))

        self.app.push_screen(ConfirmScreen(
            i18n.t("app.unlock.confirm_restore", backup=self.offered_backup),
            yes=i18n.t("app.unlock.restore_yes"), no=i18n.t("dialog.cancel"), danger=True),
            answered)

    def _say(self, message: str, *, error: bool = False) -> None:
        label = self.query_one("#unlock-message", Static)
        label.update(message)
        label.set_class(error, "-error")

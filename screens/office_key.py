"""The office key (office.pub): read the file, show whose it is and its
fingerprint to compare by phone, and only after a confirmation use it from
now on (the change is logged in the vault's history)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input

from branchtool import i18n
from branchtool.errors import KeyedError, describe
from branchtool.keyfiles import KeyFile
from branchtool.session import Session
from branchtool.shown import shown
from screens.base import localize_bindings
from screens.confirm import ConfirmScreen
from screens.plain import Static


def describe_key(key: KeyFile | None) -> str:
    """One line naming a key (where no fingerprint is compared)."""
    if key is None:
        return i18n.t("export_ui.office.none")
    return i18n.t("export_ui.office.key", name=shown(key.name), fingerprint=key.fingerprint,
                  key_id=key.key_id)


def key_name(key: KeyFile | None) -> str:
    """Whose key it is, without its fingerprint (which has its own widget)."""
    return i18n.t("export_ui.office.none") if key is None else shown(key.name)


def fingerprint_line(key: KeyFile | None) -> str:
    """The key's fingerprint, for a widget of its own (``""``: no key)."""
    return "" if key is None else i18n.t("dialog.fingerprint_key", fingerprint=key.fingerprint,
                                          key_id=key.key_id)


class OfficeKeyScreen(ModalScreen[bool]):
    """Dismisses with True once a new office key is in use."""

    CSS_PATH = "office_key.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "dialog.key.cancel"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.candidate: KeyFile | None = None
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(classes="okey-box"):
            yield Static(i18n.t("export_ui.office.title"), classes="okey-title")
            yield Static(i18n.t("export_ui.office.current"), classes="okey-label")
            current = self.session.bundles.office()
            yield Static(key_name(current), id="okey-current")
            yield Static(fingerprint_line(current), id="okey-current-fingerprint",
                         classes="okey-fingerprint").set_class(current is None, "-empty")
            yield Static(i18n.t("export_ui.office.file"), classes="okey-label")
            yield Input(placeholder=i18n.t("export_ui.office.placeholder"), id="okey-path")
            yield Static(id="okey-new")
            yield Static(id="okey-new-fingerprint", classes="okey-fingerprint -empty")
            with Horizontal(classes="okey-buttons"):
                yield Button(i18n.t("export_ui.office.read"), id="okey-read")
                yield Button(i18n.t("export_ui.office.use"), variant="primary", id="okey-use",
                             disabled=True)
                yield Button(i18n.t("dialog.cancel"), id="okey-cancel")

    def on_mount(self) -> None:
        self.query_one("#okey-path", Input).focus()

    @on(Input.Submitted, "#okey-path")
    @on(Button.Pressed, "#okey-read")
    def read(self) -> None:
        text = self.query_one("#okey-path", Input).value.strip()
        line = self.query_one("#okey-new", Static)
        self.query_one("#okey-new-fingerprint", Static).add_class("-empty")
        self.candidate = None
        self.query_one("#okey-use", Button).disabled = True
        if not text:
            line.update(i18n.t("export_ui.path.empty"))
            return
        try:
            key = self.session.bundles.read_office_key(Path(text).expanduser())
        except KeyedError as error:
            line.update(describe(error))
            return
        self.candidate = key
        line.update(i18n.t("export_ui.office.read_key", key=key_name(key)))
        self.query_one("#okey-new-fingerprint", Static).remove_class("-empty").update(
            fingerprint_line(key))
        self.query_one("#okey-use", Button).disabled = False
        self.query_one("#okey-use", Button).focus()

    @on(Button.Pressed, "#okey-use")
    def use(self) -> None:
        key = self.candidate
        if key is None:
            return
        current = self.session.bundles.office()
        if current is not None and current.fingerprint == key.fingerprint:
            self.query_one("#okey-new", Static).update(i18n.t("export_ui.office.same"))
            return
        question = i18n.t("export_ui.office.confirm_new" if current is None
                          else "export_ui.office.confirm_change", name=key.name)
        lines = [i18n.t("dialog.fingerprint", fingerprint=key.fingerprint)] if current is None \
            else [i18n.t("dialog.fingerprint_old", fingerprint=current.fingerprint),
                  i18n.t("dialog.fingerprint_new", fingerprint=key.fingerprint)]
        self.app.push_screen(
            ConfirmScreen(question, yes=i18n.t("export_ui.office.yes"),
                          no=i18n.t("dialog.cancel"), danger=current is not None,
                          fingerprints=lines),
            lambda yes: self._confirmed(key) if yes else None)

    def _confirmed(self, key: KeyFile) -> None:
        try:
            self.session.bundles.set_office_key(key)
        except KeyedError as error:
            self.query_one("#okey-new", Static).update(describe(error))
            return
        self.notify(i18n.t("export_ui.office.changed", name=key.name,
                           fingerprint=key.fingerprint))
        self.dismiss(True)

    @on(Button.Pressed, "#okey-cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)

"""Taking a person off the roster: archive by default, delete only on purpose."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, RadioButton, RadioSet

from branchtool import i18n
from branchtool.records.person import ARCHIVED
from screens.base import localize_bindings
from screens.plain import Static

DELETE = "delete"


class ArchiveScreen(ModalScreen[str | None]):
    """Answers an archive status ("transferred", "left"), ``DELETE``, or None."""

    CSS_PATH = "dialog.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "dialog.key.cancel"),
    ]

    def __init__(self, name: str) -> None:
        super().__init__()
        self.person_name = name
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(i18n.t("roster.archive.question", name=self.person_name),
                         classes="dialog-text")
            with RadioSet(id="archive-choice"):
                for i, status in enumerate(ARCHIVED):
                    yield RadioButton(i18n.t(f"roster.archive.{status}"), value=i == 0,
                                      id=f"choice-{status}")
                yield RadioButton(i18n.t("roster.archive.delete"), id=f"choice-{DELETE}")
            with Horizontal(classes="dialog-buttons"):
                yield Button(i18n.t("roster.archive.ok"), variant="primary", id="ok")
                yield Button(i18n.t("dialog.cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one(RadioSet).focus()

    @property
    def choice(self) -> str:
        pressed = self.query_one(RadioSet).pressed_button
        return (pressed.id or "").removeprefix("choice-") if pressed else ARCHIVED[0]

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self.dismiss(self.choice)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(RadioSet.Changed)
    def _chosen(self) -> None:
        self.query_one("#ok", Button).focus()

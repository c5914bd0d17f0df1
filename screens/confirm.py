"""A yes/no question in a modal dialog; No is the default.

A question about a key shows each fingerprint to compare in a widget of its
own (``fingerprints``): the question quotes a name from a key file, which
must never be able to cover or imitate the fingerprint."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button

from branchtool.shown import shown
from screens.base import localize_bindings
from screens.plain import Static


class ConfirmScreen(ModalScreen[bool]):
    CSS_PATH = "dialog.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "answer(False)", "dialog.key.cancel"),
    ]

    def __init__(self, question: str, *, yes: str, no: str, danger: bool = False,
                 fingerprints: Sequence[str] = ()) -> None:
        super().__init__()
        self.question = question
        self.fingerprints = list(fingerprints)  # lines of our own text, one widget each
        self.yes = yes
        self.no = no
        self.danger = danger
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(shown(self.question, lines=True), classes="dialog-text")
            for i, line in enumerate(self.fingerprints):
                yield Static(line, id=f"confirm-fingerprint-{i}", classes="dialog-fingerprint")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.yes, variant="error" if self.danger else "primary", id="yes")
                yield Button(self.no, id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

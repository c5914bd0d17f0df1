"""Ask for a file's path (where to save a report, a key, which receipt to
read), offering a default; asks before replacing an existing file."""

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
from screens.base import localize_bindings
from screens.confirm import ConfirmScreen
from screens.plain import Static


class PathScreen(ModalScreen[Path | None]):
    CSS_PATH = "path_prompt.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "dialog.key.cancel"),
    ]

    def __init__(self, title: str, default: Path, *, ok: str, note: str = "",
                 must_exist: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.default = default
        self.ok = ok
        self.note = note
        self.must_exist = must_exist
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(classes="path-box"):
            yield Static(self.title_text, classes="path-title")
            if self.note:
                yield Static(self.note, classes="path-note")
            yield Static(i18n.t("export_ui.path.label"))
            yield Input(str(self.default), id="path-input")
            yield Static(id="path-message")
            with Horizontal(classes="path-buttons"):
                yield Button(self.ok, variant="primary", id="path-ok")
                yield Button(i18n.t("dialog.cancel"), id="path-cancel")

    def on_mount(self) -> None:
        self.query_one("#path-input", Input).focus()

    @property
    def path(self) -> Path:
        return Path(self.query_one("#path-input", Input).value.strip()).expanduser()

    @on(Input.Submitted)
    @on(Button.Pressed, "#path-ok")
    def _ok(self) -> None:
        path = self.path
        if not self.query_one("#path-input", Input).value.strip():
            self.query_one("#path-message", Static).update(i18n.t("export_ui.path.empty"))
        elif self.must_exist:
            self.dismiss(path)
        elif path.exists():
            question = ConfirmScreen(i18n.t("export_ui.path.overwrite", name=path.name),
                                     yes=i18n.t("export_ui.path.replace"),
                                     no=i18n.t("dialog.cancel"))
            self.app.push_screen(question, lambda yes: self.dismiss(path) if yes else None)
        else:
            self.dismiss(path)

    @on(Button.Pressed, "#path-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

"""The thresholds of the early-warning rules: the fever threshold, how many
days missing in a row raise their own alert, and the check-in deadline."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from branchtool import i18n
from branchtool.errors import UserError
from branchtool.session import Session
from screens.base import localize_bindings

KEYS = ("fever_threshold", "missing_days", "deadline")


class WatchSettingsScreen(ModalScreen[bool]):
    CSS_PATH = "watch_settings.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "form.key.save", priority=True),
        Binding("escape", "cancel", "form.key.cancel"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        current = self.session.health.settings.to_doc()
        with Vertical(id="ws-box"):
            yield Static(i18n.t("watch.settings.title"), id="ws-title")
            for key in KEYS:
                with Horizontal(classes="ws-row"):
                    yield Label(i18n.t(f"health.settings.{key}"), classes="ws-label")
                    yield Input(str(current[key]), compact=True, id=f"ws-{key}")
            yield Static("", id="ws-problem")
            with Horizontal(id="ws-buttons"):
                yield Button(i18n.t("form.save"), variant="primary", id="ws-save")
                yield Button(i18n.t("form.cancel"), id="ws-cancel")

    def on_mount(self) -> None:
        self.query_one(f"#ws-{KEYS[0]}", Input).focus()

    @on(Input.Submitted)
    def _next(self) -> None:
        self.focus_next()

    @on(Button.Pressed, "#ws-save")
    def action_save(self) -> None:
        values = {key: self.query_one(f"#ws-{key}", Input).value for key in KEYS}
        try:
            self.session.health.save_settings(values)
        except UserError as exc:
            self.query_one("#ws-problem", Static).update(exc.message())
            return
        self.dismiss(True)

    @on(Button.Pressed, "#ws-cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)

"""Settings kept with the vault: language, theme, minutes before auto-lock."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static

from branchtool import i18n
from branchtool.session import THEMES, UiSettings
from screens.base import localize_bindings
from screens.form import FormRow

MAX_IDLE_MINUTES = 240


class SettingsScreen(ModalScreen[UiSettings | None]):
    CSS_PATH = "settings.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "form.key.save", priority=True),
        Binding("escape", "cancel", "dialog.key.cancel"),
    ]

    def __init__(self, current: UiSettings) -> None:
        super().__init__()
        self.current = current
        language = current.language or i18n.language()
        self.rows = [
            FormRow(i18n.t("settings.language"), Select(
                [(i18n.t(f"settings.language.{lang}"), lang) for lang in i18n.LANGUAGES],
                value=language, allow_blank=False, compact=True, id="settings-language"),
                key="language"),
            FormRow(i18n.t("settings.theme"), Select(
                [(i18n.t(f"settings.theme.{theme}"), theme) for theme in THEMES],
                value=current.theme, allow_blank=False, compact=True, id="settings-theme"),
                key="theme"),
            FormRow(i18n.t("settings.idle_minutes"), Input(
                str(current.idle_minutes), type="integer", compact=True,
                id="settings-idle"), key="idle"),
        ]
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(classes="settings-box"):
            yield Static(i18n.t("settings.title"), classes="settings-title")
            yield from self.rows
            with Horizontal(classes="settings-buttons"):
                yield Button(i18n.t("form.save"), variant="primary", id="settings-save")
                yield Button(i18n.t("dialog.cancel"), id="settings-cancel")

    @on(Button.Pressed, "#settings-save")
    def action_save(self) -> None:
        text = self.query_one("#settings-idle", Input).value.strip()
        minutes = int(text) if text.isdigit() else 0
        if not 1 <= minutes <= MAX_IDLE_MINUTES:
            self.rows[2].show_problem(i18n.t("settings.idle_range", maximum=MAX_IDLE_MINUTES))
            return
        self.dismiss(UiSettings(
            language=str(self.query_one("#settings-language", Select).value),
            theme=str(self.query_one("#settings-theme", Select).value),
            idle_minutes=minutes))

    @on(Button.Pressed, "#settings-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

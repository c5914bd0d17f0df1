"""The office's settings: the daily report deadline and the largest bundle
file an import accepts. Kept in the office vault (recorded in its history)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input

from branchtool import i18n
from branchtool.errors import KeyedError, describe
from branchtool.office.model import OfficeSettings
from branchtool.office.service import OfficeService
from screens.base import localize_bindings
from screens.form import FormRow
from screens.plain import Static


class OfficeSettingsScreen(ModalScreen[OfficeSettings | None]):
    CSS_PATH = "office_settings.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "dialog.key.cancel"),
        Binding("ctrl+s", "save", "office_ui.settings.save", priority=True),
    ]

    def __init__(self, office: OfficeService) -> None:
        super().__init__()
        self.office = office
        current = office.settings()
        self.rows = {
            "deadline": FormRow(i18n.t("office_ui.settings.deadline"),
                                Input(current.deadline, compact=True, id="office-deadline-input"),
                                key="deadline", required=True),
            "max_size": FormRow(i18n.t("office_ui.settings.max_size"),
                                Input(str(current.max_size >> 20), compact=True,
                                      id="office-max-size-input"), key="max_size",
                                required=True),
        }
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(id="office-settings-box"):
            yield Static(i18n.t("office_ui.settings.title"), id="office-settings-title")
            yield self.rows["deadline"]
            yield self.rows["max_size"]
            with Horizontal(id="office-settings-actions"):
                yield Static(id="office-settings-message")
                yield Button(i18n.t("office_ui.save"), variant="primary", id="office-settings-ok")

    def value(self, key: str) -> str:
        widget = self.rows[key].widget
        assert isinstance(widget, Input)
        return widget.value.strip()

    @on(Input.Submitted)
    @on(Button.Pressed, "#office-settings-ok")
    def action_save(self) -> None:
        size = self.value("max_size")
        if not size.isdigit() or int(size) < 1:
            self.rows["max_size"].show_problem(i18n.t("office.bad_max_size"))
            return
        self.rows["max_size"].show_problem("")
        try:
            saved = self.office.save_settings(deadline=self.value("deadline"),
                                              max_size=int(size) << 20)
        except KeyedError as error:
            self.rows["deadline"].show_problem(describe(error))
            return
        self.dismiss(saved)

    def action_cancel(self) -> None:
        self.dismiss(None)

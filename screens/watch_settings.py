"""The thresholds of the early-warning rules: the fever threshold, how many
days missing in a row raise their own alert, and the check-in deadline.

``ThresholdFields`` is the one definition of their form: the dashboard's
dialog (``s``, ``WatchSettingsScreen``) and the settings (F9,
``screens.settings``) both show it."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input

from branchtool import i18n
from branchtool.errors import KeyedError, describe
from branchtool.session import Session
from screens.base import localize_bindings
from screens.plain import Label, Static

if TYPE_CHECKING:
    from branchtool.services.health import HealthService

KEYS = ("fever_threshold", "missing_days", "deadline")


class ThresholdFields(Vertical):
    """An input a threshold (``#ws-<key>``) holding its stored value, and
    the line that says what is wrong (``#ws-problem``). ``save`` writes them
    through the health service, which checks them: nothing is written when
    one is wrong."""

    DEFAULT_CSS = """
    ThresholdFields { height: auto; }
    ThresholdFields .ws-row { height: 1; }
    ThresholdFields .ws-label { width: 24; color: $text-muted; }
    ThresholdFields .ws-row Input { width: 1fr; }
    ThresholdFields #ws-problem { color: $error; height: auto; margin-top: 1; }
    """

    def __init__(self, health: HealthService, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.health = health
        self.stored = {key: str(value) for key, value in health.settings.to_doc().items()}

    def compose(self) -> ComposeResult:
        for key in KEYS:
            with Horizontal(classes="ws-row"):
                yield Label(i18n.t(f"health.settings.{key}"), classes="ws-label")
                yield Input(self.stored[key], compact=True, id=f"ws-{key}")
        yield Static("", id="ws-problem")

    def focus_first(self) -> None:
        self.query_one(f"#ws-{KEYS[0]}", Input).focus()

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        event.stop()
        self.screen.focus_next()

    @property
    def values(self) -> dict[str, str]:
        return {key: self.query_one(f"#ws-{key}", Input).value for key in KEYS}

    @property
    def changed(self) -> bool:
        return any(self.values[key].strip() != self.stored[key] for key in KEYS)

    def save(self) -> bool:
        """Write the thresholds; a wrong one is a sentence under the inputs and
        ``False``, and nothing is written."""
        problem = self.query_one("#ws-problem", Static)
        try:
            self.health.save_settings(self.values)
        except KeyedError as exc:
            problem.update(describe(exc))
            return False
        problem.update("")
        self.stored = {key: str(value) for key, value in self.health.settings.to_doc().items()}
        return True


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
        with Vertical(id="ws-box"):
            yield Static(i18n.t("watch.settings.title"), id="ws-title")
            yield ThresholdFields(self.session.health)
            with Horizontal(id="ws-buttons"):
                yield Button(i18n.t("form.save"), variant="primary", id="ws-save")
                yield Button(i18n.t("form.cancel"), id="ws-cancel")

    def on_mount(self) -> None:
        self.query_one(ThresholdFields).focus_first()

    @on(Button.Pressed, "#ws-save")
    def action_save(self) -> None:
        if self.query_one(ThresholdFields).save():
            self.dismiss(True)

    @on(Button.Pressed, "#ws-cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)

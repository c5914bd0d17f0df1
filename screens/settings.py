"""Settings kept with the vault: language, theme, minutes before auto-lock;
in an office vault, who the office is (name and fingerprint); in a branch
vault, the secretary's name and phone (encrypted; the office phones them),
the alert thresholds of the epidemic watch (the same
form as the dashboard's ``s``: ``screens.watch_settings.ThresholdFields``) and
the keys: the office key and the branch's signing key, each in its own dialog
that confirms and stores on its own (``OfficeKeyScreen``, ``KeyRotationScreen``).

Save checks everything before it writes anything: a wrong value is a sentence
beside it and nothing is stored; Cancel stores nothing."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input

from branchtool import contact, i18n
from branchtool.contact import NAME_MAX, PHONE_MAX
from branchtool.errors import KeyedError, describe
from branchtool.session import BORDERS, THEMES, Session, UiSettings
from screens.base import localize_bindings
from screens.form import FormRow
from screens.office_main import is_office, office_identity
from screens.plain import Select, Static
from screens.watch_settings import ThresholdFields

MAX_IDLE_MINUTES = 240


def has_thresholds(session: Session | None) -> bool:
    """Whether ``session`` is an unlocked branch vault (an office keeps no check-ins)."""
    return session is not None and session.unlocked and not is_office(session)


class SettingsScreen(ModalScreen[UiSettings | None]):
    CSS_PATH = "settings.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "form.key.save", priority=True),
        Binding("escape", "cancel", "dialog.key.cancel"),
    ]

    def __init__(self, current: UiSettings, session: Session | None = None) -> None:
        """``session``: the vault whose thresholds to show; the app's when not given."""
        super().__init__()
        self.current = current
        self.session = session
        self.thresholds: ThresholdFields | None = None
        self.contact_rows: list[FormRow] = []
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
            FormRow(i18n.t("platform.borders"), Select(
                [(i18n.t(f"platform.borders.{kind}"), kind) for kind in BORDERS],
                value=current.borders, allow_blank=False, compact=True,
                id="settings-borders"), key="borders"),
        ]
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        if self.session is None:
            self.session = getattr(self.app, "session", None)
        if has_thresholds(self.session):
            assert self.session is not None
            self.thresholds = ThresholdFields(self.session.health, id="settings-thresholds")
            secretary = self.session.contact()
            self.contact_rows = [
                FormRow(i18n.t("settings.secretary"), Input(
                    secretary.name, compact=True, id="settings-secretary",
                    max_length=NAME_MAX), key="secretary"),
                FormRow(i18n.t("settings.phone"), Input(
                    secretary.phone, compact=True, id="settings-phone",
                    max_length=PHONE_MAX), key="phone"),
            ]
        with VerticalScroll(classes="settings-box"):
            yield Static(i18n.t("settings.title"), classes="settings-title")
            yield from self.rows
            if self.session is not None and is_office(self.session):
                yield Static(i18n.t("settings.office"), classes="settings-heading")
                yield Static(office_identity(self.session), id="settings-office")
            if self.contact_rows:
                yield Static(i18n.t("settings.contact"), classes="settings-heading")
                yield from self.contact_rows
            if self.thresholds is not None:
                yield Static(i18n.t("watch.settings.title"), classes="settings-heading")
                yield self.thresholds
                yield Static(i18n.t("settings.keys"), classes="settings-heading")
                with Horizontal(classes="settings-keys"):
                    yield Button(i18n.t("settings.office_key"), id="settings-office-key",
                                 compact=True)
                    yield Button(i18n.t("keys_ui.settings"), id="settings-signing-key",
                                 compact=True)
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
        self.rows[2].show_problem("")
        if self.contact_rows and not self._check_contact():
            return
        if self.thresholds is not None and self.thresholds.changed:
            if not self.thresholds.save():
                return
            self._refresh_dashboards()
        if self.contact_rows and not self._save_contact():
            return
        self.dismiss(UiSettings(
            language=str(self.query_one("#settings-language", Select).value),
            theme=str(self.query_one("#settings-theme", Select).value),
            idle_minutes=minutes,
            borders=str(self.query_one("#settings-borders", Select).value)))

    def _typed_contact(self) -> tuple[str, str]:
        return (self.query_one("#settings-secretary", Input).value.strip(),
                self.query_one("#settings-phone", Input).value.strip())

    def _check_contact(self) -> bool:
        """The secretary's name and phone as typed; False with the problem
        shown beside its field."""
        for row in self.contact_rows:
            row.show_problem("")
        found = contact.problem(*self._typed_contact())
        if found is None:
            return True
        row = self.contact_rows[0 if found[0] == "name" else 1]
        row.show_problem(i18n.t(found[1], maximum=NAME_MAX if found[0] == "name"
                                else PHONE_MAX))
        return False

    def _save_contact(self) -> bool:
        """Stored (encrypted) when changed."""
        assert self.session is not None
        name, phone = self._typed_contact()
        if contact.Contact(name, phone) != self.session.contact():
            try:
                self.session.save_contact(name, phone)
            except KeyedError as error:
                self.contact_rows[0].show_problem(describe(error))
                return False
        return True

    def _refresh_dashboards(self) -> None:
        """New thresholds change the figures: the dashboards under this dialog recompute."""
        from screens.dashboard import DashboardPane

        for screen in self.app.screen_stack:
            if screen is not self:
                for pane in screen.query(DashboardPane):
                    pane.post_message(DashboardPane.Refresh())

    @on(Button.Pressed, "#settings-office-key")
    def office_key(self) -> None:
        from screens.office_key import OfficeKeyScreen

        assert self.session is not None
        self.app.push_screen(OfficeKeyScreen(self.session), self._keys_changed)

    @on(Button.Pressed, "#settings-signing-key")
    def signing_key(self) -> None:
        """The Send section under this dialog, when there is one, tells the
        rotation its folder and whether it is signing a bundle now."""
        from screens.bundle_export import BundlePane
        from screens.key_rotation import KeyRotationScreen

        assert self.session is not None
        panes = [pane for screen in self.app.screen_stack for pane in screen.query(BundlePane)]
        dialog = panes[0].key_rotation() if panes else KeyRotationScreen(self.session)
        self.app.push_screen(dialog, self._keys_changed)

    def _keys_changed(self, changed: bool | None) -> None:
        """The export pane under this dialog shows the office key: it reads it again."""
        from screens.bundle_export import BundlePane

        if changed:
            for screen in self.app.screen_stack:
                for pane in screen.query(BundlePane):
                    pane.reload_data()

    @on(Button.Pressed, "#settings-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

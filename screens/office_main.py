"""Office mode's main screen: the dashboard, the import, the trusted branches.

The app shows it instead of the branch's main screen when the unlocked vault
is an office vault (``main_screen_for``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.binding import BindingType
from textual.screen import Screen
from textual.widget import Widget

from branchtool import i18n
from branchtool.session import Session
from screens.commands import PaletteCommand
from screens.office_dashboard import OfficeDashboard
from screens.office_events import OfficeChanged
from screens.office_import import OfficeImportPane
from screens.office_inbox import OfficeInboxPane
from screens.office_trust import TrustPane
from screens.sections import SectionsScreen, section_bindings

SECTIONS: list[tuple[str, str, Callable[[Session], Widget]]] = [
    ("dashboard", "office_ui.section.dashboard", OfficeDashboard),
    ("import", "office_ui.section.import", OfficeImportPane),
    ("trust", "office_ui.section.trust", TrustPane),
    ("inbox", "inbox_ui.section", OfficeInboxPane),  # notices and tasks to the branches
]


def is_office(session: Session) -> bool:
    return session.unlocked and session.vault.kind == "office"


def office_identity(session: Session) -> str:
    """The office's name and fingerprint, as the branches compare it by phone."""
    from branchtool.office.create import office_key

    key = office_key(session.vault)
    return i18n.t("settings.office_key_line", name=key.name, fingerprint=key.fingerprint)


def main_screen_for(session: Session, today: Callable[[], dt.date]) -> Screen[None]:
    """The office's main screen for an office vault, the branch's otherwise."""
    if is_office(session):
        return OfficeMainScreen(session, today)
    from screens.main import MainScreen

    return MainScreen(session, today)


class OfficeMainScreen(SectionsScreen):
    CSS_PATH = "office_main.tcss"
    SECTIONS_ID = "office-sections"
    SECTION_PREFIX = "office-section-"
    SECTION_LIST = SECTIONS
    BINDINGS: ClassVar[list[BindingType]] = section_bindings(SECTIONS)

    def header_name(self) -> str:
        return str(self.session.info().get("office_name", ""))

    def header_title(self) -> str:
        return i18n.t("app.title.office")

    def palette_commands(self) -> list[PaletteCommand]:
        """The sections' commands, and who this office is (its fingerprint)."""
        from branchtool.office.create import office_key

        key = office_key(self.session.vault)
        return [*super().palette_commands(),
                PaletteCommand(i18n.t("office_ui.cmd.identity", name=key.name),
                               i18n.t("office_ui.cmd.identity_help",
                                      fingerprint=key.fingerprint), self._show_identity),
                PaletteCommand(i18n.t("office_ui.cmd.write_key"),
                               i18n.t("office_ui.cmd.write_key_help"), self._write_key)]

    def _show_identity(self) -> None:
        self.notify(office_identity(self.session), timeout=20)

    def _write_key(self) -> None:
        from pathlib import Path

        from screens.path_prompt import PathScreen

        self.app.push_screen(PathScreen(i18n.t("office_ui.key_file_title"), Path.home(),
                                        ok=i18n.t("office_ui.write"),
                                        note=i18n.t("office_ui.cmd.write_key_help"),
                                        must_exist=True), self._key_folder)

    def _key_folder(self, folder: object) -> None:
        from pathlib import Path

        from branchtool.errors import KeyedError, describe
        from branchtool.office.create import office_key, write_key_file

        if folder is None:
            return
        key = office_key(self.session.vault)
        try:
            path = write_key_file(key, Path(str(folder)))
        except KeyedError as error:
            self.notify(describe(error), severity="error")
            return
        self.notify(i18n.t("office_ui.key_written", path=str(path),
                           fingerprint=key.fingerprint), timeout=20)

    @on(OfficeChanged)
    def _office_changed(self) -> None:
        for pane in self.panes:
            if isinstance(pane, OfficeDashboard | TrustPane | OfficeInboxPane):
                pane.reload_data()

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

from branchtool.session import Session
from screens.office_dashboard import OfficeChanged, OfficeDashboard
from screens.office_import import OfficeImportPane
from screens.office_trust import TrustPane
from screens.sections import SectionsScreen, section_bindings

SECTIONS: list[tuple[str, str, Callable[[Session], Widget]]] = [
    ("dashboard", "office_ui.section.dashboard", OfficeDashboard),
    ("import", "office_ui.section.import", OfficeImportPane),
    ("trust", "office_ui.section.trust", TrustPane),
]


def is_office(session: Session) -> bool:
    return session.unlocked and session.vault.kind == "office"


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

    @on(OfficeChanged)
    def _office_changed(self) -> None:
        for pane in self.panes:
            if isinstance(pane, OfficeDashboard | TrustPane):
                pane.reload_data()

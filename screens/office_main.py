"""Office mode's main screen: the dashboard, the import, the trusted branches.

The app shows it instead of the branch's main screen when the unlocked vault
is an office vault (``main_screen_for``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer

from branchtool.session import Session
from screens.base import LockAware, localize_bindings
from screens.header import BranchHeader
from screens.office_dashboard import OfficeChanged, OfficeDashboard
from screens.office_import import OfficeImportPane
from screens.office_trust import TrustPane
from screens.sections import SectionsMixin, section_bindings

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


class OfficeMainScreen(SectionsMixin, Screen[None], LockAware):
    CSS_PATH = "office_main.tcss"
    SECTIONS_ID = "office-sections"
    SECTION_PREFIX = "office-section-"
    SECTION_LIST = SECTIONS
    BINDINGS: ClassVar[list[BindingType]] = section_bindings(SECTIONS)

    def __init__(self, session: Session, today: Callable[[], dt.date]) -> None:
        super().__init__()
        self.session = session
        self.today = today
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        yield BranchHeader(str(self.session.info().get("office_name", "")), self.today)
        yield from self.compose_sections()
        yield Footer(compact=True)

    @on(OfficeChanged)
    def _office_changed(self) -> None:
        for pane in self.panes:
            if isinstance(pane, OfficeDashboard | TrustPane):
                pane.reload_data()

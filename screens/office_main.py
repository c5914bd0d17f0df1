"""Office mode's main screen: the dashboard, the import, the trusted branches.

The app shows it instead of the branch's main screen when the unlocked vault
is an office vault (``main_screen_for``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, TabbedContent, TabPane

from branchtool import i18n
from branchtool.session import Session
from screens.base import LockAware, localize_bindings
from screens.header import BranchHeader
from screens.office_dashboard import OfficeChanged, OfficeDashboard
from screens.office_import import OfficeImportPane
from screens.office_trust import TrustPane
from screens.sections import SectionsMixin

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
    SECTION_PREFIX = "office-section-"
    SECTION_LIST = SECTIONS
    BINDINGS: ClassVar[list[BindingType]] = [
        # Alt+digit does not reach the app in every terminal (tmux, xterm);
        # priority: an input or a table that scrolls sideways binds these keys.
        Binding("ctrl+pagedown", "step_section(1)", "app.key.next_section", show=False,
                priority=True),
        Binding("ctrl+pageup", "step_section(-1)", "app.key.previous_section", show=False,
                priority=True),
    ] + [
        Binding(f"alt+{i + 1}", f"section('{sid}')", title, show=False)
        for i, (sid, title, _) in enumerate(SECTIONS)
    ]

    def __init__(self, session: Session, today: Callable[[], dt.date]) -> None:
        super().__init__()
        self.session = session
        self.today = today
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        yield BranchHeader(str(self.session.info().get("office_name", "")), self.today)
        with TabbedContent(id="office-sections"):
            for i, (sid, title, make) in enumerate(SECTIONS):
                with TabPane(i18n.t(title), id=f"office-section-{sid}"):
                    if i == 0:
                        yield make(self.session)
        yield Footer(compact=True)

    @on(TabbedContent.TabActivated)
    def _open_section(self, event: TabbedContent.TabActivated) -> None:
        pane = event.pane
        if not pane.children:
            make = next(m for sid, _, m in SECTIONS if pane.id == f"office-section-{sid}")
            pane.mount(make(self.session))

    @on(OfficeChanged)
    def _office_changed(self) -> None:
        for pane in self.panes:
            if isinstance(pane, OfficeDashboard | TrustPane):
                pane.reload_data()

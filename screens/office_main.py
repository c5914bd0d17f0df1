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
from screens.commands import PaletteCommand
from screens.header import BranchHeader
from screens.office_dashboard import OfficeChanged, OfficeDashboard
from screens.office_import import OfficeImportPane
from screens.office_trust import TrustPane

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


class OfficeMainScreen(Screen[None], LockAware):
    CSS_PATH = "office_main.tcss"
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

    @property
    def panes(self) -> list[Widget]:
        tabs = [self.query_one(f"#office-section-{sid}", TabPane) for sid, _, _ in SECTIONS]
        return [tab.children[0] for tab in tabs if tab.children]

    @property
    def active_pane(self) -> Widget | None:
        active = self.query_one(TabbedContent).active or f"office-section-{SECTIONS[0][0]}"
        children = self.query_one(f"#{active}", TabPane).children
        return children[0] if children else None

    def action_section(self, sid: str) -> None:
        # A focused widget that is hidden hands the focus to a sibling, which
        # would bring its section straight back: the section shown takes it.
        tabs = self.query_one(TabbedContent)
        if tabs.active != f"office-section-{sid}":
            self.set_focus(None)
            tabs.active = f"office-section-{sid}"

    def action_step_section(self, step: int) -> None:
        """The next (or previous) section, round the end."""
        ids = [sid for sid, _, _ in SECTIONS]
        active = self.query_one(TabbedContent).active.removeprefix("office-section-")
        at = ids.index(active) if active in ids else 0
        self.action_section(ids[(at + step) % len(ids)])

    def palette_commands(self) -> list[PaletteCommand]:
        commands = [
            PaletteCommand(i18n.t("app.cmd.go", section=i18n.t(title)),
                           i18n.t("app.cmd.go_help"), lambda s=sid: self.action_section(s))
            for sid, title, _ in SECTIONS
        ]
        pane = self.active_pane
        if pane is not None and hasattr(pane, "palette_commands"):
            commands.extend(pane.palette_commands())
        return commands

    def forget_data(self) -> None:
        for pane in self.panes:
            if isinstance(pane, LockAware):
                pane.forget_data()

    def reload_data(self) -> None:
        for pane in self.panes:
            if isinstance(pane, LockAware):
                pane.reload_data()

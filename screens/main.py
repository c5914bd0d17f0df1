"""The main screen: header, one tab per section that exists, the footer keys."""

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
from screens.bundle_export import BundlePane
from screens.care import CarePane
from screens.commands import PaletteCommand
from screens.dashboard import PANELS
from screens.header import BranchHeader
from screens.member_records import RecordsPane
from screens.reminders import RemindersPanel
from screens.reports_pane import ReportsPane
from screens.roster_pane import RosterPane
from screens.tasks import TasksPane
from screens.watch_section import WatchPane

# Every section of the branch's work: (id, catalog key of its title, its pane).
# Later areas add theirs here.
SECTIONS: list[tuple[str, str, Callable[[Session], Widget]]] = [
    ("roster", "app.section.roster", RosterPane),
    ("care", "care.section", CarePane),
    ("tasks", "task.section", TasksPane),
    ("records", "member_record.section", RecordsPane),
    ("watch", "watch.section", WatchPane),
    ("reports", "report.section", ReportsPane),
    ("bundle", "export_ui.section", BundlePane),
]
PANELS.append(RemindersPanel)  # visits and tasks due, on the dashboard


class MainScreen(Screen[None], LockAware):
    CSS_PATH = "main.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        # priority: an input or a table that scrolls sideways binds these keys
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
        yield BranchHeader(str(self.session.info().get("branch_name", "")), self.today)
        with TabbedContent(id="sections"):
            for i, (sid, title, make) in enumerate(SECTIONS):
                with TabPane(i18n.t(title), id=f"section-{sid}"):
                    if i == 0:  # the others are built when first opened
                        yield make(self.session)
        yield Footer(compact=True)

    @on(TabbedContent.TabActivated)
    def _open_section(self, event: TabbedContent.TabActivated) -> None:
        """Build a section's pane the first time it is shown, so that start-up
        loads only the first section's data."""
        pane = event.pane
        if not pane.children:
            make = next(m for sid, _, m in SECTIONS if pane.id == f"section-{sid}")
            pane.mount(make(self.session))

    @property
    def panes(self) -> list[Widget]:
        """The sections' panes built so far."""
        tabs = [self.query_one(f"#section-{sid}", TabPane) for sid, _, _ in SECTIONS]
        return [tab.children[0] for tab in tabs if tab.children]

    @property
    def active_pane(self) -> Widget | None:
        active = self.query_one(TabbedContent).active or f"section-{SECTIONS[0][0]}"
        children = self.query_one(f"#{active}", TabPane).children
        return children[0] if children else None

    def action_section(self, sid: str) -> None:
        # A focused widget that is hidden hands the focus to a sibling, which
        # would bring its section straight back: the section shown takes it.
        tabs = self.query_one(TabbedContent)
        if tabs.active != f"section-{sid}":
            self.set_focus(None)
            tabs.active = f"section-{sid}"

    def action_step_section(self, step: int) -> None:
        """The next (or previous) section, round the end."""
        ids = [sid for sid, _, _ in SECTIONS]
        active = self.query_one(TabbedContent).active.removeprefix("section-")
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

"""The main screen: header, one tab per section that exists, the footer keys."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import ClassVar

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
            for sid, title, make in SECTIONS:
                with TabPane(i18n.t(title), id=f"section-{sid}"):
                    yield make(self.session)
        yield Footer(compact=True)

    @property
    def panes(self) -> list[Widget]:
        return [self.query_one(f"#section-{sid}", TabPane).children[0] for sid, _, _ in SECTIONS]

    @property
    def active_pane(self) -> Widget:
        active = self.query_one(TabbedContent).active or f"section-{SECTIONS[0][0]}"
        return self.query_one(f"#{active}", TabPane).children[0]

    def action_section(self, sid: str) -> None:
        self.query_one(TabbedContent).active = f"section-{sid}"

    def palette_commands(self) -> list[PaletteCommand]:
        commands = [
            PaletteCommand(i18n.t("app.cmd.go", section=i18n.t(title)),
                           i18n.t("app.cmd.go_help"), lambda s=sid: self.action_section(s))
            for sid, title, _ in SECTIONS
        ]
        pane = self.active_pane
        if hasattr(pane, "palette_commands"):
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

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
from screens.dashboard import PANELS
from screens.header import BranchHeader
from screens.member_records import RecordsPane
from screens.reminders import RemindersPanel
from screens.reports_pane import ReportsPane
from screens.roster_pane import RosterPane
from screens.sections import SectionsMixin
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


class MainScreen(SectionsMixin, Screen[None], LockAware):
    CSS_PATH = "main.tcss"
    SECTION_LIST = SECTIONS
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

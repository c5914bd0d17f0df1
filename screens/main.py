"""The main screen: header, one tab per section that exists, the footer keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.binding import BindingType
from textual.widget import Widget

from branchtool.session import Session
from screens.bundle_export import BundlePane
from screens.care import CarePane
from screens.member_records import RecordsPane
from screens.reports_pane import ReportsPane
from screens.roster_pane import RosterPane
from screens.sections import SectionsScreen, section_bindings
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


class MainScreen(SectionsScreen):
    CSS_PATH = "main.tcss"
    SECTION_LIST = SECTIONS
    BINDINGS: ClassVar[list[BindingType]] = section_bindings(SECTIONS)

    def header_name(self) -> str:
        return str(self.session.info().get("branch_name", ""))

"""The epidemic-watch section (疫情防控) of the main screen: four tabs — the
dashboard, the day sheet, close contacts, notice relays. Keys 1–4 switch
tabs; a figure of the dashboard opens its list here; after a write in any
tab the dashboard recomputes when it is shown again."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import TabbedContent, TabPane

from branchtool import i18n
from branchtool.session import Session
from screens.base import LockAware, localize_bindings
from screens.commands import PaletteCommand
from screens.contacts import ContactsPane
from screens.dashboard import DashboardPane
from screens.day_sheet import CheckinsPane
from screens.notices import NoticesPane

TABS = (
    ("dashboard", "watch.section.dashboard", DashboardPane),
    ("checkins", "watch.section.checkins", CheckinsPane),
    ("contacts", "watch.section.contacts", ContactsPane),
    ("notices", "watch.section.notices", NoticesPane),
)
TARGET_TABS = {"sheet": "checkins", "sheet_missing": "checkins", "contacts": "contacts",
               "notices": "notices"}


class WatchPane(Vertical, LockAware):
    DEFAULT_CSS = """
    WatchPane { height: 1fr; }
    WatchPane > TabbedContent { height: 1fr; }
    WatchPane > TabbedContent > ContentSwitcher { height: 1fr; }
    WatchPane TabPane { padding: 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(str(i + 1), f"tab('{tid}')", title, show=False)
        for i, (tid, title, _) in enumerate(TABS)
    ]

    def __init__(self, session: Session) -> None:
        super().__init__(id="watch-section")
        self.session = session
        self.stale = False  # the dashboard's figures are out of date
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with TabbedContent(id="watch-tabs"):
            for tid, title, make in TABS:
                with TabPane(i18n.t(title), id=f"watch-{tid}"):
                    yield make(self.session)

    def on_show(self) -> None:
        """Shown as the main screen's section: the keys go to the active tab."""
        self.call_after_refresh(self.focus_active)

    def focus_active(self) -> None:
        focused = self.app.focused
        if focused is not None and self in focused.ancestors:
            return
        active = (self.query_one(TabbedContent).active or "watch-dashboard").removeprefix(
            "watch-")
        focus = getattr(self.pane(active), "focus_list", None)
        if focus is not None:
            focus()

    def pane(self, tid: str) -> Widget:
        return self.query_one(f"#watch-{tid}", TabPane).children[0]

    @property
    def panes(self) -> list[Widget]:
        return [self.pane(tid) for tid, _, _ in TABS]

    def action_tab(self, tid: str) -> None:
        self.query_one(TabbedContent).active = f"watch-{tid}"
        focus = getattr(self.pane(tid), "focus_list", None)
        if focus is not None:
            focus()

    @on(DashboardPane.Open)
    def _open(self, event: DashboardPane.Open) -> None:
        event.stop()
        tid = TARGET_TABS[event.target]
        self.action_tab(tid)
        pane = self.pane(tid)
        if tid == "checkins":
            pane.show_only("missing" if event.target == "sheet_missing" else "")  # type: ignore[attr-defined]

    @on(CheckinsPane.Written)
    @on(ContactsPane.Changed)
    @on(NoticesPane.Changed)
    def _written(self, event: Message) -> None:
        event.stop()
        self.stale = True

    @on(TabbedContent.TabActivated, "#watch-tabs")
    def _activated(self, event: TabbedContent.TabActivated) -> None:
        pane_id = event.pane.id or ""
        if pane_id == "watch-dashboard" and self.stale:
            self.stale = False
            self.pane("dashboard").reload_data()  # type: ignore[attr-defined]
        elif pane_id in ("watch-contacts", "watch-notices"):
            self.pane(pane_id.removeprefix("watch-")).reload_data()  # type: ignore[attr-defined]

    def palette_commands(self) -> list[PaletteCommand]:
        return [PaletteCommand(i18n.t("app.cmd.go", section=i18n.t(title)),
                               i18n.t("app.cmd.go_help"), lambda t=tid: self.action_tab(t))
                for tid, title, _ in TABS]

    def forget_data(self) -> None:
        for pane in self.panes:
            if isinstance(pane, LockAware):
                pane.forget_data()

    def reload_data(self) -> None:
        for pane in self.panes:
            if isinstance(pane, LockAware):
                pane.reload_data()

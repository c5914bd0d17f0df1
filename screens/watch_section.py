"""The epidemic-watch section (疫情防控) of the main screen: four tabs — the
dashboard, the day sheet, close contacts, notice relays. Keys 1–4 switch
tabs; a figure of the dashboard opens its list here; after a write in any
tab the dashboard recomputes when it is shown again.

Nothing is read at start-up: a tab loads its data the first time it is shown
(the dashboard, when the section is first shown, also starts loading today's
day sheet in the background, so that opening it is instant)."""

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
from screens.list_pane import ListPane
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
        self.loaded: set[str] = set()  # tabs that have shown their data since unlock
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with TabbedContent(id="watch-tabs"):
            for tid, title, make in TABS:
                with TabPane(i18n.t(title), id=f"watch-{tid}"):
                    yield make(self.session)

    @property
    def active(self) -> str:
        return (self.query_one(TabbedContent).active or "watch-dashboard").removeprefix("watch-")

    def on_show(self) -> None:
        """Shown as the main screen's section: load what the active tab shows,
        and let the keys go to it."""
        self.call_after_refresh(self.show_active)

    def show_active(self) -> None:
        if not self.session.unlocked:
            return
        active = self.active
        self.ensure_loaded(active)
        if active == "dashboard":
            self.ensure_loaded("checkins")  # in the background: the sheet opens warm
        focused = self.app.focused
        if focused is None or self.pane(active) not in focused.ancestors:
            focus = getattr(self.pane(active), "focus_list", None)
            if focus is not None:
                focus()

    def ensure_loaded(self, tid: str) -> None:
        if tid not in self.loaded:
            self.loaded.add(tid)
            self.pane(tid).reload_data()  # type: ignore[attr-defined]

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

    @on(ListPane.Changed)
    def _written(self, event: Message) -> None:
        event.stop()
        self.stale = True

    @on(TabbedContent.TabActivated, "#watch-tabs")
    def _activated(self, event: TabbedContent.TabActivated) -> None:
        tid = (event.pane.id or "").removeprefix("watch-")
        if tid not in self.loaded:
            self.ensure_loaded(tid)
        elif tid == "dashboard" and self.stale:
            self.stale = False
            self.pane("dashboard").reload_data()  # type: ignore[attr-defined]
        elif tid in ("contacts", "notices"):  # cheap: always current
            self.pane(tid).reload_data()  # type: ignore[attr-defined]

    def palette_commands(self) -> list[PaletteCommand]:
        return [PaletteCommand(i18n.t("app.cmd.go", section=i18n.t(title)),
                               i18n.t("app.cmd.go_help"), lambda t=tid: self.action_tab(t))
                for tid, title, _ in TABS]

    def forget_data(self) -> None:
        self.loaded.clear()
        for pane in self.panes:
            if isinstance(pane, LockAware):
                pane.forget_data()

    def reload_data(self) -> None:
        """After an unlock: the shown tab loads again, the others when shown."""
        self.loaded.clear()
        if self.is_displayed_section():
            self.show_active()

    def is_displayed_section(self) -> bool:
        tabs = self.query_ancestor(TabPane) if self.parent is not None else None
        return tabs is not None and tabs.display and self.display

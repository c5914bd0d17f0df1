"""What the main screens share (the branch's, the office's, and the office's
view of a branch): a header, sections in tabs, built when first shown,
switched by id or stepped through, each one's palette commands offered, and
each told about locks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import TabbedContent, TabPane

from branchtool import i18n
from screens.base import LockAware, is_read_only, localize_bindings
from screens.commands import PaletteCommand
from screens.header import BranchHeader
from screens.plain import Footer

Section = tuple[str, str, Callable[..., Widget]]


def section_bindings(sections: list[Section]) -> list[BindingType]:
    """Ctrl+PageDown / Ctrl+PageUp step through the sections, Alt+digit picks one.
    Priority: an input or a table that scrolls sideways binds these keys; and
    Alt+digit does not reach the app in every terminal (tmux, xterm)."""
    return [
        Binding("ctrl+pagedown", "step_section(1)", "app.key.next_section", show=False,
                priority=True),
        Binding("ctrl+pageup", "step_section(-1)", "app.key.previous_section", show=False,
                priority=True),
    ] + [
        Binding(f"alt+{i + 1}", f"section('{sid}')", title, show=False)
        for i, (sid, title, _) in enumerate(sections)
    ]


class SectionsScreen(Screen[None], LockAware):
    """A main screen: a header naming ``header_name()``, the sections, the
    footer keys. The sections are ``TabPane``s with ids ``<SECTION_PREFIX>
    <section id>`` in a ``TabbedContent`` with id ``SECTIONS_ID``;
    ``SECTION_LIST`` lists (id, title key, factory). Each factory is called
    with the screen's ``session``. A subclass sets its ``BINDINGS`` from
    ``section_bindings``."""

    SECTIONS_ID: ClassVar[str] = "sections"
    SECTION_PREFIX: ClassVar[str] = "section-"
    SECTION_LIST: ClassVar[list[Section]] = []

    def __init__(self, session: Any, today: Callable[[], dt.date]) -> None:
        super().__init__()
        self.session = session
        self.today = today
        localize_bindings(self)

    def header_name(self) -> str:
        raise NotImplementedError

    def header_title(self) -> str | None:
        """The program's name in the header (``None``: the branch's workbench)."""
        return None

    def compose(self) -> ComposeResult:
        yield BranchHeader(self.header_name(), self.today, self.header_title())
        yield from self.compose_sections()
        yield Footer(compact=True)

    def compose_sections(self) -> ComposeResult:
        """The sections' tabs; only the first section's pane is built now."""
        with TabbedContent(id=self.SECTIONS_ID):
            for i, (sid, title, make) in enumerate(self.SECTION_LIST):
                with TabPane(i18n.t(title), id=f"{self.SECTION_PREFIX}{sid}"):
                    if i == 0:
                        yield make(self.session)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """Build a section's pane the first time it is shown, so that start-up
        loads only the first section's data."""
        pane = event.pane
        if event.tabbed_content.id != self.SECTIONS_ID or pane.children:
            return
        make = next((m for sid, _, m in self.SECTION_LIST
                     if pane.id == f"{self.SECTION_PREFIX}{sid}"), None)
        if make is not None:
            pane.mount(make(self.session))

    @property
    def panes(self) -> list[Widget]:
        """The sections' panes built so far."""
        tabs = [self.query_one(f"#{self.SECTION_PREFIX}{sid}", TabPane)
                for sid, _, _ in self.SECTION_LIST]
        return [tab.children[0] for tab in tabs if tab.children]

    @property
    def active_pane(self) -> Widget | None:
        active = (self.query_one(f"#{self.SECTIONS_ID}", TabbedContent).active
                  or f"{self.SECTION_PREFIX}{self.SECTION_LIST[0][0]}")
        children = self.query_one(f"#{active}", TabPane).children
        return children[0] if children else None

    def action_section(self, sid: str) -> None:
        # A focused widget that is hidden hands the focus to a sibling, which
        # would bring its section straight back: the section shown takes it.
        tabs = self.query_one(f"#{self.SECTIONS_ID}", TabbedContent)
        if tabs.active != f"{self.SECTION_PREFIX}{sid}":
            self.set_focus(None)
            tabs.active = f"{self.SECTION_PREFIX}{sid}"

    def action_step_section(self, step: int) -> None:
        """The next (or previous) section, round the end."""
        ids = [sid for sid, _, _ in self.SECTION_LIST]
        tabs = self.query_one(f"#{self.SECTIONS_ID}", TabbedContent)
        active = tabs.active.removeprefix(self.SECTION_PREFIX)
        at = ids.index(active) if active in ids else 0
        self.action_section(ids[(at + step) % len(ids)])

    def build_sections(self) -> None:
        """Build every section's pane not built yet, so that the palette can
        offer its commands (their data still loads when first shown)."""
        for sid, _, make in self.SECTION_LIST:
            tab = self.query_one(f"#{self.SECTION_PREFIX}{sid}", TabPane)
            if not tab.children:
                tab.mount(make(self.session))

    def palette_commands(self) -> list[PaletteCommand]:
        """Going to each section, then every built section's own commands:
        the one shown first; another's opens its section, then runs."""
        commands = [
            PaletteCommand(i18n.t("app.cmd.go", section=i18n.t(title)),
                           i18n.t("app.cmd.go_help"), lambda s=sid: self.action_section(s))
            for sid, title, _ in self.SECTION_LIST
        ]
        active = self.active_pane
        others: list[PaletteCommand] = []
        for sid, _, _ in self.SECTION_LIST:
            tab = self.query_one(f"#{self.SECTION_PREFIX}{sid}", TabPane)
            pane = tab.children[0] if tab.children else None
            if pane is None or not hasattr(pane, "palette_commands"):
                continue
            read_only = is_read_only(pane)
            for command in pane.palette_commands():
                if read_only and command.writes:
                    continue
                if pane is active:
                    commands.append(command)
                else:
                    others.append(command._replace(
                        callback=partial(self._in_section, sid, command.callback)))
        return commands + others

    def _in_section(self, sid: str, callback: Callable[[], object]) -> None:
        self.action_section(sid)
        self.call_after_refresh(callback)

    def forget_data(self) -> None:
        for pane in self.panes:
            if isinstance(pane, LockAware):
                pane.forget_data()

    def reload_data(self) -> None:
        for pane in self.panes:
            if isinstance(pane, LockAware):
                pane.reload_data()

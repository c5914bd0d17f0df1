"""What the branch and the office main screens share: sections in tabs, built
when first shown, switched by id or stepped through, each one's palette
commands offered, and each told about locks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual.widget import Widget
from textual.widgets import TabbedContent, TabPane

from branchtool import i18n
from screens.base import LockAware
from screens.commands import PaletteCommand

Section = tuple[str, str, Callable[..., Widget]]


class SectionsMixin:
    """For a ``Screen`` whose sections are ``TabPane``s with ids
    ``<SECTION_PREFIX><section id>``; ``SECTION_LIST`` lists (id, title key, factory)."""

    SECTION_PREFIX: ClassVar[str] = "section-"
    SECTION_LIST: ClassVar[list[Section]] = []

    query_one: Any
    set_focus: Any

    @property
    def panes(self) -> list[Widget]:
        """The sections' panes built so far."""
        tabs = [self.query_one(f"#{self.SECTION_PREFIX}{sid}", TabPane)
                for sid, _, _ in self.SECTION_LIST]
        return [tab.children[0] for tab in tabs if tab.children]

    @property
    def active_pane(self) -> Widget | None:
        active = (self.query_one(TabbedContent).active
                  or f"{self.SECTION_PREFIX}{self.SECTION_LIST[0][0]}")
        children = self.query_one(f"#{active}", TabPane).children
        return children[0] if children else None

    def action_section(self, sid: str) -> None:
        # A focused widget that is hidden hands the focus to a sibling, which
        # would bring its section straight back: the section shown takes it.
        tabs = self.query_one(TabbedContent)
        if tabs.active != f"{self.SECTION_PREFIX}{sid}":
            self.set_focus(None)
            tabs.active = f"{self.SECTION_PREFIX}{sid}"

    def action_step_section(self, step: int) -> None:
        """The next (or previous) section, round the end."""
        ids = [sid for sid, _, _ in self.SECTION_LIST]
        active = self.query_one(TabbedContent).active.removeprefix(self.SECTION_PREFIX)
        at = ids.index(active) if active in ids else 0
        self.action_section(ids[(at + step) % len(ids)])

    def palette_commands(self) -> list[PaletteCommand]:
        commands = [
            PaletteCommand(i18n.t("app.cmd.go", section=i18n.t(title)),
                           i18n.t("app.cmd.go_help"), lambda s=sid: self.action_section(s))
            for sid, title, _ in self.SECTION_LIST
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

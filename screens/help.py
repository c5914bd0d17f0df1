"""F1: every key that works on the screen it was opened from, grouped."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widget import Widget

from branchtool import i18n
from screens.base import builtin_key, localize_bindings
from screens.plain import Static

_OWN_PACKAGES = ("screens", "branchtool")


def _own_actions(node: DOMNode) -> set[str]:
    """Actions bound by this project's classes (not by Textual's bases)."""
    return {
        b.action
        for cls in type(node).__mro__
        if cls.__module__.split(".")[0] in _OWN_PACKAGES
        for b in cls.__dict__.get("BINDINGS", [])
        if isinstance(b, Binding)
    }


def _describe(node: DOMNode, binding: Binding) -> str:
    """What a key does in the current language; "" to leave it out (Textual's
    own keys are listed only where the catalogs translate them)."""
    if binding.action in _own_actions(node):
        return binding.description
    known = i18n.catalog(i18n.DEFAULT_LANGUAGE)
    builtin = builtin_key(binding.description)
    if builtin in known:
        return i18n.t(builtin)
    # Already given its words by ``localize_builtin`` (the widget had the focus).
    done = {i18n.t(key) for key in known if key.startswith("help.builtin.")}
    return binding.description if binding.description in done else ""


def _shown(widget: Widget) -> bool:
    """Whether ``widget`` is on view: no section or panel hides it."""
    return all(node.display for node in widget.ancestors_with_self
               if isinstance(node, Widget))


def key_groups(screen: Screen[object]) -> list[tuple[str, list[tuple[str, str]]]]:
    """(group title, [(key, what it does)]) for the app, the screen and every
    widget on view that has keys of its own, each key listed once per group.
    Sections not on view, and keys their node turns off, are left out; in
    front of a dialog only the app's keys that reach through a dialog are
    listed."""
    app = screen.app
    nodes: list[tuple[str, DOMNode]] = [(i18n.t("help.group.app"), app)]
    nodes.append((i18n.t("help.group.screen"), screen))
    for widget in screen.walk_children(Widget):
        if not _shown(widget):
            continue
        title_key = getattr(widget, "HELP_TITLE", "")
        nodes.append((i18n.t(title_key) if title_key else i18n.t("help.group.screen"), widget))
    groups: dict[str, list[tuple[str, str]]] = {}
    seen: set[tuple[str, str]] = set()
    for title, node in nodes:
        for _, binding in node._bindings:
            description = _describe(node, binding) if binding.description else ""
            if not description or binding.system or "super+" in binding.key:
                continue
            if node is app and screen.is_modal and not binding.priority:
                continue
            # A key its node turns off just now (another tab's key, a write
            # key on a read-only view) is left out, as the footer leaves it.
            if app._check_action_state(binding.action, node) is False:
                continue
            key = app.get_key_display(binding)
            if (key, description) in seen:  # listed once, in the first group that has it
                continue
            seen.add((key, description))
            groups.setdefault(title, []).append((key, description))
    return list(groups.items())


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "close", "dialog.key.close"),
    ]

    def __init__(self, groups: list[tuple[str, list[tuple[str, str]]]]) -> None:
        super().__init__()
        self.groups = groups
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for title, keys in self.groups:
            table.add_row(Text(title, style="underline"), "")
            for key, description in keys:
                table.add_row(key, description)
            table.add_row("", "")
        with Vertical(id="help-box"):
            yield Static(i18n.t("help.title"), id="help-title")
            with VerticalScroll():
                yield Static(table)
            yield Static(i18n.t("help.footer"), id="help-footer")

    def action_close(self) -> None:
        self.dismiss(None)

"""What every screen shares: bindings whose descriptions are catalog keys,
translated when the node is built, and the hooks the app calls around a lock."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from textual.dom import DOMNode
from textual.widget import Widget

from branchtool import i18n
from screens.plain import Static


def localize_bindings(node: DOMNode) -> None:
    """Give ``node`` its class bindings with each description that is a
    catalog key replaced by its text in the current language. Call at the end
    of ``__init__``, and again after the language changed."""
    known = i18n.catalog(i18n.DEFAULT_LANGUAGE)
    if node._merged_bindings is not None:
        node._bindings = node._merged_bindings.copy()
    table = node._bindings.key_to_bindings
    for key, bindings in table.items():
        table[key] = [
            replace(b, description=i18n.t(b.description)) if b.description in known else b
            for b in bindings
        ]


def builtin_key(description: str) -> str:
    """The catalog key of a description Textual gives its own keys
    ("Dismiss menu": ``help.builtin.dismiss_menu``)."""
    return "help.builtin." + "_".join(description.lower().split())


def localize_builtin(node: DOMNode) -> bool:
    """Give Textual's own keys of ``node`` (a drop-down's "Dismiss menu")
    their description in the current language; whether any changed."""
    known = i18n.catalog(i18n.DEFAULT_LANGUAGE)
    table = node._bindings.key_to_bindings
    changed = False
    for key, bindings in table.items():
        localized = [replace(b, description=i18n.t(builtin_key(b.description)))
                     if builtin_key(b.description) in known else b for b in bindings]
        changed = changed or localized != bindings
        table[key] = localized
    return changed


def focus_if_lost(target: Widget) -> None:
    """Give ``target`` the focus when nothing visible has it: after a section
    was shown by a key (Ctrl+PageDown) the focus was left on the section just
    hidden, and the new section's keys would do nothing. The section bar keeps
    the focus when it has it (left and right go on through the sections), and
    a section hidden again meanwhile does not take it."""
    screen = target.screen
    chain = screen.focus_chain
    if target in chain and (screen.focused is None or screen.focused not in chain):
        screen.set_focus(target)  # now: focus() would wait, and the section may go meanwhile


class LockAware:
    """Screens and widgets that show decrypted data implement these. Around a
    lock the app calls ``forget_data`` on every one of them (drop what is shown;
    unsaved form input is kept) and, after unlocking, ``reload_data``."""

    def forget_data(self) -> None:
        """Drop the decrypted data this node shows."""

    def reload_data(self) -> None:
        """Show the data again, from the services of the new unlock."""


def is_read_only(node: DOMNode) -> bool:
    """True while a screen of a read-only session is on the stack (the office
    looking at a branch's reported data): its panes, and every form or
    detail pushed above it, show data they must not change."""
    try:
        stack = node.app.screen_stack
    except RuntimeError:  # no app running (NoActiveAppError)
        return False
    return any(getattr(getattr(screen, "session", None), "read_only", False)
               for screen in stack)


class ReadOnlyGuard:
    """Hides and refuses the ``WRITE_ACTIONS`` of a node that is read-only
    (see ``is_read_only``). A class with its own ``check_action`` asks
    ``refuses`` first."""

    WRITE_ACTIONS: ClassVar[frozenset[str]] = frozenset()

    def refuses(self, action: str) -> bool:
        return action in self.WRITE_ACTIONS and is_read_only(self)  # type: ignore[arg-type]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not self.refuses(action)


class ReadOnlyForm(ReadOnlyGuard):
    """A form that, read-only, shows its values without letting them change:
    no save key, its fields and buttons disabled (but the one that cancels),
    and a line saying why."""

    WRITE_ACTIONS: ClassVar[frozenset[str]] = frozenset({"save"})
    CONTROLS: ClassVar[str] = ("Input, TextArea, Select, SelectionList, Checkbox, RadioSet, "
                               "Switch, Button")

    def on_mount(self) -> None:
        if not is_read_only(self):  # type: ignore[arg-type]
            return
        node: Any = self
        for widget in node.query(self.CONTROLS):
            if not (widget.id or "").endswith("cancel"):
                widget.disabled = True
        node.add_class("read-only")
        if node.children:
            node.children[0].mount(Static(i18n.t("office_ui.view.read_only_form"),
                                          classes="read-only-note"), before=0)

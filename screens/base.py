"""What every screen shares: bindings whose descriptions are catalog keys,
translated when the node is built, and the hooks the app calls around a lock."""

from __future__ import annotations

from dataclasses import replace

from textual.dom import DOMNode
from textual.widget import Widget

from branchtool import i18n


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

"""Checkboxes and radio buttons whose state needs no colour (#16).

Textual draws a checkbox "▐X▌" and a radio button "▐●▌" whether on or off,
and tells them apart by colour only: in a terminal without colour (or read
back with ``tmux capture-pane``) the export screen's three redaction levels
all looked chosen. Here an unchosen one is drawn with an empty box, "▐ ▌",
as the tick lists are (``screens.tick_list``). ``keep_toggle_marks`` puts it
in place for every checkbox and radio button; Textual is pinned
(pyproject.toml) and tests/test_toggle_marks.py fails when it moves.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets._toggle_button import ToggleButton

EMPTY = " "
_drawn = ToggleButton._button  # the property Textual draws the box with


def _button(self: ToggleButton) -> Content:
    if self.value:
        return _drawn.fget(self)  # type: ignore[no-any-return]
    self.BUTTON_INNER = EMPTY  # for this one drawing
    try:
        return _drawn.fget(self)  # type: ignore[no-any-return]
    finally:
        del self.BUTTON_INNER


def keep_toggle_marks() -> bool:
    """Draw an unchosen checkbox or radio button empty; safe to call twice."""
    ToggleButton._button = property(_button)  # type: ignore[method-assign,assignment]
    return True

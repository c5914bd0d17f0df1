"""Simple (ASCII) borders, for the old Windows console window (WINDOWS.md item 1).

conhost with a Chinese font draws box-drawing and block characters two
columns wide, so every border, scrollbar and check box pushes the rest of its
line one column right. Textual has no ASCII mode; this one swaps, in one
place, the characters Textual draws those with for ASCII ones:

- every border type draws as Textual's own ``ascii`` border (``+ - |``);
- scrollbar thumbs lose their eighth-block ends (the thumb is its colour);
- check boxes and radio buttons draw ``[X]`` instead of ``▐X▌``;
- tab underlines and progress bars draw ``-`` instead of ``━╸╺``.

These are class attributes and module tables of Textual, which is pinned
exactly (pyproject.toml); tests/test_console.py fails if a new Textual moves
them, before anyone sees a half-swapped screen.
"""

from __future__ import annotations

from typing import Any

from textual import _border
from textual.app import App
from textual.renderables.bar import Bar
from textual.scrollbar import ScrollBarRender
from textual.widgets._toggle_button import ToggleButton

_KEEP = {"", "none", "hidden", "blank", "ascii"}
_ORIGINAL: dict[str, Any] = {}


def _remember() -> None:
    if _ORIGINAL:
        return
    _ORIGINAL.update(
        chars=dict(_border.BORDER_CHARS), locations=dict(_border.BORDER_LOCATIONS),
        vertical=list(ScrollBarRender.VERTICAL_BARS),
        horizontal=list(ScrollBarRender.HORIZONTAL_BARS),
        toggle=(ToggleButton.BUTTON_LEFT, ToggleButton.BUTTON_RIGHT),
        bar=(Bar.HALF_BAR_LEFT, Bar.BAR, Bar.HALF_BAR_RIGHT),
    )


def ascii_borders_on() -> bool:
    return bool(_ORIGINAL) and _border.BORDER_CHARS.get("round") == _border.BORDER_CHARS["ascii"]


def set_ascii_borders(on: bool) -> None:
    """Draw with ASCII (``on``) or with Textual's own characters again."""
    _remember()
    if on:
        for name in list(_border.BORDER_CHARS):
            if name not in _KEEP:
                _border.BORDER_CHARS[name] = _border.BORDER_CHARS["ascii"]
                _border.BORDER_LOCATIONS[name] = _border.BORDER_LOCATIONS["ascii"]
        ScrollBarRender.VERTICAL_BARS = [" "] * len(_ORIGINAL["vertical"])
        ScrollBarRender.HORIZONTAL_BARS = [" "] * len(_ORIGINAL["horizontal"])
        ToggleButton.BUTTON_LEFT, ToggleButton.BUTTON_RIGHT = "[", "]"
        Bar.HALF_BAR_LEFT, Bar.BAR, Bar.HALF_BAR_RIGHT = "-", "-", "-"
    else:
        _border.BORDER_CHARS.update(_ORIGINAL["chars"])
        _border.BORDER_LOCATIONS.update(_ORIGINAL["locations"])
        ScrollBarRender.VERTICAL_BARS = list(_ORIGINAL["vertical"])
        ScrollBarRender.HORIZONTAL_BARS = list(_ORIGINAL["horizontal"])
        ToggleButton.BUTTON_LEFT, ToggleButton.BUTTON_RIGHT = _ORIGINAL["toggle"]
        Bar.HALF_BAR_LEFT, Bar.BAR, Bar.HALF_BAR_RIGHT = _ORIGINAL["bar"]
    _border.get_box.cache_clear()  # boxes are cached by border type


def redraw(app: App[Any]) -> None:
    """Draw every widget of every screen again: widgets keep what they drew
    (a tab underline would keep its old characters through a CSS refresh)."""
    app.refresh_css()
    for screen in app.screen_stack:
        for widget in screen.walk_children(with_self=True):
            widget.refresh()

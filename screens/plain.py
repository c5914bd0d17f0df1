"""The widgets every screen shows text with, markup off.

Names, notes, file names and survey cells are data: Textual would read
``[red on red]…[/]`` or ``[@click=…]`` in them as markup (hidden text, an
action on click). Screens import ``Static``, ``Label`` and ``OptionList``
from here, where markup is off unless a caller turns it on for its own
text; ``ControlFilter`` takes control characters out of every line drawn, so
an ESC sequence in a name never reaches the terminal (``branchtool.shown``
spells them out where the text itself is shown).
"""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from textual import widgets
from textual.color import Color
from textual.filter import LineFilter

from branchtool.shown import UNSAFE as _CONTROL


class Static(widgets.Static):
    def __init__(self, content: Any = "", *, markup: bool = False, **kwargs: Any) -> None:
        super().__init__(content, markup=markup, **kwargs)


class Label(widgets.Label):
    def __init__(self, content: Any = "", *, markup: bool = False, **kwargs: Any) -> None:
        super().__init__(content, markup=markup, **kwargs)


class OptionList(widgets.OptionList):
    def __init__(self, *content: Any, markup: bool = False, **kwargs: Any) -> None:
        super().__init__(*content, markup=markup, **kwargs)


class ControlFilter(LineFilter):
    """Removes control characters from what is drawn: the last line of
    defence, whatever widget the text reached (they are zero cells wide, so
    the layout does not move)."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        if not any(_CONTROL.search(s.text) for s in segments if not s.control):
            return segments
        return [s if s.control else Segment(_CONTROL.sub("", s.text), s.style)
                for s in segments]

"""A tick list (相关任务, 承办人, 党员, 症状) that works from the keyboard at once
and reads without colour.

Textual's ``SelectionList`` highlights no row when it takes the focus, so
Space does nothing until an arrow key is pressed, and its ticked and unticked
boxes differ only by colour. Here the focus lands on a row (the first ticked
one), a ticked box shows ``X`` and an unticked one is empty, the labels are
plain text (a name is never read as markup), and a list of people can put the
ticked ones first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual import events
from textual.strip import Strip
from textual.widgets.option_list import OptionDoesNotExist

from screens.plain import SelectionList

TICKED = "X"
UNTICKED = " "


def ticked_first(options: Sequence[tuple[str, str]], chosen: Iterable[str]
                 ) -> list[tuple[str, str, bool]]:
    """(label, value, ticked) with the ticked options first, each group in
    the order given."""
    chosen = set(chosen)
    return ([(label, v, True) for label, v in options if v in chosen]
            + [(label, v, False) for label, v in options if v not in chosen])


class TickList(SelectionList[str]):
    """A ``SelectionList`` of plain-text labels that Space ticks at once."""

    def __init__(self, *selections: tuple[str, str, bool], **kwargs: object) -> None:
        super().__init__(*selections, **kwargs)  # type: ignore[arg-type]

    def add_ticks(self, selections: Iterable[tuple[str, str, bool]]) -> None:
        """Add options (label, value, ticked) with plain-text labels."""
        self.add_options(list(selections))

    def on_focus(self, event: events.Focus) -> None:
        if self.highlighted is None and self.option_count:
            ticked = [i for i in range(self.option_count)
                      if self.get_option_at_index(i).value in self._selected]
            self.highlighted = ticked[0] if ticked else 0

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        try:
            selection = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip
        segments = list(strip)
        if len(segments) < 2:
            return strip
        mark = TICKED if selection.value in self._selected else UNTICKED
        _, style, control = segments[1]
        segments[1] = type(segments[1])(mark, style, control)
        return Strip(segments, strip.cell_length)

"""The widgets every screen shows text with, markup off.

Names, notes, file names and survey cells are data: Textual would read
``[red on red]…[/]`` or ``[@click=…]`` in them as markup (hidden text, an
action on click). Screens import ``Static``, ``Label``, ``OptionList``,
``Select`` and ``SelectionList`` from here, where markup is off unless a
caller turns it on for its own text (a choice's label given as a ``str`` is
shown as it is written: a group, task or report named ``[/]`` is a
name); ``ControlFilter`` takes control characters out of every line drawn, so
an ESC sequence in a name never reaches the terminal (``branchtool.shown``
spells them out where the text itself is shown).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Generic, TypeVar

from rich.segment import Segment
from textual import widgets
from textual.color import Color
from textual.content import Content
from textual.css.query import NoMatches
from textual.filter import LineFilter
from textual.widgets._select import SelectCurrent, SelectOverlay

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


T = TypeVar("T")


def _text(label: Any) -> Any:
    return Content(label) if isinstance(label, str) else label


class Select(widgets.Select[T], Generic[T]):
    """Textual's ``Select`` whose list opens where it can be seen whole: below
    the widget when it fits above the footer, else upwards when there is more
    room there, else below and scrolling (never over the footer's keys)."""

    def __init__(self, options: Iterable[tuple[Any, Any]], **kwargs: Any) -> None:
        super().__init__([(_text(label), value) for label, value in options], **kwargs)

    def set_options(self, options: Iterable[tuple[Any, Any]]) -> None:
        super().set_options([(_text(label), value) for label, value in options])

    def _watch_expanded(self, expanded: bool) -> None:
        if expanded:
            self._place_list()
        super()._watch_expanded(expanded)

    def _place_list(self) -> None:
        try:
            overlay = self.query_one(SelectOverlay)
            current = self.query_one(SelectCurrent)
        except NoMatches:
            return
        if not current.region:
            return
        most = overlay.styles.base.max_height
        rows = min(overlay.option_count + overlay.styles.gutter.height,
                   int(most.value) if most is not None and most.is_cells else 12)
        bottom = footer_top(self.screen)
        below = bottom - current.region.bottom
        above = current.region.y
        if rows > below and above > below:
            rows = min(rows, above)
            overlay.styles.offset = (0, -(rows + current.region.height))
        else:
            rows = min(rows, max(below, 1))
            overlay.styles.offset = (0, 0)
        overlay.styles.max_height = rows


def footer_top(screen: Any) -> int:
    """The first row of the screen's footer (its key line), or the screen's
    height when it has none: where a drop-down list must end."""
    rows = [footer.region.y for footer in screen.query(widgets.Footer)
            if footer.display and footer.region]
    return min(rows, default=screen.size.height)


class SelectionList(widgets.SelectionList[T], Generic[T]):
    def _make_selection(self, selection: Any) -> Any:  # every (label, value[, on]) comes here
        if isinstance(selection, tuple):
            selection = (_text(selection[0]), *selection[1:])
        return super()._make_selection(selection)


class ControlFilter(LineFilter):
    """Removes control characters from what is drawn: the last line of
    defence, whatever widget the text reached (they are zero cells wide, so
    the layout does not move)."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        if not any(_CONTROL.search(s.text) for s in segments if not s.control):
            return segments
        return [s if s.control else Segment(_CONTROL.sub("", s.text), s.style)
                for s in segments]


class Footer(widgets.Footer):
    """Textual's footer, rebuilt only when the keys it would show change.

    Textual rebuilds the footer (every key a widget, each restyled) whenever
    the screen's bindings are refreshed: a focus change, a tab, a table's
    new rows. Opening the person page did it nine times for the same keys.
    """

    _shown: tuple[Any, ...] | None = None

    def bindings_changed(self, screen: Any) -> None:
        shown = tuple((binding.key, binding.description, binding.action, binding.show,
                       enabled, tooltip)
                      for _node, binding, enabled, tooltip in screen.active_bindings.values())
        if shown == self._shown and self._bindings_ready:
            return
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._shown = shown  # kept only once a rebuild with it is on its way
        super().bindings_changed(screen)

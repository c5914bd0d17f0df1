"""Chinese characters stay whole where one widget lies over others
(Textualize/textual#6357, open; no Textual release fixes it).

Textual draws a screen line by line in "chops": the line is cut at every
column where some visible widget starts or ends, and each piece is taken
from the front-most widget there. Cutting a line of the front widget at a
column that falls in the middle of a two-cell character (every Chinese
character) turns that character into two spaces. So a drop-down list opened
over a bordered panel showed "进典型事迹材料" for 先进典型事迹材料 and
"扶工作情况" for 帮扶工作情况 — the panel's border and padding columns cut
the list's lines — and the same happened to toasts and tooltips.

``keep_wide_characters`` changes two methods of Textual's compositor, which
is pinned exactly (pyproject.toml; tests/test_console.py fails when the pin
moves): a widget's line is cut only where the widget stops being the
front-most one, never between two pieces it wins anyway (those become one
chop); and a partial update writes every chop it touches whole, so a chop
is never cropped inside a character either. What is drawn is otherwise the
same: the same widget wins every cell.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.strip import Strip

_HELD = Strip([])  # a cell range taken by a widget whose chop starts further left


def render_chops(self: Compositor, crop: Region,
                 is_rendered_line: Callable[[int], bool]) -> Sequence[Mapping[int, Strip]]:
    """``Compositor._render_chops``, front to back as Textual does, cutting a
    widget's line only where the widget stops (or starts) being in front."""
    cuts = self.cuts
    chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
    held: set[int] = set()
    for region, clip, strips in self._get_renders(crop):
        render_region = region.intersection(clip)
        render_x = render_region.x
        first_cut, last_cut = render_region.column_span
        for y, strip in zip(render_region.line_range, strips, strict=False):
            if not is_rendered_line(y):
                continue
            line = chops[y]
            final_cuts = [cut for cut in cuts[y] if last_cut >= cut >= first_cut]
            free = [line.get(cut) is None for cut in final_cuts[:-1]]
            # Keep a cut unless the widget wins the pieces on both sides of it.
            starts = [final_cuts[0]] + [cut for index, cut in enumerate(final_cuts[1:-1], 1)
                                        if not (free[index - 1] and free[index])]
            ends = starts[1:] + final_cuts[-1:]
            for start, piece in zip(starts, strip.divide([cut - render_x for cut in ends]),
                                    strict=False):
                if line.get(start) is None:
                    line[start] = piece
            for index, cut in enumerate(final_cuts[:-1]):
                if free[index] and line.get(cut) is None:  # merged into the chop to its left
                    line[cut] = _HELD
                    held.add(y)
    for y in held:
        line = chops[y]
        for cut in [cut for cut, strip in line.items() if strip is _HELD]:
            del line[cut]
    return chops  # type: ignore[return-value]


def chop_ends(chops: Sequence[Mapping[int, Any]], width: int) -> list[list[int]]:
    """Where each chop of each line ends: at the next chop, the last at ``width``."""
    return [[*list(line)[1:], width] for line in chops]


def whole_chop_spans(spans: Iterable[tuple[int, int, int]], chops: Sequence[Mapping[int, Any]],
                     width: int) -> list[tuple[int, int, int]]:
    """The spans to write, each widened to the chops it touches (joined where
    they then meet), so no chop is cropped inside a two-cell character."""
    widened: dict[int, list[tuple[int, int]]] = {}
    for y, x1, x2 in spans:
        edges = [*chops[y], width]
        start = max((edge for edge in edges[:-1] if edge <= x1), default=0)
        end = min((edge for edge in edges[1:] if edge >= x2), default=width)
        widened.setdefault(y, []).append((start, end))
    joined: list[tuple[int, int, int]] = []
    for y in sorted(widened):
        ranges = sorted(widened[y])
        x1, x2 = ranges[0]
        for next_x1, next_x2 in ranges[1:]:
            if next_x1 <= x2:
                x2 = max(x2, next_x2)
            else:
                joined.append((y, x1, x2))
                x1, x2 = next_x1, next_x2
        joined.append((y, x1, x2))
    return joined


def render_partial_update(self: Compositor) -> ChopsUpdate | None:
    """``Compositor.render_partial_update`` with the chops above: each chop
    ends where the next one (not the next cut) begins."""
    screen_region = self.size.region
    update_regions = self._dirty_regions.copy()
    self._dirty_regions.clear()
    if not update_regions:
        return None
    crop = Region.from_union(list(update_regions)).intersection(screen_region)
    spans = list(self._regions_to_spans(update_regions))
    is_rendered_line = {y for y, _, _ in spans}.__contains__
    chops = self._render_chops(crop, is_rendered_line)
    width = screen_region.width
    return ChopsUpdate(chops, whole_chop_spans(spans, chops, width), chop_ends(chops, width))


def keep_wide_characters() -> bool:
    """Put the two methods on Textual's ``Compositor``; safe to call twice.
    True when they are in place."""
    Compositor._render_chops = render_chops  # type: ignore[method-assign]
    Compositor.render_partial_update = render_partial_update  # type: ignore[method-assign]
    return True

"""Chinese line breaking wherever the screens wrap text (#16 item 7).

Rich and Textual wrap a line at spaces and fold a run without spaces at
whatever cell is last, so a preview line began with "、毛琳", a sentence with
"）" or "。", and "12 户" or "8 个字符" were split from their number. Here
a line may break only where the Unicode line-breaking algorithm (UAX #14, by
``uniseg``) allows — never before closing punctuation or 、，。；：！？ and the
like, never after opening punctuation — and, tailored for Chinese, never
between a number and the unit after it ("12 户", "8 个字符", "2026年").
When a run has no break point within the width (a long file path), it is
folded at the last cell, still moving a closing mark down with the
character before it.

``divide_line`` answers exactly what Rich's ``rich._wrap.divide_line``
answers (where the next lines begin), so ``keep_chinese_line_breaks`` puts
it in the three places that call Rich's: ``rich._wrap``, ``rich.text``
(``Text.wrap``) and ``textual.content`` (``Content.wrap``: every Static,
Label, Markdown block, toast and dialog sentence). Rich and Textual are
pinned (pyproject.toml); tests/test_line_breaks.py fails when they move it.
"""

from __future__ import annotations

import itertools
import unicodedata
from functools import lru_cache

from rich.cells import get_character_cell_size
from uniseg.linebreak import line_break_boundaries

# What may not begin a line / end a line (GB/T 15834 and W3C clreq), for the
# folding of a run with no break point and for the tests; UAX #14 already
# keeps all of them.
NO_LINE_START = frozenset("、，。．；：！？）】》」』〕〉〗〙〛｝］’”…‥·・ー々〻ゝゞ"
                          "%％,.;:!?)]}")
NO_LINE_END = frozenset("（【《「『〔〈〖〘〚｛［‘“([{")


def _is_unit(char: str) -> bool:
    """A character that can be a number's unit: a CJK ideograph (户, 个, 年, 人)."""
    return unicodedata.category(char) == "Lo" and unicodedata.east_asian_width(char) == "W"


@lru_cache(maxsize=2048)
def break_points(text: str) -> tuple[int, ...]:
    """The indices (0 < i < len(text)) where a new line may begin."""
    points = []
    for point in line_break_boundaries(text):
        if point >= len(text):
            break
        if _is_unit(text[point]):
            before = text[:point].rstrip(" ")
            if before and before[-1].isdigit():
                continue  # a number and its unit: 12 户, 8 个字符
        points.append(point)
    return tuple(points)


def _fold_at(text: str, start: int, index: int) -> int:
    """Where to fold a run with no break point that overflows at ``index``:
    there, or a character or two earlier so the new line does not begin
    with a closing mark (nor the old one end with an opening one)."""
    fold = index
    while fold - 1 > start and (text[fold] in NO_LINE_START or text[fold - 1] in NO_LINE_END):
        fold -= 1
    return fold if fold > start else index


def divide_line(text: str, width: int, fold: bool = True) -> list[int]:
    """Where each line after the first begins, wrapping ``text`` to ``width``
    cells (Rich's contract: spaces at a line's end may overflow it; without
    ``fold`` a run wider than the width is left whole, to be cropped)."""
    points = set(break_points(text))
    breaks: list[int] = []
    start = 0
    last_point = -1
    used = 0
    for index, char in enumerate(text):
        if index in points:
            last_point = index
        cells = get_character_cell_size(char)
        if used + cells > width and index > start and not char.isspace():
            if last_point > start:
                line_start = last_point
            elif fold:
                line_start = _fold_at(text, start, index)
            else:
                line_start = -1
            if line_start > start:
                breaks.append(line_start)
                start = line_start
                used = sum(get_character_cell_size(c) for c in text[start:index])
                if used + cells > width and fold and index > start:  # a wide character left over
                    breaks.append(index)
                    start, used = index, 0
        used += cells
    return breaks


def wrap(text: str, width: int) -> list[str]:
    """``text`` cut into its lines at ``width`` (for tests and plain output)."""
    edges = [0, *divide_line(text, width), len(text)]
    return [text[a:b] for a, b in itertools.pairwise(edges)]


def keep_chinese_line_breaks() -> bool:
    """Make Rich's and Textual's wrapping use ``divide_line``; safe to call twice."""
    import rich._wrap
    import rich.text
    import textual.content

    for module in (rich._wrap, rich.text, textual.content):
        module.divide_line = divide_line  # type: ignore[attr-defined]
    return True

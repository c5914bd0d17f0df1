"""Chinese line breaking wherever the screens wrap text (#16 item 7).

Rich and Textual wrap a line at spaces and fold a run without spaces at
whatever cell is last, so a preview line began with "、毛琳", a sentence with
"）" or "。", and "12 户" or "8 个字符" were split from their number. Here a
line may break only after a space or beside a wide (Chinese) character, and
never before closing punctuation or 、，。；：！？ and the like, never after
opening punctuation (the 禁则 of GB/T 15834 and W3C's clreq), never between
a number and the unit after it ("12 户", "8 个字符", "2026年"), never
inside a Latin word, a number or a dash "——". Every break allowed is one
the Unicode line-breaking algorithm (UAX #14) allows too: the tests check it
against ``uniseg``'s implementation, which is too slow to run on every
render (about 0.1 ms a character). When a run has no break point within the
width (a long file path), it is folded at the last cell, still moving a
closing mark down with the character before it.

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

# What may not begin a line / end a line (GB/T 15834, W3C clreq).
NO_LINE_START = frozenset("、，。．；：！？）】》」』〕〉〗〙〛｝］’”…‥·・ー々〻ゝゞ"
                          "ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
                          "%％‰℃,.;:!?)]}")
NO_LINE_END = frozenset("（【《「『〔〈〖〘〚｛［‘“([{")
_KEEP_DOUBLED = frozenset("—…")  # —— and …… are one mark each
_NUMBER_END = frozenset("%％‰℃")


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _is_unit(char: str) -> bool:
    """A character that can be a number's unit: a CJK ideograph (户, 个, 年, 人)."""
    return unicodedata.category(char) == "Lo" and _wide(char)


def _number_before(text: str, index: int) -> bool:
    """Is the last character before ``index`` but spaces a digit?"""
    last = index - 1
    while last >= 0 and text[last] == " ":
        last -= 1
    return last >= 0 and text[last].isdigit()


def _may_break(text: str, index: int) -> bool:
    """May a new line begin at ``index`` (0 < index < len(text))?"""
    before, char = text[index - 1], text[index]
    if char.isspace() or char in NO_LINE_START:
        return False
    if _is_unit(char) and _number_before(text, index):
        return False  # a number and its unit: 12 户, 8 个字符, 2026年
    if before.isspace():
        last = index - 1
        while last >= 0 and text[last].isspace():
            last -= 1
        return last < 0 or text[last] not in NO_LINE_END
    if before in NO_LINE_END or (before == char and char in _KEEP_DOUBLED):
        return False
    if before in _NUMBER_END and char in NO_LINE_END and text[index + 1:index + 2].isdigit():
        return False  # 92.3%（0 … as UAX #14 keeps a number's marks together
    return _wide(before) or _wide(char)


@lru_cache(maxsize=4096)
def break_points(text: str) -> tuple[int, ...]:
    """The indices (0 < i < len(text)) where a new line may begin."""
    return tuple(index for index in range(1, len(text)) if _may_break(text, index))


def _fold_at(text: str, start: int, index: int) -> int:
    """Where to fold a run with no break point that overflows at ``index``:
    there, or a character or more earlier so the new line does not begin
    with a closing mark, the old one end with an opening one, or a number
    lose its unit."""
    for fold in range(index, start, -1):
        before, char = text[fold - 1], text[fold]
        if not (char in NO_LINE_START or before in NO_LINE_END
                or (_is_unit(char) and _number_before(text, fold))):
            return fold
    return index


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

"""Text put into a fixed number of terminal cells without cutting it silently.

A cell too narrow for its text never just stops: a list of names ends at a
name with "等 N 人" ("and N more"), any other text ends in "…". Widths are
display widths: a Chinese character takes two cells.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.cells import cell_len, set_cell_size

from branchtool import i18n
from branchtool.records.fields import FieldDef
from branchtool.records.fieldtypes import RefListField

ELLIPSIS = "…"


def cut(text: str, cells: int) -> str:
    """``text`` in at most ``cells`` cells, ending in "…" when it was longer."""
    if cell_len(text) <= cells:
        return text
    if cells <= 0:
        return ""
    return set_cell_size(text, cells - 1).rstrip() + ELLIPSIS


def join_names(names: Sequence[str], cells: int,
               more: Callable[[int, int], str] | None = None) -> str:
    """As many of ``names`` as fit ``cells``, joined by the list separator,
    followed by ``more(total, rest)`` (by default "等 N 人") when some are
    left out; never a name cut in two unless not even one fits."""
    separator = i18n.t("list.separator")
    whole = separator.join(names)
    if cell_len(whole) <= cells:
        return whole
    more = more or (lambda total, rest: i18n.t("table.names_more", count=total, rest=rest))
    for shown in range(len(names) - 1, 0, -1):
        text = separator.join(names[:shown]) + more(len(names), len(names) - shown)
        if cell_len(text) <= cells:
            return text
    tail = more(len(names), len(names) - 1) if len(names) > 1 else ""
    return cut(names[0], cells - cell_len(tail)) + tail if cells > cell_len(tail) \
        else cut(whole, cells)


def holds_names(column: FieldDef) -> bool:
    """Whether a table column lists people (承办人, a deed's members)."""
    return isinstance(column, RefListField) or column.key.endswith("names")


def shorten(text: str, cells: int, *, names: bool = False) -> str:
    """A table cell's text in at most ``cells`` cells: a list of ``names``
    (joined by the list separator) ends at a name with "等 N 人", any other
    text in "…"."""
    if cell_len(text) <= cells:
        return text
    separator = i18n.t("list.separator")
    if names and separator in text:
        return join_names(text.split(separator), cells)
    return cut(text, cells)


def fit_cell(text: str, cells: int, *, names: bool = False) -> str:
    """``text`` as exactly ``cells`` cells: shortened with a sign, then padded."""
    return set_cell_size(shorten(text, cells, names=names), cells)

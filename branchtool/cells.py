"""Cells branchtool writes into spreadsheets: text, never a formula.

A name typed into a student survey as ``=HYPERLINK("http://…"&E2,"x")`` must
not become a live formula in a roster export the secretary opens in Excel
(CSV/formula injection). So:

- in .xlsx every text cell is stored as a string (``t="inlineStr"``), never
  as a formula, and text that a spreadsheet would read as one (starting with
  ``= + - @``, a tab or a carriage return) also gets Excel's "quote prefix"
  style, so editing the cell keeps it text; the value itself is unchanged;
- in .csv, where there are no types, such text is written with a leading
  apostrophe (``'=HYPERLINK…``), which every spreadsheet shows as text.

openpyxl is not imported here: callers pass its cells in.
"""

from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_like(text: str) -> bool:
    """Whether a spreadsheet could take ``text`` for a formula."""
    return text.startswith(FORMULA_START)


def csv_field(text: str) -> str:
    """``text`` as a CSV field no spreadsheet evaluates."""
    return "'" + text if formula_like(text) else text


def text_cell(cell: Any, text: str) -> Any:
    """Put ``text`` into the openpyxl ``cell`` as a string, never a formula."""
    cell.value = text
    cell.data_type = "s"
    if formula_like(text):
        cell.quotePrefix = True
    return cell


def safe_value(cell: Any, value: Any) -> Any:
    """Put ``value`` into ``cell``: numbers (counts, amounts) stay numbers,
    text goes through ``text_cell``."""
    if isinstance(value, str):
        return text_cell(cell, value)
    cell.value = value
    return cell

"""Amounts of money in yuan, exact to the fen (分).

An amount is a ``Decimal`` in memory and text with two decimals in storage
(``"200.00"``): never a float, so totals are exact. Input is read the way
people write amounts: ``200``, ``200.5``, ``1,200.00``, ``¥200``, ``200元``.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from branchtool import i18n

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
MAXIMUM = Decimal("10000000.00")  # ten million yuan: more is a typing mistake
_SIGN = re.compile(r"^[¥￥]|(元|圆|rmb|cny)$", re.IGNORECASE)
_SHAPE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")  # 1,200.00


def parse(raw: object) -> tuple[Decimal | None, str | None]:
    """The amount ``raw`` names and the catalog key of what is wrong with it.

    Floats (a spreadsheet cell) are read through their shortest decimal text,
    never their binary value, so 0.1 is exactly one jiao."""
    if isinstance(raw, bool):
        return None, "amount.invalid"
    if isinstance(raw, Decimal):
        text = str(raw)
    elif isinstance(raw, int | float):
        text = repr(raw)
    else:
        text = str(raw).strip()
    text = _SIGN.sub("", re.sub(r"\s", "", text)).replace("，", ",")
    if "," in text:
        if not _GROUPED.fullmatch(text):
            return None, "amount.invalid"
        text = text.replace(",", "")
    if not _SHAPE.fullmatch(text):
        return None, "amount.invalid"
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the shape check excludes it
        return None, "amount.invalid"
    if value < 0:
        return None, "amount.negative"
    if value > MAXIMUM:
        return None, "amount.too_large"
    if value != value.quantize(FEN, rounding=ROUND_HALF_EVEN):
        return None, "amount.precision"
    return value.quantize(FEN), None


def to_text(value: Decimal) -> str:
    """The stored form: two decimals, no separators."""
    return str(value.quantize(FEN))


def from_text(stored: str) -> Decimal:
    """A stored amount (``""`` is zero)."""
    return Decimal(stored) if stored else ZERO


def display(value: Decimal | str) -> str:
    """An amount as the current language writes it (``1,200.00 元``)."""
    amount = from_text(value) if isinstance(value, str) else value
    return i18n.t("amount.format", amount=f"{amount.quantize(FEN):,}")

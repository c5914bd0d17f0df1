"""Checks of the identity numbers a roster holds: the resident ID number
(GB 11643-1999, ISO 7064 MOD 11-2 check digit) and mainland mobile numbers.

Each check returns the catalog key of the first problem, or ``None``.
"""

from __future__ import annotations

import datetime as dt
import re

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
# The first two digits: province-level divisions (GB/T 2260), plus 83 (Taiwan
# residents' mainland permits) and 91 (foreign permanent residents, legacy).
_PROVINCES = frozenset(
    (11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
     50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91)
)
_ID_SHAPE = re.compile(r"\d{17}[\dX]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_PHONE_NOISE = re.compile(r"[\s\-()（）]")


def id_check_digit(first17: str) -> str:
    """The 18th character of a resident ID number whose first 17 digits are given."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def normalize_id(text: str) -> str:
    return re.sub(r"\s", "", text).upper()


def id_birth_date(number: str) -> dt.date | None:
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def id_gender(number: str) -> str:
    """``"male"`` or ``"female"`` from the order code's parity (17th digit)."""
    return "male" if int(number[16]) % 2 else "female"


def id_problem(number: str, *, today: dt.date | None = None) -> str | None:
    """The catalog key of what is wrong with a normalised ID number, or ``None``."""
    if len(number) == 15 and number.isdigit():
        return "check.id.old_format"
    if len(number) != 18:
        return "check.id.length"
    if not _ID_SHAPE.fullmatch(number):
        return "check.id.characters"
    if int(number[:2]) not in _PROVINCES:
        return "check.id.region"
    born = id_birth_date(number)
    if born is None or born.year < 1900 or born > (today or dt.date.today()):
        return "check.id.birth_date"
    if id_check_digit(number[:17]) != number[17]:
        return "check.id.check_digit"
    return None


def normalize_phone(text: str) -> str:
    value = _PHONE_NOISE.sub("", text)
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            value = value[len(prefix):]
    return value


def phone_problem(number: str) -> str | None:
    if not number.isdigit():
        return "check.phone.characters"
    if not _MOBILE.fullmatch(number):
        return "check.phone.mobile"
    return None

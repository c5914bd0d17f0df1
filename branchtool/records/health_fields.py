"""Field types of the epidemic-watch records: a body temperature and a set of
choices (the symptoms a person reports).

They are ``FieldDef``s, so their label, column and validation still come from
the one record definition, and they keep the "values are stored as text" rule:
a temperature is ``"37.3"`` (one decimal, never a float in storage), a set of
choices the codes in the definition's order joined by commas (``"fever,other"``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from branchtool import i18n
from branchtool.records.fields import FieldDef, Kind, Problem, RefList, _choice_lookup, _fold

TENTH = Decimal("0.1")
LOWEST = Decimal("35.0")
HIGHEST = Decimal("42.0")
_TEMPERATURE_NOISE = re.compile(r"\s|℃|°C|°|度$|c$", re.IGNORECASE)
# 问卷星 joins multiple answers with "┋"; other tools use commas or 、.
_SPLIT = re.compile(r"[,，、;；|┋\n]+")
# What a survey writes for "none of these".
NONE_WORDS = frozenset(_fold(w) for w in ("无", "没有", "无症状", "均无", "以上都没有", "以上均无",
                                          "否", "正常", "none", "no", "n/a", "-"))


def parse_temperature(raw: object) -> Decimal | None:
    """A temperature written the usual ways (``36.5``, ``36.5℃``, ``36,5``, a
    number cell) to one decimal, or ``None`` if it is not a number."""
    if isinstance(raw, bool):
        return None
    text = repr(raw) if isinstance(raw, float) else str(raw)
    text = _TEMPERATURE_NOISE.sub("", text.strip()).replace(",", ".").replace("．", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def tenths(value: str) -> int:
    """A stored temperature in tenths of a degree (``"37.3"`` -> 373), exact."""
    return int(Decimal(value) * 10)


@dataclass(frozen=True)
class TemperatureField(FieldDef):
    """A body temperature in °C between ``LOWEST`` and ``HIGHEST``, stored to
    one decimal (``"36.5"``)."""

    kind: Kind = Kind.TEXT
    max_length: int = 6

    def parse(self, raw: object) -> tuple[str, Problem | None]:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return "", None
        value = parse_temperature(raw)
        if value is None:
            return "", self.problem("temperature.invalid")
        if not LOWEST <= value <= HIGHEST:
            return "", self.problem("temperature.range", lowest=str(LOWEST), highest=str(HIGHEST))
        return str(value), None

    def display(self, value: str) -> str:
        return f"{value}℃" if value else ""


@dataclass(frozen=True)
class MultiChoiceField(FieldDef):
    """Any number of the definition's choices, stored as their codes in the
    definition's order joined by commas. Reads a survey's answer text
    ("发热┋干咳", "发热、乏力") or a list; "无" and the like mean none."""

    kind: Kind = Kind.CHOICE

    def parse(self, raw: object) -> tuple[str, Problem | None]:
        if raw is None:
            return "", None
        if isinstance(raw, list | tuple | set | frozenset):
            items = [str(i) for i in raw]
        else:
            items = _SPLIT.split(str(raw))
        lookup = _choice_lookup(self)
        codes: set[str] = set()
        for item in items:
            folded = _fold(item)
            if not folded or folded in NONE_WORDS:
                continue
            code = lookup.get(folded)
            if code is None:
                choices = RefList(tuple(self.choice_key(c) for c in self.choices))
                return "", self.problem("field.choice_invalid", choices=choices)
            codes.add(code)
        return ",".join(c for c in self.choices if c in codes), None

    def display(self, value: str) -> str:
        if not value:
            return ""
        return i18n.t("list.separator").join(self.choice_label(c) for c in split_codes(value))


def split_codes(value: str) -> list[str]:
    """The codes a stored multiple choice holds."""
    return [c for c in value.split(",") if c]

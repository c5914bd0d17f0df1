"""The record-definition mechanism.

A ``RecordDef`` lists a record type's ``FieldDef``s once; from that one list
come the form (a widget per kind), validation (``RecordDef.clean``), the table
columns (``width``/``priority``), the import header recognition and the labels
(catalog keys ``<record>.field.<key>`` and ``<record>.<key>.<code>``) and
what each redaction level shows (``RecordDef.public``; ``FieldDef.redact``).

Values are stored as text: free text as typed, choices as stable codes
(``"student"``), dates as ISO text (see ``dates``). ``""`` means empty.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from enum import StrEnum
from functools import cached_property
from typing import Any

from rich.cells import cell_len

from branchtool import i18n
from branchtool.errors import UserError
from branchtool.records import checks, dates
from branchtool.records.redaction import COUNTS, FULL, STANDARD, check_redaction


class Kind(StrEnum):
    TEXT = "text"
    NOTE = "note"  # longer free text
    CHOICE = "choice"
    DATE = "date"
    IDCARD = "idcard"
    PHONE = "phone"
    CODE = "code"  # an identifier such as 学号: no spaces, compared exactly


@dataclass(frozen=True)
class Ref:
    """A catalog key used as a message parameter, translated when shown."""

    key: str


@dataclass(frozen=True)
class RefList:
    """Several catalog keys as one parameter, joined the current language's way."""

    keys: tuple[str, ...]

    def render(self) -> str:
        return i18n.t("list.separator").join(i18n.t(k) for k in self.keys)


def _render(value: object) -> object:
    if isinstance(value, Ref):
        return i18n.t(value.key)
    if isinstance(value, RefList):
        return value.render()
    return value


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a record; ``field`` is the field it belongs to
    (``""`` for the record as a whole). Carries catalog keys, never values."""

    key: str
    field: str = ""
    params: Mapping[str, object] = dataclass_field(default_factory=dict)
    label: Ref | None = None

    def message(self) -> str:
        params = {k: _render(v) for k, v in self.params.items()}
        if self.label is not None:
            params.setdefault("label", i18n.t(self.label.key))
        return i18n.t(self.key, **params)


def problems_text(problems: Iterable[Problem]) -> str:
    """Every problem's sentence on one line, joined the current language's way."""
    return i18n.t("list.reasons").join(p.message() for p in problems)


@dataclass(frozen=True)
class FieldDef:
    key: str
    kind: Kind = Kind.TEXT
    required: bool = False
    choices: tuple[str, ...] = ()
    default: str = ""
    width: int = 0  # table column width in terminal cells; 0: not a column
    priority: int = 0  # narrow screens drop the columns of lowest priority first
    max_length: int = 60
    record: str = ""  # set by RecordDef
    # Withheld from bundles at this redaction level and below: "standard" for
    # ID numbers, phones, addresses and care descriptions ("" = never withheld
    # except at the counts-only level, which sends no records at all).
    redact: str = ""

    def shown_at(self, redaction: str) -> bool:
        """Whether this field is shown at ``redaction`` (no field is at
        ``counts``)."""
        return redaction == FULL or (redaction == STANDARD and self.redact != STANDARD)

    @property
    def label_key(self) -> str:
        return f"{self.record}.field.{self.key}"

    @property
    def label(self) -> str:
        return i18n.t(self.label_key)

    @property
    def column_label(self) -> str:
        """The table header: the ``.short`` label where the catalog has one."""
        short = self.label_key + ".short"
        return i18n.t(short) if short in i18n.catalog(i18n.language()) else self.label

    def column_width(self) -> int:
        """Cells the column needs in the current language: the declared width,
        widened to the header, for choices to the longest label and for
        dates to the longest date (no date loses its 日)."""
        labels = [self.column_label] + [self.choice_label(c) for c in self.choices]
        if self.kind is Kind.DATE:
            labels.append(dates.display("2000-12-31"))
        return max(self.width, *(cell_len(label) for label in labels))

    def choice_key(self, code: str) -> str:
        return f"{self.record}.{self.key}.{code}"

    def choice_label(self, code: str) -> str:
        return i18n.t(self.choice_key(code)) if code else ""

    def display(self, value: str) -> str:
        """A stored value as the current language shows it."""
        if not value:
            return ""
        if self.kind is Kind.CHOICE:
            return self.choice_label(value)
        if self.kind is Kind.DATE:
            return dates.display(value)
        return value

    def problem(self, key: str, **params: object) -> Problem:
        return Problem(key, self.key, params, Ref(self.label_key))

    def parse(self, raw: object) -> tuple[str, Problem | None]:
        """The stored form of ``raw`` (typed text or a spreadsheet cell) and
        the problem with it, if any. An empty value is no problem here;
        ``required`` is checked on the whole record."""
        if raw is None:
            return "", None
        if self.kind is Kind.DATE:
            if isinstance(raw, str) and not raw.strip():
                return "", None
            value = dates.parse(raw)
            return (value, None) if value else ("", self.problem("field.date_invalid"))
        if isinstance(raw, float):
            if self.kind is Kind.IDCARD:
                # Excel kept the ID as a number and lost its last digits.
                return "", self.problem("field.number_cell")
            if raw.is_integer():
                raw = int(raw)
        text = str(raw).strip()
        if self.kind is not Kind.NOTE:
            text = " ".join(text.split())
        if not text:
            return "", None
        if self.kind is Kind.CHOICE:
            code = _choice_lookup(self).get(_fold(text))
            if code is None:
                choices = RefList(tuple(self.choice_key(c) for c in self.choices))
                return "", self.problem("field.choice_invalid", choices=choices)
            return code, None
        if self.kind is Kind.IDCARD:
            if _SCIENTIFIC.fullmatch(text):
                # A CSV written from a sheet where the ID was a number: "1.10105E+17".
                return "", self.problem("field.number_cell")
            value = checks.normalize_id(text)
            key = checks.id_problem(value)
            return value, (self.problem(key) if key else None)
        if self.kind is Kind.PHONE:
            value = checks.normalize_phone(text)
            key = checks.phone_problem(value)
            return value, (self.problem(key) if key else None)
        if self.kind is Kind.CODE:
            if "+" in text and _SCIENTIFIC.fullmatch(text):  # a CSV's "2.02101E+09"
                return "", self.problem("field.number_cell")
            text = normalize_code(text)
        if len(text) > self.max_length:
            return text, self.problem("field.too_long", maximum=self.max_length)
        return text, None


_SCIENTIFIC = re.compile(r"\d(?:\.\d+)?[eE]\+?\d+")


def first_only(keys: Iterable[str | None]) -> list[str | None]:
    """Column keys with each key kept for its first column only (a sheet
    with two 姓名 columns imports the first)."""
    taken: set[str] = set()
    out: list[str | None] = []
    for key in keys:
        out.append(None if key in taken else key)
        if key:
            taken.add(key)
    return out


def normalize_code(text: str) -> str:
    """An identifier as stored: no spaces, full-width letters and digits as
    ASCII, upper case ("２０２１ｃｓ01" -> "2021CS01")."""
    return "".join(text.split()).translate(_FULL_WIDTH).upper()


_FULL_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}


def _fold(text: str) -> str:
    """Text compared loosely: no spaces or punctuation, lower case, full-width
    parentheses as ASCII."""
    return re.sub(r"[\s*＊:：()（）\[\]【】]", "", text).lower()


def _catalog_variants(key: str) -> list[str]:
    """Every language's text of ``key`` plus its ``.aliases`` ("a|b|c")."""
    out: list[str] = []
    for lang in i18n.LANGUAGES:
        catalog = i18n.catalog(lang)
        if key in catalog:
            out.append(catalog[key])
        out.extend(a for a in catalog.get(key + ".aliases", "").split("|") if a)
    return out


_CHOICE_CACHE: dict[tuple[str, str], dict[str, str]] = {}


def _choice_lookup(fdef: FieldDef) -> dict[str, str]:
    cache_key = (fdef.record, fdef.key)
    lookup = _CHOICE_CACHE.get(cache_key)
    if lookup is None:
        lookup = {}
        for code in fdef.choices:
            lookup[_fold(code)] = code
            for variant in _catalog_variants(fdef.choice_key(code)):
                lookup.setdefault(_fold(variant), code)
        _CHOICE_CACHE[cache_key] = lookup
    return lookup


Check = Callable[[dict[str, str]], Iterable[Problem]]
Completion = Callable[[dict[str, str]], None]


@dataclass(frozen=True)
class RecordDef:
    name: str
    fields: tuple[FieldDef, ...]
    checks: tuple[Check, ...] = ()  # whole-record checks, run when every field parsed
    completions: tuple[Completion, ...] = ()  # fill what follows from other fields

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", tuple(replace(f, record=self.name) for f in self.fields))

    @cached_property
    def by_key(self) -> dict[str, FieldDef]:
        return {f.key: f for f in self.fields}

    def field(self, key: str) -> FieldDef:
        return self.by_key[key]

    @property
    def columns(self) -> tuple[FieldDef, ...]:
        return tuple(f for f in self.fields if f.width)

    def view(self, *columns: str | FieldDef) -> tuple[FieldDef, ...]:
        """A list's columns: a stored field by its key, or a computed column
        (labelled under this record unless it names another)."""
        return tuple(self.field(c) if isinstance(c, str)
                     else c if c.record else replace(c, record=self.name) for c in columns)

    # -- redaction (branchtool.records.redaction) ------------------------------------
    @cached_property
    def _withheld(self) -> dict[str, tuple[str, ...]]:
        return {level: tuple(f.key for f in self.fields if not f.shown_at(level))
                for level in (FULL, STANDARD, COUNTS)}

    def withheld(self, redaction: str) -> tuple[str, ...]:
        """The keys of the fields left out at ``redaction`` (every field at
        ``counts``, which shows no records)."""
        return self._withheld[check_redaction(redaction)]

    def shows(self, key: str, redaction: str) -> bool:
        """Whether field ``key`` is shown at ``redaction``."""
        return key not in self.withheld(redaction)

    def public(self, doc: Mapping[str, Any], redaction: str) -> dict[str, Any]:
        """A copy of ``doc`` without the fields ``redaction`` withholds (keys
        the definition does not declare — ``id``, stamps — are kept)."""
        withheld = self.withheld(redaction)
        if not withheld:
            return dict(doc)
        return {k: v for k, v in doc.items() if k not in withheld}

    def blank(self) -> dict[str, str]:
        return {f.key: f.default for f in self.fields}

    def clean(
        self, raw: Mapping[str, object], *, base: Mapping[str, str] | None = None
    ) -> tuple[dict[str, str], list[Problem]]:
        """Parse ``raw`` over ``base`` (an existing record, else blank values)
        and validate the result. Returns the stored values and every problem,
        field problems first in field order."""
        values = dict(base) if base is not None else self.blank()
        problems: list[Problem] = []
        for fdef in self.fields:
            if fdef.key in raw:
                value, problem = fdef.parse(raw[fdef.key])
                values[fdef.key] = value
                if problem:
                    problems.append(problem)
        for complete in self.completions:
            complete(values)
        bad = {p.field for p in problems}
        for fdef in self.fields:
            if fdef.required and not values.get(fdef.key) and fdef.key not in bad:
                problems.append(fdef.problem("field.required"))
        if not problems:
            for check in self.checks:
                problems.extend(check(values))
        return {f.key: values.get(f.key, "") for f in self.fields}, problems

    @cached_property
    def _headers(self) -> dict[str, str]:
        lookup: dict[str, str] = {}
        for fdef in self.fields:
            for variant in [fdef.key, *_catalog_variants(fdef.label_key)]:
                lookup.setdefault(_fold(variant), fdef.key)
        return lookup

    def match_header(self, header: str) -> str | None:
        """The field a spreadsheet column header names, in either language
        (labels and the ``<record>.field.<key>.aliases`` of the catalogs)."""
        folded = _fold(header)
        if not folded:
            return None
        if folded in self._headers:
            return self._headers[folded]
        # "手机（必填）", "出生日期(年月日)": try without the parenthesised note.
        stripped = _fold(re.sub(r"[(（\[【].*?[)）\]】]", "", header))
        return self._headers.get(stripped)


class InvalidRecord(UserError):
    """A record the user entered or imported breaks its definition's rules.
    Shows the first problem; ``problems`` lists them all (keys, no values)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].key)
        self.problems = problems

    def message(self) -> str:
        return self.problems[0].message()

"""What each column of a survey export holds, from its header.

Survey tools number their questions (``1、姓名``, ``Q2.体温``, ``（3）症状``,
``第4题``), add notes (``（可多选）``, ``【必填】``), put their own columns
around the questions (序号, 提交答卷时间, 所用时间, 来源, 来自IP, 填写设备…)
and write a multiple-choice question either as one column (answers joined by
``┋``, ``|``, ``，``…) or as one column per option (``5、症状:发热``,
``5、今日身体状况(发热)``, ticked with 1/0 or 是/否).

A column's mapping entry is ``None`` (not imported), a person key, ``SUBMITTED``,
a check-in field, or ``"field|option"`` for one option of a question spread
over several columns.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from branchtool.records.checkin import CHECKIN
from branchtool.records.fields import _fold, first_only
from branchtool.records.person import PERSON
from branchtool.services import survey_words as words
from branchtool.services.survey_words import SUBMITTED as SUBMITTED_WORDS
from branchtool.services.survey_words import TOOL_COLUMNS, TOOL_MARKS, fold

PERSON_KEYS = ("name", "id_number", "school_number", "phone")
SUBMITTED = "submitted"
OPTION = "|"  # "symptoms|发热": the column says whether 发热 was ticked
# Check-in fields a survey column may fill ("source" is how it was entered:
# always "import"; a survey's 来源 column is the channel it was answered on).
IMPORTED_FIELDS = tuple(f.key for f in CHECKIN.fields if f.key != "source")
# Fields whose question may be spread over one column per option.
OPTION_FIELDS = ("symptoms", "risk_travel", "case_contact", "isolation", "location")

_NOTE = re.compile(r"[(（\[【〖][^)）\]】〗]*[)）\]】〗]")
# "question:option", "question - option", "question_option", "question|option".
_OPTION_SPLIT = re.compile(r"^(.+?)\s*(?:[:：|｜_]|\s[-—–]\s|—|--)\s*([^:：|｜_]+?)\s*$")
_OPTION_TAIL = re.compile(r"^(.+?)\s*[(（\[【〖]([^)）\]】〗]+)[)）\]】〗]\s*$")



def question_text(header: str) -> str:
    """The question without its number: ``"5、目前所在地"`` -> ``"目前所在地"``."""
    return words.NUMBERING.sub("", str(header)).strip()


def _without_notes(text: str) -> str:
    return _NOTE.sub("", text).strip(" ：:*＊?？")


def match_question(header: str) -> str | None:
    """The key a single (not option) column holds: a person key, ``SUBMITTED``,
    a check-in field, or ``None`` (a tool's own column or an unknown question)."""
    text = question_text(header)
    folded = fold(text)
    if not folded:
        return None
    if folded in SUBMITTED_WORDS or _fold(text) in _catalog_submitted():
        return SUBMITTED
    if folded in TOOL_COLUMNS:
        return None
    for candidate in (text, _without_notes(text)):
        key = PERSON.match_header(candidate)
        if key in PERSON_KEYS:
            return key
        key = CHECKIN.match_header(candidate)
        if key in IMPORTED_FIELDS:
            return key
    return _by_keywords(_without_notes(text) or text)


def _by_keywords(text: str) -> str | None:
    folded = fold(text)
    for key, found, unless in words.QUESTION_KEYWORDS:
        if any(w in folded for w in found) and not any(u in folded for u in unless):
            if key == "risk_travel" and not any(w in folded for w in words.RISK_WORDS):
                continue
            if key == "date" and words.TIME in folded:
                continue
            return key
    if words.TIME in folded and any(w in folded for w in words.SUBMIT_VERBS):
        return SUBMITTED
    return None


_SUBMITTED_CACHE: set[str] = set()


def _catalog_submitted() -> set[str]:
    if not _SUBMITTED_CACHE:
        from branchtool.records.fields import _catalog_variants

        _SUBMITTED_CACHE.update(_fold(v) for v in _catalog_variants("checkin.import.submitted"))
    return _SUBMITTED_CACHE


def is_tool_column(header: str) -> bool:
    return fold(question_text(header)) in TOOL_COLUMNS


def _option_parts(header: str) -> tuple[str, str] | None:
    """(question, option) if the header reads like one option of a question."""
    text = question_text(header)
    for pattern in (_OPTION_TAIL, _OPTION_SPLIT):
        match = pattern.match(text)
        if match:
            question, option = match.group(1).strip(), match.group(2).strip()
            if question and option and not any(w in fold(option) for w in words.NOTE_WORDS):
                return question, option
    return None


def guess_mapping(headers: Sequence[str]) -> list[str | None]:
    """The key each column holds; a key is given to its first column only.
    Columns that share a question and name an option each (two or more) are
    that question's options."""
    parts = [_option_parts(h) if h else None for h in headers]
    shared = Counter(fold(p[0]) for p in parts if p)

    def key_of(header: str, part: tuple[str, str] | None) -> str | None:
        if part and shared[fold(part[0])] >= 2:
            field = match_question(part[0])
            if field in OPTION_FIELDS:
                return f"{field}{OPTION}{part[1]}"
        return match_question(header) if header else None

    return first_only(key_of(h, p) for h, p in zip(headers, parts, strict=True))


def split_option(key: str) -> tuple[str, str]:
    """``"symptoms|发热"`` -> ``("symptoms", "发热")``; a plain key -> ``(key, "")``."""
    field, _, option = key.partition(OPTION)
    return field, option


def header_score(header: str) -> str | None:
    """For the reader's header-row search (``tables.read_sheet``, which also
    picks the sheet of a workbook by it): what a header names (tool columns
    count too, they are as sure a sign of the header row as questions)."""
    if not isinstance(header, str):
        return None
    if is_tool_column(header):
        return "tool"
    return match_question(header) or (_option_parts(header) and "option") or None


def detect_tool(headers: Sequence[str]) -> str:
    """Which survey tool wrote the export ("wjx", "tencent", "jinshuju",
    "mikecrm"), or "" (a sheet of its own)."""
    folded = {fold(question_text(h)) for h in headers if h}
    best = max(TOOL_MARKS, key=lambda tool: len(TOOL_MARKS[tool] & folded))
    return best if TOOL_MARKS[best] & folded else ""


def signature(headers: Sequence[str]) -> frozenset[str]:
    """A questionnaire's identity: its questions' texts without their numbers
    (a tool renumbers when a question is added) and without its own columns."""
    return frozenset(f for f in (fold(question_text(h)) for h in headers if h)
                     if f and f not in TOOL_COLUMNS and f not in SUBMITTED_WORDS)

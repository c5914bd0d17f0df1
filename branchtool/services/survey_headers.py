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
from branchtool.records.fields import _fold
from branchtool.records.person import PERSON
from branchtool.services.survey_words import SUBMITTED as SUBMITTED_WORDS
from branchtool.services.survey_words import TOOL_COLUMNS, TOOL_MARKS, fold
from branchtool.tables import Sheet

PERSON_KEYS = ("name", "id_number", "school_number", "phone")
SUBMITTED = "submitted"
OPTION = "|"  # "symptoms|发热": the column says whether 发热 was ticked
# Check-in fields a survey column may fill ("source" is how it was entered:
# always "import"; a survey's 来源 column is the channel it was answered on).
IMPORTED_FIELDS = tuple(f.key for f in CHECKIN.fields if f.key != "source")
# Fields whose question may be spread over one column per option.
OPTION_FIELDS = ("symptoms", "risk_travel", "case_contact", "isolation", "location")

_NUMBERING = re.compile(
    r"^\s*(?:第\s*\d+\s*题|[(（\[【]\s*\d+\s*[)）\]】]|[QqＱ]\s*\d+(?:[.\-_]\d+)?\s*[、.．:：)）_\-]?"
    r"|\d+(?:\.\d+)?\s*[、.．:：)）_\-]|[一二三四五六七八九十]+\s*[、.．])\s*")
_NOTE = re.compile(r"[(（\[【〖][^)）\]】〗]*[)）\]】〗]")
_NOTE_WORDS = ("多选", "单选", "必填", "选填", "必答", "可选", "请", "填空", "下拉", "℃", "°c",
               "摄氏", "如", "例", "格式", "题")
# "question:option", "question - option", "question_option", "question|option".
_OPTION_SPLIT = re.compile(r"^(.+?)\s*(?:[:：|｜_]|\s[-—–]\s|—|--)\s*([^:：|｜_]+?)\s*$")
_OPTION_TAIL = re.compile(r"^(.+?)\s*[(（\[【〖]([^)）\]】〗]+)[)）\]】〗]\s*$")

# Keyword rules for questions worded freely: (field, words one of which it
# holds, words it must not hold). First match wins: the specific before the broad.
_KEYWORDS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("id_number", ("身份证", "证件号"), ()),
    ("school_number", ("学号", "工号", "学工号"), ("姓名",)),
    ("name", ("姓名", "名字", "填表人", "填写人", "填报人", "本人姓名"),
     ("联系人", "家长", "监护人", "紧急", "辅导员", "班主任", "拼音", "英文")),
    ("phone", ("手机", "电话", "联系方式"), ("家长", "监护人", "紧急", "联系人", "辅导员")),
    ("case_contact", ("接触",), ()),
    ("risk_travel", ("14天", "十四天", "近期", "两周", "旅居", "途经", "到过", "去过", "前往",
                     "出行", "行程", "外出", "离开"), ()),
    ("isolation", ("隔离", "医学观察", "健康监测", "居家观察"), ()),
    ("temperature", ("体温", "温度"), ()),
    ("symptom_other", ("其他症状", "症状说明", "症状描述", "其它症状"), ()),
    ("symptoms", ("症状", "身体状况", "健康状况", "身体情况", "健康情况", "身体是否", "不适"),
     ()),
    ("location", ("是否在校", "在校", "返校", "离校", "在家还是"), ()),
    ("province", ("省份", "所在省"), ("城市",)),
    ("city", ("城市", "地市", "所在市"), ()),
    ("place", ("所在地", "位置", "地址", "居住地", "现居", "定位", "所在城市", "住址", "在哪"),
     ()),
    ("note", ("备注", "说明", "其他情况", "补充", "其他需要", "留言"), ()),
    ("date", ("日期",), ("出生",)),
)
_RISK_WORDS = ("风险", "疫区", "湖北", "武汉", "境外", "中高", "疫情", "封控", "管控")


def question_text(header: str) -> str:
    """The question without its number: ``"5、目前所在地"`` -> ``"目前所在地"``."""
    return _NUMBERING.sub("", str(header)).strip()


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
    for key, words, unless in _KEYWORDS:
        if any(w in folded for w in words) and not any(u in folded for u in unless):
            if key == "risk_travel" and not any(w in folded for w in _RISK_WORDS):
                continue
            if key == "date" and "时间" in folded:
                continue
            return key
    if "时间" in folded and any(w in folded for w in ("提交", "填写", "打卡", "填报")):
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
            if question and option and not any(w in fold(option) for w in _NOTE_WORDS):
                return question, option
    return None


def guess_mapping(headers: Sequence[str]) -> list[str | None]:
    """The key each column holds; a key is given to its first column only.
    Columns that share a question and name an option each (two or more) are
    that question's options."""
    parts = [_option_parts(h) if h else None for h in headers]
    shared = Counter(fold(p[0]) for p in parts if p)
    taken: set[str] = set()
    mapping: list[str | None] = []
    for header, part in zip(headers, parts, strict=True):
        key: str | None = None
        if part and shared[fold(part[0])] >= 2:
            field = match_question(part[0])
            if field in OPTION_FIELDS:
                mapping.append(f"{field}{OPTION}{part[1]}")
                continue
        if header:
            key = match_question(header)
        if key in taken:
            key = None
        if key:
            taken.add(key)
        mapping.append(key)
    return mapping


def split_option(key: str) -> tuple[str, str]:
    """``"symptoms|发热"`` -> ``("symptoms", "发热")``; a plain key -> ``(key, "")``."""
    field, _, option = key.partition(OPTION)
    return field, option


def header_score(header: str) -> str | None:
    """For the reader's header-row search: what a header names (tool columns
    count too, they are as sure a sign of the header row as questions)."""
    if not isinstance(header, str):
        return None
    if is_tool_column(header):
        return "tool"
    return match_question(header) or (_option_parts(header) and "option") or None


def _score(row: Sequence[object]) -> int:
    return sum(1 for cell in row if isinstance(cell, str) and header_score(cell))


def settle_header(sheet: Sheet, scan: int = 10) -> Sheet:
    """The sheet with its header row where the survey's header really is: a
    class's sheet may have a title row, a date row and a blank line above it."""
    best, at = _score(sheet.headers), -1
    for i, (_, row) in enumerate(sheet.rows[:scan]):
        score = _score(row)
        if score > best:
            best, at = score, i
    if at < 0:
        return sheet
    headers = ["" if c is None or (isinstance(c, str) and not c.strip()) else str(c).strip()
               for c in sheet.rows[at][1]]
    return Sheet(sheet.name, headers, sheet.rows[at + 1:])


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
                     if f and f not in TOOL_COLUMNS)

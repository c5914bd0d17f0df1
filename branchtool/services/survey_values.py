"""What a survey answer means for a check-in field.

Every answer the usual ways people write it is understood: temperatures as
``36.5``, ``36.5℃``, ``36.5度``, ``36.5 °C``; yes and no as 是/否/有/无/Y/N
and longer answers that begin so ("否，一直在校"); "nothing" as 无/无异常/正常/
健康/（空）/N/A; multiple answers joined by ``┋``, ``|``, ``，``, ``、``, ``;``;
"其他〖流鼻涕〗"; quarantine states; places as ``省-市-区`` or free text.

An answer that is not understood is *held*: the field is left as it was and
the answer is reported (grouped by its text) so that it can be mapped once;
the mapping (``ValueMap``: field -> folded answer -> stored value) is kept in
the questionnaire's template and applied from then on. Free text (notes,
places) is never held: it is kept, cut to the field's length.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from branchtool.records.checkin import CHECKIN
from branchtool.records.fields import _choice_lookup
from branchtool.records.health_fields import parse_temperature
from branchtool.services import survey_words as words
from branchtool.services.survey_words import fold

ValueMap = Mapping[str, Mapping[str, str]]
# Multiple answers in one cell.
_SPLIT = re.compile(r"\s*(?:[,，、;；|｜┋\n]|\s{2,})\s*")
YES_NO_FIELDS = ("risk_travel", "case_contact")
CHOICE_FIELDS = ("location", "isolation", *YES_NO_FIELDS)
FREE_TEXT = ("note", "symptom_other", "province", "city", "place")
# What an unknown answer may be mapped to (besides the field's choices):
BLANK = ""  # nothing recorded (a temperature question answered "正常")
FEVER = "fever"  # a temperature answer meaning "at or above the threshold"


@dataclass
class Answer:
    """The fields an answer sets and the parts of it not understood."""

    cells: dict[str, object] = field(default_factory=dict)
    held: list[str] = field(default_factory=list)


def _text(raw: object) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw).strip()


def _blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def interpret(key: str, raw: object, values: ValueMap | None = None,
              fever_threshold: str = "37.3") -> Answer:
    """The answer ``raw`` (a cell, or the ticked options of a question spread
    over several columns) to the question that fills ``key``."""
    answer = Answer()
    if _blank(raw) or (isinstance(raw, list) and not raw):
        return answer
    mapped = (values or {}).get(key, {})
    if key == "symptoms":
        _symptoms(raw, mapped, answer)
    elif key == "temperature":
        _temperature(raw, mapped, fever_threshold, answer)
    elif key == "place":
        _place(_joined(raw), answer)
    elif key in CHOICE_FIELDS:
        _choice(key, raw, mapped, answer)
    elif key in FREE_TEXT:
        text = _joined(raw)
        answer.cells[key] = text[: CHECKIN.field(key).max_length]
    else:
        answer.cells[key] = raw
    return answer


def _joined(raw: object) -> str:
    if isinstance(raw, list):
        return "，".join(_text(r) for r in raw)
    return _text(raw)


def _items(raw: object) -> list[str]:
    if isinstance(raw, list):
        return [_text(r) for r in raw if not _blank(r)]
    return [p for p in _SPLIT.split(_text(raw)) if p.strip()]


def _symptoms(raw: object, mapped: Mapping[str, str], answer: Answer) -> None:
    lookup = _choice_lookup(CHECKIN.field("symptoms"))
    codes: set[str] = set()
    other: list[str] = []
    for item in _items(raw):
        folded = fold(item)
        if folded in mapped:
            if mapped[folded]:
                codes.add(mapped[folded])
            continue
        with_text = words.OTHER_WITH_TEXT.match(item)
        if with_text:
            codes.add("other")
            if with_text.group(1):
                other.append(with_text.group(1))
            continue
        if folded in words.NOTHING:
            continue
        code = lookup.get(folded)
        if code is None:  # "发热（37.3℃及以上）", "咳嗽、咽痛等"
            code = next((c for w, c in lookup.items() if len(w) >= 2 and folded.startswith(w)),
                        None)
        if code is None:
            answer.held.append(item)
        else:
            codes.add(code)
    answer.cells["symptoms"] = sorted(codes)
    if other:
        answer.cells["symptom_other"] = "，".join(other)[: CHECKIN.field("symptom_other")
                                                          .max_length]


def _temperature(raw: object, mapped: Mapping[str, str], threshold: str,
                 answer: Answer) -> None:
    text = _joined(raw)
    folded = fold(text)
    if folded in mapped:
        target = mapped[folded]
        answer.cells["temperature"] = threshold if target == FEVER else target
        return
    if folded in words.NOTHING:
        return
    value = raw if isinstance(raw, int | float) and not isinstance(raw, bool) else text
    if parse_temperature(value) is None:
        answer.held.append(text)
        return
    answer.cells["temperature"] = value  # out of range: the record's check says so


def _choice(key: str, raw: object, mapped: Mapping[str, str], answer: Answer) -> None:
    text = _joined(raw)
    folded = fold(text)
    if folded in mapped:
        answer.cells[key] = mapped[folded]
        return
    code = _choice_code(key, text, folded)
    if code is None and key == "location" and split_place(text)[0]:
        _place(text, answer)  # "是否在校" answered with where one is: keep it as the place
    elif code is None:
        answer.held.append(text)
    else:
        answer.cells[key] = code


def _choice_code(key: str, text: str, folded: str) -> str | None:
    code = _choice_lookup(CHECKIN.field(key)).get(folded)
    if code is not None:
        return code
    if key in YES_NO_FIELDS:
        if folded in words.NO or folded in words.NOTHING:
            return "no"
        if folded in words.YES:
            return "yes"
        if folded.startswith(words.NO_STARTS):
            return "no"
        if folded.startswith(words.YES_STARTS):
            return "yes"
        return None
    if key == "isolation":
        if folded in words.ISOLATION_NONE or folded in words.NOTHING:
            return "none"
        for spellings, code in words.ISOLATION_WORDS:
            if any(w in text for w in spellings):
                return code
        if folded.startswith(words.NO_STARTS):
            return "none"
        return None
    if key == "location":
        return _where(text, folded)
    return None


def _where(text: str, folded: str) -> str | None:
    if folded in words.CAMPUS_ANSWERS:
        return "campus"
    if folded in words.HOME_ANSWERS:
        return "home"
    campus = any(w in text for w in words.CAMPUS_WORDS)
    home = any(w in text for w in words.HOME_WORDS)
    if campus != home:
        return "campus" if campus else "home"
    return None


def _place(text: str, answer: Answer) -> None:
    """``广东省-广州市-天河区`` or free text: the province and city where they
    can be read, at school or at home only when the answer says so, and the
    words as written."""
    province, city = split_place(text)
    if province:
        answer.cells["province"] = province
    if city:
        answer.cells["city"] = city
    where = _where(text, fold(text))
    if where:
        answer.cells["location"] = where
    answer.cells["place"] = text[: CHECKIN.field("place").max_length]


def split_place(text: str) -> tuple[str, str]:
    """(province, city) of a place written ``省-市-区``, ``省 市 区`` or run
    together ("湖北省武汉市洪山区", "湖北武汉"); empty where not found."""
    text = text.strip()
    for short, full in words.PROVINCES:
        for name in (full, short):
            if not text.startswith(name):
                continue
            if full in words.MUNICIPALITIES:  # "北京市-北京市-海淀区": the city is Beijing
                return full, full
            rest = text[len(name):].lstrip()
            parts = [p for p in words.PLACE_PARTS.split(rest) if p]
            if not parts:
                return full, ""
            first = parts[0]
            city = words.CITY_END.match(first) or words.PREFECTURE_END.match(first)
            city_name = city.group(1) if city else first
            return full, city_name[: CHECKIN.field("city").max_length]
    return "", ""


def choices_for(key: str) -> Sequence[str]:
    """What an unknown answer to ``key`` may be mapped to (stored values)."""
    if key == "temperature":
        return (BLANK, FEVER)
    if key == "symptoms":
        return (BLANK, *CHECKIN.field("symptoms").choices)
    return (BLANK, *CHECKIN.field(key).choices) if key in CHOICE_FIELDS else ()


def ticked(raw: object, option: str) -> bool:
    """A cell of a one-column-per-option export says the option was chosen:
    1, 是, √, or the option's own text."""
    if isinstance(raw, bool):
        return raw
    if _blank(raw):
        return False
    text = _text(raw)
    folded = fold(text)
    if folded in words.UNTICKED:
        return False
    return folded in words.TICKED or folded == fold(option) or bool(folded)

"""Message catalogs: every user-facing string comes from here.

Catalogs live in ``branchtool/locales/<lang>/<area>.json``; each area file is a
flat object of ``key -> template`` (``str.format`` placeholders). All files of a
language merge into one catalog; a key defined twice is a programming error.
zh-CN is the default language, English the other one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from functools import cache
from pathlib import Path

LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"
_LOCALES = Path(__file__).with_name("locales")
_current = os.environ.get("BRANCHTOOL_LANG", DEFAULT_LANGUAGE)
if _current not in LANGUAGES:
    _current = DEFAULT_LANGUAGE


@cache
def catalog(lang: str) -> dict[str, str]:
    """The merged catalog of one language."""
    merged: dict[str, str] = {}
    for path in sorted((_LOCALES / lang).glob("*.json")):
        for key, value in json.loads(path.read_text(encoding="utf-8")).items():
            if key in merged:
                raise RuntimeError(f"message key {key!r} defined twice ({path.name})")
            merged[key] = value
    return merged


def set_language(lang: str) -> None:
    global _current
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    _current = lang


def language() -> str:
    return _current


def t(key: str, /, **params: object) -> str:
    """The message ``key`` in the current language, formatted with ``params``."""
    text = catalog(_current).get(key)
    if text is None:
        text = catalog(DEFAULT_LANGUAGE).get(key, key)
    return text.format(**params) if params else text


def format_date(day: dt.date | None) -> str:
    """A date the way the current language writes it (2020年2月1日 in zh-CN)."""
    if day is None:
        return ""
    if _current == "zh-CN":
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()


def format_datetime(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    if _current == "zh-CN":
        return f"{format_date(moment.date())} {moment:%H:%M}"
    return f"{moment:%Y-%m-%d %H:%M}"


def format_stamp(stamp: str) -> str:
    """A stored UTC time (``2026-11-29T16:25:24.760Z``) in local time, the
    user's way; ValueError when it is not such a time."""
    moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone().replace(tzinfo=None)
    return format_datetime(moment)

"""Pinyin keys for searching and sorting Chinese names.

Each character's reading is looked up once and memoised, so building the keys
of 30,000 people costs a dictionary lookup per character rather than a call
into pypinyin per name. A name's first character is read as a surname, where
several common surnames differ from the everyday reading (曾 zeng, 单 shan).
"""

from __future__ import annotations

import os
from functools import lru_cache

# Only single characters are read here: pypinyin's phrase dictionary (most
# of its import: half a second and some 50 MB, in every command that sorts
# names) is never consulted, and its dictionaries need no private copy
# (nothing here customises them). The readings are the same (every
# character pypinyin knows: tests/test_pinyin.py).
os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
os.environ.setdefault("PYPINYIN_NO_DICT_COPY", "1")

from pypinyin import Style, lazy_pinyin

# Surnames whose reading differs from the character's most common reading.
_SURNAME_READINGS = {
    "曾": ("zeng", "zeng1"),
    "单": ("shan", "shan4"),
    "解": ("xie", "xie4"),
    "仇": ("qiu", "qiu2"),
    "区": ("ou", "ou1"),
    "查": ("zha", "zha1"),
    "朴": ("piao", "piao2"),
    "盖": ("ge", "ge3"),
    "覃": ("qin", "qin2"),
    "乐": ("yue", "yue4"),
    "缪": ("miao", "miao4"),
    "翟": ("zhai", "zhai2"),
    "召": ("shao", "shao4"),
    "种": ("chong", "chong2"),
    "秘": ("bi", "bi4"),
    "尉": ("yu", "yu4"),
    "员": ("yun", "yun2"),
}


@lru_cache(maxsize=65536)
def _reading(char: str) -> tuple[str, str]:
    """(plain, tone-numbered) reading of one character; itself if not Chinese."""
    if char.isascii():
        low = char.lower()
        return low, low
    plain = lazy_pinyin(char, style=Style.NORMAL, errors="default")[0]
    tone = lazy_pinyin(char, style=Style.TONE3, errors="default", neutral_tone_with_five=True)[0]
    return plain.lower(), tone.lower()


def readings(text: str, *, surname: bool = True) -> list[tuple[str, str]]:
    out = [_reading(c) for c in text]
    if surname and text and text[0] in _SURNAME_READINGS:
        out[0] = _SURNAME_READINGS[text[0]]
    return out


def initials(text: str, *, surname: bool = True) -> str:
    """``"zs"`` for 张三: the first letter of each character's reading."""
    return "".join(plain[:1] for plain, _ in readings(text, surname=surname) if plain.strip())


def spelled(text: str, *, surname: bool = True) -> str:
    """``"zhangsan"`` for 张三."""
    return "".join(plain for plain, _ in readings(text, surname=surname) if plain.strip())


@lru_cache(maxsize=65536)
def sort_key(text: str, *, surname: bool = False) -> str:
    """A key that orders Chinese text the way a Chinese roster is ordered:
    by pinyin, then tone, then the characters themselves. ``surname`` reads
    the first character as a family name (for people's names)."""
    return " ".join(tone for _, tone in readings(text, surname=surname)) + "\x00" + text

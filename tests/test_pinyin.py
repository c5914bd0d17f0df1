"""branchtool.pinyin loads pypinyin without its phrase dictionary (issue 19:
half a second and some 50 MB of every command that sorts names): the
readings of single characters, all it asks, are the same either way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_READ_ALL = """
import json, sys
from branchtool import pinyin
from pypinyin.constants import PHRASES_DICT, PINYIN_DICT
chars = [chr(c) for c in sorted(PINYIN_DICT)]
print(json.dumps({"phrases": len(PHRASES_DICT), "readings": [pinyin._reading(c) for c in chars],
                  "names": [pinyin.spelled(n) for n in ("曾小贤", "单田芳", "重庆", "长乐")]}))
"""


def _read_all(**env: str) -> dict:  # type: ignore[type-arg]
    base = {k: v for k, v in os.environ.items() if not k.startswith("PYPINYIN_")}
    out = subprocess.run([sys.executable, "-c", _READ_ALL], cwd=ROOT, capture_output=True,
                         text=True, check=True, env={**base, **env}).stdout
    return json.loads(out)  # type: ignore[no-any-return]


def test_every_character_reads_the_same_without_the_phrase_dictionary() -> None:
    lean = _read_all()
    full = _read_all(PYPINYIN_NO_PHRASES="", PYPINYIN_NO_DICT_COPY="")
    assert lean["phrases"] == 0 and full["phrases"] > 10_000  # each way was what it says
    assert len(lean["readings"]) > 20_000
    assert lean["readings"] == full["readings"] and lean["names"] == full["names"]
    assert lean["names"][0].startswith("zeng")  # the surname reading

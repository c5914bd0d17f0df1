"""Fixtures of the report tests: the demo branch at a fixed seed and day, with
the session's clock pinned, so each report's Markdown is the same every run
(the goldens under ``tests/golden/reports``)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from branchtool import demo, i18n
from branchtool.records.deed import PROPOSED
from branchtool.session import Session

TODAY = dt.date(2026, 11, 20)
NOON = dt.datetime(2026, 11, 20, 18, 0)
SEED = 11
PEOPLE = 40
DAYS = 14
WORK_FACTOR = 10
GOLDEN = Path(__file__).resolve().parent / "golden" / "reports"
UPDATE = "BRANCHTOOL_UPDATE_GOLDEN"


def demo_branch(path: Path) -> Session:
    """The golden demo: 40 people, 14 days of check-ins ending on TODAY,
    every deed marked for reporting; unlocked with the clock at 18:00 TODAY.
    Built in zh-CN whatever an earlier test left (the demo names the branch in
    the current language)."""
    before = i18n.language()
    i18n.set_language("zh-CN")
    try:
        session = demo.build(path, people=PEOPLE, days=DAYS, seed=SEED, today=TODAY,
                             work_factor=WORK_FACTOR)
    finally:
        i18n.set_language(before)
    for row in session.deeds.query():
        session.deeds.set_status(row.id, PROPOSED)
    session.lock()
    pinned = Session(path, work_factor=WORK_FACTOR)
    pinned.clock = lambda: NOON
    pinned.unlock(demo.PASSPHRASE)
    return pinned


def check_golden(name: str, text: str) -> None:
    """``text`` must equal ``tests/golden/reports/<name>.md``. With
    ``BRANCHTOOL_UPDATE_GOLDEN=1`` in the environment, write it instead."""
    path = GOLDEN / f"{name}.md"
    if os.environ.get(UPDATE):
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"no golden {path.name}: run with {UPDATE}=1 (see README.md there)"
    assert text == path.read_text(encoding="utf-8"), \
        f"{name} differs from {path}; if the change is intended, regenerate (README.md there)"

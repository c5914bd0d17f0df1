"""Fixtures of the epidemic-watch tests: a vault with a few people and a clock
the test moves (``clock.now = ...``).

Import what a module needs: ``from healthkit import clock, watch``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fixtures_app import BRANCH_CODE, BRANCH_NAME, PASSPHRASE, WORK_FACTOR, id_number, settle

from branchtool.session import Session

NOW = dt.datetime(2024, 6, 1, 11, 0)  # after the 10:00 deadline
TODAY = NOW.date()
NAMES = ("张三", "李四", "王五", "赵六", "孙七")


class Clock:
    """A clock the test sets; the session's services read it on every call."""

    def __init__(self, now: dt.datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class Watch:
    session: Session
    clock: Clock
    ids: list[str] = field(default_factory=list)  # in NAMES order

    def frames(self) -> int:
        """Journal frames written so far (each fsynced write is one)."""
        return int(self.session.vault.store.seq)


def add_people(session: Session, names: tuple[str, ...] = NAMES, *,
               stage: str = "member") -> list[str]:
    """Add people with distinct ID numbers and phones (numbered on from
    however many the roster holds)."""
    first = len(session.roster)
    return [session.roster.add({"name": name, "category": "student", "stage": stage,
                                "id_number": id_number(order=100 + first + i),
                                "phone": f"1380000{first + i:04d}"})
            for i, name in enumerate(names)]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def watch(tmp_path: Path, clock: Clock) -> Iterator[Watch]:
    session = Session(tmp_path / "vault", work_factor=WORK_FACTOR)
    session.clock = clock
    session.create(BRANCH_CODE, BRANCH_NAME, PASSPHRASE)
    w = Watch(session, clock, add_people(session))
    yield w
    session.lock()


def reopen(w: Watch) -> Session:
    """Lock the vault and open it again (services rebuilt from disk)."""
    path = w.session.path
    w.session.lock()
    session = Session(path, work_factor=WORK_FACTOR)
    session.clock = w.clock
    session.unlock(PASSPHRASE)
    w.session = session
    return session


async def open_watch(app: Any, pilot: Any, tab: str = "dashboard") -> Any:
    """The main screen's epidemic-watch section (by its Alt key, as a user
    would), on ``tab``, loaded."""
    from screens.main import SECTIONS
    from screens.watch_section import WatchPane

    index = [sid for sid, _, _ in SECTIONS].index("watch") + 1
    await pilot.press(f"alt+{index}")
    await settle(app, pilot)
    await pilot.pause()
    pane = app.screen.query_one(WatchPane)
    if tab != pane.active:
        pane.action_tab(tab)
    await settle(app, pilot)
    return pane


def static(app: Any, selector: str) -> str:
    """The text a Static on the current screen shows."""
    from textual.widgets import Static

    return str(app.screen.query_one(selector, Static).render())

"""Fixtures of the app, roster and UI tests: real vaults with a cheap scrypt.

Import the fixtures a test module needs: ``from fixtures_app import session``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from branchtool import i18n
from branchtool.records import checks
from branchtool.services.roster import RosterService
from branchtool.session import Session

WORK_FACTOR = 10  # scrypt N = 2**10: milliseconds instead of a second
PASSPHRASE = "correct horse battery"
BRANCH_CODE = "T01"
BRANCH_NAME = "测试第一党支部"
TODAY = dt.date(2024, 6, 1)  # fixed, so demo data and snapshots are stable


def id_number(born: dt.date = dt.date(1990, 3, 7), *, region: str = "110105",
              order: int = 123) -> str:
    """A valid resident ID number (odd ``order``: male, even: female)."""
    first17 = f"{region}{born:%Y%m%d}{order:03d}"
    return first17 + checks.id_check_digit(first17)


def person(name: str = "张三", **values: str) -> dict[str, str]:
    """The values of a valid person; ``values`` override."""
    return {"name": name, "category": "student", "stage": "league", **values}


@pytest.fixture(autouse=True)
def chinese() -> Iterator[None]:
    """Every test starts in zh-CN and leaves the language as it found it."""
    before = i18n.language()
    i18n.set_language("zh-CN")
    yield
    i18n.set_language(before)


@pytest.fixture
def english() -> Iterator[None]:
    """For tests that use it: English, and the language put back after."""
    before = i18n.language()
    i18n.set_language("en")
    yield
    i18n.set_language(before)


@pytest.fixture
def vault_dir(tmp_path: Path) -> Path:
    return tmp_path / "vault"


@pytest.fixture
def session(vault_dir: Path) -> Iterator[Session]:
    """A new branch vault, unlocked."""
    s = Session(vault_dir, work_factor=WORK_FACTOR)
    s.create(BRANCH_CODE, BRANCH_NAME, PASSPHRASE)
    yield s
    s.lock()


@pytest.fixture
def roster(session: Session) -> RosterService:
    return session.roster


@pytest.fixture
def demo_session(tmp_path: Path) -> Iterator[Session]:
    """A demo branch of 40 people (seed 1, fixed day), unlocked."""
    from branchtool import demo

    s = demo.build(tmp_path / "demo", people=40, seed=1, today=TODAY, work_factor=WORK_FACTOR)
    yield s
    s.lock()


def make_app(session: Session, **options: object):  # type: ignore[no-untyped-def]
    """The real app on ``session``, with the day fixed."""
    from screens.app import BranchApp

    return BranchApp(session, today=lambda: TODAY, **options)  # type: ignore[arg-type]


def text_of(app, selector: str) -> str:  # type: ignore[no-untyped-def]
    """The text a widget shows on the app's current screen."""
    return str(app.screen.query_one(selector).render())


async def settle(app, pilot, *, bugs: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Wait for the workers, then for the messages they caused. A worker that
    failed with a user error is told by the app's handler; one that failed
    on a bug is told too (a generic sentence) and fails the test here, unless
    the test expects it (``bugs``)."""
    from textual.worker import WorkerFailed

    try:
        await app.workers.wait_for_complete()
    except WorkerFailed:
        pass
    await pilot.pause()
    if not bugs:
        assert not getattr(app, "unexpected_failures", []), app.unexpected_failures


async def until(pilot, condition, *, rounds: int = 250) -> None:  # type: ignore[no-untyped-def]
    """Let the app run until ``condition()`` holds: what a screen does after
    its next refresh (a section shown by a key takes the focus then), which a
    busy machine may not have reached when the workers are done. A poll of the
    app's own progress, failing after ``rounds`` short pauses; not a timing test."""
    for _ in range(rounds):
        if condition():
            return
        await pilot.pause(0.02)
    assert condition()


def toasts(app) -> list[str]:  # type: ignore[no-untyped-def]
    """The messages of the notifications the app shows now."""
    return [n.message for n in app._notifications]

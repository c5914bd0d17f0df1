"""Test fixtures for office mode: an office vault, demo branches enrolled at
it, and a clock the tests set (never sleep)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from branchtool import demo, i18n
from branchtool.office.create import create_office
from branchtool.office.service import OfficeService
from branchtool.period import Period
from branchtool.session import Session

TODAY = dt.date(2026, 11, 20)
TZ = dt.timezone(dt.timedelta(hours=8))  # the office's zone in these tests
OFFICE_PASSPHRASE = "office passphrase"


@dataclass
class Clock:
    """A wall clock the test moves by hand."""

    moment: dt.datetime = dt.datetime(2026, 11, 20, 8, 0, tzinfo=TZ)

    def __call__(self) -> dt.datetime:
        return self.moment

    def at(self, day: dt.date, hour: int, minute: int = 0) -> None:
        self.moment = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def make_office(path: Path, clock: Clock, name: str = "某学院党委办公室") -> OfficeService:
    vault, _ = create_office(path, name, OFFICE_PASSPHRASE, work_factor=10,
                             check_passphrase=False)
    return OfficeService(vault, now=clock, tz=TZ)


def make_branch(path: Path, code: str, name: str, office: OfficeService, *,
                people: int = 20, days: int = 3, seed: int = 1,
                today: dt.date = TODAY) -> Session:
    """A demo branch with its own code, reporting to ``office``."""
    session = demo.build(path, people=people, days=days, seed=seed, today=today,
                         work_factor=10)
    session.vault.update_info(branch_code=code, branch_name=name)
    session.bundles.set_office_key(office.key())
    session.bundles.today = lambda: today
    return session


def enrol(office: OfficeService, branch: Session) -> None:
    office.trust.enrol(branch.bundles.branch_key())


def export(branch: Session, out: Path, day: dt.date = TODAY, redaction: str = "standard",
           start: dt.date | None = None) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    return branch.bundles.export(out, Period(start or day, day), redaction).path


@pytest.fixture(autouse=True)
def keep_language() -> Iterator[None]:
    """``main(["--lang", ...])`` sets the language for the process: put it back."""
    before = i18n.language()
    yield
    i18n.set_language(before)

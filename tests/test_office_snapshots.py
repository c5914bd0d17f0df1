"""Snapshots of the office's morning with 40 branches, at 80x24 and 120x40,
in zh-CN and en: the dashboard after the stick was imported, and the
import's verdicts. Built by ``tests/morningkit.py`` (fixed seeds, days and
clocks; the office's zone UTC+8), so the pictures are stable. Regenerate after
an intended change with ``pytest tests/test_office_snapshots.py
--snapshot-update`` and look at them."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures_app import settle
from textual.pilot import Pilot
from textual.widgets import Input

from branchtool import i18n
from branchtool.session import Session
from tests import morningkit
from tests.morningkit import MORNING, Morning, office_time_zone
from tests.officekit import OFFICE_PASSPHRASE

SIZES = [(80, 24), (120, 40)]
LANGS = ["zh-CN", "en"]
pytestmark = [pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}"),
              pytest.mark.parametrize("lang", LANGS)]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Morning:
    with office_time_zone():
        return morningkit.build(tmp_path_factory.mktemp("morning40"), branches=40, people=6)


@pytest.fixture
def office(built: Morning, tmp_path: Path, lang: str) -> Iterator[Path]:
    shutil.copytree(built.office, tmp_path / "office")
    before = i18n.language()
    i18n.set_language(lang)
    with office_time_zone():
        yield tmp_path / "office"
    i18n.set_language(before)


def office_app(path: Path):  # type: ignore[no-untyped-def]
    from screens.app import BranchApp

    session = Session(path, work_factor=10)
    session.unlock(OFFICE_PASSPHRASE)
    return BranchApp(session, today=lambda: MORNING), session


def test_dashboard(snap_compare, built: Morning, office: Path,  # type: ignore[no-untyped-def]
                   size: tuple[int, int]) -> None:
    morningkit.import_morning(Morning(built.root, office, built.usb))
    app, session = office_app(office)

    async def settled(pilot: Pilot) -> None:  # type: ignore[type-arg]
        await settle(pilot.app, pilot)
        await settle(pilot.app, pilot)

    try:
        assert snap_compare(app, terminal_size=size, run_before=settled)
    finally:
        session.lock()


def test_import(snap_compare, built: Morning, office: Path,  # type: ignore[no-untyped-def]
                size: tuple[int, int]) -> None:
    app, session = office_app(office)

    async def import_stick(pilot: Pilot) -> None:  # type: ignore[type-arg]
        await settle(pilot.app, pilot)
        pilot.app.screen.action_section("import")
        await settle(pilot.app, pilot)
        pilot.app.screen.query_one("#office-import-paths", Input).value = "usb"
        pilot.app.screen.query_one("#office-import-paths", Input).value = str(built.usb)
        await pilot.press("enter")
        await settle(pilot.app, pilot)
        await settle(pilot.app, pilot)
        pilot.app.clear_notifications()
        pilot.app.screen.query_one("#office-import-paths", Input).value = "E:\\"
        await pilot.pause()

    try:
        assert snap_compare(app, terminal_size=size, run_before=import_stick)
    finally:
        session.lock()

"""Snapshots of the main screens at 80x24 and 120x40, in zh-CN and en.

The app is the real one on a demo branch (fixed seed and day), so the
pictures are stable. Regenerate after an intended change with
``pytest tests/test_ui_snapshots.py --snapshot-update`` and look at them.
"""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures_app import chinese, demo_session, make_app, settle  # noqa: F401  (fixtures)
from textual.pilot import Pilot

from branchtool import i18n
from branchtool.session import Session

SIZES = [(80, 24), (120, 40)]
LANGS = ["zh-CN", "en"]
pytestmark = [pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}"),
              pytest.mark.parametrize("lang", LANGS)]


@pytest.fixture
def demo(demo_session: Session, lang: str) -> Session:
    i18n.set_language(lang)
    return demo_session


def test_unlock(snap_compare, demo: Session, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    demo.lock()
    assert snap_compare(make_app(demo, demo_passphrase="demo"), terminal_size=size)


def test_roster(snap_compare, demo: Session, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(demo), terminal_size=size, press=["down", "down"])


def test_roster_search_and_filter(snap_compare, demo: Session,  # type: ignore[no-untyped-def]
                                  size: tuple[int, int]) -> None:
    async def search(pilot: Pilot) -> None:  # type: ignore[type-arg]
        pilot.app.screen.query_one("#filter-category").value = "student"
        await pilot.press("ctrl+f", *"zh")

    assert snap_compare(make_app(demo), terminal_size=size, run_before=search)


def test_person_detail(snap_compare, demo: Session, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(demo), terminal_size=size, press=["enter"])


def test_add_form_with_problems(snap_compare, demo: Session,  # type: ignore[no-untyped-def]
                                size: tuple[int, int]) -> None:
    async def add(pilot: Pilot) -> None:  # type: ignore[type-arg]
        await pilot.press("ctrl+n", *"王小明")
        pilot.app.screen.query_one("#field-id_number").value = "110105194912310021"
        await pilot.press("ctrl+s")

    assert snap_compare(make_app(demo), terminal_size=size, run_before=add)


def test_create_vault(snap_compare, lang: str, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    i18n.set_language(lang)
    # A relative path that does not exist: shown on the form, never written.
    session = Session(Path("no-vault-here") / "vault")
    assert snap_compare(make_app(session), terminal_size=size)


def test_help(snap_compare, demo: Session, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(demo), terminal_size=size, press=["f1"])

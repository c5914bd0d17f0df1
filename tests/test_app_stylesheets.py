# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)
"""Every screen's stylesheet is parsed when the app starts, so the first
push of a screen reads and re-applies nothing (it cost 90 ms on the person
page's first opening: bench/person_page.py)."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import Any

import pytest
from fixtures_app import chinese, demo_session, make_app, settle  # noqa: F401
from textual.screen import Screen

import screens
from branchtool.session import Session
from screens.app import stylesheets
from screens.member_page import MemberPage

FOLDER = Path(screens.__file__).parent


def screen_classes() -> list[type[Screen[Any]]]:
    found = []
    for path in sorted(FOLDER.glob("*.py")):
        module = importlib.import_module(f"screens.{path.stem}")
        found += [cls for _, cls in inspect.getmembers(module, inspect.isclass)
                  if issubclass(cls, Screen) and cls.__module__ == module.__name__]
    return found


def named_sheets(cls: type[Screen[Any]]) -> list[Path]:
    paths = cls.CSS_PATH if isinstance(cls.CSS_PATH, list) else [cls.CSS_PATH]
    return [FOLDER / str(path) for path in paths if path]


def test_every_sheet_a_screen_names_is_read_at_start() -> None:
    at_start = set(stylesheets())
    named = {path for cls in screen_classes() for path in named_sheets(cls)}
    assert named, "the search found no screen with a stylesheet"
    assert named <= at_start
    assert all(path.is_file() for path in at_start)


@pytest.mark.asyncio
async def test_the_first_push_of_a_screen_reparses_nothing(
        demo_session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(demo_session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        reparsed: list[bool] = []
        original = app.stylesheet.reparse
        monkeypatch.setattr(app.stylesheet, "reparse",
                            lambda: (reparsed.append(True), original())[1])
        someone = next(iter(demo_session.roster.people()))["id"]
        await app.push_screen(MemberPage(demo_session, someone))
        await settle(app, pilot)
        assert isinstance(app.screen, MemberPage)
        assert reparsed == []

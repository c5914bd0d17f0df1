"""Snapshots of the epidemic-watch screens at 80x24 on the demo branch (seed 1,
40 people, a fixed day and clock): the dashboard (zh-CN and English), the day
sheet, a check-in form, the survey import with problem rows, the alert list,
contacts and one contact, notices and one notice.

The section is shown in a small harness app with the real app's stylesheet,
so that sections other areas add to the main screen do not change these
pictures. Update with ``pytest tests/test_health_snapshots.py
--snapshot-update`` after checking the new pictures by eye.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fixtures_app import TODAY, WORK_FACTOR, chinese  # noqa: F401  (fixtures)
from textual.app import App, ComposeResult
from textual.widgets import Footer

import screens
from branchtool import demo, i18n
from branchtool.session import Session
from screens import dashboard as dashboard_screen
from screens.alerts import AlertsPanel
from screens.watch_section import WatchPane

NOW = dt.datetime.combine(TODAY, dt.time(11, 30))
SIZE = (80, 24)
SURVEY = ("提交答卷时间,1、姓名,2、手机号码,3、今日体温\n"
          "2024/6/1 7:30,周九,,36.5\n"
          "2024/6/1 7:31,白明,,36.6\n"
          "2024/6/1 7:32,曹悦,,50\n")


@pytest.fixture(scope="module")
def demo_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("watch-snapshots") / "demo"
    before = i18n.language()
    i18n.set_language("zh-CN")
    demo.build(path, people=40, seed=1, today=TODAY, work_factor=WORK_FACTOR).lock()
    i18n.set_language(before)
    return path


@pytest.fixture(autouse=True)
def own_panels(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only this area's panel under the figures: panels other areas append
    (when the main screen is imported) must not change these pictures."""
    monkeypatch.setattr(dashboard_screen, "PANELS", [AlertsPanel])


@pytest.fixture
def branch(demo_vault: Path, tmp_path: Path) -> Iterator[Session]:
    """A fresh copy of the demo vault each time (snapshots must not see each
    other's writes, e.g. the alerts a dashboard refresh raises)."""
    import shutil

    path = tmp_path / "demo"
    shutil.copytree(demo_vault, path)
    session = Session(path, work_factor=WORK_FACTOR)
    session.clock = lambda: NOW
    session.unlock(demo.PASSPHRASE)
    yield session
    session.lock()


class Harness(App[None]):
    """The watch section under the app's stylesheet, with the footer."""

    CSS_PATH = Path(screens.__file__).with_name("app.tcss")
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        yield WatchPane(self.session)
        yield Footer(compact=True)


async def settle(pilot: Any) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def keys(*pressed: str) -> Any:
    async def run(pilot: Any) -> None:
        await settle(pilot)
        for key in pressed:
            await pilot.press(key)
            await settle(pilot)

    return run


def test_dashboard(snap_compare: Any, branch: Session) -> None:
    assert snap_compare(Harness(branch), terminal_size=SIZE, run_before=keys())


def test_dashboard_in_english(snap_compare: Any, branch: Session) -> None:
    i18n.set_language("en")
    assert snap_compare(Harness(branch), terminal_size=SIZE, run_before=keys())


def fever(session: Session) -> None:
    """The fourth person in name order reports a fever with a cough today."""
    person = session.health.active_people()[3]
    session.health.record(TODAY, person.id, {"temperature": "38.3", "symptoms": "干咳"})


def test_day_sheet(snap_compare: Any, branch: Session) -> None:
    fever(branch)
    assert snap_compare(Harness(branch), terminal_size=SIZE, run_before=keys("2"))


def test_day_sheet_abnormal_only(snap_compare: Any, branch: Session) -> None:
    fever(branch)
    assert snap_compare(Harness(branch), terminal_size=SIZE, run_before=keys("2", "f", "f"))


def test_checkin_form(snap_compare: Any, branch: Session) -> None:
    assert snap_compare(Harness(branch), terminal_size=SIZE,
                        run_before=keys("2", "down", "down", "down", "enter"))


def test_import_with_problem_rows(snap_compare: Any, branch: Session, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "survey.csv").write_text(SURVEY, encoding="utf-8-sig")
    monkeypatch.chdir(tmp_path)

    async def run(pilot: Any) -> None:
        await keys("2", "ctrl+o")(pilot)
        screen = pilot.app.screen
        screen.query_one("#ci-path").value = "survey.csv"
        await pilot.press("enter")
        for _ in range(100):  # read, then the mapping mounts, then the plan
            await settle(pilot)
            if screen.plan is not None:
                break
        await settle(pilot)

    assert snap_compare(Harness(branch), terminal_size=SIZE, run_before=run)


def test_alerts(snap_compare: Any, branch: Session) -> None:
    assert snap_compare(Harness(branch), terminal_size=SIZE, run_before=keys("a", "f"))


def test_contacts(snap_compare: Any, branch: Session) -> None:
    assert snap_compare(Harness(branch), terminal_size=SIZE, run_before=keys("3"))


def test_contact_detail(snap_compare: Any, branch: Session) -> None:
    assert snap_compare(Harness(branch), terminal_size=SIZE,
                        run_before=keys("3", "down", "down", "enter"))


def test_notices(snap_compare: Any, branch: Session) -> None:
    assert snap_compare(Harness(branch), terminal_size=SIZE, run_before=keys("4"))


def test_notice_detail(snap_compare: Any, branch: Session) -> None:
    assert snap_compare(Harness(branch), terminal_size=SIZE, run_before=keys("4", "enter"))

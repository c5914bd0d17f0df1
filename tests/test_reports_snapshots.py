"""Snapshots of the Reports section at 80x24 on the demo branch (seed 1, 40
people, a fixed day and clock): the daily report with the day's 其他事项 in
its box, and the zero-report key refused in one sentence.

The section is shown in a small harness app with the real app's stylesheet.
Update with ``pytest tests/test_reports_snapshots.py --snapshot-update``
after checking the new pictures by eye.
"""

from __future__ import annotations

import datetime as dt
import shutil
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
from screens import failures
from screens.failures import WorkFailed
from screens.reports_pane import ReportsPane

NOW = dt.datetime.combine(TODAY, dt.time(17, 30))
SIZE = (80, 24)


@pytest.fixture(scope="module")
def demo_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report-snapshots") / "demo"
    before = i18n.language()
    i18n.set_language("zh-CN")
    demo.build(path, people=40, seed=1, today=TODAY, work_factor=WORK_FACTOR).lock()
    i18n.set_language(before)
    return path


@pytest.fixture
def branch(demo_vault: Path, tmp_path: Path) -> Iterator[Session]:
    path = tmp_path / "demo"
    shutil.copytree(demo_vault, path)
    session = Session(path, work_factor=WORK_FACTOR)
    session.clock = lambda: NOW
    session.unlock(demo.PASSPHRASE)
    yield session
    session.lock()


class Harness(App[None]):
    """The Reports section under the app's stylesheet, with the footer."""

    CSS_PATH = Path(screens.__file__).with_name("app.tcss")
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def today(self) -> dt.date:
        return TODAY

    def compose(self) -> ComposeResult:
        yield ReportsPane(self.session)
        yield Footer(compact=True)

    def on_work_failed(self, message: WorkFailed) -> None:
        failures.settle(self, message, unlocked=self.session.unlocked)  # as the app does


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


def test_daily_report_with_its_other_matters(snap_compare: Any, branch: Session) -> None:
    branch.day_reports.save(TODAY, "张三同学已返校，体温正常。\n下周一下午开展防疫知识讲座")
    assert snap_compare(Harness(branch), terminal_size=SIZE, run_before=keys())


def test_the_zero_report_refused(snap_compare: Any, branch: Session) -> None:
    assert snap_compare(Harness(branch), terminal_size=SIZE, run_before=keys("z"))

"""Snapshots of each care, task, record and deed list at 80x24, in zh-CN and
one in English, on the demo branch (seed 1, 40 people, a fixed day and clock).

Each list is shown in a small harness app with the real app's stylesheet, so
that sections other areas add to the main screen do not change these
pictures. Update with ``pytest tests/test_care_snapshots.py --snapshot-update``
after checking the new pictures by eye.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fixtures_app import TODAY, WORK_FACTOR, chinese  # noqa: F401  (fixtures)
from textual.app import App, ComposeResult
from textual.widget import Widget
from textual.widgets import Footer

import screens
from branchtool import demo, i18n
from branchtool.session import Session
from screens.care import CarePane, CaseDetail, VisitsScreen
from screens.member_page import MemberPage
from screens.member_records import RecordsPane
from screens.tasks import TaskDetail, TasksPane

NOW = dt.datetime.combine(TODAY, dt.time(9, 30))


@pytest.fixture(scope="module")
def demo_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("snapshots") / "demo"
    before = i18n.language()
    i18n.set_language("zh-CN")
    demo.build(path, people=40, seed=1, today=TODAY, work_factor=WORK_FACTOR).lock()
    i18n.set_language(before)
    return path


@pytest.fixture
def branch(demo_vault: Path) -> Iterator[Session]:
    session = Session(demo_vault, work_factor=WORK_FACTOR)
    session.clock = lambda: NOW
    session.unlock(demo.PASSPHRASE)
    yield session
    session.lock()


class Harness(App[None]):
    """One section's pane under the app's stylesheet, with the footer."""

    CSS_PATH = Path(screens.__file__).with_name("app.tcss")
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, session: Session, make: Callable[[Session], Widget]) -> None:
        super().__init__()
        self.session = session
        self.make = make

    def compose(self) -> ComposeResult:
        yield self.make(self.session)
        yield Footer(compact=True)


async def settle(pilot: Any) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_care_cases(snap_compare: Any, branch: Session) -> None:
    assert snap_compare(Harness(branch, CarePane), run_before=settle)


def test_care_cases_all_statuses(snap_compare: Any, branch: Session) -> None:
    async def all_cases(pilot: Any) -> None:
        pilot.app.query_one("#care-status").value = "all"
        await settle(pilot)

    assert snap_compare(Harness(branch, CarePane), run_before=all_cases)


def test_care_case_detail_with_visits(snap_compare: Any, branch: Session) -> None:
    async def detail(pilot: Any) -> None:
        case_id = next(r.id for r in branch.care.cases() if len(branch.care.visits(r.id)) > 1)
        await pilot.app.push_screen(CaseDetail(branch, case_id, changed=lambda *_: None))
        await settle(pilot)

    assert snap_compare(Harness(branch, CarePane), run_before=detail)


def test_all_visits(snap_compare: Any, branch: Session) -> None:
    async def visits(pilot: Any) -> None:
        await pilot.app.push_screen(VisitsScreen(branch))
        await settle(pilot)

    assert snap_compare(Harness(branch, CarePane), run_before=visits)


def test_open_tasks(snap_compare: Any, branch: Session) -> None:
    assert snap_compare(Harness(branch, TasksPane), run_before=settle)


def test_all_tasks(snap_compare: Any, branch: Session) -> None:
    async def everything(pilot: Any) -> None:
        pilot.app.query_one(TasksPane).show("all")
        await settle(pilot)

    assert snap_compare(Harness(branch, TasksPane), run_before=everything)


def test_tasks_by_member(snap_compare: Any, branch: Session) -> None:
    async def members(pilot: Any) -> None:
        pilot.app.query_one(TasksPane).show("members")
        await settle(pilot)

    assert snap_compare(Harness(branch, TasksPane), run_before=members)


def test_task_detail(snap_compare: Any, branch: Session) -> None:
    async def detail(pilot: Any) -> None:
        task = next(r for r in branch.tasks.query() if len(r.doc["log"]) > 1)
        await pilot.app.push_screen(TaskDetail(branch, task.id))
        await settle(pilot)

    assert snap_compare(Harness(branch, TasksPane), run_before=detail)


def test_members_records(snap_compare: Any, branch: Session) -> None:
    assert snap_compare(Harness(branch, RecordsPane), run_before=settle)


def test_deeds(snap_compare: Any, branch: Session) -> None:
    async def deeds(pilot: Any) -> None:
        pilot.app.query_one("#records-view").value = "deeds"
        await settle(pilot)

    assert snap_compare(Harness(branch, RecordsPane), run_before=deeds)


def test_member_page(snap_compare: Any, branch: Session) -> None:
    async def page(pilot: Any) -> None:
        busiest = branch.tasks.workload()[0].id
        await pilot.app.push_screen(MemberPage(branch, busiest))
        await settle(pilot)

    assert snap_compare(Harness(branch, TasksPane), run_before=page)


def person_page(branch: Session, key: str) -> Callable[[Any], Any]:
    """A person's page on one of its tabs: someone the demo gives a care
    case and a close contact, if anyone has both."""
    async def run(pilot: Any) -> None:
        cared = [r.doc["person"] for r in branch.care.cases() if r.doc.get("person")]
        contacted = {c["person"] for c in branch.contacts.all() if c.get("person")}
        who = next((p for p in cared if p in contacted), cared[0])
        await pilot.app.push_screen(MemberPage(branch, who))
        await settle(pilot)
        await pilot.press(key)
        await pilot.pause()

    return run


def test_person_page_checkins(snap_compare: Any, branch: Session) -> None:
    assert snap_compare(Harness(branch, TasksPane), run_before=person_page(branch, "2"))


def test_person_page_care(snap_compare: Any, branch: Session) -> None:
    assert snap_compare(Harness(branch, TasksPane), run_before=person_page(branch, "4"),
                        terminal_size=(120, 40))


def test_person_page_contacts(snap_compare: Any, branch: Session) -> None:
    assert snap_compare(Harness(branch, TasksPane), run_before=person_page(branch, "3"),
                        terminal_size=(120, 40))


def test_tasks_in_english(snap_compare: Any, branch: Session) -> None:
    i18n.set_language("en")
    assert snap_compare(Harness(branch, TasksPane), run_before=settle)

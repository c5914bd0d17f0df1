"""The detail screens are one ``DetailScreen`` configured by a ``DetailView``
per record type: every field a view shows (or computes) is a field of its
record definition, a view naming another is refused when it is defined, the
keys come from the view's actions (the writing ones refused read-only),
every one has its method, and every detail screen closes with Escape and
shares the one stylesheet."""

# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)
from __future__ import annotations

import io
from typing import Any

import pytest
from fixtures_app import chinese, make_app, settle  # noqa: F401  (chinese: autouse, the language each test starts in)
from healthkit import Watch, clock, watch  # noqa: F401
from rich.console import Console

from branchtool.records.person import PERSON
from screens.care import CASE_DETAIL, CaseDetail
from screens.contacts import CONTACT_DETAIL, ContactScreen
from screens.details import DetailScreen, DetailView, grid
from screens.notices import NOTICE_DETAIL, NoticeScreen
from screens.person_detail import PERSON_DETAIL, PersonDetail
from screens.tasks import TASK_DETAIL, TaskDetail


def text_of(widget: Any) -> str:
    """What a Static shows (a rich table included), as plain text."""
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text().strip()


SCREENS = {PersonDetail: PERSON_DETAIL, TaskDetail: TASK_DETAIL, CaseDetail: CASE_DETAIL,
           ContactScreen: CONTACT_DETAIL, NoticeScreen: NOTICE_DETAIL}


@pytest.mark.parametrize("screen", list(SCREENS), ids=lambda s: s.__name__)
def test_each_detail_screen_is_a_configured_detail_screen(screen: type[DetailScreen]) -> None:
    view = SCREENS[screen]
    assert issubclass(screen, DetailScreen) and screen.VIEW is view
    keys = {f.key for f in view.record.fields}
    assert set(view.fields) <= keys and set(view.shown) <= keys
    assert len(set(view.fields)) == len(view.fields)
    assert view.fields or view.sections  # something under the title
    assert screen.CSS_PATH == "details.tcss"
    keys = [b.key for b in screen.BINDINGS]  # type: ignore[union-attr]
    assert len(keys) == len(set(keys)) == len(view.actions) + 1  # no key means two things
    assert keys[-1] == "escape"  # closes, last in the footer
    assert {a.action.split("(")[0] for a in view.actions if a.writes} == screen.WRITE_ACTIONS
    for act in view.actions:  # every action has its method
        assert callable(getattr(screen, "action_" + act.action.split("(")[0]))


def test_a_view_of_a_field_the_definition_lacks_is_refused() -> None:
    with pytest.raises(KeyError):
        DetailView(PERSON, get=lambda s, i: None, title=lambda s, d: "", fields=("nickname",))
    with pytest.raises(KeyError):
        DetailView(PERSON, get=lambda s, i: None, title=lambda s, d: "",
                   shown={"nickname": lambda s, v: v})


def test_empty_values_show_a_dash_and_long_ones_fold() -> None:
    lines = PERSON_DETAIL.lines(None, {"name": "张三", "phone": ""})  # type: ignore[arg-type]
    assert dict(lines)[PERSON.field("name").label] == "张三"
    assert dict(lines)[PERSON.field("phone").label] == "—"
    table = grid(lines)
    assert table.columns[1].overflow == "fold" and table.columns[0].no_wrap


async def test_a_detail_forgets_at_a_lock_and_closes_once_its_record_is_gone(
        watch: Watch) -> None:
    s = watch.session
    tid = s.tasks.add({"title": "填报健康码截图", "assignees": watch.ids[:2],
                       "due": "2024-06-03"})
    app = make_app(s)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        detail = TaskDetail(s, tid)
        await app.push_screen(detail)
        await pilot.pause()
        assert ("任务", "填报健康码截图") in detail.shown
        assert "各人完成情况 0/2" in text_of(detail.query_one("#task-people"))
        detail.forget_data()  # what the app does at a lock: nothing of the task stays
        assert detail.shown == []
        assert text_of(detail.query_one("#detail-title")) == ""
        assert text_of(detail.query_one("#task-people")) == ""
        detail.reload_data()
        assert ("任务", "填报健康码截图") in detail.shown
        s.tasks.delete(tid)  # deleted from elsewhere: only Escape is left, then it closes
        assert detail.check_action("edit", ()) is False
        assert detail.check_action("close", ()) is True
        detail.reload_data()
        await pilot.pause()
        assert app.screen is not detail

"""Who has not done it yet (issue 17): each member's answer to a notice with
its date, the list narrowed to those who have not acknowledged, and many
confirmed at once with one note."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

import io
from typing import Any

import pytest
from fixtures_app import chinese, make_app, settle, toasts  # noqa: F401
from healthkit import TODAY, Watch, clock, open_watch, reopen, static, watch  # noqa: F401
from rich.console import Console
from textual.widgets import Input, Select

from branchtool.records.fields import InvalidRecord
from screens.notices import NoticeScreen
from screens.record_form import RecordForm


def shown(widget: Any) -> str:
    """What a Static holding a rich table shows, as plain text."""
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


NOTICE = {"issued_on": "2024-05-28", "title": "关于做好疫情防控工作的通知"}


def test_many_confirmed_at_once_in_one_write(watch: Watch) -> None:
    notices = watch.session.notices
    nid = notices.add(NOTICE)
    notices.relay(nid, watch.ids[:4], "wechat_group", TODAY)
    notices.respond(nid, watch.ids[0], "studied")
    before = watch.frames()
    count = notices.respond_many(nid, watch.ids, "acknowledged", "在支部微信群接龙确认")
    assert count == 3  # 0 had answered; 4 was never relayed to
    assert watch.frames() == before + 1
    relays = reopen(watch).notices.relays(nid)
    assert [relays[p]["response"] for p in watch.ids[:4]] == [
        "studied", "acknowledged", "acknowledged", "acknowledged"]
    assert relays[watch.ids[1]]["responded_on"] == TODAY.isoformat()
    assert relays[watch.ids[1]]["response_note"] == "在支部微信群接龙确认"
    assert watch.ids[4] not in relays
    coverage = watch.session.notices.coverage(nid)
    assert (coverage.relayed, coverage.acknowledged, coverage.studied) == (4, 4, 1)
    with pytest.raises(InvalidRecord):
        watch.session.notices.respond_many(nid, watch.ids, "acknowledged", "长" * 201)


async def test_the_not_acknowledged_and_a_bulk_confirmation_with_a_note(watch: Watch) -> None:
    s = watch.session
    nid = s.notices.add(NOTICE)
    s.notices.relay(nid, watch.ids[:4], "wechat_group", TODAY)
    s.notices.respond(nid, watch.ids[0], "acknowledged")
    app = make_app(s)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_watch(app, pilot, "notices")
        await app.push_screen(NoticeScreen(s, nid))
        await settle(app, pilot)
        detail = app.screen
        assert len(detail.table.rows) == 5
        await pilot.press("u")  # only those who have not acknowledged
        await pilot.pause()
        names = [r.person["name"] for r in detail.table.rows]
        assert len(names) == 4 and "张三" not in names
        assert "只看未阅知：4 人" in static(app, "#notice-coverage")
        await pilot.press("K")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RecordForm)
        assert form.query_one("#field-response", Select).value == "acknowledged"
        form.query_one("#field-response_note", Input).value = "在支部微信群接龙确认"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is detail
        assert "已确认 3 人。" in toasts(app)
        # Left: the one never relayed to.
        assert [r.person["name"] for r in detail.table.rows] == ["孙七"]
        await pilot.press("K")
        await pilot.pause()
        assert app.screen is detail
        assert "列表里没有已传达而未阅知的人" in toasts(app)
        await pilot.press("u")
        await pilot.pause()
        cells = {r.person["name"]: r for r in detail.table.rows}
        assert (cells["李四"].cell("response"), cells["李四"].cell("responded_on")) == (
            "已阅知", "2024年6月1日")
        assert s.notices.relays(nid)[watch.ids[1]]["response_note"] == "在支部微信群接龙确认"


def test_a_task_for_many_counts_each_one_and_is_done_when_all_are(watch: Watch) -> None:
    from branchtool.errors import UserError
    from branchtool.services.tasks import progress

    tasks = watch.session.tasks
    tid = tasks.add({"title": "填报健康码截图", "assignees": watch.ids, "due": "2024-06-03"})
    row = tasks.query()[0]
    assert row.cell("progress") == "0/5"
    before = watch.frames()
    assert tasks.confirm(tid, watch.ids[:3], "在支部群里确认") == 3
    assert watch.frames() == before + 1
    assert tasks.confirm(tid, watch.ids[:3]) == 0  # already confirmed: nothing written
    doc = tasks.get(tid)
    assert progress(doc) == (3, 5) and doc["status"] == "todo"
    assert doc["confirmed"][watch.ids[0]] == {"on": "2024-06-01", "note": "在支部群里确认"}
    assert doc["log"][-1]["text"] == "确认 3 人已完成（3/5） 在支部群里确认"
    assert tasks.confirm(tid, ["nobody", *watch.ids[3:]]) == 2  # not an assignee: ignored
    doc = reopen(watch).tasks.get(tid)
    assert doc["status"] == "done" and doc["evidence"] == "全部 5 人已完成"
    assert progress(doc) == (5, 5)
    with pytest.raises(UserError):
        watch.session.tasks.confirm(tid, watch.ids)


async def test_a_task_shows_each_one_and_confirms_those_ticked(watch: Watch) -> None:
    from screens.care_form import CareForm
    from screens.tasks import TaskDetail

    s = watch.session
    tid = s.tasks.add({"title": "填报健康码截图", "assignees": watch.ids, "due": "2024-06-03"})
    s.tasks.confirm(tid, watch.ids[:1], "当面交来")
    app = make_app(s)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await app.push_screen(TaskDetail(s, tid))
        await pilot.pause()
        detail = app.screen
        people = shown(detail.query_one("#task-people"))
        assert "各人完成情况 1/5" in people and "2024年6月1日 完成" in people
        await pilot.press("u")
        await pilot.pause()
        people = shown(detail.query_one("#task-people"))
        assert "只看未完成" in people and "张三" not in people and "孙七" in people
        await pilot.press("K")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, CareForm)
        ticks = form.query_one("#field-people")
        assert sorted(ticks.selected) == sorted(watch.ids[1:])  # everyone not yet, ticked
        ticks.deselect(watch.ids[4])  # 孙七 has not sent it
        form.query_one("#field-note", Input).value = "群里已发截图"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is detail
        assert "已确认 3 人。" in toasts(app)
        people = shown(detail.query_one("#task-people"))
        assert "各人完成情况 4/5" in people and "孙七" in people and "李四" not in people
        assert s.tasks.get(tid)["confirmed"][watch.ids[1]]["note"] == "群里已发截图"

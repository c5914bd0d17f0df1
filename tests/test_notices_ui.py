"""Notice relays driven with Pilot: recording a notice, relaying it person by
person and to the rest at once, responses and a supervision note, and the
coverage bar with the members not yet reached."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

from typing import Any

from fixtures_app import chinese, make_app, settle, toasts  # noqa: F401
from healthkit import TODAY, Watch, add_people, clock, open_watch, static, watch  # noqa: F401
from textual.widgets import Input, Select

from screens.notices import NoticeScreen, NoticesPane
from screens.record_form import RecordForm


def field(screen: Any, key: str) -> Any:
    return screen.query_one(f"#field-{key}")


async def test_a_notice_is_relayed_to_every_member(watch: Watch) -> None:
    s = watch.session
    add_people(s, ("钱八",), stage="league")  # not in a members' notice's audience
    app = make_app(s)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = (await open_watch(app, pilot, "notices")).pane("notices")
        assert isinstance(pane, NoticesPane) and pane.table.rows == []
        await pilot.press("ctrl+n")
        form = app.screen
        assert isinstance(form, RecordForm)
        assert field(form, "issued_on").value == "2024-06-01"
        field(form, "number").value = "院党组〔2020〕3号"
        field(form, "title").value = "关于做好疫情防控工作的通知"
        field(form, "deadline").value = "2024-06-05"
        await pilot.press("ctrl+s")
        await pilot.pause()
        [row] = pane.table.rows
        assert (row.cell("title"), row.cell("coverage")) == (
            "关于做好疫情防控工作的通知", "0/5 ░░░░░░")
        nid = row.id

        await pilot.press("enter")
        detail = app.screen
        assert isinstance(detail, NoticeScreen)
        assert static(app, "#notice-coverage").startswith("已传达 0/5")
        assert [r.person["name"] for r in detail.table.rows] == ["李四", "孙七", "王五",
                                                                "张三", "赵六"]
        await pilot.press("space")  # 李四: how was it relayed?
        form = app.screen
        assert isinstance(form, RecordForm)
        form.query_one("#field-method", Select).value = "in_person"
        field(form, "relayed_by").value = "支部书记"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is detail
        assert static(app, "#notice-coverage").startswith("已传达 1/5")
        assert "已登记传达 1 人。" in toasts(app)
        await pilot.press("space")  # 孙七: the same way, without asking again
        await pilot.pause()
        coverage = s.notices.coverage(nid)
        assert (coverage.relayed, [p["name"] for p in coverage.not_reached]) == (
            2, ["王五", "张三", "赵六"])
        assert s.notices.relays(nid)[watch.ids[4]]["relayed_by"] == "支部书记"

        await pilot.press("R")  # the rest at once, by WeChat
        form = app.screen
        assert isinstance(form, RecordForm)
        form.query_one("#field-method", Select).value = "other"  # says how, or is refused
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        form.query_one("#field-method_other", Input).value = "班级群接龙"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert static(app, "#notice-coverage").startswith("已传达 5/5")
        assert s.notices.relays(nid)[watch.ids[0]]["method_other"] == "班级群接龙"
        assert "其他：班级群接龙" in [r.cell("method") for r in detail.table.rows]
        assert "未传达 0" in static(app, "#notice-coverage")
        detail.table.move_to(0)
        await pilot.press("s")  # studied
        await pilot.press("c")  # a supervision note
        form = app.screen
        assert isinstance(form, RecordForm)
        form.query_one("#field-check_note", Input).value = "抽查时能复述通知要点"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        relay = s.notices.relays(nid)[detail.table.rows[0].id]
        assert (relay["response"], relay["check_note"]) == ("studied", "抽查时能复述通知要点")
        assert "阅知 1（学习 1）" in static(app, "#notice-coverage")
        await pilot.press("escape")
        await pilot.pause()
        assert pane.table.rows[0].cell("coverage") == "5/5 ██████"
    assert TODAY.isoformat() == "2024-06-01"

"""One person's whole page: the check-ins of the last 30 days with their
chart, close contacts and follow-ups, care cases and visits, notices relayed
and answered, the roster history; opened by ``m`` from every list of people."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fixtures_app import chinese, make_app, settle, toasts  # noqa: F401
from healthkit import TODAY, Watch, clock, open_watch, reopen, watch  # noqa: F401

from branchtool import person_page
from screens.alerts import AlertsScreen
from screens.member_page import MemberPage
from screens.temperature_chart import chart


def day(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


@pytest.fixture
def busy(watch: Watch) -> Watch:
    """张三 with a fever two days ago, a close contact followed up, a care
    case with a visit, one notice relayed and acknowledged, one not relayed,
    and a change of group on the roster."""
    s = watch.session
    zhang, li = watch.ids[0], watch.ids[1]
    s.health.record(day(2), zhang, {"temperature": "38.2", "symptoms": ["fever", "dry_cough"]})
    s.health.record(day(1), zhang, {"temperature": "36.8"})
    s.health.record(TODAY, zhang, {"temperature": "36.5"})
    cid = s.contacts.add({"exposure_date": day(5), "contact_type": "密接",
                          "observation_type": "医学观察"}, person_id=zhang)
    s.contacts.follow_up(cid, day(1), "well", note="体温正常")
    case = s.care.add_case({"person": zhang, "hardship": "economic", "severity": "serious",
                            "description": "家庭经济困难", "responsible": li,
                            "opened_on": day(10), "next_visit": day(-3)})
    s.care.add_visit(case, {"date": day(3), "method": "phone", "findings": "已申请临时补助",
                            "visitor": li, "support": "money", "amount": "500"})
    relayed = s.notices.add({"issued_on": day(4), "title": "关于做好疫情防控工作的通知"})
    s.notices.relay(relayed, [zhang], "wechat_group", day(3))
    s.notices.respond(relayed, zhang, "acknowledged")
    s.notices.add({"issued_on": day(1), "title": "关于开展主题党日活动的通知"})
    s.roster.edit(zhang, {"group": "学生第二党小组"})
    s.roster.edit(zhang, {"group": "学生第二党小组"})  # no change: nothing kept
    return watch


def texts(page: person_page.PersonPage, key: str) -> list[str]:
    return [line.shown() for line in page.sections[key]]


def test_the_page_gathers_everything_about_one_person(busy: Watch) -> None:
    s = busy.session
    page = person_page.build(s, busy.ids[0])
    checkins = texts(page, "checkins")
    assert len(checkins) == 30 and page.counts["checkins"] == 3
    assert checkins[:3] == ["2024年6月1日  正常 · 36.5℃", "2024年5月31日  正常 · 36.8℃",
                            "2024年5月30日  38.2℃ · 发热、干咳"]
    assert [line.flag for line in page.sections["checkins"][:4]] == [False, False, True, True]
    assert checkins[3] == "2024年5月29日  未打卡"
    assert page.temperatures[-3:] == ["38.2", "36.8", "36.5"]
    assert page.temperatures[:-3] == [""] * 27
    contacts = texts(page, "contacts")
    assert contacts[0].startswith("2024年5月27日  密接 · 医学观察 · 观察 2024年5月27日 至")
    assert contacts[0].endswith("观察中")
    assert contacts[1] == "    2024年5月31日  已随访，无异常 · 体温正常"
    assert texts(page, "care") == [
        "2024年5月22日  经济困难 · 较重 · 跟进中 · 家庭经济困难",
        "    2024年5月29日  电话 · 慰问金 500.00 元 · 已申请临时补助"]
    assert texts(page, "notices") == [
        "2024年5月31日  关于开展主题党日活动的通知 · 未传达",
        "2024年5月28日  关于做好疫情防控工作的通知 · 2024年5月29日 传达 · 微信群 · 已阅知"]
    assert [line.flag for line in page.sections["notices"]] == [True, False]
    roster = texts(page, "roster")
    assert len(roster) == 2
    assert roster[0].endswith("党小组：（空） → 学生第二党小组")
    assert roster[1].endswith("加入名册")


def test_another_person_sees_none_of_it(busy: Watch) -> None:
    page = person_page.build(busy.session, busy.ids[2])
    assert page.counts == {"checkins": 0, "contacts": 0, "care": 0, "notices": 2, "roster": 1}
    assert all(line.shown().endswith("未传达") for line in page.sections["notices"])


def test_the_roster_history_is_kept_with_the_vault(busy: Watch) -> None:
    s = busy.session
    s.roster.archive(busy.ids[0], "transferred")
    s = reopen(busy)
    changes = s.roster.changes(busy.ids[0])
    assert [c["fields"] for c in changes] == [
        {"group": ["", "学生第二党小组"]}, {"status": ["active", "transferred"]}]
    s.roster.restore(busy.ids[0])
    assert len(s.roster.changes(busy.ids[0])) == 3
    assert s.roster.changes(busy.ids[1]) == []


def test_the_chart_marks_fever_and_missing_days() -> None:
    temps = [""] * 27 + ["38.2", "36.8", "36.5"]
    text = chart(temps, 373, TODAY)
    lines = text.plain.splitlines()
    assert len(lines) == 6  # four rows, the dates, the legend
    assert lines[0].startswith("39.5 ┤") and lines[3].startswith("36.5 ┤")
    assert lines[3][6:6 + 54] == "· " * 27  # no temperature: a dot on the bottom row
    assert lines[4].split() == ["05-03", "06-01"]
    assert "37.3" in lines[5]
    red = [span for span in text.spans if span.style == "bold red"]
    assert len(red) == 4  # the 38.2 column, on each of its four rows
    assert chart(["", "abc"], 373, TODAY).plain  # a bad stored value draws no bar


async def test_m_opens_the_page_from_every_list_of_people(busy: Watch) -> None:
    s = busy.session
    zhang = busy.ids[0]
    s.tasks.add({"title": "整理材料", "assignees": [zhang], "due": "2024-06-03 17:00"})
    s.contacts.add({"name": "林秀英", "exposure_date": day(2)})  # not on the roster
    app = make_app(s)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)

        async def page_from(table: Any, row: int) -> MemberPage:
            table.focus()
            table.cursor = row
            await pilot.press("m")
            await settle(app, pilot)
            page = app.screen
            assert isinstance(page, MemberPage)
            await pilot.press("escape")
            await pilot.pause()
            return page

        roster = app.screen.query_one("#roster-table")
        index = [r.id for r in roster.rows].index(zhang)
        assert (await page_from(roster, index)).person_id == zhang

        watch_pane = await open_watch(app, pilot, "checkins")
        sheet = watch_pane.pane("checkins").query_one("SheetTable")
        assert (await page_from(sheet, [r.id for r in sheet.rows].index(zhang))).person_id \
            == zhang

        contacts = (await open_watch(app, pilot, "contacts")).pane("contacts").table
        rows = [r.doc.get("person") for r in contacts.rows]
        assert (await page_from(contacts, rows.index(zhang))).person_id == zhang
        contacts.cursor = rows.index("")
        contacts.focus()
        await pilot.press("m")
        await pilot.pause()
        assert not isinstance(app.screen, MemberPage)
        assert "这一行不是名册上的人，没有个人页" in toasts(app)

        await app.push_screen(AlertsScreen(s))
        await settle(app, pilot)
        alerts = app.screen.query_one("AlertTable")
        assert (await page_from(alerts, 0)).person_id == zhang
        await pilot.press("escape")
        await pilot.pause()

        main = app.screen
        main.action_section("care")
        await settle(app, pilot)
        cases = main.query_one("#care-table")
        assert (await page_from(cases, 0)).person_id == zhang

        main.action_section("tasks")
        await settle(app, pilot)
        tasks = main.query_one("#tasks-table")
        assert (await page_from(tasks, 0)).person_id == zhang


async def test_m_on_a_task_of_several_asks_whose_page(busy: Watch) -> None:
    from screens.person_picker import PersonPicker
    from screens.plain import OptionList

    s = busy.session
    zhang, li, wang = busy.ids[:3]
    s.tasks.add({"title": "三人合办的主题党日", "assignees": [zhang, li, wang],
                 "due": "2024-06-03 17:00"})
    app = make_app(s)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        app.screen.action_section("tasks")
        await settle(app, pilot)
        tasks = app.screen.query_one("#tasks-table")
        tasks.focus()
        tasks.cursor = 0
        await pilot.press("m")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, PersonPicker)
        assert "打开谁的个人页" in str(picker.query_one("#pick-title").render())
        options = picker.query_one(OptionList)
        assert [options.get_option_at_index(i).id for i in range(options.option_count)] \
            == [zhang, li, wang]
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MemberPage) and app.screen.person_id == li
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("escape")  # asked, then nobody chosen: no page
        await pilot.pause()
        assert not isinstance(app.screen, (PersonPicker, MemberPage))


async def test_the_tabs_by_number_and_back_to_the_lists(busy: Watch) -> None:
    s = busy.session
    app = make_app(s)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await app.push_screen(MemberPage(s, busy.ids[0]))
        await pilot.pause()
        page = app.screen
        assert page.tab == "work" and page.focused.id == "member-tasks"
        tabs = str(page.query_one("#member-tabs").render())
        assert "2 打卡 3/30" in tabs and "4 帮扶 1" in tabs and "6 名册变更 2" in tabs
        shown = {}
        for key, tab in (("2", "checkins"), ("3", "contacts"), ("4", "care"),
                         ("5", "notices"), ("6", "roster")):
            await pilot.press(key)
            await pilot.pause()
            assert page.tab == tab and page.focused.id == "person-section"
            assert page.query_one("#person-chart").display == (tab == "checkins")
            shown[tab] = str(page.query_one("#person-lines").render())
        assert shown["checkins"].startswith("2024年6月1日  正常 · 36.5℃")
        assert "已随访，无异常 · 体温正常" in shown["contacts"]
        assert "已申请临时补助" in shown["care"]
        assert "关于开展主题党日活动的通知 · 未传达" in shown["notices"]
        assert "党小组：（空） → 学生第二党小组" in shown["roster"]
        await pilot.press("r")  # the first tab's key does nothing on another tab
        await pilot.pause()
        assert page.tab == "roster" and page.focused.id == "person-section"
        await pilot.press("1", "r")
        await pilot.pause()
        assert page.tab == "work" and page.focused.id == "member-records"


async def test_f1_lists_the_page_keys(busy: Watch) -> None:
    from screens.help import HelpScreen

    s = busy.session
    app = make_app(s)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await app.push_screen(MemberPage(s, busy.ids[0]))
        await pilot.pause()
        await pilot.press("2", "f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = {pair for _, pairs in app.screen.groups for pair in pairs}
        for key, what in (("1", "任务记实"), ("2", "打卡"), ("3", "密接"), ("4", "帮扶"),
                          ("5", "通知"), ("6", "名册变更")):
            assert (key, what) in keys


def footer_keys(screen: Any) -> set[str]:
    """The keys the footer shows just now."""
    return {key for key, b in screen.active_bindings.items()
            if b.binding.show and b.enabled}


async def test_each_tab_shows_only_the_keys_that_act_on_it(busy: Watch) -> None:
    """On tabs 2–6 the footer and F1 show neither the first tab's list keys
    (t, r, d) nor its "new record" key; back on the first tab they return,
    and no key means two things on any tab."""
    from screens.help import HelpScreen, key_groups

    s = busy.session
    app = make_app(s)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await app.push_screen(MemberPage(s, busy.ids[0]))
        await pilot.pause()
        page = app.screen
        work_only = {"t", "r", "d", "n"}

        def described() -> dict[str, set[str]]:
            keys: dict[str, set[str]] = {}
            for _, pairs in key_groups(page):
                for key, what in pairs:
                    keys.setdefault(key, set()).add(what)
            return keys

        assert work_only <= footer_keys(page) and work_only <= set(described())
        for key in "23456":
            await pilot.press(key)
            await pilot.pause()
            assert not work_only & footer_keys(page), key
            helped = described()
            assert not work_only & set(helped), (key, helped)
            assert all(len(what) == 1 for what in helped.values()), helped
            await pilot.press("f1")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            shown = {k for _, pairs in app.screen.groups for k, _ in pairs}
            assert not work_only & shown and {"1", "2", "6", "esc"} <= shown
            pairs = {pair for _, group in app.screen.groups for pair in group}
            assert {("↑", "向上滚动"), ("pgdn", "下一页")} <= pairs  # how its lines scroll
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is page
        await pilot.press("1")
        await pilot.pause()
        assert work_only <= footer_keys(page)

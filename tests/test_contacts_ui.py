"""Close contacts driven with Pilot: adding a roster person and an outside
person, a day's follow-up, an extension with its reason, and following a
contact to the day of release."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

import datetime as dt
from typing import Any

from fixtures_app import chinese, make_app, settle, toasts  # noqa: F401
from healthkit import NOW, TODAY, Watch, clock, open_watch, reopen, static, watch  # noqa: F401
from textual.widgets import Input, Select

from screens.contacts import ContactScreen, ContactsPane
from screens.person_picker import PersonPicker
from screens.record_form import RecordForm


def field(screen: Any, key: str) -> Any:
    return screen.query_one(f"#field-{key}")


async def test_add_a_roster_contact_and_an_outside_one(watch: Watch) -> None:
    s = watch.session
    app = make_app(s)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = (await open_watch(app, pilot, "contacts")).pane("contacts")
        assert isinstance(pane, ContactsPane)
        assert "观察中 0 人" in static(app, "#contacts-head")
        await pilot.press("ctrl+n")
        assert isinstance(app.screen, PersonPicker)
        await pilot.press(*"ww")  # pinyin initials of 王五
        await pilot.press("enter")  # the one match is chosen at once
        form = app.screen
        assert isinstance(form, RecordForm)
        assert field(form, "name").value == "王五"
        wang = s.roster.person(watch.ids[2])
        assert field(form, "phone").value == wang["phone"]  # filled from the roster
        assert field(form, "id_number").value == wang["id_number"]
        field(form, "exposure_date").value = "2024-05-28"
        field(form, "observation_type").value = "home_quarantine"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, RecordForm)
        [contact] = s.contacts.all()
        assert (contact["person"], contact["end_date"]) == (watch.ids[2], "2024-06-11")
        assert (contact["phone"], contact["id_number"]) == (wang["phone"], wang["id_number"])
        assert "居家隔离 1" in static(app, "#contacts-head")
        await pilot.press("ctrl+e")  # an outside person: the name is required
        form = app.screen
        assert isinstance(form, RecordForm)
        field(form, "exposure_date").value = "2024-05-30"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert form.rows[0].problem == "姓名不能为空"
        field(form, "name").value = "林秀英"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert [c["name"] for c in s.contacts.active_on(TODAY)] == ["王五", "林秀英"]
        assert [r.cell("name") for r in pane.table.rows] == ["王五", "林秀英"]


async def test_a_contact_registered_today_has_missed_nothing(watch: Watch) -> None:
    s = watch.session
    s.contacts.add({"name": "林秀英", "exposure_date": TODAY - dt.timedelta(days=3)})
    app = make_app(s)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = (await open_watch(app, pilot, "contacts")).pane("contacts")
        assert pane.table.rows[0].cell("today") == "明日起随访"
        assert "今日待随访 0，已随访 0；昨日漏访 0；" in static(app, "#contacts-head")


async def test_follow_up_extend_and_release(watch: Watch) -> None:
    s = watch.session
    watch.clock.now = NOW - dt.timedelta(days=12)  # registered the day after exposure
    cid = s.contacts.add({"exposure_date": TODAY - dt.timedelta(days=13),
                          "contact_type": "密接"}, person_id=watch.ids[0])
    watch.clock.now = NOW
    app = make_app(s)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = (await open_watch(app, pilot, "contacts")).pane("contacts")
        assert isinstance(pane, ContactsPane)
        assert pane.table.rows[0].cell("today") == "待随访"
        await pilot.press("enter")
        detail = app.screen
        assert isinstance(detail, ContactScreen)
        await pilot.press("w")  # today: seen and well
        assert s.contacts.followup_on(cid, TODAY)["status"] == "well"
        assert "今日随访已登记：已随访，无异常" in toasts(app)
        await pilot.press("x")  # extend by two days, with the reason
        form = app.screen
        assert isinstance(form, RecordForm)
        field(form, "end_date").value = "2024-06-04"
        field(form, "reason").value = "观察期内出现咽痛"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is detail
        assert "已延长：2024年6月2日 → 2024年6月4日，原因：观察期内出现咽痛" in static(
            app, "#contact-fields")
        await pilot.press("escape")
        await pilot.pause()
        assert pane.table.rows[0].cell("today") == "已随访，无异常"

    # day 17 after exposure: the last day of the extended observation
    watch.clock.now = NOW + dt.timedelta(days=3)
    s = reopen(watch)
    for n in (1, 2):
        s.contacts.follow_up(cid, TODAY + dt.timedelta(days=n), "well")
    app = make_app(s)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = (await open_watch(app, pilot, "contacts")).pane("contacts")
        assert "今日期满 1" in static(app, "#contacts-head")
        await pilot.press("enter")
        assert "今日观察期满。" in static(app, "#contact-fields")
        await pilot.press("w", "r")
        await pilot.pause()
        doc = s.contacts.get(cid)
        assert (doc["outcome"], doc["outcome_date"]) == ("released", "2024-06-04")
        assert "解除观察（2024年6月4日）" in static(app, "#contact-fields")
        assert len(s.contacts.followups(cid)) == 4
        await pilot.press("escape")
        await pilot.pause()
        assert pane.table.rows == []  # no longer under observation
        await pilot.press("f")  # every contact
        assert [r.cell("outcome") for r in pane.table.rows] == ["解除观察"]


async def test_referral_needs_an_outcome(watch: Watch) -> None:
    s = watch.session
    cid = s.contacts.add({"name": "林秀英", "exposure_date": "2024-05-30"})
    app = make_app(s)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_watch(app, pilot, "contacts")
        await pilot.press("enter", "o")
        form = app.screen
        assert isinstance(form, RecordForm)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert form.rows[0].problem == "结果不能为空"
        form.query_one("#field-outcome", Select).value = "referred"
        form.query_one("#field-note", Input).value = "转市第一医院发热门诊"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        doc = s.contacts.get(cid)
        assert (doc["outcome"], doc["outcome_date"], doc["note"]) == (
            "referred", "2024-06-01", "转市第一医院发热门诊")


async def test_the_picker_with_several_matches_waits_for_a_choice(watch: Watch) -> None:
    app = make_app(watch.session)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_watch(app, pilot, "contacts")
        await pilot.press("ctrl+n")
        picker = app.screen
        assert isinstance(picker, PersonPicker)
        await pilot.press("enter")  # everyone listed: Enter moves to the list
        assert app.screen is picker
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)

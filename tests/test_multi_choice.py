"""The multiple-choice input of the record form (症状 in the check-in, 困难类型
in a care case), driven by the keyboard in Chinese: Tab reaches it, the focus
lands on a row, Space ticks and unticks, the arrows move, Tab leaves; the
value is the codes in the definition's order. The check-in form is a
``RecordForm`` of the check-in definition."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

from fixtures_app import make_app, settle
from healthkit import TODAY, Watch, clock, open_watch, watch  # noqa: F401

from branchtool.records.care import CARE
from branchtool.records.checkin import CHECKIN
from branchtool.records.health_fields import MultiChoiceField
from screens.checkin_form import CheckinForm
from screens.form import MultiChoice, field_widget, widget_value
from screens.record_form import RecordForm


def test_every_multiple_choice_field_gets_the_tick_input() -> None:
    for record in (CHECKIN, CARE):
        for fdef in record.fields:
            widget = field_widget(fdef, "", widget_id=f"field-{fdef.key}")
            assert isinstance(widget, MultiChoice) == isinstance(fdef, MultiChoiceField)


async def test_symptoms_ticked_by_keyboard(watch: Watch) -> None:
    s = watch.session
    app = make_app(s)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_watch(app, pilot, "checkins")
        await pilot.press("enter")  # 李四
        form = app.screen
        assert isinstance(form, CheckinForm) and isinstance(form, RecordForm)
        assert "date" not in [row.key for row in form.rows]  # the day is the sheet's
        ticks = form.query_one("#field-symptoms", MultiChoice)
        assert [str(ticks.get_option_at_index(i).prompt) for i in range(3)] == [
            "发热", "干咳", "乏力"]
        assert app.focused is form.rows[0].widget  # 体温
        await pilot.press("tab")
        assert app.focused is ticks and ticks.highlighted == 0
        await pilot.press("down", "space", "up", "space")  # 干咳, then 发热
        assert widget_value(ticks) == "fever,dry_cough"  # the definition's order
        await pilot.press("space")  # 发热 unticked again
        assert form.values["symptoms"] == "dry_cough"
        await pilot.press("tab")
        assert app.focused is not ticks
        assert app.focused is form.query_one("#field-symptom_other")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, CheckinForm)
        assert s.health.get(TODAY, watch.ids[1])["symptoms"] == "dry_cough"

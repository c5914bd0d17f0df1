"""The survey import in the app, as a secretary meets it two mornings running:
the first day she maps the one answer it does not understand (once, for
every row that wrote it); the next day the same questionnaire imports with no
choice at all. The template can be reviewed and edited."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fixtures_app import chinese, make_app, settle, toasts, until  # noqa: F401
from healthkit import NOW, Watch, clock, open_watch, static, watch  # noqa: F401
from surveykit import Answer, wjx_xlsx
from textual.widgets import Input, Select

from branchtool import i18n
from screens.checkin_import import HeldSelect, ImportCheckinsScreen
from screens.survey_templates import SurveyTemplatesScreen, ValueSelect


def morning(day: dt.date, odd: str) -> list[Answer]:
    def at(minute: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(7, minute))

    return [Answer("张三", at(1), phone="13800000000", temperature=odd),
            Answer("李四", at(2), phone="13800000001", temperature=odd),
            Answer("王五", at(3), phone="13800000002", temperature="37.9",
                   symptoms=("发热",)),
            Answer("赵六", at(4), phone="13800000003", temperature=odd)]


async def _read(app, pilot, path: Path) -> ImportCheckinsScreen:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+o")
    screen = app.screen
    assert isinstance(screen, ImportCheckinsScreen)
    screen.query_one("#ci-path", Input).value = str(path)
    await pilot.press("enter")
    await until(pilot, lambda: screen.plan is not None)
    return screen


async def test_the_same_questionnaire_on_two_days_needs_no_choice_the_second_time(
        watch: Watch, tmp_path: Path) -> None:
    s = watch.session
    app = make_app(s)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_watch(app, pilot, "checkins")
        # -- day one: "体温正常" is not a temperature ---------------------------------
        first = wjx_xlsx(tmp_path / "day1.xlsx", morning(NOW.date(), "体温正常"))
        screen = await _read(app, pilot, first)
        plan = screen.plan
        assert plan is not None and plan.problems == 0 and len(plan.rows) == 4
        [held] = plan.held
        assert held.describe() == "3 行的体温写的是『体温正常』"
        assert "第一次导入这份问卷" in static(app, "#ci-template")
        preview = static(app, "#ci-preview").replace("\xa0", " ")
        assert "新出现异常 1 人：王五（发热、有症状）" in preview
        assert "未填 1 人：孙七" in preview
        [choice] = list(screen.query(HeldSelect))
        choice.value = "-"  # "record nothing": one choice for the three rows
        await until(pilot, lambda: screen.plan is not None and not screen.plan.held)
        # the choice's row goes when the new plan is drawn (removal is awaited)
        await until(pilot, lambda: not list(screen.query(HeldSelect)))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, ImportCheckinsScreen))
        assert "已导入 4 条打卡。" in toasts(app)
        assert len(s.health.day(NOW.date())) == 4
        # -- day two: the same questionnaire, nothing to choose -----------------------
        watch.clock.now = NOW + dt.timedelta(days=1)
        second = wjx_xlsx(tmp_path / "day2.xlsx",
                          morning(NOW.date() + dt.timedelta(days=1), "体温正常"))
        screen = await _read(app, pilot, second)
        plan = screen.plan
        assert plan is not None and plan.held == [] and plan.problems == 0
        assert "已套用问卷模板『day1.xlsx』" in static(app, "#ci-template")
        assert not list(screen.query(HeldSelect))
        await pilot.press("ctrl+s")  # no choice made
        await until(pilot, lambda: not isinstance(app.screen, ImportCheckinsScreen))
        assert len(s.health.day(NOW.date() + dt.timedelta(days=1))) == 4
        [template] = s.survey_templates.all()
        assert template.uses == 2


async def test_a_template_is_reviewed_and_edited(watch: Watch, tmp_path: Path) -> None:
    s = watch.session
    app = make_app(s)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_watch(app, pilot, "checkins")
        screen = await _read(app, pilot, wjx_xlsx(tmp_path / "d.xlsx",
                                                  morning(NOW.date(), "正常范围")))
        [choice] = list(screen.query(HeldSelect))
        choice.value = "-"
        await until(pilot, lambda: screen.plan is not None and not screen.plan.held)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, ImportCheckinsScreen))
        await pilot.press("ctrl+o")
        before = watch.frames()
        await pilot.press("f4")
        review = app.screen
        assert isinstance(review, SurveyTemplatesScreen)
        await settle(app, pilot)
        assert "1 个答案对应" in static(app, "#st-info")
        assert watch.frames() == before  # looking writes nothing
        [value] = list(review.query(ValueSelect))
        value.value = "fever"  # "正常范围" now counts as a fever
        await settle(app, pilot)
        [template] = s.survey_templates.all()
        assert template.values == {"temperature": {"正常范围": "fever"}}
        review.query_one("#st-name", Input).value = "每日健康打卡"
        await pilot.click("#st-rename")
        await settle(app, pilot)
        assert s.survey_templates.all()[0].name == "每日健康打卡"
        assert review.query_one("#st-choose", Select).value == template.id


async def test_a_hostile_export_is_shown_as_text(watch: Watch, tmp_path: Path) -> None:
    """Markup and terminal escape codes in headers, names and answers are shown
    as characters: nothing crashes, nothing is obeyed."""
    from surveykit import write_csv

    s = watch.session
    path = write_csv(tmp_path / "[red]x]].csv", [
        ["提交时间", "姓名", "体温", "[/]备注\x1b[2J"],
        ["2024-06-01 07:00", "张三", "[/red]\x1b]0;pwned\x07", "[link=x]y"],
        ["2024-06-01 07:01", "周九[/]\x1b[31m", "36.5", ""],
    ])
    app = make_app(s)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_watch(app, pilot, "checkins")
        screen = await _read(app, pilot, path)
        plan = screen.plan
        assert plan is not None
        [held] = plan.held
        assert "\x1b" not in held.text and "\x07" not in held.text
        assert [(i.row, i.written) for i in plan.unmatched] == [(3, "周九[/] [31m")]
        assert "[/red]" in held.describe()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, ImportCheckinsScreen))
        assert s.health.day(NOW.date())[watch.ids[0]]["note"] == "[link=x]y"


async def test_reading_the_file_again_keeps_the_choices_made(watch: Watch,
                                                            tmp_path: Path) -> None:
    """Enter on the path again used to start from the guesses."""
    s = watch.session
    app = make_app(s)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_watch(app, pilot, "checkins")
        screen = await _read(app, pilot, wjx_xlsx(tmp_path / "d.xlsx",
                                                  morning(NOW.date(), "36.5")))
        assert screen.sheet is not None
        column = screen.sheet.headers.index("10、其他需要说明的情况：")
        choice = screen.query_one(f"#ci-map-{column}", Select)
        assert choice.value == "note"
        choice.value = ""  # not imported, by hand
        await settle(app, pilot)
        screen.query_one("#ci-path", Input).focus()
        await pilot.press("enter")  # read again
        await until(pilot, lambda: screen.plan is not None
                    and screen.query_one(f"#ci-map-{column}", Select).value == "")
        assert screen.mapping[column] is None


async def test_a_workbook_of_several_days_asks_which_sheet_and_any_format_reads(
        watch: Watch, tmp_path: Path) -> None:
    """A workbook with a sheet per day: the dialog asks which (the reader's
    sheet choice beside the path); the choices made are kept as the
    questionnaire's template, which the same questionnaire saved as .ods
    (tests/tables/wjx.ods) then finds by itself."""
    from surveykit import wjx_days_xlsx

    s = watch.session
    path = wjx_days_xlsx(tmp_path / "打卡汇总.xlsx", {
        f"{day.month}月{day.day}日": morning(day, "体温正常")
        for day in (NOW.date() - dt.timedelta(days=1), NOW.date())})
    app = make_app(s)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_watch(app, pilot, "checkins")
        await pilot.press("ctrl+o")
        screen = app.screen
        assert isinstance(screen, ImportCheckinsScreen)
        screen.query_one("#ci-path", Input).value = f'"{path}"'  # Explorer's "Copy as path"
        await pilot.press("enter")
        choice = screen.query_one("#ci-sheet", Select)
        await until(pilot, lambda: choice.display)
        assert screen.sheet is None
        assert static(app, "#ci-message") == i18n.t("table.choose_sheet")
        choice.value = "6月1日"
        await until(pilot, lambda: screen.plan is not None)
        assert screen.sheet is not None and screen.sheet.sheet == "6月1日"
        assert "读取的是工作表“6月1日”" in static(app, "#ci-info")
        assert len(screen.plan.held) == 1  # 体温正常, in every row of the day
        await until(pilot, lambda: bool(screen.query(HeldSelect)))
        await settle(app, pilot)  # the select composed (its value shown) before it is set
        [select] = list(screen.query(HeldSelect))
        select.value = "-"
        await until(pilot, lambda: screen.plan is not None and not screen.plan.held)
        assert screen.plan.days == {NOW.date().isoformat(): 4}
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, ImportCheckinsScreen))
        assert len(s.health.day(NOW.date())) == 4
        assert s.health.day(NOW.date() - dt.timedelta(days=1)) == {}  # the other sheet
        # the same questionnaire as LibreOffice saves it: the template, no sheet choice
        screen = await _read(app, pilot, Path(__file__).parent / "tables" / "wjx.ods")
        assert "已套用问卷模板『打卡汇总.xlsx』" in static(app, "#ci-template")
        assert not screen.query_one("#ci-sheet", Select).display
        assert screen.plan is not None and screen.plan.problems == 0


async def test_option_columns_with_markup_in_their_names_are_shown_as_text(
        watch: Watch, tmp_path: Path) -> None:
    """A question spread over one column per option, whose option names hold
    markup: the column choices name them as typed (a Select would read them
    as markup and fail)."""
    from surveykit import write_csv

    path = write_csv(tmp_path / "opt.csv", [
        ["提交时间", "姓名", "5、症状:[/]发热", "5、症状:[@click=app.quit]干咳"],
        ["2024-06-01 07:00", "张三", "1", "0"],
    ])
    app = make_app(watch.session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_watch(app, pilot, "checkins")
        screen = await _read(app, pilot, path)
        assert screen.mapping[2:] == ["symptoms|[/]发热", "symptoms|[@click=app.quit]干咳"]
        choice = screen.query_one("#ci-map-3", Select)
        assert "[@click=app.quit]干咳" in str(choice.query_one("SelectCurrent Static").render())
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, ImportCheckinsScreen))
        assert watch.session.health.day(NOW.date())[watch.ids[0]]["symptoms"] == "fever"

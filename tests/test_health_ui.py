"""The epidemic-watch section driven with Pilot: the day sheet, the check-in
form, the survey import with unmatched and ambiguous rows, alerts raised and
handled, and the dashboard's shortcuts. Workers are awaited, never slept on."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

from pathlib import Path

from fixtures_app import chinese, make_app, settle, toasts, until  # noqa: F401
from healthkit import TODAY, Watch, add_people, clock, open_watch, static, watch  # noqa: F401
from textual.widgets import Input

from branchtool.services.health import ABNORMAL, MISSING, NORMAL
from screens.alerts import AlertsPanel, AlertsScreen, HandleAlertScreen
from screens.checkin_form import CheckinForm
from screens.checkin_import import ImportCheckinsScreen
from screens.confirm import ConfirmScreen
from screens.dashboard import DashboardPane, FigureTable
from screens.day_sheet import CheckinsPane
from screens.person_picker import PersonPicker
from screens.watch_settings import WatchSettingsScreen


# -- the day sheet ------------------------------------------------------------------
async def test_the_day_sheet_marks_rows_and_keeps_the_missing_in_view(watch: Watch) -> None:
    s = watch.session
    app = make_app(s)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = (await open_watch(app, pilot, "checkins")).pane("checkins")
        assert isinstance(pane, CheckinsPane) and pane.loads == 1
        assert "应报 5  已报 0  未报 5" in static(app, "#sheet-counts")
        assert static(app, "#sheet-missing") == "未报：李四、孙七、王五、张三、赵六"
        await until(pilot, lambda: app.focused is pane.table)
        await pilot.press("space", "space")  # 李四, 孙七: marked, the cursor moves on
        sheet = pane.sheet
        assert sheet is not None
        assert [sheet.status(watch.ids[i]) for i in (1, 4)] == [NORMAL, NORMAL]
        assert pane.table.cursor == 2
        assert static(app, "#sheet-missing") == "未报：王五、张三、赵六"
        assert "已报 2" in static(app, "#sheet-counts")
        await pilot.press("x")  # nothing to take back on a missing row
        await pilot.press("up", "x")  # 孙七 missing again
        assert sheet.status(watch.ids[4]) == MISSING
        await pilot.press("n")  # the next missing person after 孙七: 王五
        assert pane.table.current.id == watch.ids[2]


async def test_mark_the_rest_normal_asks_first(watch: Watch) -> None:
    s = watch.session
    app = make_app(s)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = (await open_watch(app, pilot, "checkins")).pane("checkins")
        await pilot.press("space")
        await pilot.press("a")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")  # No is the default
        assert s.health.missing_on(TODAY) != []
        await pilot.press("a")
        await pilot.click("#yes")
        await settle(app, pilot)
        assert s.health.missing_on(TODAY) == []
        assert static(app, "#sheet-missing") == "全部已报。"
        assert "已登记 4 人正常。" in toasts(app)
        assert isinstance(pane, CheckinsPane)


async def test_the_detail_form_records_a_fever_and_shows_problems(watch: Watch) -> None:
    s = watch.session
    app = make_app(s)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = (await open_watch(app, pilot, "checkins")).pane("checkins")
        await pilot.press("enter")  # 李四
        form = app.screen
        assert isinstance(form, CheckinForm)
        temperature = form.query_one("#field-temperature", Input)
        temperature.value = "45"
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, CheckinForm)
        assert form.rows[0].problem == "体温应在 35.0 到 42.0 ℃ 之间"
        assert s.health.day(TODAY) == {}
        temperature.value = "38.2"
        form.query_one("#field-symptoms").select("dry_cough")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, CheckinForm)
        assert isinstance(pane, CheckinsPane) and pane.sheet is not None
        assert pane.sheet.status(watch.ids[1]) == ABNORMAL
        assert "异常 1" in static(app, "#sheet-counts")
        doc = s.health.get(TODAY, watch.ids[1])
        assert (doc["temperature"], doc["symptoms"], doc["source"]) == ("38.2", "dry_cough",
                                                                       "proxy")
        assert [a["rule"] for a in s.alerts.open()] == ["fever", "symptom"]


async def test_days_and_filters(watch: Watch) -> None:
    s = watch.session
    s.health.record(TODAY, watch.ids[0], {"temperature": "37.9"})
    app = make_app(s)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = (await open_watch(app, pilot, "checkins")).pane("checkins")
        assert isinstance(pane, CheckinsPane)
        await pilot.press("f")  # missing only
        assert len(pane.table.rows) == 4
        await pilot.press("f")  # abnormal only
        assert [r.id for r in pane.table.rows] == [watch.ids[0]]
        await pilot.press("f", "left_square_bracket")  # all, the day before
        await settle(app, pilot)
        assert static(app, "#sheet-day") == "2024年5月31日"
        assert "已报 0" in static(app, "#sheet-counts")
        await pilot.press("right_square_bracket", "right_square_bracket")  # never the future
        await settle(app, pilot)
        assert static(app, "#sheet-day") == "2024年6月1日"


# -- the survey import ---------------------------------------------------------------------
SURVEY = ("提交答卷时间,1、姓名,2、手机号码,3、今日体温,4、是否有以下症状\n"
          "2024/6/1 7:30,张三,,36.5,无\n"
          "2024/6/1 7:31,李四,,36.6,无\n"
          "2024/6/1 7:32,周九,,36.6,无\n"
          "2024/6/1 7:33,王五,,38.4,发热┋干咳\n")


async def test_import_with_unmatched_and_ambiguous_rows(watch: Watch, tmp_path: Path) -> None:
    s = watch.session
    second = add_people(s, ("张三",))[0]
    path = tmp_path / "survey.csv"
    path.write_text(SURVEY, encoding="utf-8-sig")
    app = make_app(s)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_watch(app, pilot, "checkins")
        await pilot.press("ctrl+o")
        screen = app.screen
        assert isinstance(screen, ImportCheckinsScreen)
        screen.query_one("#ci-path", Input).value = str(path)
        await pilot.press("enter")
        for _ in range(100):  # read, then the mapping mounts, then the plan
            await settle(app, pilot)
            if screen.plan is not None:
                break
        summary = static(app, "#ci-summary")
        assert "可导入 2 行" in summary and "找不到 1 行" in summary and "待确认 1 行" in summary
        problems = screen.query_one("#ci-problems")
        assert [(r.row, r.written, r.kind) for r in problems.rows] == [
            (2, "张三", "ambiguous"), (4, "周九", "unmatched")]
        assert s.health.day(TODAY) == {}  # nothing stored yet
        problems.focus()
        await pilot.press("enter")  # row 2: which 张三?
        picker = app.screen
        assert isinstance(picker, PersonPicker)
        assert len(picker.query_one("#pick-list").options) == 2
        await pilot.press("down", "enter")  # the second 张三 (pinyin order keeps roster order)
        await pilot.pause()
        assert "可导入 3 行" in static(app, "#ci-summary")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, ImportCheckinsScreen)
        assert "已导入 3 条打卡。" in toasts(app)
        entries = s.health.day(TODAY)
        assert set(entries) == {second, watch.ids[1], watch.ids[2]}
        assert entries[watch.ids[2]]["source"] == "import"
        assert {a["rule"] for a in s.alerts.open()} == {"fever", "symptom"}


async def test_import_of_a_broken_file_says_so_and_stores_nothing(watch: Watch,
                                                                 tmp_path: Path) -> None:
    s = watch.session
    path = tmp_path / "survey.xlsx"
    path.write_bytes(b"PK\x03\x04 not a workbook")  # text would be read as a CSV (issue 21)
    app = make_app(s)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_watch(app, pilot, "checkins")
        await pilot.press("ctrl+o")
        screen = app.screen
        assert isinstance(screen, ImportCheckinsScreen)
        screen.query_one("#ci-path", Input).value = str(path)
        await pilot.press("enter")
        for _ in range(100):
            await settle(app, pilot)
            if "survey.xlsx" in static(app, "#ci-message"):
                break
        message = static(app, "#ci-message")
        assert "survey.xlsx" in message and screen.query_one("#ci-commit").disabled
        await pilot.press("escape")
        assert s.health.day(TODAY) == {}


# -- alerts and the dashboard ---------------------------------------------------------------
async def test_alerts_are_raised_and_handled_from_the_dashboard(watch: Watch) -> None:
    s = watch.session
    s.health.mark_rest_normal(TODAY)
    s.health.record(TODAY, watch.ids[3], {"temperature": "38.6"})
    app = make_app(s)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = (await open_watch(app, pilot)).pane("dashboard")
        assert isinstance(pane, DashboardPane) and pane.board is not None
        assert pane.board.fever == 1 and pane.board.alerts_open == 1
        panel = app.screen.query_one(AlertsPanel)
        assert [(r.cell("who"), r.cell("why")) for r in panel.table.rows] == [
            ("赵六", "发热 38.6℃")]
        panel.table.focus()
        await pilot.press("enter")
        dialog = app.screen
        assert isinstance(dialog, HandleAlertScreen)
        await pilot.press("enter")  # an empty note is refused
        assert static(app, "#alert-problem") == "请写明处置情况。"
        dialog.query_one("#alert-note", Input).value = "已通知校医院复查"
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, HandleAlertScreen)
        assert panel.table.rows == [] and pane.board.alerts_open == 0
        await pilot.press("a")  # every alert, handled ones with their note
        full = app.screen
        assert isinstance(full, AlertsScreen)
        assert full.query_one("#alerts-all-table").rows == []
        await pilot.press("f")
        [row] = full.query_one("#alerts-all-table").rows
        assert (row.cell("status"), row.cell("note")) == ("已处置", "已通知校医院复查")


async def test_a_figure_opens_its_list(watch: Watch) -> None:
    s = watch.session
    s.health.mark_normal(TODAY, watch.ids[0])
    app = make_app(s)
    async with app.run_test(size=(80, 24)) as pilot:
        section = await open_watch(app, pilot)
        figures = app.screen.query_one(FigureTable)
        await until(pilot, lambda: app.focused is figures)
        assert [(line.key, line.value) for line in figures.lines[:2]] == [
            ("reported", "1/5"), ("missing", "4")]
        await pilot.press("down", "enter")  # 未报: the sheet, missing only
        await settle(app, pilot)
        sheet = section.pane("checkins")
        assert section.active == "checkins" and isinstance(sheet, CheckinsPane)
        assert sheet.only == MISSING and len(sheet.table.rows) == 4
        await pilot.press("space")  # mark one from there
        await pilot.press("1")  # back to the dashboard: recomputed
        await settle(app, pilot)
        assert figures.lines[0].value == "2/5"


async def test_thresholds_are_changed_from_the_dashboard(watch: Watch) -> None:
    s = watch.session
    s.health.record(TODAY, watch.ids[0], {"temperature": "37.4"})
    app = make_app(s)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = (await open_watch(app, pilot)).pane("dashboard")
        assert isinstance(pane, DashboardPane) and pane.board is not None
        assert pane.board.fever == 1
        await pilot.press("s")
        dialog = app.screen
        assert isinstance(dialog, WatchSettingsScreen)
        dialog.query_one("#ws-fever_threshold", Input).value = "36"
        await pilot.press("ctrl+s")
        assert static(app, "#ws-problem") == "发热阈值应在 37.0 到 38.5 ℃ 之间。"
        dialog.query_one("#ws-fever_threshold", Input).value = "37.5"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert s.health.settings.fever_threshold == "37.5"
        assert pane.board.fever == 0  # 37.4 is no longer a fever

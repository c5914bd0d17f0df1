"""The Reports section's 其他事项 box and the zero-report key, driven with
Pilot (issue 17 item 3): Ctrl+S, leaving the box and saving a file keep the
text with the day; another day shows its own; ``z`` saves 今日无异常 only
when nothing is abnormal and otherwise says what is in one sentence."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fixtures_app import chinese, settle, toasts  # noqa: F401
from healthkit import TODAY, Watch, clock, watch  # noqa: F401
from textual.widgets import Input, Markdown, Select, TextArea

from branchtool.session import Session
from screens.path_prompt import PathScreen
from screens.reports_pane import ReportsPane

SIZE = (110, 40)


def make_app(session: Session):  # type: ignore[no-untyped-def]
    from screens.app import BranchApp

    return BranchApp(session, today=lambda: TODAY)


async def open_reports(app, pilot) -> ReportsPane:  # type: ignore[no-untyped-def]
    await pilot.pause()
    app.screen.action_section("reports")
    await pilot.pause()
    await settle(app, pilot)
    return app.screen.query_one(ReportsPane)


async def type_other(pane: ReportsPane, pilot, text: str) -> TextArea:  # type: ignore[no-untyped-def]
    box = pane.query_one("#report-other", TextArea)
    box.focus()
    await pilot.pause()
    box.insert(text)
    await pilot.pause()
    return box


def status(pane: ReportsPane) -> str:
    return str(pane.query_one("#report-status").render())


async def test_the_other_matters_are_kept_with_the_day(watch: Watch) -> None:
    app = make_app(watch.session)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_reports(app, pilot)
        view = pane.query_one("#report-view", Markdown)
        box = await type_other(pane, pilot, "张三同学已返校")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert watch.session.day_reports.other(TODAY) == "张三同学已返校"
        assert "## 十、其他事项\n\n张三同学已返校\n" in view.source
        assert "2024年6月1日的日报：其他事项已保存。" in toasts(app)

        # another day has its own (none); back again, the day's text returns
        date = pane.query_one("#report-date", Input)
        date.value = (TODAY - dt.timedelta(days=1)).isoformat()
        date.focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert box.text == "" and "张三同学已返校" not in view.source
        date.value = TODAY.isoformat()
        await pilot.press("enter")
        await settle(app, pilot)
        assert box.text == "张三同学已返校"

        # leaving the box keeps what was typed
        await type_other(pane, pilot, "，体温正常")
        await pilot.press("tab")
        await settle(app, pilot)
        assert watch.session.day_reports.other(TODAY) == "张三同学已返校，体温正常"
        assert "张三同学已返校，体温正常" in view.source

        # only a daily report has the box
        pane.query_one("#report-kind", Select).value = "weekly"
        await settle(app, pilot)
        assert not pane.query_one("#report-other-box").display


async def test_saving_a_file_keeps_the_text_first(watch: Watch, tmp_path: Path) -> None:
    app = make_app(watch.session)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_reports(app, pilot)
        await type_other(pane, pilot, "下周一开展防疫讲座")
        await pilot.press("ctrl+d")
        await settle(app, pilot)
        assert isinstance(app.screen, PathScreen)
        target = tmp_path / "日报.docx"
        app.screen.query_one("#path-input", Input).value = str(target)
        await pilot.press("enter")
        await settle(app, pilot)
    import docx

    assert watch.session.day_reports.other(TODAY) == "下周一开展防疫讲座"
    texts = [p.text for p in docx.Document(str(target)).paragraphs]
    assert "下周一开展防疫讲座" in texts


async def test_the_zero_key_refuses_saying_what_is_abnormal(watch: Watch) -> None:
    watch.session.health.record(TODAY, watch.ids[0], {"temperature": "38.6"})
    app = make_app(watch.session)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_reports(app, pilot)
        pane.query_one("#report-kind", Select).focus()
        await pilot.press("z")
        await settle(app, pilot)
        sentence = ("今天有 1 条待处置预警、1 人打卡异常（发热、症状或涉疫）、4 人未打卡，"
                    "不能报“今日无异常”。")
        assert status(pane) == sentence and sentence in toasts(app)
        assert watch.session.day_reports.get(TODAY) is None
        assert pane.query_one("#report-other", TextArea).text == ""


async def test_the_zero_key_saves_the_zero_report(watch: Watch) -> None:
    watch.session.health.mark_rest_normal(TODAY)
    app = make_app(watch.session)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_reports(app, pilot)
        pane.query_one("#report-kind", Select).value = "weekly"  # from any report
        await settle(app, pilot)
        pane.query_one("#report-kind", Select).focus()
        await pilot.press("z")
        await settle(app, pilot)
        assert watch.session.day_reports.other(TODAY) == "今日无异常"
        assert pane.kind == "daily"
        assert pane.query_one("#report-other", TextArea).text == "今日无异常"
        source = pane.query_one("#report-view", Markdown).source
        assert source.startswith("# 疫情防控日报（零报告）")
        assert "## 十、其他事项\n\n今日无异常\n" in source
        assert "2024年6月1日的日报已保存为“今日无异常”，随下次上报发出。" in toasts(app)


async def test_z_on_the_dashboard_saves_today_from_the_reports_section(watch: Watch) -> None:
    from healthkit import open_watch

    watch.session.health.mark_rest_normal(TODAY)
    app = make_app(watch.session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        watch_pane = await open_watch(app, pilot, "dashboard")
        watch_pane.pane("dashboard").focus_list()
        await pilot.pause()
        await pilot.press("z")
        await settle(app, pilot)
        await settle(app, pilot)
        assert watch.session.day_reports.other(TODAY) == "今日无异常"
        pane = app.screen.query_one(ReportsPane)
        assert pane.display and pane.query_one("#report-other", TextArea).text == "今日无异常"


async def test_a_lock_keeps_what_was_typed(watch: Watch) -> None:
    from fixtures_app import PASSPHRASE

    app = make_app(watch.session)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_reports(app, pilot)
        box = await type_other(pane, pilot, "锁定前写的其他事项")
        app.lock()
        await pilot.pause()
        assert box.text == ""  # nothing decrypted stays on the screen
        app.screen.query_one(Input).value = PASSPHRASE
        await pilot.press("enter")
        await settle(app, pilot)
        await settle(app, pilot)
        assert watch.session.day_reports.other(TODAY) == "锁定前写的其他事项"
        assert pane.query_one("#report-other", TextArea).text == "锁定前写的其他事项"


async def test_a_full_disk_keeps_the_text_in_the_box(watch: Watch, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The disk refuses the write: one sentence, the vault stays open and
    what was typed stays in the box to save again."""
    from branchtool.errors import describe
    from storage.errors import WriteFailed

    full = WriteFailed(reason="ENOSPC")

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise full

    app = make_app(watch.session)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_reports(app, pilot)
        box = await type_other(pane, pilot, "张三同学已返校")
        monkeypatch.setattr(watch.session.day_reports, "save", refuse)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert watch.session.unlocked
        assert box.text == "张三同学已返校"
        assert status(pane) == describe(full)
        assert describe(full) in toasts(app)
        assert watch.session.day_reports.other(TODAY) == ""

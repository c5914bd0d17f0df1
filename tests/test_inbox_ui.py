"""The whole loop in the app, driven with Pilot: the office composes a
notice and a task and writes them to the stick; the branch's 报送 section
finds the file on the stick and imports it; the secretary relays the notice
to everyone (R); the bundle goes back; the office's 下发 section shows the
coverage, with the branch that has not received it yet."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

from pathlib import Path

from fixtures_app import chinese, settle, toasts  # noqa: F401
from healthkit import open_watch
from textual.widgets import Button, Input, Select, TextArea

from branchtool import demo
from branchtool.session import Session
from screens.bundle_export import BundlePane
from screens.inbox_panel import InboxPanel
from screens.office_inbox import OfficeInboxPane
from screens.record_form import RecordForm
from tests import inboxkit
from tests.officekit import OFFICE_PASSPHRASE, TODAY, export


def app_on(path: Path, passphrase: str):  # type: ignore[no-untyped-def]
    from screens.app import BranchApp

    session = Session(path, work_factor=10)
    session.unlock(passphrase)
    session.bundles.today = lambda: TODAY
    return BranchApp(session, today=lambda: TODAY), session


def text(widget) -> str:  # type: ignore[no-untyped-def]
    return str(widget.render())


async def test_the_loop_in_the_app(tmp_path: Path, chinese: None) -> None:
    loop = inboxkit.build(tmp_path, people=6)
    inboxkit.close(loop)

    # -- the office composes and sends --------------------------------------------------
    app, session = app_on(tmp_path / "office", OFFICE_PASSPHRASE)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        app.screen.action_section("inbox")
        await settle(app, pilot)
        pane = app.screen.query_one(OfficeInboxPane)
        pane.query_one("#inbox-title", Input).focus()
        pane.query_one("#inbox-title", Input).value = "关于做好疫情防控工作的通知"
        pane.query_one("#inbox-number", Input).value = "院党组〔2020〕3号"
        pane.query_one("#inbox-due", Input).value = "2026-11-25"
        pane.query_one("#inbox-to", Input).value = "CS01"
        pane.query_one("#inbox-body", TextArea).text = inboxkit.NOTICE_TEXT
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "已新建" in text(pane.query_one("#inbox-message"))
        assert "待发送 1 条" in text(pane.query_one("#inbox-coverage"))
        # a task without a due date: one sentence, nothing composed
        pane.query_one("#inbox-kind-task").value = True
        await pilot.pause()
        assert not pane.query_one("#inbox-row-number").display
        pane.query_one("#inbox-title", Input).value = "报送先进典型事迹"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "截止日期" in text(pane.query_one("#inbox-message"))
        pane.query_one("#inbox-folder", Input).value = str(loop.stick)
        await pilot.press("ctrl+w")
        await settle(app, pilot)
        assert (loop.stick / "DW-to-CS01-000001.inbox.age").is_file()
        coverage = text(pane.query_one("#inbox-coverage"))
        assert "院党组〔2020〕3号" in coverage and "CS01" in coverage
        assert "待发送" not in coverage
    session.lock()

    # -- the branch imports from the stick and relays ---------------------------------------
    app, session = app_on(tmp_path / "a", demo.PASSPHRASE)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        app.screen.action_section("bundle")
        await settle(app, pilot)
        bundle = app.screen.query_one(BundlePane)
        panel = bundle.query_one(InboxPanel)
        assert panel.has_class("-empty")  # nothing in the working folder
        bundle.query_one("#bundle-folder", Input).value = str(loop.stick)
        panel.query_one("#inbox-panel-look", Button).press()
        await pilot.pause()
        assert not panel.has_class("-empty")
        assert "1 份党委办公室下发的文件" in text(panel.query_one("#inbox-panel-found"))
        panel.query_one("#inbox-panel-import", Button).press()
        await settle(app, pilot)
        await pilot.pause()
        assert "已导入" in text(panel.query_one("#inbox-panel-result"))
        assert any("已收到通知 1 条" in t for t in toasts(app))
        [notice] = [n for n in session.notices.all() if n.get("from_office")]
        assert notice["number"] == "院党组〔2020〕3号" and notice["deadline"] == "2026-11-25"

        watch = await open_watch(app, pilot, "notices")
        notices = watch.pane("notices")
        notices.everything = True  # the session's clock is the wall clock: past its due
        notices.reload_data()
        row = next(r for r in notices.table.rows if r.id == notice["id"])
        notices.table.move_to(notices.table.rows.index(row))
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("R")  # relay to everyone not yet reached
        form = app.screen
        assert isinstance(form, RecordForm)
        form.query_one("#field-method", Select).value = "in_person"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        coverage = session.notices.coverage(notice["id"])
        assert coverage.relayed == coverage.expected > 0
        bundle_path = export(session, tmp_path / "bundles")
    session.lock()

    # -- the office sees it ---------------------------------------------------------------------
    app, session = app_on(tmp_path / "office", OFFICE_PASSPHRASE)
    from branchtool.office.service import OfficeService

    OfficeService(session.vault).import_paths([bundle_path])
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        app.screen.action_section("inbox")
        await settle(app, pilot)
        coverage = text(app.screen.query_one(OfficeInboxPane).query_one("#inbox-coverage"))
        assert f"传达 {coverage_count(coverage)}" in coverage
        assert "已传达完的支部 1/1" in coverage
    session.lock()


def coverage_count(text: str) -> str:
    """The "n/n" of the notice's line."""
    import re

    match = re.search(r"传达 (\d+)/(\d+) 人", text)
    assert match and match[1] == match[2]
    return f"{match[1]}/{match[2]}"

"""The reports and bundle-export sections, driven with Pilot: the report
preview and saving, the redaction choice and what the preview says will be
sent, writing the bundle with its progress bar, the office key changed only
after a confirmation, the branch key, the outbox."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures_app import chinese, settle, toasts  # noqa: F401  (fixtures)
from textual.widgets import Button, DataTable, Input, Markdown, ProgressBar, Select

from branchtool import demo
from branchtool.bundles import sending
from branchtool.period import Period
from branchtool.records.care import CARE
from branchtool.records.person import PERSON
from branchtool.session import Session
from screens.bundle_export import BundlePane, ExportProgress
from screens.confirm import ConfirmScreen
from screens.office_key import OfficeKeyScreen
from screens.path_prompt import PathScreen
from screens.reports_pane import ReportsPane
from tests.bundlekit import OfficeKeys, make_office_keys

TODAY = dt.date(2026, 11, 20)
SIZE = (110, 40)


@pytest.fixture
def branch(tmp_path: Path) -> Iterator[Session]:
    session = demo.build(tmp_path / "branch", people=30, days=5, seed=3, today=TODAY,
                         work_factor=10)
    session.bundles.today = lambda: TODAY
    yield session
    session.lock()


@pytest.fixture(scope="module")
def office() -> OfficeKeys:
    return make_office_keys()


def make_app(session: Session):  # type: ignore[no-untyped-def]
    from screens.app import BranchApp

    return BranchApp(session, today=lambda: TODAY)


async def open_section(app, pilot, sid: str):  # type: ignore[no-untyped-def]
    await pilot.pause()
    app.screen.action_section(sid)
    await pilot.pause()  # the pane is shown, and starts its work
    await settle(app, pilot)
    return app.screen.query_one(ReportsPane if sid == "reports" else BundlePane)


# -- reports --------------------------------------------------------------------------------
async def test_report_preview_follows_the_choices_and_saves(branch: Session,
                                                            tmp_path: Path) -> None:
    app = make_app(branch)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_section(app, pilot, "reports")
        view = pane.query_one("#report-view", Markdown)
        assert view.source.startswith("# 疫情防控日报")
        missing = branch.health.day_summary(TODAY).missing
        assert missing and branch.roster.person(missing[0])["name"] in view.source

        pane.query_one("#report-redaction", Select).value = "counts"
        await settle(app, pilot)
        assert branch.roster.person(missing[0])["name"] not in view.source

        pane.query_one("#report-kind", Select).value = "weekly"
        await settle(app, pilot)
        assert view.source.startswith("# 疫情防控工作周报")

        await pilot.click("#report-save-docx")
        await pilot.pause()
        assert isinstance(app.screen, PathScreen)
        target = tmp_path / "周报.docx"
        app.screen.query_one("#path-input", Input).value = str(target)
        await pilot.press("enter")
        await settle(app, pilot)
        assert target.read_bytes()[:2] == b"PK"
        assert any(str(target) in t for t in toasts(app))


async def test_a_bad_report_date_is_one_sentence(branch: Session) -> None:
    app = make_app(branch)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_section(app, pilot, "reports")
        date = pane.query_one("#report-date", Input)
        date.value = "2026-13-40"
        date.focus()
        await pilot.press("enter")
        await settle(app, pilot)
        status = str(pane.query_one("#report-status").render())
        assert status == "日期无法识别，请用 2020-02-01 这样的格式。"


# -- the office key ---------------------------------------------------------------------------
async def test_office_key_is_set_only_after_confirming_its_fingerprint(
    branch: Session, office: OfficeKeys, tmp_path: Path
) -> None:
    pub = office.write_pub(tmp_path / "office.pub")
    other = make_office_keys("另一个办公室").write_pub(tmp_path / "other.pub")
    app = make_app(branch)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_section(app, pilot, "bundle")
        assert "未设置" in str(pane.query_one("#bundle-office").render())
        assert "还没有设置党委办公室公钥" in str(pane.query_one("#bundle-message").render())
        assert pane.query_one("#bundle-write", Button).disabled

        await pilot.click("#bundle-office-key")
        await pilot.pause()
        assert isinstance(app.screen, OfficeKeyScreen)
        app.screen.query_one("#okey-path", Input).value = str(pub)
        await pilot.click("#okey-read")
        await pilot.pause()
        assert office.key.fingerprint in str(
            app.screen.query_one("#okey-new-fingerprint").render())
        await pilot.click("#okey-use")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert office.key.fingerprint in app.screen.fingerprints[0]
        assert branch.bundles.office() is None  # nothing before the answer
        await pilot.click("#yes")
        await settle(app, pilot)
        assert isinstance(app.screen.query_one(BundlePane), BundlePane)
        assert branch.bundles.office().fingerprint == office.key.fingerprint
        assert office.key.fingerprint in str(pane.query_one("#bundle-office").render())
        assert not pane.query_one("#bundle-write", Button).disabled

        # changing it: the question names both fingerprints; "no" keeps the old key
        await pilot.click("#bundle-office-key")
        await pilot.pause()
        app.screen.query_one("#okey-path", Input).value = str(other)
        await pilot.press("enter")
        await pilot.click("#okey-use")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert office.key.fingerprint in app.screen.fingerprints[0]  # the old one first
        assert len(app.screen.fingerprints) == 2
        await pilot.click("#no")
        await pilot.pause()
        assert isinstance(app.screen, OfficeKeyScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert branch.bundles.office().fingerprint == office.key.fingerprint
    log = branch.vault.partition("settings_log").all()
    assert [entry["new"] for entry in log] == [office.key.fingerprint]


# -- preview and export ----------------------------------------------------------------------------
async def test_the_preview_says_what_each_redaction_level_sends(
    branch: Session, office: OfficeKeys
) -> None:
    branch.bundles.set_office_key(office.key)
    app = make_app(branch)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_section(app, pilot, "bundle")
        period, redaction, content = pane.previewed
        assert content == tuple(name for name, _ in sending.content_choices())
        assert redaction == "standard" and period == branch.bundles.default_period()
        expected = branch.bundles.preview(period, "standard")
        lines = {line.name: line for line in pane.preview.sections}
        assert {n: line.count for n, line in lines.items()} == expected.counts
        assert lines["roster"].withheld == tuple(
            PERSON.field(key).label for key in ("id_number", "phone", "school_number", "address",
                                               "notes"))
        assert CARE.field("description").label in lines["care"].withheld
        assert lines["roster"].sent == lines["roster"].count > 0
        assert "随附报告" in str(pane.query_one("#bundle-message").render())

        await pilot.click("#bundle-r-counts")
        await settle(app, pilot)
        assert pane.previewed[1] == "counts"
        assert all(line.sent == 0 for line in pane.preview.sections)
        assert not pane.query_one("#bundle-write", Button).disabled

        pane.query_one("#bundle-from", Input).value = "2026-11-21"  # after the end
        await settle(app, pilot)
        assert pane.query_one("#bundle-write", Button).disabled
        assert "起始日期不能晚于截止日期" in str(pane.query_one("#bundle-message").render())


async def test_writing_the_bundle_shows_progress_then_the_path(
    branch: Session, office: OfficeKeys, tmp_path: Path
) -> None:
    branch.bundles.set_office_key(office.key)
    usb = tmp_path / "usb"
    usb.mkdir()
    app = make_app(branch)
    seen: dict[int, ExportProgress] = {}

    def hook(message: object) -> None:
        if isinstance(message, ExportProgress):  # once per message (it bubbles)
            seen.setdefault(id(message), message)

    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        pane = await open_section(app, pilot, "bundle")
        pane.query_one("#bundle-from", Input).value = "2026-11-16"
        pane.query_one("#bundle-folder", Input).value = str(usb)
        await settle(app, pilot)
        assert pane.previewed[:2] == (Period(dt.date(2026, 11, 16), TODAY), "standard")
        await pilot.click("#bundle-write")
        await settle(app, pilot)
        written = usb / "DEMO-000001-20261120.bundle.age"
        assert [p.name for p in usb.iterdir()] == [written.name]
        bar = pane.query_one("#bundle-progress", ProgressBar)
        assert bar.total and bar.progress == bar.total
        steps = [(m.done, m.total) for m in seen.values()]
        assert [done for done, _ in steps] == list(range(1, steps[-1][1] + 1))
        assert bar.total == steps[-1][1]
        assert any(str(written) in t for t in toasts(app))
        table = pane.query_one("#bundle-outbox", DataTable)
        assert table.row_count == 1
        row = table.get_row("1")
        sent = branch.bundles.outbox()[0]
        assert row[2] == written.name and row[4] == sent["sha256"] and row[7] == "未确认"
        assert pane.preview.sequence == 2  # the next bundle

        # a vanished USB folder: one sentence, nothing written, the sequence stays
        pane.query_one("#bundle-folder", Input).value = str(tmp_path / "gone")
        await settle(app, pilot)
        await pilot.click("#bundle-write")
        await settle(app, pilot)
        assert "找不到文件夹" in str(pane.query_one("#bundle-message").render())
        assert len(branch.bundles.outbox()) == 1
        assert not pane.query_one("#bundle-write", Button).disabled
    doc = branch.bundles.open_sent(written)
    assert doc["redaction"] == "standard" and doc["period"]["from"] == "2026-11-16"


async def test_branch_key_export(branch: Session, tmp_path: Path) -> None:
    from branchtool.keyfiles import BRANCH_FORMAT, read_key_file

    app = make_app(branch)
    async with app.run_test(size=SIZE) as pilot:
        await open_section(app, pilot, "bundle")
        await pilot.click("#bundle-branch-key")
        await pilot.pause()
        assert isinstance(app.screen, PathScreen)
        fingerprint = branch.bundles.branch_key().fingerprint
        assert fingerprint in str(app.screen.query_one(".path-note").render())
        target = tmp_path / "DEMO.pub"
        app.screen.query_one("#path-input", Input).value = str(target)
        await pilot.click("#path-ok")
        await settle(app, pilot)
        assert read_key_file(target, BRANCH_FORMAT).fingerprint == fingerprint
        assert any(fingerprint in t for t in toasts(app))


async def test_locking_drops_the_report_and_the_outbox_and_unlocking_brings_them_back(
    branch: Session, office: OfficeKeys, tmp_path: Path
) -> None:
    from screens.unlock import UnlockScreen

    branch.bundles.set_office_key(office.key)
    branch.bundles.export(tmp_path, Period(TODAY, TODAY))
    app = make_app(branch)
    async with app.run_test(size=SIZE) as pilot:
        reports_pane = await open_section(app, pilot, "reports")
        bundle_pane = await open_section(app, pilot, "bundle")
        view = reports_pane.query_one("#report-view", Markdown)
        outbox = bundle_pane.query_one("#bundle-outbox", DataTable)
        assert view.source and outbox.row_count == 1
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen)
        assert view.source == "" and outbox.row_count == 0
        assert reports_pane.document is None and bundle_pane.preview is None
        await pilot.press(*demo.PASSPHRASE, "enter")
        await settle(app, pilot)
        await settle(app, pilot)  # the panes' own work after the unlock
        assert view.source.startswith("# 疫情防控日报") and outbox.row_count == 1


async def test_choosing_the_content_to_send(branch: Session, office: OfficeKeys,
                                            tmp_path: Path) -> None:
    from textual.widgets import SelectionList

    branch.bundles.set_office_key(office.key)
    for deed in branch.deeds.all():
        branch.deeds.set_status(deed["id"], "proposed")
    proposed = len(branch.deeds.for_reporting())
    usb = tmp_path / "usb"
    usb.mkdir()
    app = make_app(branch)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_section(app, pilot, "bundle")
        pane.query_one("#bundle-folder", Input).value = str(usb)
        content = pane.query_one("#bundle-content", SelectionList)
        assert content.option_count == 6 and len(content.selected) == 6  # everything
        message = pane.query_one("#bundle-message")
        assert f"写入后，{proposed} 篇拟上报的先进事迹将标记为“已上报”" in str(message.render())
        assert "不上报" not in str(message.render())

        # by keyboard: the first option (the roster) off
        content.focus()
        content.highlighted = 0
        await pilot.press("space")
        await settle(app, pilot)
        content.deselect("deeds")
        await settle(app, pilot)
        assert pane.previewed[2] == ("watch", "care", "tasks", "records")
        names = [line.name for line in pane.preview.sections]
        assert "roster" not in names and "deeds" not in names and "checkins" in names
        text = str(message.render())
        assert "不上报：花名册、先进典型事迹" in text and "篇拟上报" not in text
        assert "先进典型事迹材料" not in text  # its report stays home too

        # nothing ticked: one sentence, nothing can be written
        content.deselect_all()
        await settle(app, pilot)
        assert pane.query_one("#bundle-write", Button).disabled and pane.preview is None
        assert str(message.render()) == "请至少选择一项上报内容。"
        await pilot.press("ctrl+w")
        await settle(app, pilot)
        assert list(usb.iterdir()) == [] and branch.bundles.outbox() == []
        assert str(message.render()) == "请至少选择一项上报内容。"

        # the watch and the deeds: written, and the deeds become reported
        content.select("watch")
        content.select("deeds")
        await settle(app, pilot)
        assert pane.previewed[2] == ("watch", "deeds")
        await pilot.click("#bundle-write")
        await settle(app, pilot)
        [written] = usb.iterdir()
        assert any(f"{proposed} 篇先进事迹已标记为“已上报”" in t for t in toasts(app))
        assert branch.deeds.for_reporting() == []
        assert pane.preview is not None and pane.preview.deeds_to_report == 0
    doc = branch.bundles.open_sent(written)
    assert doc["content"] == ["checkins", "contacts", "followups", "alerts", "watch_settings",
                              "notices", "relays", "daily_reports", "deeds"]
    assert any(name.startswith("deeds/") for name in doc["reports"])

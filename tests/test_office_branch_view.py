"""The office drilling into a branch with the branch's own screens: the
reported data laid out as the branch keeps it, the branch's services working
on it unchanged, every write refused (by the services and by the screens,
which hide the keys that would change something), and a lock dropping it all."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import orjson
import pytest
from fixtures_app import english, settle  # noqa: F401  (english: a fixture)
from textual.widgets import Input

from branchtool import i18n
from branchtool.errors import UserError
from branchtool.office import branch_view
from branchtool.office.branch_view import ViewSession
from branchtool.office.service import OfficeService
from branchtool.records.person import ARCHIVED
from branchtool.session import Session
from screens.base import ReadOnlyGuard
from screens.branch_view import VIEW_SECTIONS, BranchViewScreen
from screens.checkin_form import CheckinForm
from screens.office_branch import OfficeBranchScreen
from screens.office_main import OfficeMainScreen
from screens.person_detail import PersonDetail
from screens.record_table import RecordTable
from screens.unlock import UnlockScreen
from tests.officekit import (
    OFFICE_PASSPHRASE,
    TODAY,
    TZ,
    Clock,
    enrol,
    export,
    make_branch,
    make_office,
)

DAYS = 5

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def world(tmp_path: Path) -> dict[str, object]:
    """An office (closed) holding A1's full bundle of five days and B2's
    standard one; the branches stay open for comparing."""
    clock = Clock()
    office = make_office(tmp_path / "office", clock)
    a = make_branch(tmp_path / "a", "A1", "第一党支部", office, people=12, days=DAYS, seed=4)
    b = make_branch(tmp_path / "b", "B2", "第二党支部", office, people=8, days=DAYS, seed=5)
    enrol(office, a)
    enrol(office, b)
    start = TODAY - dt.timedelta(days=DAYS - 1)
    results = office.import_paths([export(a, tmp_path / "usb", redaction="full", start=start),
                                   export(b, tmp_path / "usb", start=start)])
    assert [r.verdict for r in results] == ["accepted", "accepted"]
    office.vault.close()
    return {"office": tmp_path / "office", "a": a, "b": b, "clock": clock}


def open_office(path: Path) -> Session:
    session = Session(path, work_factor=10)
    session.unlock(OFFICE_PASSPHRASE)
    return session


def view_of(office: Session, code: str, clock: Clock) -> ViewSession:
    return ViewSession(office, code, lambda: clock().astimezone(TZ))


def test_the_branch_services_see_what_was_reported(world: dict[str, object]) -> None:
    office = open_office(world["office"])  # type: ignore[arg-type]
    a: Session = world["a"]  # type: ignore[assignment]
    view = view_of(office, "A1", world["clock"])  # type: ignore[arg-type]
    try:
        assert view.read_only and view.info()["branch_name"] == "第一党支部"
        assert view.as_of == dt.datetime.combine(TODAY, dt.time(8, 0))  # now, in the period
        clock: Clock = world["clock"]  # type: ignore[assignment]
        clock.at(TODAY + dt.timedelta(days=3), 9)
        later = view_of(office, "A1", clock)
        assert later.info()  # the view is built: its clock stands at the period's end
        assert later.as_of == dt.datetime.combine(TODAY, dt.time(23, 59, 59))
        assert view.vault.partitions("checkins/") == a.vault.partitions("checkins/")
        assert sorted(p.id for p in view.roster.people()) == \
            sorted(p.id for p in a.roster.people())
        for day in (TODAY - dt.timedelta(days=n) for n in range(DAYS)):
            assert view.health.day(day) == a.health.day(day)
        # the daily figures are counted again from the reported check-ins
        assert view.health.series(TODAY, DAYS) == a.health.series(TODAY, DAYS)
        assert {t["id"] for t in view.vault.partition("tasks").all()} <= \
            {t["id"] for t in a.vault.partition("tasks").all()}
        assert view.alerts.count_open() == a.alerts.count_open()
    finally:
        view.lock()
        office.lock()


def test_every_write_is_refused_and_the_office_is_unchanged(world: dict[str, object]) -> None:
    office = open_office(world["office"])  # type: ignore[arg-type]
    view = view_of(office, "A1", world["clock"])  # type: ignore[arg-type]
    before = orjson.dumps(OfficeService.of(office).overview(TODAY).to_json())
    seq = office.vault.store.seq
    person = next(iter(view.roster.people()))
    attempts = [
        lambda: view.health.mark_normal(TODAY, person.id),
        lambda: view.roster.archive(person.id, sorted(ARCHIVED)[0]),
        lambda: view.vault.partition("roster").remove(person.id),
        lambda: view.vault.partition("tasks").insert({"title": "x"}),
        lambda: view.save_settings(view.settings()),
    ]
    try:
        for attempt in attempts:
            with pytest.raises(UserError) as caught:
                attempt()
            assert caught.value.key == branch_view.READ_ONLY
            assert caught.value.message() == i18n.t(branch_view.READ_ONLY)
        assert view.roster.get(person.id)["status"] == person.status
        assert office.vault.store.seq == seq
        assert orjson.dumps(OfficeService.of(office).overview(TODAY).to_json()) == before
    finally:
        view.lock()
        office.lock()


def test_a_standard_bundle_is_seen_without_what_it_withheld(world: dict[str, object]) -> None:
    office = open_office(world["office"])  # type: ignore[arg-type]
    b: Session = world["b"]  # type: ignore[assignment]
    view = view_of(office, "B2", world["clock"])  # type: ignore[arg-type]
    try:
        people = view.vault.partition("roster").all()
        assert {p["id"] for p in people} == {p.id for p in b.roster.people()}
        assert all(not p.get("phone") and not p.get("id_number") for p in people)
        assert any(p.get("phone") for p in b.vault.partition("roster").all())
        assert view.health.series(TODAY, DAYS) == b.health.series(TODAY, DAYS)
    finally:
        view.lock()
        office.lock()


def _guards(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _guards(sub)
    return found


def shown_keys(screen) -> set[str]:  # type: ignore[no-untyped-def]
    """The actions the footer offers on ``screen`` now, but the app's own
    (F9 opens the office's settings, not the branch's); a list table's row
    keys (``row('edit')``, ``pane('mark_rest')``) by the pane method they call."""
    return {re.sub(r"^(?:row|pane)\('(\w+)'\)$", r"\1", binding.action)
            for node, binding, enabled, _ in screen.active_bindings.values()
            if enabled and node is not screen.app}


async def test_drilling_into_a_branch_with_its_own_screens(world: dict[str, object]) -> None:
    from screens.app import BranchApp

    session = open_office(world["office"])  # type: ignore[arg-type]
    a: Session = world["a"]  # type: ignore[assignment]
    app = BranchApp(session, today=lambda: TODAY)
    async with app.run_test(size=(110, 32)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#office-branches", RecordTable)
        table.focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, OfficeBranchScreen)
        await pilot.press("v")
        await settle(app, pilot)
        view = app.screen
        assert isinstance(view, BranchViewScreen)
        assert "第一党支部" in str(view.query_one("#header").render())
        assert "2026" in str(view.query_one("#header").render())
        # the roster, as the branch shows it, with its writing keys hidden
        roster = view.query_one("#roster-table", RecordTable)
        assert len(roster.rows) == sum(1 for p in a.roster.people() if p.status == "active")
        roster.focus()
        await pilot.pause()
        keys = shown_keys(view)
        assert "open" in keys and not keys & {"edit", "archive", "add", "import"}
        await pilot.press("e", "delete", "ctrl+n")
        await pilot.pause()
        assert app.screen is view
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, PersonDetail)
        assert not shown_keys(app.screen) & {"edit", "archive", "restore"}
        await pilot.press("escape")
        await pilot.pause()
        # the palette offers no command that would write
        titles = [c.title for c in app.palette_commands(view)]  # type: ignore[attr-defined]
        assert i18n.t("roster.cmd.search") in titles
        assert i18n.t("roster.cmd.add") not in titles
        # every section and tab opens on the reported data, no writing key shown
        writes = {a for cls in _guards(ReadOnlyGuard) for a in cls.WRITE_ACTIONS}
        for sid, _, _ in VIEW_SECTIONS:
            view.action_section(sid)
            await settle(app, pilot)
            assert view.active_pane is not None
            for table in view.active_pane.query(RecordTable):
                if table.display and table.rows:
                    table.focus()
                    await pilot.pause()
                    assert not shown_keys(view) & writes, (sid, shown_keys(view) & writes)
        # the reports: no 其他事项 box, no zero-report key, nothing written by z
        from screens.reports_pane import ReportsPane

        view.action_section("reports")
        await settle(app, pilot)
        reports_pane = view.query_one(ReportsPane)
        assert not reports_pane.query_one("#report-other-box").display
        reports_pane.query_one("#report-kind").focus()
        await pilot.pause()
        assert not shown_keys(view) & {"zero", "save_other"}
        await pilot.press("z", "ctrl+s")
        await settle(app, pilot)
        assert view.session.day_reports.get(TODAY) is None
        # the day sheet: looking at a check-in shows it, nothing can be changed
        view.action_section("watch")
        await settle(app, pilot)
        view.query_one("#watch-tabs").active = "watch-checkins"
        await settle(app, pilot)
        sheet = view.query_one("#sheet-table", RecordTable)
        sheet.focus()
        await pilot.pause()
        assert not shown_keys(view) & {"mark_current", "mark_rest", "clear_current", "import"}
        before = view.session.health.day(TODAY)
        await pilot.press("space", "a", "x")
        await settle(app, pilot)
        assert view.session.health.day(TODAY) == before == a.health.day(TODAY)
        await pilot.press("enter")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, CheckinForm)
        assert "save" not in shown_keys(form)
        assert all(w.disabled for w in form.query(Input))
        assert form.query(".read-only-note")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is view
        # a lock drops the view and what it holds; the unlock brings it back
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen)
        assert view.session._view is None and not view.session._services
        app.screen.query_one(Input).value = OFFICE_PASSPHRASE
        await pilot.press("enter")
        await settle(app, pilot)
        await settle(app, pilot)
        assert app.screen is view
        assert view.session.health.day(TODAY) == before
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, OfficeBranchScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, OfficeMainScreen)
    session.lock()


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_snapshot_of_a_branch_seen_by_the_office(snap_compare, world: dict[str, object],  # type: ignore[no-untyped-def]
                                                  lang: str) -> None:
    from screens.app import BranchApp

    i18n.set_language(lang)
    session = open_office(world["office"])  # type: ignore[arg-type]
    app = BranchApp(session, today=lambda: TODAY)

    async def drill_in(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(app, pilot)
        app.screen.query_one("#office-branches", RecordTable).focus()
        await pilot.press("enter")
        await settle(app, pilot)
        app.screen.action_view()  # type: ignore[attr-defined]
        await settle(app, pilot)
        await pilot.press("down", "down")

    try:
        assert snap_compare(app, terminal_size=(100, 30), run_before=drill_in)
    finally:
        session.lock()


def test_what_the_office_holds_outlives_a_bundle_without_it(world: dict[str, object],
                                                            tmp_path: Path) -> None:
    from branchtool.period import Period

    a: Session = world["a"]  # type: ignore[assignment]
    day = TODAY + dt.timedelta(days=1)
    a.bundles.today = lambda: day
    (tmp_path / "usb2").mkdir()
    sent = a.bundles.export(tmp_path / "usb2", Period(day, day), "standard", content=["watch"])
    office = open_office(world["office"])  # type: ignore[arg-type]
    try:
        service = OfficeService.of(office)
        [result] = service.import_paths([sent.path])
        assert result.verdict == "accepted"
        months = service.reported_months("A1")
        assert months == [f"{TODAY:%Y-%m}"]
        held = service.held_counts("A1", months)
        assert "roster" not in service.latest_bundle("A1")["counts"]
        assert held["roster"] == len(list(a.roster.people()))
        assert held["checkins"] == sum(len(a.health.day(TODAY - dt.timedelta(days=n)))
                                       for n in range(-1, DAYS))
        view = view_of(office, "A1", world["clock"])  # type: ignore[arg-type]
        assert len(list(view.roster.people())) == held["roster"]
        view.lock()
    finally:
        office.lock()


def test_the_view_counts_with_the_thresholds_the_branch_reported(world: dict[str, object],
                                                                 tmp_path: Path) -> None:
    """A branch that raised its fever threshold: the office's view counts
    fevers as the branch does, not by the default."""
    from branchtool.period import Period

    a: Session = world["a"]  # type: ignore[assignment]
    default = a.health.series(TODAY, DAYS)
    a.health.save_settings({"fever_threshold": "37.8", "missing_days": "2",
                            "deadline": "09:00"})
    raised = a.health.series(TODAY, DAYS)
    assert raised != default  # the demo has temperatures between the two thresholds
    day = TODAY + dt.timedelta(days=1)
    a.bundles.today = lambda: day
    (tmp_path / "usb2").mkdir()
    sent = a.bundles.export(tmp_path / "usb2", Period(day, day), "standard", content=["watch"])
    assert a.bundles.open_sent(sent.path)["data"]["watch_settings"][0]["fever_threshold"] \
        == "37.8"
    office = open_office(world["office"])  # type: ignore[arg-type]
    try:
        [result] = OfficeService.of(office).import_paths([sent.path])
        assert result.verdict == "accepted"
        view = view_of(office, "A1", world["clock"])  # type: ignore[arg-type]
        assert view.health.settings == a.health.settings
        assert view.health.series(TODAY, DAYS) == raised
        view.lock()
    finally:
        office.lock()


def test_the_daily_report_number_is_the_branchs(tmp_path: Path) -> None:
    """第N期 counts from the day the branch's watch began, which the office's
    view does not hold when only the latest days were sent (issue 22, item 3)."""
    from branchtool.reports import daily

    clock = Clock()
    office = make_office(tmp_path / "office", clock)
    a = make_branch(tmp_path / "a", "A1", "第一党支部", office, people=6, days=40, seed=2)
    enrol(office, a)
    sent = export(a, tmp_path / "usb")
    assert [r.verdict for r in office.import_paths([sent])] == ["accepted"]
    number = daily.issue_number(a, TODAY)
    assert number == i18n.t("report.daily.number", n=40)
    assert number in a.bundles.open_sent(sent)["reports"][f"daily/{TODAY}"]
    office.vault.close()
    session = open_office(tmp_path / "office")
    view = view_of(session, "A1", clock)
    try:
        assert daily.issue_number(view, TODAY) == number
        assert number in daily.build(view, TODAY).number
    finally:
        view.lock()
        session.lock()
        a.lock()


@pytest.fixture
def sent_before_the_deadline(tmp_path: Path) -> tuple[Path, Session, Clock]:
    """A1 reported a day at 08:10, before its check-in deadline, with one
    person not yet checked in: the missing alert was not raised yet."""
    from branchtool.period import Period

    clock = Clock()
    office = make_office(tmp_path / "office", clock)
    a = make_branch(tmp_path / "a", "A1", "第一党支部", office, people=8, days=3, seed=6)
    enrol(office, a)
    day = TODAY + dt.timedelta(days=1)
    a.clock = lambda: dt.datetime.combine(day, dt.time(8, 10))
    people = a.health.active_people()
    for person in people[1:]:
        a.health.mark_normal(day, person.id)
    a.alerts.refresh()
    a.bundles.today = lambda: day
    (tmp_path / "usb").mkdir()
    sent = a.bundles.export(tmp_path / "usb", Period(day, day)).path
    clock.at(day, 15)
    assert [r.verdict for r in office.import_paths([sent])] == ["accepted"]
    office.vault.close()
    return tmp_path / "office", a, clock


def test_the_view_shows_the_alerts_the_branch_reported(
    sent_before_the_deadline: tuple[Path, Session, Clock]
) -> None:
    path, a, clock = sent_before_the_deadline
    session = open_office(path)
    view = view_of(session, "A1", clock)
    try:
        assert view.alerts.count_open() == a.alerts.count_open() > 0
    finally:
        view.lock()
        session.lock()
        a.lock()


async def test_the_views_epidemic_overview_loads(
    sent_before_the_deadline: tuple[Path, Session, Clock]
) -> None:
    """After the branch's check-in deadline the time rules would raise an
    alert, which the read-only view cannot write: the overview still shows
    the figures and the alerts reported (issue 22, item 10)."""
    from screens.app import BranchApp
    from screens.dashboard import DashboardPane, FigureTable

    path, a, _ = sent_before_the_deadline
    reported = a.alerts.count_open()
    a.lock()
    session = open_office(path)
    app = BranchApp(session, today=lambda: TODAY + dt.timedelta(days=1))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        app.screen.query_one("#office-branches", RecordTable).focus()
        await pilot.press("enter")
        await settle(app, pilot)
        app.screen.action_view()  # type: ignore[attr-defined]
        await settle(app, pilot)
        app.screen.action_section("watch")  # type: ignore[attr-defined]
        await settle(app, pilot)
        await settle(app, pilot)
        pane = app.screen.query_one(DashboardPane)
        assert pane.loads == 1 and pane.board is not None
        figures = pane.query_one(FigureTable)
        assert figures.day_text == i18n.format_date(TODAY + dt.timedelta(days=1))
        assert pane.board.alerts_open == reported
    session.lock()

"""The settings (F9) driven with Pilot: the alert thresholds are there too
(the same form as the dashboard's ``s``), saved through the health service
and used by the alerts; a wrong value is one sentence and nothing is stored;
Escape stores nothing. Workers are awaited, never slept on."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

from pathlib import Path

from fixtures_app import chinese, make_app, settle  # noqa: F401
from healthkit import TODAY, Watch, clock, open_watch, reopen, static, watch  # noqa: F401
from textual.widgets import Input

from branchtool.session import Session
from screens.dashboard import DashboardPane
from screens.main import MainScreen
from screens.settings import SettingsScreen
from screens.watch_settings import ThresholdFields


async def open_settings(app, pilot) -> SettingsScreen:  # type: ignore[no-untyped-def]
    await pilot.press("f9")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, SettingsScreen)
    return screen


def fever_alerts(session: Session, person_id: str) -> list[dict[str, object]]:
    return [a for a in session.alerts.for_person(person_id) if "fever" in str(a)]


async def test_f9_changes_a_threshold_and_the_alerts_use_it(watch: Watch) -> None:
    s = watch.session
    s.health.record(TODAY, watch.ids[0], {"temperature": "37.4"})
    app = make_app(s)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = (await open_watch(app, pilot)).pane("dashboard")
        assert isinstance(pane, DashboardPane) and pane.board is not None
        assert pane.board.fever == 1
        screen = await open_settings(app, pilot)
        fever = screen.query_one("#ws-fever_threshold", Input)
        assert fever.value == "37.3"  # the stored threshold
        assert screen.query_one("#ws-missing_days", Input).value == "3"
        fever.value = "37.5"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await settle(app, pilot)  # the dashboard recomputes
        assert isinstance(app.screen, MainScreen)
        assert s.health.settings.fever_threshold == "37.5"
        assert pane.board.fever == 0  # 37.4 is no longer a fever
    # the alert rules read the new threshold
    s.health.record(TODAY, watch.ids[1], {"temperature": "37.4"})
    s.health.record(TODAY, watch.ids[2], {"temperature": "37.6"})
    assert fever_alerts(s, watch.ids[1]) == []
    assert len(fever_alerts(s, watch.ids[2])) == 1
    assert reopen(watch).health.settings.fever_threshold == "37.5"  # kept in the vault


async def test_f9_says_what_is_wrong_in_one_sentence_and_stores_nothing(watch: Watch) -> None:
    s = watch.session
    before_ui, frames = s.settings(), watch.frames()
    app = make_app(s)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(app, pilot)
        screen.query_one("#settings-language").value = "en"
        screen.query_one("#ws-missing_days", Input).value = "30"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        assert static(app, "#ws-problem") == "连续未报天数应在 2 到 14 天之间。"
        assert s.health.settings.missing_days == 3
        assert s.settings() == before_ui and watch.frames() == frames
        # a wrong idle time: the (right) thresholds are not written either
        screen.query_one("#ws-missing_days", Input).value = "5"
        screen.query_one("#settings-idle", Input).value = "0"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        assert screen.rows[2].problem == "请填写 1 到 240 之间的分钟数"
        assert s.health.settings.missing_days == 3 and watch.frames() == frames
        # corrected: both are saved
        screen.query_one("#settings-idle", Input).value = "15"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert s.health.settings.missing_days == 5
        assert s.settings().idle_minutes == 15 and s.settings().language == "en"


async def test_escape_on_f9_stores_nothing(watch: Watch) -> None:
    s = watch.session
    before_ui, frames = s.settings(), watch.frames()
    app = make_app(s)
    async with app.run_test(size=(80, 24)) as pilot:
        theme = app.theme
        screen = await open_settings(app, pilot)
        screen.query_one("#ws-fever_threshold", Input).value = "38.0"
        screen.query_one("#ws-deadline", Input).value = "12:00"
        screen.query_one("#settings-theme").value = "textual-light"
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.theme == theme
    assert s.health.settings.fever_threshold == "37.3" and s.health.settings.deadline == "10:00"
    assert s.settings() == before_ui and watch.frames() == frames


async def test_saving_f9_unchanged_thresholds_writes_none(watch: Watch) -> None:
    s = watch.session
    app = make_app(s)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_settings(app, pilot)
        version = s.health.version
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert s.health.version == version


async def test_an_office_vault_has_no_thresholds_in_f9(tmp_path: Path) -> None:
    from officekit import OFFICE_PASSPHRASE

    from branchtool.office.create import create_office

    vault, _ = create_office(tmp_path / "office", "某学院党委办公室", OFFICE_PASSPHRASE,
                             work_factor=10, check_passphrase=False)
    vault.close()
    session = Session(tmp_path / "office", work_factor=10)
    session.unlock(OFFICE_PASSPHRASE)
    app = make_app(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        screen = await open_settings(app, pilot)
        assert screen.thresholds is None and not screen.query(ThresholdFields)
        await pilot.press("escape")
    session.lock()

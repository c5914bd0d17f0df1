# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)
"""Windows' console and install location, as the app meets them (issue 20,
WINDOWS.md items 1, 3 and 10): the old console window (warned about, and
simple ASCII borders offered), Microsoft Store Python (the vault's real
place shown), OneDrive (warned about for the vault, asked about before a
readable file is saved there)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures_app import (  # noqa: F401  (fixtures)
    chinese,
    make_app,
    session,
    settle,
    toasts,
    until,
    vault_dir,
)
from textual.widgets import Input, Select

from branchtool import platform_checks
from branchtool.session import Session
from screens.ascii_mode import ascii_borders_on, redraw, set_ascii_borders

STORE = (r"C:\Users\li\AppData\Local\Microsoft\WindowsApps"
         r"\PythonSoftwareFoundation.Python.3.12_qbz5n2kfra8p0\python.exe")
PYTHON_ORG = r"C:\Users\li\AppData\Local\Programs\Python\Python312\python.exe"
BOX_DRAWING = re.compile("[\u2500-\u259f]")  # box drawing and block elements


@pytest.fixture(autouse=True)
def unicode_borders_after() -> Iterator[None]:
    """ASCII borders are process-wide: every test leaves them off."""
    yield
    set_ascii_borders(False)


# -- the checks themselves -------------------------------------------------------------------
def test_store_python_is_told_by_its_path() -> None:
    assert platform_checks.is_store_python(STORE, "win32")
    assert not platform_checks.is_store_python(PYTHON_ORG, "win32")
    assert not platform_checks.is_store_python("/usr/bin/python3", "linux")


def test_the_old_console_is_the_one_with_no_terminal_named() -> None:
    assert platform_checks.is_legacy_console({}, "win32")
    assert not platform_checks.is_legacy_console({"WT_SESSION": "7f1c…"}, "win32")
    assert not platform_checks.is_legacy_console({"TERM_PROGRAM": "vscode"}, "win32")
    assert not platform_checks.is_legacy_console({}, "linux")


@pytest.mark.parametrize(("path", "inside"), [
    (r"C:\Users\li\OneDrive\文档\vault", True),
    (r"c:\users\LI\onedrive\Documents", True),          # Windows ignores case
    (r"C:\Users\li\OneDrive", True),
    (r"C:\Users\li\OneDriveBackup\vault", False),        # not the same folder
    (r"C:\Users\li\AppData\Local\branchtool\vault", False),
    (r"E:\branchtool", False),
])
def test_onedrive_folders_are_recognised_on_windows(path: str, inside: bool) -> None:
    env = {"OneDrive": r"C:\Users\li\OneDrive", "OneDriveConsumer": r"C:\Users\li\OneDrive"}
    found = platform_checks.onedrive_folder(path, env, "win32")
    assert (found is not None) is inside


def test_a_business_onedrive_counts_too() -> None:
    env = {"OneDriveCommercial": r"C:\Users\li\OneDrive - 某某大学"}
    assert platform_checks.onedrive_folder(r"C:\Users\li\OneDrive - 某某大学\Desktop\名单.xlsx",
                                           env, "win32") == r"C:\Users\li\OneDrive - 某某大学"
    assert platform_checks.onedrive_folder(r"C:\Users\li\Desktop\名单.xlsx", env, "win32") is None


def test_startup_warnings_say_what_to_do(tmp_path: Path, chinese: None) -> None:
    env = {"OneDrive": str(tmp_path)}
    said = platform_checks.startup_warnings(tmp_path / "vault", env=env, platform="win32",
                                            executable=STORE)
    assert len(said) == 3
    store, onedrive, console = said
    assert "应用商店" in store and "python.org" in store
    assert "OneDrive" in onedrive and "--data-dir" in onedrive
    assert "Windows Terminal" in console and "F9" in console
    assert platform_checks.startup_warnings(tmp_path / "vault", env={"WT_SESSION": "1"},
                                            platform="win32", executable=PYTHON_ORG) == []
    assert platform_checks.startup_warnings(tmp_path / "vault", env={},
                                            platform="linux") == []


def test_the_command_line_warns_after_writing_a_readable_file_to_onedrive(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        chinese: None) -> None:
    monkeypatch.setenv("OneDrive", str(tmp_path / "OneDrive"))
    platform_checks.warn_if_synced(tmp_path / "OneDrive" / "名单.xlsx")
    assert "OneDrive" in capsys.readouterr().err
    platform_checks.warn_if_synced(tmp_path / "usb" / "名单.xlsx")
    assert capsys.readouterr().err == ""


# -- in the app ---------------------------------------------------------------------------------
async def test_the_app_shows_the_warnings_once_at_start(session: Session,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import branchtool.app as app_module

    monkeypatch.setattr(app_module, "startup_warnings", lambda vault: platform_checks.
                        startup_warnings(vault, env={}, platform="win32", executable=STORE))
    app = make_app(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        shown = toasts(app)
        assert any("应用商店" in t for t in shown) and any("Windows Terminal" in t for t in shown)


async def test_ascii_borders_draw_no_box_characters(session: Session) -> None:
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert BOX_DRAWING.search(app.export_screenshot())
        set_ascii_borders(True)
        redraw(app)
        await pilot.pause()
        drawn = app.export_screenshot()
        assert not BOX_DRAWING.search(drawn), BOX_DRAWING.findall(drawn)[:10]
        set_ascii_borders(False)
        redraw(app)
        await pilot.pause()
        assert BOX_DRAWING.search(app.export_screenshot())


async def test_the_borders_setting_is_kept_with_the_vault_and_applies_at_once(
        session: Session) -> None:
    app = make_app(session)
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("f9")
        await until(pilot, lambda: app.screen.query("#settings-borders"))
        app.screen.query_one("#settings-borders", Select).value = "ascii"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert ascii_borders_on()
        assert session.settings().borders == "ascii"
        assert not BOX_DRAWING.search(app.export_screenshot())
        await pilot.press("ctrl+t")  # another setting saved later keeps the borders
        await settle(app, pilot)
        assert session.settings().borders == "ascii"
    set_ascii_borders(False)
    again = make_app(session)  # the next start reads it before anything is drawn
    async with again.run_test(size=(100, 36)) as pilot:
        await settle(again, pilot)
        assert ascii_borders_on()


async def test_a_readable_export_into_onedrive_asks_first(
        session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from screens.confirm import ConfirmScreen
    from screens.export_roster import ExportScreen
    from screens.main import MainScreen

    synced = tmp_path / "OneDrive"
    synced.mkdir()
    monkeypatch.setenv("OneDrive", str(synced))
    target = synced / "名单.csv"
    app = make_app(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ExportScreen))
        app.screen.query_one("#export-path", Input).value = str(target)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "OneDrive" in app.screen.question and "不加密" in app.screen.question
        await pilot.press("escape")  # no: nothing written, the form stays
        await settle(app, pilot)
        assert not target.exists() and isinstance(app.screen, ExportScreen)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.click("#yes")
        await settle(app, pilot)
        await until(pilot, lambda: isinstance(app.screen, MainScreen))
    assert target.is_file()


# -- Textual, pinned: what the ASCII mode and the IME fix reach into ------------------------------
def test_textual_still_has_what_ascii_mode_swaps() -> None:
    """Textual is pinned exactly; when the pin moves, this says what to check."""
    import textual
    from textual import _border
    from textual.renderables.bar import Bar
    from textual.scrollbar import ScrollBarRender
    from textual.widgets._toggle_button import ToggleButton

    assert textual.__version__ == "8.2.8", "re-check screens/ascii_mode.py and win32_input.py"
    assert "ascii" in _border.BORDER_CHARS and "round" in _border.BORDER_LOCATIONS
    assert callable(_border.get_box.cache_clear)
    assert len(ScrollBarRender.VERTICAL_BARS) == 8
    assert ToggleButton.BUTTON_LEFT == "▐" and Bar.BAR == "━"


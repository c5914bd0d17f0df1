# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)
"""Windows' console and install location, as the app meets them (issue 20,
WINDOWS.md items 1, 3 and 10): the old console window (warned about, and
simple ASCII borders offered), Microsoft Store Python (the vault's real
place shown), OneDrive (warned about for the vault, asked about before a
readable file is saved there)."""

from __future__ import annotations

import dataclasses
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from fixtures_app import (  # noqa: F401  (fixtures)
    PASSPHRASE,
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
from branchtool.errors import UserError
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
    import screens.app as app_module

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


def test_the_borders_setting_is_a_display_preference_under_vault_json_mac(
        session: Session) -> None:
    """Read before unlocking (the unlock screen has borders too), so kept in
    vault.json's ``ui`` beside the theme, where the MAC of issue 13 covers
    it: the app's own change keeps the MAC good, an edit is refused at unlock
    (tests/test_attack_files.py), a hostile value draws the default."""
    session.save_settings(dataclasses.replace(session.settings(), borders="ascii"))
    doc = orjson.loads((session.path / "vault.json").read_bytes())
    assert doc["info"]["ui"]["borders"] == "ascii" and doc["mac"]
    session.lock()
    assert Session(session.path).settings().borders == "ascii"  # before unlocking
    session.unlock(PASSPHRASE)  # the MAC was written with it
    assert session.settings().borders == "ascii"
    session.lock()
    doc["info"]["ui"]["borders"] = ["[red]x[/]"]
    (session.path / "vault.json").write_bytes(orjson.dumps(doc))
    assert Session(session.path).settings().borders == "unicode"
    with pytest.raises(UserError) as caught:
        session.unlock(PASSPHRASE)
    assert caught.value.key == "storage.vault_edited"


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



# -- Chinese punctuation typed with Shift through an input method (WINDOWS.md item 2) ----------
class _Callable:
    """Whatever the driver module takes from kernel32 at import: callable,
    with settable ``argtypes``/``restype``."""

    def __call__(self, *args: object) -> int:
        return 1


class _ImportKernel32:
    def __getattr__(self, name: str) -> _Callable:
        return _Callable()


class _ScriptedKernel32:
    """A console that delivers one batch of key records, then asks to stop."""

    def __init__(self, module, keys: list[tuple[int, int, str]], stop) -> None:  # type: ignore[no-untyped-def]
        self.module, self.keys, self.stop = module, keys, stop

    def WaitForMultipleObjects(self, *args: object) -> int:
        return 0  # the input handle is ready

    def ReadConsoleInputW(self, handle, records, length, count) -> int:  # type: ignore[no-untyped-def]
        array = records._obj
        for index, (vk, state, char) in enumerate(self.keys):
            record = array[index]
            record.EventType = 0x0001
            key = record.Event.KeyEvent
            key.bKeyDown, key.wRepeatCount, key.wVirtualKeyCode = 1, 1, vk
            key.uChar.UnicodeChar, key.dwControlKeyState = char, state
        count._obj.value = len(self.keys)
        self.stop.set()
        return 1


@pytest.fixture
def win32_driver(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Textual's real Windows input module, imported here with stand-ins for
    msvcrt and kernel32 (it touches them at import)."""
    import ctypes
    import importlib
    import types

    import textual.drivers

    monkeypatch.setitem(sys.modules, "msvcrt", types.ModuleType("msvcrt"))
    monkeypatch.setattr(ctypes, "WinDLL", lambda *a, **k: _ImportKernel32(), raising=False)
    sys.modules.pop("textual.drivers.win32", None)
    module = importlib.import_module("textual.drivers.win32")
    yield module
    sys.modules.pop("textual.drivers.win32", None)
    if hasattr(textual.drivers, "win32"):
        delattr(textual.drivers, "win32")


SHIFT = 0x0010
MICROSOFT_PINYIN = [
    (0, SHIFT, "？"),      # Shift+/ in Chinese mode: VK 0, Shift held, the character
    (0, SHIFT, "《"),
    (0, SHIFT, "\x00"),   # a bare Shift: no character, still dropped
    (0x41, 0, "a"),       # an ordinary key
]


def _typed(module, keys: list[tuple[int, int, str]], *, patched: bool) -> list[str]:  # type: ignore[no-untyped-def]
    """Run the driver's real input loop over one batch of console records;
    the characters of the key events it sends to the app."""
    import threading

    from textual import events

    from screens.win32_input import keep_ime_characters

    stop = threading.Event()
    module.KERNEL32 = _ScriptedKernel32(module, keys, stop)
    if patched:
        assert keep_ime_characters(module)
        assert keep_ime_characters(module)  # twice is once
    received: list[object] = []
    app = types_namespace(log=types_namespace(error=lambda *a: received.append(a)))
    module.EventMonitor(None, app, stop, received.append).run()
    return [e.character for e in received if isinstance(e, events.Key)]


def types_namespace(**values: object) -> object:
    import types

    return types.SimpleNamespace(**values)


def test_textual_drops_shift_punctuation_from_an_input_method(win32_driver) -> None:  # type: ignore[no-untyped-def]
    """The bug, in Textual's own driver code: only "a" gets through."""
    assert _typed(win32_driver, MICROSOFT_PINYIN, patched=False) == ["a"]


def test_the_patch_keeps_it_and_still_drops_bare_modifiers(win32_driver) -> None:  # type: ignore[no-untyped-def]
    assert _typed(win32_driver, MICROSOFT_PINYIN, patched=True) == ["？", "《", "a"]
    # everything else the driver takes from kernel32 reaches the real one
    assert win32_driver.KERNEL32.WaitForMultipleObjects() == 0


def test_the_patch_is_installed_only_where_the_windows_driver_is() -> None:
    from screens.win32_input import keep_ime_characters

    assert keep_ime_characters() is (sys.platform == "win32")

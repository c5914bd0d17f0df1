"""The app shell, driven with Pilot: create, unlock, lock, auto-lock, help,
command palette, settings."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fixtures_app import (  # noqa: F401  (fixtures)
    BRANCH_NAME,
    PASSPHRASE,
    WORK_FACTOR,
    chinese,
    demo_session,
    make_app,
    person,
    session,
    settle,
    text_of,
    vault_dir,
)
from textual.command import CommandPalette
from textual.widgets import Input

from branchtool import i18n
from branchtool.session import Session
from screens.create_vault import CreateVaultScreen
from screens.help import HelpScreen
from screens.main import MainScreen
from screens.record_form import RecordForm
from screens.record_table import RecordTable
from screens.settings import SettingsScreen
from screens.unlock import UnlockScreen


# -- create ------------------------------------------------------------------------------
async def test_without_a_vault_the_create_form_makes_one(vault_dir: Path) -> None:
    session = Session(vault_dir, work_factor=WORK_FACTOR)
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, CreateVaultScreen)
        await pilot.press(*"CS 01")  # a space is not allowed in a code
        await pilot.press("tab", *"计算机学院第一党支部", "tab", *"short")
        assert "■□□□" in text_of(app, "#create-strength")
        await pilot.press("ctrl+s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CreateVaultScreen)
        assert screen.rows["code"].problem.startswith("支部代码只能包含")
        assert screen.rows["passphrase"].problem == "口令至少需要 8 个字符。"
        assert app.focused is screen.rows["code"].widget
        assert not session.exists()

        screen.rows["code"].widget.value = "CS-01"
        screen.rows["passphrase"].widget.value = "a long passphrase 42"
        screen.rows["repeat"].widget.value = "a different one"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert screen.rows["repeat"].problem == "两次输入的口令不一致。"
        assert "■■■■" in text_of(app, "#create-strength")

        screen.rows["repeat"].widget.value = "a long passphrase 42"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert session.exists() and session.unlocked
        assert session.info()["branch_code"] == "CS-01"
        assert "计算机学院第一党支部" in str(app.screen.query_one("#header").render())
    session.lock()


async def test_create_refuses_an_unreadable_office_key(vault_dir: Path, tmp_path: Path) -> None:
    session = Session(vault_dir, work_factor=WORK_FACTOR)
    app = make_app(session)
    (tmp_path / "office.pub").write_text("not a key", encoding="utf-8")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, CreateVaultScreen)
        for key, value in (("code", "T1"), ("name", "支部"), ("passphrase", PASSPHRASE),
                           ("repeat", PASSPHRASE), ("office", str(tmp_path / "office.pub"))):
            screen.rows[key].widget.value = value
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        assert screen.rows["office"].problem == "公钥文件格式不正确。"
        assert not session.exists()


# -- unlock ------------------------------------------------------------------------------
async def test_unlock_with_the_wrong_then_the_right_passphrase(
        session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    session.lock()
    scrypt_done = threading.Event()
    real_unlock = session.unlock

    def slow_unlock(secret: str) -> list[str]:
        scrypt_done.wait(10)
        return real_unlock(secret)

    monkeypatch.setattr(session, "unlock", slow_unlock)
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, UnlockScreen)
        assert BRANCH_NAME in text_of(app, "#unlock-branch")
        await pilot.press(*"wrong passphrase", "enter")
        await pilot.pause()
        assert text_of(app, "#unlock-message") == "正在解锁……"  # the worker is still busy
        assert app.screen.query_one("#unlock-spinner").display
        assert app.screen.query_one("#unlock-passphrase", Input).disabled
        scrypt_done.set()
        await settle(app, pilot)
        assert text_of(app, "#unlock-message") == "口令不正确。"
        assert app.screen.query_one("#unlock-passphrase", Input).value == ""
        assert not session.unlocked
        await pilot.press(*PASSPHRASE, "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert session.unlocked


async def test_the_demo_unlock_screen_shows_its_passphrase(demo_session: Session) -> None:
    demo_session.lock()
    app = make_app(demo_session, demo_passphrase="demo")
    async with app.run_test(size=(80, 24)) as pilot:
        assert "口令是：demo" in text_of(app, "#unlock-demo")
        await pilot.press(*"demo", "enter")
        await settle(app, pilot)
        assert len(app.screen.query_one(RecordTable).rows) > 0


# -- lock ----------------------------------------------------------------------------------
async def test_ctrl_l_locks_drops_the_data_and_keeps_the_form(session: Session) -> None:
    session.roster.add(person("张三"))
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        await pilot.press(*"李四")
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen)
        assert not session.unlocked  # the vault is closed: no key material left
        main = next(s for s in app.screen_stack if isinstance(s, MainScreen))
        assert main.query_one(RecordTable).rows == []  # the list dropped the names
        assert "未保存的表单内容仍在" in text_of(app, "#unlock-locked")

        await pilot.press(*PASSPHRASE, "enter")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, RecordForm)
        assert form.values["name"] == "李四"  # the unsaved input survived the lock
        assert len(main.query_one(RecordTable).rows) == 1
        rows = {row.key: row for row in form.rows}
        rows["category"].widget.value = "student"
        rows["stage"].widget.value = "league"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert sorted(p["name"] for p in session.roster.people()) == ["张三", "李四"]


async def test_idle_auto_lock_with_a_shortened_timer(session: Session) -> None:
    # long enough for the first screen to show on a loaded machine
    app = make_app(session, idle_seconds=2)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, MainScreen)
        for _ in range(300):  # wait for the timer, up to 15 s
            if isinstance(app.screen, UnlockScreen):
                break
            await pilot.pause(0.05)
        assert isinstance(app.screen, UnlockScreen)
        assert not session.unlocked
        await pilot.pause()


async def test_activity_postpones_the_auto_lock(session: Session) -> None:
    now = [1000.0]
    app = make_app(session, idle_seconds=600, clock=lambda: now[0])
    async with app.run_test(size=(80, 24)) as pilot:
        now[0] += 599
        app.lock_if_idle()
        assert session.unlocked
        await pilot.press("down")  # a key resets the idle time
        now[0] += 599
        app.lock_if_idle()
        assert session.unlocked
        now[0] += 2
        app.lock_if_idle()
        await pilot.pause()
        assert not session.unlocked and isinstance(app.screen, UnlockScreen)


async def test_no_auto_lock_while_a_worker_writes(session: Session) -> None:
    now = [0.0]
    app = make_app(session, idle_seconds=10, clock=lambda: now[0])
    async with app.run_test(size=(80, 24)) as pilot:
        checked = []

        def busy() -> None:
            now[0] = 100  # idle for long enough ...
            app.lock_if_idle()  # ... but a write is running: nothing happens
            checked.append(session.unlocked)
            now[0] = 0

        app.run_worker(busy, thread=True)
        await settle(app, pilot)
        assert checked == [True] and session.unlocked
        now[0] = 100
        app.lock_if_idle()
        await pilot.pause()
        assert not session.unlocked


# -- help, palette, settings -------------------------------------------------------------
async def test_f1_lists_every_key_of_the_screen(session: Session) -> None:
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        listed = {description for _, keys in app.screen.groups for _, description in keys}
        assert {"锁定", "帮助", "命令", "退出", "搜索", "新增", "导入", "导出", "编辑", "移出",
                "查看", "换排序列", "倒序", "下一项"} <= listed
        assert not any(description.isascii() for description in listed)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_the_palette_offers_the_screens_commands_by_pinyin(session: Session) -> None:
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert CommandPalette.is_open(app)
        await pilot.press(*"xzry")  # 新增人员
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)


async def test_the_palette_on_the_unlock_screen_has_no_roster_commands(session: Session) -> None:
    session.lock()
    app = make_app(session)
    async with app.run_test(size=(80, 24)):
        titles = [c.title for c in app.palette_commands(app.screen)]
        assert "新增人员" not in titles and "锁定" not in titles
        assert "退出" in titles


async def test_settings_switch_language_and_theme(session: Session) -> None:
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        app.screen.query_one("#settings-language").value = "en"
        app.screen.query_one("#settings-theme").value = "textual-light"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert i18n.language() == "en"
        assert app.theme == "textual-light"
        assert "Branch workbench" in str(app.screen.query_one("#header").render())
        assert session.settings().language == "en"  # kept with the vault


async def test_settings_refuse_an_idle_time_out_of_range(session: Session) -> None:
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        app.screen.query_one("#settings-idle").value = "0"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        assert app.screen.rows[2].problem == "请填写 1 到 240 之间的分钟数"


async def test_ctrl_t_toggles_the_theme(session: Session) -> None:
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        before = app.theme
        await pilot.press("ctrl+t")
        assert app.theme != before
        assert session.settings().theme == app.theme


async def test_lock_closes_the_palette_first(session: Session) -> None:
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert CommandPalette.is_open(app)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen)
        assert not any(isinstance(s, CommandPalette) for s in app.screen_stack)
        await pilot.press(*PASSPHRASE, "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)

"""A vault file that fails its integrity check: the unlock screen names it and
offers the latest backup; restoring it brings the data back."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

from fixtures_app import (  # noqa: F401  (fixtures)
    PASSPHRASE,
    chinese,
    make_app,
    person,
    session,
    settle,
    text_of,
    vault_dir,
)

from branchtool.session import Session
from screens.confirm import ConfirmScreen
from screens.main import MainScreen
from screens.unlock import UnlockScreen


async def test_a_tampered_file_is_named_and_the_backup_restored(session: Session) -> None:
    session.roster.add(person("张三"))
    session.vault.compact()  # a backup set of the vault with 张三 in it
    session.roster.add(person("李四"))
    session.lock()  # compacts again: the newest backup holds both
    snapshot = next((session.path / "data").glob("roster.*.snap.age"))
    data = bytearray(snapshot.read_bytes())
    data[len(data) // 2] ^= 1
    snapshot.write_bytes(bytes(data))

    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, UnlockScreen)
        await pilot.press(*PASSPHRASE, "enter")
        await settle(app, pilot)
        message = text_of(app, "#unlock-message")
        assert f"data/{snapshot.name}" in message and "Ctrl+R" in message
        assert not session.unlocked
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.click("#yes")
        await settle(app, pilot)
        assert "已恢复备份" in text_of(app, "#unlock-message")
        await pilot.press(*PASSPHRASE, "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        names = sorted(p["name"] for p in session.roster.people())
        assert names == ["张三", "李四"]

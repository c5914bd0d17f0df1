"""The branch changes its signing key in the app (the palette on the export
pane, or F9): the statement written where asked and verifiable by both
keys, nothing changed on a cancel or a folder that does not exist, a statement
the stick refused written again from the same dialog, a disk that refuses
the rotation leaves the old key. Driven with Pilot; workers awaited."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures_app import chinese, demo_session, make_app, settle, toasts  # noqa: F401
from textual.widgets import Button, Input, Select

from branchtool import i18n, keys_rotation
from branchtool.office.rotation import parse_rotation, verify_rotation
from branchtool.session import Session
from screens.confirm import ConfirmScreen
from screens.key_rotation import KeyRotationScreen
from screens.settings import SettingsScreen
from storage.errors import WriteFailed

SIZE = (100, 40)


async def open_dialog(app, pilot, folder: Path | None = None) -> KeyRotationScreen:  # type: ignore[no-untyped-def]
    """From the Send section's palette; ``folder``: its folder for bundles."""
    await pilot.pause()
    app.screen.action_section("bundle")
    await settle(app, pilot)
    if folder is not None:
        app.screen.query_one("#bundle-folder", Input).value = str(folder)
    [command] = [c for c in app.palette_commands(app.screen)
                 if c.title == i18n.t("keys_ui.cmd")]
    assert command.writes  # left out of the office's read-only view
    command.callback()
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, KeyRotationScreen)
    return screen


def message(screen: KeyRotationScreen) -> str:
    return str(screen.query_one("#krot-message").render())


async def rotate_to(app, pilot, screen: KeyRotationScreen, path: Path,  # type: ignore[no-untyped-def]
                    *, answer: bool = True) -> None:
    screen.query_one("#krot-path", Input).value = str(path)
    await pilot.click("#krot-rotate")
    await pilot.pause()
    confirm = app.screen
    assert isinstance(confirm, ConfirmScreen)
    confirm.action_answer(answer)
    await settle(app, pilot)
    await settle(app, pilot)


async def test_rotating_writes_a_statement_both_keys_signed(demo_session: Session,
                                                            tmp_path: Path) -> None:
    s = demo_session
    old = keys_rotation.branch_key(s.vault)
    app = make_app(s)
    out = tmp_path / "stick"
    out.mkdir()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dialog(app, pilot, out)
        assert old.fingerprint in str(screen.query_one("#krot-current").render())
        suggested = Path(screen.query_one("#krot-path", Input).value)
        assert suggested == out / f"{old.code}-rotation-1.json"  # onto the bundles' stick
        assert not screen.query_one("#krot-again", Button).display  # nothing to write again
        await rotate_to(app, pilot, screen, suggested)
        assert app.screen is screen
        new = keys_rotation.branch_key(s.vault)
        assert new.fingerprint != old.fingerprint
        assert new.fingerprint in message(screen)
        assert suggested.name in message(screen)
        assert any(new.fingerprint in text for text in toasts(app))
        assert screen.query_one("#krot-rotate", Button).disabled  # one rotation per visit
        assert new.fingerprint in str(screen.query_one("#krot-current").render())

        rotation = parse_rotation((out / suggested.name).read_bytes())
        verify_rotation(rotation, old.minisign_public_key)
        assert rotation.old_fingerprint == old.fingerprint
        assert rotation.new_key.fingerprint == new.fingerprint

        # the same statement written again, from the same dialog
        assert screen.query_one("#krot-again", Button).display
        assert screen.query_one("#krot-number", Select).value == 1
        again = tmp_path / "again.json"
        screen.query_one("#krot-path", Input).value = str(again)
        await pilot.click("#krot-again")
        await pilot.pause()
        assert again.read_bytes() == (out / suggested.name).read_bytes()
        assert str(again) in message(screen)

        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, KeyRotationScreen)
    assert keys_rotation.rotations(s.vault)[0]["new_fingerprint"] == new.fingerprint


async def test_no_at_the_question_or_a_missing_folder_changes_nothing(
        demo_session: Session, tmp_path: Path) -> None:
    s = demo_session
    old = s.vault.signing_public_key
    app = make_app(s)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dialog(app, pilot)
        await rotate_to(app, pilot, screen, tmp_path / "a.json", answer=False)
        assert s.vault.signing_public_key == old
        assert not (tmp_path / "a.json").exists()
        assert not screen.query_one("#krot-rotate", Button).disabled

        gone = tmp_path / "no-such-stick" / "a.json"
        screen.query_one("#krot-path", Input).value = str(gone)
        await pilot.click("#krot-rotate")
        await pilot.pause()
        assert app.screen is screen  # no question: the place is refused first
        assert message(screen) == i18n.t("keys.rotate.bad_out", path=str(gone))
    assert s.vault.signing_public_key == old
    assert keys_rotation.rotations(s.vault) == []


async def test_a_statement_the_stick_refused_is_written_again(
        demo_session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = demo_session
    app = make_app(s)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dialog(app, pilot)
        with monkeypatch.context() as m:
            m.setattr(keys_rotation, "write_statement", lambda path, data: False)
            await rotate_to(app, pilot, screen, tmp_path / "pulled-out.json")
        new = keys_rotation.branch_key(s.vault).fingerprint
        assert message(screen) == i18n.t("keys_ui.not_written", fingerprint=new,
                                          path=str(tmp_path / "pulled-out.json"))
        target = tmp_path / "second-try.json"
        screen.query_one("#krot-path", Input).value = str(target)
        await pilot.click("#krot-again")
        await pilot.pause()
        assert parse_rotation(target.read_bytes()).new_key.fingerprint == new


async def test_a_disk_that_refuses_the_rotation_keeps_the_old_key(
        demo_session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = demo_session
    old = s.vault.signing_public_key

    def refuse(*args: object, **kwargs: object) -> None:
        raise WriteFailed(reason="ENOSPC")

    monkeypatch.setattr(type(s.vault), "rotate_signing_key", refuse)
    app = make_app(s)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dialog(app, pilot)
        await rotate_to(app, pilot, screen, tmp_path / "a.json")
        assert app.screen is screen
        assert message(screen) == i18n.t("storage.write_failed", reason="ENOSPC")
        assert not screen.query_one("#krot-rotate", Button).disabled  # may try again
    assert s.vault.signing_public_key == old
    assert not (tmp_path / "a.json").exists()


async def test_f9_reaches_both_keys(demo_session: Session) -> None:
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f9")
        await pilot.pause()
        settings = app.screen
        assert isinstance(settings, SettingsScreen)
        await pilot.click("#settings-signing-key")
        await pilot.pause()
        assert isinstance(app.screen, KeyRotationScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is settings
        await pilot.click("#settings-office-key")
        await pilot.pause()
        from screens.office_key import OfficeKeyScreen

        assert isinstance(app.screen, OfficeKeyScreen)


async def test_no_rotation_while_a_bundle_is_being_written(demo_session: Session,
                                                           tmp_path: Path) -> None:
    import threading

    from screens.bundle_export import EXPORT

    s = demo_session
    old = s.vault.signing_public_key
    app = make_app(s)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dialog(app, pilot)
        release = threading.Event()
        app.run_worker(release.wait, thread=True, group=EXPORT)  # a bundle being signed
        await pilot.pause()
        screen.query_one("#krot-path", Input).value = str(tmp_path / "a.json")
        await pilot.click("#krot-rotate")
        await pilot.pause()
        assert app.screen is screen  # no question asked
        assert message(screen) == i18n.t("keys_ui.exporting")
        release.set()
        await settle(app, pilot)
    assert s.vault.signing_public_key == old

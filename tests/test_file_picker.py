"""The file dialog: drives and mounts on each platform (the platform calls
replaced), a folder that cannot be written says why and keeps what was typed,
Explorer's "Copy as path" quotes, the last folder and the stick folder."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from fixtures_app import PASSPHRASE, chinese, make_app, settle, until  # noqa: F401
from healthkit import Watch, clock, watch  # noqa: F401
from textual.widgets import Input, OptionList, Static

from branchtool.errors import UserError
from screens.file_picker import FilePicker, Mode, clean_path
from storage import places


# -- drives and mounts ------------------------------------------------------------------------
def test_windows_drive_letters_with_the_stick_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(places, "_listdrives", lambda: ["C:\\", "D:\\", "E:\\", "F:\\"])
    kinds = {"C:\\": places.DRIVE_FIXED, "D:\\": places.DRIVE_CDROM,
             "E:\\": places.DRIVE_REMOVABLE, "F:\\": places.DRIVE_REMOTE}
    monkeypatch.setattr(places, "_drive_type", kinds.__getitem__)
    found = places.drives_and_mounts("win32")
    assert [(p.name, p.removable) for p in found] == [("E:\\", True), ("C:\\", False),
                                                      ("F:\\", False)]


def test_windows_before_3_12_reads_the_drive_bitmask(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without os.listdrives the letters come from GetLogicalDrives (ctypes)."""
    monkeypatch.delattr(os, "listdrives", raising=False)

    class Kernel32:
        @staticmethod
        def GetLogicalDrives() -> int:
            return 0b10100  # C: and E:

    class WinDLL:
        kernel32 = Kernel32()

    import ctypes

    monkeypatch.setattr(ctypes, "windll", WinDLL(), raising=False)
    assert places._listdrives() == ["C:\\", "E:\\"]


def test_a_broken_drive_call_lists_nothing_rather_than_failing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def boom() -> list[str]:
        raise OSError("no")

    monkeypatch.setattr(places, "_listdrives", boom)
    assert places.drives_and_mounts("win32") == []


def test_linux_mounts_under_media_run_media_and_mnt(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("USER", "wang")
    for folder in ("media/wang/KINGSTON", "run/media/wang/SANDISK", "media/cdrom", "mnt/data",
                   "media/wang/.hidden"):
        (tmp_path / folder).mkdir(parents=True)
    found = places.drives_and_mounts("linux", root=tmp_path)
    assert [(p.name, p.removable) for p in found] == [
        ("SANDISK", True), ("KINGSTON", True), ("cdrom", True), ("data", False)]


def test_macos_volumes(tmp_path: Path) -> None:
    (tmp_path / "Volumes" / "U盘").mkdir(parents=True)
    assert [p.name for p in places.drives_and_mounts("darwin", root=tmp_path)] == ["U盘"]


def test_a_folder_that_cannot_be_written_says_why(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    assert places.writable_problem(tmp_path) is None
    assert list(tmp_path.iterdir()) == []  # the probe is gone
    assert places.writable_problem(tmp_path / "gone") == "no_folder"
    (tmp_path / "f").write_text("x")
    assert places.writable_problem(tmp_path / "f") == "not_folder"
    import errno

    def refuse(code: int):  # type: ignore[no-untyped-def]
        def open_(*args: object, **kwargs: object) -> int:
            raise OSError(code, os.strerror(code))
        return open_

    for code, reason in ((errno.EROFS, "read_only"), (errno.EACCES, "denied"),
                         (errno.ENOSPC, "full")):
        monkeypatch.setattr(places.os, "open", refuse(code))
        assert places.writable_problem(tmp_path) == reason


@pytest.mark.parametrize(("typed", "path"), [
    ('"C:\\Users\\王\\Desktop\\打卡.xlsx"', "C:\\Users\\王\\Desktop\\打卡.xlsx"),
    ("  '/media/wang/U盘/a.csv'  ", "/media/wang/U盘/a.csv"),
    ("“/tmp/x.xlsx”", "/tmp/x.xlsx"),
    ("/tmp/plain.csv", "/tmp/plain.csv"),
    ('  ""  ', None),
])
def test_pasted_paths_lose_their_quotes(typed: str, path: str | None) -> None:
    cleaned = clean_path(typed)
    assert (str(cleaned) if cleaned is not None else None) == path


# -- the dialog ----------------------------------------------------------------------------
async def test_the_dialog_offers_the_stick_says_why_and_remembers(
        watch: Watch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = watch.session
    stick = tmp_path / "stick"
    stick.mkdir()
    locked = tmp_path / "locked"
    locked.mkdir()
    monkeypatch.setattr("screens.file_picker.drives_and_mounts",
                        lambda: [places.Place(stick, "KINGSTON", removable=True)])
    real = places.writable_problem
    monkeypatch.setattr("screens.file_picker.writable_problem",
                        lambda folder: "read_only" if folder == locked else real(folder))
    app = make_app(s)
    chosen: list[Path | None] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.push_screen(FilePicker("保存", mode=Mode.SAVE, start=locked, name="周报.docx"),
                        chosen.append)
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, FilePicker)
        labels = [str(o.prompt) for o in picker.query_one("#fp-places", OptionList).options]
        assert "可移动磁盘 KINGSTON" in labels
        field = picker.query_one("#path-input", Input)
        assert field.value == str(locked / "周报.docx")
        await pilot.press("enter")
        await pilot.pause()
        message = str(picker.query_one("#path-message", Static).render())
        assert "只读" in message and str(locked) in message
        assert field.value == str(locked / "周报.docx")  # what was typed stays
        field.value = f'"{stick / "周报.docx"}"'
        await pilot.press("enter")
        await until(pilot, lambda: chosen != [])
    assert chosen == [stick / "周报.docx"]
    assert s.folders.last == stick.resolve()
    # the next dialog starts there
    app = make_app(s)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        app.push_screen(FilePicker("打开", mode=Mode.OPEN))
        await pilot.pause()
        assert app.screen.navigation.location == stick.resolve()


def test_files_written_by_default_go_to_the_stick_folder(watch: Watch, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    folders = watch.session.folders
    monkeypatch.chdir(tmp_path)
    assert folders.default_folder() != tmp_path  # not the current directory
    stick = tmp_path / "E"
    stick.mkdir()
    folders.set_stick(stick)
    assert folders.default_folder() == stick.resolve()
    elsewhere = tmp_path / "docs"
    elsewhere.mkdir()
    folders.remember(elsewhere / "a.xlsx")
    assert folders.start() == elsewhere.resolve()  # a dialog opens where she was last
    assert folders.default_folder() == stick.resolve()  # files still go to the stick
    stick.rmdir()  # the stick pulled out
    assert folders.default_folder() == elsewhere.resolve()


def test_the_folder_memory_is_an_encrypted_setting(watch: Watch, tmp_path: Path) -> None:
    """One place for settings: the stick folder decides where files go, so it
    is kept with the office key (``vault_settings``), read back at unlock; a
    value of the wrong shape (another version's) is no crash, and the office's
    read-only view of a branch keeps none."""
    from branchtool.services.folders import SETTING, Folders

    s = watch.session
    stick = tmp_path / "E"
    stick.mkdir()
    s.folders.set_stick(stick)
    assert s.setting(SETTING) == {"stick": str(stick.resolve()), "last": str(stick.resolve())}
    s.lock()
    s.unlock(PASSPHRASE)
    assert s.folders.stick == stick.resolve()
    s.set_setting(SETTING, ["not", "a", "dict"])
    assert Folders(s).stick is None
    s.set_setting(SETTING, {"stick": 7, "last": "a\0b"})
    assert (Folders(s).stick, Folders(s).last) == (None, None)

    class ReadOnly:
        def setting(self, name: str, default: object = None) -> object:
            return default

        def set_setting(self, name: str, value: object) -> None:
            raise UserError("office.view.read_only")

    view = Folders(ReadOnly())
    view.remember(stick / "a.xlsx")  # kept for the dialog's life, not stored: no error
    assert view.last == stick.resolve()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_the_folder_memory_is_not_in_plaintext(watch: Watch, tmp_path: Path) -> None:
    secret = tmp_path / "张小明的文件夹"
    secret.mkdir()
    watch.session.folders.remember(secret)
    vault = watch.session.path
    watch.session.lock()
    for path in vault.rglob("*"):
        if path.is_file():
            assert "张小明".encode() not in path.read_bytes()

"""A worker that fails is told in one sentence by the app's one handler
(``screens.failures``), and the screen stays usable with every record as it was.

Two kinds of failure: an error a user can cause, raised by a service (a full
disk while the roster import writes, a folder that is not there), and a bug
(an exception whose text quotes a person, which must reach no one)."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from typing import TypeVar

import openpyxl
import pytest
from fixtures_app import (  # noqa: F401  (fixtures)
    chinese,
    english,
    id_number,
    make_app,
    person,
    session,
    settle,
    text_of,
    toasts,
    vault_dir,
)
from textual.widgets import Button, Input

from branchtool import i18n
from branchtool.services import roster_io
from branchtool.session import Session
from screens.archive import ArchiveScreen
from screens.export_roster import ExportScreen
from screens.failures import RunsWorkers
from screens.import_roster import ImportRosterScreen
from screens.main import MainScreen
from screens.unlock import UnlockScreen
from storage.errors import VaultCorrupt, WriteFailed
from storage.fsio import DEFAULT_IO
from storage.store import Store

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")
SECRET_NAME = "欧阳秘密"  # what a careless exception message would quote


def roster_of(session: Session) -> list[dict[str, object]]:
    return sorted((p.doc for p in session.roster.people()), key=lambda d: str(d["id"]))


def sheet(path: Path) -> Path:
    book = openpyxl.Workbook()
    for row in (["姓名", "身份证号码", "人员类别", "政治面貌", "党小组"],
                ["新人甲", id_number(order=11), "学生", "团员", "学生党小组"],
                ["新人乙", id_number(order=13), "学生", "群众", "学生党小组"]):
        book.active.append(row)
    book.save(path)
    return path


async def dialog(app, pilot, key: str, kind: type[T], path: Path) -> T:  # type: ignore[no-untyped-def]
    """The dialog ``key`` opens on the roster, ``path`` typed into its path field."""
    await pilot.press(key)
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, kind)
    screen.query_one(Input).value = str(path)  # the path comes first in both dialogs
    return screen


async def plan_import(app, pilot, path: Path) -> ImportRosterScreen:  # type: ignore[no-untyped-def]
    screen = await dialog(app, pilot, "ctrl+o", ImportRosterScreen, path)
    await pilot.press("enter")
    await settle(app, pilot)
    await settle(app, pilot)  # read, then plan
    assert screen.plan is not None and len(screen.plan.new) == 2
    return screen


async def test_a_full_disk_during_an_import_is_one_sentence_and_the_plan_stays(
        session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    session.roster.add(person("张三", id_number=id_number()))
    before = roster_of(session)
    path = sheet(tmp_path / "名单.xlsx")
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await plan_import(app, pilot, path)
        plan = screen.plan
        with monkeypatch.context() as m:
            def disk_full(self: Store, ops: object) -> None:
                raise WriteFailed(reason="ENOSPC")

            m.setattr(Store, "_commit", disk_full)  # the journal write itself fails
            await pilot.press("ctrl+s")
            await settle(app, pilot)
        sentence = i18n.t("storage.write_failed", reason="ENOSPC")
        assert app.screen is screen  # the dialog stays, its plan kept, to try again
        assert screen.plan is plan
        assert text_of(app, "#import-message") == sentence
        assert not screen.query_one("#import-commit", Button).disabled
        assert sentence not in toasts(app)  # said once, where the user looks
        assert roster_of(session) == before
        assert app.unexpected_failures == []

        await pilot.press("ctrl+s")  # the disk has room again: the same plan goes in
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
    assert len(roster_of(session)) == 3


async def test_an_export_excel_holds_open_says_so_and_the_dialog_stays(
        session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    session.roster.add(person("张三"))
    before = roster_of(session)
    target = tmp_path / "名单.xlsx"

    def held_open(path: object, data: bytes) -> None:
        raise PermissionError(13, "Permission denied")  # Windows: the file is open in Excel

    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await dialog(app, pilot, "ctrl+s", ExportScreen, target)
        with monkeypatch.context() as m:
            m.setattr(DEFAULT_IO, "write_atomic", held_open)
            await pilot.press("enter")
            await settle(app, pilot)
        assert app.screen is screen
        assert text_of(app, "#export-message") == i18n.t("table.unwritable", name=target.name)
        assert not screen.query_one("#export-ok", Button).disabled
    assert roster_of(session) == before and not target.exists()


async def test_a_bug_is_a_generic_sentence_without_its_text_and_the_screen_goes_on(
        session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    session.roster.add(person(SECRET_NAME, id_number=id_number()))
    before = roster_of(session)
    target = tmp_path / "名单.xlsx"

    def broken(*args: object, **kwargs: object) -> int:
        raise KeyError(f"{SECRET_NAME} {id_number()}")  # a bug quoting a record

    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await dialog(app, pilot, "ctrl+s", ExportScreen, target)
        with monkeypatch.context() as m:
            m.setattr(roster_io, "export", broken)
            await pilot.press("enter")
            await settle(app, pilot, bugs=True)
        said = text_of(app, "#export-message")
        assert said == i18n.t("app.work_failed", kind="KeyError")
        assert app.screen is screen and not screen.query_one("#export-ok", Button).disabled
        [where] = app.unexpected_failures
        assert where.startswith("KeyError at tests/test_worker_failures.py:")
        for text in [said, where, *toasts(app)]:
            assert SECRET_NAME not in text and id_number() not in text
        app.unexpected_failures.clear()  # seen: the fixture's check is for the others

        await pilot.press("enter")  # the same dialog works once the bug is gone
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
    assert roster_of(session) == before and target.is_file()


async def test_the_sentence_is_in_the_users_language(
        session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, english: None) -> None:
    def disk_full(self: Store, ops: object) -> None:
        raise WriteFailed(reason="ENOSPC")

    path = sheet(tmp_path / "roster.xlsx")
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await plan_import(app, pilot, path)
        monkeypatch.setattr(Store, "_commit", disk_full)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        said = text_of(app, "#import-message")
    assert said == i18n.t("storage.write_failed", reason="ENOSPC")
    assert said.isascii() and "ENOSPC" in said
    assert roster_of(session) == []


# -- a screen's own handler (no worker) that lets a storage error through -------------------
async def test_a_full_disk_in_a_plain_handler_is_a_sentence_not_a_lock(
        session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """Archiving runs in the dialog's callback, not a worker: the disk refusing
    the write is one sentence, the vault stays open and the person stays."""
    session.roster.add(person("张三", id_number=id_number()))
    before = roster_of(session)

    def disk_full(self: Store, ops: object) -> None:
        raise WriteFailed(reason="ENOSPC")

    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("delete")
        await pilot.pause()
        assert isinstance(app.screen, ArchiveScreen)
        monkeypatch.setattr(Store, "_commit", disk_full)
        await pilot.press("tab", "enter")
        await settle(app, pilot)
        assert session.unlocked and isinstance(app.screen, MainScreen)
        assert i18n.t("storage.write_failed", reason="ENOSPC") in toasts(app)
        monkeypatch.undo()
    assert roster_of(session) == before


async def test_a_damaged_file_in_a_plain_handler_still_locks(
        session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    session.roster.add(person("张三", id_number=id_number()))

    def damaged(self: Store, ops: object) -> None:
        raise VaultCorrupt(file="data/roster.age")

    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("delete")
        await pilot.pause()
        monkeypatch.setattr(Store, "_commit", damaged)
        await pilot.press("tab", "enter")
        await settle(app, pilot)
        assert not session.unlocked and isinstance(app.screen, UnlockScreen)


# -- every worker goes the one way -----------------------------------------------------------
def _workers() -> list[tuple[str, str, ast.Call | ast.Name | ast.Attribute]]:
    """Each (module, class, decorator) of a method started as a worker in screens/."""
    found = []
    for path in sorted((ROOT / "screens").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            for fn in cls.body:
                if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for deco in fn.decorator_list:
                    target = deco.func if isinstance(deco, ast.Call) else deco
                    if isinstance(target, ast.Name | ast.Attribute) and \
                            ast.unparse(target) in ("work", "textual.work"):
                        found.append((f"screens.{path.stem}", cls.name, deco))
    return found


WORKERS = _workers()


def test_the_screens_start_workers() -> None:
    assert len(WORKERS) >= 15  # the check below would pass vacuously on none


@pytest.mark.parametrize(("module", "cls", "deco"), WORKERS,
                         ids=[f"{m}.{c}" for m, c, _ in WORKERS])
def test_every_worker_leaves_its_failure_to_the_app(module: str, cls: str,
                                                    deco: ast.expr) -> None:
    """A worker left to Textual's default ends the app on any error; one whose
    node is not ``RunsWorkers`` fails without a word."""
    assert isinstance(deco, ast.Call) and any(
        k.arg == "exit_on_error" and isinstance(k.value, ast.Constant) and k.value.value is False
        for k in deco.keywords), f"{cls}: @work(..., exit_on_error=False)"
    assert issubclass(getattr(importlib.import_module(module), cls), RunsWorkers)

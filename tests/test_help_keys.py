"""F1 and the keys: the help lists the keys of the screen or dialog in front
and only those, one key means one thing on a screen, F1 works inside every
detail dialog, and the guide's key tables (both languages) name the keys the
app binds — and every key the app binds on those screens."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fixtures_app import chinese, demo_session, make_app, settle  # noqa: F401  (fixtures)
from textual.binding import Binding
from textual.screen import Screen

from branchtool.session import Session
from screens.alerts import AlertsScreen, HandleAlertScreen
from screens.app import BranchApp
from screens.care import CarePane, CaseDetail, CaseTable, VisitTable
from screens.contacts import ContactScreen, ContactsPane
from screens.dashboard import DashboardPane
from screens.day_sheet import CheckinsPane, SheetTable
from screens.help import HelpScreen, key_groups
from screens.main import SECTIONS, MainScreen
from screens.notices import NoticeScreen, NoticesPane
from screens.office_dashboard import OfficeDashboard
from screens.reports_pane import ReportsPane
from screens.roster_pane import RosterTable
from screens.tasks import TaskDetail
from screens.watch_section import TABS

DOCS = Path(__file__).resolve().parent.parent / "docs"


def listed(screen: Screen[Any]) -> dict[str, set[str]]:
    """Each key the help shows, with what it is said to do."""
    keys: dict[str, set[str]] = {}
    for _, group in key_groups(screen):
        for key, description in group:
            keys.setdefault(key, set()).add(description)
    return keys


def clashes(screen: Screen[Any]) -> dict[str, set[str]]:
    return {k: d for k, d in listed(screen).items() if len(d) > 1}


# -- F1 on the main screen ------------------------------------------------------------------
async def test_f1_lists_only_the_section_in_front_and_no_key_means_two_things(
        demo_session: Session) -> None:
    app = make_app(demo_session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        seen: dict[str, dict[str, set[str]]] = {}
        for sid, _, _ in SECTIONS:  # every section visited: each one built
            main.action_section(sid)
            await settle(app, pilot)
            if sid == "watch":
                watch = main.query_one("#watch-section")
                for tid, _, _ in TABS:
                    watch.action_tab(tid)
                    await settle(app, pilot)
                    assert clashes(main) == {}, tid
                    seen[tid] = listed(main)
            else:
                assert clashes(main) == {}, sid
                seen[sid] = listed(main)
        main.action_section("roster")
        await settle(app, pilot)
        roster = listed(main)
        assert "全部走访" not in {d for ds in roster.values() for d in ds}
        assert "a" not in roster and "s" in roster and roster["s"] == {"换排序列"}
        assert seen["dashboard"]["a"] == {"全部预警"} and seen["dashboard"]["s"] == {"预警阈值"}
        assert seen["checkins"]["a"] == {"其余正常"}
        assert seen["care"]["a"] == {"全部走访"}


# -- F1 inside the detail dialogs -----------------------------------------------------------
def _case(session: Session) -> CaseDetail:
    case_id = session.care.cases()[0].id
    return CaseDetail(session, case_id, changed=lambda *_: None)


def _notice(session: Session) -> NoticeScreen:
    return NoticeScreen(session, session.notices.all()[0]["id"])


def _contact(session: Session) -> ContactScreen:
    return ContactScreen(session, session.contacts.all()[0]["id"])


@pytest.mark.parametrize(("make", "expected"), [
    (_case, {"^d": "删除档案", "v": "走访", "e": "修改"}),
    (_notice, {"k": "已阅知", "s": "已学习", "R": "其余全部传达"}),
    (_contact, {"u": "有异常", "n": "未联系上", "l": "失访", "o": "转诊或确诊"}),
])
async def test_f1_inside_a_detail_dialog_lists_its_keys(
        demo_session: Session, make: Any, expected: dict[str, str]) -> None:
    app = make_app(demo_session)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await app.push_screen(make(demo_session))
        await settle(app, pilot)
        dialog = app.screen
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = listed(dialog)
        for key, description in expected.items():
            assert any(description in d for d in keys[key]), (key, keys.get(key))
        assert "alt+1" not in keys and "^t" not in keys  # not the main screen's, nor blocked ones
        assert clashes(dialog) == {}
        await pilot.press("f1")  # F1 again closes the help
        await pilot.pause()
        assert app.screen is dialog


# -- the guide's key tables -----------------------------------------------------------------
# The guide's key tables in order, each with the classes whose keys it documents
# (the first, the keys that work everywhere, is checked one way only).
TABLES: list[tuple[type, ...]] = [
    (BranchApp, MainScreen, RosterTable),
    (DashboardPane,),
    (SheetTable, CheckinsPane),
    (AlertsScreen, HandleAlertScreen),
    (ContactsPane, ContactScreen),
    (NoticesPane, NoticeScreen),
    (CarePane, CaseTable, CaseDetail, VisitTable),
    (TaskDetail,),
    (ReportsPane,),
    (OfficeDashboard,),
]
NAMES = {"enter": "enter", "esc": "escape", "space": "space", "delete": "delete",
         "↑": "up", "↓": "down", "[": "left_square_bracket", "]": "right_square_bracket",
         "tab": "tab", "shift+tab": "shift+tab", "pageup": "pageup", "pagedown": "pagedown",
         "home": "home", "end": "end"}
# Moving about and closing work the same everywhere (the first table says so).
COMMON = {"enter", "escape", "up", "down", "tab", "shift+tab", "pageup", "pagedown", "home",
          "end", "ctrl+s"}


def key_tables(path: Path) -> list[set[str]]:
    """The keys each key table of a guide names (in its first column and in
    the text of each row), as Textual spells them."""
    tables: list[set[str]] = []
    current: set[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if re.fullmatch(r"\| (键|Key) \| (作用|What it does) \|", line):
            current = set()
            tables.append(current)
        elif current is not None and line.startswith("|") and not line.startswith("|--"):
            for word in re.findall(r"`([^`]+)`", line):
                for key in word.split(" / "):
                    key = key.strip()
                    if key in NAMES or key.lower() in NAMES:
                        current.add(NAMES.get(key, NAMES.get(key.lower(), key)))
                    elif re.fullmatch(r"(Ctrl\+|Shift\+)*(F\d+|[A-Za-z]|PageDown|PageUp)", key):
                        current.add(key.lower() if "+" in key or len(key) > 1 else key)
        elif not line.startswith("|"):
            current = None
    return tables


def bound(cls: type) -> set[str]:
    """The keys ``cls`` binds with a description (its own and inherited from
    this project's classes; Textual's scrolling keys are not the guide's)."""
    keys: set[str] = set()
    for klass in cls.__mro__:
        if klass.__module__.split(".")[0] not in ("screens", "branchtool"):
            continue
        for binding in klass.__dict__.get("BINDINGS", []):
            if getattr(cls, "lacks", lambda _: False)(binding.action):
                continue  # a list pane's key this pane has not (no search box)
            if isinstance(binding, Binding) and binding.description:
                keys.update(k.strip() for k in binding.key.split(","))
    return keys


@pytest.mark.parametrize("guide", ["guide.md", "guide.en.md"])
def test_the_guides_key_tables_match_the_bindings(guide: str) -> None:
    tables = key_tables(DOCS / guide)
    assert len(tables) == len(TABLES), [sorted(t) for t in tables]
    for documented, classes in zip(tables, TABLES, strict=True):
        keys = set().union(*(bound(cls) for cls in classes))
        assert documented - keys - COMMON == set(), (classes, documented)
        if classes[0] is BranchApp:
            continue
        own = {k for k in keys if not k.isdigit()} - COMMON - tables[0]  # `m`: said once
        assert sorted(own - documented) == [], (classes, "not in the guide")


def test_both_guides_document_the_same_keys() -> None:
    assert key_tables(DOCS / "guide.md") == key_tables(DOCS / "guide.en.md")


# -- Textual's own keys speak the user's language -------------------------------------------
async def test_an_open_drop_down_says_how_to_close_it_in_chinese(demo_session: Session) -> None:
    app = make_app(demo_session)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.screen.action_section("reports")
        await settle(app, pilot)
        app.screen.query_one("#report-kind").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.active_bindings["escape"].binding.description == "关闭菜单"
        await pilot.press("escape")

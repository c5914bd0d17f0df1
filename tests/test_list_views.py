"""Every list's view: its columns name fields of its record definition or
computed columns it declares, and every row model reads a cell by key."""

from __future__ import annotations

import importlib
import pathlib
import re
from typing import Any

import pytest
from healthkit import clock, watch  # noqa: F401  (fixtures)

from branchtool.records.fields import FieldDef, Kind, RecordDef
from branchtool.records.views import ListView, ViewRow

MODULES = (
    "branchtool.services.roster", "branchtool.services.care", "branchtool.services.tasks",
    "branchtool.services.deeds", "branchtool.services.member_records",
    "branchtool.services.health", "screens.contacts", "screens.notices", "screens.alerts",
    "screens.reminders", "screens.checkin_import",
)
ROOT = pathlib.Path(__file__).resolve().parent.parent


def views() -> list[tuple[str, ListView]]:
    found = []
    for name in MODULES:
        module = importlib.import_module(name)
        found += [(f"{name}.{attr}", value) for attr, value in vars(module).items()
                  if isinstance(value, ListView)]
    return found


def test_every_module_declares_its_views() -> None:
    names = {name.rsplit(".", 1)[1] for name, _ in views()}
    assert {"ROSTER_VIEW", "CASE_VIEW", "VISIT_VIEW", "CASE_VISIT_VIEW", "TASK_VIEW",
            "LOAD_VIEW", "DEED_VIEW", "RECORD_VIEW", "SHEET_VIEW", "CONTACT_VIEW",
            "FOLLOWUP_VIEW", "NOTICE_VIEW", "AUDIENCE_VIEW", "ALERT_VIEW",
            "REMINDER_VIEW", "PROBLEM_VIEW"} <= names


@pytest.mark.parametrize("name,view", views(), ids=lambda v: v if isinstance(v, str) else "")
def test_a_column_is_a_field_of_the_record_or_computed(name: str, view: ListView) -> None:
    fields = view.record.by_key if view.record is not None else {}
    for column in view.columns:
        assert column.key in view.computed or column.key in fields, (name, column.key)
        if column.key in fields and column.key not in view.computed:
            # a stored field's column is the record's own definition of it
            assert fields[column.key].kind is column.kind, (name, column.key)
    assert set(view.computed) <= set(view.keys), name
    assert len(set(view.keys)) == len(view.keys), name  # a key names one column


def test_a_view_refuses_a_column_that_is_neither() -> None:
    record = RecordDef("task", (FieldDef("title", width=10),))
    with pytest.raises(ValueError):
        ListView(record, (FieldDef("nothing", width=4, record="task"),))
    with pytest.raises(ValueError):
        ListView(record, (record.field("title"),), {"other": lambda row: ""})


def test_a_row_reads_a_cell_by_key() -> None:
    record = RecordDef("task", (FieldDef("title", width=10),
                                FieldDef("due", Kind.DATE, width=14)))

    class Row(ViewRow):
        VIEW = ListView(record, (record.field("title"), record.field("due"),
                                 FieldDef("count", width=4, record="task")),
                        {"count": lambda row: str(len(row.doc["title"]))})

        def __init__(self) -> None:
            self.id, self.doc = "t1", {"title": "值班", "due": "2024-06-01"}

    row = Row()
    assert row.cell("title") == "值班" and row.cell("count") == "2"
    assert row.cell("due") == record.field("due").display("2024-06-01")
    assert list(Row.VIEW.texts(row)) == ["title", "due", "count"]


def test_no_row_gives_its_cells_by_position() -> None:
    """A table reads ``row.cell(key)``: no ``cells()`` tuple is left to drift
    from its columns."""
    for folder in ("branchtool", "screens", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"def cells\(self\b.*\) -> tuple", text), path
            assert not re.search(r"\.cells\(", text), path


def test_the_list_sections_are_one_pane_with_one_style_sheet() -> None:
    from screens.care import CarePane, CaseTable
    from screens.contacts import ContactsPane, ContactTable
    from screens.day_sheet import CheckinsPane, SheetTable
    from screens.list_pane import ListPane, ListTable
    from screens.member_records import DeedsTable, RecordsPane, RecordsTable
    from screens.notices import NoticesPane
    from screens.roster_pane import RosterPane, RosterTable
    from screens.tasks import TasksPane, TaskTable

    panes = (RosterPane, CarePane, TasksPane, RecordsPane, CheckinsPane, ContactsPane,
             NoticesPane)
    for pane in panes:
        assert issubclass(pane, ListPane), pane
        assert pane.NAME, pane
        assert not pane.lacks("add") or not callable(pane.__dict__.get("action_add")), pane
        # the bar, the filters line, the search box and the table: ListPane's style only
        own = pane.__dict__.get("DEFAULT_CSS", "")
        for part in ("-bar", "-filters", "-search", "-table", "height: 1fr"):
            assert part not in own, (pane, part)
    assert len({p.NAME for p in panes}) == len(panes)
    # the watch section loads these when first shown, never at start-up
    assert {p for p in panes if p.LAZY} == {CheckinsPane, ContactsPane, NoticesPane}
    owners = {RosterTable: RosterPane, CaseTable: CarePane, TaskTable: TasksPane,
              RecordsTable: RecordsPane, DeedsTable: RecordsPane, SheetTable: CheckinsPane,
              ContactTable: ContactsPane}
    for table, pane in owners.items():
        assert issubclass(table, ListTable), table
        # every key on a row names a method of its pane, and a write key is guarded
        for binding in table.__dict__.get("BINDINGS", []):
            found = re.fullmatch(r"(row|pane)\('(\w+)'\)", binding.action)
            if found:
                assert callable(getattr(pane, found.group(2), None)), (table, binding.action)
        for action in table.WRITE_ACTIONS:
            assert callable(getattr(pane, action, None)), (table, action)


async def test_the_watch_lists_load_when_shown_refill_at_unlock_and_tell_the_dashboard(
        watch: Any) -> None:  # noqa: F811
    """The day sheet, contacts and notices are ListPanes the watch section
    loads when first shown (never at start-up), focuses when shown, empties
    at a lock and fills again at unlock; a write marks the dashboard stale."""
    from fixtures_app import PASSPHRASE, make_app, settle
    from healthkit import open_watch

    s = watch.session
    s.notices.add({**NOTICE_DOC, "issued_on": "2024-06-01"})
    app = make_app(s)
    async with app.run_test(size=(80, 24)) as pilot:
        section = await open_watch(app, pilot)
        notices, contacts = section.pane("notices"), section.pane("contacts")
        assert not notices.table.rows and not contacts.table.rows  # not read yet
        await pilot.press("4")
        await settle(app, pilot)
        assert [r.cell("title") for r in notices.table.rows] == [NOTICE_DOC["title"]]
        assert app.focused is notices.table
        assert "1" in text(notices, "#notices-head")
        await pilot.press("f")  # all notices: the heading says so
        assert text(notices, "#notices-head") != ""
        assert not section.stale
        await pilot.press("3", "ctrl+e")  # a contact from outside the roster
        await settle(app, pilot)
        assert app.focused is not contacts.table  # the form
        form = app.screen
        for key, value in (("name", "周九"), ("exposure_date", "2024-05-30"),
                           ("observation_type", "home_quarantine")):
            form.query_one(f"#field-{key}").value = value
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert [r.cell("name") for r in contacts.table.rows] == ["周九"]
        assert section.stale  # ListPane.Changed reached the section
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert not contacts.table.rows and text(contacts, "#contacts-head") == ""
        assert section.pane("checkins").sheet is None
        await pilot.press(*PASSPHRASE, "enter")
        await settle(app, pilot)
        assert [r.cell("name") for r in contacts.table.rows] == ["周九"]
        assert app.focused is contacts.table


NOTICE_DOC = {"title": "关于做好疫情防控工作的通知", "number": "院党组〔2020〕3号"}


def text(pane: Any, selector: str) -> str:
    return str(pane.query_one(selector).render())

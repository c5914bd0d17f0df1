"""A person's whole page: their tasks, records and deeds together, with the
cases they are responsible for — the vanguard's workload and record in one
place — and, a tab each, their check-ins of the last 30 days with a small
temperature chart, close-contact episodes and follow-ups, care cases and
visits, the notices relayed to them, and their roster history.

``open_person_page(node, session, person_id)`` opens it from any list that
shows a person (the ``m`` key there)."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import ContentSwitcher

from branchtool import i18n
from branchtool.person_page import SECTIONS, Line, PersonPage, build
from branchtool.records.deed import DEED_COLUMNS
from branchtool.records.member_record import RECORD_COLUMNS
from branchtool.records.person import ACTIVE, PERSON
from branchtool.records.task import TASK_COLUMNS
from branchtool.session import Session
from screens.base import LockAware, ReadOnlyGuard, localize_bindings
from screens.care_table import FlaggedTable
from screens.plain import Footer, Static
from screens.record_table import RecordTable
from screens.temperature_chart import chart

TABS = ("work", *SECTIONS)


def open_person_page(node: DOMNode, session: Session, person_id: str | None, *,
                     changed: Callable[..., None] = lambda *_: None) -> None:
    """Open a person's page from a list; one sentence when the row is not a
    roster person (an outside contact, a case for someone not on the roster)."""
    app = node.app
    if not person_id or session.roster.person(person_id) is None:
        app.notify(i18n.t("person_page.not_on_roster"), severity="warning")
        return
    app.push_screen(MemberPage(session, person_id, changed=changed))


def section_text(lines: list[Line], empty: str) -> Text:
    if not lines:
        return Text(empty, style="dim")
    out = Text(no_wrap=False)
    for n, line in enumerate(lines):
        if n:
            out.append("\n")
        out.append(line.shown(), style="bold yellow" if line.flag and not line.sub else
                   ("dim" if line.sub else ""))
    return out


class SectionScroll(VerticalScroll):
    """A tab's lines (tabs 2–6), scrolled by the keys F1 names on those tabs."""

    # Each key's label is person_page.key.<its action>.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(key, action, f"person_page.key.{action}", show=False) for key, action in (
            ("up", "scroll_up"), ("down", "scroll_down"), ("pageup", "page_up"),
            ("pagedown", "page_down"), ("home", "scroll_home"), ("end", "scroll_end"))
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        localize_bindings(self)


class MemberPage(ReadOnlyGuard, ModalScreen[None], LockAware):
    WRITE_ACTIONS = frozenset({"add_record"})
    # The keys that act on the first tab's lists: on the other tabs they are
    # neither shown (footer, F1) nor obeyed, so each tab shows its own keys.
    WORK_ACTIONS = frozenset({"focus_list", "add_record"})
    CSS_PATH = "member_page.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "focus_list('tasks')", "member_page.key.tasks"),
        Binding("r", "focus_list('records')", "member_page.key.records"),
        Binding("d", "focus_list('deeds')", "member_page.key.deeds"),
        Binding("n", "add_record", "member_page.key.add_record"),
        # The tab line names each tab with its number; F1 lists them.
        Binding("1", "tab('work')", "person_page.key.work", show=False),
        Binding("2", "tab('checkins')", "person_page.key.checkins",
                show=False),
        Binding("3", "tab('contacts')", "person_page.key.contacts",
                show=False),
        Binding("4", "tab('care')", "person_page.key.care",
                show=False),
        Binding("5", "tab('notices')", "person_page.key.notices",
                show=False),
        Binding("6", "tab('roster')", "person_page.key.roster",
                show=False),
        Binding("escape", "close", "dialog.key.close"),
        # A modal screen hides the app's keys: F1 is the page's own.
        Binding("f1", "app.help", "app.key.help", show=False),
    ]

    def __init__(self, session: Session, person_id: str, *,
                 changed: Callable[..., None] = lambda *_: None) -> None:
        super().__init__()
        self.session = session
        self.person_id = person_id
        self.changed = changed
        self.tab = "work"
        self.page: PersonPage | None = None
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(id="member-box"):
            yield Static(id="member-title")
            yield Static(id="member-summary")
            yield Static(id="member-tabs")
            with ContentSwitcher(initial="tab-work", id="member-switcher"):
                with Vertical(id="tab-work"):
                    yield Static(classes="member-heading", id="member-tasks-heading")
                    yield FlaggedTable(TASK_COLUMNS,
                                       empty_text=i18n.t("member_page.no_tasks"),
                                       id="member-tasks")
                    yield Static(classes="member-heading", id="member-records-heading")
                    yield FlaggedTable(RECORD_COLUMNS,
                                       empty_text=i18n.t("member_page.no_records"),
                                       id="member-records")
                    yield Static(classes="member-heading", id="member-deeds-heading")
                    yield FlaggedTable(DEED_COLUMNS,
                                       empty_text=i18n.t("member_page.no_deeds"),
                                       id="member-deeds")
                with SectionScroll(id="person-section"):
                    yield Static(id="person-chart")
                    yield Static(id="person-lines")
            yield Footer(compact=True)

    def on_mount(self) -> None:
        self.reload_data()
        self.query_one("#member-tasks", FlaggedTable).focus()

    def reload_data(self) -> None:
        session = self.session
        if not session.unlocked:
            return
        person = session.roster.person(self.person_id)
        if person is None:
            self.dismiss(None)
            return
        tasks = session.tasks.for_member(self.person_id)
        records = session.member_records.for_member(self.person_id)
        deeds = session.deeds.for_member(self.person_id)
        cases = session.care.responsible_for(self.person_id)
        title = Text(person["name"], style="bold")
        for key in ("stage", "group", "unit", "party_post"):
            value = PERSON.field(key).display(person[key])
            if value:
                title.append("  " + value)
        if person.status != ACTIVE:
            title.append(f"  [{PERSON.field('status').display(person.status)}]", style="italic")
        self.query_one("#member-title", Static).update(title)
        open_count = sum(1 for r in tasks if not r.muted)
        overdue = sum(1 for r in tasks if r.overdue)
        praise = sum(1 for r in records if r.doc["kind"] in ("praise", "deed"))
        self.query_one("#member-summary", Static).update(i18n.t(
            "member_page.summary", open=open_count, overdue=overdue, done=sum(
                1 for r in tasks if r.doc["status"] == "done"), praise=praise,
            other=len(records) - praise, cases=len(cases)))
        for key, rows in (("tasks", tasks), ("records", records), ("deeds", deeds)):
            self.query_one(f"#member-{key}-heading", Static).update(
                i18n.t(f"member_page.{key}", count=len(rows)))
            self.query_one(f"#member-{key}", FlaggedTable).set_rows(rows)
        self.show_page(build(session, self.person_id))

    def show_page(self, page: PersonPage) -> None:
        self.page = page
        self._show_tab()

    def _show_tab(self) -> None:
        """The tab line, and the open tab's section (the work tab is its tables)."""
        line = Text(no_wrap=True, overflow="ellipsis")
        for key in TABS:
            label = (i18n.t(f"person_page.tab_count.{key}", count=self.page.counts[key])
                     if self.page is not None and key in self.page.counts
                     else i18n.t(f"person_page.tab.{key}"))
            line.append(f" {label} ", style="reverse bold" if key == self.tab else "")
        self.query_one("#member-tabs", Static).update(line)
        self.query_one("#member-switcher", ContentSwitcher).current = (
            "tab-work" if self.tab == "work" else "person-section")
        if self.tab == "work" or self.page is None:
            return
        page = self.page
        chart_box = self.query_one("#person-chart", Static)
        chart_box.display = self.tab == "checkins"
        if self.tab == "checkins":
            chart_box.update(chart(page.temperatures, page.fever_tenths, page.end))
        self.query_one("#person-lines", Static).update(
            section_text(page.sections[self.tab], i18n.t(f"person_page.{self.tab}.empty")))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.refuses(action):
            return False
        return self.tab == "work" or action not in self.WORK_ACTIONS

    def forget_data(self) -> None:
        self.query_one("#member-title", Static).update(i18n.t("app.locked"))
        self.query_one("#member-summary", Static).update("")
        for key in ("tasks", "records", "deeds"):
            self.query_one(f"#member-{key}", FlaggedTable).set_rows([])
        self.page = None
        self.query_one("#person-chart", Static).update("")
        self.query_one("#person-lines", Static).update("")

    def _changed(self) -> None:
        self.reload_data()
        self.changed()

    def action_focus_list(self, key: str) -> None:
        self.query_one(f"#member-{key}", FlaggedTable).focus()

    def action_tab(self, key: str) -> None:
        self.tab = key
        self._show_tab()
        self.refresh_bindings()
        if key == "work":
            self.query_one("#member-tasks", FlaggedTable).focus()
        else:
            scroll = self.query_one("#person-section", SectionScroll)
            scroll.scroll_home(animate=False)
            scroll.focus()

    @on(RecordTable.Opened)
    def _opened(self, event: RecordTable.Opened) -> None:
        which = getattr(self.focused, "id", "") or ""  # the table Enter was pressed in
        if which == "member-tasks":
            from screens.tasks import TaskDetail

            self.app.push_screen(TaskDetail(self.session, event.row_id,
                                            changed=lambda *_: self._changed()))
        elif which == "member-records":
            from screens.member_records import MemberRecordForm

            self.app.push_screen(MemberRecordForm(self.session, event.row_id),
                                 lambda saved: saved and self._changed())
        elif which == "member-deeds":
            from screens.member_records import deed_form

            self.app.push_screen(deed_form(self.session, event.row_id),
                                 lambda saved: saved and self._changed())

    def action_add_record(self) -> None:
        from screens.member_records import MemberRecordForm

        def saved(record_id: str | None) -> None:
            if record_id:
                self._changed()
                self.notify(i18n.t("member_record.added"))

        self.app.push_screen(MemberRecordForm(self.session, member=self.person_id), saved)

    def action_close(self) -> None:
        self.dismiss(None)

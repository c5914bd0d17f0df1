"""Notice relays (通知传达): the notices with their coverage, and one notice's
audience — who was reached, how and when, who acknowledged or studied it, the
supervision notes — with the members not yet reached listed first."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from branchtool import i18n
from branchtool.errors import KeyedError, describe
from branchtool.records.fields import RecordDef
from branchtool.records.notice import METHODS, NOTICE, RELAY, check_relay, method_text
from branchtool.records.views import Computed, ListView, Row, ViewRow, computed
from branchtool.services.notices import Coverage
from branchtool.services.roster import Person
from branchtool.session import Session
from screens.details import Act, DetailScreen, DetailView
from screens.list_pane import ListPane
from screens.plain import Static
from screens.record_form import RecordForm
from screens.record_table import RecordTable
from screens.watch_widgets import StyledTable, coverage_bar

RELAY_FORM = RecordDef("relay", (
    dataclasses.replace(RELAY.field("method"), required=True, choices=METHODS),
    RELAY.field("method_other"),
    dataclasses.replace(RELAY.field("relayed_on"), required=True),
    RELAY.field("relayed_by"),
), checks=(check_relay,))
NOTE_FORM = RecordDef("relay", (dataclasses.replace(RELAY.field("check_note"), required=True),))
CONFIRM_FORM = RecordDef("relay", (
    dataclasses.replace(RELAY.field("response"), required=True),
    RELAY.field("response_note"),
))


def coverage_text(coverage: Coverage) -> str:
    return (f"{coverage.relayed}/{coverage.expected} "
            f"{coverage_bar(coverage.relayed, coverage.expected, 6)}")


NOTICE_VIEW = ListView.of(
    NOTICE, "title",
    computed("coverage", lambda row: coverage_text(row.coverage), width=18, priority=95,
             record="watch.notices"),
    "number", "deadline", "issued_on", "issuer")
# Who a notice is relayed to: the method as relayed ("其他：…" with its words).
AUDIENCE_VIEW = ListView.of(
    RELAY,
    computed("person_name", lambda row: row.person["name"], width=8, priority=100,
             record="relay"),
    "relayed_on",
    Computed(RELAY.field("method"), lambda row: method_text(row.doc)),
    "response", "responded_on", "relayed_by", "check_note")
AUDIENCE_COLUMNS = AUDIENCE_VIEW.columns


class NoticeRow(ViewRow):
    __slots__ = ("coverage", "doc", "id", "tone")
    VIEW = NOTICE_VIEW

    def __init__(self, doc: dict[str, Any], coverage: Coverage) -> None:
        self.id = doc["id"]
        self.doc = doc
        self.coverage = coverage
        self.tone = "" if coverage.relayed >= coverage.expected else "warn"


class NoticesPane(ListPane):
    """The current notices (or all): a heading, the table."""
    NAME = "notices"
    LAZY = True  # the watch section loads it when first shown
    DEFAULT_CSS = "#notices-head { height: 1; color: $text-muted; }"  # the heading
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "add", "watch.notices.key.add"),
        Binding("f", "toggle_all", "watch.notices.key.all", show=False),
    ]

    def compose_tables(self) -> Iterable[RecordTable]:
        yield StyledTable(NOTICE_VIEW.columns, empty_text=i18n.t("watch.notices.empty"),
                          id="notices-table")

    def show_only(self, only: str) -> None:
        self.reload_data()

    def list_rows(self) -> tuple[Sequence[Row], str]:
        notices = self.session.notices
        today = self.session.health.today()
        docs = notices.all() if self.everything else notices.current(today)
        rows = [NoticeRow(d, notices.coverage(d["id"])) for d in docs]
        key = "watch.notices.head_all" if self.everything else "watch.notices.head_current"
        return rows, i18n.t(key, count=len(rows))

    def action_add(self) -> None:
        notices = self.session.notices
        values = {**NOTICE.blank(), "issued_on": self.session.health.today().isoformat()}

        def saved(notice_id: str | None) -> None:
            if notice_id:
                self.changed(keep=notice_id)

        self.app.push_screen(RecordForm(
            NOTICE, i18n.t("watch.notices.add_title"), values,
            check=lambda v: notices.clean(v)[1], save=notices.add), saved)

    def open_row(self, row_id: str) -> None:
        self.app.push_screen(NoticeScreen(self.session, row_id),
                             lambda _: self.changed(keep=row_id))


class AudienceRow(ViewRow):
    __slots__ = ("doc", "id", "person", "tone")
    VIEW = AUDIENCE_VIEW

    def __init__(self, person: Person, relay: dict[str, Any] | None) -> None:
        self.id = person.id
        self.person = person
        self.doc = relay or {}
        self.tone = "" if self.doc.get("relayed_on") else "warn"


def _notice_info(screen: Any, doc: dict[str, Any]) -> str:
    """Number, issuer, issued, deadline, audience: one line (wrapped, never cut)."""
    info = [doc.get("number", ""), doc.get("issuer", ""),
            i18n.t("watch.notices.issued", date=NOTICE.field("issued_on").display(
                doc["issued_on"]))]
    if doc.get("deadline"):
        info.append(i18n.t("watch.notices.deadline",
                           date=NOTICE.field("deadline").display(doc["deadline"])))
    info.append(NOTICE.field("audience").display(doc["audience"]))
    return "  ".join(p for p in info if p)


NOTICE_DETAIL = DetailView(
    NOTICE, get=lambda session, notice_id: session.notices.get(notice_id),
    title=lambda session, doc: doc["title"], sections={"notice-info": _notice_info},
    actions=(
        Act("space", "relay_one", "watch.notices.key.relay_one", writes=True),
        Act("R", "relay_rest", "watch.notices.key.relay_rest", writes=True),
        Act("k", "respond('acknowledged')", "watch.notices.key.acknowledged", writes=True,
            show=False),
        Act("s", "respond('studied')", "watch.notices.key.studied", writes=True, show=False),
        Act("c", "check_note", "watch.notices.key.check_note", writes=True),
        # Not in the footer (it is full at 80 columns); in F1 and the guide.
        Act("u", "pending", "progress.key.not_acknowledged", show=False),
        Act("K", "confirm_many", "progress.key.confirm_many", writes=True),
    ))


class NoticeScreen(DetailScreen):
    """One notice's coverage: the audience, the not reached first."""
    VIEW = NOTICE_DETAIL

    def __init__(self, session: Session, notice_id: str) -> None:
        super().__init__(session, notice_id)
        self.notice_id = notice_id
        self.how: dict[str, str] | None = None  # the last relay's method, day and person
        self.pending_only = False  # only those who have not acknowledged (未阅知)
        self.keep: str | None = None  # the row the cursor stays on at the next reload

    def compose_more(self) -> ComposeResult:
        yield Static(id="notice-coverage")
        yield StyledTable(AUDIENCE_COLUMNS, empty_text=i18n.t("watch.notices.no_audience"),
                          id="audience-table")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#audience-table").focus()

    @property
    def table(self) -> StyledTable:
        return self.query_one("#audience-table", StyledTable)

    def reload_data(self, keep: str | None = None) -> None:
        self.keep = keep
        super().reload_data()

    def show_more(self, doc: dict[str, Any]) -> None:
        notices = self.session.notices
        coverage = notices.coverage(self.notice_id)
        relays = notices.relays(self.notice_id)
        audience = notices.audience(self.notice_id)
        reached = [p for p in audience if relays.get(p.id, {}).get("relayed_on")]
        missing = [p for p in audience if not relays.get(p.id, {}).get("relayed_on")]
        rows = [AudienceRow(p, relays.get(p.id)) for p in missing + reached]
        if self.pending_only:
            rows = [r for r in rows if not r.doc.get("response")]
        current = self.table.current
        self.table.set_rows(rows, keep=self.keep or (current.id if current else None))
        share = round(coverage.share * 100)
        self.query_one("#notice-coverage", Static).update(i18n.t(
            "watch.notices.coverage", relayed=coverage.relayed, expected=coverage.expected,
            bar=coverage_bar(coverage.relayed, coverage.expected, 20), share=share,
            acknowledged=coverage.acknowledged, studied=coverage.studied,
            missing=len(coverage.not_reached))
            + (i18n.t("progress.filter.not_acknowledged", count=len(rows))
               if self.pending_only else ""))

    def forget_data(self) -> None:
        super().forget_data()
        self.table.set_rows([])
        self.query_one("#notice-coverage", Static).update("")

    def _current(self) -> AudienceRow | None:
        row = self.table.current
        return row if isinstance(row, AudienceRow) else None

    def _relay(self, person_ids: list[str], how: dict[str, str]) -> None:
        """Record the relay; the reached move below the not reached, so the
        cursor stays where it was: on the next person to reach."""
        index = self.table.cursor
        try:
            count = self.session.notices.relay(self.notice_id, person_ids, how["method"],
                                               how["relayed_on"], how.get("relayed_by", ""),
                                               method_other=how.get("method_other", ""))
        except KeyedError as exc:
            self.notify(describe(exc), severity="error")
            return
        self.how = how
        self.notify(i18n.t("watch.notices.relayed", count=count))
        self.reload_data()
        self.table.move_to(index)

    def _ask_how(self, person_ids: list[str]) -> None:
        today = self.session.health.today().isoformat()
        values = self.how or {"method": "", "method_other": "", "relayed_on": today,
                              "relayed_by": ""}

        def save(values: dict[str, Any]) -> str:
            self._relay(person_ids, {k: str(v) for k, v in values.items()})
            return self.notice_id

        self.app.push_screen(RecordForm(
            RELAY_FORM, i18n.t("watch.notices.relay_title", count=len(person_ids)), values,
            check=lambda v: RELAY_FORM.clean(v)[1], save=save))

    def action_relay_one(self) -> None:
        row = self._current()
        if row is None or row.doc.get("relayed_on"):
            return
        if self.how is None:
            self._ask_how([row.id])
        else:
            self._relay([row.id], self.how)

    def action_relay_rest(self) -> None:
        missing = [r.id for r in self.table.rows
                   if isinstance(r, AudienceRow) and not r.doc.get("relayed_on")]
        if missing:
            self._ask_how(missing)

    def action_respond(self, response: str) -> None:
        row = self._current()
        if row is None:
            return
        try:
            self.session.notices.respond(self.notice_id, row.id, response)
        except KeyedError as exc:
            self.notify(describe(exc), severity="error")
            return
        self.reload_data(keep=row.id)

    def action_check_note(self) -> None:
        row = self._current()
        if row is None:
            return

        def save(values: dict[str, Any]) -> str:
            self.session.notices.check_note(self.notice_id, row.id, str(values["check_note"]))
            return row.id

        self.app.push_screen(RecordForm(
            NOTE_FORM, i18n.t("watch.notices.note_title", name=row.person["name"]),
            {"check_note": row.doc.get("check_note", "")},
            check=lambda v: NOTE_FORM.clean(v)[1], save=save),
            lambda _: self.reload_data(keep=row.id))

    def action_pending(self) -> None:
        self.pending_only = not self.pending_only
        self.reload_data()

    def action_confirm_many(self) -> None:
        """Everyone listed who was relayed to and has not answered, confirmed
        at once with one note ("在支部微信群接龙确认")."""
        waiting = [r.id for r in self.table.rows if isinstance(r, AudienceRow)
                   and r.doc.get("relayed_on") and not r.doc.get("response")]
        if not waiting:
            self.notify(i18n.t("progress.confirm.nobody"), severity="warning")
            return

        def save(values: dict[str, Any]) -> str:
            count = self.session.notices.respond_many(
                self.notice_id, waiting, str(values["response"]),
                str(values.get("response_note", "")))
            self.notify(i18n.t("progress.confirm.done", count=count))
            return self.notice_id

        self.app.push_screen(RecordForm(
            CONFIRM_FORM, i18n.t("progress.confirm.title", count=len(waiting)),
            {"response": "acknowledged", "response_note": ""},
            check=lambda v: CONFIRM_FORM.clean(v)[1], save=save),
            lambda _: self.reload_data())

"""Early-warning alerts: the dashboard's panel of open alerts, the full list
(open or all, handled ones with their notes), and the dialog that marks an
alert handled with a note."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input

from branchtool import i18n
from branchtool.errors import KeyedError, describe
from branchtool.records.alert import ALERT, OPEN
from branchtool.records.views import Computed, ListView, ViewRow, computed
from branchtool.services.alerts import AlertView
from branchtool.session import Session
from screens.base import LockAware, ReadOnlyForm, localize_bindings
from screens.person_rows import PERSON_KEY, PersonRows
from screens.plain import Footer, Static
from screens.record_table import RecordTable
from screens.watch_widgets import StyledTable

ALARMING = ("fever", "symptom", "risk_travel", "case_contact")


# Every column from the alert's view (who, why, since: the rule's words).
ALERT_VIEW = ListView.of(
    None,
    computed("who", lambda row: row.alert.who, width=8, priority=100, record="alert"),
    computed("why", lambda row: row.alert.why, width=18, priority=90, record="alert"),
    computed("since", lambda row: row.alert.since, width=13, priority=80, record="alert"),
    Computed(ALERT.field("status"), lambda row: ALERT.field("status").display(row.alert.status)),
    computed("note", lambda row: row.alert.doc.get("note", ""), width=16, priority=10,
             record="alert"))


class AlertRow(ViewRow):
    __slots__ = ("alert", "id", "tone")
    VIEW = ALERT_VIEW

    def __init__(self, alert: AlertView) -> None:
        self.id = alert.id
        self.alert = alert
        if alert.status != OPEN:
            self.tone = "muted"
        else:
            self.tone = "alarm" if alert.rule in ALARMING else "warn"


class AlertTable(PersonRows, StyledTable):
    BINDINGS: ClassVar[list[BindingType]] = [PERSON_KEY]

    def person_of(self, row: Any) -> str | None:
        return row.alert.doc.get("person")


def handle_alert(screen: Any, session: Session, alert_id: str,
                 done: Callable[[], None]) -> None:
    """Open the handling dialog for an open alert; ``done`` runs once saved."""
    alert = session.alerts.get(alert_id)
    if alert is None or alert["status"] != OPEN:
        return

    def saved(ok: bool | None) -> None:
        if ok:
            done()

    view = session.alerts.view_of(alert_id) or session.alerts.view(alert)
    screen.app.push_screen(HandleAlertScreen(session, view), saved)


class HandleAlertScreen(ReadOnlyForm, ModalScreen[bool], LockAware):
    """Who, why and since when, and a note on what was done."""

    CSS_PATH = "alerts.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "form.key.save", priority=True),
        Binding("escape", "cancel", "form.key.cancel"),
    ]

    def __init__(self, session: Session, view: AlertView) -> None:
        super().__init__()
        self.session = session
        self.view = view
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        v = self.view
        with Vertical(classes="watch-dialog"):
            yield Static(i18n.t("watch.alert.handle_title"), classes="watch-dialog-title")
            yield Static(i18n.t("watch.alert.summary", who=v.who, why=v.why, since=v.since),
                         id="alert-summary")
            yield Input(placeholder=i18n.t("watch.alert.note_placeholder"), max_length=300,
                        id="alert-note")
            yield Static("", id="alert-problem", classes="watch-problem")
            with Horizontal(classes="watch-dialog-buttons"):
                yield Button(i18n.t("watch.alert.handled"), variant="primary", id="alert-save")
                yield Button(i18n.t("form.cancel"), id="alert-cancel")

    def on_mount(self) -> None:
        self.query_one("#alert-note", Input).focus()

    @on(Input.Submitted, "#alert-note")
    @on(Button.Pressed, "#alert-save")
    def action_save(self) -> None:
        note = self.query_one("#alert-note", Input).value
        try:
            self.session.alerts.handle_all(self.view.ids or (self.view.id,), note)
        except KeyedError as exc:
            self.query_one("#alert-problem", Static).update(describe(exc))
            return
        self.dismiss(True)

    @on(Button.Pressed, "#alert-cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)

    def forget_data(self) -> None:
        self.query_one("#alert-summary", Static).update("")

    def reload_data(self) -> None:
        v = self.view
        self.query_one("#alert-summary", Static).update(
            i18n.t("watch.alert.summary", who=v.who, why=v.why, since=v.since))


class AlertsPanel(Vertical, LockAware):
    """The dashboard's panel: the open alerts, Enter to handle one."""

    DEFAULT_CSS = """
    AlertsPanel { height: 9; }
    AlertsPanel > #alerts-head { height: 1; color: $text-muted; }
    AlertsPanel > AlertTable { height: 1fr; }
    """

    class Changed(Message):
        """An alert was handled: the dashboard's figures change."""

    def __init__(self, session: Session) -> None:
        super().__init__(id="panel-alerts")
        self.session = session

    def compose(self) -> ComposeResult:
        yield Static(id="alerts-head")
        yield AlertTable(ALERT_VIEW.columns, empty_text=i18n.t("watch.alert.none"),
                         id="alerts-table")

    @property
    def table(self) -> AlertTable:
        return self.query_one(AlertTable)

    def show(self, day: Any) -> None:
        """Called by the dashboard after every refresh (the alerts are loaded)."""
        if not self.session.unlocked:
            return
        views = self.session.alerts.views()
        current = self.table.current
        self.table.set_rows([AlertRow(v) for v in views],
                            keep=current.id if current else None)
        self.query_one("#alerts-head", Static).update(
            i18n.t("watch.alert.panel_head", count=len(views)))

    @on(RecordTable.Opened, "#alerts-table")
    def _opened(self, event: RecordTable.Opened) -> None:
        event.stop()
        handle_alert(self, self.session, event.row_id, self._handled)

    def _handled(self) -> None:
        self.post_message(self.Changed())

    def forget_data(self) -> None:
        self.table.set_rows([])
        self.query_one("#alerts-head", Static).update("")

    def reload_data(self) -> None:
        """Shown again by the dashboard's refresh."""


class AlertsScreen(ModalScreen[None], LockAware):
    """Every alert: open ones, or all with how they were handled."""

    CSS_PATH = "alerts.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "toggle_all", "watch.alert.key.all"),
        Binding("escape", "close", "dialog.key.close"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.everything = False
        self.changed = False
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(id="alerts-box"):
            yield Static(id="alerts-title")
            yield AlertTable(ALERT_VIEW.columns, empty_text=i18n.t("watch.alert.none"),
                             id="alerts-all-table")
            yield Footer(compact=True)

    def on_mount(self) -> None:
        self.reload_data()
        self.query_one(AlertTable).focus()

    def reload_data(self) -> None:
        if not self.session.unlocked:
            return
        views = self.session.alerts.views(everything=self.everything)
        table = self.query_one(AlertTable)
        current = table.current
        table.set_rows([AlertRow(v) for v in views], keep=current.id if current else None)
        key = "watch.alert.title_all" if self.everything else "watch.alert.title_open"
        self.query_one("#alerts-title", Static).update(i18n.t(key, count=len(views)))

    def forget_data(self) -> None:
        self.query_one(AlertTable).set_rows([])

    def action_toggle_all(self) -> None:
        self.everything = not self.everything
        self.reload_data()

    @on(RecordTable.Opened)
    def _opened(self, event: RecordTable.Opened) -> None:
        handle_alert(self, self.session, event.row_id, self._handled)

    def _handled(self) -> None:
        self.changed = True
        self.reload_data()

    def action_close(self) -> None:
        self.dismiss(None)


"""The dashboard (疫情概况): today at a glance, each figure with its 14- and
30-day sparklines and a shortcut to its list, and panels below.

Panels: ``PANELS`` lists the factories of the widgets shown under the figures,
in order (a callable taking the session); an area adds its panel to that
list, never by appending to it from its own module. A panel that has
``show(day)`` is called on the UI thread after every refresh of the dashboard
(keep it cheap, or start your own worker); a panel that is ``LockAware``
hears about locks. A panel posts its own ``Changed`` message (listed in
``DashboardPane._changed``) when something it did changes the figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget
from textual.worker import get_current_worker

from branchtool import i18n
from branchtool.services import dashboard as figures
from branchtool.session import Session
from screens.alerts import AlertsPanel, AlertsScreen
from screens.base import LockAware, ReadOnlyGuard, localize_bindings
from screens.failures import Failure, RunsWorkers
from screens.reminders import RemindersPanel
from screens.watch_widgets import fit, sparkline

Panel = Callable[[Session], Widget]
# The panels under the figures, in order: open alerts; visits and tasks due.
PANELS: list[Panel] = [AlertsPanel, RemindersPanel]

VALUE, SHORT, LONG = 11, figures.SHORT_DAYS, figures.SERIES_DAYS
MAX_LABEL = 16  # cells; the label column is as wide as the longest label, up to this


@dataclass(frozen=True)
class FigureLine:
    key: str  # dashboard.figure.<key>
    value: str
    short: str  # 14-day sparkline
    long: str  # 30-day sparkline
    target: str  # the list it opens
    alarm: bool = False


def figure_lines(board: figures.Dashboard) -> list[FigureLine]:
    """The dashboard's figures as the table shows them."""

    def spark(key: str) -> tuple[str, str]:
        return sparkline(board.short(key)), sparkline(board.series[key])

    def line(key: str, value: str, series: str | None = None, alarm: bool = False
             ) -> FigureLine:
        short, long = spark(series) if series else ("", "")
        return FigureLine(key, value, short, long, figures.TARGETS[key], alarm)

    share = f"{board.notice_relayed}/{board.notice_expected}" if board.notices else "—"
    if board.notices:
        share += f" {round(board.notice_share * 100)}%"
    return [
        line("reported", f"{board.reported}/{board.expected}", "reported"),
        line("missing", str(board.missing), "missing", board.missing > 0),
        line("fever", str(board.fever), "fever", board.fever > 0),
        line("symptom", str(board.symptom), "symptom", board.symptom > 0),
        line("risk", str(board.risk), "risk", board.risk > 0),
        line("observation", str(board.observation), "observation"),
        line("quarantine", str(board.quarantine), "quarantine"),
        line("followups_due", str(board.followups_due)),
        line("observation_ending", str(board.observation_ending)),
        line("notice_coverage", share),
        line("alerts_open", str(board.alerts_open), alarm=board.alerts_open > 0),
    ]


class FigureTable(ScrollView, can_focus=True):
    """The figures, one per line; arrows move, Enter opens the figure's list."""

    DEFAULT_CSS = """
    FigureTable { height: 12; overflow-y: hidden; }
    FigureTable > .figure-table--header { text-style: bold; background: $panel; }
    FigureTable > .figure-table--alarm { color: $error; }
    FigureTable > .figure-table--cursor { background: $block-cursor-blurred-background; }
    FigureTable:focus > .figure-table--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "figure-table--header", "figure-table--alarm", "figure-table--cursor"}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "table.key.open"),
        Binding("up", "move(-1)", "table.key.up", show=False),
        Binding("down", "move(1)", "table.key.down", show=False),
    ]

    class Opened(Message):
        def __init__(self, target: str) -> None:
            super().__init__()
            self.target = target

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: list[FigureLine] = []
        self.day_text = ""
        self.cursor = 0
        localize_bindings(self)

    def set_lines(self, day_text: str, lines: list[FigureLine]) -> None:
        self.day_text, self.lines = day_text, lines
        self.cursor = min(self.cursor, max(0, len(lines) - 1))
        self.refresh()

    @property
    def label_width(self) -> int:
        labels = [i18n.t(f"dashboard.figure.{line.key}") for line in self.lines]
        return min(MAX_LABEL, max([cell_len(self.day_text), *map(cell_len, labels)]))

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        label = self.label_width
        if y == 0:
            text = (" " + fit(self.day_text, label) + " " + fit(i18n.t("watch.dash.today"), VALUE)
                    + " " + fit(i18n.t("watch.dash.days", days=SHORT), SHORT) + "  "
                    + i18n.t("watch.dash.days", days=LONG))
            return self._strip(text, width, self.get_component_rich_style("figure-table--header"))
        index = y - 1
        if index >= len(self.lines):
            return Strip.blank(width, self.rich_style)
        line = self.lines[index]
        text = (" " + fit(i18n.t(f"dashboard.figure.{line.key}"), label) + " "
                + fit(line.value, VALUE) + " " + fit(line.short, SHORT) + "  " + line.long)
        style = self.rich_style
        if index == self.cursor:
            style = style + self.get_component_rich_style("figure-table--cursor")
        elif line.alarm:
            style = style + self.get_component_rich_style("figure-table--alarm")
        return self._strip(text, width, style)

    @staticmethod
    def _strip(text: str, width: int, style: Style) -> Strip:
        return Strip([Segment(fit(text, width), style)], width)

    @property
    def current(self) -> FigureLine | None:
        return self.lines[self.cursor] if 0 <= self.cursor < len(self.lines) else None

    def action_move(self, step: int) -> None:
        if self.lines:
            self.cursor = max(0, min(len(self.lines) - 1, self.cursor + step))
            self.refresh()

    def action_open(self) -> None:
        if self.current is not None:
            self.post_message(self.Opened(self.current.target))

    def on_click(self, event: Any) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0 or offset.y > len(self.lines):
            return
        self.cursor = offset.y - 1
        self.refresh()
        if event.chain >= 2:
            self.action_open()


class DashboardPane(RunsWorkers, ReadOnlyGuard, Vertical, LockAware):
    """The section: the figure table and the panels; refreshed in a worker."""
    WRITE_ACTIONS = frozenset({"settings", "zero"})

    DEFAULT_CSS = """
    DashboardPane { height: 1fr; }
    DashboardPane > #dash-panels { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f5", "refresh", "watch.dash.key.refresh"),
        Binding("a", "alerts", "watch.dash.key.alerts"),
        Binding("s", "settings", "watch.dash.key.settings", show=False),
        Binding("z", "zero", "export_ui.key.zero"),
    ]

    class Refresh(Message):
        """Something changed the figures (posted by panels and other panes)."""

    class Ready(Message):
        def __init__(self, board: figures.Dashboard) -> None:
            super().__init__()
            self.board = board

    def __init__(self, session: Session) -> None:
        super().__init__(id="watch")
        self.session = session
        self.board: figures.Dashboard | None = None
        self.loads = 0  # completed refreshes (for tests)
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        yield FigureTable(id="dash-figures")
        with VerticalScroll(id="dash-panels"):
            for make in PANELS:
                yield make(self.session)

    def focus_list(self) -> None:
        self.query_one(FigureTable).focus()

    @property
    def panels(self) -> list[Widget]:
        return list(self.query_one("#dash-panels").children)

    # -- refreshing --------------------------------------------------------------------
    def action_zero(self) -> None:
        """今日无异常 in one key: the Reports section saves today's report as
        the zero report there, or says what is abnormal."""
        screen: Any = self.screen
        if hasattr(screen, "action_section"):
            screen.action_section("reports")
            self._zero_when_built(screen, 10)

    def _zero_when_built(self, screen: Any, tries: int) -> None:
        """The section is built when first shown (a message later): wait for it."""
        from screens.reports_pane import ReportsPane

        found = screen.query(ReportsPane)
        if found:
            found.first().zero_today()
        elif tries:
            screen.call_after_refresh(self._zero_when_built, screen, tries - 1)

    def reload_data(self) -> None:
        if self.session.unlocked:
            self.query_one(FigureTable).set_lines(i18n.t("watch.dash.loading"), [])
            self._compute(self.session)

    def action_refresh(self) -> None:
        self.reload_data()

    @on(Refresh)
    @on(AlertsPanel.Changed)
    @on(RemindersPanel.Changed)
    def _changed(self, event: Message) -> None:
        event.stop()
        self.reload_data()

    @work(thread=True, exclusive=True, group="dashboard", exit_on_error=False)
    def _compute(self, session: Session) -> None:
        """Apply the time rules (missing check-ins, observations ending), then
        compute the figures; runs in a thread, posts the result. A month's
        file found damaged locks the app, which offers the backup."""
        worker = get_current_worker()
        if not session.read_only:  # the office sees the alerts the branch reported
            session.alerts.refresh()
        board = figures.compute(session.health, session.contacts, session.notices,
                                session.alerts, session.health.today())
        if not worker.is_cancelled:
            self.post_message(self.Ready(board))

    @on(Ready)
    def _ready(self, event: Ready) -> None:
        if not self.session.unlocked:
            return
        self.board = event.board
        self.loads += 1
        self.query_one(FigureTable).set_lines(i18n.format_date(event.board.date),
                                              figure_lines(event.board))
        for panel in self.panels:
            show = getattr(panel, "show", None)
            if show is not None:
                show(event.board.date)

    def worker_failed(self, failure: Failure) -> bool:
        self.query_one(FigureTable).set_lines(failure.sentence, [])  # not "computing" forever
        return False  # and a notification

    def forget_data(self) -> None:
        self.workers.cancel_group(self, "dashboard")
        self.board = None
        self.query_one(FigureTable).set_lines("", [])
        for panel in self.panels:
            if isinstance(panel, LockAware):
                panel.forget_data()

    # -- shortcuts ---------------------------------------------------------------------
    class Open(Message):
        """A figure's list was asked for: ``target`` is one of ``figures.TARGETS``'
        values. The watch section shows it."""

        def __init__(self, target: str) -> None:
            super().__init__()
            self.target = target

    @on(FigureTable.Opened)
    def _open_figure(self, event: FigureTable.Opened) -> None:
        event.stop()
        if event.target == "alerts":
            self.action_alerts()
        else:
            self.post_message(self.Open(event.target))

    def action_settings(self) -> None:
        from screens.watch_settings import WatchSettingsScreen

        def closed(saved: bool | None) -> None:
            if saved:
                self.notify(i18n.t("watch.settings.saved"))
                self.reload_data()

        self.app.push_screen(WatchSettingsScreen(self.session), closed)

    def action_alerts(self) -> None:
        def closed(_: None) -> None:
            self.reload_data()

        self.app.push_screen(AlertsScreen(self.session), closed)

"""One branch as the office sees it, read-only: whom to phone, its last
bundle and key, the reports of every bundle it sent (rendered Markdown), its
latest data (each kind with the columns the branch's own lists use), the
bundles received, and the records it changed after reporting them — whose,
which fields, old and new values. ``v`` opens the branch's own screens over
its reported data (``screens.branch_view``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Markdown, TabbedContent, TabPane

from branchtool import i18n
from branchtool.bundles.kinds import kinds
from branchtool.bundles.scope import ExportKind
from branchtool.errors import KeyedError, describe
from branchtool.office import imports, present
from branchtool.office.service import OfficeService
from branchtool.office.trust import current_key
from branchtool.records.fields import FieldDef
from branchtool.session import Session
from branchtool.shown import shown
from screens.base import LockAware, localize_bindings
from screens.office_rows import (
    BUNDLE_COLUMNS,
    CHANGE_COLUMNS,
    PERSON_COLUMN,
    Line,
    OfficeTable,
    RecordLine,
    bundle_line,
    change_line,
    fit,
    kind_label,
)
from screens.plain import Footer, Select, Static
from screens.preview_table import ReportMarkdown
from screens.record_table import RecordTable

TABS = ("overview", "reports", "data", "changes", "bundles")


def _columns(kind: ExportKind | None) -> tuple[FieldDef, ...]:
    if kind is not None and kind.record is not None and kind.record.columns:
        return kind.record.columns
    return (FieldDef("id", width=26, priority=100, record="office_col"),)


class ChangeScreen(ModalScreen[None]):
    """A change after reporting: whom it is about, each field by its label,
    old value and new."""

    CSS_PATH = "office_branch.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "dialog.key.cancel")]

    def __init__(self, change: Mapping[str, Any], names: Mapping[str, str]) -> None:
        super().__init__()
        self.change = change
        self.names = names
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        change = self.change
        lines = [i18n.t("office_ui.change.head", kind=kind_label(change["kind"]),
                        subject=present.change_subject(change, self.names),
                        op=i18n.t(f"office_ui.op.{change['op']}"), sequence=change["sequence"],
                        when=present.when(change.get("time")))]
        lines += [i18n.t("office_ui.change.field", field=label, old=old, new=new)
                  for label, old, new in present.change_fields(change)]
        with VerticalScroll(classes="office-change"):
            yield Static("\n".join(lines))

    def action_close(self) -> None:
        self.dismiss(None)


class OfficeBranchScreen(Screen[None], LockAware):
    CSS_PATH = "office_branch.tcss"
    AUTO_FOCUS = "#branch-tabs Tabs"  # left and right go through the tabs
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "office_ui.key.back"),
        Binding("v", "view", "office_ui.key.view"),
        *(Binding(f"alt+{i + 1}", f"tab('{tab}')", f"office_ui.tab.{tab}", show=False)
          for i, tab in enumerate(TABS)),
    ]

    def __init__(self, session: Session, code: str) -> None:
        super().__init__()
        self.session = session
        self.code = code
        self.bundle: dict[str, Any] | None = None
        self.reports: dict[str, tuple[int, str]] = {}  # name -> (sequence, Markdown)
        self.names: dict[str, str] = {}  # the reported roster: person id -> name
        self.change_docs: dict[str, dict[str, Any]] = {}
        self.months: list[str] = []  # of the kinds filed by day, shown in the data tab
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(id="branch-title")
        with TabbedContent(id="branch-tabs"):
            with TabPane(i18n.t("office_ui.tab.overview"), id="tab-overview"):
                yield VerticalScroll(Static(id="branch-overview"))
            with TabPane(i18n.t("office_ui.tab.reports"), id="tab-reports"):
                yield Select([], prompt=i18n.t("office_ui.pick_report"), id="branch-report",
                             compact=True)
                with VerticalScroll(id="branch-report-scroll"):
                    # a bundle's text
                    yield ReportMarkdown(id="branch-report-text", open_links=False)
            with TabPane(i18n.t("office_ui.tab.data"), id="tab-data"):
                yield Select([], prompt=i18n.t("office_ui.pick_kind"), id="branch-kind",
                             compact=True)
                with Vertical(id="branch-data-box"):
                    yield OfficeTable(_columns(None), id="branch-data")
            with TabPane(i18n.t("office_ui.tab.changes"), id="tab-changes"):
                yield OfficeTable(CHANGE_COLUMNS, empty_text=i18n.t("office_ui.no_changes"),
                                  id="branch-changes")
            with TabPane(i18n.t("office_ui.tab.bundles"), id="tab-bundles"):
                yield OfficeTable(BUNDLE_COLUMNS, id="branch-bundles")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.reload_data()

    @property
    def office(self) -> OfficeService:
        return OfficeService.of(self.session)

    def reload_data(self) -> None:
        office = self.office
        try:
            branch = office.trust.require(self.code)
        except KeyedError as error:
            self.app.notify(describe(error), severity="error")
            return
        self.bundle = office.latest_bundle(self.code)
        bundles = office.bundles_of(self.code)  # newest first
        self.refresh_bindings()
        self.query_one("#branch-title", Static).update(
            i18n.t("office_ui.branch_title", code=branch["code"], name=branch["name"]))
        self.query_one("#branch-overview", Static).update(self._overview(branch))
        # every report of every bundle kept, the newest copy of each, newest day first
        self.reports = {}
        for bundle in bundles:
            for name, text in bundle.get("reports", {}).items():
                self.reports.setdefault(name, (bundle["sequence"], text))
        ordered = sorted(self.reports.items(), key=lambda item: item[0].partition("/")[0])
        ordered.sort(key=lambda item: item[0].partition("/")[2], reverse=True)  # newest day
        self.query_one("#branch-report", Select).set_options(
            [(_report_label(name, seq), name) for name, (seq, _) in ordered])
        # what the office holds, not only what the last bundle carried
        self.months = office.reported_months(self.code)
        counts = office.held_counts(self.code, self.months)
        self.query_one("#branch-kind", Select).set_options(
            [(f"{kind_label(k)} ({n})", k) for k, n in counts.items()])
        changes = office.changes(self.code)
        self.change_docs = {c["id"]: c for c in changes}
        self.names = {p["id"]: str(p.get("name", "")) for p in
                      office.latest_records(self.code, "roster") if isinstance(p.get("id"), str)}
        self._fill("#branch-changes", CHANGE_COLUMNS,
                   [change_line(c, self.names) for c in changes])
        self._fill("#branch-bundles", BUNDLE_COLUMNS, [bundle_line(b) for b in bundles])

    def _fill(self, selector: str, columns: tuple[FieldDef, ...], lines: list[Line]) -> None:
        table = self.query_one(selector, RecordTable)
        fitted, shown = fit(columns, lines)
        table.set_columns(fitted)
        table.set_rows(shown)

    def _overview(self, branch: Mapping[str, Any]) -> str:
        key = current_key(dict(branch))
        last = branch.get("last") or {}
        contact = branch.get("contact") or {}
        lines = [
            i18n.t("office_ui.overview.contact", name=contact.get("name") or present.DASH,
                   phone=contact.get("phone") or present.DASH),
            i18n.t("office_ui.overview.key", status=i18n.t(
                f"office.key_status.{'active' if key else 'revoked'}"),
                fingerprint=key["fingerprint"] if key else present.DASH),
            i18n.t("office_ui.overview.last", sequence=last.get("sequence", present.DASH),
                   period=_span(last.get("period")), created=present.when(last.get("created")),
                   imported=present.when(last.get("imported"))),
            i18n.t("office_ui.overview.missing", missing=", ".join(
                str(n) for n in branch.get("missing", [])) or present.DASH),
            *self._refused(last),
            i18n.t("office_ui.overview.changes", last=branch.get("changes_last", 0),
                   total=branch.get("changes_total", 0)),
        ]
        current = branch.get("current") or {}
        lines.append(i18n.t("office_ui.overview.current",
                            people=present.count(current.get("people")),
                            alerts=present.count(current.get("open_alerts")),
                            care=present.count(current.get("care_open")),
                            overdue=present.count(current.get("tasks_overdue"))))
        if self.bundle:
            counts = i18n.t("office.list_separator").join(
                f"{kind_label(k)} {n}" for k, n in self.bundle["counts"].items())
            lines.append(i18n.t("office_ui.overview.counts", counts=counts or present.DASH))
        return "\n".join(lines)

    def _refused(self, last: Mapping[str, Any]) -> list[str]:
        """The branch's latest refused file, when none was accepted since."""
        for entry in self.office.import_log():
            if entry["time"] <= str(last.get("imported") or ""):
                break
            if entry["verdict"] == "rejected" and entry.get("branch") == self.code:
                return [i18n.t("office_ui.overview.refused", file=entry["file"],
                               time=present.when(entry["time"]),
                               reason=imports.message(entry))]
        return []

    def forget_data(self) -> None:
        self.bundle = None
        self.reports, self.names, self.change_docs = {}, {}, {}
        for selector in ("#branch-data", "#branch-changes", "#branch-bundles"):
            self.query_one(selector, RecordTable).set_rows([])
        self.query_one("#branch-overview", Static).update("")
        self.query_one("#branch-report-text", Markdown).update("")
        self.query_one("#branch-report", Select).set_options([])
        self.query_one("#branch-kind", Select).set_options([])

    @on(Select.Changed, "#branch-report")
    def _report(self, event: Select.Changed) -> None:
        found = None if event.value is Select.NULL else self.reports.get(str(event.value))
        # a branch's text (its secretary's 其他事项 too): shown, never obeyed —
        # each control character spelled out (\x1b), line breaks kept
        self.query_one("#branch-report-text", Markdown).update(
            shown(found[1], lines=True) if found else "")

    @on(Select.Changed, "#branch-kind")
    async def _kind(self, event: Select.Changed) -> None:
        if event.value is Select.NULL or self.bundle is None:
            return
        name = str(event.value)
        kind = next((k for k in kinds() if k.name == name), None)
        months = self.months if kind is not None and kind.partition.endswith("/") else [""]
        docs = self.office.latest_records(self.code, name, months)
        columns = _columns(kind)
        names: dict[str, str] = {}
        if name != "roster" and any("person" in d for d in docs[:50]):
            columns = (PERSON_COLUMN, *columns)
            names = {p["id"]: str(p.get("name", "")) for p in
                     self.office.latest_records(self.code, "roster")}
        box = self.query_one("#branch-data-box", Vertical)
        await box.remove_children()
        table = OfficeTable(columns, empty_text=i18n.t("office_ui.no_records"),
                            id="branch-data")
        await box.mount(table)
        table.set_rows([RecordLine(str(d.get("id", "")), d, columns, names) for d in docs])

    @on(RecordTable.Opened, "#branch-changes")
    def _open_change(self, event: RecordTable.Opened) -> None:
        change = self.change_docs.get(event.row_id)
        if change is not None:
            self.app.push_screen(ChangeScreen(change, self.names))

    @on(RecordTable.Opened, "#branch-bundles")
    def _open_bundle(self, event: RecordTable.Opened) -> None:
        """Enter on a bundle: its reports (the first of them shown)."""
        names = sorted(name for name, (seq, _) in self.reports.items()
                       if self._bundle_sequence(event.row_id) == seq)
        if not names:
            return
        self.action_tab("reports")
        select = self.query_one("#branch-report", Select)
        select.value = next((n for n in names if n.startswith("daily/")), names[0])
        select.focus()

    def _bundle_sequence(self, bundle_id: str) -> int | None:
        table = self.query_one("#branch-bundles", RecordTable)
        row = next((r for r in table.rows if r.id == bundle_id), None)
        return int(row.cell("sequence")) if row is not None else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "view":  # only once the branch has reported something
            return self.bundle is not None or None
        return True

    def action_view(self) -> None:
        """The branch's own screens over its reported data, read-only."""
        from screens.branch_view import BranchViewScreen

        office = self.office
        self.app.push_screen(BranchViewScreen(
            self.session, self.code, lambda: office.now().astimezone(office.tz)))

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = f"tab-{tab}"

    def action_back(self) -> None:
        self.dismiss(None)


def _span(period: Mapping[str, str] | None) -> str:
    if not period:
        return present.DASH
    return period["from"] if period["from"] == period["to"] else \
        f"{period['from']}..{period['to']}"


def _report_label(name: str, sequence: int) -> str:
    kind, _, day = name.partition("/")
    key = f"report.kind.{kind}"
    label = i18n.t(key) if key in i18n.catalog(i18n.language()) else kind
    return i18n.t("office_ui.report_option", report=f"{label} {day}".strip(), sequence=sequence)

"""Import a day's check-ins from a survey export: read the file (the
questionnaire's template, when one was kept, says what each column and each
odd answer means), match its columns (changeable), map the answers not
understood (grouped by what was written: one choice maps every row), see the
rows that cannot be imported — unmatched, ambiguous (Enter picks the person),
impossible — and the preview (newly abnormal, late, twice, not answered), then
write the matched rows as one batch in a worker and keep the choices as the
questionnaire's template."""

from __future__ import annotations

import datetime as dt
from operator import attrgetter
from pathlib import Path, PurePath
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Input

from branchtool import i18n
from branchtool.errors import KeyedError, describe
from branchtool.records.views import ListView, ViewRow, computed
from branchtool.services import checkin_import as ci
from branchtool.services.survey_templates import column_id
from branchtool.session import Session
from branchtool.tables import Sheet
from screens.import_dialog import ImportDialog
from screens.person_picker import PersonPicker
from screens.plain import Label, Select, Static
from screens.record_table import RecordTable
from screens.survey_choices import BLANK_VALUE, column_options, value_options
from screens.survey_templates import SurveyTemplatesScreen
from screens.watch_widgets import StyledTable

PROBLEM_VIEW = ListView.of(
    None,
    computed("row", lambda problem: str(problem.row), width=5, priority=100,
             record="watch.import"),
    computed("written", attrgetter("written"), width=8, priority=90, record="watch.import"),
    computed("reason", attrgetter("reason"), width=30, priority=80, record="watch.import"))
PROBLEM_COLUMNS = PROBLEM_VIEW.columns


class ProblemRow(ViewRow):
    __slots__ = ("candidates", "id", "kind", "reason", "row", "tone", "written")
    VIEW = PROBLEM_VIEW

    def __init__(self, row: int, written: str, reason: str, kind: str,
                 candidates: list[str] | None = None) -> None:
        self.id = f"row-{row}"
        self.row, self.written, self.reason, self.kind = row, written, reason, kind
        self.candidates = candidates or []
        self.tone = "alarm" if kind == "bad" else "warn"


LIST_MAX = 12  # names listed in a preview line before "and N more"


class HeldSelect(Select[str]):
    """The meaning chosen for one answer not understood."""

    def __init__(self, key: str, answer: str) -> None:
        super().__init__(value_options(key), prompt=i18n.t("watch.import.held_prompt"),
                         compact=True, classes="ci-held-select")
        self.key = key
        self.answer = answer


class ImportCheckinsScreen(ImportDialog[int]):
    CSS_PATH: ClassVar[list[str | PurePath]] = ["import_dialog.tcss", "checkin_import.tcss"]
    ID = "ci"
    MAP_ID = "ci-map"
    CANCELLED = 0
    TEXT = "watch.import"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "commit", "watch.import.key.commit", priority=True),
        Binding("ctrl+o", "browse", "picker.key.browse"),
        Binding("f4", "templates", "watch.import.key.templates"),
        Binding("escape", "cancel", "form.key.cancel"),
    ]

    def __init__(self, session: Session, day: dt.date | None = None, path: str = "") -> None:
        super().__init__(session, path)
        self.start_day = day
        self.plan: ci.CheckinPlan | None = None
        self.prepared: ci.Prepared | None = None
        self.values: dict[str, dict[str, str]] = {}  # answers mapped (template + by hand)
        self.choices: dict[str, str] = {}  # column choices made, by question

    def compose_file_options(self) -> ComposeResult:
        yield Input(placeholder=i18n.t("watch.import.day"), compact=True, id="ci-day")

    def compose_preview(self) -> ComposeResult:
        yield Static(id="ci-template", classes="imp-info")
        yield Static(id="ci-summary", classes="imp-summary")
        problems = StyledTable(PROBLEM_COLUMNS, empty_text=i18n.t("watch.import.no_problems"),
                               id="ci-problems")
        problems.display = False
        yield problems
        yield Vertical(id="ci-held")
        yield Static(id="ci-preview")

    def column_options(self) -> list[tuple[Content, str]]:
        return column_options(self.prepared.mapping if self.prepared else None)

    def read_sheet(self, path: Path, sheet_name: str | None) -> tuple[Sheet, list[str | None]]:
        """The file (the sheet chosen, in a workbook), its template's choices,
        and the choices made here before (Enter on the same path again keeps them)."""
        prepared = ci.prepare(path, self.session.survey_templates, sheet_name=sheet_name)
        mapping = [self.choices.get(column_id(h), key) if h else key
                   for h, key in zip(prepared.sheet.headers, prepared.mapping, strict=True)]
        prepared.mapping = [m or None for m in mapping]
        for key, mapped in prepared.values.items():
            self.values.setdefault(key, {}).update(
                {a: v for a, v in mapped.items() if a not in self.values.get(key, {})})
        self.prepared = prepared
        return prepared.sheet, prepared.mapping

    # -- plan ------------------------------------------------------------------------------
    def plan_options(self) -> tuple[str | None, dict[str, dict[str, str]]]:
        """The day of the rows that say none (the one typed, else the sheet's
        day unless a column gives the date) and the answers mapped so far."""
        mapping = self.mapping
        assert self.sheet is not None
        self.choices.update({column_id(h): key or "" for h, key
                             in zip(self.sheet.headers, mapping, strict=True) if h})
        for select in self.query(HeldSelect):
            if select.value is not Select.NULL:
                value = "" if select.value == BLANK_VALUE else str(select.value)
                self.values.setdefault(select.key, {})[select.answer] = value
        day = self.query_one("#ci-day", Input).value.strip() or None
        if day is None and self.start_day is not None and "date" not in mapping \
                and ci.SUBMITTED not in mapping:
            day = self.start_day.isoformat()
        return day, {k: dict(v) for k, v in self.values.items()}

    def build_plan(self, sheet: Sheet, mapping: list[str | None],
                   options: tuple[str | None, dict[str, dict[str, str]]]) -> ci.CheckinPlan:
        day, values = options
        return ci.plan(self.session.health, self.session.roster, sheet, mapping, day=day,
                       values=values)

    def show_plan(self, plan: ci.CheckinPlan) -> None:
        self.plan = plan
        self._show_template()
        self._show_held(plan)
        self.query_one("#ci-preview", Static).update(Content(self._preview_text(plan)))
        days = i18n.t("list.separator").join(
            i18n.format_date(dt.date.fromisoformat(d)) for d in sorted(plan.days))
        updates = sum(1 for r in plan.rows if r.existing)
        self.query_one("#ci-summary", Static).update(i18n.t(
            "watch.import.summary", matched=len(plan.rows), updates=updates,
            unmatched=len(plan.unmatched), ambiguous=len(plan.ambiguous), bad=len(plan.bad),
            days=days or "—"))
        problems = [ProblemRow(i.row, i.written, i.reason(), "ambiguous", i.candidates)
                    for i in plan.ambiguous]
        problems += [ProblemRow(i.row, i.written, i.reason(), "unmatched")
                     for i in plan.unmatched]
        problems += [ProblemRow(b.row, b.written, b.reason(), "bad") for b in plan.bad]
        problems.sort(key=lambda p: p.row)
        table = self.query_one("#ci-problems", StyledTable)
        table.display = bool(problems)
        table.set_rows(problems)
        self.query_one("#ci-commit", Button).disabled = not plan.rows
        self._say(i18n.t("watch.import.pick_hint") if plan.ambiguous or plan.unmatched else "")

    def importable(self) -> bool:
        return self.plan is not None and bool(self.plan.rows)

    def _show_template(self) -> None:
        prepared = self.prepared
        line = self.query_one("#ci-template", Static)
        if prepared is None:
            line.update("")
        elif prepared.template is not None:
            line.update(Content(i18n.t("watch.import.template", name=prepared.template.name,
                                       uses=prepared.template.uses)))
        else:
            line.update(i18n.t("watch.import.new_template"))

    def _show_held(self, plan: ci.CheckinPlan) -> None:
        """One line per answer not understood, each with the meaning to choose
        (the choice applies to every row that wrote it)."""
        box = self.query_one("#ci-held", Vertical)
        box.remove_children()
        if not plan.held:
            return
        rows: list[Label | Horizontal] = [Label(i18n.t("watch.import.held_title"),
                                                classes="imp-heading")]
        for held in plan.held:
            rows.append(Horizontal(Label(Content(held.describe()), classes="ci-held-text"),
                                   HeldSelect(held.key, held.answer), classes="ci-held-row"))
        box.mount_all(rows)

    def _preview_text(self, plan: ci.CheckinPlan) -> str:
        """Who is newly abnormal, late, twice, renamed and not answered."""
        sep = i18n.t("list.separator")

        def names(ids: list[str]) -> str:
            shown = sep.join(self._person_name(p) for p in ids[:LIST_MAX])
            more = len(ids) - LIST_MAX
            return shown + (i18n.t("watch.import.and_more", count=more) if more > 0 else "")

        lines = []
        if plan.concerns:
            lines.append(i18n.t("watch.import.concerns", count=len(plan.concerns),
                                names=sep.join(
                                    i18n.t("watch.import.concern", name=self._person_name(c.person),
                                           reasons=sep.join(i18n.t(f"checkin.concern.{r}")
                                                            for r in c.reasons))
                                    for c in plan.concerns[:LIST_MAX])))
        if plan.late:
            lines.append(i18n.t("watch.import.late", count=len(plan.late),
                                deadline=plan.deadline,
                                names=names([r.person for r in plan.late])))
        if plan.twice:
            lines.append(i18n.t("watch.import.twice", count=len(plan.twice),
                                names=names([t.person for t in plan.twice])))
        if plan.renamed:
            lines.append(i18n.t("watch.import.renamed", count=len(plan.renamed),
                                names=sep.join(i18n.t("watch.import.renamed_one", row=r.row,
                                                      written=r.written,
                                                      name=self._person_name(r.person))
                                               for r in plan.renamed[:LIST_MAX])))
        for day, people in sorted(plan.missing.items()):
            date = i18n.format_date(dt.date.fromisoformat(day))
            lines.append(i18n.t("watch.import.missing", count=len(people), date=date,
                                names=names(people)) if people
                         else i18n.t("watch.import.none_missing", date=date))
        if i18n.language() == "zh-CN":  # wrap at the width, not at the spaces around numbers
            lines = [line.replace(" ", "\u00a0") for line in lines]
        return "\n".join(lines)

    def _person_name(self, person_id: str) -> str:
        person = self.session.roster.person(person_id)
        return person["name"] if person is not None else ""

    def action_templates(self) -> None:
        self.app.push_screen(SurveyTemplatesScreen(self.session))

    # -- resolving a row by hand ----------------------------------------------------------
    @on(RecordTable.Opened, "#ci-problems")
    def _pick(self, event: RecordTable.Opened) -> None:
        table = self.query_one("#ci-problems", StyledTable)
        row = table.current
        if not isinstance(row, ProblemRow) or row.kind == "bad" or self.plan is None:
            return

        def chosen(person_id: str | None) -> None:
            if person_id and self.plan is not None:
                try:
                    ci.assign(self.plan, self.session.health, row.row, person_id)
                except KeyedError as exc:
                    self._say(describe(exc), error=True)
                    return
                self.show_plan(self.plan)

        title = i18n.t("watch.import.pick_title", row=row.row)
        self.app.push_screen(PersonPicker(self.session, title, candidates=row.candidates),
                             chosen)

    # -- commit ------------------------------------------------------------------------------
    def commit_options(self) -> tuple[list[str | None], dict[str, dict[str, str]]]:
        return self.mapping, {k: dict(v) for k, v in self.values.items()}

    def write_plan(self, plan: ci.CheckinPlan,
                   options: tuple[list[str | None], dict[str, dict[str, str]]]
                   ) -> ci.ImportResult:
        result = ci.commit(self.session.health, self.session.roster, plan)
        if self.prepared is not None:  # the choices, for the next day's file
            mapping, values = options
            ci.remember(self.session.survey_templates, self.prepared, mapping, values, plan)
        return result

    def committed(self, result: ci.ImportResult) -> None:
        self.dismiss(result.added + result.updated)

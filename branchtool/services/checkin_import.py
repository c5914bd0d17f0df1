"""Importing a day's check-ins from a survey export (问卷星, 腾讯问卷, 金数据,
麦客, a class's own sheet; any file ``tables.read_sheet`` reads: .xlsx, .xls,
.ods, .csv… with the sheet chosen or asked for).

Three steps, so a screen can show each: ``prepare`` reads the file, finds its
header row and what each column holds (``survey_headers``), and applies the
questionnaire's template if one was kept (``survey_templates``); ``plan``
matches every row to a roster person (ID number, 学号/工号, phone, then name),
reads every answer (``survey_values``) and previews the import — problem rows,
answers held for mapping, who is newly abnormal, who answered late or twice,
who has not answered; ``commit`` writes the matched rows as ONE journal batch.

Only a row that matches nobody or several people, or holds an impossible
value (a temperature of 3.66), is a problem row; an answer that is not
understood is held (grouped by its text) and the rest of the row imported.

The day of a row is ``day`` when given, else the row's date column, else the
local day of its submission time (an answer sent at 00:00 counts for the new
day). A person answering twice for a day: the later answer stands.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from branchtool import i18n, pinyin, tables
from branchtool.errors import UserError
from branchtool.records import checks, dates
from branchtool.records.checkin import CHECKIN, expand
from branchtool.records.fields import Problem, Ref, normalize_code, problems_text
from branchtool.records.person import ACTIVE
from branchtool.services import health_rules as rules
from branchtool.services import survey_headers as headers
from branchtool.services import survey_values as answers
from branchtool.services.health import HealthService
from branchtool.services.roster import RosterService
from branchtool.services.survey_templates import Template, TemplateStore
from branchtool.services.survey_values import ValueMap
from branchtool.services.survey_words import fold
from branchtool.tables import Sheet

PERSON_KEYS = headers.PERSON_KEYS
SUBMITTED = headers.SUBMITTED
STRONG_KEYS = ("id_number", "school_number", "phone")
_MOMENT = re.compile(r"(.*?)[\sT]+(\d{1,2})[:：](\d{2})(?:[:：](\d{2})(?:\.\d+)?)?")

# Why a row could not be matched to one person (catalog keys).
NO_MATCH = "checkin.import.no_match"
ARCHIVED = "checkin.import.archived"
SEVERAL = "checkin.import.several"
MISMATCH = "checkin.import.name_mismatch"
CONFLICT = "checkin.import.conflict"
# What makes a check-in worth a look, in the order shown.
CONCERNS = ("fever", "symptom", "risk_travel", "case_contact", "quarantine", "observation")


def match_header(header: str) -> str | None:
    """The key a survey column holds (see ``survey_headers``)."""
    return headers.match_question(header)


def read(path: str | os.PathLike[str],
         sheet_name: str | None = None) -> tuple[Sheet, list[str | None]]:
    """The export's table (header row found; in a workbook, ``sheet_name`` or
    the sheet whose header reads most like a survey's) and the key each
    column seems to hold."""
    sheet = tables.read_sheet(path, headers.header_score, sheet=sheet_name)
    return sheet, headers.guess_mapping(sheet.headers)


def guess_mapping(header_row: Sequence[str]) -> list[str | None]:
    return headers.guess_mapping(header_row)


@dataclass
class Prepared:
    """A file read and its columns and answers as the template (or the guess) says."""

    sheet: Sheet
    mapping: list[str | None]
    values: dict[str, dict[str, str]]
    template: Template | None = None
    tool: str = ""


def prepare(path: str | os.PathLike[str], templates: TemplateStore | None = None, *,
            sheet_name: str | None = None) -> Prepared:
    sheet, mapping = read(path, sheet_name)
    template = templates.find(sheet.headers) if templates is not None else None
    if template is not None:
        mapping = template.mapping_for(sheet.headers)
    values = {k: dict(v) for k, v in template.values.items()} if template else {}
    return Prepared(sheet, mapping, values, template, headers.detect_tool(sheet.headers))


def parse_moment(raw: object) -> dt.datetime | None:
    """A submission time: a date-time cell, an Excel serial, or text such as
    ``2020/2/1 08:15:20``; a date alone is its first minute."""
    if isinstance(raw, dt.datetime):
        return raw.replace(microsecond=0, tzinfo=None)
    if isinstance(raw, dt.date):
        return dt.datetime.combine(raw, dt.time())
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        day = dates.parse(raw)
        if day is None or len(day) != 10:
            return None
        seconds = round((float(raw) % 1) * 86400) if isinstance(raw, float) else 0
        return dt.datetime.fromisoformat(day) + dt.timedelta(seconds=min(seconds, 86399))
    text = str(raw).strip()
    match = _MOMENT.fullmatch(text)
    if match:
        day = dates.parse(match.group(1))
        hour, minute, second = (int(g or 0) for g in match.group(2, 3, 4))
        if day is None or len(day) != 10 or hour > 23 or minute > 59 or second > 59:
            return None
        return dt.datetime.fromisoformat(day).replace(hour=hour, minute=minute, second=second)
    day = dates.parse(text)
    return dt.datetime.fromisoformat(day) if day and len(day) == 10 else None


# -- the plan ----------------------------------------------------------------------------
@dataclass
class PlanRow:
    row: int  # as the spreadsheet numbers it
    person: str
    values: dict[str, str]  # the clean check-in (``date`` included)
    at: dt.datetime | None = None  # the submission time, when the sheet has one
    existing: bool = False  # the person already has a check-in that day
    written: str = ""  # the name the row gives, when it differs from the roster's


@dataclass
class RowIssue:
    """A problem row: matched to nobody or to several people, or holding an
    impossible value. ``written`` is the name the row gives (shown beside the
    row number so it can be found)."""

    row: int
    key: str
    written: str = ""
    candidates: list[str] = field(default_factory=list)
    raw: dict[str, object] = field(default_factory=dict)  # the row's check-in cells
    problems: list[Problem] = field(default_factory=list)
    at: dt.datetime | None = None

    def reason(self) -> str:
        if self.problems:
            return problems_text(self.problems)
        return i18n.t(self.key, count=len(self.candidates))


@dataclass
class HeldValue:
    """An answer not understood, with every row that gave it."""

    key: str  # the field
    answer: str  # folded: how it is mapped
    text: str  # as first written
    header: str  # the column it came from
    rows: list[int] = field(default_factory=list)

    def describe(self) -> str:
        return i18n.t("checkin.import.held", count=len(self.rows), text=self.text,
                      label=CHECKIN.field(self.key).label)


@dataclass
class Twice:
    """A person who answered more than once for a day: the later answer stands."""

    person: str
    day: str
    kept: int
    dropped: list[int]


@dataclass
class Concern:
    """A person newly abnormal on a day (not so the day before)."""

    person: str
    day: str
    reasons: list[str]  # CONCERNS codes
    temperature: str = ""


@dataclass
class CheckinPlan:
    file: str
    rows: list[PlanRow] = field(default_factory=list)
    unmatched: list[RowIssue] = field(default_factory=list)
    ambiguous: list[RowIssue] = field(default_factory=list)
    bad: list[RowIssue] = field(default_factory=list)
    held: list[HeldValue] = field(default_factory=list)
    twice: list[Twice] = field(default_factory=list)
    days: dict[str, int] = field(default_factory=dict)  # day -> rows
    concerns: list[Concern] = field(default_factory=list)
    late: list[PlanRow] = field(default_factory=list)
    missing: dict[str, list[str]] = field(default_factory=dict)  # day -> person ids
    renamed: list[PlanRow] = field(default_factory=list)  # name typed differently
    deadline: str = ""
    roster_version: int = 0
    health_version: int = 0

    @property
    def problems(self) -> int:
        return len(self.unmatched) + len(self.ambiguous) + len(self.bad)

    @property
    def superseded(self) -> list[int]:
        """The rows a later answer replaced."""
        return sorted(r for t in self.twice for r in t.dropped)

    def spellings(self) -> dict[str, dict[str, str]]:
        """The held answers as first written, by field (for the template)."""
        out: dict[str, dict[str, str]] = {}
        for held in self.held:
            out.setdefault(held.key, {})[held.answer] = held.text
        return out


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    skipped: int  # unmatched, ambiguous and invalid rows left out


class _Matcher:
    """Finds a row's person: by ID number, 学号/工号 or phone (the name may
    be typed a little wrong), else by name."""

    def __init__(self, roster: RosterService) -> None:
        self.roster = roster
        self.by_phone: dict[str, list[str]] = {}
        self.by_name: dict[str, list[str]] = {}
        for person in roster.people():
            if person.status != ACTIVE:
                continue
            if person["phone"]:
                self.by_phone.setdefault(person["phone"], []).append(person.id)
            self.by_name.setdefault(_name_key(person["name"]), []).append(person.id)

    def _strong(self, key: str, raw: object) -> list[str]:
        text = _cell_text(raw)
        if key == "id_number":
            found = self.roster.find_id_number(checks.normalize_id(text))
            return [found] if found else []
        if key == "school_number":
            found = self.roster.find_school_number(normalize_code(text))
            return [found] if found else []
        return list(self.by_phone.get(checks.normalize_phone(text), []))

    def match(self, cells: Mapping[str, object]) -> tuple[str | None, str, list[str]]:
        """(person id, reason key if none, candidates)."""
        name = _name_key(_cell_text(cells.get("name")))
        found: list[str] = []
        for key in STRONG_KEYS:
            if cells.get(key) is None:
                continue
            ids = self._strong(key, cells[key])
            if len(ids) == 1 and ids[0] not in found:
                found.append(ids[0])
        if len(found) > 1:
            return None, CONFLICT, found
        if found:
            person = self.roster.person(found[0])
            if person is None or person.status != ACTIVE:
                return None, ARCHIVED, []
            if name and not similar_names(name, _name_key(person["name"])):
                return None, MISMATCH, found
            return found[0], "", []
        if name:
            ids = self.by_name.get(name, [])
            if len(ids) == 1:
                return ids[0], "", []
            if len(ids) > 1:
                return None, SEVERAL, list(ids)
        return None, NO_MATCH, []


def similar_names(written: str, roster: str) -> bool:
    """A name typed a little wrong: one character off, the same sound
    (张珊/张三), or the name with something added (张三同学)."""
    if written == roster:
        return True
    if len(written) == len(roster) >= 2 and \
            sum(a != b for a, b in zip(written, roster, strict=True)) <= 1:
        return True
    if pinyin.spelled(written) == pinyin.spelled(roster):
        return True
    return len(roster) >= 2 and roster in written


def _cell_text(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return printable(str(raw)).strip()


def printable(text: str) -> str:
    """Text from a file as it may be shown: no control characters (a cell
    holding terminal escape codes shows as the characters, not as commands)."""
    return "".join(c if c.isprintable() else " " for c in text)


def _name_key(name: str) -> str:
    return "".join(name.split())


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


@dataclass
class _Columns:
    """The mapping split by what each column is for."""

    person: list[tuple[int, str]]
    single: list[tuple[int, str]]  # a whole answer
    options: list[tuple[int, str, str]]  # (column, field, option)
    submitted: int | None
    date: int | None

    @classmethod
    def of(cls, mapping: Sequence[str | None]) -> _Columns:
        person, single, options = [], [], []
        submitted = date = None
        for i, key in enumerate(mapping):
            if not key:
                continue
            name, option = headers.split_option(key)
            if option:
                options.append((i, name, option))
            elif key in PERSON_KEYS:
                person.append((i, key))
            elif key == SUBMITTED:
                submitted = i if submitted is None else submitted
            elif key == "date":
                date = i if date is None else date
            elif key in CHECKIN.by_key:
                single.append((i, key))
        return cls(person, single, options, submitted, date)

    @property
    def fields(self) -> set[str]:
        return {k for _, k in self.single} | {f for _, f, _ in self.options}


def plan(health: HealthService, roster: RosterService, sheet: Sheet,
         mapping: Sequence[str | None], day: dt.date | str | None = None,
         values: ValueMap | None = None) -> CheckinPlan:
    """Match and read every row and preview the import; nothing is written.
    ``values`` maps answers not otherwise understood. Empty rows are ignored."""
    if len(mapping) != len(sheet.headers):
        raise ValueError("one mapping entry per column")
    columns = _Columns.of(mapping)
    if not columns.person:
        raise UserError("checkin.import.no_person_column")
    when = _import_day(day, health) if day is not None else None
    if when is None and columns.date is None and columns.submitted is None:
        raise UserError("checkin.import.no_date")
    settings = health.settings
    today = health.today()
    matcher = _Matcher(roster)
    result = CheckinPlan(sheet.name, roster_version=roster.version,
                         health_version=health.version, deadline=settings.deadline)
    held: dict[tuple[str, str], HeldValue] = {}
    latest: dict[tuple[str, str], int] = {}  # (person, day) -> index in result.rows
    twice: dict[tuple[str, str], Twice] = {}
    cache: dict[tuple[Any, ...], answers.Answer] = {}
    for number, row in sheet.rows:
        person_cells = {k: row[i] for i, k in columns.person if not _blank(row[i])}
        cells, row_held = _read_answers(row, columns, values, settings.fever_threshold, cache)
        submitted = row[columns.submitted] if columns.submitted is not None else None
        date_cell = row[columns.date] if columns.date is not None else None
        if not person_cells and not cells and not row_held:
            continue
        written = _cell_text(person_cells.get("name"))
        at = parse_moment(submitted) if not _blank(submitted) else None
        row_day, problem = _row_day(when, date_cell if not _blank(date_cell) else None,
                                    submitted if not _blank(submitted) else None, at, today)
        if problem is not None:
            result.bad.append(RowIssue(number, problem.key, written, problems=[problem]))
            continue
        if not person_cells:
            result.unmatched.append(RowIssue(number, NO_MATCH, "", raw={**cells,
                                                                          "date": row_day}))
            continue
        person_id, reason, candidates = matcher.match(person_cells)
        if person_id is None:
            issue = RowIssue(number, reason, written, candidates, {**cells, "date": row_day},
                             at=at)
            (result.ambiguous if candidates else result.unmatched).append(issue)
            continue
        planned = _clean_row(health, number, person_id, row_day, cells, at, result, written)
        if planned is None:
            continue
        for key, text in row_held:
            group = held.setdefault((key, fold(text)), HeldValue(
                key, fold(text), printable(text)[:60], printable(_header_of(sheet, mapping,
                                                                            key))))
            group.rows.append(number)
        _add(result, planned, latest, twice)
    result.held = sorted(held.values(), key=lambda h: (-len(h.rows), h.rows[0]))
    result.twice = list(twice.values())
    _preview(result, health, roster, settings)
    return result


def _read_answers(row: Sequence[object], columns: _Columns, values: ValueMap | None,
                  threshold: str, cache: dict[tuple[Any, ...], answers.Answer]
                  ) -> tuple[dict[str, object], list[tuple[str, str]]]:
    """A row's check-in cells and the answers in it not understood."""
    cells: dict[str, object] = {}
    held: list[tuple[str, str]] = []
    ticked: dict[str, list[str]] = {}
    for i, key, option in columns.options:
        ticked.setdefault(key, [])
        if answers.ticked(row[i], option):
            ticked[key].append(option)
    raw_by_key: dict[str, object] = {}
    for i, key in columns.single:
        if not _blank(row[i]):
            raw_by_key[key] = row[i]
    for key, options in ticked.items():
        if options and key not in raw_by_key:
            raw_by_key[key] = options if key == "symptoms" else options[0]
    # the place first: a column of its own says more than what a place implies
    for key in sorted(raw_by_key, key=lambda k: k != "place"):
        raw = raw_by_key[key]
        memo = (key, tuple(raw) if isinstance(raw, list) else raw, type(raw))
        answer = cache.get(memo)
        if answer is None:  # a morning's answers repeat: each read once
            answer = cache[memo] = answers.interpret(key, raw, values, threshold)
        cells.update(answer.cells)
        held.extend((key, text) for text in answer.held)
    return cells, held


def _header_of(sheet: Sheet, mapping: Sequence[str | None], key: str) -> str:
    for header, mapped in zip(sheet.headers, mapping, strict=True):
        if mapped and headers.split_option(mapped)[0] == key:
            return headers.question_text(header)
    return ""


def _add(result: CheckinPlan, planned: PlanRow, latest: dict[tuple[str, str], int],
         twice: dict[tuple[str, str], Twice]) -> None:
    """Add a planned row; a second answer of the same person and day: the later stands."""
    key = (planned.person, planned.values["date"])
    if key not in latest:
        latest[key] = len(result.rows)
        result.rows.append(planned)
        return
    earlier = result.rows[latest[key]]
    entry = twice.setdefault(key, Twice(planned.person, key[1], earlier.row, []))
    if planned.at is not None and earlier.at is not None and planned.at < earlier.at:
        entry.dropped.append(planned.row)
        return
    entry.dropped.append(earlier.row)
    entry.kept = planned.row
    result.rows[latest[key]] = planned


def _clean_row(health: HealthService, number: int, person_id: str, day: str,
               cells: Mapping[str, object], at: dt.datetime | None,
               result: CheckinPlan, written: str = "") -> PlanRow | None:
    old = health.day(day).get(person_id)
    base = expand(old) if old is not None else CHECKIN.blank()
    values, problems = CHECKIN.clean({**cells, "date": day, "source": "import"}, base=base)
    if problems:
        result.bad.append(RowIssue(number, problems[0].key, written, problems=problems))
        return None
    return PlanRow(number, person_id, values, at, old is not None, written)


def concerns_of(doc: Mapping[str, Any] | None, settings: rules.HealthSettings) -> list[str]:
    """What makes a check-in worth a look (``CONCERNS`` codes)."""
    if doc is None:
        return []
    flags = rules.checkin_flags(doc, settings)
    out = [c for c in ("fever", "symptom", "risk_travel", "case_contact") if c in flags]
    group = rules.isolation_group(doc.get("isolation", ""))
    if group:
        out.append(group)
    return out


def _preview(result: CheckinPlan, health: HealthService, roster: RosterService,
             settings: rules.HealthSettings) -> None:
    deadline = settings.deadline_time
    planned: dict[str, set[str]] = {}
    for row in result.rows:
        day = row.values["date"]
        result.days[day] = result.days.get(day, 0) + 1
        planned.setdefault(day, set()).add(row.person)
        person = roster.person(row.person)
        if row.written and person is not None and \
                _name_key(row.written) != _name_key(person["name"]):
            result.renamed.append(row)
        when = dt.date.fromisoformat(day)
        if row.at is not None and (row.at.date() > when or
                                   (row.at.date() == when and row.at.time() > deadline)):
            result.late.append(row)
        now = concerns_of(row.values, settings)
        if now:
            before = concerns_of(health.get(when - dt.timedelta(days=1), row.person), settings)
            new = [c for c in now if c not in before]
            if new:
                result.concerns.append(Concern(row.person, day, new, row.values["temperature"]))
    active = [p.id for p in health.active_people()]
    for day, people in planned.items():
        stored = health.day(day)
        result.missing[day] = [p for p in active if p not in people and p not in stored]


def _import_day(day: dt.date | str, health: HealthService) -> str:
    if isinstance(day, dt.date):
        when = day
    else:
        parsed = dates.parse(day)
        if parsed is None or len(parsed) != 10:
            raise UserError("checkin.import.bad_day")
        when = dt.date.fromisoformat(parsed)
    if when > health.today():
        raise UserError("health.future_date")
    return when.isoformat()


def _row_day(given: str | None, date_cell: object, submitted: object, at: dt.datetime | None,
             today: dt.date) -> tuple[str, Problem | None]:
    if given is not None:
        return given, None
    if date_cell is not None:
        parsed = dates.parse(date_cell)
        if parsed is None or len(parsed) != 10:
            return "", Problem("field.date_invalid", "date", {}, Ref("checkin.field.date"))
        day = dt.date.fromisoformat(parsed)
    elif at is not None:
        day = rules.day_of(at)
    elif submitted is not None:
        return "", Problem("field.date_invalid", SUBMITTED, {}, Ref("checkin.import.submitted"))
    else:
        return "", Problem("checkin.import.row_without_date", "date")
    if day > today:
        return "", Problem("checkin.import.future_row", "date")
    return day.isoformat(), None


def assign(import_plan: CheckinPlan, health: HealthService, row: int, person_id: str) -> None:
    """Resolve an unmatched or ambiguous row by choosing its person by hand."""
    for issues in (import_plan.ambiguous, import_plan.unmatched):
        for issue in issues:
            if issue.row != row:
                continue
            cells = {k: v for k, v in issue.raw.items() if k != "date"}
            day = str(issue.raw["date"])
            if any(r.person == person_id and r.values["date"] == day for r in import_plan.rows):
                raise UserError("checkin.import.already_in_plan")
            planned = _clean_row(health, row, person_id, day, cells, issue.at, import_plan)
            issues.remove(issue)
            if planned is not None:
                import_plan.rows.append(planned)
                import_plan.days[day] = import_plan.days.get(day, 0) + 1
                missing = import_plan.missing.get(day, [])
                if person_id in missing:
                    missing.remove(person_id)
            return
    raise ValueError(f"row {row} is neither unmatched nor ambiguous")


def commit(health: HealthService, roster: RosterService, import_plan: CheckinPlan,
           progress: Callable[[int], None] | None = None) -> ImportResult:
    """Write the plan's matched rows as one batch: all or nothing. Refuses a
    plan made before the roster or the check-ins changed."""
    if import_plan.roster_version != roster.version or \
            import_plan.health_version != health.version:
        raise UserError("checkin.import.stale")
    if not import_plan.rows:
        raise UserError("checkin.import.nothing")
    rows = [(r.person, r.values) for r in import_plan.rows]
    times = {i: r.at for i, r in enumerate(import_plan.rows) if r.at is not None}
    health.write(rows, times=times)
    if progress:
        progress(len(rows))
    updated = sum(1 for r in import_plan.rows if r.existing)
    return ImportResult(len(rows) - updated, updated, import_plan.problems)


def remember(templates: TemplateStore, prepared: Prepared, mapping: Sequence[str | None],
             values: ValueMap, import_plan: CheckinPlan) -> Template:
    """Keep this import's column and answer choices as the questionnaire's template."""
    spellings = {k: dict(v) for k, v in (prepared.template.spellings.items()
                                          if prepared.template else ())}
    for key, texts in import_plan.spellings().items():
        spellings.setdefault(key, {}).update(texts)
    return templates.remember(
        prepared.sheet.headers, mapping, values, spellings, name=prepared.sheet.name,
        template_id=prepared.template.id if prepared.template else None)


def summary_counts(import_plan: CheckinPlan, roster: RosterService | None = None
                   ) -> dict[str, Any]:
    """The plan, for the CLI's --json (names where the roster is given)."""
    def name(person_id: str) -> str:
        person = roster.person(person_id) if roster is not None else None
        return person["name"] if person is not None else ""

    def issue(i: RowIssue) -> dict[str, Any]:
        out: dict[str, Any] = {"row": i.row, "written": i.written, "reason": i.key}
        if i.candidates:
            out["candidates"] = len(i.candidates)
        return out

    return {
        "file": import_plan.file,
        "matched": len(import_plan.rows),
        "updates": sum(1 for r in import_plan.rows if r.existing),
        "unmatched": [issue(i) for i in import_plan.unmatched],
        "ambiguous": [issue(i) for i in import_plan.ambiguous],
        "invalid": [issue(i) for i in import_plan.bad],
        "held": [{"field": h.key, "text": h.text, "rows": h.rows} for h in import_plan.held],
        "superseded": import_plan.superseded,
        "twice": [{"name": name(t.person), "date": t.day, "kept": t.kept,
                   "dropped": t.dropped} for t in import_plan.twice],
        "days": import_plan.days,
        "newly_abnormal": [{"name": name(c.person), "date": c.day, "reasons": c.reasons,
                            "temperature": c.temperature} for c in import_plan.concerns],
        "late": [{"name": name(r.person), "row": r.row,
                  "at": r.at.isoformat(sep=" ") if r.at else ""} for r in import_plan.late],
        "missing": {day: [name(p) for p in people]
                    for day, people in import_plan.missing.items()},
        "name_differs": [{"row": r.row, "written": r.written, "name": name(r.person)}
                         for r in import_plan.renamed],
    }

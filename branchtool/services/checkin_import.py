"""Importing a day's check-ins from a survey export (.csv/.xlsx: 问卷星, 腾讯问卷,
a class's own sheet).

Three steps, so a screen can show each: ``read`` the file and guess which
column is which (check-in fields, the columns that identify the person, the
submission time); ``plan`` (every row matched to a roster person by ID number,
phone or name, and checked: ambiguous, unmatched and invalid rows listed with
their row numbers); ``commit`` the matched rows as ONE journal batch.

The day of a row is ``day`` when given, else the row's date column, else the
local day of its submission time (an answer sent at 00:00 counts for the new
day). A person answering twice for a day: the later answer wins.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from branchtool import i18n, tables
from branchtool.errors import UserError
from branchtool.records import checks, dates
from branchtool.records.checkin import CHECKIN, expand
from branchtool.records.fields import Problem, Ref, _catalog_variants, _fold
from branchtool.records.person import ACTIVE, PERSON
from branchtool.services import health_rules as rules
from branchtool.services.health import HealthService
from branchtool.services.roster import RosterService
from branchtool.services.roster_io import BadRow
from branchtool.tables import Sheet

PERSON_KEYS = ("name", "id_number", "phone")
SUBMITTED = "submitted"
# Survey tools number their questions: "1、姓名", "Q2. 体温", "3．症状".
_NUMBERING = re.compile(r"^\s*(?:Q?\d+|[一二三四五六七八九十]+)\s*[、.．:：)）]\s*", re.IGNORECASE)
_MOMENT = re.compile(r"(.*?)[\sT]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?")
# Imported check-ins say where they came from; a survey's own "来源" column
# (the channel it was answered on) is not that.
_NOT_IMPORTED = ("source",)

# Why a row could not be matched to one person (catalog keys).
NO_MATCH = "checkin.import.no_match"
ARCHIVED = "checkin.import.archived"
SEVERAL = "checkin.import.several"
MISMATCH = "checkin.import.name_mismatch"


def _submitted_headers() -> set[str]:
    return {_fold(v) for v in _catalog_variants("checkin.import.submitted")}


def match_header(header: str) -> str | None:
    """The field a survey column holds: a person key, ``"submitted"``, or a
    check-in field."""
    text = _NUMBERING.sub("", header)
    if not _fold(text):
        return None
    key = PERSON.match_header(text)
    if key in PERSON_KEYS:
        return key
    if _fold(text) in _submitted_headers():
        return SUBMITTED
    key = CHECKIN.match_header(text)
    return key if key not in _NOT_IMPORTED else None


def read(path: str | os.PathLike[str],
         sheet_name: str | None = None) -> tuple[Sheet, list[str | None]]:
    sheet = tables.read_sheet(path, match_header, sheet=sheet_name)
    return sheet, guess_mapping(sheet.headers)


def guess_mapping(headers: Sequence[str]) -> list[str | None]:
    taken: set[str] = set()
    mapping: list[str | None] = []
    for header in headers:
        key = match_header(header) if header else None
        if key in taken:
            key = None
        if key:
            taken.add(key)
        mapping.append(key)
    return mapping


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


@dataclass
class PlanRow:
    row: int  # as the spreadsheet numbers it
    person: str
    values: dict[str, str]  # the clean check-in (``date`` included)
    at: dt.datetime | None = None  # the submission time, when the sheet has one
    existing: bool = False  # the person already has a check-in that day


@dataclass
class RowIssue:
    """A row matched to nobody or to several people; ``written`` is the name
    the row gives (shown beside the row number so it can be found)."""

    row: int
    key: str
    written: str = ""
    candidates: list[str] = field(default_factory=list)
    raw: dict[str, object] = field(default_factory=dict)  # the row's check-in cells

    def reason(self) -> str:
        return i18n.t(self.key, count=len(self.candidates))


@dataclass
class CheckinPlan:
    file: str
    rows: list[PlanRow] = field(default_factory=list)
    unmatched: list[RowIssue] = field(default_factory=list)
    ambiguous: list[RowIssue] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)
    superseded: list[int] = field(default_factory=list)  # rows a later answer replaced
    days: dict[str, int] = field(default_factory=dict)  # day -> rows
    roster_version: int = 0
    health_version: int = 0

    @property
    def problems(self) -> int:
        return len(self.unmatched) + len(self.ambiguous) + len(self.bad)


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    skipped: int  # unmatched, ambiguous and invalid rows left out


class _Matcher:
    """Finds a row's person: by ID number, else phone, else name."""

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

    def match(self, cells: Mapping[str, object]) -> tuple[str | None, str, list[str]]:
        """(person id, reason key if none, candidates)."""
        name = _name_key(str(cells.get("name") or ""))
        id_text = checks.normalize_id(str(cells.get("id_number") or ""))
        if id_text:
            found = self.roster.find_id_number(id_text)
            if found is not None:
                person = self.roster.person(found)
                if person is None or person.status != ACTIVE:
                    return None, ARCHIVED, []
                if name and _name_key(person["name"]) != name:
                    return None, MISMATCH, [found]
                return found, "", []
        phone = checks.normalize_phone(str(cells.get("phone") or ""))
        if phone:
            ids = self.by_phone.get(phone, [])
            if len(ids) == 1:
                person = self.roster.person(ids[0])
                if name and person is not None and _name_key(person["name"]) != name:
                    return None, MISMATCH, ids
                return ids[0], "", []
        if name:
            ids = self.by_name.get(name, [])
            if len(ids) == 1:
                return ids[0], "", []
            if len(ids) > 1:
                return None, SEVERAL, list(ids)
        return None, NO_MATCH, []


def _name_key(name: str) -> str:
    return "".join(name.split())


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def plan(health: HealthService, roster: RosterService, sheet: Sheet,
         mapping: Sequence[str | None], day: dt.date | str | None = None) -> CheckinPlan:
    """Match and check every row; nothing is written. Empty rows are ignored."""
    if len(mapping) != len(sheet.headers):
        raise ValueError("one mapping entry per column")
    if not any(key in PERSON_KEYS for key in mapping):
        raise UserError("checkin.import.no_person_column")
    when = _import_day(day, health) if day is not None else None
    if when is None and "date" not in mapping and SUBMITTED not in mapping:
        raise UserError("checkin.import.no_date")
    today = health.today()
    columns = [(i, key) for i, key in enumerate(mapping) if key]
    matcher = _Matcher(roster)
    result = CheckinPlan(sheet.name, roster_version=roster.version,
                         health_version=health.version)
    latest: dict[tuple[str, str], int] = {}  # (person, day) -> index in result.rows
    for number, row in sheet.rows:
        cells = {key: row[i] for i, key in columns if not _blank(row[i])}
        if not cells:
            continue
        person_cells = {k: cells.pop(k) for k in PERSON_KEYS if k in cells}
        submitted = cells.pop(SUBMITTED, None)
        at = parse_moment(submitted) if submitted is not None else None
        row_day, problem = _row_day(when, cells.pop("date", None), submitted, at, today)
        if problem is not None:
            result.bad.append(BadRow(number, [problem]))
            continue
        person_id, reason, candidates = matcher.match(person_cells)
        if person_id is None:
            issue = RowIssue(number, reason, str(person_cells.get("name") or "").strip(),
                             candidates, {**cells, "date": row_day})
            (result.ambiguous if candidates else result.unmatched).append(issue)
            continue
        planned = _clean_row(health, number, person_id, row_day, cells, at, result)
        if planned is None:
            continue
        key = (person_id, row_day)
        if key in latest:
            earlier = result.rows[latest[key]]
            if at is not None and earlier.at is not None and at < earlier.at:
                result.superseded.append(number)
                continue
            result.superseded.append(earlier.row)
            result.rows[latest[key]] = planned
        else:
            latest[key] = len(result.rows)
            result.rows.append(planned)
    for planned in result.rows:
        result.days[planned.values["date"]] = result.days.get(planned.values["date"], 0) + 1
    return result


def _clean_row(health: HealthService, number: int, person_id: str, day: str,
               cells: Mapping[str, object], at: dt.datetime | None,
               result: CheckinPlan) -> PlanRow | None:
    old = health.day(day).get(person_id)
    base = expand(old) if old is not None else CHECKIN.blank()
    values, problems = CHECKIN.clean({**cells, "date": day, "source": "import"}, base=base)
    if problems:
        result.bad.append(BadRow(number, problems))
        return None
    return PlanRow(number, person_id, values, at, old is not None)


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
            planned = _clean_row(health, row, person_id, day, cells, None, import_plan)
            issues.remove(issue)
            if planned is not None:
                import_plan.rows.append(planned)
                import_plan.days[day] = import_plan.days.get(day, 0) + 1
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


def summary_counts(import_plan: CheckinPlan) -> dict[str, Any]:
    """The plan's counts, for the CLI's report and its --json."""
    return {
        "file": import_plan.file,
        "matched": len(import_plan.rows),
        "updates": sum(1 for r in import_plan.rows if r.existing),
        "unmatched": [{"row": i.row, "reason": i.key} for i in import_plan.unmatched],
        "ambiguous": [{"row": i.row, "reason": i.key, "candidates": len(i.candidates)}
                      for i in import_plan.ambiguous],
        "invalid": [{"row": b.row, "reason": b.problems[0].key} for b in import_plan.bad],
        "superseded": import_plan.superseded,
        "days": import_plan.days,
    }

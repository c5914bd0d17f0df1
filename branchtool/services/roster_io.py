"""Importing a roster from a spreadsheet, and exporting it.

Import is three steps so a screen can show each one: ``read`` the file and
guess which column is which field, ``plan`` (every row parsed and checked:
new people, people already on the roster by ID number, bad rows with their row
number and reason), then ``commit`` the plan as ONE journal batch.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from branchtool import i18n, tables
from branchtool.errors import UserError
from branchtool.records.fields import FieldDef, Kind, Problem, Ref, first_only, problems_text
from branchtool.records.person import PERSON
from branchtool.services.roster import ALL_STATUSES, Person, RosterQuery, RosterService
from branchtool.tables import Sheet

SKIP, UPDATE = "skip", "update"


def read(path: str | os.PathLike[str],
         sheet_name: str | None = None) -> tuple[Sheet, list[str | None]]:
    """The sheet in ``path`` (in a workbook: ``sheet_name``, else the one
    whose headers name roster fields) and the field each column seems to hold."""
    sheet = tables.read_sheet(path, PERSON.match_header, sheet=sheet_name)
    return sheet, guess_mapping(sheet.headers)


def guess_mapping(headers: Sequence[str]) -> list[str | None]:
    """The field each header names; a field is given to its first column only."""
    return first_only(PERSON.match_header(h) if h else None for h in headers)


@dataclass
class ImportRow:
    row: int  # as the spreadsheet numbers it
    values: dict[str, str]  # the clean record (merged over the existing one for duplicates)
    existing: str | None = None  # the id of the person with the same ID number
    changed: bool = True  # for a duplicate: the sheet brings something new


@dataclass
class BadRow:
    row: int
    problems: list[Problem]

    def reason(self) -> str:
        return problems_text(self.problems)


@dataclass
class ImportPlan:
    file: str
    new: list[ImportRow] = field(default_factory=list)
    duplicates: list[ImportRow] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)
    roster_version: int = 0

    @property
    def rows(self) -> int:
        return len(self.new) + len(self.duplicates) + len(self.bad)

    @property
    def changed(self) -> list[ImportRow]:
        """The duplicates whose row would change the person on the roster."""
        return [r for r in self.duplicates if r.changed]

    def importable(self, on_duplicate: str) -> bool:
        return bool(self.new or (on_duplicate == UPDATE and self.changed))


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    skipped: int
    bad: int


def plan(roster: RosterService, sheet: Sheet, mapping: Sequence[str | None],
         defaults: Mapping[str, str] | None = None) -> ImportPlan:
    """Parse and check every row. ``defaults`` fill empty cells (e.g. every
    row of a class list is a student). Empty rows are ignored."""
    if "name" not in mapping:
        raise UserError("roster.import.no_name_column")
    if len(mapping) != len(sheet.headers):
        raise ValueError("one mapping entry per column")
    columns = [(i, key) for i, key in enumerate(mapping) if key]
    defaults = dict(defaults or {})
    result = ImportPlan(sheet.name, roster_version=roster.version)
    first_row_of: dict[tuple[str, str], int] = {}
    for number, cells in sheet.rows:
        raw: dict[str, object] = {}
        for i, key in columns:
            cell = cells[i]
            if cell is not None and not (isinstance(cell, str) and not cell.strip()):
                raw[key] = cell
        if not raw:
            continue
        for key, value in defaults.items():
            raw.setdefault(key, value)
        existing, keys = _existing(roster, raw)
        values, problems = roster.clean(raw, existing)
        for key, value in keys:  # an ID number or 学号 twice in the file
            if (key, value) in first_row_of:
                problems.append(Problem("roster.import.repeated_id", key,
                                        {"row": first_row_of[key, value]},
                                        Ref(f"person.field.{key}")))
            else:
                first_row_of[key, value] = number
        if problems:
            result.bad.append(BadRow(number, problems))
        elif existing is not None:
            current = roster.get(existing) or {}
            changed = any(current.get(k, "") != v for k, v in values.items())
            result.duplicates.append(ImportRow(number, values, existing, changed))
        else:
            result.new.append(ImportRow(number, values))
    return result


def _existing(roster: RosterService, raw: Mapping[str, object]
              ) -> tuple[str | None, list[tuple[str, str]]]:
    """The person already on the roster that the row is (by ID number, else by
    学号/工号), and the row's valid identifiers."""
    keys: list[tuple[str, str]] = []
    existing = None
    for key, find in (("id_number", roster.find_id_number),
                      ("school_number", roster.find_school_number)):
        value, problem = PERSON.field(key).parse(raw.get(key))
        if value and not problem:
            keys.append((key, value))
            existing = existing or find(value)
    return existing, keys


def commit(roster: RosterService, import_plan: ImportPlan, on_duplicate: str = SKIP,
           progress: Callable[[int], None] | None = None) -> ImportResult:
    """Write the plan's new people (and, with ``UPDATE``, the duplicates whose
    row brings something new) as one atomic batch. Raises if the roster
    changed since planning."""
    if on_duplicate not in (SKIP, UPDATE):
        raise ValueError(on_duplicate)
    if import_plan.roster_version != roster.version:
        raise UserError("roster.import.stale")
    if not import_plan.importable(on_duplicate):
        raise UserError("roster.import.nothing")
    updates = ([(r.existing, r.values) for r in import_plan.changed if r.existing]
               if on_duplicate == UPDATE else [])
    added, updated = roster.write_batch([r.values for r in import_plan.new], updates, progress)
    skipped = len(import_plan.duplicates) - updated
    return ImportResult(added, updated, skipped, len(import_plan.bad))


# -- export --------------------------------------------------------------------
def _export_value(fdef: FieldDef, value: str) -> object:
    """Choices by their label; everything else as stored (every cell of an
    export is text: ``tables.write_sheet``)."""
    if fdef.kind is Kind.CHOICE:
        return fdef.choice_label(value)
    return value


def export(roster: RosterService, path: str | os.PathLike[str],
           people: Sequence[Person] | None = None) -> int:
    """Write ``people`` (default: everyone, archived included, in pinyin
    order) with every field, headed and labelled in the current language, so
    that importing the file again gives the same records."""
    if people is None:
        people = roster.query(RosterQuery(status=ALL_STATUSES))
    columns = [tables.Column(f.label, max(f.width, 10) + 2) for f in PERSON.fields]
    rows = ([_export_value(f, person[f.key]) for f in PERSON.fields] for person in people)
    return tables.write_sheet(path, columns, rows, title=i18n.t("roster.export.sheet_title"))

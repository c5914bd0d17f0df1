"""The office's tables: their columns (labels from the catalogs, widths in
terminal cells) and the rows ``RecordTable`` draws, one visible line at a time.

Nothing is cut: ``fit`` widens each column to its longest cell (up to the
column's limit, past which a cell ends in "…"), and a screen too narrow for
every column drops the least important ones whole — Enter on a row shows all
of it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.cells import cell_len

from branchtool import i18n
from branchtool.office import imports, present
from branchtool.office.abnormal import AbnormalPerson
from branchtool.office.importer import FileResult
from branchtool.office.present import DASH, field_label, kind_label, show_value  # noqa: F401
from branchtool.office.status import BranchRow
from branchtool.office.trust import current_key
from branchtool.records.fields import FieldDef
from screens.cell_fit import cut
from screens.record_table import RecordTable

COLUMN_RECORD = "office_col"  # labels: office_col.field.<key>


class OfficeTable(RecordTable):
    """The office's tables: rows drawn beside the scrollbar, not under it (a
    long list's last column is not cut by it)."""

    def row_width(self) -> int:
        return self.scrollable_size.width


def col(key: str, width: int, priority: int = 50) -> FieldDef:
    """A column at least ``width`` cells wide (``fit`` widens it to its cells)."""
    return FieldDef(key, width=width, priority=priority, record=COLUMN_RECORD)


# The most cells a column grows to; past that a cell ends in "…" (the others
# grow as wide as their longest cell).
LIMITS = {"name": 40, "secretary": 12, "phone": 20, "missing": 16, "person": 16,
          "symptoms": 30, "reasons": 40, "file": 60, "subject": 30, "fields": 40,
          "message": 50}

BRANCH_COLUMNS = (col("code", 4, 100), col("name", 8, 90), col("arrival", 6, 95),
                  col("secretary", 4, 75), col("phone", 4, 80),
                  col("sequence", 3, 55), col("period", 10, 30), col("missing", 4, 60),
                  col("fever", 2, 70), col("alerts", 2, 50), col("changes", 2, 45),
                  col("key", 4, 40))
ABNORMAL_COLUMNS = (col("code", 4, 100), col("name", 8, 60), col("person", 4, 95),
                    col("temperature", 4, 90), col("symptoms", 4, 70),
                    col("reasons", 4, 85))
IMPORT_COLUMNS = (col("file", 10, 80), col("verdict", 4, 100), col("code", 4, 90),
                  col("sequence", 3, 85), col("message", 10, 70))
LOG_IMPORT_COLUMNS = (col("time", 8, 60), col("file", 10, 80), col("verdict", 4, 100),
                      col("code", 4, 90), col("sequence", 3, 50), col("message", 10, 70))
TRUST_COLUMNS = (col("code", 4, 100), col("name", 8, 90), col("status", 4, 95),
                 col("fingerprint", 39, 80), col("since", 8, 40), col("keys", 2, 30))
LOG_COLUMNS = (col("time", 8, 90), col("code", 4, 100), col("event", 4, 95),
               col("fingerprint", 39, 80))
BUNDLE_COLUMNS = (col("sequence", 3, 100), col("period", 10, 90), col("created", 8, 80),
                  col("imported", 8, 60), col("redaction", 4, 50), col("missing", 4, 70),
                  col("changes", 2, 75))
CHANGE_COLUMNS = (col("imported", 8, 40), col("sequence", 3, 60), col("kind", 4, 95),
                  col("subject", 4, 99), col("op", 4, 70), col("fields", 10, 85),
                  col("when", 8, 80))


@dataclass(frozen=True)
class Line:
    """One table row: its id and the text of each column."""

    id: str
    values: tuple[str, ...]
    muted: bool = False

    def cells(self) -> tuple[str, ...]:
        return self.values


def fit(columns: Sequence[FieldDef], lines: Sequence[Line], width: int = 0
        ) -> tuple[tuple[FieldDef, ...], list[Line]]:
    """The columns as wide as their longest cell (up to each one's limit) and
    the lines, a cell past its column's limit ending in "…". ``width``: the
    table's, when known: the last column may then take what the others leave."""
    widths = [c.column_width() for c in columns]
    limits = [LIMITS.get(c.key, 0) for c in columns]
    if width and limits[-1]:
        for line in lines:
            for n, text in enumerate(line.values[:-1]):
                widths[n] = max(widths[n], min(cell_len(text), limits[n] or cell_len(text)))
        left = width - 4 - sum(w + 1 for w in widths[:-1])  # and a scrollbar
        limits[-1] = max(12, left)  # what the others leave, or drop it (Enter shows it)
    for line in lines:
        for n, text in enumerate(line.values):
            size = cell_len(text)
            if size > widths[n]:
                widths[n] = min(size, limits[n]) if limits[n] else size
    fitted = tuple(dataclasses.replace(c, width=w) for c, w in zip(columns, widths,
                                                                    strict=True))
    if not any(limits):
        return fitted, list(lines)
    shown = [dataclasses.replace(line, values=tuple(
        cut(text, w) if limit and cell_len(text) > w else text
        for text, w, limit in zip(line.values, widths, limits, strict=True)))
        for line in lines]
    return fitted, shown


def contact_name(row: BranchRow) -> str:
    return row.contact.get("name") or DASH


def contact_phone(row: BranchRow) -> str:
    return row.contact.get("phone") or DASH


def fever(row: BranchRow) -> str:
    return present.count(row.health.get("fever")) if row.health else DASH


def branch_line(row: BranchRow) -> Line:
    return Line(row.code, (row.code, row.name, present.arrival(row), contact_name(row),
                           contact_phone(row), present.count(row.last_sequence),
                           present.period(row), present.missing(row), fever(row),
                           present.count(row.open_alerts), str(row.changes_last),
                           present.key_status(row)),
                muted=row.key_status != "current" or not (row.expected or row.reported))


def abnormal_line(index: int, person: AbnormalPerson) -> Line:
    return Line(f"{person.code}|{index}", (person.code, person.branch, person.name,
                                           person.temperature or DASH,
                                           person.symptoms or DASH, person.reasons_text()))


def import_line(index: int, result: FileResult) -> Line:
    return Line(str(index), (imports.printable(Path(result.file).name),
                             i18n.t(f"office.verdict.{result.verdict}"),
                             result.branch or DASH,
                             present.count(result.sequence), result.message()),
                muted=result.verdict == "duplicate")


def log_import_line(entry: Mapping[str, Any]) -> Line:
    """A file of the import log."""
    return Line(entry["id"], (present.when(entry["time"]), entry["file"],
                              i18n.t(f"office.verdict.{entry['verdict']}"),
                              entry.get("branch") or DASH,
                              present.count(entry.get("sequence")), imports.message(entry)))


def trust_line(branch: Mapping[str, Any]) -> Line:
    key = current_key(dict(branch))
    status = i18n.t(f"office.key_status.{'active' if key else 'revoked'}")
    return Line(branch["code"], (branch["code"], branch["name"], status,
                                 key["fingerprint"] if key else DASH,
                                 present.when(key["since"] if key else None),
                                 str(len(branch["keys"]))), muted=key is None)


def log_line(event: Mapping[str, Any]) -> Line:
    return Line(event["id"], (present.when(event["time"]), event["branch"],
                              i18n.t(f"office.trust_event.{event['event']}"),
                              event["fingerprint"]))


def bundle_line(bundle: Mapping[str, Any]) -> Line:
    period = bundle["period"]
    span = period["from"] if period["from"] == period["to"] else \
        f"{period['from']}..{period['to']}"
    missing = ", ".join(str(n) for n in bundle.get("missing", [])) or DASH
    return Line(bundle["id"], (str(bundle["sequence"]), span, present.when(bundle["created"]),
                               present.when(bundle["imported"]),
                               i18n.t(f"office_ui.redaction.{bundle['redaction']}"),
                               missing, str(bundle.get("changes", 0))))


def change_line(change: Mapping[str, Any], names: Mapping[str, str]) -> Line:
    record = present.record_of(change["kind"])
    fields = i18n.t("office.list_separator").join(
        field_label(record, k) for k in present.change_keys(change))
    return Line(change["id"], (present.when(change["imported"]), str(change["sequence"]),
                               kind_label(change["kind"]),
                               present.change_subject(change, names),
                               i18n.t(f"office_ui.op.{change['op']}"), fields or DASH,
                               present.when(change.get("time"))))


PERSON_COLUMN = col("person", 8, 99)  # the person a record is about, by name


@dataclass(frozen=True)
class RecordLine:
    """A reported record, drawn with its definition's columns (a person it
    refers to by id shown by name, from the branch's reported roster)."""

    id: str
    doc: Mapping[str, Any]
    columns: tuple[FieldDef, ...]
    names: Mapping[str, str] = field(default_factory=dict)

    def cells(self) -> tuple[str, ...]:
        out = []
        for column in self.columns:
            value = str(self.doc.get(column.key, "") or "")
            out.append(self.names.get(value, value) if column is PERSON_COLUMN
                       else column.display(value))
        return tuple(out)

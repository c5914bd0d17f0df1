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
    """One table row: its id and the text of each column, by column key."""

    id: str
    values: Mapping[str, str]
    muted: bool = False

    def cell(self, key: str) -> str:
        return self.values.get(key, "")


def fit(columns: Sequence[FieldDef], lines: Sequence[Line], width: int = 0
        ) -> tuple[tuple[FieldDef, ...], list[Line]]:
    """The columns as wide as their longest cell (up to each one's limit) and
    the lines, a cell past its column's limit ending in "…". ``width``: the
    table's, when known: the last column may then take what the others leave."""
    widths = {c.key: c.column_width() for c in columns}
    limits = {c.key: LIMITS.get(c.key, 0) for c in columns}
    last = columns[-1].key if columns else ""
    if width and limits.get(last):
        for line in lines:
            for c in columns[:-1]:
                text = line.cell(c.key)
                widths[c.key] = max(widths[c.key],
                                    min(cell_len(text), limits[c.key] or cell_len(text)))
        left = width - 4 - sum(widths[c.key] + 1 for c in columns[:-1])  # and a scrollbar
        limits[last] = max(12, left)  # what the others leave, or drop it (Enter shows it)
    for line in lines:
        for c in columns:
            size = cell_len(line.cell(c.key))
            if size > widths[c.key]:
                widths[c.key] = min(size, limits[c.key]) if limits[c.key] else size
    fitted = tuple(dataclasses.replace(c, width=widths[c.key]) for c in columns)
    if not any(limits.values()):
        return fitted, list(lines)
    shown = [dataclasses.replace(line, values={
        c.key: cut(text, widths[c.key]) if limits[c.key] and cell_len(text) > widths[c.key]
        else text for c in columns for text in (line.cell(c.key),)})
        for line in lines]
    return fitted, shown


def contact_name(row: BranchRow) -> str:
    return row.contact.get("name") or DASH


def contact_phone(row: BranchRow) -> str:
    return row.contact.get("phone") or DASH


def fever(row: BranchRow) -> str:
    return present.count(row.health.get("fever")) if row.health else DASH


def branch_line(row: BranchRow) -> Line:
    return Line(row.code, {
        "code": row.code, "name": row.name, "arrival": present.arrival(row),
        "secretary": contact_name(row), "phone": contact_phone(row),
        "sequence": present.count(row.last_sequence), "period": present.period(row),
        "missing": present.missing(row), "fever": fever(row),
        "alerts": present.count(row.open_alerts), "changes": str(row.changes_last),
        "key": present.key_status(row)},
                muted=row.key_status != "current" or not (row.expected or row.reported))


def abnormal_line(index: int, person: AbnormalPerson) -> Line:
    return Line(f"{person.code}|{index}", {
        "code": person.code, "name": person.branch, "person": person.name,
        "temperature": person.temperature or DASH, "symptoms": person.symptoms or DASH,
        "reasons": person.reasons_text()})


def import_line(index: int, result: FileResult) -> Line:
    return Line(str(index), {
        "file": imports.printable(Path(result.file).name),
        "verdict": i18n.t(f"office.verdict.{result.verdict}"), "code": result.branch or DASH,
        "sequence": present.count(result.sequence), "message": result.message()},
                muted=result.verdict == "duplicate")


def log_import_line(entry: Mapping[str, Any]) -> Line:
    """A file of the import log."""
    return Line(entry["id"], {
        "time": present.when(entry["time"]), "file": entry["file"],
        "verdict": i18n.t(f"office.verdict.{entry['verdict']}"),
        "code": entry.get("branch") or DASH, "sequence": present.count(entry.get("sequence")),
        "message": imports.message(entry)})


def trust_line(branch: Mapping[str, Any]) -> Line:
    key = current_key(dict(branch))
    status = i18n.t(f"office.key_status.{'active' if key else 'revoked'}")
    return Line(branch["code"], {
        "code": branch["code"], "name": branch["name"], "status": status,
        "fingerprint": key["fingerprint"] if key else DASH,
        "since": present.when(key["since"] if key else None),
        "keys": str(len(branch["keys"]))}, muted=key is None)


def log_line(event: Mapping[str, Any]) -> Line:
    return Line(event["id"], {
        "time": present.when(event["time"]), "code": event["branch"],
        "event": i18n.t(f"office.trust_event.{event['event']}"),
        "fingerprint": event["fingerprint"]})


def bundle_line(bundle: Mapping[str, Any]) -> Line:
    period = bundle["period"]
    span = period["from"] if period["from"] == period["to"] else \
        f"{period['from']}..{period['to']}"
    missing = ", ".join(str(n) for n in bundle.get("missing", [])) or DASH
    return Line(bundle["id"], {
        "sequence": str(bundle["sequence"]), "period": span,
        "created": present.when(bundle["created"]), "imported": present.when(bundle["imported"]),
        "redaction": i18n.t(f"office_ui.redaction.{bundle['redaction']}"),
        "missing": missing, "changes": str(bundle.get("changes", 0))})


def change_line(change: Mapping[str, Any], names: Mapping[str, str]) -> Line:
    record = present.record_of(change["kind"])
    fields = i18n.t("office.list_separator").join(
        field_label(record, k) for k in present.change_keys(change))
    return Line(change["id"], {
        "imported": present.when(change["imported"]), "sequence": str(change["sequence"]),
        "kind": kind_label(change["kind"]), "subject": present.change_subject(change, names),
        "op": i18n.t(f"office_ui.op.{change['op']}"), "fields": fields or DASH,
        "when": present.when(change.get("time"))})


PERSON_COLUMN = col("person", 8, 99)  # the person a record is about, by name


@dataclass(frozen=True)
class RecordLine:
    """A reported record, drawn with its definition's columns (a person it
    refers to by id shown by name, from the branch's reported roster)."""

    id: str
    doc: Mapping[str, Any]
    columns: tuple[FieldDef, ...]
    names: Mapping[str, str] = field(default_factory=dict)

    def cell(self, key: str) -> str:
        value = str(self.doc.get(key, "") or "")
        column = next((c for c in self.columns if c.key == key), None)
        if column is PERSON_COLUMN:
            return self.names.get(value, value)
        return column.display(value) if column is not None else value

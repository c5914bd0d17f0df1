"""The office's tables: their columns (labels from the catalogs, widths in
terminal cells) and the rows ``RecordTable`` draws, one visible line at a time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from branchtool import i18n
from branchtool.office import present
from branchtool.office.importer import FileResult
from branchtool.office.status import BranchRow
from branchtool.office.trust import current_key
from branchtool.records.fields import FieldDef, RecordDef

COLUMN_RECORD = "office_col"  # labels: office_col.field.<key>


def col(key: str, width: int, priority: int = 50) -> FieldDef:
    return FieldDef(key, width=width, priority=priority, record=COLUMN_RECORD)


BRANCH_COLUMNS = (col("code", 8, 100), col("name", 16, 90), col("arrival", 16, 95),
                  col("sequence", 5, 70), col("period", 21, 30), col("missing", 9, 60),
                  col("alerts", 5, 50), col("changes", 5, 45), col("key", 10, 65))
IMPORT_COLUMNS = (col("file", 28, 80), col("verdict", 8, 100), col("code", 8, 90),
                  col("sequence", 5, 85), col("message", 30, 70))
TRUST_COLUMNS = (col("code", 8, 100), col("name", 16, 90), col("status", 10, 95),
                 col("fingerprint", 39, 80), col("since", 16, 40), col("keys", 4, 30))
LOG_COLUMNS = (col("time", 16, 90), col("code", 8, 100), col("event", 12, 95),
               col("fingerprint", 39, 80))
BUNDLE_COLUMNS = (col("sequence", 5, 100), col("period", 21, 90), col("created", 16, 80),
                  col("imported", 16, 60), col("redaction", 8, 50), col("missing", 9, 70),
                  col("changes", 5, 75))
CHANGE_COLUMNS = (col("imported", 16, 60), col("sequence", 5, 90), col("kind", 10, 95),
                  col("op", 6, 100), col("fields", 30, 85), col("when", 16, 40))


@dataclass(frozen=True)
class Line:
    """One table row: its id and the text of each column."""

    id: str
    values: tuple[str, ...]
    muted: bool = False

    def cells(self) -> tuple[str, ...]:
        return self.values


def branch_line(row: BranchRow) -> Line:
    return Line(row.code, (row.code, row.name, present.arrival(row),
                           present.count(row.last_sequence), present.period(row),
                           present.missing(row), present.count(row.open_alerts),
                           str(row.changes_last), present.key_status(row)),
                muted=row.key_status != "current")


def import_line(index: int, result: FileResult) -> Line:
    return Line(str(index), (Path(result.file).name,
                             i18n.t(f"office.verdict.{result.verdict}"),
                             result.branch or present.DASH,
                             present.count(result.sequence), result.message()),
                muted=result.verdict == "duplicate")


def trust_line(branch: Mapping[str, Any]) -> Line:
    key = current_key(dict(branch))
    status = i18n.t(f"office.key_status.{'active' if key else 'revoked'}")
    return Line(branch["code"], (branch["code"], branch["name"], status,
                                 key["fingerprint"] if key else present.DASH,
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
    missing = ", ".join(str(n) for n in bundle.get("missing", [])) or present.DASH
    return Line(bundle["id"], (str(bundle["sequence"]), span, present.when(bundle["created"]),
                               present.when(bundle["imported"]),
                               i18n.t(f"office_ui.redaction.{bundle['redaction']}"),
                               missing, str(bundle.get("changes", 0))))


def kind_label(kind: str) -> str:
    key = f"bundle.kind.{kind}"
    return i18n.t(key) if key in i18n.catalog(i18n.language()) else kind


def change_line(change: Mapping[str, Any], fields: Sequence[str]) -> Line:
    return Line(change["id"], (present.when(change["imported"]), str(change["sequence"]),
                               kind_label(change["kind"]),
                               i18n.t(f"office_ui.op.{change['op']}"),
                               ", ".join(fields), present.when(change.get("time"))))


def field_label(record: RecordDef | None, key: str) -> str:
    if record is not None and key in record.by_key:
        return record.field(key).label
    return key


def show_value(record: RecordDef | None, key: str, value: Any) -> str:
    """A reported value as the branch's screens would show it."""
    if value is None:
        return present.DASH
    if not isinstance(value, str):
        return str(value)
    if record is not None and key in record.by_key:
        return record.field(key).display(value)
    return value


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

"""The college summary of a day, as the office hands it upward: the tables
and facts, and the .md text; ``summary_file`` writes it as .xlsx
(``summary_xlsx``: a sheet per topic, a row per branch, the college's
totals), the college's daily report as .docx (``summary_docx``: an official
document's layout) or .md. Besides the counts, the named list of the abnormal (``abnormal``), at the
redaction each branch chose.

The tables are typed: a count is a number, a rate a fraction (the .xlsx
stores numbers as numbers and rates as percentages), an unknown ``None``
(shown "—").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from branchtool import i18n
from branchtool.office.abnormal import AbnormalList
from branchtool.office.present import (
    DASH,
    arrival,
    key_status,
    missing,
    percent,
    period,
    rate_line,
    totals_lines,
    when,
)
from branchtool.office.status import BranchRow, Overview

if TYPE_CHECKING:
    from branchtool.office.service import OfficeService

TEXT, COUNT, RATE = "text", "count", "rate"


@dataclass(frozen=True)
class Column:
    key: str  # its header: office.col.<key>
    kind: str = TEXT

    @property
    def header(self) -> str:
        return i18n.t(f"office.col.{self.key}")


@dataclass
class Table:
    key: str  # its title: office.sheet.<key>
    columns: list[Column]
    rows: list[list[Any]]
    totals: list[Any] | None = None  # the college's row
    note: str = ""  # a line under the table

    @property
    def title(self) -> str:
        return i18n.t(f"office.sheet.{self.key}")

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


@dataclass
class Summary:
    """Everything one day's summary says."""

    office: str
    overview: Overview
    abnormal: AbnormalList
    tables: list[Table] = field(default_factory=list)

    @property
    def day(self) -> dt.date:
        return dt.date.fromisoformat(self.overview.date)

    @property
    def title(self) -> str:
        return i18n.t("office.summary.title", office=self.office)

    @property
    def date_line(self) -> str:
        return i18n.t("office.summary.date", date=i18n.format_date(self.day),
                      deadline=self.overview.deadline)


def shown(value: Any, column: Column) -> str:
    """A cell as text (Markdown, .docx)."""
    if value is None:
        return DASH
    if column.kind == RATE:
        return percent(value)
    return str(value)


def _health(row: BranchRow, key: str) -> int | None:
    return row.health.get(key) if row.health else None


def _share(part: int | None, whole: int | None) -> float | None:
    return part / whole if part is not None and whole else None


def _sum(values: list[Any]) -> int | None:
    numbers = [v for v in values if isinstance(v, int)]
    return sum(numbers) if numbers else None


def _totals(rows: list[list[Any]], columns: list[Column], label: str) -> list[Any]:
    """The college's row: the label under the name, each count summed."""
    out: list[Any] = []
    for n, column in enumerate(columns):
        if n == 1:
            out.append(label)
        elif column.kind == COUNT:
            out.append(_sum([row[n] for row in rows]))
        else:
            out.append(None if column.kind == RATE else "")
    return out


def _rate_total(totals: list[Any], columns: list[Column], part: str, whole: str) -> None:
    keys = [c.key for c in columns]
    for n, column in enumerate(columns):
        if column.kind == RATE:
            totals[n] = _share(totals[keys.index(part)], totals[keys.index(whole)])


def tables(overview: Overview, abnormal: AbnormalList) -> list[Table]:
    rows = [r for r in overview.rows if r.expected or r.reported]
    label = i18n.t("office.summary.college")
    c = Column
    out: list[Table] = []

    columns = [c("code"), c("name"), c("arrival"), c("sequence", COUNT), c("period"),
               c("created"), c("missing"), c("key")]
    out.append(Table("reporting", columns,
                     [[r.code, r.name, arrival(r), r.last_sequence, period(r),
                       when(r.last_created), missing(r), key_status(r)] for r in rows],
                     ["", label, i18n.t("office.summary.reported_of",
                                        reported=overview.totals.reported,
                                        branches=overview.totals.branches),
                      None, "", "", "", ""]))

    columns = [c("code"), c("name"), c("expected", COUNT), c("reported", COUNT),
               c("coverage", RATE), c("fever", COUNT), c("symptom", COUNT), c("risk", COUNT)]
    body = [[r.code, r.name, _health(r, "expected"), _health(r, "reported"),
             _share(_health(r, "reported"), _health(r, "expected")),
             *(_health(r, k) for k in ("fever", "symptom", "risk"))] for r in rows]
    totals = _totals(body, columns, label)
    _rate_total(totals, columns, "reported", "expected")
    out.append(Table("health", columns, body, totals))

    columns = [c("code"), c("name"), c("observation", COUNT), c("quarantine", COUNT)]
    body = [[r.code, r.name, _health(r, "observation"), _health(r, "quarantine")]
            for r in rows]
    out.append(Table("isolation", columns, body, _totals(body, columns, label)))

    columns = [c("code"), c("name"), c("alerts", COUNT), c("care", COUNT), c("overdue", COUNT)]
    body = [[r.code, r.name, r.open_alerts, r.current.get("care_open"),
             r.current.get("tasks_overdue")] for r in rows]
    out.append(Table("work", columns, body, _totals(body, columns, label)))

    columns = [c("code"), c("name"), c("notices_expected", COUNT),
               c("notices_confirmed", COUNT), c("notice_coverage", RATE)]
    body = [[r.code, r.name, r.current.get("notices_expected"),
             r.current.get("notices_confirmed"),
             _share(r.current.get("notices_confirmed"), r.current.get("notices_expected"))]
            for r in rows]
    totals = _totals(body, columns, label)
    _rate_total(totals, columns, "notices_confirmed", "notices_expected")
    out.append(Table("notices", columns, body, totals))

    columns = [c("code"), c("name"), c("changes_last", COUNT), c("changes_total", COUNT)]
    body = [[r.code, r.name, r.changes_last, r.changes_total] for r in rows]
    out.append(Table("changes", columns, body, _totals(body, columns, label)))

    out.append(abnormal_table(abnormal))
    return out


def abnormal_table(found: AbnormalList) -> Table:
    columns = [Column("code"), Column("name"), Column("person"), Column("temperature"),
               Column("symptoms"), Column("reasons")]
    body: list[list[Any]] = [[p.code, p.branch, p.name, p.temperature or None,
                              p.symptoms or None, p.reasons_text()] for p in found.people]
    note = ""
    if found.counts_only:
        note = i18n.t("office.summary.counts_only", branches=i18n.t(
            "office.list_separator").join(
            i18n.t("office.summary.counts_only_branch", code=b.code,
                   fever=b.health.get("fever", 0), symptom=b.health.get("symptom", 0),
                   risk=b.health.get("risk", 0),
                   isolated=b.health.get("observation", 0) + b.health.get("quarantine", 0))
            for b in found.counts_only))
    totals = ["", i18n.t("office.summary.people", count=len(found.people)), "", None, None, ""]
    return Table("abnormal", columns, body, totals, note)


def facts(overview: Overview) -> list[str]:
    """The overview in sentences."""
    reporting, health = fact_groups(overview)
    return reporting + health


def fact_groups(overview: Overview) -> tuple[list[str], list[str]]:
    """(who reported, and the reporting rates; the college's figures)."""
    t = overview.totals
    rows = [r for r in overview.rows if r.expected or r.reported]
    late = [r.code for r in rows if r.reported and not r.on_time]
    absent = [r.code for r in rows if not r.reported and r.refused is None]
    refused = [r.code for r in rows if not r.reported and r.refused is not None]
    separator = i18n.t("office.list_separator")
    lines = [i18n.t("office.summary.reporting", branches=t.branches, reported=t.reported,
                    on_time=t.on_time, zero=t.zero)]
    if absent:
        lines.append(i18n.t("office.summary.absent", codes=separator.join(absent)))
    if refused:
        lines.append(i18n.t("office.summary.refused", codes=separator.join(refused)))
    if late:
        lines.append(i18n.t("office.summary.late", deadline=overview.deadline,
                            codes=separator.join(late)))
    lines.extend(rate_line(r) for r in overview.rates)
    return lines, totals_lines(t)


def build(office: OfficeService, day: dt.date) -> Summary:
    overview = office.overview(day)
    found = office.abnormal(day)
    return Summary(office.name, overview, found, tables(overview, found))


def markdown(summary: Summary) -> str:
    out = [f"# {summary.title}", "", summary.date_line, "",
           f"## {i18n.t('office.summary.overview')}", ""]
    out.extend(f"- {line}" for line in facts(summary.overview))
    for table in summary.tables:
        out += ["", f"## {table.title}", "", "| " + " | ".join(table.headers) + " |",
                "|" + "---|" * len(table.headers)]
        for row in [*table.rows, *([table.totals] if table.totals else [])]:
            out.append("| " + " | ".join(_cell(shown(v, c)) for v, c in
                                         zip(row, table.columns, strict=True)) + " |")
        if table.note:
            out += ["", table.note]
    return "\n".join(out) + "\n"


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")

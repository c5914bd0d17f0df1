"""The office in words: the dashboard's lines the CLI prints and the daily
summary's Markdown, and a change after reporting as the clerk reads it (the
person by name, the fields by their labels, old and new values as the
branch's screens show them), from the catalogs (zh-CN or English)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from branchtool import i18n
from branchtool.bundles.kinds import kinds
from branchtool.office import imports
from branchtool.office.changes import BOOKKEEPING
from branchtool.office.status import BranchRow, Overview, Rate, Totals
from branchtool.records.fields import RecordDef

DASH = "—"


def percent(value: float | None) -> str:
    return DASH if value is None else f"{value * 100:.1f}%"


def count(value: int | None) -> str:
    return DASH if value is None else str(value)


def when(value: str | None) -> str:
    if not value:
        return DASH
    try:
        return i18n.format_stamp(value)
    except ValueError:
        return DASH


def period(row: BranchRow) -> str:
    if not row.last_period:
        return DASH
    start, end = row.last_period["from"], row.last_period["to"]
    return start if start == end else f"{start}..{end}"


def arrival(row: BranchRow) -> str:
    if not row.reported:
        if row.refused is not None:
            return i18n.t("office.day.damaged" if imports.is_damaged(row.refused)
                          else "office.day.refused")
        if not row.expected:
            return i18n.t("office.day.revoked" if row.key_status != "current"
                          else "office.day.not_enrolled")
        return i18n.t("office.day.missing")
    return i18n.t("office.day.arrival",
                  state=i18n.t("office.day.zero" if row.zero else "office.day.reported"),
                  timing=i18n.t("office.day.on_time" if row.on_time else "office.day.late"))


def key_status(row: BranchRow) -> str:
    return i18n.t(f"office.key_status.{'active' if row.key_status == 'current' else 'revoked'}")


def missing(row: BranchRow) -> str:
    if not row.missing:
        return DASH
    shown = ", ".join(str(n) for n in row.missing[:8])
    return shown + (" …" if len(row.missing) > 8 else "")


def contact(row: BranchRow) -> str:
    """Whom to phone: the secretary and the number, or a dash."""
    name, phone = row.contact.get("name", ""), row.contact.get("phone", "")
    return " ".join(p for p in (name, phone) if p) or DASH


def row_line(row: BranchRow) -> str:
    return i18n.t("office.status.row", code=row.code, name=row.name,
                  seq=count(row.last_sequence), period=period(row), arrival=arrival(row),
                  missing=missing(row), alerts=count(row.open_alerts), key=key_status(row),
                  changes=row.changes_last, contact=contact(row))


def totals_lines(totals: Totals) -> list[str]:
    h, c = totals.health, totals.current
    return [
        i18n.t("office.status.checkins", expected=h.get("expected", 0),
               reported=h.get("reported", 0), coverage=percent(totals.checkin_coverage),
               branches=totals.health_branches),
        i18n.t("office.status.health", fever=h.get("fever", 0), symptom=h.get("symptom", 0),
               risk=h.get("risk", 0), observation=h.get("observation", 0),
               quarantine=h.get("quarantine", 0)),
        i18n.t("office.status.work", alerts=c.get("open_alerts", 0), care=c.get("care_open", 0),
               overdue=c.get("tasks_overdue", 0), notices=percent(totals.notice_coverage)),
    ]


def rate_line(rate: Rate) -> str:
    return i18n.t("office.status.rate", days=rate.days, received=rate.received,
                  expected=rate.expected, received_share=percent(rate.received_share),
                  on_time=rate.on_time, on_time_share=percent(rate.on_time_share))


def rates_line(rates: list[Rate]) -> str:
    """Every reporting rate in one line (the dashboard's)."""
    return i18n.t("office.status.rates", rates=i18n.t("office.list_separator").join(
        i18n.t("office.status.rate_short", days=r.days, received_share=percent(r.received_share),
               on_time_share=percent(r.on_time_share)) for r in rates))


def overview_lines(overview: Overview) -> list[str]:
    t = overview.totals
    lines = [i18n.t("office.status.head", date=overview.date, deadline=overview.deadline,
                    reported=t.reported, branches=t.branches, on_time=t.on_time, zero=t.zero)]
    if not overview.rows:
        lines.append(i18n.t("office.status.no_branches"))
    lines.extend(row_line(row) for row in overview.rows)
    lines.extend(totals_lines(t))
    lines.extend(rate_line(r) for r in overview.rates)
    return lines


# -- changes after reporting ----------------------------------------------------------
NOT_SHOWN = BOOKKEEPING | {"id", "person"}  # the person is the change's subject


def record_of(kind: str) -> RecordDef | None:
    return next((k.record for k in kinds() if k.name == kind), None)


def kind_label(kind: str) -> str:
    key = f"bundle.kind.{kind}"
    return i18n.t(key) if key in i18n.catalog(i18n.language()) else kind


def field_label(record: RecordDef | None, key: str) -> str:
    if record is not None and key in record.by_key:
        return record.field(key).label
    return key


def show_value(record: RecordDef | None, key: str, value: Any) -> str:
    """A reported value as the branch's screens would show it."""
    if value is None or value == "":
        return DASH
    if isinstance(value, list):
        return i18n.t("office.list_separator").join(show_value(record, key, v) for v in value)
    if not isinstance(value, str):
        return str(value)
    if record is not None and key in record.by_key:
        return record.field(key).display(value) or DASH
    return value


def change_keys(change: Mapping[str, Any]) -> list[str]:
    """The fields a change shows: what the record says, not when it was written."""
    return [k for k in change["fields"] if k not in NOT_SHOWN]


def change_fields(change: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(label, old value, new value) of each field the change shows."""
    record = record_of(change["kind"])
    out = []
    for key in change_keys(change):
        old, new = change["fields"][key]
        out.append((field_label(record, key), show_value(record, key, old),
                    show_value(record, key, new) if change["new_known"]
                    else i18n.t("office_ui.change.not_sent")))
    return out


def change_subject(change: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """Whom (or what) a change is about: the person by name (from the roster
    the office holds), else a title; and the day, for a record of a day."""
    subject = change.get("subject") or {}
    person = subject.get("person")
    if person is None and change["kind"] == "checkins" and ":" in change["record"]:
        person = change["record"].split(":", 1)[1]  # changes kept before subjects were
    who = names.get(person or "") or subject.get("name") or subject.get("title") or DASH
    day = subject.get("day")
    if day and len(day) == 10:
        try:
            return f"{who} {i18n.format_date(dt.date.fromisoformat(day))}"
        except ValueError:
            pass
    return who

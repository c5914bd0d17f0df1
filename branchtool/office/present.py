"""The dashboard in words: the lines the CLI prints and the daily summary's
Markdown, from the catalogs (zh-CN or English)."""

from __future__ import annotations

from branchtool import i18n
from branchtool.office import imports
from branchtool.office.status import BranchRow, Overview, Rate, Totals

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


def row_line(row: BranchRow) -> str:
    return i18n.t("office.status.row", code=row.code, name=row.name,
                  seq=count(row.last_sequence), period=period(row), arrival=arrival(row),
                  missing=missing(row), alerts=count(row.open_alerts), key=key_status(row),
                  changes=row.changes_last)


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

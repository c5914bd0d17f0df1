"""The record types a branch's bundle carries (see ``scope``), and the areas'
figures and reports (see ``providers``).

Most kinds pick the records of the period by one date; records that last
(a contact under observation, a care case, a task, an alert, a notice being
relayed) are in scope when their span overlaps the period. The fields each
record definition marks ``redact="standard"`` are withheld at the standard
level; so is the list of a contact's extensions, whose reasons are withheld
notes nested in the contact.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from branchtool.bundles.providers import add_figures, add_report
from branchtool.bundles.scope import ContentGroup, ExportKind, Period, register, register_group
from branchtool.inbox import reply as _inbox_reply
from branchtool.records.alert import ALERT
from branchtool.records.alert import OPEN as ALERT_OPEN
from branchtool.records.care import CARE, VISIT
from branchtool.records.checkin import CHECKIN
from branchtool.records.contact import CONTACT, FOLLOWUP
from branchtool.records.day_report import DAY_REPORT
from branchtool.records.deed import DEED, DRAFT, PROPOSED
from branchtool.records.member_record import MEMBER_RECORD
from branchtool.records.notice import NOTICE, RELAY
from branchtool.records.person import ACTIVE, PERSON
from branchtool.records.redaction import STANDARD
from branchtool.records.task import OPEN as TASK_OPEN
from branchtool.records.task import TASK
from branchtool.reports import bundled
from branchtool.reports import figures as report_figures
from branchtool.services import day_reports, deeds, member_records, roster, tasks
from branchtool.services.alerts import ALERTS
from branchtool.services.care import CASES, VISITS
from branchtool.services.contacts import CONTACTS, FOLLOWUPS
from branchtool.services.health import SETTINGS, SETTINGS_ID
from branchtool.services.notices import NOTICES as NOTICE_PARTITION
from branchtool.services.notices import RELAYS

if TYPE_CHECKING:
    from branchtool.session import Session
    from storage.vault import Vault

STILL_OPEN = "9999-12-31"
NOTICE_CURRENT_DAYS = 30  # a notice without a deadline is relayed this long


@dataclass(frozen=True)
class SpanKind(ExportKind):
    """Records in scope when ``span(doc)`` — (first day, last day), ISO — meets
    the period. ``also_withheld`` adds keys withheld at the standard level."""

    span: Callable[[dict[str, Any]], tuple[str, str]] | None = None
    also_withheld: tuple[str, ...] = ()

    def withheld(self, redaction: str) -> tuple[str, ...]:
        more = self.also_withheld if redaction == STANDARD else ()
        return super().withheld(redaction) + more

    def records(self, vault: Vault, period: Period) -> Iterable[dict[str, Any]]:
        first, last = period.start.isoformat(), period.end.isoformat()
        for doc in super().records(vault, period):
            if self.span is None:
                yield doc
                continue
            start, end = self.span(doc)
            if start[:10] <= last and (end or STILL_OPEN)[:10] >= first:
                yield doc


def _contact_span(doc: dict[str, Any]) -> tuple[str, str]:
    return doc.get("start_date") or doc.get("exposure_date", ""), \
        doc.get("outcome_date") or doc.get("end_date", "")


def _alert_span(doc: dict[str, Any]) -> tuple[str, str]:
    return doc.get("since", ""), STILL_OPEN if doc.get("status") == ALERT_OPEN \
        else doc.get("last", "")


def _notice_span(doc: dict[str, Any]) -> tuple[str, str]:
    issued = doc.get("issued_on", "")
    if doc.get("deadline"):
        return issued, doc["deadline"]
    if len(issued) != 10:
        return issued, issued
    until = dt.date.fromisoformat(issued) + dt.timedelta(days=NOTICE_CURRENT_DAYS)
    return issued, until.isoformat()


def _case_span(doc: dict[str, Any]) -> tuple[str, str]:
    return doc.get("opened_on", ""), doc.get("closed_on") or STILL_OPEN


def _task_span(doc: dict[str, Any]) -> tuple[str, str]:
    """From when it was handed out (or due, if earlier) until done or
    cancelled; an open task is in every bundle until it is closed."""
    due, created = doc.get("due", "")[:10], doc.get("created_at", "")[:10]
    start = min(d for d in (due, created) if d) if (due or created) else ""
    if doc.get("status") in TASK_OPEN:
        return start, STILL_OPEN
    return start, max(due, (doc.get("completed_at") or doc.get("updated_at") or "")[:10])


def _deed_span(doc: dict[str, Any]) -> tuple[str, str]:
    return doc.get("date", ""), STILL_OPEN if doc.get("status") == PROPOSED else doc.get(
        "date", "")


@dataclass(frozen=True)
class RelayKind(ExportKind):
    """The relays of the notices in scope (their coverage is the point)."""

    notices: SpanKind | None = None

    def records(self, vault: Vault, period: Period) -> Iterable[dict[str, Any]]:
        assert self.notices is not None
        wanted = {doc["id"] for doc in self.notices.records(vault, period)}
        for doc in super().records(vault, period):
            if doc.get("notice") in wanted:
                yield doc


CHECKINS = "checkins/"  # monthly: checkins/2026-11
NOTICES = SpanKind("notices", "bundle.kind.notices", NOTICE_PARTITION, NOTICE,
                   span=_notice_span)

for _kind in (
    ExportKind("roster", "bundle.kind.roster", roster.PARTITION, PERSON),
    ExportKind("checkins", "bundle.kind.checkins", CHECKINS, CHECKIN, date_field="date"),
    SpanKind("contacts", "bundle.kind.contacts", CONTACTS, CONTACT, span=_contact_span,
             also_withheld=("extensions",)),
    ExportKind("followups", "bundle.kind.followups", FOLLOWUPS, FOLLOWUP, date_field="date"),
    SpanKind("alerts", "bundle.kind.alerts", ALERTS, ALERT, span=_alert_span),
    # the thresholds the branch's alerts and figures used: the office's view of
    # the branch counts fevers and missed days the same way
    ExportKind("watch_settings", "bundle.kind.watch_settings", SETTINGS,
               keep=lambda doc: doc.get("id") == SETTINGS_ID),
    NOTICES,
    RelayKind("relays", "bundle.kind.relays", RELAYS, RELAY, notices=NOTICES),
    # the 其他事项 of each day's daily report (the office's view of the
    # branch builds the report again from the records)
    ExportKind("daily_reports", "bundle.kind.daily_reports", day_reports.PARTITION,
               DAY_REPORT, date_field="date"),
    SpanKind("care", "bundle.kind.care", CASES, CARE, span=_case_span),
    ExportKind("care_visits", "bundle.kind.care_visits", VISITS, VISIT,
               date_field="date"),
    SpanKind("tasks", "bundle.kind.tasks", tasks.PARTITION, TASK, span=_task_span),
    ExportKind("member_records", "bundle.kind.member_records",
               member_records.PARTITION, MEMBER_RECORD, date_field="date"),
    SpanKind("deeds", "bundle.kind.deeds", deeds.PARTITION, DEED, span=_deed_span,
             keep=lambda doc: doc.get("status") != DRAFT),
):
    register(_kind)

# What the secretary sends or leaves out together: the app's sections. The
# care, records and deeds reports are their records written out, so they stay
# home with them; the daily and weekly reports always travel.
for _group in (
    ContentGroup("roster", "bundle.content.roster", ("roster",)),
    ContentGroup("watch", "bundle.content.watch",
                 ("checkins", "contacts", "followups", "alerts", "watch_settings", "notices",
                  "relays", "daily_reports")),
    ContentGroup("care", "bundle.content.care", ("care", "care_visits"), reports=("care",)),
    ContentGroup("tasks", "bundle.content.tasks", ("tasks",)),
    ContentGroup("records", "bundle.content.records", ("member_records",),
                 reports=("records",)),
    ContentGroup("deeds", "bundle.content.deeds", ("deeds",), reports=("deeds",)),
):
    register_group(_group)


def roster_figures(session: Session, period: Period) -> dict[str, Any]:
    """Head counts of the people the branch looks after, by category and stage."""
    active = [p for p in session.roster.people() if p.status == ACTIVE]
    return {
        "active": len(active),
        "by_category": dict(Counter(p["category"] for p in active)),
        "by_stage": dict(Counter(p["stage"] for p in active)),
    }


add_figures("roster", roster_figures)
for _name, _provider in report_figures.FIGURES.items():
    add_figures(_name, _provider, revisable=_name in report_figures.REVISABLE)
for _report, (_label, _plan, _render) in bundled.PROVIDERS.items():
    add_report(_report, _label, _plan, _render)

# The office's notices and tasks: what the branch imported and how far each got.
add_figures(_inbox_reply.FIGURES, _inbox_reply.figures, redacted=True)

"""The one list of what a branch's bundle carries: every record type
(``KINDS``, shapes in ``scope``) and the groups the secretary sends or leaves
out together (``GROUPS``), with the questions asked of them (``kinds()``,
``groups()``, ``choose``, ``check_records``). Written out here as data: no
area adds itself as a side effect of being imported. The areas' figures and
reports are listed the same way in ``providers``.

Most kinds pick the records of the period by one date; records that last
(a contact under observation, a care case, a task, an alert, a notice being
relayed) are in scope when their span overlaps the period. The fields each
record definition marks ``redact="standard"`` are withheld at the standard
level; so is the list of a contact's extensions, whose reasons are withheld
notes nested in the contact.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from branchtool.bundles.format import BundleRejected
from branchtool.bundles.scope import Content, ContentGroup, ExportKind
from branchtool.errors import UserError
from branchtool.period import Period
from branchtool.records.alert import ALERT
from branchtool.records.alert import OPEN as ALERT_OPEN
from branchtool.records.care import CARE, VISIT
from branchtool.records.checkin import CHECKIN
from branchtool.records.contact import CONTACT, FOLLOWUP
from branchtool.records.day_report import DAY_REPORT
from branchtool.records.deed import DEED, DRAFT, PROPOSED
from branchtool.records.member_record import MEMBER_RECORD
from branchtool.records.notice import NOTICE, RELAY
from branchtool.records.person import PERSON
from branchtool.records.redaction import STANDARD
from branchtool.records.task import OPEN as TASK_OPEN
from branchtool.records.task import TASK
from branchtool.services import day_reports, deeds, member_records, roster, tasks
from branchtool.services.alerts import ALERTS
from branchtool.services.care import CASES, VISITS
from branchtool.services.contacts import CONTACTS, FOLLOWUPS
from branchtool.services.health import SETTINGS, SETTINGS_ID
from branchtool.services.notices import NOTICES as NOTICE_PARTITION
from branchtool.services.notices import RELAYS

if TYPE_CHECKING:
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

KINDS: tuple[ExportKind, ...] = (
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
)

# What the secretary sends or leaves out together: the app's sections. The
# care, records and deeds reports are their records written out, so they stay
# home with them; the daily and weekly reports always travel.
GROUPS: tuple[ContentGroup, ...] = (
    ContentGroup("roster", "bundle.content.roster", ("roster",)),
    ContentGroup("watch", "bundle.content.watch",
                 ("checkins", "contacts", "followups", "alerts", "watch_settings", "notices",
                  "relays", "daily_reports")),
    ContentGroup("care", "bundle.content.care", ("care", "care_visits"), reports=("care",)),
    ContentGroup("tasks", "bundle.content.tasks", ("tasks",)),
    ContentGroup("records", "bundle.content.records", ("member_records",),
                 reports=("records",)),
    ContentGroup("deeds", "bundle.content.deeds", ("deeds",), reports=("deeds",)),
)


def kinds() -> list[ExportKind]:
    """Every kind a bundle may carry, in the order a bundle lists them."""
    return list(KINDS)


def groups() -> list[ContentGroup]:
    """Every content group, in the order the app shows its sections."""
    return list(GROUPS)


def choose(names: Iterable[str] | None = None) -> Content:
    """The content of the groups named (``None``: everything). An unknown name
    or an empty choice is a ``UserError``."""
    known = [g.name for g in GROUPS]
    if names is None:
        chosen = set(known)
    else:
        chosen = set()
        for name in names:
            name = name.strip()
            if name not in known:
                raise UserError("export.bad_content", name=name, known=", ".join(known))
            chosen.add(name)
        if not chosen:
            raise UserError("export.no_content")
    wanted = {k for g in GROUPS if g.name in chosen for k in g.kinds}
    # a kind no group claims (an area added one and no group yet) always travels
    grouped = {k for g in GROUPS for k in g.kinds}
    omitted = tuple(g for g in GROUPS if g.name not in chosen)
    return Content(
        groups=tuple(g.name for g in GROUPS if g.name in chosen),
        kinds=tuple(k.name for k in KINDS if k.name in wanted or k.name not in grouped),
        reports_left_out=frozenset(r for g in omitted for r in g.reports),
        omitted=omitted)


_RECORD_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def check_records(doc: dict[str, Any]) -> None:
    """Every record a (signed) bundle carries holds text in each field its
    kind's record definition declares (values are stored as text): a roster
    ``name`` that is a list, from another program or a faulty branch, would
    otherwise crash the office's view of the branch. The first wrong value
    refuses the bundle (``BundleRejected("record_type")``) naming the kind,
    the record and the field. A field left out (withheld) is no problem; a
    kind this version does not know is kept as sent."""
    by_name = {k.name: k for k in KINDS}
    for kind, records in doc["data"].items():
        export = by_name.get(kind)
        if export is None or export.record is None:
            continue
        keys = [f.key for f in export.record.fields]
        for index, record in enumerate(records, start=1):
            for key in keys:
                if key in record and type(record[key]) is not str:
                    rid = record["id"]
                    raise BundleRejected("record_type", kind=kind, field=key,
                                         record=rid if _RECORD_ID.match(rid) else f"#{index}")

"""The dashboard: every enrolled branch on one day, the college's totals and
the reporting rate.

A branch's report for day D arrived when an accepted bundle's period covers D;
it was on time when that bundle was created (its signed ``created``, the
branch's clock) by the deadline of day D in the office's time zone. Whether a
day is a zero report comes from the bundle's health figures (``topics``).

Day D is shown as it was: the bundle that reported D (or, when none did, the
last one sent before D) gives the sequence, period, alerts and other current
figures; a branch is expected on D while a key of it was trusted that day (a
revoked branch is not, from the day after); a file for D that the import
refused shows as such (``imports``), not as silence.
Everything here reads the ``branches`` documents (and the refusals handed
in), never the records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from branchtool.office import topics
from branchtool.office.model import OfficeSettings, parse_iso
from branchtool.office.trust import current_key

RATE_WINDOWS = (14, 30)


@dataclass
class BranchRow:
    code: str
    name: str
    key_status: str  # "current" (with rotations in key_count), "revoked"
    fingerprint: str | None
    last_sequence: int | None
    last_period: dict[str, str] | None
    last_created: str | None
    last_imported: str | None
    reported: bool  # the day's report (or zero report) arrived
    on_time: bool | None
    zero: bool | None  # None: no health figures for the day
    missing: list[int]
    open_alerts: int | None
    changes_last: int
    changes_total: int
    health: dict[str, int] | None
    current: dict[str, int | None] = field(default_factory=dict)
    expected: bool = True  # owes a report on the day (a key of it trusted that day)
    refused: str | None = None  # not reported, but a file for the day was refused: why
    contact: dict[str, str] = field(default_factory=dict)  # the secretary: name, phone


@dataclass
class Rate:
    days: int
    expected: int = 0
    received: int = 0
    on_time: int = 0

    @property
    def received_share(self) -> float | None:
        return self.received / self.expected if self.expected else None

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.expected if self.expected else None


@dataclass
class Totals:
    branches: int = 0
    reported: int = 0
    on_time: int = 0
    zero: int = 0
    health: dict[str, int] = field(default_factory=dict)  # summed check-in figures
    health_branches: int = 0  # branches whose figures for the day arrived
    current: dict[str, int] = field(default_factory=dict)  # summed, where sent
    missing_sequences: int = 0
    open_changes: int = 0

    @property
    def checkin_coverage(self) -> float | None:
        expected = self.health.get("expected", 0)
        return self.health.get("reported", 0) / expected if expected else None

    @property
    def notice_coverage(self) -> float | None:
        expected = self.current.get("notices_expected", 0)
        return self.current.get("notices_confirmed", 0) / expected if expected else None


@dataclass
class Overview:
    date: str
    deadline: str
    rows: list[BranchRow]
    totals: Totals
    rates: list[Rate]
    # the office's notices and tasks, per branch (``branchtool.inbox.reply.coverage``)
    notices: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        totals = asdict(self.totals)
        totals["checkin_coverage"] = _round(self.totals.checkin_coverage)
        totals["notice_coverage"] = _round(self.totals.notice_coverage)
        return {
            "date": self.date, "deadline": self.deadline,
            "branches": [asdict(r) for r in self.rows], "totals": totals,
            "rates": [{**asdict(r), "received_share": _round(r.received_share),
                       "on_time_share": _round(r.on_time_share)} for r in self.rates],
            "notices": self.notices, "tasks": self.tasks,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


class Clockwork:
    """Deadlines in the office's time zone (``None``: the machine's)."""

    def __init__(self, settings: OfficeSettings, tz: dt.tzinfo | None) -> None:
        self.deadline = settings.deadline_time()
        self.tz = tz
        self._days: dict[str | None, str | None] = {}

    def on_time(self, sent: str | None, day: str) -> bool:
        moment = parse_iso(sent)
        if moment is None:
            return False
        local = moment.astimezone(self.tz)
        limit = dt.datetime.combine(dt.date.fromisoformat(day), self.deadline,
                                    tzinfo=local.tzinfo)
        return local <= limit


    def local_day(self, moment: str | None) -> str | None:
        """The office's day of a stored moment (asked for each branch and day
        of the rates: worked out once)."""
        found = self._days.get(moment, "")
        if found == "":
            parsed = parse_iso(moment)
            found = self._days[moment] = \
                parsed.astimezone(self.tz).date().isoformat() if parsed else None
        return found


def shown_bundle(branch: dict[str, Any], day: str) -> tuple[int | None, dict[str, Any]]:
    """(sequence, what the office kept of it) of the bundle day ``day`` shows:
    the latest that covers the day or ended before it."""
    sent = {int(k): v for k, v in (branch.get("sent") or {}).items()}
    last = branch.get("last")
    if last and last["sequence"] not in sent:  # imported before the office kept each
        sent[last["sequence"]] = {"period": last["period"], "created": last["created"],
                                  "imported": last["imported"],
                                  "current": branch.get("current") or {},
                                  "changes": branch.get("changes_last", 0)}
    before = [seq for seq, kept in sent.items() if kept["period"]["from"] <= day]
    if not before:
        return None, {}
    return max(before), sent[max(before)]


def branch_row(branch: dict[str, Any], day: str, clock: Clockwork,
               refused: dict[str, Any] | None = None) -> BranchRow:
    key = current_key(branch)
    seq, shown = shown_bundle(branch, day)
    arrival = branch.get("days", {}).get(day)
    health = branch.get("health", {}).get(day)
    current = shown.get("current") or {}
    return BranchRow(
        code=branch["code"], name=branch["name"],
        key_status="current" if key else "revoked",
        fingerprint=key["fingerprint"] if key else None,
        last_sequence=seq, last_period=_copy(shown.get("period")),
        last_created=shown.get("created"), last_imported=shown.get("imported"),
        reported=arrival is not None,
        on_time=clock.on_time(arrival["sent"], day) if arrival else None,
        zero=topics.is_zero_day(health) if (arrival and health) else None,
        missing=[m for m in branch.get("missing", []) if seq is None or m < seq],
        open_alerts=current.get("open_alerts"),
        changes_last=int(shown.get("changes", 0)),
        changes_total=int(branch.get("changes_total", 0)),
        health=dict(health) if (arrival and health) else None, current=dict(current),
        expected=expected_on(branch, day, clock),
        refused=refused["reason"] if (refused and arrival is None) else None,
        contact=dict(branch.get("contact") or {}),
    )


def _copy(value: Any) -> Any:
    """A row's own copy of a (possibly stored, read-only) mapping."""
    return dict(value) if isinstance(value, dict) else value


def expected_on(branch: dict[str, Any], day: str, clock: Clockwork) -> bool:
    """A branch owes a report on each day one of its keys was trusted (from
    its enrolment on; after a revocation, until a new key is enrolled)."""
    for key in branch.get("keys", []):
        since, until = clock.local_day(key.get("since")), clock.local_day(key.get("until"))
        if since is not None and since <= day and (until is None or day <= until):
            return True
    return False


def rate(branches: list[dict[str, Any]], end: dt.date, days: int, clock: Clockwork) -> Rate:
    out = Rate(days)
    for n in range(days):
        day = (end - dt.timedelta(days=n)).isoformat()
        for branch in branches:
            if not expected_on(branch, day, clock):
                continue
            out.expected += 1
            arrival = branch.get("days", {}).get(day)
            if arrival:
                out.received += 1
                out.on_time += clock.on_time(arrival["sent"], day)
    return out


def overview(branches: list[dict[str, Any]], day: dt.date, settings: OfficeSettings,
             tz: dt.tzinfo | None = None,
             refused: dict[str, dict[str, Any]] | None = None) -> Overview:
    """``refused``: branch -> the latest refusal of a file for ``day`` (``imports``)."""
    clock = Clockwork(settings, tz)
    key = day.isoformat()
    refused = refused or {}
    rows = [branch_row(b, key, clock, refused.get(b["code"]))
            for b in sorted(branches, key=lambda b: b["code"])]
    totals = Totals()
    for row in rows:
        if not row.expected and not row.reported:
            continue
        totals.branches += 1
        totals.reported += row.reported
        totals.on_time += bool(row.on_time)
        totals.zero += bool(row.zero)
        totals.missing_sequences += len(row.missing)
        totals.open_changes += row.changes_last
        if row.health:
            totals.health_branches += 1
            for name, value in row.health.items():
                totals.health[name] = totals.health.get(name, 0) + value
        for name, value in row.current.items():
            if value is not None:
                totals.current[name] = totals.current.get(name, 0) + value
    rates = [rate(branches, day, n, clock) for n in RATE_WINDOWS]
    return Overview(key, settings.deadline, rows, totals, rates)

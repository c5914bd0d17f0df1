"""Daily health check-ins: the day sheet, marks, corrections, and the day's
figures.

Check-ins live in monthly partitions (``checkins/2026-11``), one document per
person per day under ``"{date}:{person}"``. Each day's figures live beside
them in ``health_days`` (one small document per day: how many were expected
and reported, and who was warm, had symptoms, travelled, met a case or was
isolated), written in the same journal frame as the check-ins that change
them; so the dashboard's 30 days read one small partition and never a month
of check-ins.

Every write (a mark, a correction, an import, "mark the rest normal") is one
batch: the check-ins, the day figures and whatever the listeners (the alert
rules) add, in one fsynced frame. The figures are read from ``health_days``
with TinyDB queries (the stored documents, no copy kept); the day sheet's map
of a day's check-ins (``day``) is kept per day and changes only after the
frame was acknowledged: it is made from that day's documents only, where a
query on the date would parse and index the month's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from branchtool import i18n
from branchtool.errors import UserError
from branchtool.records.checkin import CHECKIN, checkin_id, compact, expand, partition_name
from branchtool.records.fields import InvalidRecord
from branchtool.records.person import ACTIVE
from branchtool.records.views import Computed, ListView, ViewRow, computed
from branchtool.services import health_rules as rules
from branchtool.services.health_rules import HealthSettings
from branchtool.services.query import where
from branchtool.services.roster import Person, RosterQuery, RosterService
from branchtool.services.watch import (
    Clock,
    StoreLike,
    WatchService,
    as_day,
    local_now,
    not_future,
    stamp,
)

DAYS = "health_days"
SETTINGS = "settings"
SETTINGS_ID = "health"
NORMAL, ABNORMAL, MISSING = "normal", "abnormal", "missing"


def _whereabouts(row: SheetRow) -> str:
    doc = row.doc
    where = CHECKIN.field("location").display(doc.get("location", ""))
    return f"{where} {doc.get('city') or doc.get('province', '')}".strip()


def _isolation(row: SheetRow) -> str:
    isolation = row.doc.get("isolation", "")
    return "" if isolation == "none" else CHECKIN.field("isolation").display(isolation)


# The day sheet: the person, the day's state, then the check-in (empty while missing).
SHEET_VIEW = ListView.of(
    CHECKIN,
    computed("person_name", lambda row: row.person["name"], width=8, priority=100,
             record="checkin"),
    computed("state", lambda row: i18n.t(f"checkin.state.{row.sheet.status(row.id)}"),
             width=4, priority=95, record="checkin"),
    "temperature", "symptoms",
    computed("whereabouts", _whereabouts, width=10, priority=45, record="checkin"),
    Computed(CHECKIN.field("isolation"), _isolation),
    "source",
    computed("unit", lambda row: row.person["unit"], width=14, priority=10, record="checkin"))
SHEET_COLUMNS = SHEET_VIEW.columns

# Called inside the write batch for every changed check-in:
# (day, person id, stored document before or None, after or None).
Listener = Callable[[dt.date, str, "dict[str, Any] | None", "dict[str, Any] | None"], None]


@dataclass
class DaySheet:
    """Every active person for one day, in name order, with their check-ins.

    ``entries`` is the service's live map of the day (person id -> stored
    check-in): read it, never change it; it follows every later mark."""

    date: dt.date
    people: list[Person]
    entries: dict[str, dict[str, Any]]
    settings: HealthSettings

    def __len__(self) -> int:
        return len(self.people)

    def status(self, person_id: str) -> str:
        doc = self.entries.get(person_id)
        if doc is None:
            return MISSING
        return ABNORMAL if rules.checkin_flags(doc, self.settings) else NORMAL

    def flags(self, person_id: str) -> list[str]:
        return rules.checkin_flags(self.entries.get(person_id), self.settings)

    def missing(self) -> list[Person]:
        return [p for p in self.people if p.id not in self.entries]

    @property
    def reported(self) -> int:
        return sum(1 for p in self.people if p.id in self.entries)


class SheetRow(ViewRow):
    """One person's line on the sheet; the cells follow the live sheet."""

    __slots__ = ("id", "person", "sheet")
    VIEW = SHEET_VIEW

    def __init__(self, sheet: DaySheet, person: Person) -> None:
        self.sheet = sheet
        self.person = person
        self.id = person.id

    @property
    def doc(self) -> Mapping[str, Any]:
        """The person's check-in of the day (empty while missing)."""
        return self.sheet.entries.get(self.id) or {}

    @property
    def tone(self) -> str:
        status = self.sheet.status(self.id)
        return "alarm" if status == ABNORMAL else "muted" if status == MISSING else ""


@dataclass
class Abnormal:
    person: str
    reasons: list[str]  # rule codes, in rule order
    checkin: dict[str, Any]


@dataclass
class DaySummary:
    """What the day's report (疫情防控日报 / 零报告) needs."""

    date: dt.date
    expected: list[str]  # active person ids, name order
    reported: list[str]
    missing: list[str]
    abnormal: list[Abnormal]
    observation: list[str]  # roster person ids under medical observation
    quarantine: list[str]  # roster person ids in home or central quarantine
    outside_observation: list[str] = field(default_factory=list)  # contact ids
    outside_quarantine: list[str] = field(default_factory=list)
    followups_due: list[str] = field(default_factory=list)  # contact ids
    observation_ending: list[str] = field(default_factory=list)  # contact ids

    @property
    def is_zero(self) -> bool:
        """Nothing to report: everyone reported, nobody abnormal, nobody isolated."""
        return not (self.missing or self.abnormal or self.observation or self.quarantine
                    or self.outside_observation or self.outside_quarantine)


@dataclass(frozen=True)
class DayFigures:
    """One day's counts, from the day's figures document."""

    date: dt.date
    expected: int
    reported: int
    fever: int
    symptom: int
    risk: int  # travel to a risk area or contact with a case
    observation: int
    quarantine: int

    @property
    def missing(self) -> int:
        return max(0, self.expected - self.reported)


def blank_day(day: str) -> dict[str, Any]:
    """A day's figures (``DAYS``) before any check-in is counted."""
    return {"id": day, "date": day, "expected": 0, "reported": 0, "warm": {},
            "symptom": [], "travel": [], "contact": [], "isolation": {}}


def add_to_day(doc: dict[str, Any], person_id: str, checkin: Mapping[str, Any], sign: int) -> None:
    """Add (``sign`` 1) or take away (-1) one check-in's part of a day's figures."""
    doc["reported"] += sign
    temperature = checkin.get("temperature", "")
    marks = {
        "symptom": bool(checkin.get("symptoms")),
        "travel": checkin.get("risk_travel") == "yes",
        "contact": checkin.get("case_contact") == "yes",
    }
    isolation = checkin.get("isolation", "")
    if sign > 0:
        if rules.is_warm(temperature):
            doc["warm"][person_id] = temperature
        for key, on in marks.items():
            if on:
                doc[key] = sorted({*doc[key], person_id})
        if isolation and isolation != "none":
            doc["isolation"][person_id] = isolation
    else:
        doc["warm"].pop(person_id, None)
        for key in marks:
            if person_id in doc[key]:
                doc[key] = [p for p in doc[key] if p != person_id]
        doc["isolation"].pop(person_id, None)


class HealthService(WatchService):
    def __init__(self, store: StoreLike, roster: RosterService, *,
                 isolation: Callable[[dt.date], dict[str, str]] | None = None,
                 now: Clock = local_now) -> None:
        super().__init__(store, roster, now=now)
        self._isolation = isolation or (lambda day: {})
        self._days: dict[str, dict[str, dict[str, Any]]] = {}
        self._settings: HealthSettings | None = None
        self.listeners: list[Listener] = []

    # -- settings ------------------------------------------------------------------
    @property
    def settings(self) -> HealthSettings:
        if self._settings is None:
            self._settings = HealthSettings.from_doc(
                self._store.partition(SETTINGS).get(SETTINGS_ID))
        return self._settings

    def save_settings(self, values: Mapping[str, object]) -> HealthSettings:
        try:
            settings = HealthSettings.parse(values)
        except ValueError as exc:
            raise UserError(f"health.settings.bad_{exc.args[0]}") from None
        self._store.partition(SETTINGS).upsert({"id": SETTINGS_ID, **settings.to_doc()})
        self._settings = settings
        self.version += 1
        return settings

    # -- reading -------------------------------------------------------------------
    def today(self) -> dt.date:
        return self._now().date()

    def day(self, day: dt.date | str) -> dict[str, dict[str, Any]]:
        """The live map person id -> stored check-in of ``day`` (read only).
        The first call for a month loads that month's partition."""
        key = as_day(day).isoformat()
        entries = self._days.get(key)
        if entries is None:
            # Ids start with the day: a prefix scan of the month's ids is far
            # cheaper than indexing a month of documents by date.
            part = self._store.partition(partition_name(key))
            prefix = key + ":"
            ids = [i for i in part.ids() if i.startswith(prefix)]
            entries = {doc["person"]: doc for doc in part.get_many(ids)}
            self._days[key] = entries
        return entries

    def get(self, day: dt.date | str, person_id: str) -> dict[str, Any] | None:
        """A person's check-in of ``day`` with every field present, or ``None``."""
        doc = self.day(day).get(person_id)
        return None if doc is None else expand(doc)

    def active_people(self) -> list[Person]:
        """Everyone expected to check in: the active roster, in name order."""
        return list(self._roster.query(RosterQuery(status=ACTIVE)))

    def sheet(self, day: dt.date | str) -> DaySheet:
        when = as_day(day)
        return DaySheet(when, self.active_people(), self.day(when), self.settings)

    def missing_on(self, day: dt.date | str) -> list[Person]:
        entries = self.day(day)
        return [p for p in self.active_people() if p.id not in entries]

    def history(self, person_id: str, end: dt.date | str, days: int) -> list[dict[str, Any] | None]:
        """A person's check-ins of the ``days`` days ending with ``end``, oldest first.
        A day not read yet is not loaded whole for it: the person's check-in
        is read alone, by its id (a person page reads 30 documents, not the
        30 days' thousands)."""
        last = as_day(end)
        out: list[dict[str, Any] | None] = []
        for n in range(days - 1, -1, -1):
            key = (last - dt.timedelta(days=n)).isoformat()
            entries = self._days.get(key)
            doc = (entries.get(person_id) if entries is not None else
                   self._store.partition(partition_name(key)).get(checkin_id(key, person_id)))
            out.append(None if doc is None else expand(doc))
        return out

    def day_summary(self, day: dt.date | str, *, contacts: Any = None) -> DaySummary:
        """Who was expected, reported, missing, abnormal (with the rules that
        hold) and isolated on ``day``; with ``contacts`` (the contact service),
        outside people under observation and the follow-ups due."""
        when = as_day(day)
        return summarize_day(when, [p.id for p in self.active_people()], self.day(when),
                             self.settings, self._isolation(when), contacts)

    # -- figures (for the dashboard and the sparklines) -------------------------------
    def _figure(self, key: str) -> Mapping[str, Any] | None:
        """A day's stored figures (read-only), or None."""
        return self._store.partition(DAYS).first(where("id") == key)  # type: ignore[no-any-return]

    def _first_key(self) -> str | None:
        days = self._store.partition(DAYS).ids()
        return min(days) if days else None

    def first_day(self) -> dt.date | None:
        """The first day any check-in was recorded for (the watch began)."""
        first = self._first_key()
        return dt.date.fromisoformat(first) if first else None

    def figures(self, day: dt.date | str) -> DayFigures | None:
        """The counts of ``day``; ``None`` before the first check-in ever."""
        return self.series(day, 1)[0]

    def series(self, end: dt.date | str, days: int) -> list[DayFigures | None]:
        """The counts of the ``days`` days ending with ``end``, oldest first;
        ``None`` for days before the first check-in ever recorded."""
        last = as_day(end)
        first = self._first_key()
        settings = self.settings
        active = {p.id for p in self._roster.people() if p.status == ACTIVE}
        out: list[DayFigures | None] = []
        for n in range(days - 1, -1, -1):
            day = last - dt.timedelta(days=n)
            key = day.isoformat()
            doc = self._figure(key)
            if doc is None and (first is None or key < first):
                out.append(None)
                continue
            doc = doc or blank_day(key)
            expected = doc["expected"] or len(active)
            groups = {pid: rules.isolation_group(code)
                      for pid, code in self._isolation(day).items()}
            for pid, code in doc["isolation"].items():
                groups.setdefault(pid, rules.isolation_group(code))
            values = list(groups.values())
            out.append(DayFigures(
                day, expected, doc["reported"],
                fever=sum(1 for t in doc["warm"].values() if rules.is_fever(t, settings)),
                symptom=len(doc["symptom"]),
                risk=len(set(doc["travel"]) | set(doc["contact"])),
                observation=values.count("observation"),
                quarantine=values.count("quarantine"),
            ))
        return out

    def rebuild_figures(self, day: dt.date | str) -> None:
        """Recompute a day's figures from its check-ins (a repair; never needed
        in normal use, where every write keeps them)."""
        key = as_day(day).isoformat()
        doc = blank_day(key)
        doc["expected"] = self._roster.count(ACTIVE)
        for pid, checkin in self.day(key).items():
            add_to_day(doc, pid, checkin, 1)
        self._store.partition(DAYS).upsert(doc)

    # -- writing -------------------------------------------------------------------
    def clean(self, day: dt.date | str, person_id: str, values: Mapping[str, object]
              ) -> tuple[dict[str, str], list[Any]]:
        """``values`` over the person's existing check-in of ``day`` (or a blank one)."""
        key = as_day(day).isoformat()
        old = self.day(key).get(person_id)
        base = expand(old) if old is not None else CHECKIN.blank()
        return CHECKIN.clean({**values, "date": key}, base=base)

    def record(self, day: dt.date | str, person_id: str, values: Mapping[str, object], *,
               source: str = "proxy", at: dt.datetime | None = None) -> dict[str, Any]:
        """Enter or correct a person's check-in of ``day``; raises
        ``InvalidRecord`` listing what is wrong. Returns the full check-in."""
        when = self._writable_day(day)
        self._require_active(person_id)
        doc, problems = self.clean(when, person_id, {**values, "source": source})
        if problems:
            raise InvalidRecord(problems)
        self.write([(person_id, doc)], at=at)
        return expand(self.day(when)[person_id])

    def mark_normal(self, day: dt.date | str, person_id: str) -> dict[str, Any]:
        """One key on the day sheet: the person reported no symptoms, no risk
        travel or contact. A person under observation keeps that status."""
        when = self._writable_day(day)
        self._require_active(person_id)
        doc = self._normal(when, person_id, self._isolation(when))
        self.write([(person_id, doc)])
        return expand(self.day(when)[person_id])

    def mark_rest_normal(self, day: dt.date | str) -> int:
        """Mark everyone still missing on ``day`` normal, as one batch; returns
        how many were marked."""
        when = self._writable_day(day)
        isolation = self._isolation(when)
        rows = [(p.id, self._normal(when, p.id, isolation)) for p in self.missing_on(when)]
        if rows:
            self.write(rows)
        return len(rows)

    def clear(self, day: dt.date | str, person_id: str) -> None:
        """Take back a check-in entered by mistake: the person is missing again."""
        key = self._writable_day(day).isoformat()
        if person_id in self.day(key):
            self._commit({key: [(person_id, None)]})

    def _normal(self, day: dt.date, person_id: str, isolation: Mapping[str, str]
                ) -> dict[str, str]:
        old = self.day(day).get(person_id)
        base = expand(old) if old is not None else CHECKIN.blank()
        values: dict[str, object] = {
            "date": day.isoformat(), "temperature": "", "symptoms": "", "symptom_other": "",
            "risk_travel": "no", "case_contact": "no", "source": "proxy",
            "isolation": isolation.get(person_id, "none"),
        }
        doc, problems = CHECKIN.clean(values, base=base)
        if problems:  # an old check-in at home without a province: keep it as it was
            doc, _ = CHECKIN.clean({**values, "location": ""}, base=base)
        return doc

    def write(self, rows: Iterable[tuple[str, Mapping[str, str]]], *,
              at: dt.datetime | None = None,
              times: Mapping[int, dt.datetime] | None = None) -> int:
        """Store clean check-ins (``(person id, values)``, values as
        ``CHECKIN.clean`` gives them, each with its ``date``) as ONE batch.
        ``at`` is when they were made (default now); ``times`` gives some
        rows (by position) their own time, e.g. a survey's submission time."""
        by_day: dict[str, list[tuple[str, dict[str, Any] | None]]] = {}
        moment = stamp(at or self._now())
        count = 0
        for position, (person_id, values) in enumerate(rows):
            key = values["date"]
            doc = compact(dict(values))
            own = times.get(position) if times else None
            doc.update(id=checkin_id(key, person_id), person=person_id,
                       at=stamp(own) if own else moment)
            by_day.setdefault(key, []).append((person_id, doc))
            count += 1
        self._commit(by_day)
        return count

    def _commit(self, by_day: Mapping[str, list[tuple[str, dict[str, Any] | None]]]) -> None:
        """One batch for every day's changes; the caches follow once it is written."""
        for key in by_day:
            self.day(key)  # load before the batch
        with self._store.batch():
            staged = [self._stage(key, items) for key, items in by_day.items()]
        for key, changes in staged:
            entries = self._days[key]
            for pid, doc in changes:
                if doc is None:
                    entries.pop(pid, None)
                else:
                    entries[pid] = doc
        self.version += 1

    def _stage(self, key: str, items: list[tuple[str, dict[str, Any] | None]]
               ) -> tuple[str, list[tuple[str, dict[str, Any] | None]]]:
        """Write one day's check-ins, its figures and the listeners' changes
        (inside the caller's batch); return what the caches take afterwards."""
        part = self._store.partition(partition_name(key))
        entries = self._days[key]
        stored = self._figure(key)
        figures = _copy_day(stored) if stored is not None else blank_day(key)
        figures["expected"] = self._roster.count(ACTIVE)
        day = dt.date.fromisoformat(key)
        changes: list[tuple[str, dict[str, Any] | None]] = []
        for person_id, doc in items:
            old = entries.get(person_id)
            if old is not None:
                add_to_day(figures, person_id, old, -1)
            if doc is None:
                part.remove(checkin_id(key, person_id))
            else:
                part.upsert(doc)
                add_to_day(figures, person_id, doc, 1)
            for listener in self.listeners:
                listener(day, person_id, old, doc)
            changes.append((person_id, doc))
        self._store.partition(DAYS).upsert(figures)
        return key, changes

    def _writable_day(self, day: dt.date | str) -> dt.date:
        when = as_day(day)
        not_future(when, self._now())
        return when

    def _require_active(self, person_id: str) -> None:
        person = self._roster.person(person_id)
        if person is None:
            raise UserError("storage.record_not_found")
        if person.status != ACTIVE:
            raise UserError("checkin.person_not_active")


def _copy_day(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {**doc, "warm": dict(doc["warm"]), "symptom": list(doc["symptom"]),
            "travel": list(doc["travel"]), "contact": list(doc["contact"]),
            "isolation": dict(doc["isolation"])}


def summarize_day(day: dt.date, expected: list[str], entries: Mapping[str, Mapping[str, Any]],
                  settings: HealthSettings, isolation: Mapping[str, str],
                  contacts: Any = None) -> DaySummary:
    """The day summary of ``day`` from its check-ins (person id -> stored
    check-in), the people expected, and ``isolation`` (person id -> the
    observation type of a contact under observation that day). With
    ``contacts`` (the contact service): outside people under observation and
    the follow-ups due. ``HealthService.day_summary`` reads one day;
    ``reports.days`` many days, each month read once."""
    reported = [pid for pid in expected if pid in entries]
    abnormal = []
    for pid in reported:
        flags = rules.checkin_flags(entries[pid], settings)
        if flags:
            abnormal.append(Abnormal(pid, flags, expand(entries[pid])))
    # isolated: from contacts under observation, then from what the check-ins say
    groups = {pid: rules.isolation_group(code) for pid, code in isolation.items()}
    for pid, doc in entries.items():
        group = rules.isolation_group(doc.get("isolation", ""))
        if group and pid not in groups:
            groups[pid] = group
    summary = DaySummary(
        day, expected, reported, [pid for pid in expected if pid not in entries], abnormal,
        observation=[p for p in expected if groups.get(p) == "observation"],
        quarantine=[p for p in expected if groups.get(p) == "quarantine"],
    )
    if contacts is not None:
        for doc in contacts.outside_isolation(day):
            group = rules.isolation_group(doc["observation_type"])
            target = (summary.outside_observation if group == "observation"
                      else summary.outside_quarantine)
            target.append(doc["id"])
        agenda = contacts.agenda(day)
        summary.followups_due = [d["id"] for d in agenda.due]
        summary.observation_ending = [d["id"] for d in agenda.ending]
    return summary

"""Hardship care: the cases the branch follows, their visits, reminders of
visits due, and the totals of support given.

Cases live in the ``care`` partition, visits in ``care_visits`` (each visit
carries its case's id in ``case``). A case closed as resolved or referred
gets ``closed_on``. Rows for lists show the hardship type and the severity
and nothing else of the care details.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from operator import and_, itemgetter
from typing import Any

from branchtool import i18n, money
from branchtool.records import dates
from branchtool.records.care import (
    CARE,
    CASE_COLUMNS,
    CASE_VISIT_COLUMNS,
    FOLLOWING,
    METHODS,
    SEVERITIES,
    SUPPORTS,
    VISIT,
    VISIT_COLUMNS,
    amount_support,
)
from branchtool.records.fields import InvalidRecord, Problem, Ref
from branchtool.records.health_fields import split_codes
from branchtool.records.views import ListView, ViewRow
from branchtool.services.book import Batch, Doc, RecordBook, person_name, utc_now
from branchtool.services.query import where
from branchtool.services.roster import RosterService
from branchtool.services.watch import PartitionLike

CASES, VISITS = "care", "care_visits"
DUE_SOON_DAYS = 2  # a visit due today, tomorrow or the day after is a reminder
OVERDUE, DUE = "overdue", "due"
_DATE = itemgetter("date")  # sorts are stable: equal dates stay in the order written
_SEVERITY_RANK = {code: i for i, code in enumerate(SEVERITIES)}


def _day(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if len(value) == 10 else None


@dataclass(frozen=True)
class CareQuery:
    status: str = FOLLOWING  # a status code, or "" for every case
    hardship: str = ""
    severity: str = ""
    text: str = ""  # part of the name of the person cared for


CASE_VIEW = ListView(CARE, CASE_COLUMNS, {
    "who": lambda row: row.who,
    "responsible_name": lambda row: person_name(row._service.roster,
                                                row.doc.get("responsible", "")),
    "last_visit": lambda row: dates.display(row.last_visit),
    "next_visit": lambda row: "" if row.muted else dates.display(row.doc.get("next_visit", "")),
})


class CaseRow(ViewRow):
    """A case as the list shows it: who, type, severity, the responsible
    member, the last and next visit, status. Never the details."""

    __slots__ = ("_service", "doc", "id", "last_visit", "who")
    VIEW = CASE_VIEW

    def __init__(self, service: CareService, doc: Doc, last_visit: str) -> None:
        self._service = service
        self.id: str = doc["id"]
        self.doc = doc
        self.who = service.who(doc)
        self.last_visit = last_visit

    @property
    def muted(self) -> bool:
        return self.doc.get("status") != FOLLOWING

    @property
    def overdue(self) -> bool:
        day = _day(self.doc.get("next_visit", ""))
        return not self.muted and day is not None and day < self._service.today()


def _visited(row: VisitRow) -> str:
    case = row._service._record(row.doc.get("case", ""))
    return row._service.who(case) if case else ""


_VISIT_TEXTS = {
    "who": _visited,
    "visitor_name": lambda row: person_name(row._service.roster, row.doc.get("visitor", "")),
}
# Every case's visits in one list; a case's own visits (with what was given).
VISIT_VIEW = ListView(VISIT, VISIT_COLUMNS, _VISIT_TEXTS)
CASE_VISIT_VIEW = ListView(VISIT, CASE_VISIT_COLUMNS,
                           {"visitor_name": _VISIT_TEXTS["visitor_name"]})


class VisitRow:
    """A visit as a list shows it: with its case's details (``CASE_VISIT_VIEW``:
    the support and the amount) or in the list of every visit
    (``VISIT_VIEW``: who, when, how, by whom)."""

    __slots__ = ("_service", "doc", "id", "view")
    muted = False

    def __init__(self, service: CareService, doc: Doc, view: ListView = VISIT_VIEW) -> None:
        self._service = service
        self.id: str = doc["id"]
        self.doc = doc
        self.view = view

    def cell(self, key: str) -> str:
        return self.view.cell(self, key)


@dataclass(frozen=True)
class CareReminder:
    case_id: str
    who: str
    kind: str  # OVERDUE or DUE
    next_visit: dt.date
    days: int  # overdue by, or due in

    def message(self) -> str:
        return i18n.t(f"care.reminder.{self.kind}", who=self.who,
                      date=i18n.format_date(self.next_visit), days=self.days)


@dataclass
class SupportTotal:
    count: int = 0
    amount: Decimal = money.ZERO


@dataclass
class SupportTotals:
    """Support given in visits between two dates, by type, and overall."""

    by_type: dict[str, SupportTotal] = field(
        default_factory=lambda: {code: SupportTotal() for code in SUPPORTS})
    visits: int = 0
    amount: Decimal = money.ZERO


@dataclass
class CareSummary:
    """The care work of a period, for the report 帮扶工作情况."""

    start: dt.date
    end: dt.date
    # people, each counted once (see ``CareService.summary``)
    following: int = 0  # followed at the end of the period
    opened: int = 0  # with a case opened in the period
    closed: dict[str, int] = field(default_factory=dict)  # with a case resolved / referred in it
    closed_people: int = 0  # with a case closed in it (resolved or referred)
    by_hardship: dict[str, int] = field(default_factory=dict)  # followed, by hardship
    by_severity: dict[str, int] = field(default_factory=dict)  # followed, at their most severe
    visits_by_method: dict[str, int] = field(default_factory=dict)
    people_visited: int = 0
    support: SupportTotals = field(default_factory=SupportTotals)


class VisitBook(RecordBook):
    """The visits."""

    def __init__(self, partition: PartitionLike, batch: Batch, roster: RosterService, *,
                 now: Callable[[], str]) -> None:
        super().__init__(partition, batch, VISIT, roster, now=now)

    def of_case(self, case_id: str) -> list[Mapping[str, Any]]:
        """A case's visits (stored, read-only), in the order they were
        written: lists of equal dates come out the same every time."""
        return self._part.search(where("case") == case_id)

    def last_dates(self) -> dict[str, str]:
        """Case id -> the date of its last visit, in one pass over the visits."""
        out: dict[str, str] = {}
        for visit in self._records():
            case, day = visit.get("case", ""), visit["date"]
            if day > out.get(case, ""):
                out[case] = day
        return out

    def between(self, first: str, last: str) -> list[Mapping[str, Any]]:
        """The visits made from ``first`` to ``last`` (ISO dates, both included)."""
        return self._part.search((where("date") >= first) & (where("date") <= last))


class CareService(RecordBook):
    def __init__(self, cases: PartitionLike, visits: PartitionLike, batch: Batch,
                 roster: RosterService, *, now: Callable[[], str] = utc_now,
                 today: Callable[[], dt.date] = dt.date.today) -> None:
        self.visit_book = VisitBook(visits, batch, roster, now=now)
        super().__init__(cases, batch, CARE, roster, now=now)
        self.today = today

    # -- reading -----------------------------------------------------------------------
    @property
    def version(self) -> int:
        return self._changes + self.visit_book.version

    def who(self, doc: Mapping[str, Any]) -> str:
        """The name of the person a case is for."""
        person = doc.get("person", "")
        return person_name(self.roster, person) if person else doc.get("name", "")

    def last_visit(self, case_id: str) -> str:
        return max((v["date"] for v in self.visit_book.of_case(case_id)), default="")

    def cases(self, query: CareQuery = CareQuery()) -> list[CaseRow]:
        """The cases ``query`` selects, most urgent first: those followed
        before the closed, then by severity, then the longest without a visit,
        then the next visit soonest."""
        today = self.today()
        terms = query.text.lower().split()
        rows = []
        asked = [where(key) == value for key, value in (
            ("status", query.status), ("severity", query.severity)) if value]
        docs = self._part.search(functools.reduce(and_, asked)) if asked \
            else self._records()
        last_visits = self.visit_book.last_dates()
        for doc in docs:
            if query.hardship and query.hardship not in split_codes(doc.get("hardship", "")):
                continue
            row = CaseRow(self, doc, last_visits.get(doc["id"], ""))
            if terms and not all(t in row.who.lower() for t in terms):
                continue
            rows.append(row)

        def urgency(row: CaseRow) -> tuple[Any, ...]:
            doc = row.doc
            since = _day(row.last_visit) or _day(doc.get("opened_on", "")) or today
            return (doc.get("status") != FOLLOWING, -_SEVERITY_RANK.get(doc["severity"], 0),
                    -(today - since).days, doc.get("next_visit") or "9999")

        rows.sort(key=urgency)
        return rows

    def case_row(self, case_id: str) -> CaseRow:
        return CaseRow(self, self._require(case_id), self.last_visit(case_id))

    def visits(self, case_id: str | None = None, start: dt.date | None = None,
               end: dt.date | None = None) -> list[VisitRow]:
        """The visits of one case (rows with what was given), or of every case
        (rows without), from ``start`` to ``end`` (both included) when given,
        latest first."""
        first = start.isoformat() if start else ""
        last = end.isoformat() if end else "9999"
        if case_id is None:
            found = self.visit_book.between(first, last) if start or end \
                else self.visit_book._records()
        else:
            found = [d for d in self.visit_book.of_case(case_id) if first <= d["date"] <= last]
        docs = sorted(found, key=_DATE, reverse=True)
        view = CASE_VISIT_VIEW if case_id is not None else VISIT_VIEW
        return [VisitRow(self, d, view) for d in docs]

    def visits_between(self, start: dt.date, end: dt.date) -> list[Doc]:
        """Copies of the visits made from ``start`` to ``end`` (both included),
        in date order."""
        first, last = start.isoformat(), end.isoformat()
        return [dict(d) for d in sorted(self.visit_book.between(first, last), key=_DATE)]

    def visit(self, visit_id: str) -> Doc | None:
        return self.visit_book.get(visit_id)

    def cases_of(self, person_id: str) -> list[Doc]:
        """Copies of the cases opened for a roster person, the latest first."""
        found = self._part.search(where("person") == person_id)
        return [dict(d) for d in sorted(found, key=lambda d: (d.get("opened_on", ""), d["id"]),
                                        reverse=True)]

    def responsible_for(self, person_id: str) -> list[CaseRow]:
        """The open cases a member is responsible for."""
        return [r for r in self.cases() if r.doc.get("responsible") == person_id]

    def reminders(self, today: dt.date | None = None) -> list[CareReminder]:
        """Visits overdue (the next visit date has passed) and due within
        ``DUE_SOON_DAYS``, most overdue first."""
        today = today or self.today()
        found = []
        for doc in self._part.search(where("status") == FOLLOWING):
            day = _day(doc.get("next_visit", ""))
            if day is None:
                continue
            delta = (day - today).days
            if delta < 0:
                found.append(CareReminder(doc["id"], self.who(doc), OVERDUE, day, -delta))
            elif delta <= DUE_SOON_DAYS:
                found.append(CareReminder(doc["id"], self.who(doc), DUE, day, delta))
        found.sort(key=lambda r: (r.next_visit, r.who))
        return found

    def support_totals(self, start: dt.date, end: dt.date) -> SupportTotals:
        totals = SupportTotals()
        for visit in self.visits_between(start, end):
            totals.visits += 1
            supports = split_codes(visit.get("support", ""))
            if not supports:
                continue
            amount = money.from_text(visit.get("amount", ""))
            # One amount per visit: it goes to the money, else to the first
            # support that can have one; each support given counts once.
            paid = amount_support(supports)
            for support in supports:
                entry = totals.by_type[support]
                entry.count += 1
                if support == paid:
                    entry.amount += amount
            totals.amount += amount
        return totals

    def who_key(self, doc: Mapping[str, Any]) -> str:
        """One key per person a case is for: the roster id, else the name of
        someone not on the roster (the case itself when it has neither)."""
        person, name = doc.get("person", ""), doc.get("name", "")
        return f"p:{person}" if person else (f"n:{name}" if name else f"c:{doc.get('id', '')}")

    def summary(self, start: dt.date, end: dt.date) -> CareSummary:
        """The period's care work; every figure of people counts each person
        once, however many cases (one per hardship, a case closed and opened
        again) or visits they have: a person followed in two cases is one
        person, at the more severe of the two."""
        first, last = start.isoformat(), end.isoformat()
        out = CareSummary(start, end, support=self.support_totals(start, end))
        opened: set[str] = set()
        closed: dict[str, set[str]] = {}
        hardships: dict[str, set[str]] = {}
        severity: dict[str, str] = {}  # person -> the most severe of their cases followed
        rank = {code: n for n, code in enumerate(SEVERITIES)}
        for doc in self._records():
            who = self.who_key(doc)
            opened_on = doc.get("opened_on", "")
            closed_on = doc.get("closed_on", "")
            if first <= opened_on <= last:
                opened.add(who)
            if closed_on and first <= closed_on <= last:
                closed.setdefault(doc["status"], set()).add(who)
            if opened_on <= last and (not closed_on or closed_on > last):
                for code in split_codes(doc["hardship"]):
                    hardships.setdefault(code, set()).add(who)
                before = severity.get(who)
                if before is None or rank.get(doc["severity"], -1) > rank.get(before, -1):
                    severity[who] = doc["severity"]
        out.opened = len(opened)
        out.closed = {status: len(people) for status, people in closed.items()}
        out.closed_people = len(set().union(*closed.values()))
        out.following = len(severity)
        out.by_hardship = {code: len(people) for code, people in hardships.items()}
        for code in severity.values():
            out.by_severity[code] = out.by_severity.get(code, 0) + 1
        visits = self.visits_between(start, end)
        out.visits_by_method = {m: sum(1 for v in visits if v["method"] == m) for m in METHODS}
        out.people_visited = len({self.who_key(self._record(v["case"]) or {"id": v["case"]})
                                  for v in visits})
        return out

    # -- cases ---------------------------------------------------------------------------
    def blank_case(self) -> dict[str, str]:
        return {**CARE.blank(), "opened_on": self.today().isoformat()}

    def add_case(self, values: Mapping[str, object]) -> str:
        doc = self._clean_or_raise(values)
        if doc["status"] != FOLLOWING:
            doc["closed_on"] = self.today().isoformat()
        return self._insert(doc)

    def edit_case(self, case_id: str, values: Mapping[str, object]) -> Doc:
        old = self._require(case_id)
        doc: Doc = self._clean_or_raise(values, case_id)
        if doc["status"] != old.get("status"):
            doc["closed_on"] = "" if doc["status"] == FOLLOWING else self.today().isoformat()
        return dict(self._update(case_id, doc))

    def delete_case(self, case_id: str) -> None:
        """Remove a case entered by mistake, with its visits, in one batch."""
        self._require(case_id)
        with self._atomic(self.visit_book):
            for visit in self.visit_book.of_case(case_id):
                self.visit_book._remove(visit["id"])
            self._remove(case_id)

    # -- visits --------------------------------------------------------------------------
    def blank_visit(self, case_id: str) -> dict[str, str]:
        case = self._require(case_id)
        today = self.today()
        values = {**VISIT.blank(), "date": today.isoformat(),
                  "visitor": case.get("responsible", "")}
        if case.get("status") == FOLLOWING:
            values["next_visit"] = (today + dt.timedelta(days=7)).isoformat()
        return values

    def check_visit(self, case_id: str, values: Mapping[str, object],
                    visit_id: str | None = None) -> list[Problem]:
        return self._clean_visit(case_id, values, visit_id)[1]

    def _clean_visit(self, case_id: str, values: Mapping[str, object],
                     visit_id: str | None) -> tuple[dict[str, str], list[Problem]]:
        case = self._require(case_id)
        doc, problems = self.visit_book.clean(values, visit_id)
        opened = case.get("opened_on", "")
        if not problems and opened and dates.precedes(doc["date"], opened):
            problems.append(Problem("care.check.date_order", "date",
                                    {"other": Ref("care.field.opened_on")},
                                    Ref("visit.field.date")))
        return doc, problems

    def add_visit(self, case_id: str, values: Mapping[str, object]) -> str:
        """Record a visit; its next visit date becomes the case's, in the same batch."""
        doc, problems = self._clean_visit(case_id, values, None)
        if problems:
            raise InvalidRecord(problems)
        with self._atomic(self.visit_book):
            visit_id = self.visit_book._insert({**doc, "case": case_id})
            self._follow_up(case_id, doc)
        return visit_id

    def edit_visit(self, visit_id: str, values: Mapping[str, object]) -> Doc:
        case_id = self.visit_book._require(visit_id).get("case", "")
        doc, problems = self._clean_visit(case_id, values, visit_id)
        if problems:
            raise InvalidRecord(problems)
        with self._atomic(self.visit_book):
            new = self.visit_book._update(visit_id, doc)
            self._follow_up(case_id, doc)
        return dict(new)

    def _follow_up(self, case_id: str, visit: Mapping[str, str]) -> None:
        case = self._require(case_id)
        if visit.get("next_visit") and case.get("status") == FOLLOWING \
                and visit["next_visit"] != case.get("next_visit"):
            self._update(case_id, {"next_visit": visit["next_visit"]})

    def delete_visit(self, visit_id: str) -> None:
        self.visit_book._require(visit_id)
        self.visit_book._remove(visit_id)

    def write_batch(self, cases: Iterable[tuple[Doc, list[Doc]]]) -> list[str]:
        """Insert clean cases, each with its clean visits, as ONE batch (the
        demo generator and imports)."""
        ids = []
        with self._atomic(self.visit_book):
            for case, visits in cases:
                case_id = self._insert(case)
                ids.append(case_id)
                for visit in visits:
                    self.visit_book._insert({**visit, "case": case_id})
        return ids

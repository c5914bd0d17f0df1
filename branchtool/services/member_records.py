"""Members' records (党员表现记实): commendation and accountability entries,
each linked to the tasks it concerns, and the summary of a period."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from operator import and_

from branchtool.records.fieldtypes import split_ids
from branchtool.records.member_record import KINDS, MEMBER_RECORD, RECORD_COLUMNS
from branchtool.records.views import ListView, ViewRow
from branchtool.services.book import Batch, Doc, RecordBook, person_name, utc_now
from branchtool.services.query import where
from branchtool.services.roster import RosterService
from branchtool.services.watch import PartitionLike

PARTITION = "member_records"


@dataclass(frozen=True)
class RecordQuery:
    kind: str = ""
    member: str = ""
    text: str = ""  # part of the member's name


RECORD_VIEW = ListView(MEMBER_RECORD, RECORD_COLUMNS, {
    "member_name": lambda row: person_name(row._service.roster, row.doc.get("member", "")),
    "task_count": lambda row: str(len(split_ids(row.doc.get("tasks", "")))),
    "recorder_name": lambda row: person_name(row._service.roster,
                                             row.doc.get("recorded_by", "")),
})


class RecordRow(ViewRow):
    __slots__ = ("_service", "doc", "id")
    VIEW = RECORD_VIEW
    muted = False

    def __init__(self, service: MemberRecordService, doc: Doc) -> None:
        self._service = service
        self.id: str = doc["id"]
        self.doc = doc


@dataclass
class RecordSummary:
    """The entries of a period, for the members' records summary."""

    start: dt.date
    end: dt.date
    by_kind: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    # person id -> kind -> count, for the members who have entries
    by_member: dict[str, dict[str, int]] = field(default_factory=dict)
    entries: list[Doc] = field(default_factory=list)  # copies, in date order


class MemberRecordService(RecordBook):
    def __init__(self, partition: PartitionLike, batch: Batch, roster: RosterService, *,
                 now: Callable[[], str] = utc_now,
                 today: Callable[[], dt.date] = dt.date.today) -> None:
        super().__init__(partition, batch, MEMBER_RECORD, roster, now=now)
        self.today = today

    def blank(self, member: str = "", recorded_by: str = "") -> dict[str, str]:
        return {**MEMBER_RECORD.blank(), "member": member, "recorded_by": recorded_by,
                "date": self.today().isoformat()}

    def query(self, q: RecordQuery = RecordQuery()) -> list[RecordRow]:
        """Entries ``q`` selects, latest first."""
        terms = q.text.lower().split()
        rows = []
        asked = [where(key) == value for key, value in (("member", q.member), ("kind", q.kind))
                 if value]
        docs = self._part.search(functools.reduce(and_, asked)) if asked else self._records()
        for doc in docs:
            if terms:
                name = person_name(self.roster, doc.get("member", "")).lower()
                if not all(t in name for t in terms):
                    continue
            rows.append(RecordRow(self, doc))
        rows.sort(key=lambda r: r.doc.get("date", ""), reverse=True)  # stable: ties as written
        return rows

    def for_member(self, person_id: str) -> list[RecordRow]:
        return self.query(RecordQuery(member=person_id))

    def for_task(self, task_id: str) -> list[RecordRow]:
        return [r for r in self.query() if task_id in split_ids(r.doc.get("tasks", ""))]

    def summary(self, start: dt.date, end: dt.date) -> RecordSummary:
        first, last = start.isoformat(), end.isoformat()
        out = RecordSummary(start, end)
        found = sorted(self._part.search((where("date") >= first) & (where("date") <= last)),
                       key=lambda d: d["date"])
        for doc in found:
            kind, member = doc["kind"], doc["member"]
            out.by_kind[kind] = out.by_kind.get(kind, 0) + 1
            counts = out.by_member.setdefault(member, {})
            counts[kind] = counts.get(kind, 0) + 1
            out.entries.append(dict(doc))
        return out

    def add(self, values: Mapping[str, object]) -> str:
        return self._insert(self._clean_or_raise(values))

    def edit(self, record_id: str, values: Mapping[str, object]) -> Doc:
        return dict(self._update(record_id, self._clean_or_raise(values, record_id)))

    def delete(self, record_id: str) -> None:
        self._remove(record_id)

    def write_batch(self, docs: list[Doc]) -> list[str]:
        with self._atomic():
            return [self._insert(doc) for doc in docs]

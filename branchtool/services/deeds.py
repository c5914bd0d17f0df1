"""Exemplary deeds (先进典型事迹): drafted, marked for reporting (拟上报),
and once sent to the college, reported (已上报). ``for_reporting`` is what
the deeds material of a report (先进典型事迹材料) is made of."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from branchtool.errors import UserError
from branchtool.records.deed import DEED, DEED_COLUMNS, PROPOSED, REPORTED
from branchtool.records.fieldtypes import split_ids
from branchtool.records.views import ListView, ViewRow
from branchtool.services.book import Batch, Doc, RecordBook, names, utc_now
from branchtool.services.query import where
from branchtool.services.roster import RosterService
from branchtool.services.watch import PartitionLike

PARTITION = "deeds"


@dataclass(frozen=True)
class DeedQuery:
    status: str = ""
    member: str = ""
    text: str = ""  # part of the title


DEED_VIEW = ListView(DEED, DEED_COLUMNS, {
    "member_names": lambda row: names(row._service.roster, row.doc.get("members", "")),
})


class DeedRow(ViewRow):
    __slots__ = ("_service", "doc", "id")
    VIEW = DEED_VIEW

    def __init__(self, service: DeedService, doc: Doc) -> None:
        self._service = service
        self.id: str = doc["id"]
        self.doc = doc

    @property
    def muted(self) -> bool:
        return self.doc.get("status") == REPORTED


class DeedService(RecordBook):
    def __init__(self, partition: PartitionLike, batch: Batch, roster: RosterService, *,
                 now: Callable[[], str] = utc_now) -> None:
        super().__init__(partition, batch, DEED, roster, now=now)

    def query(self, q: DeedQuery = DeedQuery()) -> list[DeedRow]:
        """Deeds ``q`` selects, latest first."""
        terms = q.text.lower().split()
        rows = [
            DeedRow(self, doc) for doc in (
                self._part.search(where("status") == q.status) if q.status else self._records())
            if (not q.member or q.member in split_ids(doc.get("members", "")))
            and all(t in doc.get("title", "").lower() for t in terms)
        ]
        rows.sort(key=lambda r: r.doc.get("date", ""), reverse=True)  # stable: ties as written
        return rows

    def for_member(self, person_id: str) -> list[DeedRow]:
        return self.query(DeedQuery(member=person_id))

    def for_reporting(self) -> list[Doc]:
        """Copies of the deeds marked for reporting (拟上报), oldest first."""
        found = self._part.search(where("status") == PROPOSED)
        return [dict(d) for d in sorted(found, key=lambda d: d["date"])]

    def add(self, values: Mapping[str, object]) -> str:
        return self._insert(self._clean_or_raise(values))

    def edit(self, deed_id: str, values: Mapping[str, object]) -> Doc:
        return dict(self._update(deed_id, self._clean_or_raise(values, deed_id)))

    def set_status(self, deed_id: str, status: str) -> Doc:
        return self.edit(deed_id, {"status": status})

    def mark_reported(self, deed_ids: Iterable[str]) -> int:
        """After a report went out: its deeds become reported, in one batch."""
        ids = list(dict.fromkeys(deed_ids))
        for deed_id in ids:
            if self._require(deed_id).get("status") != PROPOSED:
                raise UserError("deed.not_proposed")
        with self._atomic():
            for deed_id in ids:
                self._update(deed_id, {"status": REPORTED})
        return len(ids)

    def mark_sent(self, deed_ids: Iterable[str]) -> list[str]:
        """After a bundle carried the deeds material made of ``deed_ids``:
        those still marked for reporting become reported, in one batch (one
        changed meanwhile, e.g. back to a draft, is left as it is). Returns
        the ids marked."""
        ids = [i for i in dict.fromkeys(deed_ids)
               if self._part.first((where("id") == i) & (where("status") == PROPOSED))]
        if ids:
            self.mark_reported(ids)
        return ids

    def delete(self, deed_id: str) -> None:
        self._remove(deed_id)

    def write_batch(self, docs: list[Doc]) -> list[str]:
        with self._atomic():
            return [self._insert(doc) for doc in docs]

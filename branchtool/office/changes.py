"""Records reported by the branches, and the ones changed after reporting.

The office keeps the latest reported values of each branch's records
(``records`` / ``records/YYYY-MM``, see ``model``), in buckets: one per branch
and kind, or per branch, kind and day for kinds filed by day, so that a daily
import rewrites only what it brings. When a bundle is accepted:

- a record it carries that the office already holds with other values is
  flagged, with the old and new value of each changed field (but an alert
  going its course, ``RAISED``);
- a history entry that updates or removes a record the office holds, when the
  bundle does not carry the record's new values (e.g. a check-in corrected
  outside the bundle's period, or a removal), is flagged with the old values.

Redaction: when two bundles used different redaction levels, only the fields
both carried are compared (a withheld field is not a change).

Content: a kind the branch chose not to send (not in the bundle's signed
``content``) leaves what the office holds of it as it is; only a kind sent
whole and carrying fewer records says the others are gone.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from branchtool.bundles.format import carried_kinds
from branchtool.bundles.kinds import kinds
from branchtool.bundles.scope import ExportKind
from branchtool.office.model import CHANGES, RECORDS, day_of, month_of, partition_of
from storage.vault import Vault

Doc = dict[str, Any]


@dataclass
class Change:
    kind: str
    record: str
    op: str  # "update" or "remove"
    fields: dict[str, list[Any]]  # field -> [old, new]; new is None when not carried
    time: str | None  # the branch's history time of the change, when known
    new_known: bool
    subject: dict[str, str] = field(default_factory=dict)  # see ``subject_of``

    def to_doc(self, code: str, bundle: Doc, imported: str) -> Doc:
        return {"branch": code, "sequence": bundle["sequence"], "bundle_id": bundle["bundle_id"],
                "kind": self.kind, "record": self.record, "op": self.op, "fields": self.fields,
                "time": self.time, "new_known": self.new_known, "imported": imported,
                "subject": self.subject}


def subject_of(kind: ExportKind | None, record: Doc) -> dict[str, str]:
    """Whom or what a changed record is about, for the clerk: the person (by
    id; the office names them from the roster it holds), a title, a day."""
    out: dict[str, str] = {}
    person = record.get("person")
    if kind is not None and kind.name == "roster":
        person = record.get("id")
        if isinstance(record.get("name"), str):
            out["name"] = record["name"]
    if isinstance(person, str) and person:
        out["person"] = person
    for key in ("title", "name"):
        if key not in out and isinstance(record.get(key), str) and record[key]:
            out["title"] = record[key]
            break
    day = record.get(kind.date_field) if kind is not None and kind.date_field else None
    if isinstance(day, str) and day:
        out["day"] = day[:10]
    return out


def _kind_for_partition(name: str, known: list[ExportKind]) -> tuple[str, str] | None:
    """(kind, month) of a branch partition named in a history entry."""
    for kind in known:
        if kind.partition.endswith("/"):
            if name.startswith(kind.partition):
                return kind.name, month_of(name[len(kind.partition):])
        elif name == kind.partition:
            return kind.name, ""
    return None


def _day_field(kind: ExportKind | None) -> str | None:
    """The date field that files a kind's records by day (kinds the branch
    keeps in monthly partitions, e.g. check-ins), else None."""
    if kind is None or not kind.partition.endswith("/"):
        return None
    return kind.date_field


# when a record was written, not what it says: a change of these alone is not
# flagged, and they are not shown as changed fields
BOOKKEEPING = frozenset({"updated_at", "at", "created_at"})
# kinds the branch's rules raise and carry on from day to day (an alert's
# episode grows, then is handled): their updates are their course, not a
# correction of what was reported (the check-in corrected under one is flagged)
RAISED = frozenset({"alerts"})


def diff(old: Doc, new: Doc, same_redaction: bool) -> dict[str, list[Any]]:
    keys = (old.keys() | new.keys()) if same_redaction else (old.keys() & new.keys())
    fields = {k: [old.get(k), new.get(k)] for k in sorted(keys)
              if k != "id" and old.get(k) != new.get(k)}
    return {} if fields.keys() <= BOOKKEEPING else fields


@dataclass
class _Bucket:
    doc: Doc
    dirty: bool = False


def _place(code: str, kind: str, day: str) -> tuple[str, str]:
    """(partition, document id) of a bucket: one per branch and kind, and per
    day for kinds filed by day (so a daily import writes only its days)."""
    if day:
        return partition_of(RECORDS, day[:7]), f"{code}|{kind}|{day}"
    return RECORDS, f"{code}|{kind}"


@dataclass
class ReportedRecords:
    """The reported records one import run reads and changes, written at commit."""

    vault: Vault
    _buckets: dict[tuple[str, str], _Bucket] = field(default_factory=dict)
    _months: set[tuple[str, str, str]] = field(default_factory=set)

    def bucket(self, code: str, kind: str, day: str = "") -> _Bucket:
        key = _place(code, kind, day)
        found = self._buckets.get(key)
        if found is None:
            stored = self.vault.partition(key[0]).get(key[1])
            found = _Bucket(stored or {"id": key[1], "branch": code, "kind": kind, "day": day,
                                       "redaction": None, "records": {}})
            self._buckets[key] = found
        return found

    def month(self, code: str, kind: str, month: str) -> list[_Bucket]:
        """Every bucket of a branch's kind in one month (to find a record by id)."""
        partition = partition_of(RECORDS, month)
        if (code, kind, month) not in self._months:
            self._months.add((code, kind, month))
            for doc in self.vault.partition(partition).find(branch=code, kind=kind):
                self._buckets.setdefault((partition, doc["id"]), _Bucket(doc))
        prefix = f"{code}|{kind}|"
        return [b for (p, i), b in self._buckets.items() if p == partition
                and i.startswith(prefix)]

    def find(self, code: str, kind: str, month: str, record_id: str) -> _Bucket | None:
        buckets = self.month(code, kind, month) if month else [self.bucket(code, kind)]
        return next((b for b in buckets if record_id in b.doc["records"]), None)

    def write(self) -> None:
        """Inside the import's batch: every bucket that changed, handed over
        (``owned``: a bucket is a copy read for this run, or new, and the run
        ends with the write)."""
        for (partition, _), bucket in self._buckets.items():
            if bucket.dirty:
                self.vault.partition(partition).upsert(bucket.doc, owned=True)

    def latest(self, code: str, kind: str, months: Iterable[str] = ("",)) -> list[Doc]:
        out: list[Doc] = []
        for month in months:
            if month:
                docs = sorted(self.vault.partition(partition_of(RECORDS, month)).find(
                    branch=code, kind=kind), key=lambda d: d["day"])
            else:
                one = self.vault.partition(RECORDS).get(f"{code}|{kind}")
                docs = [one] if one else []
            for doc in docs:
                out.extend(doc["records"].values())
        return out


    def held(self, code: str, months: Iterable[str]) -> dict[str, int]:
        """How many records of each kind the office holds for a branch (kinds
        filed by day: in ``months`` only), whatever its last bundle carried."""
        counts: dict[str, int] = {}
        for kind in kinds():
            if kind.partition.endswith("/"):
                total = sum(len(doc["records"]) for month in months
                            for doc in self.vault.partition(partition_of(RECORDS, month)).find(
                                branch=code, kind=kind.name))
            else:
                one = self.vault.partition(RECORDS).get(f"{code}|{kind.name}")
                total = len(one["records"]) if one else 0
            if total:
                counts[kind.name] = total
        return counts


def apply_bundle(store: ReportedRecords, code: str, doc: Doc,
                 last_op: dict[str, tuple[str, str, str]],
                 later: Collection[str] | None = None) -> list[Change]:
    """Fold an accepted bundle's records into what the office holds; return
    the records it changed after they had been reported. ``last_op`` is the
    bundle's history: record -> (partition, op, time) of its last change.

    ``later``: for a late file filling a missing sequence, the records that
    files after it (already accepted) changed: what the office holds of
    those is newer and stays; nothing is taken as gone for not being sent."""
    known = kinds()
    by_name = {k.name: k for k in known}
    redaction = doc["redaction"]
    carried_kind = set(carried_kinds(doc)) if later is None else set()
    newer = later or ()
    touched = {r: op for r, op in last_op.items() if r not in newer}
    changes: list[Change] = []
    carried: set[str] = set()
    before: dict[int, str | None] = {}  # each bucket's redaction before this bundle
    days: dict[str, str] = {}  # day_of each date text: a month's records share 30
    for kind_name, records in doc["data"].items():
        kind = by_name.get(kind_name)
        day_field = _day_field(kind)
        buckets: dict[str, _Bucket] = {}
        for record in records:
            if record["id"] in newer:
                continue
            value = record.get(day_field) if day_field else ""
            day = days.get(value) if type(value) is str else None
            if day is None:
                day = day_of(value) if day_field else ""
                if type(value) is str:
                    days[value] = day
            bucket = buckets.get(day)
            if bucket is None:
                bucket = buckets[day] = store.bucket(code, kind_name, day)
                before.setdefault(id(bucket), bucket.doc.get("redaction"))
                bucket.doc["redaction"], bucket.dirty = redaction, True
            held = bucket.doc["records"]
            old = held.get(record["id"])
            if old is not None:
                fields = diff(old, record, before[id(bucket)] == redaction)
                if fields and kind_name not in RAISED:
                    time = touched.get(record["id"], ("", "", None))[2]
                    changes.append(Change(kind_name, record["id"], "update", fields, time, True,
                                          subject_of(kind, {**old, **record})))
            held[record["id"]] = record
            carried.add(record["id"])
        if (kind is not None and kind.date_field is None and not kind.partition.endswith("/")
                and redaction != "counts" and kind_name in carried_kind):
            _drop_absent(store.bucket(code, kind_name), {r["id"] for r in records},
                         touched, kind_name, changes)
    for record_id, (partition, op, time) in touched.items():
        if record_id in carried or op not in ("update", "remove"):
            continue
        place = _kind_for_partition(partition, known)
        if place is None:
            continue
        bucket = store.find(code, place[0], place[1], record_id)
        if bucket is None:
            continue
        old = bucket.doc["records"][record_id]
        if op == "remove":
            del bucket.doc["records"][record_id]
            bucket.dirty = True
        if op == "update" and place[0] in RAISED:
            continue
        fields = {k: [v, None] for k, v in sorted(old.items()) if k != "id"}
        changes.append(Change(place[0], record_id, op, fields, time, False,
                              subject_of(by_name.get(place[0]), old)))
    return changes


def _drop_absent(bucket: _Bucket, present: set[str], touched: dict[str, tuple[str, str, str]],
                 kind: str, changes: list[Change]) -> None:
    """An undated kind is sent whole (every record in scope, whatever the period):
    what is no longer sent is no longer held, and is flagged when the branch's
    history says it was removed."""
    for record_id in [r for r in bucket.doc["records"] if r not in present]:
        old = bucket.doc["records"].pop(record_id)
        bucket.dirty = True
        info = touched.pop(record_id, None)
        if info is not None and info[1] == "remove":
            fields = {k: [v, None] for k, v in sorted(old.items()) if k != "id"}
            changes.append(Change(kind, record_id, "remove", fields, info[2], False,
                                  subject_of(next((k for k in kinds() if k.name == kind), None),
                                             old)))


def changes_for(vault: Vault, code: str | None = None) -> list[Doc]:
    """Flagged changes, newest import first (one branch's, or all)."""
    out: list[Doc] = []
    for name in vault.partitions(CHANGES + "/"):
        part = vault.partition(name)
        out.extend(part.find(branch=code) if code else part.all())
    out.sort(key=lambda c: (c["imported"], c["sequence"], c["id"]), reverse=True)
    return out

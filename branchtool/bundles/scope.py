"""What a bundle may carry: each exportable record type, where it lives, how a
period selects it and which of its fields each redaction level withholds.

Redaction levels (``branchtool.records.redaction``, with the record
definitions): ``full``, ``standard`` (a bundle's default: without the fields
a record definition marks ``redact="standard"``) and ``counts`` (no records
at all — counts per kind, figures and reports only). A record goes into a
bundle without ``ExportKind.withheld(redaction)``: its definition's
``RecordDef.withheld`` (the cut ``RecordDef.public`` makes) and what the kind
itself adds (contacts' extensions).

Content: the secretary chooses which groups of kinds a bundle carries (the
app's sections: the roster, the epidemic watch, care, tasks, members' records,
deeds). A group left out is not sent at all — no records, no count — and its
own report stays home too; ``bundle.json`` names the kinds it carries
(``content``), so the office can tell "not sent" from "none". The daily and
weekly reports and the figures (counts only) always travel.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from branchtool.errors import UserError
from branchtool.records.fields import RecordDef
from branchtool.records.redaction import COUNTS
from storage.vault import Vault


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    def days(self) -> Iterator[dt.date]:
        day = self.start
        while day <= self.end:
            yield day
            day += dt.timedelta(days=1)

    def months(self) -> list[str]:
        months: list[str] = []
        for day in self.days():
            month = f"{day:%Y-%m}"
            if not months or months[-1] != month:
                months.append(month)
        return months

    def contains(self, iso_day: str) -> bool:
        return self.start.isoformat() <= iso_day[:10] <= self.end.isoformat()

    def to_json(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


@dataclass(frozen=True)
class ExportKind:
    """One record type in a bundle.

    ``partition`` is a partition name, or a prefix ending in ``/`` for monthly
    partitions (``checkins/`` -> ``checkins/2026-11``). ``date_field`` picks the
    records of the period (``None``: every record, e.g. the roster).
    """

    name: str
    label_key: str
    partition: str
    record: RecordDef | None = None
    date_field: str | None = None
    keep: Callable[[dict[str, Any]], bool] | None = None

    def withheld(self, redaction: str) -> tuple[str, ...]:
        """The keys a bundle at ``redaction`` leaves out of each record it
        carries (a counts-only bundle carries none)."""
        if redaction == COUNTS or self.record is None:
            return ()
        return self.record.withheld(redaction)


    def holds(self, partition: str) -> bool:
        """Whether the partition named is one of this kind's."""
        if self.partition.endswith("/"):
            return partition.startswith(self.partition)
        return partition == self.partition

    def partitions(self, vault: Vault, period: Period) -> list[str]:
        if not self.partition.endswith("/"):
            return [self.partition]
        existing = set(vault.partitions(self.partition))
        return [name for m in period.months() if (name := self.partition + m) in existing]

    def records(self, vault: Vault, period: Period) -> Iterable[dict[str, Any]]:
        for name in self.partitions(vault, period):
            for doc in vault.partition(name).all():
                if self.date_field and not period.contains(str(doc.get(self.date_field, ""))):
                    continue
                if self.keep is not None and not self.keep(doc):
                    continue
                yield doc

    def revised(self, vault: Vault, period: Period, changed: Mapping[str, Collection[str]],
                sent: Collection[str]) -> Iterable[dict[str, Any]]:
        """The records of a kind filed by day changed since the last bundle
        (``changed``: partition -> record ids, from the history) that the
        period does not select (not in ``sent``): a correction of an earlier
        day travels with the next bundle, whatever day it belongs to. A record
        of a day after the period is left for the bundle of its day. (Kinds
        not filed by day are sent whole, as far as the period reaches.)"""
        if not self.date_field:
            return
        last = period.end.isoformat()
        for name, ids in changed.items():
            if not self.holds(name):
                continue
            wanted = sorted(i for i in ids if i not in sent)
            for doc in vault.partition(name).get_many(wanted) if wanted else ():
                if self.keep is not None and not self.keep(doc):
                    continue
                if str(doc.get(self.date_field, ""))[:10] > last:
                    continue
                yield doc


@dataclass(frozen=True)
class ContentGroup:
    """A group of kinds the secretary sends or leaves out together, and the
    reports that are that group's records written out (they travel with it)."""

    name: str
    label_key: str
    kinds: tuple[str, ...]
    reports: tuple[str, ...] = ()


_KINDS: list[ExportKind] = []
_GROUPS: list[ContentGroup] = []


def register(kind: ExportKind) -> None:
    if any(k.name == kind.name for k in _KINDS):
        raise ValueError(f"export kind {kind.name!r} registered twice")
    _KINDS.append(kind)


def kinds() -> list[ExportKind]:
    _load_builtin()
    return list(_KINDS)


def register_group(group: ContentGroup) -> None:
    if any(g.name == group.name for g in _GROUPS):
        raise ValueError(f"content group {group.name!r} registered twice")
    taken = {k for g in _GROUPS for k in g.kinds}
    if taken & set(group.kinds):
        raise ValueError(f"a kind of {group.name!r} is in another group")
    _GROUPS.append(group)


def groups() -> list[ContentGroup]:
    """Every content group, in the order the app shows its sections."""
    _load_builtin()
    return list(_GROUPS)


@dataclass(frozen=True)
class Content:
    """What an export carries: the groups chosen, their kinds (in registry
    order), and the reports that stay home because their group does."""

    groups: tuple[str, ...]
    kinds: tuple[str, ...]
    reports_left_out: frozenset[str]

    @property
    def everything(self) -> bool:
        return len(self.groups) == len(groups())

    def left_out(self) -> list[ContentGroup]:
        return [g for g in groups() if g.name not in self.groups]


def choose(names: Iterable[str] | None = None) -> Content:
    """The content of the groups named (``None``: everything). An unknown name
    or an empty choice is a ``UserError``."""
    every = groups()
    if names is None:
        chosen = {g.name for g in every}
    else:
        chosen = set()
        for name in names:
            name = name.strip()
            if name not in {g.name for g in every}:
                raise UserError("export.bad_content", name=name,
                                known=", ".join(g.name for g in every))
            chosen.add(name)
        if not chosen:
            raise UserError("export.no_content")
    wanted = {k for g in every if g.name in chosen for k in g.kinds}
    # a kind no group claims (an area added one and no group yet) always travels
    grouped = {k for g in every for k in g.kinds}
    return Content(
        groups=tuple(g.name for g in every if g.name in chosen),
        kinds=tuple(k.name for k in kinds() if k.name in wanted or k.name not in grouped),
        reports_left_out=frozenset(r for g in every if g.name not in chosen
                                   for r in g.reports))


_RECORD_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def check_records(doc: dict[str, Any]) -> None:
    """Every record a (signed) bundle carries holds text in each field its
    kind's record definition declares (values are stored as text): a roster
    ``name`` that is a list, from another program or a faulty branch, would
    otherwise crash the office's view of the branch. The first wrong value
    refuses the bundle (``BundleRejected("record_type")``) naming the kind,
    the record and the field. A field left out (withheld) is no problem; a
    kind this version does not know is kept as sent."""
    from branchtool.bundles.format import BundleRejected

    by_name = {k.name: k for k in kinds()}
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


_loaded = False


def _load_builtin() -> None:
    """Each area registers its kinds in ``branchtool.bundles.kinds``.

    The flag is set only once that module has run: a second thread asking
    meanwhile waits on the import lock instead of seeing half a registry."""
    global _loaded
    if not _loaded:
        import branchtool.bundles.kinds  # noqa: F401 - registers on import

        _loaded = True

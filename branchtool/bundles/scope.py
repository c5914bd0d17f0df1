"""The shapes of what a bundle may carry: an exportable record
type (where it lives, how a period selects it, which of its fields each
redaction level withholds), a content group and a chosen content. The kinds
and groups themselves are listed once, in ``branchtool.bundles.kinds``.

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

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from branchtool.period import Period
from branchtool.records.fields import RecordDef
from branchtool.records.redaction import COUNTS
from storage.vault import Vault


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


@dataclass(frozen=True)
class Content:
    """What an export carries: the groups chosen, their kinds (in the order
    of ``kinds.KINDS``), the groups left out and the reports that stay home
    because their group does (``kinds.choose`` makes it)."""

    groups: tuple[str, ...]
    kinds: tuple[str, ...]
    reports_left_out: frozenset[str]
    omitted: tuple[ContentGroup, ...] = ()

    @property
    def everything(self) -> bool:
        return not self.omitted

    def left_out(self) -> list[ContentGroup]:
        return list(self.omitted)

"""What a bundle may carry: each exportable record type, where it lives, how a
period selects it and which of its fields each redaction level withholds.

Redaction levels:
- ``full``: every field of every record in scope;
- ``standard`` (the default): without the fields a record definition marks
  ``redact="standard"`` (ID numbers, phones, addresses, care descriptions);
- ``counts``: no records at all — counts per kind, figures and reports only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from branchtool.records.fields import RecordDef
from storage.vault import Vault

REDACTIONS = ("full", "standard", "counts")
DEFAULT_REDACTION = "standard"


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
        if redaction != "standard" or self.record is None:
            return ()
        return tuple(f.key for f in self.record.fields if f.redact == "standard")

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


_KINDS: list[ExportKind] = []


def register(kind: ExportKind) -> None:
    if any(k.name == kind.name for k in _KINDS):
        raise ValueError(f"export kind {kind.name!r} registered twice")
    _KINDS.append(kind)


def kinds() -> list[ExportKind]:
    _load_builtin()
    return list(_KINDS)


_loaded = False


def _load_builtin() -> None:
    """Each area registers its kinds in ``branchtool.bundles.kinds``.

    The flag is set only once that module has run: a second thread asking
    meanwhile waits on the import lock instead of seeing half a registry."""
    global _loaded
    if not _loaded:
        import branchtool.bundles.kinds  # noqa: F401 - registers on import

        _loaded = True

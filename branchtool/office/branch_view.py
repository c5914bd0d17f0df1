"""One branch's reported data as the branch's own services see a vault, read-only.

The office keeps the latest reported values of each branch's records (see
``changes``). ``BranchView`` lays them out again under the partition names the
branch uses (``roster``, ``checkins/2026-11``, ...), each built when first
asked for, so that the branch's services — and so the branch's own screens —
work on them unchanged. Every write is refused with one sentence: the office
reads what a branch reported and never changes it.

``ViewSession`` wraps a view in a ``Session`` whose clock stands at the end
of the branch's last reported period (what "today" meant when it reported).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable, Iterator
from typing import Any

from branchtool.bundles.kinds import CHECKINS, kinds
from branchtool.bundles.scope import ExportKind
from branchtool.errors import UserError
from branchtool.office.changes import ReportedRecords
from branchtool.office.service import OfficeService
from branchtool.records.person import ACTIVE
from branchtool.services import alerts, health, notices, roster
from branchtool.session import Session
from storage.partition import Doc, Partition
from storage.vault import Vault

READ_ONLY = "office.view.read_only"


class _ReadOnlyStore:
    """What a ``Partition`` asks of its store: a lock, batches, and writes,
    which are all refused."""

    def __init__(self) -> None:
        self.lock = threading.RLock()

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        yield

    def write(self, part: Partition, op: str, record_id: str, doc: Doc | None) -> None:
        raise UserError(READ_ONLY)


class BranchView:
    """A read-only, vault-like view of one branch's reported records (the
    ``StoreLike`` the branch's services take)."""

    def __init__(self, office: Vault, code: str, name: str, months: list[str],
                 first_day: str | None = None) -> None:
        self._office = office
        self._reported = ReportedRecords(office)
        self.code = code
        self.name = name
        # the first day the branch's watch recorded (its report numbers count
        # from it), when that is before the months the view holds
        self.first_day = first_day
        self._store = _ReadOnlyStore()
        self._partitions: dict[str, Partition] = {}
        self._kinds = {k.partition: k for k in kinds()}
        # The months of the kinds filed by day that the view holds (an office
        # month holds every branch's records of it: loaded only when asked for).
        self.months = list(months)
        self._derived = {health.DAYS: self._day_figures, alerts.OPEN_ALERTS: self._open_alerts,
                         notices.REACH: self._notice_reach}

    @property
    def info(self) -> dict[str, Any]:
        return {"branch_code": self.code, "branch_name": self.name}

    @property
    def kind(self) -> str:
        return "branch"

    def _source(self, name: str) -> tuple[ExportKind, str] | None:
        """(kind, month) whose reported records make up partition ``name``."""
        kind = self._kinds.get(name)
        if kind is not None and not name.endswith("/"):
            return kind, ""
        prefix, _, month = name.rpartition("/")
        kind = self._kinds.get(prefix + "/")
        if kind is not None and month in self.months:
            return kind, month
        return None

    def _docs(self, name: str) -> dict[str, Doc]:
        derived = self._derived.get(name)
        if derived is not None:
            return derived()
        docs: dict[str, Doc] = {}
        source = self._source(name)
        if source is not None:
            kind, month = source
            for doc in self._reported.latest(self.code, kind.name, (month,)):
                if isinstance(doc.get("id"), str):
                    docs[doc["id"]] = doc
        return docs

    # What the branch keeps beside its records to read them fast, written in
    # the same frame as they are: never sent, as it follows from them, and
    # worked out again here from the records reported.
    def _day_figures(self) -> dict[str, Doc]:
        """The daily check-in figures (``health_days``)."""
        expected = sum(1 for p in self.partition(roster.PARTITION).all()
                       if p.get("status") == ACTIVE)
        days: dict[str, Doc] = {}
        for name in self.partitions(CHECKINS):
            for checkin in self.partition(name).all():
                day, person = checkin.get("date"), checkin.get("person")
                if not (isinstance(day, str) and isinstance(person, str)):
                    continue
                doc = days.get(day)
                if doc is None:
                    doc = days[day] = health.blank_day(day)
                    doc["expected"] = expected
                health.add_to_day(doc, person, checkin, 1)
        if self.first_day and (not days or self.first_day < min(days)):
            days[self.first_day] = health.blank_day(self.first_day)  # where the watch began
        return days

    def _open_alerts(self) -> dict[str, Doc]:
        """The alerts not yet handled (``alerts_open``)."""
        return {d["id"]: d for d in self.partition(alerts.ALERTS).all()
                if d.get("status") == alerts.OPEN}

    def _notice_reach(self) -> dict[str, Doc]:
        """Who each notice reached (``notice_reach``)."""
        by_notice: dict[str, dict[str, Doc]] = {}
        for relay in self.partition(notices.RELAYS).all():
            if isinstance(relay.get("notice"), str) and isinstance(relay.get("person"), str):
                by_notice.setdefault(relay["notice"], {})[relay["person"]] = relay
        return {n: notices.reach_doc(n, relays) for n, relays in by_notice.items()}

    def partition(self, name: str) -> Partition:
        part = self._partitions.get(name)
        if part is None:
            docs = self._docs(name)
            part = self._partitions[name] = Partition(self._store, name, docs)  # type: ignore[arg-type]
        return part

    def partitions(self, prefix: str = "") -> list[str]:
        names = [k.partition for k in self._kinds.values() if not k.partition.endswith("/")]
        for kind_prefix in (p for p in self._kinds if p.endswith("/")):
            names.extend(kind_prefix + m for m in self.months)
        return sorted(n for n in names if n.startswith(prefix))

    def batch(self) -> contextlib.AbstractContextManager[None]:
        return self._store.batch()

    def update_info(self, **changes: Any) -> None:
        raise UserError(READ_ONLY)


class ViewSession(Session):
    """A ``Session`` over a ``BranchView`` of an unlocked office session: the
    branch's services, so its screens, read-only. The view and the services
    are built on first use and dropped by ``lock`` (the office app calls it
    through the screens' ``forget_data`` when the office vault locks)."""

    read_only = True

    def __init__(self, office: Session, code: str, now: Callable[[], dt.datetime]) -> None:
        super().__init__(office.path)
        self.office = office
        self.code = code
        self._now = now
        self._view: BranchView | None = None
        self.as_of = now()
        self.clock = lambda: self.as_of

    def exists(self) -> bool:
        return True

    def info(self) -> dict[str, Any]:
        return self.vault.info

    @property
    def unlocked(self) -> bool:
        return self.office.unlocked

    @property
    def vault(self) -> Any:
        if self._view is None:
            office = OfficeService(self.office.vault)
            branch = office.trust.require(self.code)
            self.as_of = as_of(branch, self._now())
            self._view = BranchView(office.vault, self.code, str(branch.get("name", "")),
                                    office.reported_months(self.code), branch.get("first_day"))
        return self._view

    def save_settings(self, settings: Any) -> None:
        raise UserError(READ_ONLY)

    def setting(self, name: str, default: Any = None) -> Any:
        return default  # a branch's settings do not travel in its bundles

    def set_setting(self, name: str, value: Any) -> None:
        raise UserError(READ_ONLY)

    def lock(self) -> None:
        self._services.clear()
        self._view = None

    close = lock


def as_of(branch: dict[str, Any], now: dt.datetime) -> dt.datetime:
    """The moment a branch's reported data is seen at: the end of its last
    reported period, or ``now`` (local time) if earlier or nothing came yet."""
    moment = now.replace(tzinfo=None, microsecond=0)
    period = (branch.get("last") or {}).get("period") or {}
    try:
        end = dt.datetime.combine(dt.date.fromisoformat(str(period.get("to"))),
                                  dt.time(23, 59, 59))
    except ValueError:
        return moment
    return min(moment, end)

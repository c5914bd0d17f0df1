"""Tasks the branch hands to members: add (one, or one per member in one
step), progress, completion, the views by status and by member, reminders,
and the completion figures of a period for the weekly summary.

Due times are the secretary's wall-clock time (``clock``); a task is overdue
when it is still open (待办 / 进行中) after its due minute.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, ClassVar

from branchtool import i18n
from branchtool.errors import UserError
from branchtool.records.fields import InvalidRecord, Problem
from branchtool.records.fieldtypes import split_ids, to_datetime
from branchtool.records.person import ACTIVE
from branchtool.records.task import (
    CANCELLED,
    DONE,
    LOAD_COLUMNS,
    OPEN,
    STATUSES,
    TASK,
    TASK_COLUMNS,
    TEMPLATE_BY_CODE,
)
from branchtool.records.views import ListView, ViewRow
from branchtool.services.book import (
    Batch,
    Doc,
    LazyRows,
    RecordBook,
    local_now,
    names,
    person_name,
    utc_now,
)
from branchtool.services.roster import RosterService
from branchtool.services.watch import PartitionLike

PARTITION = "tasks"
OPEN_STATUSES = "open"  # a status filter besides the codes: todo and doing
DUE_SOON = dt.timedelta(hours=24)
MEMBER_STAGES = ("probationary", "member")  # who "every member" means
_PRIORITY_RANK = {"high": 0, "normal": 1, "low": 2}
_DUE = itemgetter("due")


def _order_key(doc: Doc) -> tuple[str, str, bool]:
    return doc.get("due", ""), doc.get("priority", ""), doc.get("status") in OPEN


def progress(doc: Doc) -> tuple[int, int]:
    """How many of a task's assignees have done their part, of how many
    (everyone, once the task is done)."""
    assignees = doc.get("assignees", "").split()
    if doc.get("status") == DONE:
        return len(assignees), len(assignees)
    confirmed = doc.get("confirmed") or {}
    return sum(1 for p in assignees if p in confirmed), len(assignees)


def _minute(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


@dataclass(frozen=True)
class TaskQuery:
    status: str = OPEN_STATUSES  # a status code, OPEN_STATUSES, or "" for all
    member: str = ""  # tasks assigned to this person
    text: str = ""  # part of the title
    overdue_only: bool = False


def _progress_text(row: TaskRow) -> str:
    done, total = progress(row.doc)
    return f"{done}/{total}"


TASK_VIEW = ListView(TASK, TASK_COLUMNS, {
    "assignee_names": lambda row: names(row._service.roster, row.doc.get("assignees", "")),
    "progress": _progress_text,  # "8/12" of the assignees
})


class TaskRow(ViewRow):
    __slots__ = ("_service", "doc", "id", "overdue")
    VIEW = TASK_VIEW

    def __init__(self, service: TaskService, doc: Doc, now: str) -> None:
        self._service = service
        self.id: str = doc["id"]
        self.doc = doc
        self.overdue = doc.get("status") in OPEN and doc.get("due", "") < now

    @property
    def muted(self) -> bool:
        return self.doc.get("status") not in OPEN


# A member's workload: every column computed from the counts.
LOAD_VIEW = ListView(None, LOAD_COLUMNS, {
    "member": lambda row: row.name,
    "open_count": lambda row: str(row.open),
    "overdue_count": lambda row: str(row.overdue) if row.overdue else "",
    "done_count": lambda row: str(row.done),
    "next_due": lambda row: TASK.field("due").display(row.next_due),
})


@dataclass
class LoadRow(ViewRow):
    """One member's workload: open, overdue and done tasks."""

    VIEW: ClassVar[ListView] = LOAD_VIEW

    id: str  # the person
    name: str
    open: int = 0
    overdue: int = 0
    done: int = 0
    next_due: str = ""

    @property
    def muted(self) -> bool:
        return self.open == 0


@dataclass(frozen=True)
class TaskReminder:
    task_id: str
    title: str
    kind: str  # "overdue" or "due"
    due: dt.datetime

    def message(self) -> str:
        return i18n.t(f"task.reminder.{self.kind}", title=self.title,
                      due=i18n.format_datetime(self.due))


@dataclass
class Completion:
    """Tasks due in a period and what became of them (weekly summary)."""

    start: dt.date
    end: dt.date
    due: int = 0  # tasks due in the period (cancelled ones not counted)
    done: int = 0  # of those, done
    on_time: int = 0  # of those, done by their due time
    open: int = 0  # of those, still open
    overdue: int = 0  # of those still open, past due at the end of the period
    cancelled: int = 0  # due in the period and cancelled
    completed_in_period: int = 0  # any task marked done during the period
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        """The share of tasks due that were done (1.0 when none were due)."""
        return self.done / self.due if self.due else 1.0


class TaskService(RecordBook):
    def __init__(self, partition: PartitionLike, batch: Batch, roster: RosterService, *,
                 now: Callable[[], str] = utc_now,
                 clock: Callable[[], dt.datetime] = local_now) -> None:
        super().__init__(partition, batch, TASK, roster, now=now)
        self.clock = clock
        self._member_index: dict[str, set[str]] | None = None  # built when first asked
        # The open and the closed tasks in list order, each sorted when first
        # asked for and kept until the tasks change (an edit that keeps a
        # task's place keeps them): part -> (version, docs, positions).
        self._parts: dict[bool, tuple[int, list[Doc], dict[str, int]]] = {}
        self.set_ref_check("notice", lambda _id: None)

    # -- reading -----------------------------------------------------------------------
    def _in_order(self, is_open: bool) -> list[Doc]:
        """The open tasks by due time then priority (so the overdue come
        first, whatever the time), or the closed ones, the latest first."""
        cached = self._parts.get(is_open)
        if cached is not None and cached[0] == self._changes:
            return cached[1]
        docs = [d for d in self._records() if (d["status"] in OPEN) is is_open]
        # Stable sorts from the last key to the first, with cheap keys; equal
        # ones stay in the order they were written, so lists are repeatable.
        docs.sort(key=lambda d: _PRIORITY_RANK.get(d.get("priority", ""), 1))
        docs.sort(key=_DUE, reverse=not is_open)
        self._parts[is_open] = (self._changes, docs, {d["id"]: i for i, d in enumerate(docs)})
        return docs

    @property
    def _by_member(self) -> dict[str, set[str]]:
        """person id -> ids of the tasks assigned to them."""
        if self._member_index is None:
            index: dict[str, set[str]] = {}
            for doc in self._records():
                record_id = doc["id"]
                for person_id in doc.get("assignees", "").split():
                    bucket = index.get(person_id)
                    if bucket is None:
                        index[person_id] = {record_id}
                    else:
                        bucket.add(record_id)
            self._member_index = index
        return self._member_index

    def query(self, q: TaskQuery = TaskQuery()) -> LazyRows[TaskRow]:
        """Tasks ``q`` selects: open ones first (overdue first, then by due time
        and priority), then closed ones, latest first. Rows are made as the
        list draws them."""
        now = _minute(self.clock())
        if q.status == OPEN_STATUSES or q.overdue_only:
            docs = self._in_order(True)
        elif q.status:
            docs = [d for d in self._in_order(q.status in OPEN) if d.get("status") == q.status]
        else:
            docs = self._in_order(True) + self._in_order(False)
        if q.overdue_only:
            docs = [d for d in docs if d.get("due", "") < now]
        if q.member:
            mine = self._by_member.get(q.member, set())
            docs = [d for d in docs if d["id"] in mine]
        terms = q.text.lower().split()
        if terms:
            docs = [d for d in docs if all(t in d.get("title", "").lower() for t in terms)]
        return LazyRows(docs, lambda d: TaskRow(self, d, now))

    def is_overdue(self, task_id: str) -> bool:
        doc = self._record(task_id)
        return doc is not None and doc["status"] in OPEN \
            and doc.get("due", "") < _minute(self.clock())

    def for_member(self, person_id: str) -> LazyRows[TaskRow]:
        return self.query(TaskQuery(status="", member=person_id))

    def counts(self) -> dict[str, int]:
        """How many tasks are in each status, and how many are overdue."""
        now = _minute(self.clock())
        out = {s: 0 for s in STATUSES}
        out["overdue"] = 0
        for doc in self._records():
            out[doc["status"]] = out.get(doc["status"], 0) + 1
            if doc["status"] in OPEN and doc.get("due", "") < now:
                out["overdue"] += 1
        return out

    def workload(self, *, everyone: bool = False) -> list[LoadRow]:
        """Each member's open, overdue and done tasks, the busiest first; with
        ``everyone``, the active members without tasks too."""
        now = _minute(self.clock())
        loads: dict[str, LoadRow] = {}
        if everyone:
            loads = {p.id: LoadRow(p.id, p["name"]) for p in self.members()}
        for doc in self._records():
            status, due = doc["status"], doc.get("due", "")
            for person_id in doc.get("assignees", "").split():
                row = loads.get(person_id)
                if row is None:
                    row = loads[person_id] = LoadRow(person_id, "")
                if status in OPEN:
                    row.open += 1
                    row.overdue += due < now
                    if not row.next_due or due < row.next_due:
                        row.next_due = due
                elif status == DONE:
                    row.done += 1
        for row in loads.values():
            if not row.name:
                row.name = person_name(self.roster, row.id)

        def busiest(row: LoadRow) -> tuple[Any, ...]:
            person = self.roster.person(row.id)
            return -row.overdue, -row.open, person.name_key if person else (), row.id

        return sorted(loads.values(), key=busiest)

    def reminders(self, now: dt.datetime | None = None) -> list[TaskReminder]:
        """Open tasks overdue, and those due within ``DUE_SOON``, soonest first."""
        moment = now or self.clock()
        current, soon = _minute(moment), _minute(moment + DUE_SOON)
        found = []
        for doc in self._records():
            if doc["status"] not in OPEN or doc["due"] > soon:
                continue
            kind = "overdue" if doc["due"] < current else "due"
            found.append(TaskReminder(doc["id"], doc["title"], kind,
                                      to_datetime(doc["due"]) or moment))
        found.sort(key=lambda r: (r.due, r.title))
        return found

    def completion(self, start: dt.date, end: dt.date) -> Completion:
        """What became of the tasks due from ``start`` to ``end`` (both days
        included), as seen at the end of ``end``."""
        first, last = start.isoformat(), f"{end.isoformat()}T23:59"
        out = Completion(start, end)
        for doc in self._records():
            status, due = doc["status"], doc.get("due", "")
            completed = doc.get("completed_at", "")
            if status == DONE and first <= completed[:10] <= end.isoformat():
                out.completed_in_period += 1
            if not first <= due <= last:
                continue
            out.by_status[status] = out.by_status.get(status, 0) + 1
            if status == CANCELLED:
                out.cancelled += 1
                continue
            out.due += 1
            if status == DONE:
                out.done += 1
                out.on_time += bool(completed) and completed <= due
            else:
                out.open += 1
                out.overdue += due < min(last, _minute(self.clock()))
        return out

    def members(self, group: str = "") -> list[Any]:
        """The active Party members (probationary included), in a group or all,
        in pinyin order: who "one task for every member" goes to."""
        people = [p for p in self.roster.people()
                  if p.status == ACTIVE and p["stage"] in MEMBER_STAGES
                  and (not group or p["group"] == group)]
        people.sort(key=lambda p: p.name_key)
        return people

    # -- templates -----------------------------------------------------------------------
    def blank(self) -> dict[str, str]:
        return TASK.blank()

    def from_template(self, code: str) -> dict[str, str]:
        """A new task's values from a template: title, description, priority,
        due at the end of the day that many days from today."""
        template = TEMPLATE_BY_CODE[code]
        due = self.clock().date() + dt.timedelta(days=template.days)
        return {**TASK.blank(), "title": i18n.t(template.title_key),
                "description": i18n.t(template.description_key),
                "priority": template.priority, "due": f"{due.isoformat()}T23:59"}

    # -- writing -------------------------------------------------------------------------
    def _log(self, text: str, status: str) -> dict[str, str]:
        return {"at": _minute(self.clock()), "text": text, "status": status}

    def add(self, values: Mapping[str, object], *, template: str = "") -> str:
        doc: Doc = self._clean_or_raise(values)
        return self._insert(self._new(doc, template))

    def _new(self, doc: Doc, template: str) -> Doc:
        doc["log"] = [self._log("", doc["status"])]
        doc["template"] = template
        doc["completed_at"] = _minute(self.clock()) if doc["status"] == DONE else ""
        return doc

    def add_for_each(self, values: Mapping[str, object], member_ids: Iterable[str], *,
                     template: str = "") -> list[str]:
        """One task per member, each assigned to that member alone, written as
        ONE journal batch: all or none."""
        members = list(dict.fromkeys(member_ids))
        if not members:
            raise UserError("task.bulk.nobody")
        docs: list[Doc] = []
        for person_id in members:
            doc, problems = self.clean({**values, "assignees": person_id})
            if problems:
                raise InvalidRecord(problems)
            docs.append(self._new(doc, template))
        with self._atomic():
            return [self._insert(doc) for doc in docs]

    def check_bulk(self, values: Mapping[str, object]) -> list[Problem]:
        """The problems of the task ``add_for_each`` would give every member
        (assignees aside)."""
        problems = self.check({**values, "assignees": "x"})
        return [p for p in problems if p.field != "assignees"]

    def edit(self, task_id: str, values: Mapping[str, object]) -> Doc:
        old = self._require(task_id)
        doc: Doc = self._clean_or_raise(values, task_id)
        changes = self._status_change(old, doc["status"], "")
        return dict(self._update(task_id, {**doc, **changes}))

    def set_status(self, task_id: str, status: str, note: str = "",
                   evidence: str | None = None) -> Doc:
        """Move a task on (start, finish with evidence, cancel), logged with ``note``."""
        values: dict[str, object] = {"status": status}
        if evidence is not None:
            values["evidence"] = evidence
        old = self._require(task_id)
        doc: Doc = self._clean_or_raise(values, task_id)
        changes = self._status_change(old, status, note.strip())
        return dict(self._update(task_id, {**doc, **changes}))

    def _status_change(self, old: Doc, status: str, note: str) -> Doc:
        if status == old.get("status") and not note:
            return {}
        changes: Doc = {"log": [*old.get("log", []), self._log(note, status)]}
        if status != old.get("status"):
            changes["completed_at"] = _minute(self.clock()) if status == DONE else ""
        return changes

    def confirm(self, task_id: str, person_ids: Iterable[str], note: str = "") -> int:
        """Assignees who have done their part ("these 12 confirmed in the group
        chat"), each with today's date and the one note, in one write and one
        log entry. When every assignee has, the task is done (the note, or a
        sentence saying so, as its evidence). Returns how many were confirmed."""
        old = self._require(task_id)
        if old["status"] not in OPEN:
            raise UserError("progress.task.closed")
        note = note.strip()
        if len(note) > 200:
            raise UserError("task.log.too_long", maximum=200)
        assignees = old.get("assignees", "").split()
        confirmed = dict(old.get("confirmed") or {})
        day = self.clock().date().isoformat()
        count = 0
        for person_id in dict.fromkeys(person_ids):
            if person_id in assignees and person_id not in confirmed:
                confirmed[person_id] = {"on": day, "note": note}
                count += 1
        if not count:
            return 0
        changes: Doc = {"confirmed": confirmed}
        status = old["status"]
        if all(p in confirmed for p in assignees):
            status = DONE
            changes.update(status=DONE, completed_at=_minute(self.clock()),
                           evidence=old.get("evidence") or note or i18n.t(
                               "progress.task.all_done", total=len(assignees)))
        text = i18n.t("progress.task.log", count=count, done=len(confirmed),
                      total=len(assignees))
        changes["log"] = [*old.get("log", []),
                          self._log(f"{text} {note}".strip(), status)]
        self._update(task_id, changes)
        return count

    def log_progress(self, task_id: str, text: str) -> Doc:
        """Add a timestamped progress entry."""
        text = text.strip()
        old = self._require(task_id)
        if not text:
            raise UserError("task.log.empty")
        if len(text) > 500:
            raise UserError("task.log.too_long", maximum=500)
        return dict(self._update(task_id, {"log": [*old.get("log", []),
                                                    self._log(text, old["status"])]}))

    def delete(self, task_id: str) -> None:
        self._remove(task_id)

    def write_batch(self, docs: Iterable[Doc]) -> list[str]:
        """Insert complete task documents as ONE batch (demo generator)."""
        with self._atomic():
            return [self._insert(doc) for doc in docs]

    # -- the member index ------------------------------------------------------------------
    def _index(self, doc: Doc, *, add: bool) -> None:
        index = self._member_index
        if index is None:
            return
        for person_id in split_ids(doc.get("assignees", "")):
            bucket = index.setdefault(person_id, set())
            if add:
                bucket.add(doc["id"])
            else:
                bucket.discard(doc["id"])
                if not bucket:
                    del index[person_id]

    def _apply(self, record_id: str, doc: Doc | None, old: Mapping[str, Any] | None) -> None:
        if old is not None:
            self._index(old, add=False)
        if doc is not None:
            self._index(doc, add=True)
        before = self._changes
        super()._apply(record_id, doc, old)
        if old is None or doc is None or _order_key(old) != _order_key(doc):
            return
        # Same place in the list: no sorting again (and the other part is as it was).
        for is_open, (version, docs, positions) in list(self._parts.items()):
            if version != before:
                continue
            if record_id in positions:
                docs[positions[record_id]] = doc
            self._parts[is_open] = (self._changes, docs, positions)

    def task_exists(self, task_id: str) -> str | None:
        """A reference check for the records that link to tasks."""
        return None if task_id in self._part else "ref.task_missing"

    def titles(self, ids: str) -> list[tuple[str, str]]:
        """(id, title) of a stored list of task ids (deleted ones named so)."""
        found = [(i, self._record(i)) for i in split_ids(ids)]
        return [(i, doc["title"] if doc is not None else i18n.t("ref.deleted_task"))
                for i, doc in found]

"""What closes the loop: the branch's next bundle tells the office which
inbox files it imported and how far each office notice and task got
(``figures["office_inbox"]``, signed with the rest of bundle.json), and the
office works out, per notice and task, each branch's coverage.

The figures::

    {"received": [1, 2],                       # inbox sequences imported
     "notices": {"<item id>": {"expected": 40, "relayed": 38,
                               "acknowledged": 35, "studied": 20}},
     "tasks": {"<item id>": {"status": "done", "assigned": 2,
                             "completed_at": "2026-12-03T16:20",
                             "answer": "..."}}}  # no answer at ``counts``

Nothing here names a person: counts, a task's status, and the answer the
office asked for (at the ``standard`` and ``full`` levels only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from branchtool.records.fieldtypes import split_ids
from branchtool.records.task import STATUSES

if TYPE_CHECKING:
    from branchtool.period import Period
    from branchtool.session import Session

FIGURES = "office_inbox"
MAX_ITEMS = 2000
MAX_ANSWER = 2000
COUNTS = ("expected", "relayed", "acknowledged", "studied")


# -- the branch: what its bundle tells -------------------------------------------------
def figures(session: Session, period: Period, *, redaction: str = "standard"
            ) -> dict[str, Any]:
    from branchtool.inbox.receive import ITEMS, RECEIVED, TASKS
    from branchtool.services.notices import NOTICES

    vault = session.vault
    received = sorted(d["sequence"] for d in vault.partition(RECEIVED).all())
    if not received:
        return {}
    notices: dict[str, Any] = {}
    tasks: dict[str, Any] = {}
    for item in vault.partition(ITEMS).all():
        if item.get("filed") == NOTICES and item["id"] in vault.partition(NOTICES):
            cov = session.notices.coverage(item["id"])
            notices[item["id"]] = {"expected": cov.expected, "relayed": cov.relayed,
                                   "acknowledged": cov.acknowledged, "studied": cov.studied}
        elif item.get("filed") == TASKS:
            task = vault.partition(TASKS).get(item["id"])
            if task is None:
                continue
            entry = {"status": task["status"], "assigned": len(split_ids(task["assignees"])),
                     "completed_at": task.get("completed_at", "")}
            if redaction != "counts":
                entry["answer"] = task.get("evidence", "")[:MAX_ANSWER]
            tasks[item["id"]] = entry
    return {"received": received, "notices": notices, "tasks": tasks}


# -- the office: what it keeps of a bundle's figures ------------------------------------
def _count(value: Any) -> bool:
    return type(value) is int and 0 <= value <= 1_000_000


def checked(value: Any) -> dict[str, Any] | None:
    """A (signed) bundle's ``office_inbox`` figures if they have the shape
    above, else None: a branch's figures are never trusted for their types."""
    if not isinstance(value, dict) or not value:
        return None
    received = value.get("received")
    notices, tasks = value.get("notices", {}), value.get("tasks", {})
    if (not isinstance(received, list) or len(received) > 100_000
            or not all(_count(s) for s in received)
            or not isinstance(notices, dict) or not isinstance(tasks, dict)
            or len(notices) + len(tasks) > MAX_ITEMS):
        return None
    for entry in notices.values():
        if not isinstance(entry, dict) or not all(_count(entry.get(k)) for k in COUNTS):
            return None
    for entry in tasks.values():
        if (not isinstance(entry, dict) or entry.get("status") not in STATUSES
                or not _count(entry.get("assigned"))
                or not isinstance(entry.get("completed_at", ""), str)
                or len(entry.get("completed_at", "")) > 20
                or not isinstance(entry.get("answer", ""), str)
                or len(entry.get("answer", "")) > MAX_ANSWER):
            return None
    return {"received": sorted(set(received)),
            "notices": {k: {c: v[c] for c in COUNTS} for k, v in notices.items()},
            "tasks": {k: {"status": v["status"], "assigned": v["assigned"],
                          "completed_at": v.get("completed_at", ""),
                          "answer": v.get("answer", "")} for k, v in tasks.items()}}


def fold(branch: dict[str, Any], bundle_figures: Mapping[str, Any]) -> None:
    """Keep the latest bundle's reply on the branch's document."""
    reply = checked(bundle_figures.get(FIGURES))
    if reply is not None:
        branch["inbox_reply"] = reply


def _overdue(due: str, today: str, done: bool) -> bool:
    return bool(due) and due < today and not done


def coverage(items: list[dict[str, Any]], branches: list[dict[str, Any]],
             sent_to: Mapping[str, Mapping[str, int]], today: dt.date
             ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(notices, tasks): for each item the office composed, per branch it is
    for: whether it was sent (the file's sequence), received (the branch's
    bundle names that sequence), and the relay counts or the task's status;
    overdue where the due date passed and it is not done; the college total."""
    by_code = {b["code"]: b for b in branches}
    active = sorted(c for c, b in by_code.items() if b.get("status") == "active")
    day = today.isoformat()
    notices: list[dict[str, Any]] = []
    tasks: list[dict[str, Any]] = []
    for item in items:
        if item["kind"] == "settings":
            continue
        codes = [c for c in item["to"] if c in by_code] if item["to"] else active
        rows: dict[str, dict[str, Any]] = {}
        for code in codes:
            reply = by_code[code].get("inbox_reply") or {}
            seq = sent_to.get(item["id"], {}).get(code)
            received = seq is not None and seq in reply.get("received", ())
            row: dict[str, Any] = {"sent": seq, "received": received}
            if item["kind"] == "notice":
                counts = (reply.get("notices") or {}).get(item["id"]) or {}
                row.update({k: counts.get(k, 0) for k in COUNTS})
                row["reported"] = bool(counts)
                done = bool(counts) and counts["relayed"] >= counts["expected"]
            else:
                task = (reply.get("tasks") or {}).get(item["id"]) or {}
                row.update(status=task.get("status", ""), answer=task.get("answer", ""),
                           completed_at=task.get("completed_at", ""))
                done = task.get("status") in ("done", "cancelled")
            row["overdue"] = _overdue(item.get("due", ""), day, done)
            rows[code] = row
        entry: dict[str, Any] = {
            "id": item["id"], "title": item["title"], "due": item.get("due", ""),
            "issued_on": item["issued_on"], "branches": rows,
            "not_sent": [c for c, r in rows.items() if r["sent"] is None],
            "not_received": [c for c, r in rows.items() if not r["received"]],
            "overdue": [c for c, r in rows.items() if r["overdue"]],
        }
        if item["kind"] == "notice":
            entry.update(number=item.get("number", ""), ack=item.get("ack", False))
            entry["total"] = {k: sum(r[k] for r in rows.values()) for k in COUNTS}
            entry["total"]["branches"] = len(rows)
            entry["total"]["relayed_all"] = sum(
                1 for r in rows.values() if r["reported"] and r["relayed"] >= r["expected"])
            notices.append(entry)
        else:
            entry["total"] = {"branches": len(rows),
                              "done": sum(1 for r in rows.values() if r["status"] == "done")}
            tasks.append(entry)
    return notices, tasks

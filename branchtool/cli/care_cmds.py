"""``branchtool list care|visits|tasks|records|deeds [--json] [--all]``.

The listers ``CARE_LISTS`` are added to ``list_cmds.LISTS``. Each row holds
the stored values (lists of ids as JSON lists) plus the names the ids stand
for (``*_name``, and ``*_names`` joined as the lists show them), so that the
JSON is useful on its own. Care
details and the text of records (every field marked ``redact="standard"``)
are left out: a listing is not the place for them.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from typing import Any

from branchtool.records.fields import FieldDef, RecordDef
from branchtool.records.fieldtypes import RefListField, split_ids

Rows = tuple[tuple[FieldDef, ...], list[dict[str, Any]]]
META = ("id", "created_at", "updated_at")


def _public(rdef: RecordDef, doc: dict[str, Any], extra: Iterable[str] = ()) -> dict[str, Any]:
    """A document's stored values without the withheld fields, lists of ids
    as lists."""
    out: dict[str, Any] = {"id": doc["id"]}
    for fdef in rdef.fields:
        if fdef.redact:
            continue
        value = doc.get(fdef.key, "")
        out[fdef.key] = split_ids(value) if isinstance(fdef, RefListField) else value
    for key in (*extra, "created_at", "updated_at"):
        if key in doc:
            out[key] = doc[key]
    return out


def _services(vault: Any) -> Any:
    """A session-like holder of the services over an open vault."""
    from branchtool.services.care import CASES, VISITS, CareService
    from branchtool.services.deeds import PARTITION as DEEDS
    from branchtool.services.deeds import DeedService
    from branchtool.services.member_records import PARTITION as RECORDS
    from branchtool.services.member_records import MemberRecordService
    from branchtool.services.roster import PARTITION as ROSTER
    from branchtool.services.roster import RosterService
    from branchtool.services.tasks import PARTITION as TASKS
    from branchtool.services.tasks import TaskService

    roster = RosterService(vault.partition(ROSTER), vault.batch)
    return argparse.Namespace(
        roster=roster,
        care=lambda: CareService(vault.partition(CASES), vault.partition(VISITS), vault.batch,
                                 roster),
        tasks=lambda: TaskService(vault.partition(TASKS), vault.batch, roster),
        records=lambda: MemberRecordService(vault.partition(RECORDS), vault.batch, roster),
        deeds=lambda: DeedService(vault.partition(DEEDS), vault.batch, roster),
    )


def list_care(vault: Any, args: argparse.Namespace) -> Rows:
    from branchtool.records.care import CARE, CASE_COLUMNS
    from branchtool.services.book import person_name
    from branchtool.services.care import CareQuery

    s = _services(vault)
    care = s.care()
    rows = []
    for row in care.cases(CareQuery(status="" if args.all else "following")):
        out = _public(CARE, row.doc, ("closed_on",))
        out.update(who=row.who, last_visit=row.last_visit,
                   responsible_name=person_name(s.roster, row.doc.get("responsible", "")))
        rows.append(out)
    return CASE_COLUMNS, rows


def list_visits(vault: Any, args: argparse.Namespace) -> Rows:
    from branchtool.records.care import VISIT, VISIT_COLUMNS
    from branchtool.services.book import person_name

    s = _services(vault)
    care = s.care()
    rows = []
    for row in care.visits():
        case = care.get(row.doc["case"]) or {}
        out = _public(VISIT, row.doc, ("case",))
        out.update(who=care.who(case), visitor_name=person_name(s.roster, row.doc["visitor"]))
        rows.append(out)
    return VISIT_COLUMNS, rows


def list_tasks(vault: Any, args: argparse.Namespace) -> Rows:
    from branchtool.records.task import TASK, TASK_COLUMNS
    from branchtool.services.book import names
    from branchtool.services.tasks import OPEN_STATUSES, TaskQuery

    s = _services(vault)
    rows = []
    for row in s.tasks().query(TaskQuery(status="" if args.all else OPEN_STATUSES)):
        out = _public(TASK, row.doc, ("template", "completed_at", "log"))
        out.update(assignee_names=names(s.roster, row.doc["assignees"]), overdue=row.overdue)
        rows.append(out)
    return TASK_COLUMNS, rows


def list_records(vault: Any, args: argparse.Namespace) -> Rows:
    from branchtool.records.member_record import MEMBER_RECORD, RECORD_COLUMNS
    from branchtool.services.book import person_name

    s = _services(vault)
    rows = []
    for row in s.records().query():
        out = _public(MEMBER_RECORD, row.doc)
        out.update(member_name=person_name(s.roster, row.doc["member"]),
                   recorder_name=person_name(s.roster, row.doc["recorded_by"]),
                   task_count=str(len(out["tasks"])))
        rows.append(out)
    return RECORD_COLUMNS, rows


def list_deeds(vault: Any, args: argparse.Namespace) -> Rows:
    from branchtool.records.deed import DEED, DEED_COLUMNS
    from branchtool.services.book import names

    s = _services(vault)
    rows = []
    for row in s.deeds().query():
        out = _public(DEED, row.doc)
        out["member_names"] = names(s.roster, row.doc["members"])
        rows.append(out)
    return DEED_COLUMNS, rows


Lister = Callable[[Any, argparse.Namespace], Rows]
CARE_LISTS: dict[str, tuple[str, Lister]] = {
    "care": ("cli.list.care", list_care),
    "visits": ("cli.list.visits", list_visits),
    "tasks": ("cli.list.tasks", list_tasks),
    "records": ("cli.list.records", list_records),
    "deeds": ("cli.list.deeds", list_deeds),
}

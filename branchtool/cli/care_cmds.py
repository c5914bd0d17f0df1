"""``branchtool list care|visits|tasks|records|deeds [--json] [--all]``.

The listers ``CARE_LISTS`` are added to ``list_cmds.LISTS``. Each row holds
the stored values (lists of ids as JSON lists) plus the names the ids stand
for (``*_name``, and ``*_names`` joined as the lists show them), so that the
JSON is useful on its own. Care details and the text of records (every field
marked ``redact="standard"``) are shown at ``--redaction full`` only (the
default, on the secretary's own machine).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from branchtool.cli.listing import STAMPS, Lister, Rows, listed
from branchtool.records.fieldtypes import split_ids

if TYPE_CHECKING:
    from branchtool.session import Session


def list_care(session: Session, args: argparse.Namespace) -> Rows:
    from branchtool.records.care import CARE, CASE_COLUMNS
    from branchtool.services.book import person_name
    from branchtool.services.care import CareQuery

    care = session.care
    rows = []
    for case in care.cases(CareQuery(status="" if args.all else "following")):
        out = listed(CARE, case.doc, args, ("closed_on", *STAMPS))
        out.update(who=case.who, last_visit=case.last_visit,
                   responsible_name=person_name(session.roster, case.doc.get("responsible", "")))
        rows.append(out)
    return CASE_COLUMNS, rows


def list_visits(session: Session, args: argparse.Namespace) -> Rows:
    from branchtool.records.care import VISIT, VISIT_COLUMNS
    from branchtool.services.book import person_name

    care = session.care
    rows = []
    for visit in care.visits():
        case = care.get(visit.doc["case"]) or {}
        out = listed(VISIT, visit.doc, args, ("case", *STAMPS))
        out.update(who=care.who(case),
                   visitor_name=person_name(session.roster, visit.doc["visitor"]))
        rows.append(out)
    return VISIT_COLUMNS, rows


def list_tasks(session: Session, args: argparse.Namespace) -> Rows:
    from branchtool.records.task import TASK, TASK_COLUMNS
    from branchtool.services.book import names
    from branchtool.services.tasks import OPEN_STATUSES, TaskQuery

    rows = []
    for task in session.tasks.query(TaskQuery(status="" if args.all else OPEN_STATUSES)):
        out = listed(TASK, task.doc, args, ("template", "completed_at", "log", *STAMPS))
        out.update(assignee_names=names(session.roster, task.doc["assignees"]),
                   overdue=task.overdue)
        rows.append(out)
    return TASK_COLUMNS, rows


def list_records(session: Session, args: argparse.Namespace) -> Rows:
    from branchtool.records.member_record import MEMBER_RECORD, RECORD_COLUMNS
    from branchtool.services.book import person_name

    rows = []
    for record in session.member_records.query():
        out = listed(MEMBER_RECORD, record.doc, args, STAMPS)
        out.update(member_name=person_name(session.roster, record.doc["member"]),
                   recorder_name=person_name(session.roster, record.doc["recorded_by"]),
                   task_count=str(len(split_ids(record.doc.get("tasks", "")))))
        rows.append(out)
    return RECORD_COLUMNS, rows


def list_deeds(session: Session, args: argparse.Namespace) -> Rows:
    from branchtool.records.deed import DEED, DEED_COLUMNS
    from branchtool.services.book import names

    rows = []
    for deed in session.deeds.query():
        out = listed(DEED, deed.doc, args, STAMPS)
        out["member_names"] = names(session.roster, deed.doc["members"])
        rows.append(out)
    return DEED_COLUMNS, rows


CARE_LISTS: dict[str, tuple[str, Lister]] = {
    "care": ("cli.list.care", list_care),
    "visits": ("cli.list.visits", list_visits),
    "tasks": ("cli.list.tasks", list_tasks),
    "records": ("cli.list.records", list_records),
    "deeds": ("cli.list.deeds", list_deeds),
}

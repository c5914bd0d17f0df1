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

    cases = session.care.cases(CareQuery(status="" if args.all else "following"))
    return CASE_COLUMNS, [
        listed(CARE, case.doc, args, ("closed_on", *STAMPS), who=case.who,
               last_visit=case.last_visit,
               responsible_name=person_name(session.roster, case.doc.get("responsible", "")))
        for case in cases]


def list_visits(session: Session, args: argparse.Namespace) -> Rows:
    from branchtool.records.care import VISIT, VISIT_COLUMNS
    from branchtool.services.book import person_name

    care = session.care
    return VISIT_COLUMNS, [
        listed(VISIT, visit.doc, args, ("case", *STAMPS),
               who=care.who(care.get(visit.doc["case"]) or {}),
               visitor_name=person_name(session.roster, visit.doc["visitor"]))
        for visit in care.visits()]


def list_tasks(session: Session, args: argparse.Namespace) -> Rows:
    from branchtool.records.task import TASK, TASK_COLUMNS
    from branchtool.services.book import names
    from branchtool.services.tasks import OPEN_STATUSES, TaskQuery

    tasks = session.tasks.query(TaskQuery(status="" if args.all else OPEN_STATUSES))
    return TASK_COLUMNS, [
        listed(TASK, task.doc, args, ("template", "completed_at", "log", *STAMPS),
               assignee_names=names(session.roster, task.doc["assignees"]),
               overdue=task.overdue)
        for task in tasks]


def list_records(session: Session, args: argparse.Namespace) -> Rows:
    from branchtool.records.member_record import MEMBER_RECORD, RECORD_COLUMNS
    from branchtool.services.book import person_name

    return RECORD_COLUMNS, [
        listed(MEMBER_RECORD, record.doc, args, STAMPS,
               member_name=person_name(session.roster, record.doc["member"]),
               recorder_name=person_name(session.roster, record.doc["recorded_by"]),
               task_count=str(len(split_ids(record.doc.get("tasks", "")))))
        for record in session.member_records.query()]


def list_deeds(session: Session, args: argparse.Namespace) -> Rows:
    from branchtool.records.deed import DEED, DEED_COLUMNS
    from branchtool.services.book import names

    return DEED_COLUMNS, [
        listed(DEED, deed.doc, args, STAMPS,
               member_names=names(session.roster, deed.doc["members"]))
        for deed in session.deeds.query()]


CARE_LISTS: dict[str, tuple[str, Lister]] = {
    "care": ("cli.list.care", list_care),
    "visits": ("cli.list.visits", list_visits),
    "tasks": ("cli.list.tasks", list_tasks),
    "records": ("cli.list.records", list_records),
    "deeds": ("cli.list.deeds", list_deeds),
}

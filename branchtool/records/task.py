"""A task the branch hands to members (党组织交办的任务), and the templates
drawn from the college notice's duties.

Besides its fields a stored task carries ``log`` (the timestamped progress
entries, ``[{"at", "text", "status"}]``), ``completed_at`` (when it was marked
done) and ``template`` (the template it was made from, if any).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from branchtool.records.fields import FieldDef, Kind, Problem, RecordDef, Ref
from branchtool.records.fieldtypes import DateTimeField, RefField, RefListField

PRIORITIES = ("high", "normal", "low")
STATUSES = ("todo", "doing", "done", "cancelled")
OPEN = ("todo", "doing")
DONE, CANCELLED = "done", "cancelled"

TASK_FIELDS = (
    FieldDef("title", required=True, width=22, priority=100, max_length=60),
    FieldDef("description", Kind.NOTE, max_length=2000),
    FieldDef("origin", max_length=60),
    RefField("notice", target="notice"),
    RefListField("assignees", required=True, target="person", width=14, priority=80),
    DateTimeField("due", required=True, width=20, priority=90),
    FieldDef("priority", Kind.CHOICE, required=True, choices=PRIORITIES, default="normal",
             width=4, priority=60),
    FieldDef("status", Kind.CHOICE, required=True, choices=STATUSES, default="todo",
             width=6, priority=70),
    FieldDef("evidence", Kind.NOTE, max_length=2000),
)


def check_task(values: dict[str, str]) -> Iterator[Problem]:
    """A task marked done says how it was done."""
    if values.get("status") == DONE and not values.get("evidence", "").strip():
        yield Problem("task.check.evidence_needed", "evidence", {}, Ref("task.field.evidence"))


TASK = RecordDef("task", TASK_FIELDS, checks=(check_task,))


@dataclass(frozen=True)
class Template:
    """A kind of task the notice asks of every branch: title and description
    come from the catalogs (``task.template.<code>.title``/``.description``)."""

    code: str
    days: int  # due this many days after creation, at the end of the day
    priority: str = "normal"

    @property
    def title_key(self) -> str:
        return f"task.template.{self.code}.title"

    @property
    def description_key(self) -> str:
        return f"task.template.{self.code}.description"


TEMPLATES = (
    Template("relay", 1, "high"),  # relay the notice to every member and study it
    Template("survey", 1, "high"),  # survey the health of teachers and students
    Template("educate", 3),  # spread prevention knowledge
    Template("care", 7),  # counsel and care for people in hardship
    Template("trace", 1, "high"),  # help trace close contacts
    Template("declare", 2),  # declare information truthfully and on time
    Template("duty", 7),  # stand duty at checkpoints and volunteer posts
)
TEMPLATE_BY_CODE = {t.code: t for t in TEMPLATES}

TASK_COLUMNS = TASK.view(
    "title", FieldDef("assignee_names", width=14, priority=80), "due", "priority", "status",
    FieldDef("progress", width=5, priority=65),  # "8/12" of the assignees
)
# The workload view: one row per member.
LOAD_COLUMNS = (
    FieldDef("member", width=10, priority=100, record="task"),
    FieldDef("open_count", width=6, priority=90, record="task"),
    FieldDef("overdue_count", width=6, priority=95, record="task"),
    FieldDef("done_count", width=6, priority=50, record="task"),
    DateTimeField("next_due", width=20, priority=60, record="task"),
)

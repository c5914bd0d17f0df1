"""A day's daily report as the secretary completed it (``services.day_reports``):
its date and the 其他事项 she wrote, or the zero report's 今日无异常. It
travels in every bundle (``bundles.kinds``), so the office's view of the
branch shows the report's last section as the branch wrote it."""

from __future__ import annotations

from branchtool.records.fields import FieldDef, Kind, RecordDef
from branchtool.services.day_reports import MAX_LENGTH

DAY_REPORT = RecordDef("day_report", (
    FieldDef("date", Kind.DATE, required=True, width=13, priority=100),
    FieldDef("other", Kind.NOTE, max_length=MAX_LENGTH, width=40, priority=90),
))

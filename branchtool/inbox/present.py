"""The office's notices and tasks, and the branch's proposals, as lines of
text (the CLI, and the screens' one-line summaries)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from branchtool import i18n
from branchtool.shown import shown


def _date(value: str) -> str:
    try:
        return i18n.format_date(dt.date.fromisoformat(value))
    except ValueError:
        return value or i18n.t("inbox.no_due")


def codes(values: list[str]) -> str:
    return i18n.t("list.separator").join(values) if values else i18n.t("inbox.none")


def notice_line(entry: dict[str, Any]) -> str:
    total = entry["total"]
    return i18n.t("inbox.coverage.notice", number=shown(entry.get("number") or "—"),
                  title=shown(entry["title"]), due=_date(entry["due"]),
                  relayed=total["relayed"], expected=total["expected"],
                  acknowledged=total["acknowledged"], branches_done=total["relayed_all"],
                  branches=total["branches"])


def task_line(entry: dict[str, Any]) -> str:
    total = entry["total"]
    return i18n.t("inbox.coverage.task", title=shown(entry["title"]), due=_date(entry["due"]),
                  done=total["done"], branches=total["branches"])


def branch_line(code: str, row: dict[str, Any], kind: str) -> str:
    if row["sent"] is None:
        state = i18n.t("inbox.state.not_sent")
    elif not row["received"]:
        state = i18n.t("inbox.state.not_received", sequence=row["sent"])
    elif kind == "notice":
        state = i18n.t("inbox.state.notice", relayed=row["relayed"], expected=row["expected"],
                       acknowledged=row["acknowledged"])
    else:
        state = i18n.t(f"task.status.{row['status']}") if row["status"] else i18n.t(
            "inbox.state.no_answer")
        if row.get("answer"):
            state += " — " + shown(row["answer"].splitlines()[0][:60])
    mark = i18n.t("inbox.state.overdue") if row["overdue"] else ""
    return f"  {code:<8} {state}{mark}"


def coverage_lines(notices: list[dict[str, Any]], tasks: list[dict[str, Any]],
                   pending: dict[str, int]) -> list[str]:
    lines: list[str] = []
    for kind, entries in (("notice", notices), ("task", tasks)):
        for entry in entries:
            lines.append(notice_line(entry) if kind == "notice" else task_line(entry))
            for code, row in sorted(entry["branches"].items()):
                lines.append(branch_line(code, row, kind))
            if entry["not_received"]:
                lines.append(i18n.t("inbox.coverage.not_received",
                                    codes=codes(entry["not_received"])))
    if not lines:
        lines.append(i18n.t("inbox.coverage.empty"))
    if pending:
        lines.append(i18n.t("inbox.coverage.pending", count=sum(pending.values()),
                            codes=codes(sorted(pending))))
    return lines


def proposal_values(values: dict[str, Any]) -> str:
    parts = []
    for key, value in values.items():
        shown_value = ", ".join(value) if isinstance(value, list) else str(value)
        parts.append(i18n.t(f"inbox.setting.{key}", value=shown(shown_value)))
    return i18n.t("list.separator").join(parts)


def proposal_line(doc: dict[str, Any]) -> str:
    return i18n.t("inbox.proposal.line", id=doc["id"], office=shown(doc["office"]),
                  issued=_date(doc["issued_on"]), values=proposal_values(doc["values"]))

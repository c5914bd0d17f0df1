"""The daily report's last section, 其他事项 — what the secretary wrote
herself (``services.day_reports``) — and the zero report (今日无异常), saved
in one keystroke when nothing is abnormal.

Which redaction levels carry the 其他事项: it is written *for* the report,
to be read by the college's office, and may name people (“张三已返校”), so
it is carried like names are: in full and standard. A counts-level report
names nobody, so it carries no free text: only whether some was written —
except the zero report's own fixed words (今日无异常), which name nobody.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from branchtool import i18n
from branchtool.errors import UserError
from branchtool.reports import text
from branchtool.reports.base import COUNTS, none_text

if TYPE_CHECKING:
    from branchtool.reports.document import Section
    from branchtool.services.health import DaySummary
    from branchtool.session import Session


def zero_words() -> str:
    """The zero report's words in the current language (今日无异常)."""
    return i18n.t("report.other.zero")


def section(section: Section, session: Session, day: dt.date, redaction: str) -> None:
    doc = session.day_reports.get(day) or {}
    other = str(doc.get("other", ""))
    if not other:
        section.paragraph(none_text())
    elif redaction != COUNTS:
        for line in other.split("\n"):
            if line.strip():
                section.paragraph(line)
    elif doc.get("zero") and "\n" not in other:
        # the zero report's words alone, in the report's language (whatever
        # language they were saved in): they name nobody
        section.paragraph(zero_words())
    else:
        section.paragraph(i18n.t("report.other.withheld"))


# -- the zero report ---------------------------------------------------------------------
def abnormal(session: Session, day: dt.date, summary: DaySummary | None = None) -> list[str]:
    """What stands against 今日无异常 on ``day``, each as a short phrase
    (“2 条待处置预警”); empty when nothing does."""
    if summary is None:
        summary = session.health.day_summary(day, contacts=session.contacts)
    found: list[str] = []
    alerts = session.alerts.count_open(day)  # as the dashboard counts them
    isolated = (len(summary.observation) + len(summary.quarantine)
                + len(summary.outside_observation) + len(summary.outside_quarantine))
    due = len(session.contacts.agenda(day).due)
    for what, n in (("alerts", alerts), ("abnormal", len(summary.abnormal)),
                    ("missing", len(summary.missing)), ("isolated", isolated),
                    ("followups", due)):
        if n:
            found.append(i18n.t(f"report.zero.{what}", n=text.number(n)))
    return found


def day_words(day: dt.date, today: dt.date) -> str:
    """“今天” for today, else the date (12月4日)."""
    return i18n.t("report.zero.today") if day == today else text.day(day)


def save_zero(session: Session, day: dt.date, today: dt.date) -> str:
    """Save ``day``'s daily report as the zero report and return its
    其他事项; a ``UserError`` saying what is abnormal when something is.
    What the secretary already wrote stays, under 今日无异常."""
    found = abnormal(session, day)
    if found:
        raise UserError("report.zero.refused", day=day_words(day, today),
                        what=i18n.t("report.zero.joiner").join(found))
    words = zero_words()
    other = session.day_reports.other(day)
    lines = [line for line in other.split("\n") if line.strip() and line.strip() != words]
    session.day_reports.save(day, "\n".join([words, *lines]), zero=True)
    return session.day_reports.other(day)

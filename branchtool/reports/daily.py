"""疫情防控日报: the day's epidemic report — who was expected, who reported
and who did not, the abnormal cases by name and reason, the people under
medical observation or in quarantine, the follow-ups of close contacts. On a
day with nothing to report it is the zero report (零报告) and says so."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from branchtool import i18n
from branchtool.records.alert import ALERT, CASE_CONTACT, FEVER, RISK_TRAVEL, SYMPTOM
from branchtool.records.checkin import CHECKIN
from branchtool.records.contact import CONTACT, FOLLOWUP, OBSERVATION_TYPES
from branchtool.reports import daily_day, daily_other, text
from branchtool.reports.base import (
    COUNTS,
    category,
    check_redaction,
    new_document,
    none_text,
    person_name,
    unit,
)
from branchtool.reports.document import Document, Section, Share, Table

if TYPE_CHECKING:
    from branchtool.services.health import DaySummary
    from branchtool.session import Session

KIND = "daily"
_REASONS = (FEVER, SYMPTOM, RISK_TRAVEL, CASE_CONTACT)


def issue_number(session: Session, day: dt.date) -> str:
    """第 N 期: the days since the watch's first recorded day."""
    first = session.health.first_day()
    if first is None or day < first:
        return ""
    return i18n.t("report.daily.number", n=(day - first).days + 1)


def build(session: Session, day: dt.date, redaction: str = "standard", *,
          summary: DaySummary | None = None,
          entries: dict[str, dict[str, Any]] | None = None) -> Document:
    """The day's report; ``summary`` and ``entries`` (the day's check-ins) when
    the caller computed them for many days at once (``days.summaries``)."""
    check_redaction(redaction)
    if summary is None:
        summary = session.health.day_summary(day, contacts=session.contacts)
    agenda = session.contacts.agenda(day)
    doc = new_document(session, KIND, day, number=issue_number(session, day),
                       title_key="report.daily.title_zero" if summary.is_zero else "")
    _overview(doc.section(text.section_title(1, i18n.t("report.daily.overview"))),
              summary, agenda)
    _abnormal(doc.section(text.section_title(2, i18n.t("report.daily.abnormal"))),
              session, summary, redaction)
    _missing(doc.section(text.section_title(3, i18n.t("report.daily.missing"))),
             session, summary, redaction)
    _isolated(doc.section(text.section_title(4, i18n.t("report.daily.isolated"))),
              session, summary, redaction,
              session.health.day(day) if entries is None else entries)
    _followups(doc.section(text.section_title(5, i18n.t("report.daily.followups"))),
               session, agenda, redaction)
    # The rest of the day: alerts and their handling, observations begun and
    # ending, care visits, notice relays (``daily_day``).
    daily_day.alerts(doc.section(text.section_title(6, i18n.t("report.day.alerts_title"))),
                     session, day, redaction)
    daily_day.observations(doc.section(text.section_title(
        7, i18n.t("report.day.observations_title"))), session, day, redaction)
    daily_day.care(doc.section(text.section_title(8, i18n.t("report.day.care_title"))),
                   session, day, redaction)
    daily_day.notices(doc.section(text.section_title(9, i18n.t("report.day.notices_title"))),
                      session, day)
    # What the secretary wrote herself (其他事项), at the levels that carry it.
    daily_other.section(doc.section(text.section_title(10, i18n.t("report.other.title"))),
                        session, day, redaction)
    return doc


def _reason_counts(summary: DaySummary) -> dict[str, int]:
    counts = dict.fromkeys(_REASONS, 0)
    for case in summary.abnormal:
        for reason in case.reasons:
            if reason in counts:
                counts[reason] += 1
    return counts


def _overview(section: Section, summary: DaySummary, agenda: Any) -> None:
    expected, reported = len(summary.expected), len(summary.reported)
    section.paragraph(i18n.t(
        "report.daily.reporting", day=text.day_with_weekday(summary.date),
        expected=text.number(expected), reported=text.number(reported),
        missing=text.number(len(summary.missing)),
        rate=text.share(Share(reported, expected))))
    if summary.is_zero:
        section.paragraph(i18n.t("report.daily.zero"))
        return
    reasons = _reason_counts(summary)
    section.paragraph(i18n.t(
        "report.daily.findings", abnormal=text.number(len(summary.abnormal)),
        fever=text.number(reasons[FEVER]), symptom=text.number(reasons[SYMPTOM]),
        travel=text.number(reasons[RISK_TRAVEL]), contact=text.number(reasons[CASE_CONTACT]),
        observation=text.number(len(summary.observation) + len(summary.outside_observation)),
        quarantine=text.number(len(summary.quarantine) + len(summary.outside_quarantine)),
        active=text.number(len(agenda.due) + len(agenda.done)),
        done=text.number(len(agenda.done))))


def _abnormal(section: Section, session: Session, summary: DaySummary, redaction: str) -> None:
    if not summary.abnormal:
        section.paragraph(none_text())
        return
    rule = ALERT.field("rule")
    if redaction == COUNTS:
        reasons = _reason_counts(summary)
        section.add(Table(i18n.t("report.daily.table.abnormal_counts"),
                          [i18n.t("report.col.reason"), i18n.t("report.col.people")],
                          [[rule.choice_label(r), reasons[r]] for r in _REASONS]))
        return
    symptoms = CHECKIN.field("symptoms")
    table = Table(i18n.t("report.daily.table.abnormal"),
                  [i18n.t("report.col.no"), i18n.t("report.col.name"),
                   i18n.t("report.col.category"), i18n.t("report.col.unit"),
                   i18n.t("report.col.reason"), CHECKIN.field("temperature").label,
                   symptoms.label])
    for n, case in enumerate(summary.abnormal, start=1):
        checkin = case.checkin
        shown = symptoms.display(checkin.get("symptoms", ""))
        if CHECKIN.shows("symptom_other", redaction) and checkin.get("symptom_other"):
            shown = i18n.t("report.with_note", text=shown, note=checkin["symptom_other"])
        table.rows.append([
            n, person_name(session, case.person), category(session, case.person),
            unit(session, case.person), text.join([rule.choice_label(r) for r in case.reasons]),
            CHECKIN.field("temperature").display(checkin.get("temperature", "")), shown])
    section.add(table)


def _missing(section: Section, session: Session, summary: DaySummary, redaction: str) -> None:
    if not summary.missing:
        section.paragraph(i18n.t("report.daily.all_reported"))
        return
    if redaction == COUNTS:
        section.paragraph(i18n.t("report.daily.missing_count",
                                 n=text.number(len(summary.missing))))
        return
    section.paragraph(i18n.t("report.daily.missing_names", n=text.number(len(summary.missing)),
                             names=text.join([person_name(session, p)
                                              for p in summary.missing])))


def _isolated(section: Section, session: Session, summary: DaySummary, redaction: str,
              isolation: dict[str, dict[str, Any]]) -> None:
    contacts = session.contacts
    active = {c["person"] or c["id"]: c for c in contacts.active_on(summary.date)}
    rows: list[tuple[str, str, str, dict[str, Any] | None]] = []  # name, type, where, contact
    kind = CONTACT.field("observation_type")
    for pid in summary.observation + summary.quarantine:
        contact = active.get(pid)
        code = contact["observation_type"] if contact else isolation.get(pid, {}).get(
            "isolation", "")
        rows.append((person_name(session, pid), code, unit(session, pid), contact))
    for cid in summary.outside_observation + summary.outside_quarantine:
        contact = active.get(cid) or contacts.get(cid) or {}
        rows.append((contacts.name(contact), contact.get("observation_type", ""),
                     i18n.t("report.outside_person"), contact))
    if not rows:
        section.paragraph(none_text())
        return
    if redaction == COUNTS:
        by_type = dict.fromkeys(OBSERVATION_TYPES, 0)
        for _, code, _, _ in rows:
            if code in by_type:
                by_type[code] += 1
        section.add(Table(i18n.t("report.daily.table.isolated_counts"),
                          [kind.label, i18n.t("report.col.people")],
                          [[kind.choice_label(c), n] for c, n in by_type.items()]))
        return
    table = Table(i18n.t("report.daily.table.isolated"),
                  [i18n.t("report.col.no"), i18n.t("report.col.name"),
                   i18n.t("report.col.unit"), kind.label, CONTACT.field("start_date").label,
                   CONTACT.field("end_date").label])
    for n, (name, code, where, contact) in enumerate(rows, start=1):
        table.rows.append([n, name, where, kind.choice_label(code),
                           CONTACT.field("start_date").display((contact or {}).get(
                               "start_date", "")),
                           CONTACT.field("end_date").display((contact or {}).get(
                               "end_date", ""))])
    section.add(table)


def _followups(section: Section, session: Session, agenda: Any, redaction: str) -> None:
    contacts = session.contacts
    followed = contacts.followups_on(agenda.date)
    under = sorted(agenda.due + agenda.done, key=lambda d: (d["end_date"], contacts.name(d)))
    if not under:
        section.paragraph(i18n.t("report.daily.no_contacts"))
        return
    section.paragraph(i18n.t(
        "report.daily.followup_counts", active=text.number(len(under)),
        done=text.number(len(agenda.done)), due=text.number(len(agenda.due)),
        ending=text.number(len(agenda.ending))))
    status = FOLLOWUP.field("status")
    if redaction == COUNTS:
        section.add(Table(i18n.t("report.daily.table.followup_counts"),
                          [status.label, i18n.t("report.col.people")],
                          [[status.choice_label(code), n]
                           for code, n in agenda.by_status.items()]
                          + [[i18n.t("report.daily.not_followed"), len(agenda.due)]]))
        return
    ending = {d["id"] for d in agenda.ending}
    table = Table(i18n.t("report.daily.table.followups"),
                  [i18n.t("report.col.no"), i18n.t("report.col.name"),
                   CONTACT.field("observation_type").label, CONTACT.field("end_date").label,
                   i18n.t("report.col.followup"), FOLLOWUP.field("temperature").label])
    for n, contact in enumerate(under, start=1):
        done = followed.get(contact["id"])
        shown = status.choice_label(done["status"]) if done else i18n.t(
            "report.daily.not_followed")
        end = CONTACT.field("end_date").display(contact["end_date"])
        if contact["id"] in ending:
            end = i18n.t("report.daily.ends_today", day=end)
        table.rows.append([n, contacts.name(contact),
                           CONTACT.field("observation_type").choice_label(
                               contact["observation_type"]),
                           end, shown,
                           FOLLOWUP.field("temperature").display(
                               (done or {}).get("temperature", ""))])
    section.add(table)

"""One person's check-in of one day: the record form of the check-in
definition (the symptoms ticked in its multiple-choice input), the last seven
days under the title. Problems show under their fields as they are typed;
Ctrl+S saves through the health service (one frame, alerts included) and the
form closes with the person's id."""

from __future__ import annotations

import datetime as dt
from typing import Any

from branchtool import i18n
from branchtool.records.checkin import CHECKIN
from branchtool.records.fields import Problem
from branchtool.services import health_rules as rules
from branchtool.session import Session
from screens.base import LockAware
from screens.plain import Static
from screens.record_form import RecordForm

HISTORY_DAYS = 7


def history_text(session: Session, person_id: str, day: dt.date) -> str:
    """The last days as marks: ✓ normal, ! abnormal, · missing."""
    settings = session.health.settings
    marks = []
    for doc in session.health.history(person_id, day - dt.timedelta(days=1), HISTORY_DAYS):
        if doc is None:
            marks.append("·")
        else:
            marks.append("!" if rules.checkin_flags(doc, settings) else "✓")
    return i18n.t("watch.form.history", days=HISTORY_DAYS, marks="".join(marks))


class CheckinForm(RecordForm, LockAware):
    """``RecordForm`` of ``CHECKIN`` for one person and day (the day is not asked)."""

    def __init__(self, session: Session, day: dt.date, person_id: str) -> None:
        self.session = session
        self.day = day
        self.person_id = person_id
        person = session.roster.person(person_id)
        name = person["name"] if person is not None else ""
        existing = session.health.get(day, person_id)
        self.is_new = existing is None
        values = existing or {**CHECKIN.blank(), "risk_travel": "no", "case_contact": "no",
                              "isolation": session.contacts.person_isolation(day).get(
                                  person_id, "none")}
        super().__init__(
            CHECKIN, i18n.t("watch.form.title", name=name, date=i18n.format_date(day)),
            {f.key: values.get(f.key, "") for f in CHECKIN.fields},
            check=self._check, save=self._save, hidden=("date",),
            intro=history_text(session, person_id, day))

    def _check(self, values: dict[str, Any]) -> list[Problem]:
        # Messages still queued when the vault locks must not reach the services.
        if not self.session.unlocked:
            return []
        return self.session.health.clean(self.day, self.person_id, values)[1]

    def _save(self, values: dict[str, Any]) -> str:
        values = dict(values)
        source = values.pop("source", "") or "proxy"
        self.session.health.record(self.day, self.person_id, values, source=source)
        return self.person_id

    def forget_data(self) -> None:
        self.query_one("#form-intro", Static).update("")

    def reload_data(self) -> None:
        self.query_one("#form-intro", Static).update(
            history_text(self.session, self.person_id, self.day))

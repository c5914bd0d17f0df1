"""The named list of the abnormal (issue 22, item 9): by branch, name,
temperature and symptoms, at the redaction the branch chose, by the
branch's own fever threshold."""

from __future__ import annotations

from pathlib import Path

import pytest

from branchtool import i18n
from branchtool.office.abnormal import CONTACT, FEVER, ISOLATED, SYMPTOM
from branchtool.office.service import OfficeService
from branchtool.session import Session
from tests.officekit import TODAY, Clock, enrol, export, make_branch, make_office


@pytest.fixture
def office(tmp_path: Path) -> OfficeService:
    service = make_office(tmp_path / "office", Clock())
    yield service
    service.vault.close()


def branch(tmp_path: Path, office: OfficeService, code: str, seed: int) -> Session:
    session = make_branch(tmp_path / code, code, f"{code}党支部", office, people=6, seed=seed)
    enrol(office, session)
    for person in session.health.active_people():  # a quiet day, then what the test says
        session.health.record(TODAY, person.id, {"temperature": "36.5", "symptoms": "",
                                                 "risk_travel": "no", "case_contact": "no",
                                                 "isolation": "none"})
    return session


def test_each_abnormal_person_by_branch_name_temperature_and_symptom(
    office: OfficeService, tmp_path: Path
) -> None:
    i18n.set_language("zh-CN")
    a, b, c = (branch(tmp_path, office, code, n) for n, code in enumerate(("A1", "B2", "C3")))
    ap, bp, cp = (s.health.active_people() for s in (a, b, c))
    a.health.record(TODAY, ap[0].id, {"temperature": "38.4", "symptoms": "fever,dry_cough"})
    a.health.record(TODAY, ap[1].id, {"case_contact": "yes"})
    a.health.record(TODAY, ap[2].id, {"isolation": "medical_observation"})
    b.health.save_settings({"fever_threshold": "37.8", "missing_days": "3",
                            "deadline": "10:00"})
    b.health.record(TODAY, bp[0].id, {"temperature": "37.5"})  # not a fever for B2
    b.health.record(TODAY, bp[1].id, {"temperature": "37.9"})
    c.health.record(TODAY, cp[0].id, {"temperature": "39.0"})
    usb = tmp_path / "usb"
    office.import_paths([export(a, usb), export(b, usb, redaction="standard"),
                         export(c, usb, redaction="counts")])
    found = office.abnormal(TODAY)
    rows = [(p.code, p.name, p.temperature, p.reasons) for p in found.people]
    assert sorted(rows) == sorted([
        ("A1", ap[0]["name"], "38.4℃", (FEVER, SYMPTOM)),
        ("A1", ap[1]["name"], "36.5℃", (CONTACT,)),
        ("A1", ap[2]["name"], "36.5℃", (ISOLATED,)),
        ("B2", bp[1]["name"], "37.9℃", (FEVER,)),
    ])
    by_name = {p.name: p for p in found.people}
    assert by_name[ap[0]["name"]].symptoms == "发热、干咳"
    assert by_name[ap[0]["name"]].branch == "A1党支部"
    assert by_name[ap[2]["name"]].reasons_text() == "医学观察"
    # the counts level sent no names: its figures stand in
    [counts] = found.counts_only
    assert counts.code == "C3" and counts.health["fever"] == 1
    for session in (a, b, c):
        session.lock()

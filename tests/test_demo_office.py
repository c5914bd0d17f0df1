"""The demo is a believable branch with an office to report to (issue 17):
nothing stamped after today, remarks that fit the person, and a demo office
vault beside it (passphrase ``demo``) that imports what the demo exports."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from fixtures_app import TODAY, WORK_FACTOR

from branchtool import demo, demo_data
from branchtool.cli import main
from branchtool.office.service import OfficeService
from branchtool.session import Session
from storage.vault import Vault

# What a record says happened (never after today), as opposed to what is
# planned (a due time, a next visit, the end of an observation).
HAPPENED = ("date", "at", "completed_at", "relayed_on", "responded_on", "opened_on",
            "closed_on", "issued_on", "exposure_date", "outcome_date", "on")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


def stamps(value: Any, key: str = "") -> list[tuple[str, str]]:
    """Every (key, value) of a happened-at field in a document, nested too."""
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in stamps(v, k)]
    if isinstance(value, list):
        return [s for v in value for s in stamps(v, key)]
    if key in HAPPENED and isinstance(value, str) and _DAY.match(value):
        return [(key, value)]
    return []


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo"
    session = demo.build(path, people=60, days=10, seed=5, today=TODAY,
                         work_factor=WORK_FACTOR)
    demo.build_office(session, demo.office_path(path), work_factor=WORK_FACTOR)
    session.lock()
    return path


def test_nothing_in_the_demo_happens_after_today(built: Path) -> None:
    session = Session(built, work_factor=WORK_FACTOR)
    session.unlock(demo.PASSPHRASE)
    try:
        vault = session.vault
        late = [(name, key, value) for name in vault.partitions()
                if not name.startswith("history/")
                for doc in vault.partition(name).all()
                for key, value in stamps(doc) if value[:10] > TODAY.isoformat()]
        assert late == []
        tasks = session.tasks.query()
        assert any(len(r.doc.get("confirmed", {})) for r in tasks)  # some 1/3 progress
    finally:
        session.lock()


def test_remarks_fit_the_person(built: Path) -> None:
    session = Session(built, work_factor=WORK_FACTOR)
    session.unlock(demo.PASSPHRASE)
    try:
        for person in session.roster.people():
            notes = person["notes"]
            if person["category"] == "student":
                assert notes in demo_data.NOTES
            else:
                assert notes in demo_data.STAFF_NOTES + demo_data.SENIOR_STAFF_NOTES
                assert notes not in ("担任班长", "获国家奖学金", "校学生会干部")
    finally:
        session.lock()


def test_the_demo_office_imports_what_the_demo_branch_exports(built: Path,
                                                              tmp_path: Path) -> None:
    office_path = demo.office_path(built)
    assert office_path.name == "demo-office" and demo.is_demo_office(office_path)
    session = Session(built, work_factor=WORK_FACTOR)
    session.unlock(demo.PASSPHRASE)
    try:
        session.bundles.today = lambda: TODAY
        from branchtool.period import Period

        result = session.bundles.export(tmp_path, Period(TODAY - dt.timedelta(days=2), TODAY))
    finally:
        session.lock()
    vault = Vault.open(office_path, demo.PASSPHRASE)
    try:
        [imported] = OfficeService(vault).import_paths([result.path])
        assert imported.verdict == "accepted", imported.message()
    finally:
        vault.close()


def test_branchtool_demo_builds_the_office_beside_it(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("branchtool.session.DEFAULT_WORK_FACTOR", WORK_FACTOR)
    monkeypatch.setattr("branchtool.cli.demo_cmd.DEFAULT_WORK_FACTOR", WORK_FACTOR)
    real_build, real_office = demo.build, demo.build_office
    monkeypatch.setattr(demo, "build", lambda *a, **k: real_build(
        *a, **{**k, "work_factor": WORK_FACTOR, "people": 12, "days": 2}))
    monkeypatch.setattr(demo, "build_office", lambda *a, **k: real_office(
        *a, **{**k, "work_factor": WORK_FACTOR}))
    path = tmp_path / "demo"
    assert main(["--data-dir", str(path), "--lang", "zh-CN", "demo", "--no-open"]) == 0
    out = capsys.readouterr().out
    office = tmp_path / "demo-office"
    assert f"演示党委办公室：{office}（口令：demo）" in out
    assert demo.is_demo_office(office)
    # An export from the branch imports at the office, on the command line.
    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", demo.PASSPHRASE)
    stick = tmp_path / "stick"
    stick.mkdir()
    assert main(["--data-dir", str(path), "export", "--out", str(stick)]) == 0
    [bundle] = stick.iterdir()
    capsys.readouterr()
    assert main(["--data-dir", str(office), "office", "import", str(bundle)]) == 0
    assert "接收" in capsys.readouterr().out
    # --fresh takes both away and builds both again; a real office is never removed.
    assert main(["--data-dir", str(path), "demo", "--no-open", "--fresh"]) == 0
    assert demo.is_demo_office(office)

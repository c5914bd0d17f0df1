"""The demo generator's care and accountability part, and
``branchtool list care|visits|tasks|records|deeds [--json] [--all]``."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures_app import chinese  # noqa: F401  (every test starts in zh-CN)
from rowtexts import texts as row_texts

from branchtool import demo, i18n
from branchtool.cli import main
from branchtool.records.care import CARE, VISIT
from branchtool.records.member_record import MEMBER_RECORD
from branchtool.session import Session

WORK_FACTOR = 10


@pytest.fixture(scope="module")
def demo_vault(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("demo") / "vault"
    before = i18n.language()
    i18n.set_language("zh-CN")
    demo.build(path, people=120, seed=7, work_factor=WORK_FACTOR).lock()
    i18n.set_language(before)
    yield path


@pytest.fixture
def opened(demo_vault: Path) -> Iterator[Session]:
    session = Session(demo_vault, work_factor=WORK_FACTOR)
    session.unlock(demo.PASSPHRASE)
    yield session
    session.lock()


def test_the_demo_has_care_cases_with_visits(opened: Session) -> None:
    care = opened.care
    assert len(care) >= 6
    rows = care.cases()
    assert rows and all(len(care.visits(r.id)) >= 1 for r in rows)
    assert any(r.overdue for r in rows), "some visits are overdue"
    assert {r.doc["hardship"] for r in care.cases(care_all())} >= {"economic", "mental"}
    # Every stored case and visit still passes its definition.
    for row in care.cases(care_all()):
        assert CARE.clean(care.values_of(row.id))[1] == []
        for visit in care.visits(row.id):
            assert visit.doc["date"] >= row.doc["opened_on"]
            assert VISIT.clean({f.key: visit.doc[f.key] for f in VISIT.fields})[1] == []
            if row.doc["next_visit"]:
                assert visit.doc["date"] < row.doc["next_visit"]
    assert care.support_totals(dt.date(2000, 1, 1), dt.date.today()).amount > 0


def care_all() -> object:
    from branchtool.services.care import CareQuery

    return CareQuery(status="")


def test_the_demo_has_tasks_in_every_state_some_overdue(opened: Session) -> None:
    tasks = opened.tasks
    counts = tasks.counts()
    assert all(counts[s] > 0 for s in ("todo", "doing", "done", "cancelled")), counts
    assert 0 < counts["overdue"] < counts["todo"] + counts["doing"]
    done = [r.doc for r in tasks.query(_status("done"))]
    assert all(d["evidence"] and d["completed_at"] for d in done)
    assert tasks.reminders()


def _status(status: str) -> object:
    from branchtool.services.tasks import TaskQuery

    return TaskQuery(status=status)


def test_the_demo_has_records_and_two_drafted_deeds(opened: Session) -> None:
    records = opened.member_records.query()
    assert {r.doc["kind"] for r in records} == {"praise", "deed", "criticism",
                                                  "accountability", "other"}
    for row in records:
        values = opened.member_records.values_of(row.id)
        assert MEMBER_RECORD.clean(values)[1] == []
    deeds = opened.deeds.query()
    assert [d.doc["status"] for d in deeds] == ["draft", "draft"]
    assert all("\n\n" in d.doc["narrative"] for d in deeds)


def test_the_same_seed_and_day_give_the_same_care_data(tmp_path: Path) -> None:
    today = dt.date(2024, 6, 1)
    texts = []
    for name in ("a", "b"):
        session = demo.build(tmp_path / name, people=60, seed=3, today=today,
                             work_factor=WORK_FACTOR)
        texts.append([row_texts(r) for r in session.care.cases(care_all())]
                     + [row_texts(r) for r in session.tasks.query(_status(""))])
        session.lock()
    assert texts[0] == texts[1]


def run_list(demo_vault: Path, capsys: pytest.CaptureFixture[str], monkeypatch:
             pytest.MonkeyPatch, *args: str) -> str:
    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", demo.PASSPHRASE)
    capsys.readouterr()
    assert main(["--data-dir", str(demo_vault), "list", *args]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("what", ["care", "visits", "tasks", "records", "deeds"])
def test_list_json_leaves_the_details_out(what: str, demo_vault: Path,
                                          capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    rows = json.loads(run_list(demo_vault, capsys, monkeypatch, what, "--json",
                               "--redaction", "standard"))
    assert rows
    for withheld in ("description", "measures", "findings", "follow_up"):
        if what not in ("tasks", "deeds"):
            assert all(withheld not in row for row in rows)
    assert all(row["id"] for row in rows)
    # the default on the secretary's own machine is every field
    full = json.loads(run_list(demo_vault, capsys, monkeypatch, what, "--json"))
    assert [r["id"] for r in full] == [r["id"] for r in rows]
    shown = {"care": "description", "visits": "findings", "records": "description"}
    if what in shown:
        assert all(shown[what] in row for row in full)


def test_list_json_fields(demo_vault: Path, capsys: pytest.CaptureFixture[str],
                          monkeypatch: pytest.MonkeyPatch) -> None:
    care = json.loads(run_list(demo_vault, capsys, monkeypatch, "care", "--json"))
    assert {row["status"] for row in care} == {"following"}
    everything = json.loads(run_list(demo_vault, capsys, monkeypatch, "care", "--json", "--all"))
    assert len(everything) > len(care)
    assert {"who", "hardship", "severity", "responsible_name", "last_visit"} <= set(care[0])
    tasks = json.loads(run_list(demo_vault, capsys, monkeypatch, "tasks", "--json"))
    assert {row["status"] for row in tasks} <= {"todo", "doing"}
    assert isinstance(tasks[0]["assignees"], list) and tasks[0]["assignee_names"]
    assert isinstance(tasks[0]["log"], list)
    all_tasks = json.loads(run_list(demo_vault, capsys, monkeypatch, "tasks", "--json", "--all"))
    assert {row["status"] for row in all_tasks} == {"todo", "doing", "done", "cancelled"}
    visits = json.loads(run_list(demo_vault, capsys, monkeypatch, "visits", "--json"))
    assert all(v["amount"] == "" or v["amount"].endswith(tuple("0123456789")) for v in visits)
    assert any("." in v["amount"] for v in visits)  # text with two decimals, never a number
    deeds = json.loads(run_list(demo_vault, capsys, monkeypatch, "deeds", "--json"))
    assert len(deeds) == 2 and deeds[0]["narrative"] and isinstance(deeds[0]["members"], list)


def test_list_as_a_table(demo_vault: Path, capsys: pytest.CaptureFixture[str],
                         monkeypatch: pytest.MonkeyPatch) -> None:
    out = run_list(demo_vault, capsys, monkeypatch, "care")
    assert out.splitlines()[0].split() == ["帮扶对象", "困难类型", "困难程度", "责任人",
                                           "上次走访", "下次走访", "状态"]
    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", demo.PASSPHRASE)
    capsys.readouterr()
    try:
        assert main(["--lang", "en", "--data-dir", str(demo_vault), "list", "visits"]) == 0
    finally:
        i18n.set_language("zh-CN")
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["Visit", "date", "Person", "Method", "Visitor"]
    assert "¥" not in out  # what was given to whom stays with each case

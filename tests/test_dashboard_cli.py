"""The dashboard's figures from the command line (``health summary``), the
watch listings (``list checkins|contacts|notices|relays --json``), the
settings command, and the demo's epidemic-watch data."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures_app import TODAY, WORK_FACTOR, chinese  # noqa: F401

from branchtool import demo
from branchtool.cli import main
from branchtool.services import dashboard
from branchtool.session import Session

NOW = dt.datetime.combine(TODAY, dt.time(11, 30))


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dashboard-cli") / "demo"
    demo.build(path, people=60, seed=3, today=TODAY, work_factor=WORK_FACTOR).lock()
    return path


@pytest.fixture
def branch(demo_dir: Path) -> Iterator[Session]:
    session = Session(demo_dir, work_factor=WORK_FACTOR)
    session.clock = lambda: NOW
    session.unlock(demo.PASSPHRASE)
    yield session
    session.lock()


def run(path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    status = main(["--data-dir", str(path), *args])
    return status, capsys.readouterr().out


@pytest.fixture
def cli(demo_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", demo.PASSPHRASE)
    return demo_dir


def test_the_demo_has_plausible_watch_data(branch: Session) -> None:
    board = dashboard.compute(branch.health, branch.contacts, branch.notices, branch.alerts,
                              TODAY)
    assert 0.85 < board.reported / board.expected < 1  # today is not over: some missing
    assert sum(v or 0 for v in board.series["fever"]) >= 1  # a few fevers in the month
    assert all(v is not None and v >= 0 for v in board.series["missing"])  # gaps, every day
    assert board.observation + board.quarantine >= 3  # a handful under observation
    assert board.notices == 2 and 0 < board.notice_relayed < board.notice_expected
    assert board.followups_due >= 1 and board.observation_ending == 1
    assert any(a["status"] == "handled" for a in branch.alerts.all())


def test_health_summary_json_for_a_past_day(cli: Path, branch: Session,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    day = TODAY - dt.timedelta(days=1)
    expected = dashboard.compute(branch.health, branch.contacts, branch.notices,
                                 branch.alerts, day).to_json()
    branch.lock()
    status, out = run(cli, capsys, "health", "summary", "--date", day.isoformat(), "--json")
    assert status == 0
    figures = json.loads(out)
    assert figures == expected
    assert figures["date"] == "2024-05-31" and len(figures["series"]["reported"]) == 30
    assert figures["missing"] == figures["expected"] - figures["reported"]


def test_health_summary_text_and_a_bad_date(cli: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    status, out = run(cli, capsys, "health", "summary", "--date", "2024-05-31")
    assert status == 0 and out.startswith("2024年5月31日 疫情防控概况")
    assert "  未报: " in out
    assert main(["--data-dir", str(cli), "health", "summary", "--date", "2024-02-30"]) == 1
    assert "日期无效" in capsys.readouterr().err


def test_list_commands(cli: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = run(cli, capsys, "list", "checkins", "--date", "2024-05-31", "--json")
    checkins = json.loads(out)
    assert status == 0 and len(checkins) > 40
    assert {"person_name", "temperature", "symptoms", "isolation", "at"} <= set(checkins[0])
    assert {"note", "symptom_other"} <= set(checkins[0])  # the default: full, her own machine
    status, out = run(cli, capsys, "list", "checkins", "--date", "2024-05-31", "--json",
                      "--redaction", "standard")
    assert not {"note", "symptom_other"} & set(json.loads(out)[0])
    status, out = run(cli, capsys, "list", "checkins", "--date", "2024-05-31", "--json",
                      "--redaction", "counts")
    assert json.loads(out) == {"count": len(checkins)}

    day = ("--date", TODAY.isoformat())
    status, out = run(cli, capsys, "list", "contacts", *day, "--json")
    contacts = json.loads(out)
    assert status == 0 and len(contacts) >= 3
    assert {"phone", "id_number", "source_case", "place", "note"} <= set(contacts[0])
    status, out = run(cli, capsys, "list", "contacts", *day, "--json", "--redaction", "standard")
    assert not {"phone", "id_number", "source_case", "place", "note"} & set(json.loads(out)[0])
    status, out = run(cli, capsys, "list", "contacts", "--all", "--json")
    assert len(json.loads(out)) > len(contacts)  # the released one too

    status, out = run(cli, capsys, "list", "notices", *day, "--json")
    notices = json.loads(out)
    assert [n["number"] for n in notices] == ["校党委〔2020〕5号", "院党组〔2020〕3号"]
    assert all(0 < n["relayed"] < n["expected"] for n in notices)

    status, out = run(cli, capsys, "list", "relays", *day, "--json")
    relays = json.loads(out)
    assert len(relays) == sum(n["expected"] for n in notices)
    assert sum(1 for r in relays if r["relayed_on"]) == sum(n["relayed"] for n in notices)

    status, out = run(cli, capsys, "list", "notices", *day)
    assert status == 0 and out.splitlines()[0].split()[0] == "文号"


def test_settings_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                          capsys: pytest.CaptureFixture[str]) -> None:
    session = Session(tmp_path / "v", work_factor=WORK_FACTOR)
    session.create("T1", "测试支部", "correct horse battery")
    session.lock()
    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", "correct horse battery")
    status, out = run(tmp_path / "v", capsys, "health", "settings", "--fever", "37.5",
                      "--missing-days", "2")
    assert status == 0 and "发热阈值（℃）: 37.5" in out and "连续未打卡预警天数: 2" in out
    assert main(["--data-dir", str(tmp_path / "v"), "health", "settings",
                 "--deadline", "25:00"]) == 1
    assert "截止时间" in capsys.readouterr().err

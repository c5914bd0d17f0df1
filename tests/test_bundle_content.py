"""The content a branch chooses to send, as the office sees it: a kind not
sent leaves what the office holds of it alone (not sent is not "none", and
not "every record removed"); bundles written before the choice existed are
still accepted; the command line's ``--only``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from fixtures_app import chinese  # noqa: F401  (fixture: zh-CN, the language put back)

from branchtool import demo
from branchtool.bundles import export as export_module
from branchtool.bundles import format as fmt
from branchtool.office.service import OfficeService
from branchtool.period import Period
from branchtool.session import Session
from tests.officekit import TODAY, Clock, enrol, make_branch, make_office

WATCH = ["checkins", "contacts", "followups", "alerts", "watch_settings", "notices", "relays",
         "daily_reports"]


@pytest.fixture
def office(tmp_path: Path) -> Iterator[OfficeService]:
    service = make_office(tmp_path / "office", Clock())
    yield service
    service.vault.close()


@pytest.fixture
def a(tmp_path: Path, office: OfficeService) -> Iterator[Session]:
    session = make_branch(tmp_path / "a", "A1", "第一党支部", office, people=12, seed=1)
    enrol(office, session)
    yield session
    session.lock()


def send(branch: Session, usb: Path, content: list[str] | None = None,
         redaction: str = "standard") -> Path:
    usb.mkdir(parents=True, exist_ok=True)
    return branch.bundles.export(usb, Period(TODAY, TODAY), redaction, content=content).path


def held(office: OfficeService, kind: str) -> set[str]:
    return {r["id"] for r in office.latest_records("A1", kind)}


def test_a_bundle_without_the_roster_leaves_the_offices_roster_alone(
    office: OfficeService, a: Session, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    [first] = office.import_paths([send(a, usb)])
    assert first.verdict == "accepted"
    roster = held(office, "roster")
    tasks = held(office, "tasks")
    assert len(roster) == 12 and tasks

    # the watch only: the roster, the tasks, care... are not sent, not emptied
    path = send(a, usb, ["watch"])
    assert sorted(a.bundles.open_sent(path)["data"]) == sorted(WATCH)
    [result] = office.import_paths([path])
    assert (result.verdict, result.changes) == ("accepted", 0)
    assert held(office, "roster") == roster and held(office, "tasks") == tasks
    latest = office.latest_bundle("A1")
    assert sorted(latest["counts"]) == sorted(WATCH)  # "not sent", not "none"
    assert office.overview(TODAY).rows[0].missing == []

    # a person removed while the roster is not sent: the bundle's history shows
    # only the kinds it carries (issue 13), the removal travels as a link only
    gone = next(iter(a.roster.people())).id
    a.vault.partition("roster").remove(gone)
    path = send(a, usb, ["watch", "tasks"])
    entries = a.bundles.open_sent(path)["history"]["entries"]
    assert gone not in orjson.dumps(entries).decode()
    [result] = office.import_paths([path])
    assert (result.verdict, result.changes) == ("accepted", 0)
    assert held(office, "roster") == roster

    # the roster sent again, whole: what it holds is what the office holds (the
    # removal's entry went as a link, so it is not listed among the changes)
    [result] = office.import_paths([send(a, usb, ["roster"])])
    assert result.verdict == "accepted"
    assert held(office, "roster") == roster - {gone}
    assert held(office, "tasks") == tasks


def test_a_kind_sent_with_nothing_in_it_is_none(office: OfficeService, a: Session,
                                                 tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    office.import_paths([send(a, usb)])
    for task in a.tasks.all():
        a.vault.partition("tasks").remove(task["id"])
    [result] = office.import_paths([send(a, usb, ["tasks"])])
    assert result.verdict == "accepted"
    assert office.latest_bundle("A1")["counts"] == {"tasks": 0}
    assert held(office, "tasks") == set()


def test_a_bundle_from_before_the_content_choice_is_still_accepted(
    office: OfficeService, a: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = fmt.encode

    def without_content(doc: dict) -> bytes:  # what an older branchtool signed
        return real({k: v for k, v in doc.items() if k != "content"})

    monkeypatch.setattr(export_module.fmt, "encode", without_content)
    path = send(a, tmp_path / "usb")
    monkeypatch.undo()
    assert "content" not in a.bundles.open_sent(path)
    [result] = office.import_paths([path])
    assert result.verdict == "accepted"
    assert len(held(office, "roster")) == 12


def test_content_that_does_not_match_the_data_is_refused(
    office: OfficeService, a: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = fmt.encode

    def claims_less(doc: dict) -> bytes:  # signed, but data beyond its content
        return real({**doc, "content": ["roster"]})

    monkeypatch.setattr(export_module.fmt, "encode", claims_less)
    path = send(a, tmp_path / "usb")
    monkeypatch.undo()
    [result] = office.import_paths([path])
    assert (result.verdict, result.reason, result.params) == (
        "rejected", "schema", {"field": "content"})
    assert office.latest_bundle("A1") is None


# -- the command line ----------------------------------------------------------------------------
@pytest.fixture
def cli_branch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from tests.bundlekit import make_office_keys

    session = demo.build(tmp_path / "branch", people=8, days=2, seed=4, today=TODAY,
                         work_factor=10)
    session.bundles.set_office_key(make_office_keys().key)
    session.lock()
    monkeypatch.setenv("BRANCHTOOL_HOME", str(tmp_path / "branch"))
    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", demo.PASSPHRASE)
    return tmp_path / "branch"


def test_cli_only(cli_branch: Path, tmp_path: Path,
                  capsys: pytest.CaptureFixture[str]) -> None:
    from branchtool.cli import main

    out = tmp_path / "usb"
    out.mkdir()
    day = TODAY.isoformat()
    assert main(["export", "--out", str(out), "--to", day, "--only", "roster,tasks",
                 "--only", " deeds "]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert main(["--lang", "en", "export", "--out", str(out), "--to", day,
                 "--only", "roster,salaries"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "salaries" in err and "roster, watch, care" in err
    assert main(["--lang", "en", "export", "--out", str(out), "--only", ","]) == 1
    assert "Choose at least one kind of content" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == [path.name]  # nothing more written
    session = Session(cli_branch)
    session.unlock(demo.PASSPHRASE)
    try:
        session.bundles.today = lambda: TODAY
        assert session.bundles.open_sent(path)["content"] == ["roster", "tasks", "deeds"]
        assert [s["content"] for s in session.bundles.outbox()] == [["roster", "tasks", "deeds"]]
    finally:
        session.lock()


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_cli_help_names_every_content_group(lang: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    from branchtool.bundles.kinds import groups
    from branchtool.cli import main

    with pytest.raises(SystemExit):
        main(["--lang", lang, "export", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--only" in text
    for group in groups():
        assert group.name in text


def test_cli_reports_the_deeds_it_marked(cli_branch: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    from branchtool.cli import main

    session = Session(cli_branch)
    session.unlock(demo.PASSPHRASE)
    try:
        for deed in session.deeds.all():
            session.deeds.set_status(deed["id"], "proposed")
        count = len(session.deeds.for_reporting())
    finally:
        session.lock()
    out = tmp_path / "usb"
    out.mkdir()
    assert main(["export", "--out", str(out), "--to", TODAY.isoformat()]) == 0
    captured = capsys.readouterr()
    assert Path(captured.out.strip()).parent == out
    assert f"{count} 篇先进事迹已标记为“已上报”" in captured.err


def test_the_one_list_of_kinds_groups_and_reports_holds_together() -> None:
    """``kinds.KINDS``/``GROUPS`` and ``providers`` are written out as data (no
    area registers itself on import): each name once, each kind in one group
    at most, every group naming kinds and reports that exist."""
    from branchtool.bundles import providers
    from branchtool.bundles.kinds import GROUPS, KINDS

    names = [k.name for k in KINDS]
    assert len(names) == len(set(names))
    assert len({g.name for g in GROUPS}) == len(GROUPS)
    grouped = [k for g in GROUPS for k in g.kinds]
    assert len(grouped) == len(set(grouped)) and set(grouped) <= set(names)
    assert {r for g in GROUPS for r in g.reports} <= set(providers.REPORTS)
    assert set(providers.FIGURES) >= providers.REVISABLE
    assert set(providers.FIGURES) >= providers.REDACTED


"""A day at the office as it was: a past date shows that day's bundle,
alerts and missing sequences (not today's), a revoked branch is no longer
owed a report, and a refused file shows as such (issue 22, items 3, 4, 6)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from branchtool import i18n
from branchtool.bundles import providers
from branchtool.bundles.kinds import kinds
from branchtool.cli import main
from branchtool.office.present import arrival, overview_lines
from branchtool.office.service import OfficeService
from branchtool.session import Session
from tests.officekit import (
    OFFICE_PASSPHRASE,
    TODAY,
    Clock,
    enrol,
    export,
    keep_language,  # noqa: F401  (an autouse fixture)
    make_branch,
    make_office,
)

YESTERDAY = TODAY - dt.timedelta(days=1)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def office(tmp_path: Path, clock: Clock) -> OfficeService:
    clock.at(YESTERDAY, 8)
    service = make_office(tmp_path / "office", clock)
    yield service
    service.vault.close()


@pytest.fixture
def branches(tmp_path: Path, office: OfficeService) -> dict[str, Session]:
    out = {}
    for n, code in enumerate(("A1", "B2")):
        out[code] = make_branch(tmp_path / code, code, f"第{n + 1}党支部", office, people=6,
                                seed=n + 1)
        enrol(office, out[code])
    yield out
    for session in out.values():
        session.lock()


def alerts_sent(monkeypatch: pytest.MonkeyPatch, count: int) -> None:
    kinds()
    monkeypatch.setitem(providers.FIGURES, "alerts", lambda s, p: {"open": count})


def test_a_past_date_shows_that_days_bundle(office: OfficeService, branches: dict,
                                            clock: Clock, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    a = branches["A1"]
    usb = tmp_path / "usb"
    alerts_sent(monkeypatch, 2)
    office.import_paths([export(a, usb, day=YESTERDAY)])
    clock.at(TODAY, 9)
    alerts_sent(monkeypatch, 7)
    office.import_paths([export(a, usb, day=TODAY)])
    past, now = office.overview(YESTERDAY).rows[0], office.overview(TODAY).rows[0]
    assert (past.last_sequence, past.last_period["to"], past.open_alerts) == \
        (1, YESTERDAY.isoformat(), 2)
    assert (now.last_sequence, now.last_period["to"], now.open_alerts) == (2, TODAY.isoformat(), 7)
    assert office.overview(YESTERDAY).totals.current["open_alerts"] == 2
    # the command line and the summary read the same
    office.vault.close()
    monkeypatch.setenv("BRANCHTOOL_HOME", str(tmp_path / "office"))
    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", OFFICE_PASSPHRASE)
    assert main(["--lang", "en", "office", "status", "--date", YESTERDAY.isoformat()]) == 0
    out = capsys.readouterr().out
    assert f"A1 第1党支部 | #1 {YESTERDAY}" in out and "alerts 2" in out
    summary = tmp_path / "day.md"
    assert main(["--lang", "en", "office", "summary", "--date", YESTERDAY.isoformat(),
                 "--out", str(summary)]) == 0
    text = summary.read_text(encoding="utf-8")
    assert "| A1 | 第1党支部 | reported (" in text and f") | 1 | {YESTERDAY} |" in text


def test_a_revoked_branch_is_no_longer_expected(office: OfficeService, branches: dict,
                                                clock: Clock, tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    office.import_paths([export(s, usb, day=YESTERDAY) for s in branches.values()])
    clock.at(YESTERDAY, 18)
    office.trust.revoke("B2")
    clock.at(TODAY, 10)
    today = office.overview(TODAY)
    assert (today.totals.branches, today.totals.reported) == (1, 0)
    row = {r.code: r for r in today.rows}["B2"]
    assert not row.expected and not row.reported
    i18n.set_language("en")
    assert arrival(row) == "not expected (key revoked)"
    assert "0 of 1 branches reported" in overview_lines(today)[0]
    # the day it was revoked, it was still owed (and reported)
    assert office.overview(YESTERDAY).totals.branches == 2
    # the rates count only the days it was trusted
    assert today.rates[0].expected == 2 + 1
    # a new key enrolled by hand: owed again from that day on
    from branchtool.keys_rotation import rotate

    rotate(branches["B2"].vault)
    office.trust.enrol(branches["B2"].bundles.branch_key(), replace=True)
    assert office.overview(TODAY).totals.branches == 2
    assert office.overview(YESTERDAY).totals.branches == 2


def test_a_refused_file_is_not_silence(office: OfficeService, branches: dict, clock: Clock,
                                       tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    export(branches["A1"], usb, day=TODAY)
    bad = export(branches["B2"], usb, day=TODAY)
    bad.write_bytes(bad.read_bytes()[:-40])
    clock.at(TODAY, 9)
    office.import_paths([usb])
    rows = {r.code: r for r in office.overview(TODAY).rows}
    assert rows["B2"].refused == "truncated" and not rows["B2"].reported
    assert rows["A1"].refused is None
    i18n.set_language("zh-CN")
    assert arrival(rows["B2"]) == "文件损坏，待重交"
    i18n.set_language("en")
    assert arrival(rows["B2"]) == "file damaged, send again"
    # the log survives a restart
    path = office.vault.path
    office.vault.close()
    from storage.vault import Vault

    office.vault = Vault.open(path, OFFICE_PASSPHRASE)
    assert {r.code: r for r in office.overview(TODAY).rows}["B2"].refused == "truncated"
    # the genuine file, copied again, is accepted: reported, no longer refused
    bad.unlink()
    office.import_paths([export(branches["B2"], usb, day=TODAY)])
    assert {r.code: r for r in office.overview(TODAY).rows}["B2"].reported


def test_the_receipt_tells_the_branch_its_file_was_refused(
    office: OfficeService, branches: dict, clock: Clock, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A signed notice with the receipts: the branch reads, in its language,
    that its file #1 of the day was damaged and should be copied again."""
    from branchtool.office.receipts import apply_receipt

    usb = tmp_path / "usb"
    b = branches["B2"]
    bad = export(b, usb, day=TODAY)
    genuine = bad.read_bytes()
    bad.write_bytes(genuine[:-40])
    clock.at(TODAY, 9)
    office.import_paths([usb])
    out = tmp_path / "receipts"
    out.mkdir()
    written = office.write_receipts(out)
    assert [p.name for p in written] == [f"B2-receipt-{TODAY:%Y%m%d}.json"]  # nothing else sent
    i18n.set_language("zh-CN")
    result = apply_receipt(b, written[0].read_bytes())
    assert result.marked == [] and len(result.refused) == 1
    notice = result.refused[0]
    assert bad.name in notice and "序号 1" in notice and "不完整" in notice
    assert "重新完整地拷贝" in notice
    # the genuine copy arrives: the next receipt says nothing more about it
    bad.write_bytes(genuine)
    assert [r.verdict for r in office.import_paths([bad])] == ["accepted"]
    [again] = office.write_receipts(out)
    result = apply_receipt(b, again.read_bytes())
    assert result.refused == [] and result.marked == [1]

"""The inbox commands, end to end through ``main``: the office composes and
sends, the branch imports, its bundle comes back, the office reads coverage."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from branchtool.cli import main
from tests import inboxkit
from tests.officekit import OFFICE_PASSPHRASE, TODAY, export


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_office_and_branch_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    loop = inboxkit.build(tmp_path, people=6)
    office_dir, branch_dir = str(loop.root / "office"), str(loop.root / "a")
    inboxkit.close(loop)
    body = tmp_path / "notice.txt"
    body.write_bytes("\ufeff各支部要迅速将通知精神传达到全体党员。\r\n".encode())
    gbk = tmp_path / "附件.txt"
    gbk.write_bytes("附件：学习材料".encode("gbk"))
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")

    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", OFFICE_PASSPHRASE)
    office = ["--data-dir", office_dir, "office"]
    status, out, err = run(capsys, *office, "notice", "add",
                           "--title", "关于做好疫情防控工作的通知",
                         "--body-file", str(body), "--due", "2026-11-25", "--issued", "2026-11-20",
                         "--number", "院党组〔2020〕3号", "--ack", "--to", "CS01")
    assert status == 0 and "office send" in out, err
    status, _, err = run(capsys, *office, "notice", "add", "--title", "x", "--body", "y",
                         "--attach", str(binary))
    assert status == 1 and "photo.txt" in err and "Traceback" not in err
    status, _, err = run(capsys, *office, "task", "add", "--title", "报送事迹",
                         "--due", "2026-11-27", "--issued", "2026-11-20",
                         "--report", "一至两名党员的事迹", "--to", "NOPE")
    assert status == 1 and "NOPE" in err
    status, _, err = run(capsys, *office, "task", "add", "--title", "报送事迹",
                         "--due", "2026-11-27", "--issued", "2026-11-20",
                         "--report", "一至两名党员的事迹")
    assert status == 0, err
    status, out, _ = run(capsys, *office, "notices", "--json")
    pending = orjson.loads(out)["pending"]
    assert pending == {"CS01": 2, "MA02": 1}
    stick = tmp_path / "stick"  # inboxkit made it
    status, out, _ = run(capsys, *office, "send", "--out", str(stick))
    assert status == 0
    assert "DW-to-CS01-000001.inbox.age" in out and "DW-to-MA02-000001.inbox.age" in out
    status, _, err = run(capsys, *office, "send", "--out", str(stick))
    assert status == 0 and err.strip()  # nothing waiting: said so

    from branchtool.demo import PASSPHRASE as DEMO_PASSPHRASE

    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", DEMO_PASSPHRASE)
    status, out, _ = run(capsys, "--data-dir", branch_dir, "inbox", "import", str(stick),
                         "--json")
    lines = [orjson.loads(line) for line in out.splitlines()]
    assert {(r["verdict"], r["reason"]) for r in lines} == {
        ("accepted", None), ("rejected", "not_for_us")}
    assert status == 1
    status, out, _ = run(capsys, "--lang", "zh-CN", "--data-dir", branch_dir, "inbox", "import",
                         str(stick / "DW-to-CS01-000001.inbox.age"))
    assert status == 0 and "已经导入过" in out

    from branchtool.session import Session

    with Session(branch_dir) as session:
        session.unlock(DEMO_PASSPHRASE)
        session.bundles.set_office_key(session.bundles.office())  # unchanged
        session.bundles.today = lambda: TODAY
        [notice] = [n for n in session.notices.all() if n.get("from_office")]
        people = session.notices.audience(notice["id"])
        session.notices.relay(notice["id"], [p.id for p in people], "wechat_group", TODAY)
        path = export(session, tmp_path / "bundles")

    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", OFFICE_PASSPHRASE)
    assert run(capsys, *office, "import", str(path))[0] == 0
    status, out, _ = run(capsys, *office, "status", "--json", "--date", TODAY.isoformat())
    [entry] = orjson.loads(out)["notices"]
    assert entry["number"] == "院党组〔2020〕3号" and entry["due"] == "2026-11-25"
    cs = entry["branches"]["CS01"]
    assert cs["expected"] == cs["relayed"] == len(people) and cs["received"] is True
    assert list(entry["branches"]) == ["CS01"]
    status, out, _ = run(capsys, "--lang", "zh-CN", *office, "notices")
    assert "院党组〔2020〕3号" in out and f"{len(people)}/{len(people)}" in out
    assert "MA02" in out  # the task not yet received there

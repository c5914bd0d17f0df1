"""The roster's headless commands: roster import/export, list roster, demo."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from fixtures_app import PASSPHRASE, chinese, id_number, person, session, vault_dir  # noqa: F401  (fixtures)

from branchtool.cli import main
from branchtool.session import Session
from storage.vault import Vault


@pytest.fixture
def env(session: Session, vault_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Session:
    """A vault with two people, closed, that the commands find and unlock."""
    session.roster.add(person("张三", id_number=id_number(), stage="member", category="staff"))
    session.roster.add(person("李四"))
    session.lock()
    monkeypatch.setenv("BRANCHTOOL_HOME", str(vault_dir))
    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", PASSPHRASE)
    return session


def sheet(path: Path) -> Path:
    book = openpyxl.Workbook()
    for row in (["姓名", "身份证号码", "人员类别", "政治面貌", "党小组"],
                ["王五", id_number(order=55), "学生", "团员", "学生党小组"],
                ["赵六", "110105194912310021", "学生", "团员", None],
                ["张三", id_number(), "教工", "正式党员", "教工党小组"]):
        book.active.append(row)
    book.save(path)
    return path


def names(session: Session) -> set[str]:
    session.unlock(PASSPHRASE)
    try:
        return {p["name"] for p in session.roster.people()}
    finally:
        session.lock()


def test_import_dry_run_reports_and_writes_nothing(env: Session, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["roster", "import", str(sheet(tmp_path / "a.xlsx")), "--dry-run"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == \
        "检查完成（未写入）：可新增 1 人；已在花名册中 1 人（将跳过）；有问题 1 行。"
    assert err.strip() == "第 3 行：身份证号校验位不对，请核对每一位"
    assert names(env) == {"张三", "李四"}


def test_import_writes_and_updates_on_request(env: Session, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = sheet(tmp_path / "a.xlsx")
    assert main(["roster", "import", str(path), "--update"]) == 0
    assert "新增 1 人，更新 1 人，跳过 0 人，问题行 1 行" in capsys.readouterr().out
    assert names(env) == {"张三", "李四", "王五"}
    # Everything is already there now: nothing could be imported, which is an error.
    assert main(["roster", "import", str(path)]) == 1
    assert "没有可导入的人员" in capsys.readouterr().err


def test_import_with_a_mapping_and_defaults(env: Session, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "class.csv"
    path.write_text("学生,电话\n周七,13800138000\n", encoding="utf-8-sig")
    assert main(["roster", "import", str(path), "--map", "1=姓名", "--map", "电话=phone",
                 "--default", "人员类别=学生", "--default", "stage=league"]) == 0
    assert names(env) == {"张三", "李四", "周七"}
    assert main(["roster", "import", str(path), "--map", "9=name"]) == 1
    assert "没有“9”列" in capsys.readouterr().err
    assert main(["roster", "import", str(path), "--default", "颜色=红"]) == 1
    assert "没有名为“颜色”的字段" in capsys.readouterr().err


def test_import_in_english(env: Session, tmp_path: Path,
                           capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lang", "en", "roster", "import", str(sheet(tmp_path / "a.xlsx")),
                 "--dry-run"]) == 0
    out, err = capsys.readouterr()
    assert "1 new; 1 already on the roster (would be skipped); 1 rows with problems" in out
    assert err.strip() == "row 3: ID number has a wrong check digit; check every digit"


def test_export_and_list(env: Session, tmp_path: Path,
                         capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out.xlsx"
    assert main(["roster", "export", str(target)]) == 0
    assert "已导出 2 人" in capsys.readouterr().out
    assert openpyxl.load_workbook(target).active.max_row == 3

    assert main(["list", "roster", "--json"]) == 0
    people = json.loads(capsys.readouterr().out)
    assert [p["name"] for p in people] == ["李四", "张三"]
    assert people[1]["stage"] == "member" and people[1]["id"]

    assert main(["list", "roster"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["姓名", "性别"] and lines[2].startswith("张三")


def test_list_roster_obeys_the_redaction(env: Session,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """``list roster --json`` shows the ID number on the secretary's own
    machine (the default, said in --help) and withholds it, the phone and the
    address at ``standard``, as a standard bundle does; ``counts`` names nobody."""
    assert main(["list", "roster", "--json"]) == 0
    full = {p["name"]: p for p in json.loads(capsys.readouterr().out)}
    assert full["张三"]["id_number"] == id_number()
    assert main(["list", "roster", "--json", "--redaction", "standard"]) == 0
    standard = json.loads(capsys.readouterr().out)
    assert [p["name"] for p in standard] == ["李四", "张三"]
    for withheld in ("id_number", "phone", "address", "notes"):
        assert all(withheld not in p for p in standard)
    assert id_number() not in json.dumps(standard)
    assert main(["list", "roster", "--redaction", "standard"]) == 0
    table = capsys.readouterr().out
    assert "张三" in table and id_number() not in table and "身份证" not in table
    assert main(["list", "roster", "--json", "--redaction", "counts"]) == 0
    assert json.loads(capsys.readouterr().out) == {"count": 2}
    with pytest.raises(SystemExit):
        main(["list", "roster", "--help"])
    assert "full" in capsys.readouterr().out


def test_demo_builds_reopens_and_refuses_a_real_vault(tmp_path: Path, env: Session,
                                                      vault_dir: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "demo"
    args = ["--data-dir", str(target), "demo", "--people", "25", "--days", "2", "--no-open"]
    assert main(args) == 0
    assert "口令：demo" in capsys.readouterr().out
    assert Vault.read_info(target)["info"]["demo"] is True
    demo = Session(target)
    demo.unlock("demo")
    assert len(demo.roster) == 25
    demo.lock()
    assert main(args) == 0
    assert "打开已有的演示保险库" in capsys.readouterr().out
    assert main(["--data-dir", str(vault_dir), "demo", "--no-open"]) == 1
    assert "真实的保险库" in capsys.readouterr().err

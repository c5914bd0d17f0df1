"""The command line's tables and progress bars (issue 15): sized by display
width, fitted to the terminal by column priority, bars only on a terminal,
no colour under NO_COLOR, control characters spelled out, ``--json`` as it was."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from fixtures_app import PASSPHRASE, id_number, person, session, vault_dir  # noqa: F401
from rich.cells import cell_len

from branchtool.cli import main
from branchtool.cli.output import fit
from branchtool.session import Session
from tests.ptykit import NO_PTY_REASON, POSIX_PTY, run_in_pty

COLOUR = re.compile(rb"\x1b\[[0-9;]*(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")


@pytest.fixture
def env(session: Session, vault_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    session.roster.add(person("欧阳长名字", id_number=id_number(), stage="member",
                              category="staff", unit="计算机科学与技术学院办公室"))
    session.roster.add(person("Li\x1b[31mred", stage="member"))
    session.roster.add(person("李四"))
    session.lock()
    monkeypatch.setenv("BRANCHTOOL_HOME", str(vault_dir))
    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", PASSPHRASE)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return vault_dir


def test_a_piped_table_lines_columns_up_by_display_width(
        env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "roster"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert "\x1b" not in captured.out  # not a terminal: no styles
    assert "Li\\u001b[31mred" in captured.out  # the escape spelled out, never obeyed
    # every column starts at the same display column on every line
    header = lines[0]
    for label in list(re.finditer(r"\S+(?: \S+)*", header))[1:]:
        start = cell_len(header[:label.start()])
        for line in lines[1:]:
            width, index = 0, 0
            while width < start and index < len(line):
                width, index = width + cell_len(line[index]), index + 1
            assert width == start and line[index - 1] == " ", (label.group(), line)
    assert "计算机科学与技术学院办公室" in captured.out  # a pipe cuts nothing
    assert captured.err == ""  # no bar, no note


def test_json_is_the_stored_values(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "roster", "--json"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out  # JSON escapes it
    rows = json.loads(out)
    assert {r["name"] for r in rows} == {"欧阳长名字", "Li\x1b[31mred", "李四"}
    assert all("id" in r and "created_at" in r for r in rows)


def test_fit_keeps_the_highest_priority_columns() -> None:
    assert fit([8, 4, 18, 11], [100, 40, 10, 30], room=30, gap=3) == [0, 1]
    assert fit([8, 4, 18, 11], [100, 40, 10, 30], room=33, gap=3) == [0, 1, 3]
    assert fit([90, 4], [100, 40], room=30, gap=3) == [1]
    assert fit([90], [100], room=30, gap=3) == [0]  # never nothing


def test_no_bar_when_not_a_terminal(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lang", "en", "vault", "check"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out.startswith("OK")


@pytest.mark.skipif(not POSIX_PTY, reason=NO_PTY_REASON)
def test_in_a_terminal_the_table_fits_and_the_bar_shows(
        env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = run_in_pty([sys.executable, "-m", "branchtool", "--lang", "en", "list",
                            "roster"], PASSPHRASE)
    assert code == 0
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.decode())
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[0].split()[0] == "Name"
    assert all(cell_len(line.rstrip()) <= 80 for line in lines)
    assert "欧阳长名字" in text and "Li\\u001b[31m" in text  # spelled out, never obeyed
    assert "\x1b[31m" not in out.decode()
    assert "more columns" in text  # what did not fit is said, not silently dropped
    assert b"\x1b[1m" in out  # the header is bold on a terminal
    code, out = run_in_pty([sys.executable, "-m", "branchtool", "--lang", "en", "vault",
                            "check"], PASSPHRASE)
    assert code == 0 and b"Checking the vault" in out and b"steps" in out
    assert COLOUR.search(out)
    monkeypatch.setenv("NO_COLOR", "1")
    code, out = run_in_pty([sys.executable, "-m", "branchtool", "--lang", "en", "vault",
                            "check"], PASSPHRASE)
    assert code == 0 and b"Checking the vault" in out
    assert not COLOUR.search(out)

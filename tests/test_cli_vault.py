"""The headless vault commands: init, passwd, keys show, vault check/restore."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from branchtool.cli import main
from storage.vault import Vault

PW = "cli passphrase 1"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "vault"
    monkeypatch.setenv("BRANCHTOOL_HOME", str(home))
    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", PW)
    monkeypatch.delenv("BRANCHTOOL_NEW_PASSPHRASE", raising=False)
    return home


def test_init_keys_check(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lang", "en", "init", "--branch-code", "cs01", "--branch-name", "CS 1"]) == 0
    assert Vault.exists(env)
    capsys.readouterr()
    assert main(["--lang", "en", "keys", "show"]) == 0
    out = capsys.readouterr().out
    assert "age1" in out and "Fingerprint" in out
    assert main(["--lang", "en", "vault", "check"]) == 0
    assert "OK" in capsys.readouterr().out
    assert main(["--lang", "en", "init", "--branch-code", "cs01", "--branch-name", "x"]) == 1
    assert "already a vault" in capsys.readouterr().err


def test_wrong_passphrase_is_one_line_and_nonzero(env: Path) -> None:
    assert main(["init", "--branch-code", "cs01", "--branch-name", "x"]) == 0
    done = subprocess.run(
        [sys.executable, "-m", "branchtool", "--lang", "en", "vault", "check"],
        env={**_env(env), "BRANCHTOOL_PASSPHRASE": "wrong one"},
        capture_output=True, text=True, encoding="utf-8", check=False)
    assert done.returncode != 0
    assert done.stderr.strip() == "Error: The passphrase is wrong."
    done = subprocess.run(
        [sys.executable, "-m", "branchtool", "vault", "check"],
        env={**_env(env), "BRANCHTOOL_PASSPHRASE": "wrong one"},
        capture_output=True, text=True, encoding="utf-8", check=False)
    assert done.stderr.strip() == "错误：口令不正确。"


def _env(home: Path) -> dict[str, str]:
    import os

    return {**os.environ, "BRANCHTOOL_HOME": str(home), "PYTHONIOENCODING": "utf-8"}


def test_passwd(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["init", "--branch-code", "cs01", "--branch-name", "x"]) == 0
    monkeypatch.setenv("BRANCHTOOL_NEW_PASSPHRASE", "short")
    assert main(["passwd"]) == 1
    monkeypatch.setenv("BRANCHTOOL_NEW_PASSPHRASE", "the new passphrase")
    assert main(["passwd"]) == 0
    assert main(["vault", "check"]) == 2
    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", "the new passphrase")
    assert main(["vault", "check"]) == 0


def test_check_reports_tampering_and_offers_backup(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", "--branch-code", "cs01", "--branch-name", "x"]) == 0
    with Vault.open(env, PW) as vault:
        vault.partition("roster").insert({"n": 1})
        vault.compact()
        vault.partition("roster").insert({"n": 2})
    snapshot = next((env / "data").glob("roster.*.snap.age"))
    data = bytearray(snapshot.read_bytes())
    data[len(data) // 2] ^= 1
    snapshot.write_bytes(bytes(data))
    capsys.readouterr()
    assert main(["--lang", "en", "vault", "check"]) == 2
    err = capsys.readouterr().err
    assert f"data/{snapshot.name}" in err and "vault restore" in err
    assert main(["--lang", "en", "vault", "restore"]) == 0
    assert main(["vault", "check"]) == 0


def test_passphrase_file(env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["init", "--branch-code", "cs01", "--branch-name", "x"]) == 0
    monkeypatch.delenv("BRANCHTOOL_PASSPHRASE")
    secret = tmp_path / "pw.txt"
    secret.write_text(PW + "\n", encoding="utf-8")
    assert main(["--passphrase-file", str(secret), "vault", "check"]) == 0

"""The vault: create, unlock, lock, passphrase change, one writer, tampering."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
from pathlib import Path

import pytest

from storage import age, minisign
from storage.errors import VaultBusy, VaultCorrupt, VaultExists, WrongPassphrase
from storage.vault import Vault
from tests.ptykit import run_in_pty

PW = "correct horse battery"


@pytest.fixture
def vault_path(tmp_path: Path) -> Path:
    path = tmp_path / "vault"
    Vault.create(path, PW, info={"branch_code": "cs01", "branch_name": "计算机系第一党支部"},
                 work_factor=10).close()
    return path


def test_layout_and_public_info(vault_path: Path) -> None:
    names = {p.name for p in vault_path.iterdir()}
    assert {"vault.json", "identity.age", "signing.age", "data", "backups"} <= names
    info = Vault.read_info(vault_path)
    assert info["kind"] == "branch" and info["info"]["branch_code"] == "cs01"
    assert info["recipient"].startswith("age1")
    assert minisign.key_id(info["signing_public_key"]) == info["signing_key_id"]


def test_open_wrong_passphrase_and_close(vault_path: Path) -> None:
    with pytest.raises(WrongPassphrase):
        Vault.open(vault_path, "not the passphrase")
    vault = Vault.open(vault_path, PW)
    rid = vault.partition("roster").insert({"name": "张三"})
    signature = vault.sign(b"hello", "trusted")
    assert minisign.verify(b"hello", signature, vault.signing_public_key) == "trusted"
    vault.close()
    assert not vault.is_open
    with pytest.raises(Exception, match="vault_closed"):
        _ = vault.identity
    with Vault.open(vault_path, PW) as again:
        assert again.partition("roster").get(rid)["name"] == "张三"


def test_create_refuses_existing_vault(vault_path: Path) -> None:
    with pytest.raises(VaultExists):
        Vault.create(vault_path, PW, work_factor=10)


def test_change_passphrase_rewrites_only_identity(vault_path: Path) -> None:
    vault = Vault.open(vault_path, PW)
    vault.partition("roster").insert({"n": 1})
    vault.close()
    before = {p: p.read_bytes() for p in vault_path.rglob("*") if p.is_file()}
    vault = Vault.open(vault_path, PW)
    vault.change_passphrase("a brand new passphrase", work_factor=10)
    vault.close(compact=False)
    after = {p: p.read_bytes() for p in vault_path.rglob("*") if p.is_file()}
    changed = {p.name for p in before if before[p] != after.get(p)}
    assert changed <= {"identity.age", "lock"}
    assert "identity.age" in changed
    with pytest.raises(WrongPassphrase):
        Vault.open(vault_path, PW)
    with Vault.open(vault_path, "a brand new passphrase") as vault:
        assert len(vault.partition("roster")) == 1


def _hold(path: str, ready, release) -> None:  # runs in another process
    vault = Vault.open(Path(path), PW)
    ready.set()
    release.wait(30)
    vault.close()


def test_one_writer_names_the_holder_and_dead_locks_are_taken_over(vault_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_hold, args=(str(vault_path), ready, release))
    proc.start()
    try:
        assert ready.wait(60)
        with pytest.raises(VaultBusy) as err:
            Vault.open(vault_path, PW)
        assert err.value.params["pid"] == proc.pid
        with pytest.raises(VaultBusy):
            Vault.open(vault_path, PW)
    finally:
        proc.kill()  # dies holding the lock
        proc.join()
    Vault.open(vault_path, PW).close()


@pytest.mark.parametrize("name", ["identity.age", "signing.age", "vault.json"])
def test_flipped_byte_in_key_files(vault_path: Path, name: str) -> None:
    target = vault_path / name
    original = target.read_bytes()
    for position in (len(original) // 3, len(original) - 2):
        data = bytearray(original)
        data[position] ^= 0x01
        target.write_bytes(bytes(data))
        with pytest.raises((VaultCorrupt, WrongPassphrase)) as err:
            Vault.open(vault_path, PW)
        if isinstance(err.value, VaultCorrupt):
            assert err.value.params["file"] == name
        target.write_bytes(original)
    Vault.open(vault_path, PW).close()


def test_swapped_recipient_in_vault_json(vault_path: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    Vault.create(other, PW, work_factor=10).close()
    (vault_path / "vault.json").write_bytes((other / "vault.json").read_bytes())
    with pytest.raises(VaultCorrupt) as err:
        Vault.open(vault_path, PW)
    assert err.value.params["file"] == "vault.json"


def test_backup_restore(vault_path: Path) -> None:
    vault = Vault.open(vault_path, PW)
    roster = vault.partition("roster")
    roster.insert({"n": 1})
    vault.compact()
    roster.insert({"n": 2})
    vault.compact()  # the backup holds the state with one record plus its journal
    vault.close()
    snapshot = next((vault_path / "data").glob("roster.*.snap.age"))
    snapshot.write_bytes(b"garbage")
    with pytest.raises(VaultCorrupt):
        Vault.open(vault_path, PW).partition("roster")
    aside = Vault.restore(vault_path)
    assert aside.is_dir()
    with Vault.open(vault_path, PW) as vault:
        assert sorted(d["n"] for d in vault.partition("roster").all()) == [1, 2]
        assert vault.check() == []


def test_no_plaintext_on_disk(vault_path: Path, tmp_path: Path) -> None:
    secrets = ["王晓明", "110101199003077777", "13912345678", "北京市海淀区学院路37号"]
    vault = Vault.open(vault_path, PW)
    vault.partition("roster").insert(
        {"name": secrets[0], "id_number": secrets[1], "phone": secrets[2], "address": secrets[3]})
    vault.partition("roster").insert({"name": secrets[0] + "二"})
    vault.close(compact=False)
    vault = Vault.open(vault_path, PW)
    vault.compact()
    vault.partition("roster").insert({"name": secrets[0] + "三"})
    vault.close(compact=False)
    needles = [s.encode() for s in secrets] + [PW.encode()]
    for path in vault_path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for needle in needles:
                assert needle not in data, f"{needle!r} found in {path.name}"


def test_reference_age_opens_identity_and_every_snapshot(
    vault_path: Path, tmp_path: Path, age_bin: str
) -> None:
    vault = Vault.open(vault_path, PW)
    vault.partition("roster").insert({"name": "李四"})
    vault.partition("checkins/2026-11").insert({"t": 36.6})
    vault.close()
    key_file = tmp_path / "identity.txt"
    status, out = run_in_pty(
        [age_bin, "-d", "-o", str(key_file), str(vault_path / "identity.age")], PW)
    assert status == 0, out
    assert key_file.read_text().strip().splitlines()[-1].startswith("AGE-SECRET-KEY-1")
    snapshots = sorted((vault_path / "data").glob("*.snap.age"))
    assert {p.name.split(".")[0] for p in snapshots} >= {"roster", "checkins@2026-11"}
    for snap in [*snapshots, vault_path / "data" / "state.age", vault_path / "signing.age"]:
        done = subprocess.run([age_bin, "-d", "-i", str(key_file), str(snap)],
                              capture_output=True, check=False)
        assert done.returncode == 0, done.stderr
    roster = next(p for p in snapshots if p.name.startswith("roster."))
    plain = subprocess.run([age_bin, "-d", "-i", str(key_file), str(roster)],
                           capture_output=True, check=True).stdout
    assert "李四".encode() in plain
    os.remove(key_file)


def test_identity_file_is_standard(vault_path: Path) -> None:
    text = age.decrypt_with_passphrase((vault_path / "identity.age").read_bytes(), PW).decode()
    identity = text.strip().splitlines()[-1]
    assert age.identity_to_recipient(identity) == Vault.read_info(vault_path)["recipient"]

"""The vault: create, unlock, lock, passphrase change, one writer, tampering."""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from storage import age, minisign
from storage.errors import VaultBusy, VaultCorrupt, VaultExists, WriteFailed, WrongPassphrase
from storage.fsio import FileIO
from storage.vault import Vault
from tests.ptykit import NO_PTY_REASON, POSIX_PTY, run_in_pty
from tests.storekit import FaultyIO

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


@pytest.mark.skipif(not POSIX_PTY, reason=NO_PTY_REASON)
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
    packed = subprocess.run([age_bin, "-d", "-i", str(key_file), str(roster)],
                            capture_output=True, check=True).stdout
    zstd = shutil.which("zstd")
    if zstd is None:
        pytest.skip("the reference zstd binary is not installed")
    plain = subprocess.run([zstd, "-d", "-c"], input=packed, capture_output=True,
                           check=True).stdout  # docs/formats.md: age -d | zstd -d
    snap = json.loads(plain)
    assert [d["name"] for d in snap["docs"]] == ["李四"]
    os.remove(key_file)


def test_identity_file_is_standard(vault_path: Path) -> None:
    text = age.decrypt_with_passphrase((vault_path / "identity.age").read_bytes(), PW).decode()
    identity = text.strip().splitlines()[-1]
    assert age.identity_to_recipient(identity) == Vault.read_info(vault_path)["recipient"]


# -- signing-key rotation: crash-safe, exactly one key at every instant -------------------
ROTATIONS = "key_rotations"


class Crash(BaseException):
    """The process dies here: this and every later file operation never happen."""


class CrashIO(FileIO):
    """Counts every file operation once ``armed``; at operation number ``at``
    it "crashes" before it (or right after it, with ``after``), and from then
    on every operation raises ``Crash`` as a dead process would do nothing."""

    def __init__(self, at: int, after: bool) -> None:
        self.at, self.after, self.count = at, after, 0
        self.armed = self.dead = False

    def _step(self, op: Any, *args: Any) -> Any:
        if self.dead:
            raise Crash
        if not self.armed:
            return op(*args)
        number, self.count = self.count, self.count + 1
        if number == self.at and not self.after:
            self.dead = True
            raise Crash
        result = op(*args)
        if number == self.at:
            self.dead = True
            raise Crash
        return result

    def write_atomic(self, path: Path, data: bytes) -> None:
        self._step(super().write_atomic, path, data)

    def replace(self, src: Path, dst: Path) -> None:
        self._step(super().replace, src, dst)

    def unlink(self, path: Path) -> None:
        self._step(super().unlink, path)

    def append(self, handle: Any, data: bytes) -> None:
        self._step(super().append, handle, data)

    def fsync(self, handle: Any) -> None:
        self._step(super().fsync, handle)

    def fsync_dir(self, folder: Path) -> None:
        self._step(super().fsync_dir, folder)


def keep_in_store(vault: Vault, seen: list[str]) -> Any:
    """A rotation hook like the branch's: a record signed by both keys, kept in
    the store before the commit."""
    def hook(new_public: str, sign_old: Any, sign_new: Any) -> None:
        seen.append(new_public)
        vault.partition(ROTATIONS).insert({"new": new_public,
                                           "old_sig": sign_old(b"s", "old"),
                                           "new_sig": sign_new(b"s", "new")})
    return hook


def assert_one_consistent_key(path: Path, old: str, new: str | None) -> str:
    """The vault opens with the old or the new key (never neither), the key
    files agree with vault.json, and a kept record exists for a new key."""
    with Vault.open(path, PW) as vault:
        assert not (path / "signing.next.age").exists()
        current = vault.signing_public_key
        assert current in {old, new}
        assert minisign.verify(b"x", vault.sign(b"x", "t"), current) == "t"
        assert vault.partition("roster").find(n=1)  # the data is all there
        kept = [d["new"] for d in vault.partition(ROTATIONS).all()]
        if current == old:
            assert vault.previous_signing_keys == []
        else:
            assert [k["public_key"] for k in vault.previous_signing_keys] == [old]
            assert new in kept  # the statement is never lost
            for doc in vault.partition(ROTATIONS).all():
                minisign.verify(b"s", doc["old_sig"], old)
                minisign.verify(b"s", doc["new_sig"], new)
    with Vault.open(path, PW) as again:  # and it stays that way
        assert again.signing_public_key == current
        assert not (path / "signing.next.age").exists()
    return current


@pytest.mark.parametrize("after", [False, True], ids=["before", "after"])
def test_rotation_crash_at_each_file_operation(vault_path: Path, tmp_path: Path,
                                               after: bool) -> None:
    with Vault.open(vault_path, PW) as vault:
        vault.partition("roster").insert({"n": 1})
    old = Vault.read_info(vault_path)["signing_public_key"]
    outcomes = []
    for at in range(60):
        path = tmp_path / f"crash-{after}-{at}"
        shutil.copytree(vault_path, path)
        io = CrashIO(at, after)
        vault = Vault.open(path, PW, io=io)
        seen: list[str] = []
        io.armed = True
        try:
            vault.rotate_signing_key(keep_in_store(vault, seen))
        except Crash:
            vault._lock.release()  # the process died: the OS drops its lock
            outcomes.append(assert_one_consistent_key(path, old, seen[0] if seen else None))
            continue
        io.armed = False
        vault.close()
        assert io.count == at  # every operation got its crash
        assert assert_one_consistent_key(path, old, seen[0]) == seen[0]
        break
    else:
        pytest.fail("the rotation never finished")
    # crashes came both before and after the commit point
    assert old in outcomes and any(o != old for o in outcomes)


@pytest.mark.parametrize("fail", ["write_atomic", "append", "fsync"])
def test_rotation_failed_write_changes_nothing(vault_path: Path, fail: str) -> None:
    with Vault.open(vault_path, PW) as vault:
        vault.partition("roster").insert({"n": 1})
    keys_before = {n: (vault_path / n).read_bytes() for n in ("vault.json", "signing.age")}
    io = FaultyIO()
    vault = Vault.open(vault_path, PW, io=io)
    old = vault.signing_public_key
    seen: list[str] = []
    io.fail = fail
    with pytest.raises(WriteFailed):
        vault.rotate_signing_key(keep_in_store(vault, seen))
    assert vault.signing_public_key == old
    assert minisign.verify(b"x", vault.sign(b"x", "t"), old) == "t"
    assert {n: (vault_path / n).read_bytes() for n in keys_before} == keys_before
    assert not (vault_path / "signing.next.age").exists()
    io.fail = None
    new = vault.rotate_signing_key(keep_in_store(vault, seen))  # works once the fault is gone
    assert minisign.verify(b"x", vault.sign(b"x", "t"), new) == "t"
    vault.close()
    assert assert_one_consistent_key(vault_path, old, new) == new


def test_rotation_fails_on_the_second_file_write_changes_nothing(vault_path: Path) -> None:
    """vault.json (the commit) refused after signing.next.age was written."""

    class FailVaultJson(FileIO):
        def write_atomic(self, path: Path, data: bytes) -> None:
            if path.name == "vault.json":
                raise OSError(errno.EIO, "I/O error")
            super().write_atomic(path, data)

    with Vault.open(vault_path, PW) as vault:
        vault.partition("roster").insert({"n": 1})
    vault = Vault.open(vault_path, PW, io=FailVaultJson())
    old = vault.signing_public_key
    with pytest.raises(WriteFailed):
        vault.rotate_signing_key(keep_in_store(vault, []))
    assert vault.signing_public_key == old and vault.previous_signing_keys == []
    assert not (vault_path / "signing.next.age").exists()
    vault.close()
    assert assert_one_consistent_key(vault_path, old, None) == old


def test_rotation_whose_last_rename_failed_is_finished(vault_path: Path) -> None:
    """After the commit only the rename is left: open (or the next rotation) does it."""

    class FailRename(FileIO):
        broken = True

        def replace(self, src: Path, dst: Path) -> None:
            if self.broken and src.name == "signing.next.age":
                raise OSError(errno.EIO, "I/O error")
            super().replace(src, dst)

    with Vault.open(vault_path, PW) as vault:
        vault.partition("roster").insert({"n": 1})
    io = FailRename()
    vault = Vault.open(vault_path, PW, io=io)
    old = vault.signing_public_key
    new = vault.rotate_signing_key()
    assert vault.signing_public_key == new and (vault_path / "signing.next.age").exists()
    io.broken = False
    newer = vault.rotate_signing_key()  # settles the first rename, then rotates again
    assert [k["public_key"] for k in vault.previous_signing_keys] == [new, old]
    assert vault.signing_public_keys == [newer, new, old]
    io.broken = True
    vault.close()
    with Vault.open(vault_path, PW) as again:
        assert again.signing_public_key == newer
    assert not (vault_path / "signing.next.age").exists()
    # an undone rotation's leftover (a foreign key in signing.next.age) is removed at open
    other = tmp_key_file = vault_path / "signing.next.age"
    with Vault.open(vault_path, PW) as again:
        secret, _ = minisign.generate_keypair()
        tmp_key_file.write_bytes(age.encrypt(secret.to_text().encode(), [again.recipient]))
    with Vault.open(vault_path, PW) as again:
        assert again.signing_public_key == newer
    assert not other.exists()


def test_rotation_key_files_that_disagree_are_refused(vault_path: Path) -> None:
    """vault.json naming a key held by no key file is corruption, as before."""
    with Vault.open(vault_path, PW) as vault:
        secret, _ = minisign.generate_keypair()
        (vault_path / "signing.next.age").write_bytes(
            age.encrypt(secret.to_text().encode(), [vault.recipient]))
        doc = Vault.read_info(vault_path)
        _, doc["signing_public_key"] = minisign.generate_keypair()
        (vault_path / "vault.json").write_bytes(orjson.dumps(doc))
    with pytest.raises(VaultCorrupt) as err:
        Vault.open(vault_path, PW)
    assert err.value.params["file"] == "vault.json"


def test_an_info_change_during_a_rotation_waits_and_both_land(vault_path: Path) -> None:
    """In the app the rotation runs in a worker while the main thread may save
    settings: vault.json is rewritten whole, so the second write waits for the
    first instead of putting the old key back."""
    import threading

    waiting: list[threading.Thread] = []

    def hook(new_public: str, sign_old: Any, sign_new: Any) -> None:
        other = threading.Thread(target=vault.update_info, kwargs={"ui": {"theme": "x"}})
        other.start()
        other.join(0.2)
        assert other.is_alive()  # held until the rotation has committed
        waiting.append(other)

    with Vault.open(vault_path, PW) as vault:
        new = vault.rotate_signing_key(hook)
        waiting[0].join()
        assert vault.signing_public_key == new
    doc = Vault.read_info(vault_path)
    assert doc["signing_public_key"] == new and doc["info"]["ui"] == {"theme": "x"}
    with Vault.open(vault_path, PW) as again:
        assert again.signing_public_key == new


@pytest.mark.skipif(sys.platform == "win32", reason="forks and sends SIGKILL (POSIX only)")
def test_rotation_killed_at_random_instants(vault_path: Path) -> None:
    """SIGKILL a process rotating again and again: each reopen has one key,
    the last acknowledged or the one in flight."""
    from tests.crashkit import kill_at_random

    with Vault.open(vault_path, PW) as vault:
        vault.partition("roster").insert({"n": 1})

    def child(say: Any) -> None:
        vault = Vault.open(vault_path, PW)
        while True:
            say("intent", None)

            def hook(new_public: str, sign_old: Any, sign_new: Any) -> None:
                vault.partition(ROTATIONS).insert({"new": new_public})
                say("pending", new_public)

            say("ack", vault.rotate_signing_key(hook))

    rng = random.Random(5)
    current = Vault.read_info(vault_path)["signing_public_key"]
    for _ in range(30):  # a rotation takes about 5 ms: kill within the next one or two
        messages = kill_at_random(child, rng, max_acks=2, max_delay=0.008)
        acked = [p for kind, p in messages if kind == "ack"]
        pending = [p for kind, p in messages if kind == "pending"]
        in_flight = pending[-1] if len(pending) > len(acked) else None
        if acked:
            current = acked[-1]
        with Vault.open(vault_path, PW) as vault:
            assert vault.signing_public_key in {current, in_flight}
            current = vault.signing_public_key
            assert minisign.verify(b"x", vault.sign(b"x", "t"), current) == "t"
            kept = {d["new"] for d in vault.partition(ROTATIONS).all()}
            assert set(vault.signing_public_keys[:-1]) <= kept
        assert not (vault_path / "signing.next.age").exists()

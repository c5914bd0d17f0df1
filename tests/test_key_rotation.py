"""A branch rotates its signing key (``branchtool keys rotate``): the office
applies the statement (``branchtool office trust rotate``) and accepts the
bundles signed with the new key, chain intact; without it, or with a forged
statement, it refuses them."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import orjson
import pytest

from branchtool import demo, i18n, keys_rotation
from branchtool.cli import main
from branchtool.errors import UserError
from branchtool.keyfiles import BRANCH_FORMAT, KeyFile
from branchtool.office.receipts import import_receipt_file
from branchtool.office.rotation import make_rotation, parse_rotation
from branchtool.office.service import OfficeService
from branchtool.session import Session
from storage import minisign
from storage.errors import VaultEdited, WriteFailed
from storage.vault import Vault
from tests.officekit import (
    OFFICE_PASSPHRASE,
    TODAY,
    TZ,
    Clock,
    enrol,
    export,
    keep_language,  # noqa: F401  (an autouse fixture)
    make_branch,
    make_office,
)
from tests.storekit import FaultyIO

ROOT = Path(__file__).resolve().parent.parent


def use(monkeypatch: pytest.MonkeyPatch, vault: Path, secret: str) -> None:
    monkeypatch.setenv("BRANCHTOOL_HOME", str(vault))
    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", secret)


class World:
    """One office and one enrolled branch that has sent bundle 1; each side
    is locked and unlocked as its user would (the CLI needs the vault free)."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.usb = tmp_path / "usb"
        self.clock = Clock()
        self.office = make_office(tmp_path / "office", self.clock)
        self.branch = make_branch(tmp_path / "a", "A1", "第一党支部", self.office, people=6,
                                  days=2)
        enrol(self.office, self.branch)
        self.first_key = self.branch.bundles.branch_key()
        [first] = self.office.import_paths([export(self.branch, self.usb)])
        assert (first.verdict, first.sequence) == ("accepted", 1)

    # -- the office ------------------------------------------------------------------
    def office_closed(self) -> Path:
        if self.office.vault.is_open:
            self.office.vault.close()
        return self.office.vault.path

    def office_open(self) -> OfficeService:
        if not self.office.vault.is_open:
            vault = Vault.open(self.office.vault.path, OFFICE_PASSPHRASE)
            self.office = OfficeService(vault, now=self.clock, tz=TZ)
        return self.office

    def office_import(self, path: Path) -> tuple[str, str | None, int | None, list[int]]:
        [result] = self.office_open().import_paths([path])
        return result.verdict, result.reason, result.sequence, result.missing

    # -- the branch ------------------------------------------------------------------
    def branch_closed(self) -> Path:
        if self.branch.unlocked:
            self.branch.lock()
        return self.branch.path

    def branch_open(self) -> Session:
        if not self.branch.unlocked:
            self.branch.unlock(demo.PASSPHRASE)
            self.branch.bundles.today = lambda: TODAY
        return self.branch

    def close(self) -> None:
        self.branch_closed()
        self.office_closed()


@pytest.fixture
def world(tmp_path: Path) -> World:
    made = World(tmp_path)
    yield made
    made.close()


def rotate_by_cli(world: World, monkeypatch: pytest.MonkeyPatch, out: Path,
                  *extra: str) -> int:
    use(monkeypatch, world.branch_closed(), demo.PASSPHRASE)
    return main(["--lang", "en", "keys", "rotate", "--out", str(out), *extra])


def trust_by_cli(world: World, monkeypatch: pytest.MonkeyPatch, statement: Path) -> int:
    use(monkeypatch, world.office_closed(), OFFICE_PASSPHRASE)
    return main(["--lang", "en", "office", "trust", "rotate", str(statement), "--yes"])


def test_rotate_then_the_office_applies_it_and_accepts_the_next_bundle(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    statement = world.tmp / "A1-rotation.json"
    assert rotate_by_cli(world, monkeypatch, statement, "--yes") == 0
    out = capsys.readouterr().out
    branch = world.branch_open()
    new_key = branch.bundles.branch_key()
    assert new_key.fingerprint != world.first_key.fingerprint
    assert new_key.recipient == world.first_key.recipient  # the age identity stays
    assert new_key.fingerprint in out and "office trust rotate A1-rotation.json" in out
    assert branch.vault.previous_signing_keys[0]["public_key"] == \
        world.first_key.minisign_public_key
    # the branch still opens what it sent before the rotation (signed by the old key)
    [first] = sorted(world.usb.glob("*.bundle.age"))
    assert branch.bundles.open_sent(first)["signer_key_id"] == world.first_key.key_id
    # bundle 2 is signed with the new key ...
    second = export(branch, world.usb, day=TODAY + dt.timedelta(days=1))
    sent = branch.bundles.open_sent(second)
    assert sent["signer_key_id"] == new_key.key_id
    # ... which the office does not trust until it applies the statement
    assert world.office_import(second)[:2] == ("rejected", "untrusted")
    assert trust_by_cli(world, monkeypatch, statement) == 0
    assert new_key.fingerprint in capsys.readouterr().out
    assert world.office_import(second) == ("accepted", None, 2, [])  # the chain holds
    office = world.office_open()
    assert [e["event"] for e in office.trust.log()] == ["enrol", "rotate"]
    # the rotated vault reopens with the new key, and bundle 3 goes through too
    world.branch_closed()
    branch = world.branch_open()
    assert branch.vault.signing_public_key == new_key.minisign_public_key
    third = export(branch, world.usb, day=TODAY + dt.timedelta(days=2))
    assert world.office_import(third) == ("accepted", None, 3, [])
    # receipts do not depend on the branch's key: bundles signed by either key are confirmed
    receipts = world.tmp / "receipts"
    receipts.mkdir()
    [receipt] = world.office_open().write_receipts(receipts)
    result = import_receipt_file(branch, receipt)
    assert (sorted(result.marked), result.mismatched) == ([1, 2, 3], [])


def test_the_statement_is_kept_and_written_again(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    statement = world.tmp / "A1-rotation.json"
    assert rotate_by_cli(world, monkeypatch, statement, "--yes") == 0
    capsys.readouterr()
    assert main(["--lang", "en", "keys", "rotation"]) == 0
    [row] = capsys.readouterr().out.splitlines()
    assert row.startswith("1. ") and world.first_key.fingerprint in row
    again = world.tmp / "again.json"
    assert main(["--lang", "en", "keys", "rotation", "--out", str(again)]) == 0
    assert again.read_bytes() == statement.read_bytes()
    assert main(["--lang", "en", "keys", "rotation", "--out", str(again),
                 "--number", "2"]) == 1
    assert "no rotation number 2" in capsys.readouterr().err
    # the kept copy is in the encrypted store, not in plaintext anywhere in the vault
    fingerprint = parse_rotation(statement.read_bytes()).new_key.fingerprint.encode()
    for path in world.branch.path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"branchtool-key-rotation" not in data and fingerprint not in data, path


def test_a_restore_of_data_from_before_the_rotation_keeps_the_statement(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``vault restore`` puts back only ``data/``: the sealed copy in vault.json
    (committed with the new key) still gives the statement."""
    vault_path = world.branch_closed()
    with Vault.open(vault_path, demo.PASSPHRASE) as vault:
        vault.compact()  # a backup set from before the rotation
    statement = world.tmp / "A1-rotation.json"
    assert rotate_by_cli(world, monkeypatch, statement, "--yes") == 0
    doc = orjson.loads((vault_path / "vault.json").read_bytes())
    sealed = doc["previous_signing_keys"][0]["rotation"]
    assert b"branchtool-key-rotation" not in sealed.encode()  # encrypted to the vault
    before = Vault.backups(vault_path)[-1].name
    Vault.restore(vault_path, before)
    with Vault.open(vault_path, demo.PASSPHRASE) as vault:
        assert vault.partition(keys_rotation.PARTITION).all() == []  # the store's copy is gone
        [kept] = keys_rotation.rotations(vault)
        assert kept["new_fingerprint"] == parse_rotation(
            statement.read_bytes()).new_key.fingerprint
        assert keys_rotation.statement(vault) == statement.read_bytes()
    # the sealed copy is under vault.json's MAC: an edit to it is refused
    doc["previous_signing_keys"][0]["rotation"] = "bm90IGFnZQ=="
    (vault_path / "vault.json").write_bytes(orjson.dumps(doc))
    with pytest.raises(VaultEdited):
        Vault.open(vault_path, demo.PASSPHRASE)


def test_two_rotations_before_the_office_applies_them(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = world.tmp / "r1.json", world.tmp / "r2.json"
    assert rotate_by_cli(world, monkeypatch, first, "--yes") == 0
    assert rotate_by_cli(world, monkeypatch, second, "--yes") == 0
    bundle = export(world.branch_open(), world.usb, day=TODAY + dt.timedelta(days=1))
    assert trust_by_cli(world, monkeypatch, second) == 1  # out of order: not over the current key
    assert world.office_import(bundle)[:2] == ("rejected", "untrusted")
    assert trust_by_cli(world, monkeypatch, first) == 0
    assert world.office_import(bundle)[:2] == ("rejected", "untrusted")
    assert trust_by_cli(world, monkeypatch, second) == 0
    assert world.office_import(bundle) == ("accepted", None, 2, [])


def test_a_tampered_or_foreign_statement_is_refused(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    statement = world.tmp / "A1-rotation.json"
    assert rotate_by_cli(world, monkeypatch, statement, "--yes") == 0
    outer = orjson.loads(statement.read_bytes())
    inner = orjson.loads(outer["statement"])
    stranger, stranger_pub = minisign.generate_keypair()
    # 1. the statement altered to name another new key: neither signature holds
    tampered = world.tmp / "tampered.json"
    inner_bad = {**inner, "new_key": {**inner["new_key"], "minisign_public_key": stranger_pub}}
    tampered.write_bytes(orjson.dumps(
        {**outer, "statement": orjson.dumps(inner_bad, option=orjson.OPT_SORT_KEYS).decode()}))
    # 2. a statement made by someone holding another old key (not the branch's)
    foreign = world.tmp / "foreign.json"
    new_secret, new_pub = minisign.generate_keypair()
    key = KeyFile(BRANCH_FORMAT, "第一党支部", world.first_key.recipient, new_pub, code="A1")
    foreign.write_bytes(make_rotation(
        "A1", "第一党支部", world.first_key.fingerprint, key, "2026-11-21T00:00:00.000Z",
        lambda d, c: minisign.sign(d, stranger, c), lambda d, c: minisign.sign(d, new_secret, c)))
    # 3. a byte flipped in a signature
    flipped = world.tmp / "flipped.json"
    sig = outer["signature"].splitlines()
    sig[1] = sig[1][:40] + ("A" if sig[1][40] != "A" else "B") + sig[1][41:]
    flipped.write_bytes(orjson.dumps({**outer, "signature": "\n".join(sig) + "\n"}))
    capsys.readouterr()
    for path in (tampered, foreign, flipped):
        assert trust_by_cli(world, monkeypatch, path) == 1
        assert capsys.readouterr().err.strip() == "Error: " + i18n.t(
            "office.rotation.bad_signature")
    bundle = export(world.branch_open(), world.usb, day=TODAY + dt.timedelta(days=1))
    assert world.office_import(bundle)[:2] == ("rejected", "untrusted")
    assert [e["event"] for e in world.office_open().trust.log()] == ["enrol"]


def test_minisign_verifies_the_statement_by_hand(world: World, monkeypatch: pytest.MonkeyPatch,
                                                 minisign_bin: str) -> None:
    statement = world.tmp / "A1-rotation.json"
    assert rotate_by_cli(world, monkeypatch, statement, "--yes") == 0
    outer = orjson.loads(statement.read_bytes())
    new_pub = orjson.loads(outer["statement"])["new_key"]["minisign_public_key"]
    work = world.tmp / "by-hand"
    work.mkdir()
    (work / "s.json").write_text(outer["statement"], encoding="utf-8")
    (work / "old.pub").write_text(world.first_key.minisign_public_key, encoding="utf-8")
    (work / "new.pub").write_text(new_pub, encoding="utf-8")
    for field, pub in (("signature", "old.pub"), ("new_signature", "new.pub")):
        (work / "s.json.minisig").write_text(outer[field], encoding="utf-8", newline="")
        done = subprocess.run([minisign_bin, "-V", "-H", "-m", "s.json", "-p", pub], cwd=work,
                              capture_output=True, text=True, check=False, timeout=30)
        assert done.returncode == 0, done.stderr
        assert "branchtool key rotation branch=A1" in done.stdout
    done = subprocess.run([minisign_bin, "-V", "-m", "s.json", "-p", "old.pub"], cwd=work,
                          capture_output=True, text=True, check=False, timeout=30)
    assert done.returncode != 0  # the new key's signature does not pass for the old key


# -- refusals: one sentence, nothing changed -------------------------------------------------
def vault_files(path: Path) -> dict[str, bytes]:
    return {name: (path / name).read_bytes() for name in ("vault.json", "signing.age")}


def test_refusals_change_nothing(world: World, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = world.branch_closed()
    before = vault_files(path)
    capsys.readouterr()
    # no confirmation (no terminal here, no --yes)
    assert rotate_by_cli(world, monkeypatch, world.tmp / "r.json") == 1
    assert capsys.readouterr().err.strip() == \
        "Error: Confirmation is needed: add --yes, or run in a terminal."
    # nowhere to write the statement
    assert rotate_by_cli(world, monkeypatch, world.tmp / "no" / "r.json", "--yes") == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nothing was changed" in err[0]
    # an office vault does not rotate this way
    office = world.office_closed()
    office_before = vault_files(office)
    use(monkeypatch, office, OFFICE_PASSPHRASE)
    assert main(["--lang", "en", "keys", "rotate", "--out", str(world.tmp / "o.json"),
                 "--yes"]) == 1
    assert "Only a branch vault" in capsys.readouterr().err
    assert vault_files(office) == office_before
    # nothing to write again yet
    use(monkeypatch, path, demo.PASSPHRASE)
    assert main(["--lang", "en", "keys", "rotation", "--out", str(world.tmp / "x.json")]) == 1
    assert "has not rotated" in capsys.readouterr().err
    assert vault_files(path) == before
    assert not any(world.tmp.glob("*.json"))


def test_a_statement_not_written_can_be_written_again(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from branchtool.cli import vault_cmds

    out = world.tmp / "r.json"
    real = vault_cmds.DEFAULT_IO.write_atomic

    def refuse(path: Path, data: bytes) -> None:
        if path == out:
            raise OSError(28, "No space left on device")
        real(path, data)

    monkeypatch.setattr(vault_cmds.DEFAULT_IO, "write_atomic", refuse)
    assert rotate_by_cli(world, monkeypatch, out, "--yes") == 1
    err = capsys.readouterr().err
    assert "was replaced" in err and "keys rotation --out" in err
    monkeypatch.undo()
    use(monkeypatch, world.branch.path, demo.PASSPHRASE)
    assert main(["--lang", "en", "keys", "rotation", "--out", str(out)]) == 0
    rotation = parse_rotation(out.read_bytes())
    assert rotation.new_key.fingerprint == world.branch_open().bundles.branch_key().fingerprint


def test_a_failed_store_write_keeps_the_old_key_and_no_statement(world: World) -> None:
    path = world.branch_closed()
    before = vault_files(path)
    io = FaultyIO()
    vault = Vault.open(path, demo.PASSPHRASE, io=io)
    try:
        io.fail = "append"  # the statement cannot be kept: the rotation does not happen
        with pytest.raises(WriteFailed):
            keys_rotation.rotate(vault)
        assert vault.signing_public_key == world.first_key.minisign_public_key
        assert keys_rotation.rotations(vault) == []
        with pytest.raises(UserError) as err:
            keys_rotation.statement(vault)
        assert err.value.key == "keys.rotation.none"
    finally:
        io.fail = None
        vault.close()
    assert vault_files(path) == before
    assert not (path / "signing.next.age").exists()


def test_both_catalogs_hold_every_key_of_the_rotation_code() -> None:
    from tests.test_i18n import _literal_keys

    used = set()
    for name in ("branchtool/keys_rotation.py", "branchtool/cli/vault_cmds.py"):
        used |= _literal_keys(ROOT / name)
    used |= {"keys.yes_words"}
    for lang in i18n.LANGUAGES:
        assert sorted(k for k in used if k not in i18n.catalog(lang)) == [], lang
    zh = orjson.loads((ROOT / "branchtool/locales/zh-CN/keys.json").read_bytes())
    en = orjson.loads((ROOT / "branchtool/locales/en/keys.json").read_bytes())
    assert set(zh) == set(en)

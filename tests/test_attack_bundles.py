"""Issue 13, the bundle side of the trust boundary: files handed to the office
(and back) built the way an attacker would build them.

- finding 3: nothing unsigned is parsed — a real 128 MiB unsigned
  ``[[],[],…]`` sealed to the office's public recipient, imported in a
  subprocess whose peak memory is measured; a signed value bomb is refused
  before parsing;
- finding 4: an age header of hundreds of thousands of stanzas is refused
  before any is unwrapped;
- finding 5: a tar hiding a second bundle.json behind a corrupt header (which
  GNU tar extracts) is refused;
- finding 6: the office cannot confirm a guess of a withheld field from the
  history, and a bundle shows only the history of the kinds it carries;
- finding 10: a signed roster ``name`` that is a list is refused, naming the
  kind, record and field;
- finding 12: legacy (``Ed``) signatures are refused on bundles, receipts and
  rotation statements.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from branchtool.bundles import format as fmt
from branchtool.errors import UserError
from branchtool.keyfiles import BRANCH_FORMAT, KeyFile
from branchtool.office import receipts, rotation
from branchtool.period import Period
from branchtool.records.fields import Kind
from branchtool.records.person import PERSON
from storage import age, minisign
from storage.records import canonical_json, sha256_hex
from tests.fuzz.minisign_fuzz import legacy_signature
from tests.make_hostile_bundles import (
    hidden_second_bundle,
    probe_import,
    write_bomb,
    write_header_bomb,
)
from tests.officekit import (
    OFFICE_PASSPHRASE,
    TODAY,
    Clock,
    enrol,
    export,
    make_branch,
    make_office,
)

ROOT = Path(__file__).resolve().parent.parent
MiB = 1 << 20
# the goal: no file costs the importer more than this beyond reading it
MEMORY_GOAL = 400 * MiB


@pytest.fixture
def world(tmp_path: Path) -> Iterator[dict]:
    clock = Clock()
    office = make_office(tmp_path / "office", clock)
    branch = make_branch(tmp_path / "branch", "A1", "第一党支部", office, people=12, days=2)
    enrol(office, branch)
    yield {"office": office, "branch": branch, "tmp": tmp_path}
    branch.lock()
    if office.vault.is_open:
        office.vault.close()


@pytest.mark.skipif(sys.platform != "linux", reason="peak memory read from Linux's rusage")
def test_a_128_mib_unsigned_bomb_costs_the_importer_little(world: dict) -> None:
    """The issue's attack: ``[[],[],…]`` of 128 MiB, sealed to the office's
    public recipient and "signed" by a stranger claiming to be A1, used to be
    decrypted, untarred and parsed (4.2 GB). Now it is refused at its
    signature, before parsing; a 32 MiB bomb really signed by A1 is refused
    from its count of values, also unparsed."""
    office, branch, tmp = world["office"], world["branch"], world["tmp"]
    recipient = office.vault.recipient
    stranger, _ = minisign.generate_keypair()
    unsigned = tmp / "A1-000002-20261120.bundle.age"
    write_bomb(unsigned, recipient, 128 * MiB, stranger)
    signed = tmp / "A1-000003-20261120.bundle.age"
    write_bomb(signed, recipient, 32 * MiB, branch.vault._signing)
    office.vault.close()
    [first] = probe_import(tmp / "office", OFFICE_PASSPHRASE, [unsigned])  # own processes
    [second] = probe_import(tmp / "office", OFFICE_PASSPHRASE, [signed])
    print(f"unsigned 128 MiB bomb: {first}\nsigned 32 MiB bomb: {second}")
    assert (first["verdict"], first["reason"]) == ("rejected", "untrusted")
    assert (second["verdict"], second["reason"]) == ("rejected", "too_many_values")
    assert first["growth"] < MEMORY_GOAL and second["growth"] < MEMORY_GOAL


def test_a_header_of_hundreds_of_thousands_of_stanzas_is_refused_unread(
        world: dict) -> None:
    """64 MiB of X25519 stanzas used to be unwrapped one by one (43 s, 700 MB)."""
    office, tmp = world["office"], world["tmp"]
    path = tmp / "A1-000002-20261120.bundle.age"
    count = write_header_bomb(path, 64 * MiB)
    assert count > 300_000
    [result] = office.import_paths([path])
    assert (result.verdict, result.reason) == ("rejected", "header_too_large")


def test_a_second_bundle_json_hidden_behind_a_corrupt_header_is_refused(
        world: dict) -> None:
    """What GNU tar extracts by hand must be what the office checked: a tar
    whose two members are followed by a header block with a bad checksum and
    a second bundle.json is refused (GNU tar skips the bad block and
    extracts the second over the first)."""
    office, branch, tmp = world["office"], world["branch"], world["tmp"]
    sent = export(branch, tmp / "sent")
    json_bytes, signature = fmt.unpack(age.decrypt(sent.read_bytes(), [branch.vault.identity]))
    forged = json_bytes.replace("第一党支部".encode(), "伪造的支部".encode())
    tar = hidden_second_bundle(json_bytes, signature, forged)
    if shutil.which("tar"):  # the attack is real: by hand, the forged file comes out
        (tmp / "by-hand").mkdir()
        (tmp / "by-hand" / "x.tar").write_bytes(tar)
        subprocess.run(["tar", "-xf", "x.tar"], cwd=tmp / "by-hand", capture_output=True)
        assert (tmp / "by-hand" / fmt.JSON_NAME).read_bytes() == forged
    path = tmp / "usb" / sent.name
    path.parent.mkdir()
    path.write_bytes(age.encrypt(tar, [office.vault.recipient]))
    [result] = office.import_paths([path])
    assert (result.verdict, result.reason) == ("rejected", "tar_trailing")
    assert office.branches()[0].get("last") is None  # nothing was accepted


def _id_candidates(true_id: str) -> list[str]:
    """What an office clerk would try: the same birth date and region, every
    order number and check digit (the true one among them)."""
    from branchtool.records import checks

    out = []
    for order in range(1000):
        first17 = true_id[:14] + f"{order:03d}"
        out.append(first17 + checks.id_check_digit(first17))
    assert true_id in out
    return out


def test_the_office_cannot_confirm_a_guess_of_a_withheld_id_number(world: dict) -> None:
    office, branch, tmp = world["office"], world["branch"], world["tmp"]
    withheld = [f.key for f in PERSON.fields if f.redact == "standard"]
    assert "id_number" in withheld
    person = next(p for p in branch.vault.partition("roster").all() if p.get("id_number"))
    sent = export(branch, tmp / "sent", redaction="standard")
    doc = branch.bundles.open_sent(sent)
    [shown] = [r for r in doc["data"]["roster"] if r["id"] == person["id"]]
    assert "id_number" not in shown
    entries = [e for e in doc["history"]["entries"] if e.get("record") == person["id"]]
    target = entries[-1]["hash"]
    # the clerk rebuilds the record from what the bundle shows plus guesses
    guessed = 0
    for candidate in _id_candidates(person["id_number"]):
        record = {**shown, **{k: person[k] for k in withheld if k != "id_number"},
                  "id_number": candidate}
        if sha256_hex(canonical_json(record)) == target:
            guessed += 1
    assert guessed == 0, "a withheld ID number was confirmed from the history"
    # and the branch's own vault still checks its history
    assert branch.vault.check() == []
    del office


def test_a_roster_only_bundle_shows_no_other_history(world: dict) -> None:
    """Today's care-case activity stays home when only the roster is sent."""
    branch, tmp = world["branch"], world["tmp"]
    assert any(n.startswith("care") for n in branch.vault.partitions())
    usb = tmp / "usb"
    usb.mkdir()
    path = branch.bundles.export(usb, Period(TODAY, TODAY), "standard", content=["roster"]).path
    entries = branch.bundles.open_sent(path)["history"]["entries"]
    full = [e for e in entries if "partition" in e]
    assert full and {e["partition"] for e in full} == {"roster"}
    links = [e for e in entries if "partition" not in e]
    assert links and all(set(e) == {"seq", "prev", "entry"} for e in links)
    [result] = world["office"].import_paths([path])
    assert result.verdict == "accepted"  # the office follows the chain through links


def test_a_signed_roster_name_that_is_a_list_is_refused(world: dict) -> None:
    office, branch, tmp = world["office"], world["branch"], world["tmp"]
    sent = export(branch, tmp / "sent")
    doc = branch.bundles.open_sent(sent)
    record = doc["data"]["roster"][0]
    record["name"] = ["张三", "李四"]
    data = fmt.encode(doc)
    signature = branch.vault.sign(data, fmt.trusted_comment(doc, sha256_hex(data)))
    path = tmp / "usb" / sent.name
    path.parent.mkdir()
    path.write_bytes(age.encrypt(fmt.pack(data, signature, 0), [office.vault.recipient]))
    [result] = office.import_paths([path])
    assert (result.verdict, result.reason) == ("rejected", "record_type")
    assert result.params == {"kind": "roster", "record": record["id"], "field": "name"}
    text = result.message()
    assert "roster" in text and record["id"] in text and "name" in text
    assert office.branches()[0].get("last") is None
    # every field the roster's definition declares is text: the check covers them
    assert all(f.kind in set(Kind) for f in PERSON.fields)


# -- finding 12: ED only ---------------------------------------------------------------------
def test_a_bundle_with_a_legacy_signature_is_refused(world: dict) -> None:
    office, branch, tmp = world["office"], world["branch"], world["tmp"]
    sent = export(branch, tmp / "sent")
    json_bytes, signature = fmt.unpack(age.decrypt(sent.read_bytes(), [branch.vault.identity]))
    comment = minisign.parse_signature(signature).trusted_comment
    legacy = legacy_signature(bytes(json_bytes), branch.vault._signing, comment)
    path = tmp / "usb" / sent.name
    path.parent.mkdir()
    path.write_bytes(age.encrypt(fmt.pack(json_bytes, legacy, 0), [office.vault.recipient]))
    [result] = office.import_paths([path])
    assert (result.verdict, result.reason) == ("rejected", "legacy_signature")


def test_a_receipt_with_a_legacy_signature_is_refused(world: dict) -> None:
    office, branch, tmp = world["office"], world["branch"], world["tmp"]
    [accepted] = office.import_paths([export(branch, tmp / "sent")])
    assert accepted.verdict == "accepted"
    (tmp / "receipts").mkdir()
    [written] = office.write_receipts(tmp / "receipts")
    outer = orjson.loads(written.read_bytes())
    statement = outer["receipt"].encode()
    comment = minisign.parse_signature(outer["signature"]).trusted_comment
    outer["signature"] = legacy_signature(statement, office.vault._signing, comment)
    with pytest.raises(UserError) as caught:
        receipts.apply_receipt(branch, orjson.dumps(outer))
    assert caught.value.key == "receipt.signature"
    assert receipts.apply_receipt(branch, written.read_bytes()).marked == [1]  # genuine: fine


def test_a_rotation_statement_with_a_legacy_signature_is_refused(world: dict) -> None:
    branch = world["branch"]
    old_secret = branch.vault._signing
    new_secret, new_public = minisign.generate_keypair()
    new_key = KeyFile(BRANCH_FORMAT, "第一党支部", branch.vault.recipient, new_public, code="A1")
    old_key = branch.bundles.branch_key()
    data = rotation.make_rotation(
        "A1", "第一党支部", old_key.fingerprint, new_key, "2026-11-20T08:00:00Z",
        lambda d, c: legacy_signature(d, old_secret, c),
        lambda d, c: minisign.sign(d, new_secret, c))
    parsed = rotation.parse_rotation(data)
    with pytest.raises(UserError) as caught:
        rotation.verify_rotation(parsed, old_key.minisign_public_key)
    assert caught.value.key == "office.rotation.bad_signature"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_named_like_a_bundle_or_key_file_is_refused_without_waiting(
        world: dict) -> None:
    """A stick may hold a FIFO (or a link to a device) under a bundle's or a
    key file's name: reading it would wait forever (or read forever)."""
    import threading

    from branchtool.keyfiles import read_key_file

    office, tmp = world["office"], world["tmp"]
    usb = tmp / "usb"
    usb.mkdir()
    fifo = usb / "A1-000002-20261120.bundle.age"
    os.mkfifo(fifo)
    key_fifo = usb / "C3.pub"
    os.mkfifo(key_fifo)
    device = usb / "A1-000003-20261120.bundle.age"
    device.symlink_to("/dev/zero")
    results: dict[str, object] = {}

    def read_all() -> None:
        results["bundles"] = office.import_paths([fifo, device])
        try:
            read_key_file(key_fifo, BRANCH_FORMAT)
        except UserError as exc:
            results["key"] = exc.key

    worker = threading.Thread(target=read_all, daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "reading a FIFO blocked"
    assert [(r.verdict, r.reason) for r in results["bundles"]] == [  # type: ignore[attr-defined]
        ("rejected", "unreadable"), ("rejected", "unreadable")]
    assert results["key"] == "keyfile.unreadable"

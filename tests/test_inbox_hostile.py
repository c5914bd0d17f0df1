"""Hostile inbox files on the branch's stick: each refused with its reason,
and nothing the branch holds changed (its store's head is where it was)."""

from __future__ import annotations

import hashlib
import io
import os
import shlex
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import pytest

from branchtool.bundles import container
from branchtool.bundles import format as bundle_format
from branchtool.inbox import format as fmt
from branchtool.inbox.receive import ACCEPTED, InboxService
from storage import age, minisign
from tests import inboxkit
from tests.fuzz.minisign_fuzz import legacy_signature


@pytest.fixture
def loop(tmp_path: Path):  # type: ignore[no-untyped-def]
    loop = inboxkit.build(tmp_path, people=6)
    inboxkit.compose(loop)
    yield loop
    inboxkit.close(loop)


def _doc(loop: inboxkit.Loop, code: str = "CS01") -> dict[str, Any]:
    branch = loop.office.trust.get(code)
    assert branch is not None
    return loop.outbox._doc(branch, [i for i in loop.outbox.items()])


def _tar(members: list[tuple[str, bytes, bytes]]) -> bytes:
    """A tar of (name, type, data) members."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, kind, data in members:
            info = tarfile.TarInfo(name)
            info.type = kind
            info.size = len(data) if kind == tarfile.REGTYPE else 0
            if kind == tarfile.SYMTYPE:
                info.linkname = "/etc/passwd"
            tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
    return out.getvalue()


def craft(loop: inboxkit.Loop, doc: dict[str, Any], *, signer: Any = None,
          json_bytes: bytes | None = None, members: Any = None,
          recipient: str | None = None, name: str = "DW-to-CS01-000001.inbox.age") -> Path:
    data = fmt.encode(doc)
    comment = fmt.trusted_comment(doc, hashlib.sha256(data).hexdigest())
    signature = signer(data, comment) if signer else loop.office.vault.sign(data, comment)
    data = json_bytes if json_bytes is not None else data
    tar = _tar(members(data, signature)) if members else bundle_format.pack(
        data, signature, 0, fmt.NAMES)
    path = loop.root / "hostile" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(age.encrypt(tar, [recipient or loop.a.vault.recipient]))
    return path


def refused(loop: inboxkit.Loop, path: Path) -> str:
    head = loop.a.vault.store.head
    notices = len(loop.a.notices.all())
    [result] = InboxService(loop.a).import_paths([path])
    assert result.verdict == "rejected"
    assert result.message()  # one sentence from the catalog
    assert not result.message().startswith("inbox.reject.")
    assert loop.a.vault.store.head == head
    assert len(loop.a.notices.all()) == notices
    assert result.reason is not None
    return result.reason


def test_a_good_crafted_file_is_accepted(loop) -> None:
    """A bare tar inside age, as written before issue 19, is read as ever."""
    path = craft(loop, _doc(loop))
    [result] = InboxService(loop.a).import_paths([path])
    assert result.verdict == ACCEPTED and result.notices == 1 and result.tasks == 1


def test_what_the_office_sends_is_compressed(loop) -> None:
    [sent] = loop.outbox.send(loop.stick, ["CS01"])
    plain = age.decrypt(sent.path.read_bytes(), [loop.a.vault.identity])
    assert plain[:4] == container.MAGIC
    [result] = InboxService(loop.a).import_paths([sent.path])
    assert result.verdict == ACCEPTED


def _sealed(loop: inboxkit.Loop, plain: bytes) -> Path:
    path = loop.root / "hostile" / "DW-to-CS01-000001.inbox.age"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(age.encrypt(plain, [loop.a.vault.recipient]))
    return path


def test_hostile_zstd_frames(loop) -> None:
    """The bundle's hostile frames, in an inbox file: bounded by the inbox's
    own 16 MiB, each one sentence, nothing changed."""
    from tests.make_hostile_bundles import restated, skippable, zeros_frame

    [sent] = loop.outbox.send(loop.stick, ["CS01"])
    tar = bytes(container.inflate(age.decrypt(sent.path.read_bytes(),
                                              [loop.a.vault.identity]), fmt.MAX_TAR))
    frame = container.seal(tar)
    sent.path.unlink()
    cases = {
        "bomb": (zeros_frame(tar, 64 << 20, content_size=False), "content_too_large"),
        "bomb-stated": (zeros_frame(tar, 64 << 20, content_size=True), "content_too_large"),
        "lying-size": (restated(frame, len(tar) - 512), "damaged"),
        "cut-short": (frame[:-50], "damaged"),
        "two-frames": (frame + frame, "damaged"),
        "skippable": (frame + skippable(tar), "damaged"),
    }
    for name, (plain, reason) in cases.items():
        assert (name, refused(loop, _sealed(loop, plain))) == (name, reason)
    [result] = InboxService(loop.a).import_paths([_sealed(loop, frame)])
    assert result.verdict == ACCEPTED  # the genuine frame, after all of them


def test_flipped_byte(loop) -> None:
    [sent] = loop.outbox.send(loop.stick, ["CS01"])
    original = sent.path.read_bytes()
    blob = bytearray(original)
    blob[original.index(b"\n--- ") - 5] ^= 0x01  # inside the header: its MAC fails
    sent.path.write_bytes(bytes(blob))
    assert refused(loop, sent.path) == "damaged"
    blob = bytearray(original)
    blob[-100] ^= 0x01  # in the payload: the last (short) chunk fails, as a cut copy would
    sent.path.write_bytes(bytes(blob))
    assert refused(loop, sent.path) in ("damaged", "truncated")


def test_truncated(loop) -> None:
    [sent] = loop.outbox.send(loop.stick, ["CS01"])
    sent.path.write_bytes(sent.path.read_bytes()[:-40])
    assert refused(loop, sent.path) == "truncated"


def test_not_age(loop) -> None:
    path = loop.stick / "DW-to-CS01-000001.inbox.age"
    path.write_bytes(b"PK\x03\x04 this is a zip, not an inbox file" * 20)
    assert refused(loop, path) == "not_age"


def test_empty_file(loop) -> None:
    path = loop.stick / "DW-to-CS01-000001.inbox.age"
    path.write_bytes(b"")
    assert refused(loop, path) in ("not_age", "truncated")


def test_third_member(loop) -> None:
    path = craft(loop, _doc(loop), members=lambda data, sig: [
        (fmt.JSON_NAME, tarfile.REGTYPE, data), (fmt.SIG_NAME, tarfile.REGTYPE, sig.encode()),
        ("extra.json", tarfile.REGTYPE, b"{}")])
    assert refused(loop, path) == "tar_members"


def test_path_traversal(loop) -> None:
    path = craft(loop, _doc(loop), members=lambda data, sig: [
        ("../inbox.json", tarfile.REGTYPE, data), (fmt.SIG_NAME, tarfile.REGTYPE, sig.encode())])
    assert refused(loop, path) == "tar_path"


def test_a_link_inside_the_tar(loop) -> None:
    path = craft(loop, _doc(loop), members=lambda data, sig: [
        (fmt.JSON_NAME, tarfile.SYMTYPE, b""), (fmt.SIG_NAME, tarfile.REGTYPE, sig.encode())])
    assert refused(loop, path) == "tar_type"


def test_a_bundles_member_names_are_not_an_inbox_file(loop) -> None:
    path = craft(loop, _doc(loop), members=lambda data, sig: [
        (bundle_format.JSON_NAME, tarfile.REGTYPE, data),
        (bundle_format.SIG_NAME, tarfile.REGTYPE, sig.encode())])
    assert refused(loop, path) == "tar_path"


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_a_symlink_on_the_stick(loop) -> None:
    [sent] = loop.outbox.send(loop.stick, ["CS01"])
    link = loop.root / "link.inbox.age"
    link.symlink_to(sent.path)
    assert refused(loop, link) == "link"
    folder = loop.root / "linkdir"
    folder.mkdir()
    (folder / "DW-to-CS01-000001.inbox.age").symlink_to(sent.path)
    assert refused(loop, folder) == "link"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_named_like_an_inbox_file(loop) -> None:
    path = loop.stick / "DW-to-CS01-000001.inbox.age"
    os.mkfifo(path)
    assert refused(loop, path) == "unreadable"


def test_altered_json(loop) -> None:
    doc = _doc(loop)
    altered = fmt.encode(doc).replace("关于做好".encode(), "关于取消".encode())
    path = craft(loop, doc, json_bytes=altered)
    assert refused(loop, path) == "signature"


def test_altered_json_with_its_comment_redone(loop) -> None:
    """An attacker who recomputes the trusted comment's SHA-256 still lacks the key."""
    doc = _doc(loop)
    doc["items"][0]["title"] = "伪造的通知"

    def forged(data: bytes, comment: str) -> str:
        honest = loop.office.vault.sign(b"something else", comment)
        return honest

    path = craft(loop, doc, signer=forged)
    assert refused(loop, path) == "signature"


def test_unknown_signer(loop) -> None:
    secret, _ = minisign.generate_keypair()
    path = craft(loop, _doc(loop), signer=lambda data, comment: minisign.sign(data, secret,
                                                                             comment))
    assert refused(loop, path) == "unknown_signer"


def test_legacy_signature(loop) -> None:
    secret, _ = minisign.generate_keypair()
    path = craft(loop, _doc(loop),
                 signer=lambda data, comment: legacy_signature(data, secret, comment))
    assert refused(loop, path) == "legacy_signature"


def test_for_another_branch(loop) -> None:
    """Signed by the office for MA02, but encrypted to CS01 (MA02's stick lent)."""
    doc = _doc(loop, "MA02")
    path = craft(loop, doc, name="DW-to-MA02-000001.inbox.age")
    assert refused(loop, path) == "other_branch"


def test_encrypted_to_another_branch(loop) -> None:
    loop.outbox.send(loop.stick, ["MA02"])
    assert refused(loop, loop.stick / "DW-to-MA02-000001.inbox.age") == "not_for_us"


def test_the_signed_recipient_must_be_ours(loop) -> None:
    doc = _doc(loop)
    doc["recipient"] = loop.b.vault.recipient
    assert refused(loop, craft(loop, doc)) == "other_branch"


def test_another_offices_key_named_in_the_signed_part(loop) -> None:
    doc = _doc(loop)
    doc["office"]["fingerprint"] = "0000-0000-0000-0000-0000-0000-0000-0000"
    assert refused(loop, craft(loop, doc)) == "other_office"


def test_schema_checked_after_the_signature(loop) -> None:
    doc = _doc(loop)
    [notice] = [i for i in doc["items"] if i["kind"] == "notice"]
    notice["ack"] = "yes"
    assert refused(loop, craft(loop, doc)) == "schema"
    doc = _doc(loop)
    doc["items"][0]["title"] = ["not", "text"]
    assert refused(loop, craft(loop, doc)) == "schema"


def test_replayed(loop) -> None:
    [sent] = loop.outbox.send(loop.stick, ["CS01"])
    copy = loop.root / "copy.inbox.age"
    copy.write_bytes(sent.path.read_bytes())
    [first] = InboxService(loop.a).import_paths([sent.path])
    assert first.verdict == ACCEPTED
    assert refused(loop, copy) == "replayed"


def test_rolled_back(loop) -> None:
    [first] = loop.outbox.send(loop.stick, ["CS01"])
    old = loop.root / "old.inbox.age"
    old.write_bytes(first.path.read_bytes())
    loop.outbox.add_notice(title="第二份通知", text="二", to=["CS01"])
    [second] = loop.outbox.send(loop.stick, ["CS01"])
    results = InboxService(loop.a).import_paths([second.path, first.path])
    assert [r.verdict for r in results] == [ACCEPTED, ACCEPTED]
    assert refused(loop, old) == "replayed"
    # a #1 the office never sent (signed, but not the one the chain holds)
    doc = _doc(loop)
    doc["sequence"], doc["previous_sha256"] = 1, None
    assert refused(loop, craft(loop, doc)) == "rollback"


def test_reordered(loop) -> None:
    loop.outbox.send(loop.stick, ["CS01"])
    loop.outbox.add_notice(title="第二份通知", text="二", to=["CS01"])
    [second] = loop.outbox.send(loop.stick, ["CS01"])
    assert refused(loop, second.path) == "out_of_order"


def test_chain_broken(loop) -> None:
    [first] = loop.outbox.send(loop.stick, ["CS01"])
    InboxService(loop.a).import_paths([first.path])
    doc = _doc(loop)
    doc["sequence"], doc["previous_sha256"] = 2, "0" * 64
    assert refused(loop, craft(loop, doc, name="DW-to-CS01-000002.inbox.age")) == "chain"


def test_too_large_is_not_decrypted(loop) -> None:
    path = loop.stick / "DW-to-CS01-000001.inbox.age"
    with path.open("wb") as handle:
        handle.truncate(fmt.MAX_FILE + 1)
    assert refused(loop, path) == "too_large"


def test_a_refused_file_leaves_the_next_good_one_importable(loop) -> None:
    [sent] = loop.outbox.send(loop.stick, ["CS01"])
    bad = loop.stick / "DW-to-CS01-000000.inbox.age"
    bad.write_bytes(b"garbage")
    results = InboxService(loop.a).import_paths([loop.stick])
    assert sorted(r.verdict for r in results) == [ACCEPTED, "rejected"]
    assert sent.path.exists() and bad.exists()  # nothing on the stick is deleted


@pytest.mark.interop
@pytest.mark.skipif(not Path("/bin/bash").exists(), reason="runs the shell's pipeline")
def test_reference_tools_open_and_verify(loop, age_bin: str, minisign_bin: str, zstd_bin: str,
                                         tar_bin: str) -> None:
    """As docs/formats.md says: ``age -d -i branch-key.txt X.inbox.age | zstd -d
    | tar x``, then ``minisign -Vm inbox.json -p office-minisign.pub``."""
    [sent] = loop.outbox.send(loop.stick, ["CS01"])
    key = loop.root / "branch-key.txt"
    key.write_text(loop.a.vault.identity + "\n")
    pub = loop.root / "office-minisign.pub"
    pub.write_text(loop.office.vault.signing_public_key)
    q = shlex.quote
    pipeline = (f"set -o pipefail; {q(age_bin)} -d -i {q(str(key))} {q(str(sent.path))}"
                f" | {q(zstd_bin)} -d | {q(tar_bin)}")
    listing = subprocess.run(f"{pipeline} tf -", shell=True, executable="/bin/bash",
                             capture_output=True, check=True).stdout.decode().split()
    assert listing == ["inbox.json", "inbox.json.minisig"]
    work = loop.root / "x"
    work.mkdir()
    subprocess.run(f"{pipeline} x", shell=True, executable="/bin/bash", cwd=work, check=True)
    done = subprocess.run([minisign_bin, "-Vm", "inbox.json", "-p", str(pub)], cwd=work,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "branchtool inbox office=DW branch=CS01 seq=1 sha256=" in done.stdout
    text = (work / "inbox.json").read_bytes()
    assert hashlib.sha256(text).hexdigest() in done.stdout
    assert "院党组〔2020〕3号".encode() in text

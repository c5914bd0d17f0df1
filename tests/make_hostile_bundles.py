"""Builds the folder of hostile bundles the office must refuse, and the office
and branches they are aimed at. Never edit its output by hand: run it.

    python tests/make_hostile_bundles.py OUT_DIR

(the tests run ``build`` into a temporary folder through a fixture). OUT_DIR
gets:

``office/``      an office vault (passphrase ``OFFICE_PASSPHRASE``) that already
                 enrolled branches A1 and B2 and imported ``baseline/``
``baseline/``    A1 sequences 1 and 3 (so 2 is missing) and B2 sequence 1
``hostile/``     one file per case; ``cases.json`` maps each file to the reason
                 the office must give
``next/``        A1 sequence 4, genuine: accepted after all the hostile ones
``hostile-zstd/`` issue 19: compressed bundles whose zstd frame is hostile
                 (a bomb, a lying size, cut short, two frames, a skippable
                 frame, a huge window, garbage); ``cases-zstd.json`` as above

Every hostile bundle is built from genuine ones, changed in exactly one way,
and re-signed where the case needs a valid signature, so that each reaches the
check it is aimed at. (The 300 MB string and the 128 MiB unsigned bomb are
made on the fly by their tests.)

Issue 13 added the shapes of its findings: an age header of a thousand
stanzas, a tar that hides a second bundle.json behind a corrupt header, a
legacy (non-prehashed) signature, nesting that is parsed only once signed, a
signed value bomb over the parse budget, and a signed roster name that is a
list.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import zstandard

from tests.fuzz.minisign_fuzz import legacy_signature

if __package__ in (None, ""):  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from branchtool.bundles import container
from branchtool.bundles import format as fmt
from branchtool.session import Session
from storage import age, minisign
from storage.records import sha256_hex
from tests.officekit import OFFICE_PASSPHRASE, Clock, enrol, export, make_branch, make_office

OVERSIZE = (256 << 20) + 1
Signer = Callable[[bytes, str], str]


def seal(doc: dict[str, Any], sign: Signer, recipients: list[str],
         compressed: bool = False) -> bytes:
    """bundle.json signed with ``sign``, tarred and encrypted; ``compressed``:
    like an export since issue 19 (a zstd frame), else a bare tar as before."""
    json_bytes = fmt.encode(doc)
    signature = sign(json_bytes, fmt.trusted_comment(doc, sha256_hex(json_bytes)))
    packed = (fmt.seal if compressed else fmt.pack)(json_bytes, signature, 0)
    return age.encrypt(packed, recipients)


def signed_comment(data: bytes, code: str = "A1", seq: int = 4,
                   day: str = "2026-11-20") -> str:
    """A trusted comment claiming ``data`` as bundle.json (for raw shapes)."""
    return (f"branchtool bundle branch={code} seq={seq} period={day}..{day} "
            f"sha256={sha256_hex(data)}")


def members_only(members: list[tuple[str, bytes, bytes]]) -> bytes:
    """The members' header and data blocks, without the end-of-archive zeros."""
    tar = tar_of(members)
    end = 0
    for _, _, data in members:
        end += 512 + -(-len(data) // 512) * 512
    return tar[:end]


def hidden_second_bundle(json_bytes: bytes, signature: str, other: bytes) -> bytes:
    """The two members, then a header block that fails its checksum, then a
    second tar with another bundle.json: branchtool used to stop at the bad
    block; GNU tar skips it ("Skipping to next header") and extracts the
    second bundle.json over the first."""
    first = members_only([(fmt.JSON_NAME, tarfile.REGTYPE, json_bytes),
                          (fmt.SIG_NAME, tarfile.REGTYPE, signature.encode())])
    return first + b"X" * 512 + tar_of([(fmt.JSON_NAME, tarfile.REGTYPE, other)])


def tar_of(members: list[tuple[str, bytes, bytes]]) -> bytes:
    """A tar of (name, type, data) members, types as in ``tarfile``."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, kind, data in members:
            info = tarfile.TarInfo(name)
            info.type = kind
            if kind == tarfile.SYMTYPE:
                info.linkname = "/etc/passwd"
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _opened(session: Session, path: Path) -> tuple[dict[str, Any], bytes, bytes, str]:
    """(doc, tar, json bytes, signature) of a bundle this branch wrote."""
    tar = bytes(container.inflate(age.decrypt(path.read_bytes(), [session.vault.identity]),
                                  fmt.MAX_TAR))
    json_bytes, signature = fmt.unpack_tar(tar)
    return fmt.decode(json_bytes), tar, json_bytes, signature


def _header_size(data: bytes) -> int:
    return data.index(b"\n", data.index(b"\n--- ") + 1) + 1


# -- bombs: built as streams (never whole in memory), imported in a subprocess -------
class _TarStream:
    """A tar of bundle.json (``head`` + ``piece`` * ``count`` + ``tail``) and
    its signature, read in pieces."""

    def __init__(self, head: bytes, piece: bytes, count: int, tail: bytes,
                 signature: str) -> None:
        size = len(head) + len(piece) * count + len(tail)
        json_info = tarfile.TarInfo(fmt.JSON_NAME)
        json_info.size = size
        sig = signature.encode()
        sig_info = tarfile.TarInfo(fmt.SIG_NAME)
        sig_info.size = len(sig)
        self.parts = iter([
            json_info.tobuf(tarfile.USTAR_FORMAT), head, *([piece] * count), tail,
            b"\0" * (-size % 512), sig_info.tobuf(tarfile.USTAR_FORMAT), sig,
            b"\0" * (-len(sig) % 512), b"\0" * 1024])
        self.buffer = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.buffer) < size:
            part = next(self.parts, None)
            if part is None:
                break
            self.buffer += part
        if size < 0:
            data, self.buffer = self.buffer, b""
        else:
            data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data


class _Pieces:
    def __init__(self, parts: list[bytes]) -> None:
        self.parts = iter(parts)

    def read(self, size: int = -1) -> bytes:
        return next(self.parts, b"")


def write_bomb(path: Path, recipient: str, size: int, signer: minisign.SecretKey,
               code: str = "A1", seq: int = 2) -> None:
    """A ``bundle.json`` of ``[[],[],…]`` about ``size`` bytes, signed by
    ``signer`` with a trusted comment claiming branch ``code``, tarred and
    sealed to ``recipient``, written to ``path`` in 192 KiB pieces."""
    piece = b"[]," * 65536
    head, tail, count = b"[", b"[]]", size // len(piece)
    sha = hashlib.sha256(head)
    for _ in range(count):
        sha.update(piece)
    sha.update(tail)
    comment = (f"branchtool bundle branch={code} seq={seq} period=2026-11-20..2026-11-20 "
               f"sha256={sha.hexdigest()}")
    signature = minisign.sign_stream(_Pieces([head, *([piece] * count), tail]),  # type: ignore[arg-type]
                                     signer, comment)
    with path.open("wb") as out:
        age.encrypt_stream(_TarStream(head, piece, count, tail, signature), out,  # type: ignore[arg-type]
                           [recipient])


def write_header_bomb(path: Path, size: int) -> int:
    """An age file whose header is ``size`` bytes of X25519 stanzas (random
    shares and bodies) then a MAC line and a short payload; returns the
    number of stanzas."""
    share = base64.b64encode(os.urandom(32)).rstrip(b"=")
    body = base64.b64encode(os.urandom(32)).rstrip(b"=")
    stanza = b"-> X25519 " + share + b"\n" + body + b"\n"
    count = size // len(stanza) // 4096 * 4096
    with path.open("wb") as out:
        out.write(b"age-encryption.org/v1\n")
        for _ in range(count // 4096):
            out.write(stanza * 4096)
        out.write(b"--- " + base64.b64encode(os.urandom(32)).rstrip(b"=") + b"\n")
        out.write(os.urandom(16 + 1024))
    return count


PROBE = textwrap.dedent("""
    import json, resource, sys, time
    sys.path.insert(0, sys.argv[1])
    from pathlib import Path
    from branchtool.office.service import OfficeService
    from storage.vault import Vault

    def status(field):  # this process's own figures (ru_maxrss would count the parent's)
        for line in open("/proc/self/status"):
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    # a runaway allocation must fail here, not take the machine with it
    resource.setrlimit(resource.RLIMIT_AS, (status("VmSize") + 3 * 1024 ** 3,) * 2)
    vault = Vault.open(Path(sys.argv[2]), sys.argv[3])
    office = OfficeService(vault)
    out = []
    for name in sys.argv[4:]:
        before = status("VmHWM")
        start = time.perf_counter()
        [result] = office.import_paths([Path(name)])
        out.append({"reason": result.reason, "verdict": result.verdict,
                    "seconds": round(time.perf_counter() - start, 3),
                    "peak_before": before, "growth": status("VmHWM") - before})
    vault.close()
    print(json.dumps(out))
""")


def probe_import(office_dir: Path, passphrase: str, files: list[Path]) -> list[dict[str, Any]]:
    """Import ``files`` one by one in a fresh process (Linux); each one's
    verdict, time and how far it raised the process's peak resident memory
    (VmHWM). The process may not allocate 3 GB more than it started with."""
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(root), str(office_dir), passphrase,
         *map(str, files)], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise AssertionError(done.stderr[-2000:])
    return orjson.loads(done.stdout.splitlines()[-1])


def restated(frame: bytes, size: int) -> bytes:
    """``frame`` with its header's content size rewritten to ``size`` (same
    field width): a frame that lies about what it holds (RFC 8878 3.1.1.1)."""
    fhd = frame[4]
    single = fhd >> 5 & 1
    width = (1 if single else 0, 2, 4, 8)[fhd >> 6]
    at = 5 + (0 if single else 1) + (0, 1, 2, 4)[fhd & 3]
    value = size - 256 if width == 2 else size
    return frame[:at] + value.to_bytes(width, "little") + frame[at + width:]


def zeros_frame(tar: bytes, total: int, content_size: bool) -> bytes:
    """One zstd frame of ``tar`` then zeros up to ``total`` bytes: what a tar
    reader would take for end-of-archive padding (a bomb: kilobytes on disk)."""
    compressor = zstandard.ZstdCompressor(level=3, write_content_size=content_size)
    chunks = compressor.compressobj(size=total if content_size else -1)
    out, zeros, left = [chunks.compress(tar)], bytes(1 << 20), total - len(tar)
    while left > 0:
        out.append(chunks.compress(zeros[:min(left, len(zeros))]))
        left -= len(zeros)
    out.append(chunks.flush())
    return b"".join(out)


def skippable(data: bytes) -> bytes:
    """A skippable frame holding ``data``: ``zstd -d`` passes over it."""
    return b"\x50\x2a\x4d\x18" + len(data).to_bytes(4, "little") + data


def zstd_cases(tar4: bytes, forged_tar: bytes, me: list[str]) -> dict[str, tuple[bytes, str]]:
    """Compressed bundles, genuine inside but for their frame, each refused."""
    frame = container.seal(tar4)
    huge = zstandard.ZstdCompressor(level=22, write_content_size=False).compressobj()
    wide = huge.compress(tar4) + huge.flush()  # a 128 MiB window
    cases = {
        "zstd-bomb": (zeros_frame(tar4, 1 << 30, content_size=False), "content_too_large"),
        "zstd-bomb-stated": (zeros_frame(tar4, 1 << 30, content_size=True), "content_too_large"),
        "zstd-lying-size-short": (restated(frame, len(tar4) - 512), "damaged"),
        "zstd-lying-size-long": (restated(frame, len(tar4) + 512), "damaged"),
        "zstd-truncated-frame": (frame[:-100], "damaged"),
        "zstd-two-frames": (frame + container.seal(forged_tar), "damaged"),
        "zstd-skippable-after": (frame + skippable(forged_tar), "damaged"),
        "zstd-skippable-first": (skippable(forged_tar) + frame, "damaged"),
        "zstd-huge-window": (wide, "damaged"),
        # random bytes after the magic, behind a frame header descriptor with
        # its reserved bit set (random ones may state a size over the bound:
        # content_too_large, a refusal too, but not the one this case tests)
        "zstd-garbage": (container.MAGIC + b"\x08" + os.urandom(4000), "damaged"),
    }
    return {name: (age.encrypt(plain, me), reason) for name, (plain, reason) in cases.items()}


def build(root: Path, clock: Clock | None = None) -> dict[str, str]:
    """Build everything into ``root``; returns {hostile file name: reason}."""
    clock = clock or Clock()
    root.mkdir(parents=True, exist_ok=True)
    office = make_office(root / "office", clock)
    other_identity, other_recipient = age.generate_identity()
    a = make_branch(root / "branch-a", "A1", "第一党支部", office, people=120, days=3, seed=11)
    b = make_branch(root / "branch-b", "B2", "第二党支部", office, people=30, days=3, seed=12)
    c = make_branch(root / "branch-c", "C3", "未登记支部", office, people=5, days=1, seed=13)
    enrol(office, a)
    enrol(office, b)
    sent = root / "sent"
    a_paths = []
    for n in range(4):
        if n:
            person = list(a.roster.people())[n]
            a.roster.edit(person.id, {"unit": f"corrected after bundle {n}"})
        a_paths.append(export(a, sent))
    b1, b2 = export(b, sent), export(b, sent)
    c1 = export(c, sent)
    baseline, hostile, nxt = root / "baseline", root / "hostile", root / "next"
    for folder in (baseline, hostile, nxt):
        folder.mkdir(exist_ok=True)
    for path in (a_paths[0], a_paths[2], b1):
        shutil.copy2(path, baseline / path.name)
    shutil.copy2(a_paths[3], nxt / a_paths[3].name)
    results = office.import_paths([baseline])
    assert [r.verdict for r in results] == ["accepted"] * 3, [r.to_json() for r in results]

    me = [office.vault.recipient]
    a4 = a_paths[3].read_bytes()
    doc4, tar4, json4, sig4 = _opened(a, a_paths[3])
    doc_b2 = _opened(b, b2)[0]
    doc3 = _opened(a, a_paths[2])[0]
    stranger, stranger_pub = minisign.generate_keypair()

    def sign_a(data: bytes, comment: str) -> str:
        return a.vault.sign(data, comment)

    def sign_stranger(data: bytes, comment: str) -> str:
        return minisign.sign(data, stranger, comment)

    def changed(doc: dict[str, Any], **fields: Any) -> dict[str, Any]:
        return {**orjson.loads(orjson.dumps(doc)), **fields}

    broken = changed(doc4)
    full = [e for e in broken["history"]["entries"] if "partition" in e]  # not links only
    full[0]["hash"] = "0" * 64
    listed_name = changed(doc4)
    listed_name["data"]["roster"][0]["name"] = ["张三", "李四"]
    deep = b"[" * 10_000 + b"]" * 10_000
    bomb = b"[" + b"[]," * 5_000_000 + b"[]]"  # 15 MB, 10 million values
    forged = fmt.encode(changed(doc4, branch={"code": "A1", "name": "伪造的支部"}))
    crowd = [age.generate_identity()[1] for _ in range(999)]
    secret = a.vault._signing  # the branch's own key, for a legacy-form signature
    legacy = legacy_signature(json4, secret, fmt.trusted_comment(doc4, sha256_hex(json4)))
    flipped = bytearray(a4)
    # in the header's stanza: its MAC fails (a compressed bundle of 120 people
    # is one payload chunk, whose damage reads as a copy cut short)
    flipped[a4.index(b"\n--- ") - 5] ^= 0x01
    json_entry = (fmt.JSON_NAME, tarfile.REGTYPE, json4)
    sig_entry = (fmt.SIG_NAME, tarfile.REGTYPE, sig4.encode())
    cases: dict[str, tuple[bytes, str]] = {
        "truncated": (a4[: len(a4) * 3 // 4], "truncated"),
        "flipped-byte": (bytes(flipped), "damaged"),
        "not-age": (tar4, "not_age"),
        "for-another-office": (age.encrypt(tar4, [other_recipient]), "not_for_us"),
        "untrusted-key": (seal(changed(doc4, signer_key_id=minisign.key_id(stranger_pub)),
                               sign_stranger, me), "untrusted"),
        "signed-by-a-naming-b": (seal(changed(doc_b2, signer_key_id=a.vault.signing_key_id),
                                      sign_a, me), "wrong_branch"),
        "signed-for-another-office": (seal(changed(doc4, recipient=other_recipient),
                                           sign_a, me), "wrong_office"),
        "tar-third-member": (age.encrypt(tar_of([json_entry, sig_entry,
                                                 ("extra.txt", tarfile.REGTYPE, b"x")]), me),
                             "tar_members"),
        "tar-dotdot-path": (age.encrypt(tar_of([("../" + fmt.JSON_NAME, tarfile.REGTYPE, json4),
                                                sig_entry]), me), "tar_path"),
        "tar-symlink": (age.encrypt(tar_of([(fmt.JSON_NAME, tarfile.SYMTYPE, b""), sig_entry]),
                                    me), "tar_type"),
        "tar-duplicate-name": (age.encrypt(tar_of([json_entry, json_entry]), me),
                               "tar_duplicate"),
        "wrong-types": (seal(changed(doc4, sequence=str(doc4["sequence"])), sign_a, me),
                        "schema"),
        "deep-nesting": (age.encrypt(fmt.pack(deep, sign_a(deep, signed_comment(deep)), 0),
                                     me), "json"),
        "unsigned-deep-nesting": (age.encrypt(fmt.pack(deep, sig4, 0), me), "signature"),
        "header-thousand-stanzas": (age.encrypt(tar4, me + crowd), "header_too_large"),
        "tar-hidden-second-bundle": (age.encrypt(hidden_second_bundle(json4, sig4, forged), me),
                                     "tar_trailing"),
        "legacy-signature": (age.encrypt(fmt.pack(json4, legacy, 0), me), "legacy_signature"),
        "signed-value-bomb": (age.encrypt(fmt.pack(bomb, sign_a(bomb, signed_comment(bomb)), 0),
                                          me), "too_many_values"),
        "roster-name-is-a-list": (seal(listed_name, sign_a, me), "record_type"),
        # #1 again, signed by A1 but not the #1 the office holds (2 is missing,
        # and a late #2 that the chain proves would fill its gap)
        "replayed-older-sequence": (seal(changed(_opened(a, a_paths[0])[0],
                                                 bundle_id="01YYYYYYYYYYYYYYYYYYYYYYYY"),
                                         sign_a, me), "rollback"),
        "same-sequence-other-content": (seal(changed(doc3, bundle_id="01XXXXXXXXXXXXXXXXXXXXXXXX"),
                                             sign_a, me), "conflict"),
        "broken-chain": (seal(broken, sign_a, me), "chain"),
        "unenrolled-branch": (c1.read_bytes(), "unknown_branch"),
    }
    expected: dict[str, str] = {}
    for name, (data, reason) in cases.items():
        file = f"{name}.bundle.age"
        (hostile / file).write_bytes(data)
        expected[file] = reason
    oversized = hostile / "oversized.bundle.age"
    with oversized.open("wb") as handle:
        handle.truncate(OVERSIZE)  # sparse: takes no room on disk
    expected[oversized.name] = "too_large"
    (root / "cases.json").write_text(orjson.dumps(expected, option=orjson.OPT_INDENT_2
                                                  | orjson.OPT_SORT_KEYS).decode() + "\n")
    forged_tar = tar_of([(fmt.JSON_NAME, tarfile.REGTYPE, forged), sig_entry])
    zstd_dir, zstd_expected = root / "hostile-zstd", {}
    zstd_dir.mkdir(exist_ok=True)
    for name, (data, reason) in zstd_cases(tar4, forged_tar, me).items():
        (zstd_dir / f"{name}.bundle.age").write_bytes(data)
        zstd_expected[f"{name}.bundle.age"] = reason
    (root / "cases-zstd.json").write_text(orjson.dumps(
        zstd_expected, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode() + "\n")
    shutil.rmtree(sent)
    for session in (a, b, c):
        session.lock()
    office.vault.close()
    del other_identity
    return expected


if __name__ == "__main__":  # pragma: no cover
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = Path(sys.argv[1])
    if out.exists() and any(out.iterdir()):
        sys.exit(f"{out} is not empty")
    for name, reason in sorted(build(out, Clock(dt.datetime.now().astimezone())).items()):
        print(f"{reason:16} {name}")
    print(f"office vault passphrase: {OFFICE_PASSPHRASE}")

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

Every hostile bundle is built from genuine ones, changed in exactly one way,
and re-signed where the case needs a valid signature, so that each reaches the
check it is aimed at. (The 300 MB string is made on the fly by its test.)
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

if __package__ in (None, ""):  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from branchtool.bundles import format as fmt
from branchtool.session import Session
from storage import age, minisign
from storage.records import sha256_hex
from tests.officekit import OFFICE_PASSPHRASE, Clock, enrol, export, make_branch, make_office

OVERSIZE = (256 << 20) + 1
Signer = Callable[[bytes, str], str]


def seal(doc: dict[str, Any], sign: Signer, recipients: list[str]) -> bytes:
    """bundle.json signed with ``sign``, tarred and encrypted, like an export."""
    json_bytes = fmt.encode(doc)
    signature = sign(json_bytes, fmt.trusted_comment(doc, sha256_hex(json_bytes)))
    return age.encrypt(fmt.pack(json_bytes, signature, 0), recipients)


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
    tar = age.decrypt(path.read_bytes(), [session.vault.identity])
    json_bytes, signature = fmt.unpack(tar)
    return fmt.decode(json_bytes), tar, json_bytes, signature


def _header_size(data: bytes) -> int:
    return data.index(b"\n", data.index(b"\n--- ") + 1) + 1


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
    broken["history"]["entries"][0]["hash"] = "0" * 64
    flipped = bytearray(a4)
    flipped[_header_size(a4) + 16 + 1000] ^= 0x01
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
        "deep-nesting": (age.encrypt(fmt.pack(b"[" * 10_000 + b"]" * 10_000, sig4, 0), me),
                         "json"),
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

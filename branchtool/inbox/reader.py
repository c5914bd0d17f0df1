"""Opening an inbox file on the branch: the office importer's steps, in the
other direction, each failure its own ``InboxRejected`` reason, and nothing
parsed that was not signed.

1. a regular file no larger than ``MAX_FILE``, the age header bounded, then
   decrypted with the branch's identity and, when compressed, decompressed
   within ``MAX_TAR`` (``office.opening.decrypt_file``: ``unreadable``,
   ``too_large``, ``header_too_large``, ``not_age``, ``not_for_us``,
   ``truncated``, ``damaged``, ``content_too_large``);
2. the tar: exactly ``inbox.json`` and ``inbox.json.minisig``, then only zero
   blocks (``bundles.format.unpack_tar``: ``tar``, ``tar_members``, ``tar_path``,
   ``tar_type``, ``tar_trailing``...);
3. the signature over the raw inbox.json bytes: an ``ED`` signature by the
   office key enrolled at ``init`` (``legacy_signature``, ``unknown_signer``,
   ``signature``);
4. only then inbox.json is parsed within a memory budget and checked
   (``format.decode``), and matched with the trusted comment;
5. the signed part names this branch (``other_branch``), this branch's age
   key (``other_branch``) and the office key enrolled (``other_office``).

The sequence and chain are checked against what the branch holds
(``receive``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from branchtool.bundles import format as bundle_format
from branchtool.inbox import format as fmt
from branchtool.keyfiles import KeyFile, prehashed_signature
from branchtool.office.opening import decrypt_file
from storage import age, minisign


@dataclass
class OpenedInbox:
    file: Path
    size: int
    file_sha256: str
    json_sha256: str
    doc: dict[str, Any]

    @property
    def sequence(self) -> int:
        return int(self.doc["sequence"])


def verify(data: bytes | bytearray, signature: str, office: KeyFile) -> minisign.Signature:
    """The office's ``ED`` signature over the raw bytes, or ``InboxRejected``."""
    sig = prehashed_signature(signature, fmt.InboxRejected)
    claim = fmt.claim_of(sig.trusted_comment)
    if sig.key_id != office.key_id:
        raise fmt.InboxRejected("unknown_signer")
    try:
        minisign.verify(data, sig, office.minisign_public_key)
    except minisign.MinisignError:
        raise fmt.InboxRejected("signature") from None
    if hashlib.sha256(data).hexdigest() != claim.sha256:
        raise fmt.InboxRejected("signature")
    return sig


def open_inbox(path: Path, identity: str, office: KeyFile, branch_code: str,
               branch_recipient: str, max_size: int = fmt.MAX_FILE) -> OpenedInbox:
    """Steps 1-5 for one file; ``InboxRejected`` with the first failure."""
    try:
        plain, size, file_sha256 = decrypt_file(
            Path(path), age.X25519Identity.parse(identity), max_size, fmt.MAX_TAR)
        json_bytes, signature = bundle_format.unpack_tar(plain, fmt.NAMES)
    except bundle_format.BundleRejected as exc:
        raise fmt.rejected(exc) from None
    sig = verify(json_bytes, signature, office)
    json_sha256 = hashlib.sha256(json_bytes).hexdigest()
    doc = fmt.decode(json_bytes)
    if sig.trusted_comment != fmt.trusted_comment(doc, json_sha256):
        raise fmt.InboxRejected("signature")
    if doc["office"]["key_id"] != sig.key_id or doc["office"]["fingerprint"] != office.fingerprint:
        raise fmt.InboxRejected("other_office")
    if doc["branch"] != branch_code or doc["recipient"] != branch_recipient:
        raise fmt.InboxRejected("other_branch", code=doc["branch"])
    return OpenedInbox(Path(path), size, file_sha256, json_sha256, doc)

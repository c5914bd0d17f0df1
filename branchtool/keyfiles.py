"""Public key files exchanged between a branch and the office.

``office.pub`` (office -> branches) and ``<code>.pub`` (branch -> office) are
small UTF-8 JSON files: who it is, the age recipient to encrypt to and the
minisign public key that signs. The fingerprint is what two people read to
each other over the phone before trusting a key. A signature made with
the minisign key is read by ``prehashed_signature``, on either side.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import orjson

from branchtool import contact
from branchtool.errors import UserError
from branchtool.paths import read_named
from branchtool.shown import has_unsafe
from storage import age, minisign
from storage.records import canonical_json

OFFICE_FORMAT = "branchtool-office-key"
BRANCH_FORMAT = "branchtool-branch-key"
MAX_SIZE = 16 * 1024


def fingerprint(recipient: str, minisign_public_key: str) -> str:
    """Eight groups of four: SHA-256 over both public keys, first 128 bits."""
    pk = minisign.PublicKey.parse(minisign_public_key).to_base64()
    digest = hashlib.sha256(canonical_json({"age": recipient, "minisign": pk})).hexdigest()
    return "-".join(digest[i: i + 4].upper() for i in range(0, 32, 4))


@dataclass(frozen=True)
class KeyFile:
    format: str
    name: str
    recipient: str
    minisign_public_key: str
    code: str = ""
    # the branch secretary, whom the office phones (``branchtool.contact``)
    secretary: str = ""
    phone: str = ""

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.recipient, self.minisign_public_key)

    @property
    def key_id(self) -> str:
        return minisign.key_id(self.minisign_public_key)

    def to_bytes(self) -> bytes:
        doc = {"format": self.format, "version": 1, "name": self.name,
               "recipient": self.recipient,
               "minisign_public_key": self.minisign_public_key,
               "fingerprint": self.fingerprint}
        if self.code:
            doc["code"] = self.code
        if self.secretary or self.phone:
            doc["secretary"] = {"name": self.secretary, "phone": self.phone}
        return orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n"

    def to_dict(self) -> dict[str, str]:
        return {"format": self.format, "name": self.name, "code": self.code,
                "recipient": self.recipient, "minisign_public_key": self.minisign_public_key}


def parse_key_file(data: bytes, expected_format: str) -> KeyFile:
    if len(data) > MAX_SIZE:
        raise UserError("keyfile.invalid")
    try:
        doc = orjson.loads(data.removeprefix(b"\xef\xbb\xbf"))
        if not isinstance(doc, dict) or doc.get("format") != expected_format:
            raise ValueError
        key = KeyFile(
            format=expected_format,
            name=str(doc["name"]),
            recipient=str(doc["recipient"]),
            minisign_public_key=str(doc["minisign_public_key"]),
            code=str(doc.get("code", "")),
        )
        age.X25519Recipient.parse(key.recipient)
        minisign.PublicKey.parse(key.minisign_public_key)
        if "secretary" in doc:
            secretary = contact.from_json(doc["secretary"])
            if secretary is None:
                raise ValueError("secretary")
            key = replace(key, secretary=secretary.name, phone=secretary.phone)
    except (ValueError, KeyError, TypeError):
        raise UserError("keyfile.invalid") from None
    if "fingerprint" in doc and doc["fingerprint"] != key.fingerprint:
        raise UserError("keyfile.fingerprint_mismatch")
    if has_unsafe(key.name) or has_unsafe(key.code) or not key.name.strip():
        # escape codes or a line break in a name could redraw the screen that
        # shows the fingerprint to compare: such a file is not a key file
        raise UserError("keyfile.bad_name")
    return key


def read_key_file(path: Path, expected_format: str) -> KeyFile:
    data = read_named(path, MAX_SIZE, "keyfile.unreadable", path=str(path))
    return parse_key_file(data, expected_format)


def read_office_key(path: Path) -> KeyFile:
    return read_key_file(path, OFFICE_FORMAT)


def prehashed_signature(text: str, rejected: Callable[[str], Exception]) -> minisign.Signature:
    """A signature as a branch and the office take it, not yet verified: well
    formed (else ``rejected("signature")``) and prehashed, ``ED`` (else
    ``rejected("legacy_signature")``)."""
    try:
        sig = minisign.parse_signature(text)
    except minisign.MinisignError:
        raise rejected("signature") from None
    if not sig.prehashed:
        raise rejected("legacy_signature")
    return sig

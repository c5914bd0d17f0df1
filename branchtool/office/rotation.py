"""A key rotation statement: a branch's new keys, signed over by its old key.

The file is UTF-8 JSON::

    {"format": "branchtool-key-rotation", "version": 1,
     "statement": "<the statement, JSON text>",
     "signature": "<minisign signature of the statement's UTF-8 bytes, old key>",
     "new_signature": "<the same, by the new key: it proves the new key is held>"}

The statement names the branch code and name, the old key's fingerprint, the
new age recipient and minisign public key, and the time. By hand: write the
statement string to ``s.json`` and each signature to ``s.json.minisig`` and run
``minisign -Vm s.json -p old.pub`` (then with the new key).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from branchtool.errors import UserError
from branchtool.keyfiles import BRANCH_FORMAT, KeyFile
from branchtool.shown import has_unsafe
from storage import age, minisign

FORMAT = "branchtool-key-rotation"
VERSION = 1
MAX_SIZE = 64 * 1024

Signer = Callable[[bytes, str], str]  # (data, trusted comment) -> .minisig text


@dataclass(frozen=True)
class Rotation:
    code: str
    name: str
    old_fingerprint: str
    new_key: KeyFile
    time: str
    statement: bytes
    signature: str
    new_signature: str


def make_rotation(code: str, name: str, old_fingerprint: str, new_key: KeyFile, time: str,
                  sign_old: Signer, sign_new: Signer) -> bytes:
    statement = orjson.dumps({
        "format": FORMAT, "version": VERSION, "code": code, "name": name,
        "old_fingerprint": old_fingerprint,
        "new_key": {"recipient": new_key.recipient,
                    "minisign_public_key": new_key.minisign_public_key},
        "time": time,
    }, option=orjson.OPT_SORT_KEYS)
    comment = f"branchtool key rotation branch={code} new={new_key.fingerprint}"
    return orjson.dumps({
        "format": FORMAT, "version": VERSION, "statement": statement.decode(),
        "signature": sign_old(statement, comment),
        "new_signature": sign_new(statement, comment),
    }, option=orjson.OPT_INDENT_2) + b"\n"


def _str(doc: dict[str, Any], key: str) -> str:
    value = doc.get(key)
    if not isinstance(value, str):
        raise ValueError(key)
    return value


def parse_rotation(data: bytes) -> Rotation:
    """Parse (not yet verify) a rotation file; ``UserError`` if malformed."""
    if len(data) > MAX_SIZE:
        raise UserError("office.rotation.invalid")
    try:
        outer = orjson.loads(data.removeprefix(b"\xef\xbb\xbf"))
        if not isinstance(outer, dict) or outer.get("format") != FORMAT:
            raise ValueError("format")
        statement = _str(outer, "statement").encode()
        inner = orjson.loads(statement)
        if (not isinstance(inner, dict) or inner.get("format") != FORMAT
                or inner.get("version") != VERSION or not isinstance(inner.get("new_key"), dict)):
            raise ValueError("statement")
        new = inner["new_key"]
        key = KeyFile(BRANCH_FORMAT, _str(inner, "name"), _str(new, "recipient"),
                      _str(new, "minisign_public_key"), code=_str(inner, "code"))
        age.X25519Recipient.parse(key.recipient)
        minisign.PublicKey.parse(key.minisign_public_key)
        if has_unsafe(key.name) or has_unsafe(key.code):
            raise ValueError("name")  # escape codes or line breaks: not shown, refused
        return Rotation(key.code, key.name, _str(inner, "old_fingerprint"), key,
                        _str(inner, "time"), statement, _str(outer, "signature"),
                        _str(outer, "new_signature"))
    except (ValueError, TypeError):
        raise UserError("office.rotation.invalid") from None


def verify_rotation(rotation: Rotation, old_public_key: str) -> None:
    """Both signatures must hold: the old key's and the new key's."""
    try:
        minisign.verify(rotation.statement, rotation.signature, old_public_key)
    except minisign.MinisignError:
        raise UserError("office.rotation.bad_signature") from None
    try:
        minisign.verify(rotation.statement, rotation.new_signature,
                        rotation.new_key.minisign_public_key)
    except minisign.MinisignError:
        raise UserError("office.rotation.bad_new_signature") from None

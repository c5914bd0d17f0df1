"""A branch changes its signing key: a new minisign key, and the statement
the office needs to trust it (``branchtool.office.rotation``).

The statement is signed by the old key and by the new one, so it can only be
made while both exist: during ``Vault.rotate_signing_key``, after the new key
is on disk and before it becomes current. It is kept in the vault's encrypted
store (partition ``key_rotations``, one document per rotation, in the history
chain like every write) before the commit, and a copy encrypted to the vault
goes into vault.json with the commit itself, so it is never lost, not even by
a restore of ``data/`` from a backup older than the rotation: if the file
given to the office goes missing, ``statement()`` writes it again.

The vault's age identity is not rotated (docs/threat-model.md says why), so the
statement names the same age recipient with the new minisign key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from branchtool.errors import UserError
from branchtool.keyfiles import BRANCH_FORMAT, KeyFile, fingerprint
from branchtool.office.rotation import make_rotation, parse_rotation
from storage.fsio import DEFAULT_IO
from storage.store import utc_now
from storage.vault import Signer, Vault

PARTITION = "key_rotations"


@dataclass(frozen=True)
class RotationDone:
    number: int  # 1 for the vault's first rotation, and so on
    old_fingerprint: str
    new_fingerprint: str
    statement: bytes  # the rotation file's bytes, for the office


def branch_key(vault: Vault) -> KeyFile:
    info = vault.info
    return KeyFile(BRANCH_FORMAT, info.get("branch_name", ""), vault.recipient,
                   vault.signing_public_key, code=info.get("branch_code", ""))


def check_can_rotate(vault: Vault) -> KeyFile:
    """The branch's current key, or ``UserError`` when this vault cannot rotate."""
    if vault.kind != "branch":
        raise UserError("keys.rotate.not_branch")
    key = branch_key(vault)
    if not key.code:
        raise UserError("keys.rotate.no_code")
    return key


def check_out(path: Path) -> None:
    """Refuse, before anything changes, a place the statement cannot be written."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir() or not folder.is_dir() or not os.access(folder, os.W_OK):
        raise UserError("keys.rotate.bad_out", path=str(path))


def write_statement(path: Path, data: bytes) -> bool:
    """Write a statement file atomically; False when it could not be written
    (the statement stays in the vault: ``statement()`` gives it again)."""
    try:
        DEFAULT_IO.write_atomic(path, data)
    except OSError:
        return False
    return True


def default_file_name(vault: Vault, number: int) -> str:
    """``A1-rotation-2.json`` for the branch A1's second rotation."""
    return f"{vault.info.get('branch_code') or 'branch'}-rotation-{number}.json"


def rotate(vault: Vault) -> RotationDone:
    """Make a new signing key and the statement. A failure (``UserError``, or
    ``WriteFailed`` from the vault) leaves the vault as it was."""
    old = check_can_rotate(vault)
    made: dict[str, Any] = {}

    def keep_statement(new_public: str, sign_old: Signer, sign_new: Signer) -> str:
        new = KeyFile(BRANCH_FORMAT, old.name, old.recipient, new_public, code=old.code)
        data = make_rotation(old.code, old.name, old.fingerprint, new, utc_now(),
                             sign_old, sign_new)
        vault.partition(PARTITION).insert({
            "time": utc_now(), "old_fingerprint": old.fingerprint,
            "new_fingerprint": new.fingerprint, "old_key_id": old.key_id,
            "new_key_id": new.key_id, "statement": data.decode(),
        })
        made.update(new=new, data=data)
        return data.decode()  # vault.json keeps a copy (sealed): a restore of data/ keeps it

    vault.rotate_signing_key(keep_statement)
    return RotationDone(len(rotations(vault)), old.fingerprint, made["new"].fingerprint,
                        made["data"])


def rotations(vault: Vault) -> list[dict[str, Any]]:
    """The rotations that took effect, oldest first. A statement kept for a key
    that never became current (a rotation undone by a failure or a crash
    before its commit) is left out. The copy in vault.json stands in for a
    document the store lost (``data/`` restored from a backup older than the
    rotation)."""
    used = {fingerprint(vault.recipient, pub) for pub in vault.signing_public_keys}
    kept = {doc["new_fingerprint"]: doc for doc in vault.partition(PARTITION).all()
            if doc.get("new_fingerprint") in used}
    for text in vault.rotation_texts():
        try:
            rotation = parse_rotation(text.encode())
        except UserError:
            continue  # not a statement: the store's copy, if any, stands
        if rotation.new_key.fingerprint in used:
            kept.setdefault(rotation.new_key.fingerprint, {
                "time": rotation.time, "id": "", "old_fingerprint": rotation.old_fingerprint,
                "new_fingerprint": rotation.new_key.fingerprint, "statement": text})
    return sorted(kept.values(), key=lambda d: (d["time"], d["id"]))


def statement(vault: Vault, number: int | None = None) -> bytes:
    """The rotation file of rotation ``number`` (1-based; the latest by default)."""
    done = rotations(vault)
    if not done:
        raise UserError("keys.rotation.none")
    if number is None:
        number = len(done)
    if not 1 <= number <= len(done):
        raise UserError("keys.rotation.no_such", number=number, count=len(done))
    return str(done[number - 1]["statement"]).encode()

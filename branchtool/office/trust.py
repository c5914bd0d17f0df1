"""The branches the office trusts, and their keys.

Enrolling reads a branch's key file (``<code>.pub``): the office shows code,
name and fingerprint and asks to confirm. A key changes in one of two ways:
rotation (a statement signed by the old key and the new one, see ``rotation``)
or re-enrolment by hand (``replace=True``, after comparing fingerprints by
phone). Revoking stops accepting anything signed by the branch's key until a
new key is enrolled. Every change is one write: the branch document and a
``trust_log`` event in the same journal frame (and so in the history chain).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from branchtool.branch_code import branch_code_problem
from branchtool.errors import UserError
from branchtool.keyfiles import KeyFile
from branchtool.office.model import BRANCHES, TRUST_LOG, Clock, iso_utc, local_now
from branchtool.office.rotation import Rotation, verify_rotation
from storage.vault import Vault

CURRENT, RETIRED, REVOKED = "current", "retired", "revoked"
ACTIVE = "active"
NEW, SAME, REPLACE = "new", "same", "replace"


def key_entry(key: KeyFile, since: str, how: str) -> dict[str, Any]:
    return {"key_id": key.key_id, "fingerprint": key.fingerprint, "recipient": key.recipient,
            "minisign_public_key": key.minisign_public_key, "since": since, "until": None,
            "state": CURRENT, "how": how}


def current_key(branch: dict[str, Any]) -> dict[str, Any] | None:
    for key in branch.get("keys", []):
        if key.get("state") == CURRENT:
            return key
    return None


def new_branch(key: KeyFile, time: str) -> dict[str, Any]:
    return {"id": key.code, "code": key.code, "name": key.name, "enrolled": time,
            "status": ACTIVE, "keys": [key_entry(key, time, "enrolled")], "last": None,
            "accepted": [], "missing": [], "days": {}, "figures": {}, "counts": {},
            "changes_total": 0, "changes_last": 0, "contact": key_contact(key)}


def key_contact(key: KeyFile) -> dict[str, str]:
    """The secretary a key file names (the latest bundle's supersedes it)."""
    return {"name": key.secretary, "phone": key.phone} if (key.secretary or key.phone) else {}


@dataclass(frozen=True)
class EnrolPreview:
    """What enrolling a key file would do, shown before the user confirms."""

    code: str
    name: str
    fingerprint: str
    action: str  # NEW, SAME (already enrolled: nothing to do) or REPLACE
    old_fingerprint: str | None = None


class TrustStore:
    def __init__(self, vault: Vault, now: Clock = local_now) -> None:
        self.vault = vault
        self.now = now

    # -- reading --------------------------------------------------------------
    def branches(self) -> list[dict[str, Any]]:
        return sorted(self.vault.partition(BRANCHES).all(), key=lambda b: b["code"])

    def get(self, code: str) -> dict[str, Any] | None:
        return self.vault.partition(BRANCHES).get(code)

    def require(self, code: str) -> dict[str, Any]:
        branch = self.get(code)
        if branch is None:
            raise UserError("office.trust.unknown_branch", code=code)
        return branch

    def log(self) -> list[dict[str, Any]]:
        return sorted(self.vault.partition(TRUST_LOG).all(), key=lambda e: (e["time"], e["id"]))

    def _key_in_use(self, fingerprint: str, code: str) -> bool:
        return any(b["code"] != code and any(k["fingerprint"] == fingerprint for k in b["keys"])
                   for b in self.branches())

    # -- enrolling --------------------------------------------------------------
    def preview(self, key: KeyFile) -> EnrolPreview:
        problem = branch_code_problem(key.code)
        if problem == "cli.init.reserved_code":
            raise UserError("office.trust.reserved_code", code=key.code)
        if problem:
            raise UserError("office.trust.bad_code")
        if self._key_in_use(key.fingerprint, key.code):
            raise UserError("office.trust.key_in_use")
        branch = self.get(key.code)
        if branch is None:
            # receipts and bundles are named by code: on Windows and macOS
            # "cs01" and "CS01" name the same file
            for other in self.branches():
                if other["code"].casefold() == key.code.casefold():
                    raise UserError("office.trust.code_case_clash", code=key.code,
                                    other=other["code"])
            return EnrolPreview(key.code, key.name, key.fingerprint, NEW)
        for old in branch["keys"]:
            if old["fingerprint"] == key.fingerprint and old["state"] != CURRENT:
                raise UserError("office.trust.key_withdrawn")
        current = current_key(branch)
        if current is not None and current["fingerprint"] == key.fingerprint:
            return EnrolPreview(key.code, key.name, key.fingerprint, SAME)
        return EnrolPreview(key.code, key.name, key.fingerprint, REPLACE,
                            current["fingerprint"] if current else None)

    def enrol(self, key: KeyFile, *, replace: bool = False) -> EnrolPreview:
        """Trust ``key`` for its branch. A branch already enrolled with another
        key needs ``replace=True`` (re-enrolment by hand)."""
        preview = self.preview(key)
        if preview.action == SAME:
            return preview
        if preview.action == REPLACE and not replace:
            raise UserError("office.trust.replace_needed", code=key.code)
        time = iso_utc(self.now())
        with self.vault.batch():
            if preview.action == NEW:
                self.vault.partition(BRANCHES).insert(new_branch(key, time))
                self._log("enrol", key.code, key.name, key.fingerprint, None, time)
            else:
                branch = self.require(key.code)
                self._retire(branch, time)
                branch["keys"].append(key_entry(key, time, "reenrolled"))
                branch["status"], branch["name"] = ACTIVE, key.name
                if key_contact(key):
                    branch["contact"] = key_contact(key)
                self.vault.partition(BRANCHES).replace(key.code, branch)
                self._log("reenrol", key.code, key.name, key.fingerprint,
                          preview.old_fingerprint, time)
        return preview

    def rotate(self, rotation: Rotation) -> tuple[str, str]:
        """Apply a rotation statement signed by the branch's current key;
        returns (old fingerprint, new fingerprint)."""
        branch = self.require(rotation.code)
        current = current_key(branch)
        if current is None:
            raise UserError("office.trust.no_current_key", code=rotation.code)
        if rotation.old_fingerprint != current["fingerprint"]:
            raise UserError("office.rotation.not_current")
        verify_rotation(rotation, current["minisign_public_key"])
        new = rotation.new_key
        if any(k["fingerprint"] == new.fingerprint for k in branch["keys"]) or \
                self._key_in_use(new.fingerprint, rotation.code):
            raise UserError("office.trust.key_in_use")
        time = iso_utc(self.now())
        with self.vault.batch():
            self._retire(branch, time)
            branch["keys"].append(key_entry(new, time, "rotated"))
            self.vault.partition(BRANCHES).replace(branch["code"], branch)
            self._log("rotate", branch["code"], branch["name"], new.fingerprint,
                      current["fingerprint"], time)
        return current["fingerprint"], new.fingerprint

    def revoke(self, code: str) -> str:
        """Stop trusting the branch's current key; returns its fingerprint."""
        branch = self.require(code)
        current = current_key(branch)
        if current is None:
            raise UserError("office.trust.already_revoked", code=code)
        time = iso_utc(self.now())
        with self.vault.batch():
            current["state"], current["until"] = REVOKED, time
            branch["status"] = REVOKED
            self.vault.partition(BRANCHES).replace(code, branch)
            self._log("revoke", code, branch["name"], current["fingerprint"], None, time)
        return str(current["fingerprint"])

    # -- helpers ----------------------------------------------------------------------
    @staticmethod
    def _retire(branch: dict[str, Any], time: str) -> None:
        for key in branch["keys"]:
            if key["state"] == CURRENT:
                key["state"], key["until"] = RETIRED, time

    def _log(self, event: str, code: str, name: str, fingerprint: str,
             old: str | None, time: str) -> None:
        self.vault.partition(TRUST_LOG).insert({
            "time": time, "event": event, "branch": code, "name": name,
            "fingerprint": fingerprint, "old_fingerprint": old,
        })

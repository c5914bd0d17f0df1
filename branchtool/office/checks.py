"""The checks that need what the office holds: whose key signed the bundle,
whom it is for, and whether it continues what this branch sent before.

5. the signature over the raw bundle.json bytes, before they are parsed
   (``signed_by``, called by ``opening.open_bundle``), by the trusted
   (current) key of the branch its trusted comment names (``unknown_branch``,
   ``wrong_branch``, ``untrusted``, ``retired``, ``revoked``, ``signature``;
   a legacy, non-prehashed ``Ed`` signature is ``legacy_signature``);
6. the signed ``recipient`` names this office (``wrong_office``);
7. the sequence: greater than the last accepted (``rollback``; the same
   sequence with other content is ``conflict``; a bundle already accepted is a
   no-op, ``Duplicate``), or one of the sequences missing;
8. the previous bundle's hash and the history chain continue what the office
   holds (``chain``); a gap is accepted and its sequences flagged missing, and
   then only the bundle's own chain from its ``history.base`` is verified.

A missing sequence arriving late fills its gap when the chain proves it is
the file the branch sent there: its bundle.json's SHA-256 is the ``previous``
hash that the next file, already accepted, carries (and its history ends
where that file's begins), and it continues the file before it (its
``previous`` hash and history base), whichever of the two the office holds.
With neither neighbour held it waits (``gap_unlinked``); anything else older
stays a ``rollback``. The office keeps what that takes (``Link``, partition
``gaps``) only while a branch has sequences missing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import orjson

from branchtool.bundles import format as fmt
from branchtool.keyfiles import prehashed_signature
from branchtool.office.opening import History, Opened, Verify
from branchtool.office.trust import CURRENT, REVOKED, current_key
from storage import minisign
from storage.history import GENESIS, OPS


class Duplicate(Exception):
    """The same bundle was accepted before: importing it again changes nothing."""


@dataclass
class Verdict:
    """What the checks found for a bundle that may be accepted."""

    missing: list[int] = field(default_factory=list)
    late: bool = False  # it fills a missing sequence, below the last accepted


@dataclass
class Link:
    """What the office keeps of an accepted bundle beside a missing sequence:
    enough to check a late file against it, and the records its history
    changed (a late file never overwrites what a later one sent)."""

    sequence: int
    json_sha256: str
    previous_sha256: str | None
    base: dict[str, Any] | None
    head: dict[str, Any]
    touched: list[str] = field(default_factory=list)

    def to_doc(self, code: str) -> dict[str, Any]:
        return {"id": link_id(code, self.sequence), "branch": code, "sequence": self.sequence,
                "json_sha256": self.json_sha256, "previous_sha256": self.previous_sha256,
                "base": self.base, "head": self.head, "touched": self.touched}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Link:
        return cls(doc["sequence"], doc["json_sha256"], doc.get("previous_sha256"),
                   doc.get("base"), doc["head"], list(doc.get("touched", [])))

    @classmethod
    def of(cls, opened: Opened) -> Link:
        history = opened.history
        assert history is not None
        return cls(opened.sequence, opened.json_sha256, opened.doc["previous_sha256"],
                   history.base, history.head, sorted(history.last_op))


def link_id(code: str, sequence: int) -> str:
    return f"{code}|{sequence:06d}"


class KeyIndex:
    """Every key the office knows, by minisign key id (ids are not unique:
    anyone can choose one, so a match is always verified)."""

    def __init__(self, branches: list[dict[str, Any]]) -> None:
        self.branches = {b["code"]: b for b in branches}
        self.by_id: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for branch in branches:
            for key in branch.get("keys", []):
                self.by_id.setdefault(key["key_id"], []).append((branch["code"], key))


def _verifies(data: bytes | bytearray, sig: minisign.Signature, key: dict[str, Any]) -> bool:
    try:
        minisign.verify(data, sig, key["minisign_public_key"])
    except minisign.MinisignError:
        return False
    return True


def check_signed(data: bytes | bytearray, signature: str, keys: KeyIndex,
                 data_sha256: str | None = None) -> minisign.Signature:
    """Verify ``signature`` over the raw bundle.json bytes ``data``, which are
    not parsed: the branch is the one the trusted comment names, and the
    comment's SHA-256 must be the bytes' (``data_sha256``, when the caller
    has already hashed them). Only prehashed (``ED``) signatures are
    accepted. Returns the verified signature (its comment is then trusted);
    raises ``BundleRejected``."""
    sig = prehashed_signature(signature, fmt.BundleRejected)
    claim = fmt.claim_of(sig.trusted_comment)
    branch = keys.branches.get(claim.code)
    if branch is None:
        raise fmt.BundleRejected("unknown_branch", code=claim.code)
    current = current_key(branch)
    if current is not None and sig.key_id == current["key_id"]:
        if not _verifies(data, sig, current):
            raise fmt.BundleRejected("signature")
        if (data_sha256 or hashlib.sha256(data).hexdigest()) != claim.sha256:
            raise fmt.BundleRejected("signature")
        return sig
    for code, key in keys.by_id.get(sig.key_id, []):
        if not _verifies(data, sig, key):
            continue
        if code == claim.code:
            raise fmt.BundleRejected("revoked" if key["state"] == REVOKED else "retired")
        if key["state"] == CURRENT:
            raise fmt.BundleRejected("wrong_branch")
    if current is None:
        raise fmt.BundleRejected("revoked")
    raise fmt.BundleRejected("untrusted")


def signed_by(keys: KeyIndex) -> Verify:
    """The ``verify`` step ``opening.open_bundle`` runs before parsing."""
    return lambda data, signature, sha256: check_signed(data, signature, keys, sha256)


def check_recipient(opened: Opened, office_recipient: str) -> None:
    if opened.doc["recipient"] != office_recipient:
        raise fmt.BundleRejected("wrong_office")


def walk_chain(entries: list[dict[str, Any]], base_seq: int, base_hash: str
               ) -> tuple[int | None, list[str], dict[str, tuple[str, str, str]]]:
    """One pass over a bundle's history entries: the same checks as
    ``storage.history.verify_chain`` (sequence, link, operation, each entry's
    hash; an entry of a kind the bundle does not carry is a link only, whose
    hash the next entry's ``prev`` vouches for), and what the later checks
    keep. Returns (the first broken sequence or None, each entry's hash,
    record -> (partition, op, time) of its last change)."""
    hashes: list[str] = []
    last_op: dict[str, tuple[str, str, str]] = {}
    expected, prev = base_seq + 1, base_hash
    dumps, sort, sha256 = orjson.dumps, orjson.OPT_SORT_KEYS, hashlib.sha256
    for entry in entries:
        if entry.get("seq") != expected or entry.get("prev") != prev:
            return expected, hashes, last_op
        if entry.keys() == fmt.LINK_KEYS:  # a kind not carried: only its link
            digest = entry["entry"]
        else:
            if entry.get("op") not in OPS:
                return expected, hashes, last_op
            body = dict(entry)
            digest = body.pop("entry", None)
            body.pop("id", None)
            if sha256(dumps(body, option=sort)).hexdigest() != digest:
                return expected, hashes, last_op
            last_op[entry["record"]] = (entry["partition"], entry["op"], entry["time"])
        hashes.append(digest)
        prev, expected = digest, expected + 1
    return None, hashes, last_op


def summarize_history(opened: Opened) -> None:
    """Verify the bundle's own chain, from its ``base`` to its ``head``, and
    keep what the later checks need; the entries are then dropped. (A broken
    chain is reported after the sequence checks, in the issue's order.)"""
    history = opened.doc["history"]
    base, head = history["base"], history["head"]
    broken, hashes, last_op = walk_chain(history["entries"], base["seq"], base["hash"])
    end = (base["seq"] + len(hashes), hashes[-1] if hashes else base["hash"])
    ok = broken is None and end == (head["seq"], head["hash"])
    opened.history = History(base, head, ok, hashes, last_op)
    history["entries"] = []


def check_sequence_and_chain(opened: Opened, branch: dict[str, Any],
                             links: dict[int, Link] | None = None) -> Verdict:
    """``links``: the branch's ``Link``s by sequence (needed when it has
    sequences missing)."""
    doc, seq, history = opened.doc, opened.sequence, opened.history
    assert history is not None, "summarize_history first"
    if any(sha == opened.json_sha256 for _, sha, _ in branch.get("accepted", [])):
        raise Duplicate()
    last = branch.get("last")
    if last is not None and seq < last["sequence"]:
        if seq in branch.get("missing", []):
            return _check_late(opened, links or {})
        raise fmt.BundleRejected("rollback")
    if last is not None and seq == last["sequence"]:
        raise fmt.BundleRejected("conflict")
    base = history.base
    if not history.chain_ok:
        raise fmt.BundleRejected("chain")
    first = last["sequence"] + 1 if last is not None else 1
    if last is None:
        if seq == 1 and (base["seq"], base["hash"]) != (0, GENESIS):
            raise fmt.BundleRejected("chain")
    elif seq == first:
        if doc["previous_sha256"] != last["json_sha256"] or base != last["head"]:
            raise fmt.BundleRejected("chain")
    else:
        _check_overlap(history, last["head"])
    return Verdict(missing=list(range(first, seq)))


def _check_overlap(history: History, held: dict[str, Any]) -> None:
    """After a gap: the history must not go backwards, and where the bundle's
    entries cover the head the office holds, they must pass through it."""
    base, head = history.base, history.head
    if head["seq"] < held["seq"]:
        raise fmt.BundleRejected("chain")
    if base["seq"] == held["seq"]:
        if base["hash"] != held["hash"]:
            raise fmt.BundleRejected("chain")
    elif (base["seq"] < held["seq"]
          and history.hashes[held["seq"] - base["seq"] - 1] != held["hash"]):
        raise fmt.BundleRejected("chain")


def _check_late(opened: Opened, links: dict[int, Link]) -> Verdict:
    """A missing sequence, late: proven by the accepted file after it, the one
    before it, or both when both are held."""
    history, seq = opened.history, opened.sequence
    assert history is not None
    if not history.chain_ok:
        raise fmt.BundleRejected("chain")
    after, before = links.get(seq + 1), links.get(seq - 1)
    if after is not None and (after.previous_sha256 != opened.json_sha256
                              or (after.base is not None and after.base != history.head)):
        raise fmt.BundleRejected("chain")
    if seq == 1:
        if opened.doc["previous_sha256"] is not None or \
                (history.base["seq"], history.base["hash"]) != (0, GENESIS):
            raise fmt.BundleRejected("chain")
        before_proves = True
    elif before is not None:
        if opened.doc["previous_sha256"] != before.json_sha256 or history.base != before.head:
            raise fmt.BundleRejected("chain")
        before_proves = True
    else:
        before_proves = False
    if after is None and not before_proves:
        raise fmt.BundleRejected("gap_unlinked", sequence=seq, before=seq - 1, after=seq + 1)
    return Verdict(late=True)

"""Receipts: what the office tells each branch it received, signed with the
office's minisign key.

``<code>-receipt-<yyyymmdd>.json`` is UTF-8 JSON::

    {"format": "branchtool-receipt", "version": 1,
     "receipt": "<the statement, JSON text>",
     "signature": "<minisign signature of the statement's UTF-8 bytes>"}

The statement names the office (name, age recipient, minisign key id), the
branch code, the time it was issued, every bundle accepted from the branch
(sequence, bundle id, SHA-256 of its bundle.json, when it was imported), the
highest sequence accepted, the sequences still missing, and the files of the
branch the office refused in the last ``REFUSED_DAYS`` days and has not
received since (``refused``: file name, when, the sequence and day it was
for, the reason's code and its values): the branch reads "your file #1 of
12-05 was damaged: copy it again" in its own language. Nothing personal.
By hand: write the ``receipt`` string to ``r.json`` and the signature to
``r.json.minisig``, then ``minisign -Vm r.json -p office-minisign.pub``.

On the branch, ``apply_receipt`` verifies the signature with the office key in
the vault's settings before it marks any outbox entry received.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from branchtool import i18n
from branchtool.errors import UserError
from branchtool.keyfiles import fingerprint
from branchtool.office import imports
from branchtool.office.model import Clock, iso_utc, local_now, parse_iso
from branchtool.paths import read_named
from storage import minisign
from storage.errors import StorageError
from storage.fsio import DEFAULT_IO, FileIO
from storage.vault import Vault

if TYPE_CHECKING:
    from branchtool.session import Session

FORMAT = "branchtool-receipt"
VERSION = 1
MAX_SIZE = 4 << 20
REFUSED_DAYS = 30  # refusals a receipt still tells about
REFUSED_MAX = 50
OUTBOX = "outbox"  # the branch's outbox partition (branchtool.bundles.export)


def receipt_name(code: str, day: str) -> str:
    return f"{code}-receipt-{day.replace('-', '')}.json"


def refusals(vault: Vault, branch: dict[str, Any], issued: str) -> list[dict[str, Any]]:
    """The branch's files refused in the last ``REFUSED_DAYS`` days whose
    sequence has not been received since, newest first."""
    moment = parse_iso(issued)
    horizon = iso_utc(moment - dt.timedelta(days=REFUSED_DAYS)) if moment else ""
    received = {seq for seq, _, _ in branch.get("accepted", [])}
    out = []
    for entry in imports.log(vault):
        if entry["time"] < horizon:
            break
        if (entry["verdict"] != "rejected" or entry.get("branch") != branch["code"]
                or entry.get("sequence") in received):
            continue
        out.append({"file": entry["file"], "time": entry["time"], "reason": entry["reason"],
                    "params": {k: str(v) for k, v in (entry.get("params") or {}).items()},
                    "sequence": entry.get("sequence"), "day": entry.get("day")})
    return out[:REFUSED_MAX]


def make_receipt(vault: Vault, branch: dict[str, Any], issued: str,
                 refused: list[dict[str, Any]] | None = None) -> bytes:
    accepted = sorted(branch.get("accepted", []))
    statement = orjson.dumps({
        "format": FORMAT, "version": VERSION,
        "office": {"name": vault.info.get("office_name", ""), "recipient": vault.recipient,
                   "key_id": vault.signing_key_id},
        "branch": branch["code"], "issued": issued,
        "received": [{"sequence": seq, "json_sha256": sha, "bundle_id": bundle_id}
                     for seq, sha, bundle_id in accepted],
        "up_to": accepted[-1][0] if accepted else 0,
        "missing": list(branch.get("missing", [])),
        "refused": refused if refused is not None else refusals(vault, branch, issued),
    }, option=orjson.OPT_SORT_KEYS)
    comment = (f"branchtool receipt branch={branch['code']} "
               f"up_to={accepted[-1][0] if accepted else 0} issued={issued}")
    return orjson.dumps({"format": FORMAT, "version": VERSION, "receipt": statement.decode(),
                         "signature": vault.sign(statement, comment)},
                        option=orjson.OPT_INDENT_2) + b"\n"


def write_receipts(vault: Vault, branches: list[dict[str, Any]], out_dir: Path, *,
                   now: Clock = local_now, io: FileIO = DEFAULT_IO) -> list[Path]:
    """One receipt per branch that has sent anything (or whose file was
    refused), written atomically."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise UserError("office.no_folder", path=str(out_dir))
    moment = now()
    issued = iso_utc(moment)
    written: list[Path] = []
    for branch in branches:
        refused = refusals(vault, branch, issued)
        if not branch.get("accepted") and not refused:
            continue
        path = out_dir / receipt_name(branch["code"], moment.date().isoformat())
        try:
            io.write_atomic(path, make_receipt(vault, branch, issued, refused))
        except OSError:
            raise UserError("office.receipt.write_failed", path=str(path)) from None
        written.append(path)
    return written


# -- the branch side ---------------------------------------------------------------
@dataclass
class ReceiptResult:
    office: str
    up_to: int
    marked: list[int] = field(default_factory=list)  # newly marked received
    already: list[int] = field(default_factory=list)  # marked before
    mismatched: list[int] = field(default_factory=list)  # office holds other content
    not_received: list[int] = field(default_factory=list)  # sent, not in the receipt
    refused: list[str] = field(default_factory=list)  # the office's notices, one a file


def parse_receipt(data: bytes, office_public_key: str) -> dict[str, Any]:
    """The verified statement of a receipt file."""
    if len(data) > MAX_SIZE:
        raise UserError("receipt.invalid")
    try:
        outer = orjson.loads(data.removeprefix(b"\xef\xbb\xbf"))
        if not isinstance(outer, dict) or outer.get("format") != FORMAT:
            raise ValueError("format")
        statement, signature = outer["receipt"], outer["signature"]
        if not isinstance(statement, str) or not isinstance(signature, str):
            raise ValueError("types")
    except (ValueError, KeyError):
        raise UserError("receipt.invalid") from None
    try:
        minisign.verify(statement.encode(), signature, office_public_key)
    except minisign.MinisignError:
        raise UserError("receipt.signature") from None
    try:
        doc = orjson.loads(statement)
        if (doc.get("format") != FORMAT or doc.get("version") != VERSION
                or not isinstance(doc.get("branch"), str)
                or not isinstance(doc.get("office"), dict)
                or not isinstance(doc.get("received"), list)
                or not all(isinstance(r, dict) and isinstance(r.get("sequence"), int)
                           and isinstance(r.get("json_sha256"), str)
                           for r in doc["received"])
                or not isinstance(doc.get("refused", []), list)
                or not all(isinstance(r, dict) and isinstance(r.get("file"), str)
                           and isinstance(r.get("reason"), str)
                           and isinstance(r.get("params", {}), dict)
                           for r in doc.get("refused", []))):
            raise ValueError("statement")
    except (ValueError, AttributeError):
        raise UserError("receipt.invalid") from None
    return doc


def apply_receipt(session: Session, data: bytes) -> ReceiptResult:
    """Verify a receipt with the office key this branch trusts and mark the
    outbox entries it confirms as received (one journal frame)."""
    office = session.bundles.office()
    if office is None:
        raise UserError("export.no_office_key")
    doc = parse_receipt(data, office.minisign_public_key)
    vault = session.vault
    if doc["branch"] != vault.info.get("branch_code"):
        raise UserError("receipt.wrong_branch")
    if doc["office"].get("recipient") != office.recipient:
        raise UserError("receipt.wrong_office")
    confirmed = {r["sequence"]: r for r in doc["received"]}
    result = ReceiptResult(office=fingerprint(office.recipient, office.minisign_public_key),
                           up_to=int(doc.get("up_to") or 0))
    outbox = vault.partition(OUTBOX)
    try:
        with vault.batch():
            for sent in sorted(outbox.all(), key=lambda d: d["sequence"]):
                seq = sent["sequence"]
                item = confirmed.get(seq)
                if item is None:
                    if seq <= result.up_to:
                        result.not_received.append(seq)
                elif item["json_sha256"] != sent.get("json_sha256"):
                    result.mismatched.append(seq)
                elif sent.get("received"):
                    result.already.append(seq)
                else:
                    outbox.update(sent["id"], {"received": {
                        "time": doc.get("issued"), "office": office.name}})
                    result.marked.append(seq)
    except StorageError as exc:
        raise UserError(exc.key, **exc.params) from None
    result.refused = [refusal_notice(r) for r in doc.get("refused", [])]
    return result


def refusal_notice(refused: dict[str, Any]) -> str:
    """One refusal as the branch reads it, in its own language."""
    reason = str(refused.get("reason", ""))
    key = f"bundle.reject.{reason}"
    params = {k: str(v) for k, v in (refused.get("params") or {}).items()
              if isinstance(k, str)}
    try:
        why = i18n.t(key, **params) if key in i18n.catalog(i18n.language()) else reason
    except (KeyError, IndexError, ValueError):  # a reason this program words otherwise
        why = reason
    sequence = refused.get("sequence")
    again = "receipt.refused.copy_again" if reason in imports.DAMAGED else \
        "receipt.refused.see_office"
    return i18n.t("receipt.refused", file=imports.printable(str(refused.get("file", ""))),
                  sequence=sequence if isinstance(sequence, int) else "—",
                  day=str(refused.get("day") or "—"), why=why, next=i18n.t(again))


def import_receipt_file(session: Session, path: Path) -> ReceiptResult:
    data = read_named(path, MAX_SIZE, "receipt.unreadable", path=str(path))
    return apply_receipt(session, data)

"""Receipts: what the office tells each branch it received, signed with the
office's minisign key.

``<code>-receipt-<yyyymmdd>.json`` is UTF-8 JSON::

    {"format": "branchtool-receipt", "version": 1,
     "receipt": "<the statement, JSON text>",
     "signature": "<minisign signature of the statement's UTF-8 bytes>"}

The statement names the office (name, age recipient, minisign key id), the
branch code, the time it was issued, every bundle accepted from the branch
(sequence, bundle id, SHA-256 of its bundle.json, when it was imported), the
highest sequence accepted and the sequences still missing. Nothing personal.
By hand: write the ``receipt`` string to ``r.json`` and the signature to
``r.json.minisig``, then ``minisign -Vm r.json -p office-minisign.pub``.

On the branch, ``apply_receipt`` verifies the signature with the office key in
the vault's settings before it marks any outbox entry received.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from branchtool.errors import UserError
from branchtool.keyfiles import fingerprint
from branchtool.office.model import Clock, iso_utc, local_now
from storage import minisign
from storage.errors import StorageError
from storage.fsio import DEFAULT_IO, FileIO, read_regular
from storage.vault import Vault

if TYPE_CHECKING:
    from branchtool.session import Session

FORMAT = "branchtool-receipt"
VERSION = 1
MAX_SIZE = 4 << 20
OUTBOX = "outbox"  # the branch's outbox partition (branchtool.bundles.export)


def receipt_name(code: str, day: str) -> str:
    return f"{code}-receipt-{day.replace('-', '')}.json"


def make_receipt(vault: Vault, branch: dict[str, Any], issued: str) -> bytes:
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
    }, option=orjson.OPT_SORT_KEYS)
    comment = (f"branchtool receipt branch={branch['code']} "
               f"up_to={accepted[-1][0] if accepted else 0} issued={issued}")
    return orjson.dumps({"format": FORMAT, "version": VERSION, "receipt": statement.decode(),
                         "signature": vault.sign(statement, comment)},
                        option=orjson.OPT_INDENT_2) + b"\n"


def write_receipts(vault: Vault, branches: list[dict[str, Any]], out_dir: Path, *,
                   now: Clock = local_now, io: FileIO = DEFAULT_IO) -> list[Path]:
    """One receipt per branch that has sent anything, written atomically."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise UserError("office.no_folder", path=str(out_dir))
    moment = now()
    issued = iso_utc(moment)
    written: list[Path] = []
    for branch in branches:
        if not branch.get("accepted"):
            continue
        path = out_dir / receipt_name(branch["code"], moment.date().isoformat())
        try:
            io.write_atomic(path, make_receipt(vault, branch, issued))
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
                           for r in doc["received"])):
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
    return result


def import_receipt_file(session: Session, path: Path) -> ReceiptResult:
    try:
        data = read_regular(Path(path), MAX_SIZE)
    except OSError:
        raise UserError("receipt.unreadable", path=str(path)) from None
    return apply_receipt(session, data)

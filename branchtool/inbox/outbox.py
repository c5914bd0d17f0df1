"""The office's side of inbox files: what it composes (notices, tasks,
settings for its branches) and what it sent to whom.

Partitions of the office vault:

``office_items``  one document per notice, task or settings item composed
                  (``to``: the branch codes it is for, ``[]`` for every
                  active branch, resolved when sending: a branch enrolled
                  later still receives it)
``inbox_sent``    one document per inbox file written (id ``CODE|000001``):
                  the branch, its sequence, the SHA-256 of its inbox.json
                  (the next file's ``previous_sha256``), the items it held,
                  and inbox.json with its signature (to write it again)

``send`` writes, for each branch with items not yet sent to it, one file
holding all of them, the next sequence of that branch.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from branchtool.errors import UserError
from branchtool.inbox import format as fmt
from branchtool.office.create import office_key
from branchtool.office.model import BRANCHES, Clock, iso_utc, local_now
from branchtool.office.trust import ACTIVE, current_key
from branchtool.paths import read_named
from branchtool.records.fields import InvalidRecord
from branchtool.records.notice import NOTICE
from branchtool.records.task import TASK
from storage import age
from storage.errors import StorageError
from storage.fsio import DEFAULT_IO, FileIO
from storage.records import new_id
from storage.vault import Vault

ITEMS = "office_items"
SENT = "inbox_sent"
CODE_SETTING = "office_code"
DEFAULT_CODE = "DW"  # 党委


@dataclass(frozen=True)
class SentFile:
    branch: str
    sequence: int
    path: Path
    items: int


def sent_id(code: str, sequence: int) -> str:
    return f"{code}|{sequence:06d}"


def read_attachment(path: Path) -> dict[str, str]:
    """A text attachment (UTF-8, a BOM allowed) up to the bound, as ``{name, text}``."""
    path = Path(path)
    data = read_named(path, fmt.MAX_ATTACHMENT * 4, "inbox.attachment_unreadable", name=path.name)
    try:
        text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        raise UserError("inbox.attachment_not_text", name=path.name) from None
    if len(text) > fmt.MAX_ATTACHMENT or "\x00" in text:
        raise UserError("inbox.attachment_too_large", name=path.name,
                        limit=fmt.MAX_ATTACHMENT // 1024)
    return {"name": path.name[:200], "text": text}


def read_body(path: Path) -> str:
    """A notice's body from a text file (UTF-8, a BOM allowed; GBK as Notepad
    on a Chinese Windows saves it)."""
    path = Path(path)
    data = read_named(path, fmt.MAX_TEXT * 4, "inbox.attachment_unreadable", name=path.name)
    data = data.removeprefix(b"\xef\xbb\xbf")
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text.replace("\r\n", "\n")
    raise UserError("inbox.attachment_not_text", name=path.name)


class OfficeOutbox:
    def __init__(self, vault: Vault, *, now: Clock = local_now, io: FileIO = DEFAULT_IO) -> None:
        self.vault = vault
        self.now = now
        self.io = io

    # -- who sends -----------------------------------------------------------------------
    def code(self) -> str:
        value = self.vault.setting(CODE_SETTING)
        return value if isinstance(value, str) and fmt._CODE.match(value) else DEFAULT_CODE

    def set_code(self, code: str) -> None:
        if not fmt._CODE.match(code):
            raise UserError("inbox.bad_office_code")
        self._write(lambda: self.vault.set_setting(CODE_SETTING, code))

    # -- composing ------------------------------------------------------------------------
    def _branches(self) -> dict[str, dict[str, Any]]:
        return {b["code"]: b for b in self.vault.partition(BRANCHES).all()}

    def _to(self, codes: Iterable[str] | None) -> list[str]:
        chosen = sorted(dict.fromkeys(c.strip() for c in codes or () if c.strip()))
        known = self._branches()
        for code in chosen:
            if code not in known:
                raise UserError("office.trust.unknown_branch", code=code)
        return chosen

    def add_notice(self, *, title: str, text: str, issued_on: dt.date | str | None = None,
                   due: dt.date | str | None = None, number: str = "", ack: bool = False,
                   audience: str = "members", attachments: Iterable[Mapping[str, str]] = (),
                   to: Iterable[str] | None = None) -> dict[str, Any]:
        issued = str(issued_on or self.now().date())
        values, problems = NOTICE.clean({"number": number, "title": title, "text": text,
                                         "issued_on": issued, "deadline": str(due or ""),
                                         "audience": audience, "issuer": ""})
        if problems:
            raise InvalidRecord(problems)
        files = [dict(a) for a in attachments]
        if len(files) > fmt.MAX_ATTACHMENTS:
            raise UserError("inbox.too_many_attachments", maximum=fmt.MAX_ATTACHMENTS)
        item = {"kind": "notice", "number": values["number"], "title": values["title"],
                "text": values["text"], "issued_on": values["issued_on"],
                "due": values["deadline"], "ack": bool(ack), "audience": values["audience"],
                "attachments": files}
        return self._add(item, to)

    def add_task(self, *, title: str, due: dt.date | str, description: str = "",
                 report: str = "", issued_on: dt.date | str | None = None,
                 to: Iterable[str] | None = None) -> dict[str, Any]:
        issued = str(issued_on or self.now().date())
        values, problems = TASK.clean({"title": title, "description": description,
                                       "due": f"{due}T23:59" if due else ""},
                                      base={**TASK.blank(), "assignees": "-"})
        problems = [p for p in problems if p.field in ("title", "description", "due")]
        if problems:
            raise InvalidRecord(problems)
        if len(report) > 500:
            raise UserError("inbox.report_too_long", maximum=500)
        if values["due"][:10] < issued:
            raise UserError("inbox.due_before_issue")
        item = {"kind": "task", "title": values["title"], "description": values["description"],
                "report": report.strip(), "due": values["due"][:10], "issued_on": issued}
        return self._add(item, to)

    def add_settings(self, values: Mapping[str, Any], *, to: Iterable[str] | None = None
                     ) -> dict[str, Any]:
        item = {"kind": "settings", "values": dict(values),
                "issued_on": self.now().date().isoformat()}
        try:
            fmt._check_item({**item, "id": "check"}, 0)
        except fmt.InboxRejected as exc:
            raise UserError("inbox.bad_settings", field=str(exc.params.get("field", ""))) from None
        return self._add(item, to)

    def _add(self, item: dict[str, Any], to: Iterable[str] | None) -> dict[str, Any]:
        doc = {"id": new_id(), **item, "to": self._to(to), "created": iso_utc(self.now())}
        if doc["kind"] != "settings":
            fmt._check_item({k: v for k, v in doc.items() if k not in ("to", "created")}, 0)
        self._write(lambda: self.vault.partition(ITEMS).insert(doc))
        return doc

    def items(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Every item composed, the newest first."""
        docs = self.vault.partition(ITEMS).all()
        return sorted((d for d in docs if kind is None or d["kind"] == kind),
                      key=lambda d: (d["issued_on"], d["created"], d["id"]), reverse=True)

    def remove(self, item_id: str) -> None:
        """Take back an item not yet sent to any branch."""
        if self.vault.partition(ITEMS).get(item_id) is None:
            raise UserError("storage.record_not_found")
        if any(item_id in s["items"] for s in self.vault.partition(SENT).all()):
            raise UserError("inbox.already_sent")
        self._write(lambda: self.vault.partition(ITEMS).remove(item_id))

    # -- to whom ---------------------------------------------------------------------------
    def addressed(self, item: Mapping[str, Any], branches: Mapping[str, dict[str, Any]]
                  ) -> list[str]:
        """The branches an item is for: those it names, else every active one."""
        if item["to"]:
            return [c for c in item["to"] if c in branches]
        return sorted(c for c, b in branches.items() if b.get("status") == ACTIVE)

    def sent(self, code: str | None = None) -> list[dict[str, Any]]:
        part = self.vault.partition(SENT)
        docs = part.find(branch=code) if code is not None else part.all()
        return sorted(docs, key=lambda d: (d["branch"], d["sequence"]))

    def sent_to(self) -> dict[str, dict[str, int]]:
        """item id -> branch code -> the sequence of the file that carried it."""
        out: dict[str, dict[str, int]] = {}
        for doc in self.sent():
            for item_id in doc["items"]:
                out.setdefault(item_id, {})[doc["branch"]] = doc["sequence"]
        return out

    def pending(self) -> dict[str, list[dict[str, Any]]]:
        """branch code -> the items not yet sent to it (oldest first)."""
        branches = self._branches()
        carried = self.sent_to()
        out: dict[str, list[dict[str, Any]]] = {}
        for item in reversed(self.items()):
            for code in self.addressed(item, branches):
                branch = branches[code]
                if code in carried.get(item["id"], {}) or branch.get("status") != ACTIVE \
                        or current_key(branch) is None:
                    continue
                out.setdefault(code, []).append(item)
        return out

    def coverage(self, branches: list[dict[str, Any]] | None = None, day: dt.date | None = None
                 ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(notices, tasks) with each branch's coverage (``reply.coverage``),
        issued by ``day``, the newest first."""
        from branchtool.inbox import reply

        day = day or self.now().date()
        items = [i for i in self.items() if i["issued_on"] <= day.isoformat()]
        branches = branches if branches is not None else list(self._branches().values())
        return reply.coverage(items, branches, self.sent_to(), day)

    # -- sending ---------------------------------------------------------------------------
    def send(self, out_dir: Path, codes: Iterable[str] | None = None) -> list[SentFile]:
        """One file per branch with items pending (of ``codes``, else all)."""
        out_dir = Path(out_dir)
        if not out_dir.is_dir():
            raise UserError("inbox.no_folder", path=str(out_dir))
        wanted = set(self._to(codes)) if codes else None
        branches = self._branches()
        written: list[SentFile] = []
        for code, items in sorted(self.pending().items()):
            if wanted is not None and code not in wanted:
                continue
            written.append(self._send_one(out_dir, branches[code], items))
        return written

    def _doc(self, branch: dict[str, Any], items: list[dict[str, Any]]) -> dict[str, Any]:
        key = office_key(self.vault)
        previous = self.sent(branch["code"])
        last = previous[-1] if previous else None
        recipient = current_key(branch)
        assert recipient is not None
        return {
            "format": fmt.FORMAT, "version": fmt.VERSION, "inbox_id": new_id(),
            "office": {"code": self.code(), "name": key.name, "key_id": key.key_id,
                       "fingerprint": key.fingerprint},
            "branch": branch["code"], "recipient": recipient["recipient"],
            "sequence": last["sequence"] + 1 if last else 1,
            "previous_sha256": last["json_sha256"] if last else None,
            "created": iso_utc(self.now()),
            "items": [{k: v for k, v in item.items() if k not in ("to", "created")}
                      for item in items],
        }

    def _send_one(self, out_dir: Path, branch: dict[str, Any], items: list[dict[str, Any]]
                  ) -> SentFile:
        doc = self._doc(branch, items)
        json_bytes = fmt.encode(doc)
        json_sha = hashlib.sha256(json_bytes).hexdigest()
        signature = self.vault.sign(json_bytes, fmt.trusted_comment(doc, json_sha))
        name = fmt.file_name(doc["office"]["code"], branch["code"], doc["sequence"])
        path = out_dir / name
        self._write_file(path, json_bytes, signature, doc["recipient"], doc["created"])
        record = {"id": sent_id(branch["code"], doc["sequence"]), "branch": branch["code"],
                  "sequence": doc["sequence"], "json_sha256": json_sha, "file": name,
                  "created": doc["created"], "items": [i["id"] for i in items],
                  "json": json_bytes.decode("utf-8"), "signature": signature}
        try:
            self.vault.partition(SENT).insert(record)
        except StorageError as exc:
            self.io.unlink(path)  # not recorded, so not sent: the sequence stays
            raise UserError(exc.key, **exc.params) from None
        return SentFile(branch["code"], doc["sequence"], path, len(items))

    def _write_file(self, path: Path, json_bytes: bytes, signature: str, recipient: str,
                    created: str) -> None:
        moment = dt.datetime.fromisoformat(created.replace("Z", "+00:00"))
        from branchtool.bundles import format as bundle_format

        sealed = bundle_format.seal(json_bytes, signature, int(moment.timestamp()), fmt.NAMES)
        blob = age.encrypt(sealed, [recipient, self.vault.recipient])
        try:
            self.io.write_new(path, blob)
        except FileExistsError:
            raise UserError("inbox.exists", name=path.name) from None
        except OSError as exc:
            raise UserError("inbox.write_failed",
                            reason=errno.errorcode.get(exc.errno or 0, "OSError")) from None

    def resend(self, out_dir: Path, code: str, sequence: int | None = None) -> Path:
        """Write a file sent before again (a lost stick): the same signed
        inbox.json, so the branch's chain is unchanged."""
        docs = self.sent(code)
        if sequence is not None:
            docs = [d for d in docs if d["sequence"] == sequence]
        if not docs:
            raise UserError("inbox.nothing_sent", code=code)
        doc = docs[-1]
        branch = self._branches().get(code)
        key = current_key(branch) if branch else None
        if key is None:
            raise UserError("office.trust.unknown_branch", code=code)
        path = Path(out_dir) / doc["file"]
        if not Path(out_dir).is_dir():
            raise UserError("inbox.no_folder", path=str(out_dir))
        self._write_file(path, doc["json"].encode("utf-8"), doc["signature"],
                         key["recipient"], doc["created"])
        return path

    def _write(self, action: Any) -> None:
        try:
            action()
        except StorageError as exc:
            raise UserError(exc.key, **exc.params) from None

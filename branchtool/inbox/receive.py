"""The branch's side of inbox files: ``branchtool inbox import FILE|DIR``.

Each file is opened by ``reader.open_inbox`` (everything checked before it
is parsed), then checked against what the branch holds: the office's files
to this branch come in sequence, each naming the SHA-256 of the one before
(``replayed``: imported before; ``rollback``: an older sequence with other
content; ``out_of_order``: an earlier file is missing; ``chain``: it does not
follow the file imported before). A folder's files are taken in sequence
order, so a stick holding #2 and #3 imports both.

An accepted file is filed in one journal batch: a notice under 通知传达
(its 文号, issuer and due date, marked as from the office), a task under 任务
(not yet assigned: the secretary assigns members), settings as a proposal the
secretary accepts or declines. A record that already exists under an item's
id is never touched: nothing imported changes what the secretary wrote.

Partitions of the branch vault: ``inbox_received`` (one document per file
accepted: sequence, SHA-256, items) and ``inbox_items`` (one per item, as the
office sent it, with where it was filed and a proposal's state).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from branchtool import i18n
from branchtool.bundles.verdict import FileVerdict
from branchtool.errors import UserError
from branchtool.inbox import format as fmt
from branchtool.inbox.reader import OpenedInbox, open_inbox
from branchtool.records.notice import NOTICE
from branchtool.records.task import TASK
from branchtool.services.notices import NOTICES
from storage.errors import StorageError
from storage.store import utc_now

if TYPE_CHECKING:
    from branchtool.session import Session

RECEIVED = "inbox_received"
ITEMS = "inbox_items"
TASKS = "tasks"
ACCEPTED, REJECTED = "accepted", "rejected"
PROPOSED, TAKEN, DECLINED = "proposed", "accepted", "declined"
REQUESTS = "office_requests"  # the accepted report deadline and content (a setting)


@dataclass
class InboxResult(FileVerdict):
    sequence: int | None = None
    notices: int = 0
    tasks: int = 0
    proposals: int = 0
    kept: int = 0  # items whose id a record already held: left as they were

    def message(self) -> str:
        if self.verdict == REJECTED:
            return i18n.t(f"inbox.reject.{self.reason}", **self.params)
        return i18n.t("inbox.import.filed", notices=self.notices, tasks=self.tasks,
                      proposals=self.proposals)

    def to_json(self) -> dict[str, Any]:
        return {"file": str(self.file), "verdict": self.verdict, "reason": self.reason,
                "sequence": self.sequence, "notices": self.notices, "tasks": self.tasks,
                "proposals": self.proposals, "kept": self.kept, "message": self.message()}


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """Files named, and the ``*.inbox.age`` entries directly inside folders
    named (links included: they are refused, with a reason, not skipped)."""
    out: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir() and not path.is_symlink():
            try:
                names = sorted(os.listdir(path))
            except OSError:
                raise UserError("inbox.folder_unreadable", path=str(path)) from None
            out.extend(path / n for n in names if n.endswith(fmt.SUFFIX))
        else:
            out.append(path)
    return out


def _not_link(path: Path) -> None:
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        raise fmt.InboxRejected("unreadable") from None
    if stat.S_ISLNK(mode):
        raise fmt.InboxRejected("link")


class InboxService:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def vault(self) -> Any:
        return self.session.vault

    # -- reading ----------------------------------------------------------------------
    def received(self) -> list[dict[str, Any]]:
        return sorted(self.vault.partition(RECEIVED).all(), key=lambda d: d["sequence"])

    def items(self, kind: str | None = None) -> list[dict[str, Any]]:
        docs = self.vault.partition(ITEMS).all()
        return sorted((d for d in docs if kind is None or d["kind"] == kind),
                      key=lambda d: (d["sequence"], d["id"]))

    def proposals(self) -> list[dict[str, Any]]:
        return [d for d in self.items("settings") if d.get("state") == PROPOSED]

    def item(self, item_id: str) -> dict[str, Any] | None:
        return self.vault.partition(ITEMS).get(item_id)

    def office_item_for(self, record_id: str) -> dict[str, Any] | None:
        """The office's item a notice or task was filed from (None: the secretary's own)."""
        return self.vault.partition(ITEMS).get(record_id)

    # -- importing ----------------------------------------------------------------------
    def import_paths(self, paths: Iterable[Path]) -> list[InboxResult]:
        files = collect_files(paths)
        office = self.session.bundles.office()
        if office is None:
            raise UserError("inbox.no_office_key")
        info, vault = self.vault.info, self.vault
        results: list[InboxResult | None] = [None] * len(files)
        opened: list[tuple[int, OpenedInbox]] = []
        for index, path in enumerate(files):
            try:
                _not_link(path)
                opened.append((index, open_inbox(path, vault.identity, office,
                                                 str(info.get("branch_code", "")),
                                                 vault.recipient)))
            except fmt.InboxRejected as exc:
                results[index] = InboxResult(path, REJECTED, exc.reason, exc.params)
        opened.sort(key=lambda pair: (pair[1].sequence, pair[0]))
        held = {d["sequence"]: d for d in self.received()}
        for index, item in opened:
            try:
                self._check_sequence(item, held)
                results[index] = self._file(item)
                held[item.sequence] = self.vault.partition(RECEIVED).get(f"{item.sequence:06d}")
            except fmt.InboxRejected as exc:
                results[index] = InboxResult(item.file, REJECTED, exc.reason, exc.params,
                                             sequence=item.sequence)
        return [r for r in results if r is not None]

    @staticmethod
    def _check_sequence(item: OpenedInbox, held: dict[int, dict[str, Any]]) -> None:
        seq = item.sequence
        if seq in held:
            if held[seq]["json_sha256"] == item.json_sha256:
                raise fmt.InboxRejected("replayed", sequence=seq)
            raise fmt.InboxRejected("rollback", sequence=seq)
        last = max(held, default=0)
        if seq < last:
            raise fmt.InboxRejected("rollback", sequence=seq)
        if seq > last + 1:
            raise fmt.InboxRejected("out_of_order", sequence=seq, expected=last + 1)
        expected = held[last]["json_sha256"] if last else None
        if item.doc["previous_sha256"] != expected:
            raise fmt.InboxRejected("chain", sequence=seq)

    def _file(self, opened: OpenedInbox) -> InboxResult:
        doc, now = opened.doc, utc_now()
        office = doc["office"]
        result = InboxResult(opened.file, ACCEPTED, sequence=opened.sequence)
        notices, tasks = self.vault.partition(NOTICES), self.vault.partition(TASKS)
        items = self.vault.partition(ITEMS)
        new_notices: list[dict[str, Any]] = []
        new_tasks: list[dict[str, Any]] = []
        item_docs: list[dict[str, Any]] = []
        for item in doc["items"]:
            record: dict[str, Any] = {**item, "sequence": opened.sequence, "received": now,
                                      "office": office["name"]}
            if item["id"] in items:
                result.kept += 1
                continue
            if item["kind"] == "notice":
                if item["id"] in notices:
                    result.kept += 1
                else:
                    new_notices.append(self._notice(item, office, opened.sequence, now))
                    result.notices += 1
                record["filed"] = NOTICES
            elif item["kind"] == "task":
                if item["id"] in tasks:
                    result.kept += 1
                else:
                    new_tasks.append(self._task(item, office, opened.sequence))
                    result.tasks += 1
                record["filed"] = TASKS
            else:
                record["state"] = PROPOSED
                result.proposals += 1
            item_docs.append(record)
        received = {"id": f"{opened.sequence:06d}", "sequence": opened.sequence,
                    "json_sha256": opened.json_sha256, "inbox_id": doc["inbox_id"],
                    "office_fingerprint": office["fingerprint"], "created": doc["created"],
                    "imported": now, "file": opened.file.name[:200],
                    "items": [i["id"] for i in doc["items"]]}
        try:
            with self.vault.batch():
                self.vault.partition(RECEIVED).insert(received)
                if item_docs:
                    items.insert_many(item_docs)
                if new_notices:
                    notices.insert_many(new_notices)
                if new_tasks:
                    self.session.tasks.write_batch(new_tasks)
        except StorageError as exc:
            self.session.forget_services("tasks", "notices")
            raise UserError(exc.key, **exc.params) from None
        self.session.notices.filed(new_notices)
        return result

    @staticmethod
    def _notice(item: dict[str, Any], office: dict[str, Any], sequence: int,
                now: str) -> dict[str, Any]:
        text = item["text"]
        for attachment in item.get("attachments", []):
            text += f"\n\n—— {attachment['name']} ——\n{attachment['text']}"
        return {**{f.key: "" for f in NOTICE.fields}, "id": item["id"],
                "number": item["number"], "issuer": office["name"][:40],
                "issued_on": item["issued_on"], "title": item["title"],
                "text": text[:NOTICE.field("text").max_length or None],
                "deadline": item["due"], "audience": item["audience"],
                "created_at": now, "updated_at": now,
                "from_office": {"sequence": sequence, "ack": item["ack"],
                                "office": office["name"]}}

    @staticmethod
    def _task(item: dict[str, Any], office: dict[str, Any], sequence: int) -> dict[str, Any]:
        description = item["description"]
        if item["report"]:
            description = (description + "\n" if description else "") + i18n.t(
                "inbox.task.report_back", what=item["report"])
        return {**TASK.blank(), "id": item["id"], "title": item["title"],
                "description": description[:2000], "origin": office["name"][:60],
                "assignees": "", "due": f"{item['due']}T23:59", "priority": "high",
                "status": "todo", "log": [], "template": "", "completed_at": "",
                "from_office": {"sequence": sequence, "report": item["report"],
                                "office": office["name"]}}

    # -- proposals -------------------------------------------------------------------------
    def decide(self, item_id: str, accept: bool) -> dict[str, Any]:
        """Accept (apply) or decline a settings proposal from the office."""
        doc = self.item(item_id)
        if doc is None or doc["kind"] != "settings":
            raise UserError("storage.record_not_found")
        if doc.get("state") != PROPOSED:
            raise UserError("inbox.proposal_decided")
        values = doc["values"]
        try:
            with self.vault.batch():
                if accept:
                    health = {k: v for k, v in (
                        ("fever_threshold", values.get("fever_threshold")),
                        ("missing_days", values.get("missing_days")),
                        ("deadline", values.get("checkin_deadline"))) if v is not None}
                    if health:
                        current = self.session.health.settings.to_doc()
                        self.session.health.save_settings({**current, **health})
                    asked = {k: values[k] for k in ("report_deadline", "content") if k in values}
                    if asked:
                        self.vault.set_setting(REQUESTS, {
                            **(self.vault.setting(REQUESTS) or {}), **asked})
                self.vault.partition(ITEMS).update(
                    item_id, {"state": TAKEN if accept else DECLINED, "decided": utc_now()})
        except StorageError as exc:
            self.session.forget_services("health")
            raise UserError(exc.key, **exc.params) from None
        return self.item(item_id) or {}

"""Importing bundle files: every check before anything is written, then the
accepted bundles in one journal batch.

Files are first opened and checked one by one (size, decryption, tar, schema,
signature, recipient); then, by branch and sequence, against what the office
holds (sequence, chain), so that a stick holding sequences 4, 5 and 6 of a
branch imports all three in one run. A rejected file is left where it is; the
office store is unchanged by any rejection.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from branchtool import contact, i18n
from branchtool.bundles import format as fmt
from branchtool.bundles.verdict import FileVerdict
from branchtool.errors import UserError
from branchtool.inbox import reply as inbox_reply
from branchtool.office import imports, topics
from branchtool.office.changes import Change, ReportedRecords, apply_bundle
from branchtool.office.checks import (
    Duplicate,
    KeyIndex,
    Link,
    Verdict,
    check_recipient,
    check_sequence_and_chain,
    link_id,
    signed_by,
    summarize_history,
)
from branchtool.office.model import (
    BRANCHES,
    BUNDLES,
    CHANGES,
    GAPS,
    Clock,
    iso_utc,
    local_now,
    month_of,
    partition_of,
)
from branchtool.office.opening import Opened, open_bundle
from storage import age
from storage.errors import StorageError
from storage.partition import bulk
from storage.vault import Vault

ACCEPTED, DUPLICATE, REJECTED = "accepted", "duplicate", "rejected"
SUFFIX = ".bundle.age"
KEEP_DAYS = 400  # per-day arrivals and figures kept on a branch's document
Progress = Callable[[int, int], None]


class ImportCancelled(UserError):
    def __init__(self) -> None:
        super().__init__("office.import.cancelled")


@dataclass
class FileResult(FileVerdict):
    branch: str | None = None
    sequence: int | None = None
    missing: list[int] = field(default_factory=list)
    changes: int = 0
    filled: bool = False  # a late file that filled its missing sequence
    claimed: bool = False  # ``branch``/``sequence`` are what the file says, unverified
    day: str | None = None  # the day it is for (see ``imports``)

    def message(self) -> str:
        if self.verdict == DUPLICATE:
            return i18n.t("office.import.duplicate")
        return imports.message(self.entry(""))

    def entry(self, time: str) -> dict[str, Any]:
        """The import log's document of this file."""
        return {"time": time, "file": imports.printable(Path(self.file).name),
                "verdict": self.verdict, "reason": self.reason, "params": self.params,
                "branch": self.branch, "claimed": self.claimed, "sequence": self.sequence,
                "day": self.day, "missing": self.missing, "filled": self.filled,
                "changes": self.changes}

    def to_json(self) -> dict[str, Any]:
        return {"file": str(self.file), "verdict": self.verdict, "reason": self.reason,
                "branch": self.branch, "sequence": self.sequence, "claimed": self.claimed,
                "day": self.day, "missing": self.missing, "filled": self.filled,
                "changes": self.changes, "message": self.message()}


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """Files named, and the ``*.bundle.age`` files directly inside folders named."""
    out: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            out.extend(sorted(p for p in path.iterdir()
                              if p.name.endswith(SUFFIX) and p.is_file()))
        else:
            out.append(path)
    return out


def _fold(branch: dict[str, Any], opened: Opened, verdict: Verdict, changes: list[Change],
          imported: str, partition: str) -> None:
    """What an accepted bundle changes on its branch's document. A late file
    (filling a missing sequence) adds its days and what no later file
    superseded; the last bundle and the current figures stay the later one's."""
    doc, seq = opened.doc, opened.sequence
    if not verdict.late:
        branch["last"] = {
            "sequence": seq, "bundle_id": doc["bundle_id"], "json_sha256": opened.json_sha256,
            "head": doc["history"]["head"], "period": doc["period"], "created": doc["created"],
            "imported": imported, "redaction": doc["redaction"], "file": opened.file.name,
            "partition": partition,
        }
    branch["accepted"].append([seq, opened.json_sha256, doc["bundle_id"]])
    branch["accepted"].sort()
    branch["missing"] = sorted((set(branch["missing"]) | set(verdict.missing)) - {seq})
    first, end = doc["period"]["from"], dt.date.fromisoformat(doc["period"]["to"])
    start = max(dt.date.fromisoformat(first), end - dt.timedelta(days=KEEP_DAYS))
    days = branch["days"]
    day = start
    while day <= end:
        days.setdefault(day.isoformat(), {"seq": seq, "sent": doc["created"],
                                          "received": imported})
        day += dt.timedelta(days=1)
    # A day's figures come from the file that reported it, or from a later one
    # that corrected its records (``revised``): the newest file wins.
    health = branch.setdefault("health", {})
    revised = branch.setdefault("revised", {})
    for d, values in topics.health_days(doc["figures"]).items():
        if d > end.isoformat():
            continue
        source = revised.get(d) or (days.get(d) or {}).get("seq")
        if source is not None and source > seq and d in health:
            continue
        health[d] = values
        if d < first:
            revised[d] = seq
        else:
            revised.pop(d, None)
    # what the dashboard of a past day shows of the file that reported it
    sent = branch.setdefault("sent", {})
    sent[str(seq)] = {"period": doc["period"], "created": doc["created"],
                      "imported": imported, "current": topics.current(doc["figures"]),
                      "changes": len(changes)}
    horizon = (end - dt.timedelta(days=KEEP_DAYS)).isoformat()
    for table in (days, health, revised):
        for old in [d for d in table if d < horizon]:
            del table[old]
    for old in [s for s, v in sent.items() if v["period"]["to"] < horizon]:
        del sent[old]
    if not verdict.late:
        branch["current"] = topics.current(doc["figures"])
        branch["counts"] = doc["counts"]
        branch["changes_last"] = len(changes)
        first_day = (doc["figures"].get("health") or {}).get("first_day") \
            if isinstance(doc["figures"].get("health"), dict) else None
        if isinstance(first_day, str) and len(first_day) == 10:
            branch["first_day"] = first_day
        secretary = contact.from_json(doc["branch"].get("secretary"))
        if secretary:
            branch["contact"] = secretary.to_json()
        inbox_reply.fold(branch, doc["figures"])  # the office's notices and tasks
    branch["changes_total"] = branch.get("changes_total", 0) + len(changes)


def _bundle_doc(opened: Opened, verdict: Verdict, changes: int, imported: str) -> dict[str, Any]:
    doc, history = opened.doc, opened.history
    assert history is not None
    return {
        "id": doc["bundle_id"], "branch": opened.code, "branch_name": doc["branch"]["name"],
        "sequence": opened.sequence, "previous_sha256": doc["previous_sha256"],
        "json_sha256": opened.json_sha256, "file": opened.file.name, "size": opened.size,
        "file_sha256": opened.file_sha256, "signer_key_id": doc["signer_key_id"],
        "created": doc["created"], "imported": imported, "period": doc["period"],
        "redaction": doc["redaction"], "counts": doc["counts"], "figures": doc["figures"],
        "reports": doc["reports"],
        "history": {"base": history.base, "head": history.head, "entries": history.entries},
        "missing": verdict.missing, "changes": changes,
    }


class Gaps:
    """The ``Link``s of the branches with sequences missing: read when a run
    first meets the branch, kept up to date as it accepts, written at commit.
    A branch with nothing missing keeps none."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self.links: dict[str, dict[int, Link]] = {}
        self.stored: dict[str, set[str]] = {}  # document ids in the vault
        self.changed: set[str] = set()

    def of(self, branch: dict[str, Any]) -> dict[int, Link]:
        code = branch["code"]
        if code not in self.links:
            docs = self.vault.partition(GAPS).find(branch=code) if branch["missing"] else []
            self.links[code] = {d["sequence"]: Link.from_doc(d) for d in docs}
            self.stored[code] = {d["id"] for d in docs}
        return self.links[code]

    def later(self, code: str, sequence: int) -> set[str]:
        """The records that accepted files after ``sequence`` changed."""
        return {r for seq, link in self.links.get(code, {}).items() if seq > sequence
                for r in link.touched}

    def accepted(self, branch: dict[str, Any], item: Opened, verdict: Verdict,
                 last_before: dict[str, Any] | None) -> None:
        links = self.of(branch)
        missing = branch["missing"]
        if verdict.missing and last_before is not None:  # a new gap: the file below it
            below = last_before["sequence"]
            links.setdefault(below, Link(below, last_before["json_sha256"], None, None,
                                         last_before["head"]))
        links[item.sequence] = Link.of(item)
        lowest = min(missing, default=None)
        keep = set() if lowest is None else {
            seq for seq in links if seq > lowest or seq + 1 in missing}
        for seq in [s for s in links if s not in keep]:
            del links[seq]
        self.changed.add(branch["code"])

    def write(self) -> None:
        """Inside the import's batch."""
        part = self.vault.partition(GAPS)
        for code in sorted(self.changed):
            links = self.links[code]
            ids = {link_id(code, seq) for seq in links}
            for gone in sorted(self.stored.get(code, set()) - ids):
                part.remove(gone)
            for link in links.values():
                part.upsert(link.to_doc(code))


class Importer:
    def __init__(self, vault: Vault, *, max_size: int, now: Clock = local_now) -> None:
        self.vault = vault
        self.max_size = max_size
        self.now = now

    def run(self, files: list[Path], progress: Progress | None = None,
            cancelled: Callable[[], bool] | None = None) -> list[FileResult]:
        # Decoded bundles are millions of small acyclic objects held until the
        # commit: no cyclic collection walks them; reference counting frees them.
        with bulk(freeze=False):
            return self._run(files, progress, cancelled)

    def _run(self, files: list[Path], progress: Progress | None,
             cancelled: Callable[[], bool] | None) -> list[FileResult]:
        identity = age.X25519Identity.parse(self.vault.identity)
        branches = {b["code"]: b for b in self.vault.partition(BRANCHES).all()}
        keys = KeyIndex(list(branches.values()))
        results: list[FileResult | None] = [None] * len(files)
        opened: list[tuple[int, Opened]] = []
        total = len(files) + 1
        today = self.now().date().isoformat()
        for index, path in enumerate(files):
            if cancelled is not None and cancelled():
                raise ImportCancelled()
            item: Opened | None = None  # once set, verified: signed, then parsed
            try:
                item = open_bundle(path, identity, self.max_size, signed_by(keys))
                item.json_bytes = b""  # verified; only its hash is kept
                check_recipient(item, self.vault.recipient)
                summarize_history(item)
                opened.append((index, item))
            except fmt.BundleRejected as exc:
                results[index] = self._rejected(path, exc, today, item)
            if progress:
                progress(index + 1, total)
        imported = iso_utc(self.now())
        partition = partition_of(BUNDLES, month_of(imported))
        reported = ReportedRecords(self.vault)
        gaps = Gaps(self.vault)
        accepted: list[tuple[Opened, Verdict, list[Change]]] = []
        opened.sort(key=lambda pair: (pair[1].code, pair[1].sequence, pair[0]))
        # A bundle's id keys its record: another bundle's id (a signed but
        # reused one) would fail the whole run's write.
        used_ids = {bundle_id for b in branches.values() for _, _, bundle_id in b["accepted"]}
        for index, item in opened:
            branch = branches[item.code]
            base = FileResult(item.file, ACCEPTED, branch=item.code, sequence=item.sequence,
                              day=item.doc["period"]["to"])
            try:
                verdict = check_sequence_and_chain(item, branch, gaps.of(branch))
                if item.doc["bundle_id"] in used_ids:
                    raise fmt.BundleRejected("id_reused")
            except Duplicate:
                base.verdict = DUPLICATE
                results[index] = base
                continue
            except fmt.BundleRejected as exc:
                results[index] = self._rejected(item.file, exc, today, item)
                continue
            used_ids.add(item.doc["bundle_id"])
            assert item.history is not None
            later = gaps.later(item.code, item.sequence) if verdict.late else None
            changes = apply_bundle(reported, item.code, item.doc, item.history.last_op, later)
            last_before = branch.get("last")
            _fold(branch, item, verdict, changes, imported, partition)
            gaps.accepted(branch, item, verdict, last_before)
            accepted.append((item, verdict, changes))
            base.missing, base.changes, base.filled = verdict.missing, len(changes), verdict.late
            results[index] = base
        done = [r for r in results if r is not None]
        logged = [r.entry(imported) for r in done if r.verdict != DUPLICATE]
        if accepted or logged:
            self._commit(accepted, branches, reported, gaps, imported, partition, logged)
        if progress:
            progress(total, total)
        return done

    @staticmethod
    def _rejected(path: Path, exc: fmt.BundleRejected, today: str,
                  item: Opened | None) -> FileResult:
        """A refusal, with the branch, sequence and day the file is for as far
        as they are known (see ``imports``): from the signed bundle when it
        was verified and parsed, else what its file name claims (nothing
        unsigned is parsed)."""
        result = FileResult(path, REJECTED, exc.reason, dict(exc.params), day=today)
        if item is not None:
            result.branch, result.sequence = item.code, item.sequence
            result.day = item.doc["period"]["to"]
        elif (hint := imports.name_hint(Path(path).name)) is not None:
            result.branch, result.sequence, result.day = hint.code, hint.sequence, hint.day
            result.claimed = True
        return result

    def _commit(self, accepted: list[tuple[Opened, Verdict, list[Change]]],
                branches: dict[str, dict[str, Any]], reported: ReportedRecords, gaps: Gaps,
                imported: str, partition: str, logged: list[dict[str, Any]]) -> None:
        vault = self.vault
        codes = {item.code for item, _, _ in accepted}
        change_part = partition_of(CHANGES, month_of(imported))
        try:
            with vault.batch():
                for code in sorted(codes):
                    vault.partition(BRANCHES).replace(code, branches[code])
                # Built for this write, of a bundle dropped after it: stored as
                # they are (``owned``), not copied again.
                for item, verdict, changes in accepted:
                    vault.partition(partition).insert(
                        _bundle_doc(item, verdict, len(changes), imported), owned=True)
                    if changes:
                        vault.partition(change_part).insert_many(
                            [c.to_doc(item.code, item.doc, imported) for c in changes],
                            owned=True)
                reported.write()
                gaps.write()
                if logged:
                    vault.partition(imports.partition_for(imported)).insert_many(logged)
        except StorageError as exc:
            raise UserError(exc.key, **exc.params) from None

"""Building, signing and writing a branch's bundle; the outbox of what was sent."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from branchtool import i18n
from branchtool.bundles import format as fmt
from branchtool.bundles import providers
from branchtool.bundles.kinds import choose, kinds
from branchtool.bundles.scope import Content
from branchtool.errors import UserError
from branchtool.keyfiles import KeyFile, read_office_key
from branchtool.period import Period
from branchtool.records.redaction import COUNTS, DEFAULT_REDACTION, REDACTIONS
from storage import age, minisign
from storage.errors import StorageError
from storage.fsio import DEFAULT_IO, FileIO
from storage.history import GENESIS
from storage.records import new_id, sha256_hex
from storage.store import utc_now

if TYPE_CHECKING:
    from branchtool.session import Session

OUTBOX = "outbox"
SETTINGS_LOG = "settings_log"
OFFICE_SETTING = "office"  # the encrypted setting holding the office key
Progress = Callable[[int, int], None]
DEEDS_REPORT = "deeds"  # the deeds material (先进典型事迹材料), see reports.bundled


@dataclass
class Preview:
    """Exactly what an export will send, shown before anything is written."""

    sequence: int
    period: Period
    redaction: str
    office_name: str
    counts: dict[str, int] = field(default_factory=dict)
    withheld: dict[str, tuple[str, ...]] = field(default_factory=dict)
    reports: list[str] = field(default_factory=list)
    history_entries: int = 0
    content: Content | None = None  # None: everything (a Preview made by hand)
    deeds_to_report: int = 0  # deeds marked for reporting that become reported
    # of ``counts``: records of earlier days changed since the last bundle
    revised: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ExportResult:
    path: Path
    sequence: int
    size: int
    sha256: str
    deeds_reported: int = 0  # deeds the bundle carried, now marked reported
    # the bundle was written and recorded, but marking its deeds failed: they
    # are still marked for reporting, and travel again in the next bundle
    warning: UserError | None = None


@dataclass
class _Built:
    doc: dict[str, Any]
    office: KeyFile
    deeds: list[str]  # the deeds the material carries (their stories)


class BundleService:
    def __init__(self, session: Session, *, io: FileIO = DEFAULT_IO,
                 today: Callable[[], dt.date] = dt.date.today) -> None:
        self.session = session
        self.io = io
        self.today = today

    @property
    def vault(self) -> Any:
        return self.session.vault

    # -- the office key ----------------------------------------------------------
    def office(self) -> KeyFile | None:
        """The office key, an encrypted setting (never vault.json's plaintext)."""
        office = self.vault.setting(OFFICE_SETTING)
        if not office:
            return None
        return KeyFile(format=office["format"], name=office["name"],
                       recipient=office["recipient"],
                       minisign_public_key=office["minisign_public_key"],
                       code=office.get("code", ""))

    def logged_office_fingerprint(self) -> str | None:
        """The office key's fingerprint as the settings log last recorded it."""
        events = [d for d in self.vault.partition(SETTINGS_LOG).all()
                  if d.get("event") == "office_key"]
        if not events:
            return None
        return max(events, key=lambda d: (str(d.get("time", "")), str(d["id"]))).get("new")

    def read_office_key(self, path: Path) -> KeyFile:
        """Parse an office.pub so the user can compare its fingerprint first."""
        return read_office_key(path)

    def set_office_key(self, key: KeyFile) -> None:
        """Use ``key`` from now on; the change is logged in the history."""
        old = self.office()
        try:
            with self.vault.batch():
                self.vault.partition(SETTINGS_LOG).insert({
                    "time": utc_now(), "event": "office_key",
                    "old": old.fingerprint if old else None, "new": key.fingerprint,
                    "name": key.name,
                })
                self.vault.set_setting(OFFICE_SETTING, key.to_dict())
        except StorageError as exc:
            raise UserError(exc.key, **exc.params) from None

    def branch_key(self) -> KeyFile:
        """The branch's key file, with the secretary to phone."""
        from dataclasses import replace

        from branchtool.keys_rotation import branch_key

        secretary = self.session.contact()
        return replace(branch_key(self.vault), secretary=secretary.name, phone=secretary.phone)

    # -- the outbox ------------------------------------------------------------------
    def outbox(self) -> list[dict[str, Any]]:
        return sorted(self.vault.partition(OUTBOX).all(), key=lambda d: d["sequence"])

    def last_sent(self) -> dict[str, Any] | None:
        sent = self.outbox()
        return sent[-1] if sent else None

    def default_period(self) -> Period:
        today = self.today()
        last = self.last_sent()
        start = today
        if last:
            after = dt.date.fromisoformat(last["period"]["to"]) + dt.timedelta(days=1)
            start = min(after, today)
        return Period(start, today)

    # -- preview and export ------------------------------------------------------------
    def _check(self, period: Period, redaction: str) -> KeyFile:
        """The period and the level: an office key to send to, or one sentence."""
        if redaction not in REDACTIONS:
            raise UserError("export.bad_redaction")
        if period.start > period.end:
            raise UserError("export.bad_period")
        office = self.office()
        if office is None:
            raise UserError("export.no_office_key")
        logged = self.logged_office_fingerprint()
        if logged is not None and logged != office.fingerprint:
            raise UserError("export.office_key_not_logged")
        return office

    def preview(self, period: Period, redaction: str = DEFAULT_REDACTION,
                content: Iterable[str] | None = None) -> Preview:
        """What ``export`` with the same choices would send. ``content``: the
        content groups to send (``scope.groups``); ``None`` sends everything."""
        office = self._check(period, redaction)
        chosen = choose(content)
        last = self.last_sent()
        base_seq = last["head"]["seq"] if last else 0
        preview = Preview(sequence=(last["sequence"] + 1) if last else 1, period=period,
                          redaction=redaction, office_name=office.name, content=chosen)
        changed = changed_records(self.vault.history(since_seq=base_seq)) if last else {}
        for kind in kinds():
            if kind.name not in chosen.kinds:
                continue
            sent = {doc["id"] for doc in kind.records(self.vault, period)}
            revised = sum(1 for _ in kind.revised(self.vault, period, changed, sent))
            preview.counts[kind.name] = len(sent) + revised
            if revised:
                preview.revised[kind.name] = revised
            if redaction == "standard":
                preview.withheld[kind.name] = kind.withheld(redaction)
        preview.reports = [name for name, _ in providers.planned(
            self.session, period, redaction, chosen.reports_left_out)]
        preview.history_entries = self.vault.store.head[0] - base_seq
        preview.deeds_to_report = len(self._deeds_sent(preview.reports, redaction))
        return preview

    def _deeds_sent(self, reports: Iterable[str], redaction: str) -> list[str]:
        """The deeds whose stories the bundle carries: those marked for
        reporting, when the deeds material travels and tells them (at the
        counts level it only counts them, so they are not reported)."""
        if redaction == "counts" or not any(
                name.split("/")[0] == DEEDS_REPORT for name in reports):
            return []
        return [deed["id"] for deed in self.session.deeds.for_reporting()]

    def build(self, period: Period, redaction: str, progress: Progress | None = None,
              content: Iterable[str] | None = None) -> tuple[dict[str, Any], KeyFile]:
        built = self._build(period, redaction, progress, content)
        return built.doc, built.office

    def _build(self, period: Period, redaction: str, progress: Progress | None,
               content: Iterable[str] | None) -> _Built:
        office = self._check(period, redaction)
        chosen = choose(content)
        vault = self.vault
        info = vault.info
        last = self.last_sent()
        all_kinds = [kind for kind in kinds() if kind.name in chosen.kinds]
        steps = len(all_kinds) + 3
        step = 0

        def advance() -> None:
            nonlocal step
            step += 1
            if progress:
                progress(step, steps)

        base = last["head"] if last else {"seq": 0, "hash": GENESIS}
        seq, head_hash = vault.store.head
        entries = vault.history(since_seq=base["seq"])
        changed = changed_records(entries) if last else {}  # the first: its period only
        data: dict[str, list[dict[str, Any]]] = {}
        counts: dict[str, int] = {}
        earlier: set[dt.date] = set()  # days before the period that records correct
        first = period.start.isoformat()
        for kind in all_kinds:
            # the record definition's cut (RecordDef.withheld), applied in place
            # to the kind's own copies: a month is 100,000 documents
            withheld = kind.withheld(redaction)
            records = list(kind.records(vault, period))
            sent = {doc["id"] for doc in records}
            for doc in kind.revised(vault, period, changed, sent):
                records.append(doc)
                day = str(doc.get(kind.date_field, ""))[:10]
                if _is_day(day) and day < first:
                    earlier.add(dt.date.fromisoformat(day))
            if redaction != COUNTS:
                for doc in records:
                    for key in withheld:
                        doc.pop(key, None)
            counts[kind.name] = len(records)
            data[kind.name] = [] if redaction == COUNTS else records
            advance()
        figures = providers.figures(self.session, period, earlier, redaction)
        advance()
        reports = providers.reports(self.session, period, redaction,
                                    left_out=chosen.reports_left_out)
        deeds = self._deeds_sent(reports, redaction)
        advance()
        # only the kinds carried show what changed; the others, links only
        entries = [e if any(k.holds(e["partition"]) for k in all_kinds) else fmt.link_only(e)
                   for e in entries]
        advance()
        doc = {
            "format": fmt.FORMAT,
            "version": fmt.VERSION,
            "bundle_id": new_id(),
            "branch": self._branch(info),
            "signer_key_id": vault.signing_key_id,
            "recipient": office.recipient,
            "office_name": office.name,
            "sequence": (last["sequence"] + 1) if last else 1,
            "previous_sha256": last["json_sha256"] if last else None,
            "created": utc_now(),
            "period": period.to_json(),
            "redaction": redaction,
            "content": list(chosen.kinds),
            "data": data,
            "counts": counts,
            "figures": figures,
            "reports": reports,
            "history": {"base": base, "head": {"seq": seq, "hash": head_hash},
                        "entries": entries},
        }
        return _Built(doc, office, deeds)

    def _branch(self, info: dict[str, Any]) -> dict[str, Any]:
        """Who sends: the code and name, and the secretary to phone when set."""
        out: dict[str, Any] = {"code": info.get("branch_code", ""),
                               "name": info.get("branch_name", "")}
        secretary = self.session.contact()
        if secretary:
            out["secretary"] = secretary.to_json()
        return out

    def export(self, out_dir: Path, period: Period | None = None,
               redaction: str = DEFAULT_REDACTION,
               progress: Progress | None = None,
               content: Iterable[str] | None = None) -> ExportResult:
        """Write ``<code>-<seq>-<yyyymmdd>.bundle.age`` into ``out_dir``
        atomically, then record it in the outbox. A failure at any point leaves
        no file behind and does not advance the sequence.

        Once it is recorded, the deeds whose stories it carries become
        reported (one batch). Should that fail, the bundle stands as written
        and recorded; the result's ``warning`` says so, and the deeds, still
        marked for reporting, travel again in the next bundle."""
        period = period or self.default_period()
        out_dir = Path(out_dir)
        if not out_dir.is_dir():
            raise UserError("export.no_folder", path=str(out_dir))
        built = self._build(period, redaction, progress, content)
        doc, office = built.doc, built.office
        json_bytes = fmt.encode(doc)
        json_sha = sha256_hex(json_bytes)
        signature = self.vault.sign(json_bytes, fmt.trusted_comment(doc, json_sha))
        created = dt.datetime.fromisoformat(doc["created"].replace("Z", "+00:00"))
        sealed = fmt.seal(json_bytes, signature, int(created.timestamp()))
        blob = age.encrypt(sealed, [office.recipient, self.vault.recipient])
        name = fmt.file_name(doc["branch"]["code"], doc["sequence"], f"{self.today():%Y-%m-%d}")
        path = out_dir / name
        if path.exists():
            self._clear_unrecorded(path, doc["sequence"])
        for stale in self.io.stale_temp_files(out_dir, f"{doc['branch']['code']}-*.bundle.age"):
            self.io.unlink(stale)  # what an interrupted export left on a FAT stick
        try:
            self.io.write_new(path, blob)
        except FileExistsError:
            raise UserError("export.exists", name=name) from None
        except OSError as exc:
            raise UserError("export.write_failed",
                            reason=errno.errorcode.get(exc.errno or 0, "OSError")) from None
        record = {
            "id": doc["bundle_id"], "sequence": doc["sequence"], "created": doc["created"],
            "file": name, "size": len(blob), "sha256": hashlib.sha256(blob).hexdigest(),
            "json_sha256": json_sha, "period": doc["period"], "redaction": redaction,
            "head": doc["history"]["head"], "counts": doc["counts"],
            "content": doc["content"], "deeds": built.deeds, "received": None,
        }
        try:
            self.vault.partition(OUTBOX).insert(record)
        except StorageError as exc:
            self.io.unlink(path)  # not recorded, so not sent: the sequence stays
            raise UserError(exc.key, **exc.params) from None
        reported, warning = self._mark_deeds_reported(built.deeds)
        return ExportResult(path, doc["sequence"], len(blob), record["sha256"],
                            deeds_reported=reported, warning=warning)

    def _mark_deeds_reported(self, deed_ids: list[str]) -> tuple[int, UserError | None]:
        if not deed_ids:
            return 0, None
        try:
            return len(self.session.deeds.mark_sent(deed_ids)), None
        except (UserError, StorageError) as exc:
            from branchtool.errors import describe

            return 0, UserError("export.deeds_not_marked", reason=describe(exc))

    def _clear_unrecorded(self, path: Path, sequence: int) -> None:
        """A file already bearing the next bundle's name is either someone
        else's (refuse) or this branch's own export that was interrupted after
        the file landed and before the outbox recorded it: never sent, so it is
        replaced."""
        try:
            leftover = self.open_sent(path)
        except UserError:
            raise UserError("export.exists", name=path.name) from None
        if leftover["sequence"] != sequence or any(
                sent["sequence"] == sequence for sent in self.outbox()):
            raise UserError("export.exists", name=path.name)
        self.io.unlink(path)

    # -- reopening what was sent ------------------------------------------------------------
    def open_sent(self, path: Path) -> dict[str, Any]:
        """Decrypt and verify a bundle this branch wrote (it is encrypted to us too)."""
        try:
            tar = age.decrypt(Path(path).read_bytes(), [self.vault.identity])
        except (OSError, age.AgeError):
            raise UserError("export.cannot_open") from None
        json_bytes, signature = fmt.unpack(tar)
        for public_key in self.vault.signing_public_keys:  # signed before a key rotation too
            try:
                minisign.verify(json_bytes, signature, public_key)
            except minisign.MinisignError:
                continue
            return fmt.decode(json_bytes)
        raise fmt.BundleRejected("signature")


def changed_records(entries: Iterable[dict[str, Any]]) -> dict[str, set[str]]:
    """partition -> ids of the records that history ``entries`` inserted or
    updated and did not remove afterwards (what changed since the last bundle)."""
    out: dict[str, set[str]] = {}
    for entry in entries:
        ids = out.setdefault(entry["partition"], set())
        if entry["op"] == "remove":
            ids.discard(entry["record"])
        else:
            ids.add(entry["record"])
    return out


def _is_day(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def describe_period(period: Period) -> str:
    if period.start == period.end:
        return i18n.format_date(period.start)
    return f"{i18n.format_date(period.start)} – {i18n.format_date(period.end)}"

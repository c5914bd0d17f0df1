"""``OfficeService``: what the CLI and the office screens call on an unlocked
office vault."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from branchtool.errors import UserError
from branchtool.inbox.outbox import OfficeOutbox
from branchtool.keyfiles import BRANCH_FORMAT, OFFICE_FORMAT, KeyFile, read_key_file
from branchtool.office import abnormal, imports, receipts, status
from branchtool.office import changes as change_log
from branchtool.office.changes import ReportedRecords
from branchtool.office.create import office_key, require_office
from branchtool.office.importer import FileResult, Importer, Progress, collect_files
from branchtool.office.model import (
    BRANCHES,
    BUNDLES,
    RECORDS,
    SETTINGS,
    SETTINGS_ID,
    Clock,
    OfficeSettings,
    check_deadline,
    local_now,
)
from branchtool.office.rotation import Rotation, parse_rotation
from branchtool.office.trust import TrustStore
from branchtool.period import Period
from storage.errors import StorageError
from storage.fsio import read_regular
from storage.vault import Vault

if TYPE_CHECKING:
    from branchtool.session import Session


class OfficeService:
    def __init__(self, vault: Vault, *, now: Clock = local_now,
                 tz: dt.tzinfo | None = None) -> None:
        require_office(vault)
        self.vault = vault
        self.now = now
        self.tz = tz

    @classmethod
    def of(cls, session: Session) -> OfficeService:
        """The session's (``session.office``): one wiring for app and CLI."""
        return session.office_service

    # -- who we are ----------------------------------------------------------------
    @property
    def name(self) -> str:
        return str(self.vault.info.get("office_name", ""))

    def key(self) -> KeyFile:
        return office_key(self.vault)

    def today(self) -> dt.date:
        return self.now().astimezone(self.tz).date()

    # -- settings ------------------------------------------------------------------------
    def settings(self) -> OfficeSettings:
        return OfficeSettings.from_doc(self.vault.partition(SETTINGS).get(SETTINGS_ID))

    def save_settings(self, *, deadline: str | None = None,
                      max_size: int | None = None) -> OfficeSettings:
        old = self.settings()
        new = OfficeSettings(
            deadline=check_deadline(deadline) if deadline is not None else old.deadline,
            max_size=max_size if max_size is not None else old.max_size)
        if max_size is not None and max_size < 1:
            raise UserError("office.bad_max_size")
        self._write(lambda: self.vault.partition(SETTINGS).upsert(new.to_doc()))
        return new

    # -- trust --------------------------------------------------------------------------
    @property
    def trust(self) -> TrustStore:
        return TrustStore(self.vault, self.now)

    def read_branch_key(self, path: Path) -> KeyFile:
        """A branch's key file; an office's (this one's own ``office.pub``,
        say) is named as such, not as a broken file."""
        try:
            return read_key_file(Path(path), BRANCH_FORMAT)
        except UserError as error:
            if error.key != "keyfile.invalid":
                raise
            try:
                office = read_key_file(Path(path), OFFICE_FORMAT)
            except UserError:
                raise error from None
            own = office.fingerprint == self.key().fingerprint
            raise UserError("office.trust.own_key" if own else "office.trust.office_key",
                            name=office.name) from None

    @staticmethod
    def read_rotation(path: Path) -> Rotation:
        try:
            data = read_regular(Path(path), 1 << 20)
        except OSError:
            raise UserError("office.rotation.unreadable", path=str(path)) from None
        return parse_rotation(data)

    # -- import ---------------------------------------------------------------------------
    def import_paths(self, paths: Iterable[Path], progress: Progress | None = None,
                     cancelled: Callable[[], bool] | None = None,
                     max_size: int | None = None) -> list[FileResult]:
        files = collect_files(paths)
        importer = Importer(self.vault, max_size=max_size or self.settings().max_size,
                            now=self.now)
        return importer.run(files, progress, cancelled)

    # -- overseeing ------------------------------------------------------------------------
    def branches(self) -> list[dict[str, Any]]:
        return self.trust.branches()

    def overview(self, day: dt.date | None = None) -> status.Overview:
        day = day or self.today()
        # The stored documents, read-only, not copies: with 500 branches after
        # a semester (a few hundred days each) copying them cost half a second.
        branches = self.vault.partition(BRANCHES).view()
        result = status.overview(branches, day, self.settings(), self.tz,
                                 imports.refused_on(self.vault, day))
        result.notices, result.tasks = self.outbox.coverage(branches, day)
        return result

    @property
    def outbox(self) -> OfficeOutbox:
        """What the office sends down: notices, tasks, settings (``branchtool.inbox``)."""
        return OfficeOutbox(self.vault, now=self.now)

    def abnormal(self, day: dt.date | None = None) -> abnormal.AbnormalList:
        """The named list of the abnormal of the day (``abnormal``)."""
        return abnormal.abnormal_on(self.vault, self.trust.branches(), day or self.today())

    def import_log(self, months: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Every file imported or refused, newest first (``imports``)."""
        return imports.log(self.vault, months)

    def bundles_of(self, code: str) -> list[dict[str, Any]]:
        """Every accepted bundle of a branch, newest first (with reports)."""
        out: list[dict[str, Any]] = []
        for name in self.vault.partitions(BUNDLES + "/"):
            out.extend(self.vault.partition(name).find(branch=code))
        return sorted(out, key=lambda b: b["sequence"], reverse=True)

    def latest_bundle(self, code: str) -> dict[str, Any] | None:
        branch = self.trust.require(code)
        last = branch.get("last")
        if not last:
            return None
        return self.vault.partition(last["partition"]).get(last["bundle_id"])

    def latest_records(self, code: str, kind: str,
                       months: Iterable[str] = ("",)) -> list[dict[str, Any]]:
        return ReportedRecords(self.vault).latest(code, kind, months)

    def held_counts(self, code: str, months: Iterable[str]) -> dict[str, int]:
        return ReportedRecords(self.vault).held(code, months)

    def reported_months(self, code: str) -> list[str]:
        """The months of a branch's records filed by day that the office
        shows: those of its last bundle's period and the month before (for
        trends over 30 days), that the office holds records of."""
        period = (self.trust.require(code).get("last") or {}).get("period")
        if not period:
            return []
        start = dt.date.fromisoformat(period["from"]).replace(day=1) - dt.timedelta(days=1)
        wanted = Period(start, dt.date.fromisoformat(period["to"])).months()
        held = {name.removeprefix(RECORDS + "/") for name in self.vault.partitions(RECORDS + "/")}
        return [m for m in wanted if m in held]

    def changes(self, code: str | None = None) -> list[dict[str, Any]]:
        return change_log.changes_for(self.vault, code)

    def write_receipts(self, out_dir: Path, codes: Iterable[str] | None = None) -> list[Path]:
        wanted = set(codes) if codes else None
        branches = [b for b in self.branches() if wanted is None or b["code"] in wanted]
        return receipts.write_receipts(self.vault, branches, out_dir, now=self.now)

    def export_summary(self, path: Path, day: dt.date | None = None,
                       kind: str | None = None) -> Path:
        from branchtool.office import summary_file

        return summary_file.export(self, Path(path), day or self.today(), kind)

    def _write(self, action: Callable[[], object]) -> None:
        try:
            action()
        except StorageError as exc:
            raise UserError(exc.key, **exc.params) from None

"""One vault folder as the app and the CLI use it: create it, unlock it, lock
it, and reach the services of the unlocked vault.

Services are built on first use after each unlock and dropped at lock, with
the vault's key material, so nothing decrypted outlives a lock. Callers reach
them through the session each time (``session.roster``), never keep them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from branchtool import i18n, passphrase
from branchtool.branch_code import branch_code_problem
from branchtool.errors import UserError, translated

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from branchtool.bundles.export import BundleService
    from branchtool.contact import Contact
    from branchtool.office.service import OfficeService
    from branchtool.services.alerts import AlertService
    from branchtool.services.care import CareService
    from branchtool.services.contacts import ContactService
    from branchtool.services.day_reports import DayReports
    from branchtool.services.deeds import DeedService
    from branchtool.services.folders import Folders
    from branchtool.services.health import HealthService
    from branchtool.services.member_records import MemberRecordService
    from branchtool.services.notices import NoticeService
    from branchtool.services.roster import RosterService
    from branchtool.services.survey_templates import TemplateStore
    from branchtool.services.tasks import TaskService
    from storage.vault import Vault

DEFAULT_WORK_FACTOR = 18
IDLE_MINUTES = 10
THEMES = ("textual-dark", "textual-light")
BORDERS = ("unicode", "ascii")  # ascii: for the old Windows console window


@dataclass(frozen=True)
class UiSettings:
    """Preferences: the language, theme and borders are kept in the plaintext
    vault.json (nothing sensitive; covered by its MAC, so an edit is refused
    at unlock), so they apply before unlocking; the idle minutes before
    auto-lock are an encrypted setting (an edit to a plain file must not
    switch the lock off), known once unlocked."""

    language: str = ""
    theme: str = THEMES[0]
    idle_minutes: int = IDLE_MINUTES
    borders: str = BORDERS[0]

    @classmethod
    def from_info(cls, info: dict[str, Any]) -> UiSettings:
        raw = info.get("ui") if isinstance(info.get("ui"), dict) else {}
        language = raw.get("language", "")
        theme = raw.get("theme", THEMES[0])
        borders = raw.get("borders", BORDERS[0])
        return cls(
            language=language if language in i18n.LANGUAGES else "",
            theme=theme if theme in THEMES else THEMES[0],
            borders=borders if borders in BORDERS else BORDERS[0],
        )

    def to_info(self) -> dict[str, Any]:
        """What vault.json keeps: the idle minutes are not in it."""
        return {"language": self.language, "theme": self.theme, "borders": self.borders}


def idle_minutes(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) \
        and 1 <= value <= 240 else IDLE_MINUTES


class Session:
    # True for a branch's reported data viewed at the office (office/branch_view.py).
    read_only = False
    # The local time the epidemic-watch services use; ``None``: the wall clock
    # (tests and the demo pin it).
    clock: Callable[[], dt.datetime] | None = None

    def __init__(self, path: str | os.PathLike[str], *,
                 work_factor: int = DEFAULT_WORK_FACTOR) -> None:
        self.path = Path(path)
        self.work_factor = work_factor
        self._vault: Vault | None = None
        self._services: dict[str, Any] = {}

    # -- without a passphrase -----------------------------------------------
    def exists(self) -> bool:
        from storage.vault import Vault

        return Vault.exists(self.path)

    def info(self) -> dict[str, Any]:
        """vault.json's ``info`` (branch code and name, demo flag, language and
        theme). Before unlocking it is read unauthenticated: for display only."""
        from storage.errors import StorageError
        from storage.vault import Vault

        if self._vault is not None:
            return self._vault.info
        try:
            return dict(Vault.read_info(self.path).get("info", {}))
        except StorageError as exc:
            raise translated(exc) from None

    @property
    def is_demo(self) -> bool:
        return bool(self.info().get("demo"))

    def settings(self) -> UiSettings:
        """The preferences; the idle minutes are the default until unlocked."""
        if not self.exists():
            return UiSettings()
        ui = UiSettings.from_info(self.info())
        if self.unlocked:
            ui = replace(ui, idle_minutes=idle_minutes(self.setting("idle_minutes")))
        return ui

    def save_settings(self, settings: UiSettings) -> None:
        from storage.errors import StorageError

        if self.setting("idle_minutes") != settings.idle_minutes:
            self.set_setting("idle_minutes", settings.idle_minutes)
        if self.vault.info.get("ui") != settings.to_info():
            try:
                self.vault.update_info(ui=settings.to_info())
            except StorageError as exc:
                raise translated(exc) from None

    # -- encrypted settings (docs/internals.md) ----------------------------------
    def setting(self, name: str, default: Any = None) -> Any:
        """An encrypted setting of the unlocked vault (a copy), or ``default``."""
        return self.vault.setting(name, default)

    def set_setting(self, name: str, value: Any) -> None:
        """Keep ``value`` (JSON data) as the encrypted setting ``name`` (one
        journal write, in the history; ``None`` removes it)."""
        from storage.errors import StorageError

        try:
            self.vault.set_setting(name, value)
        except StorageError as exc:
            raise translated(exc) from None

    # -- the secretary's contact: an encrypted setting --------------------------
    def contact(self) -> Contact:
        """The branch secretary's name and phone (``branchtool.contact``)."""
        from branchtool import contact

        return contact.read(self)

    def save_contact(self, name: str, phone: str) -> Contact:
        """Keep the secretary's name and phone as typed (trimmed and checked:
        ``UserError`` with what is wrong)."""
        from branchtool import contact

        cleaned = contact.clean(name, phone)
        contact.save(self, cleaned)
        return cleaned

    # -- create, unlock, lock ------------------------------------------------
    def create(self, code: str, name: str, secret: str, *,
               office_key: str | os.PathLike[str] | None = None,
               extra_info: dict[str, Any] | None = None, check_passphrase: bool = True) -> None:
        """Create the vault and leave it unlocked. Runs scrypt: call from a worker."""
        from storage.errors import StorageError
        from storage.vault import Vault

        code, name = code.strip(), name.strip()
        problem = branch_code_problem(code)
        if problem:
            raise UserError(problem, code=code)
        if not name:
            raise UserError("session.name_required")
        if check_passphrase:
            passphrase.check_strength(secret)
        info: dict[str, Any] = {"branch_code": code, "branch_name": name, **(extra_info or {})}
        office = None
        if office_key:
            from branchtool.keyfiles import read_office_key

            office = read_office_key(Path(office_key))
        try:
            self._vault = Vault.create(self.path, secret, kind="branch", info=info,
                                       work_factor=self.work_factor)
        except StorageError as exc:
            raise translated(exc) from None
        if office is not None:
            self.bundles.set_office_key(office)

    def unlock(self, secret: str, *, load: bool = True) -> list[str]:
        """Open the vault (scrypt: call from a worker). Returns the recovery
        notices to show, e.g. a torn last write that was dropped.

        ``load``: authenticate and load every current partition now (the app:
        a damaged file is found at unlock, not half-way through the work).
        A command that reads a few partitions passes ``False``: each is
        loaded, and authenticated, when first touched."""
        from storage.errors import StorageError, VaultNotFound
        from storage.vault import Vault

        if self._vault is not None:
            return []
        if not Vault.exists(self.path):
            raise translated(VaultNotFound(path=str(self.path)))
        try:
            vault = Vault.open(self.path, secret)
        except StorageError as exc:
            raise translated(exc) from None
        try:
            if load:
                vault.load_current(_loaded_later(vault))
        except StorageError as exc:
            vault.close(compact=False)
            raise translated(exc) from None
        self._vault = vault
        return [i18n.t(n.key, **n.params) for n in vault.notices]

    def backups(self) -> list[str]:
        """The backup sets' names, newest first."""
        from storage.vault import Vault

        return [folder.name for folder in Vault.backups(self.path)]

    def latest_backup(self) -> str | None:
        """The newest backup set's name, offered when a file fails its check."""
        backups = self.backups()
        return backups[0] if backups else None

    def restore_backup(self, backup: str | None = None) -> Path:
        """Put a backup set (the newest by default) in place of data/; returns
        the folder the replaced data was moved to. Only while locked."""
        from storage.errors import StorageError
        from storage.vault import Vault

        if self._vault is not None:
            raise UserError("session.restore_while_unlocked")
        try:
            Vault.read_info(self.path)
            return Vault.restore(self.path, backup)
        except StorageError as exc:
            raise translated(exc) from None

    def restore_latest_backup(self) -> None:
        """Put the newest backup set in place of data/ (the replaced folder is
        kept beside it). Only while locked."""
        self.restore_backup()

    def lock(self, *, compact: bool = True) -> None:
        """Drop the services (and their decrypted data) and close the vault,
        which drops its key material and releases the writer lock
        (``compact=False``: without the compaction a close may do: a
        command that only read)."""
        self._services.clear()
        vault, self._vault = self._vault, None
        if vault is not None:
            vault.close(compact=compact)

    close = lock

    # -- the vault as a whole -------------------------------------------------------
    def change_passphrase(self, new: str) -> None:
        """Re-wrap the vault's keys under ``new`` (scrypt: call from a worker)."""
        from storage.errors import StorageError

        try:
            self.vault.change_passphrase(new)
        except StorageError as exc:
            raise translated(exc) from None

    def check(self, progress: Callable[[int, int], None] | None = None) -> list[str]:
        """Read every file of the vault and its history (``vault check``): the
        problems found; a file that fails authentication raises
        ``StoredDataError`` (``corrupt``). ``progress(done, total)``."""
        from storage.errors import StorageError

        try:
            return self.vault.check(progress)
        except StorageError as exc:
            raise translated(exc) from None

    def compact(self) -> None:
        from storage.errors import StorageError

        try:
            self.vault.compact()
        except StorageError as exc:
            raise translated(exc) from None

    def forget_services(self, *names: str) -> None:
        """Drop these services' in-memory state: they are built again from the
        store when next used (after a write made beside them, or one that
        failed half-way in memory)."""
        for name in names:
            self._services.pop(name, None)

    @property
    def unlocked(self) -> bool:
        return self._vault is not None

    @property
    def vault(self) -> Vault:
        if self._vault is None:
            raise UserError("storage.vault_closed")
        return self._vault

    # -- services -------------------------------------------------------------
    @property
    def roster(self) -> RosterService:
        service = self._services.get("roster")
        if service is None:
            from branchtool.services.roster import CHANGES, PARTITION, RosterService

            vault = self.vault
            service = self._services["roster"] = RosterService(
                vault.partition(PARTITION), vault.batch, changes=vault.partition(CHANGES))
        return service

    @property
    def bundles(self) -> BundleService:
        service = self._services.get("bundles")
        if service is None:
            from branchtool.bundles.export import BundleService

            service = self._services["bundles"] = BundleService(self)
        return service

    @property
    def care(self) -> CareService:
        service = self._services.get("care")
        if service is None:
            from branchtool.services.care import CASES, VISITS, CareService

            vault, clock = self.vault, self._watch_clock()
            service = self._services["care"] = CareService(
                vault.partition(CASES), vault.partition(VISITS), vault.batch, self.roster,
                today=lambda: clock().date())
        return service

    @property
    def tasks(self) -> TaskService:
        service = self._services.get("tasks")
        if service is None:
            from branchtool.services.tasks import PARTITION, TaskService

            vault = self.vault
            service = self._services["tasks"] = TaskService(
                vault.partition(PARTITION), vault.batch, self.roster, clock=self._watch_clock())
        return service

    @property
    def member_records(self) -> MemberRecordService:
        service = self._services.get("member_records")
        if service is None:
            from branchtool.services.member_records import PARTITION, MemberRecordService

            vault, clock = self.vault, self._watch_clock()
            service = MemberRecordService(vault.partition(PARTITION), vault.batch, self.roster,
                                          today=lambda: clock().date())
            service.set_ref_check("task", self.tasks.task_exists)
            self._services["member_records"] = service
        return service

    @property
    def deeds(self) -> DeedService:
        service = self._services.get("deeds")
        if service is None:
            from branchtool.services.deeds import PARTITION, DeedService

            vault = self.vault
            service = self._services["deeds"] = DeedService(
                vault.partition(PARTITION), vault.batch, self.roster)
        return service

    @property
    def day_reports(self) -> DayReports:
        """The daily reports' 其他事项, by date."""
        service = self._services.get("day_reports")
        if service is None:
            from branchtool.services.day_reports import PARTITION, DayReports

            service = self._services["day_reports"] = DayReports(
                self.vault.partition(PARTITION))
        return service

    # -- epidemic watch: contacts, health check-ins, alerts, notices ------------
    def _watch_clock(self) -> Any:
        from branchtool.services.watch import local_now

        return self.clock or local_now

    @property
    def contacts(self) -> ContactService:
        service = self._services.get("contacts")
        if service is None:
            from branchtool.services.contacts import ContactService

            service = self._services["contacts"] = ContactService(
                self.vault, self.roster, now=self._watch_clock())
        return service

    @property
    def health(self) -> HealthService:
        """Check-ins; building it also builds the alerts that listen to its writes."""
        service = self._services.get("health")
        if service is None:
            from branchtool.services.alerts import AlertService
            from branchtool.services.health import HealthService

            contacts, now = self.contacts, self._watch_clock()
            service = self._services["health"] = HealthService(
                self.vault, self.roster, isolation=contacts.person_isolation, now=now)
            self._services["alerts"] = AlertService(
                self.vault, self.roster, service, contacts, now=now)
        return service

    @property
    def alerts(self) -> AlertService:
        """Built together with the check-ins (``health``) it listens to."""
        if "alerts" not in self._services:
            _ = self.health
        return self._services["alerts"]

    @property
    def notices(self) -> NoticeService:
        service = self._services.get("notices")
        if service is None:
            from branchtool.services.notices import NoticeService

            service = self._services["notices"] = NoticeService(
                self.vault, self.roster, now=self._watch_clock())
        return service

    @property
    def office_service(self) -> OfficeService:
        """The office's trust store, imports and overview (an office vault)."""
        service = self._services.get("office_service")
        if service is None:
            from branchtool.office.service import OfficeService

            service = self._services["office_service"] = OfficeService(self.vault)
        return service

    @property
    def folders(self) -> Folders:
        """The last folder used and the stick folder (file dialogs, default paths)."""
        service = self._services.get("folders")
        if service is None:
            from branchtool.services.folders import Folders

            service = self._services["folders"] = Folders(self)
        return service

    @property
    def survey_templates(self) -> TemplateStore:
        """The questionnaires' column and answer choices (check-in import)."""
        service = self._services.get("survey_templates")
        if service is None:
            from branchtool.services.survey_templates import PARTITION, TemplateStore

            service = self._services["survey_templates"] = TemplateStore(
                self.vault.partition(PARTITION))
        return service

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.lock()


def _loaded_later(vault: Vault) -> frozenset[str]:
    """What unlocking leaves to be loaded (and authenticated) when first
    touched: an office's reported records, bundles and changes, which its
    dashboard never reads (``office.model.LOADED_LATER``)."""
    from branchtool.office.model import LOADED_LATER

    return LOADED_LATER if vault.kind == "office" else frozenset()

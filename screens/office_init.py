"""``office init`` as a form: the office's name, the passphrase twice with
its strength, and a folder (a USB stick) to write office.pub into as well.
Creating runs scrypt in a worker; the vault is left unlocked."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from branchtool import i18n
from branchtool.office.create import NAME_MAX, create_office
from branchtool.session import Session
from screens.vault_form import VaultForm


class OfficeInitScreen(VaultForm):
    ID = "office-init"
    TEXT = "office_ui.init"
    FIELDS = ("name", "passphrase", "repeat", "out")
    OPTIONAL = "out"
    MAX_LENGTH: ClassVar[dict[str, int]] = {"name": NAME_MAX}

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.written: list[Path] = []

    def field_problems(self) -> dict[str, str]:
        found: dict[str, str] = {}
        if not self.value("name").strip():
            found["name"] = i18n.t("office.name_required")
        out = self.value("out").strip()
        if out and not Path(out).expanduser().is_dir():
            found["out"] = i18n.t("office.no_folder", path=out)
        return found

    def create_vault(self, values: dict[str, str]) -> None:
        out = values["out"].strip()
        secret = values["passphrase"]
        vault, self.written = create_office(self.session.path, values["name"], secret,
                                            out=Path(out).expanduser() if out else None,
                                            work_factor=self.session.work_factor)
        vault.close()
        self.session.unlock(secret)

    def created(self) -> None:
        for path in self.written:
            self.app.notify(i18n.t("cli.office.init.key_written", path=str(path)))

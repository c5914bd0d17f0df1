"""The first start: create the branch vault (code, name, passphrase twice
with its strength, and optionally the Party office's key file)."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import Input

from branchtool import i18n
from branchtool.branch_code import branch_code_problem
from branchtool.errors import UserError
from branchtool.session import Session
from screens.vault_form import VaultForm


class CreateVaultScreen(VaultForm):
    ID = "create"
    TEXT = "app.create"
    OPTIONAL = "office"
    AUTO_FOCUS = "#create-code"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "create", "app.create.key", priority=True),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__(session, {
            "code": Input(placeholder=i18n.t("app.create.code_placeholder"), compact=True),
            "name": Input(placeholder=i18n.t("app.create.name_placeholder"), compact=True),
            "passphrase": Input(password=True, compact=True),
            "repeat": Input(password=True, compact=True),
            "office": Input(placeholder=i18n.t("app.create.office_placeholder"), compact=True),
        })

    def field_problems(self) -> dict[str, str]:
        found: dict[str, str] = {}
        code = self.value("code").strip()
        code_problem = branch_code_problem(code)
        if code_problem:
            found["code"] = i18n.t(code_problem, code=code)
        if not self.value("name").strip():
            found["name"] = i18n.t("session.name_required")
        return found

    def create_vault(self, values: dict[str, str]) -> None:
        self.session.create(values["code"], values["name"], values["passphrase"],
                            office_key=values["office"].strip() or None)

    def error_field(self, error: UserError) -> str | None:
        """A key file that cannot be read is the office field's problem."""
        return "office" if error.key.startswith("keyfile.") else None

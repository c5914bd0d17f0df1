"""The first start: create the branch vault (code, name, passphrase twice
with its strength, and optionally the Party office's key file)."""

from __future__ import annotations

from branchtool import i18n
from branchtool.branch_code import branch_code_problem
from branchtool.errors import UserError
from screens.vault_form import VaultForm


class CreateVaultScreen(VaultForm):
    ID = "create"
    TEXT = "app.create"
    FIELDS = ("code", "name", "passphrase", "repeat", "office")
    OPTIONAL = "office"

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

"""The first start: create the branch vault (code, name, passphrase twice
with its strength, and optionally the Party office's key file)."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Input, LoadingIndicator, Static
from textual.worker import Worker, WorkerState

from branchtool import i18n, passphrase
from branchtool.errors import UserError
from branchtool.session import Session, branch_code_problem
from screens.base import localize_bindings
from screens.form import FormRow

FIELDS = ("code", "name", "passphrase", "repeat", "office")


class CreateVaultScreen(Screen[bool]):
    CSS_PATH = "create_vault.tcss"
    AUTO_FOCUS = "#create-code"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "create", "app.create.key", priority=True),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        inputs = {
            "code": Input(placeholder=i18n.t("app.create.code_placeholder"), compact=True),
            "name": Input(placeholder=i18n.t("app.create.name_placeholder"), compact=True),
            "passphrase": Input(password=True, compact=True),
            "repeat": Input(password=True, compact=True),
            "office": Input(placeholder=i18n.t("app.create.office_placeholder"), compact=True),
        }
        self.rows = {
            key: FormRow(i18n.t(f"app.create.{key}"), widget, key=key,
                         required=key != "office")
            for key, widget in inputs.items()
        }
        for key, widget in inputs.items():
            widget.id = f"create-{key}"
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="create-box"):
            yield Static(i18n.t("app.create.title"), id="create-title")
            yield Static(i18n.t("app.create.intro", path=str(self.session.path)),
                         id="create-intro")
            yield self.rows["code"]
            yield self.rows["name"]
            yield self.rows["passphrase"]
            yield Static(id="create-strength")
            yield self.rows["repeat"]
            yield self.rows["office"]
            with Horizontal(id="create-actions"):
                yield LoadingIndicator(id="create-spinner")
                yield Static(id="create-message")
                yield Button(i18n.t("app.create.button"), variant="primary", id="create-ok")

    def on_mount(self) -> None:
        self._show_strength("")

    def value(self, key: str) -> str:
        widget = self.rows[key].widget
        assert isinstance(widget, Input)
        return widget.value

    @on(Input.Changed, "#create-passphrase")
    def _passphrase_changed(self, event: Input.Changed) -> None:
        self._show_strength(event.value)

    def _show_strength(self, value: str) -> None:
        score = passphrase.strength(value)
        bar = "■" * score + "□" * (4 - score)
        text = i18n.t("app.create.strength", bar=bar, word=i18n.t(f"app.create.strength.{score}"),
                      minimum=passphrase.MIN_LENGTH)
        label = self.query_one("#create-strength", Static)
        label.update(text)
        label.set_class(score < 2, "-weak")

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        if event.input.id == "create-office":
            self.action_create()
        else:
            self.focus_next()

    def problems(self) -> dict[str, str]:
        found: dict[str, str] = {}
        code_problem = branch_code_problem(self.value("code").strip())
        if code_problem:
            found["code"] = i18n.t(code_problem)
        if not self.value("name").strip():
            found["name"] = i18n.t("session.name_required")
        secret = self.value("passphrase")
        if len(secret) < passphrase.MIN_LENGTH:
            found["passphrase"] = i18n.t("passphrase.too_short", minimum=passphrase.MIN_LENGTH)
        elif self.value("repeat") != secret:
            found["repeat"] = i18n.t("cli.passphrase_mismatch")
        return found

    @on(Button.Pressed, "#create-ok")
    def action_create(self) -> None:
        found = self.problems()
        for key, row in self.rows.items():
            row.show_problem(found.get(key, ""))
        if found:
            self.rows[next(k for k in FIELDS if k in found)].widget.focus()
            return
        self.query_one("#create-ok", Button).disabled = True
        self.add_class("-busy")
        self._say(i18n.t("app.create.creating"))
        self._create(self.value("code"), self.value("name"), self.value("passphrase"),
                     self.value("office").strip())

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _create(self, code: str, name: str, secret: str, office: str) -> None:
        self.session.create(code, name, secret, office_key=office or None)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.SUCCESS:
            for key in ("passphrase", "repeat"):
                widget = self.rows[key].widget
                assert isinstance(widget, Input)
                widget.value = ""
            self.dismiss(True)
        elif event.state is WorkerState.ERROR:
            error = event.worker.error
            if not isinstance(error, UserError):
                raise error  # type: ignore[misc]
            self.remove_class("-busy")
            self.query_one("#create-ok", Button).disabled = False
            target = "office" if error.key.startswith("keyfile.") else None
            if target:
                self.rows[target].show_problem(error.message())
                self.rows[target].widget.focus()
                self._say("")
            else:
                self._say(error.message(), error=True)

    def _say(self, message: str, *, error: bool = False) -> None:
        label = self.query_one("#create-message", Static)
        label.update(message)
        label.set_class(error, "-error")



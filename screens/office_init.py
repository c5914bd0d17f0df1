"""``office init`` as a form: the office's name, the passphrase twice with
its strength, and a folder (a USB stick) to write office.pub into as well.
Creating runs scrypt in a worker; the vault is left unlocked."""

from __future__ import annotations

from pathlib import Path
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
from branchtool.office.create import NAME_MAX, create_office
from branchtool.session import Session
from screens.base import localize_bindings
from screens.form import FormRow

FIELDS = ("name", "passphrase", "repeat", "out")


class OfficeInitScreen(Screen[bool]):
    CSS_PATH = "office_init.tcss"
    AUTO_FOCUS = "#office-init-name"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "create", "office_ui.init.key", priority=True),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.written: list[Path] = []
        inputs = {
            "name": Input(placeholder=i18n.t("office_ui.init.name_placeholder"), compact=True,
                          max_length=NAME_MAX),
            "passphrase": Input(password=True, compact=True),
            "repeat": Input(password=True, compact=True),
            "out": Input(placeholder=i18n.t("office_ui.init.out_placeholder"), compact=True),
        }
        self.rows = {key: FormRow(i18n.t(f"office_ui.init.{key}"), widget, key=key,
                                  required=key != "out") for key, widget in inputs.items()}
        for key, widget in inputs.items():
            widget.id = f"office-init-{key}"
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="office-init-box"):
            yield Static(i18n.t("office_ui.init.title"), id="office-init-title")
            yield Static(i18n.t("office_ui.init.intro", path=str(self.session.path)),
                         id="office-init-intro")
            yield self.rows["name"]
            yield self.rows["passphrase"]
            yield Static(id="office-init-strength")
            yield self.rows["repeat"]
            yield self.rows["out"]
            with Horizontal(id="office-init-actions"):
                yield LoadingIndicator(id="office-init-spinner")
                yield Static(id="office-init-message")
                yield Button(i18n.t("office_ui.init.button"), variant="primary",
                             id="office-init-ok")

    def on_mount(self) -> None:
        self._strength("")

    def value(self, key: str) -> str:
        widget = self.rows[key].widget
        assert isinstance(widget, Input)
        return widget.value

    @on(Input.Changed, "#office-init-passphrase")
    def _passphrase_changed(self, event: Input.Changed) -> None:
        self._strength(event.value)

    def _strength(self, value: str) -> None:
        score = passphrase.strength(value)
        self.query_one("#office-init-strength", Static).update(i18n.t(
            "app.create.strength", bar="■" * score + "□" * (4 - score),
            word=i18n.t(f"app.create.strength.{score}"), minimum=passphrase.MIN_LENGTH))

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        if event.input.id == "office-init-out":
            self.action_create()
        else:
            self.focus_next()

    def problems(self) -> dict[str, str]:
        found: dict[str, str] = {}
        if not self.value("name").strip():
            found["name"] = i18n.t("office.name_required")
        secret = self.value("passphrase")
        if len(secret) < passphrase.MIN_LENGTH:
            found["passphrase"] = i18n.t("passphrase.too_short", minimum=passphrase.MIN_LENGTH)
        elif self.value("repeat") != secret:
            found["repeat"] = i18n.t("cli.passphrase_mismatch")
        out = self.value("out").strip()
        if out and not Path(out).expanduser().is_dir():
            found["out"] = i18n.t("office.no_folder", path=out)
        return found

    @on(Button.Pressed, "#office-init-ok")
    def action_create(self) -> None:
        found = self.problems()
        for key, row in self.rows.items():
            row.show_problem(found.get(key, ""))
        if found:
            self.rows[next(k for k in FIELDS if k in found)].widget.focus()
            return
        self.query_one("#office-init-ok", Button).disabled = True
        self.add_class("-busy")
        self._say(i18n.t("office_ui.init.creating"))
        out = self.value("out").strip()
        self._create(self.value("name"), self.value("passphrase"),
                     Path(out).expanduser() if out else None)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _create(self, name: str, secret: str, out: Path | None) -> None:
        vault, self.written = create_office(self.session.path, name, secret, out=out,
                                            work_factor=self.session.work_factor)
        vault.close()
        self.session.unlock(secret)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.SUCCESS:
            for key in ("passphrase", "repeat"):
                widget = self.rows[key].widget
                assert isinstance(widget, Input)
                widget.value = ""
            for path in self.written:
                self.app.notify(i18n.t("cli.office.init.key_written", path=str(path)))
            self.dismiss(True)
        elif event.state is WorkerState.ERROR:
            error = event.worker.error
            if not isinstance(error, UserError):
                raise error  # type: ignore[misc]
            self.remove_class("-busy")
            self.query_one("#office-init-ok", Button).disabled = False
            self._say(error.message(), error=True)

    def _say(self, message: str, *, error: bool = False) -> None:
        label = self.query_one("#office-init-message", Static)
        label.update(message)
        label.set_class(error, "-error")

"""What the forms that create a vault share: a title and an intro, a row a
field, the passphrase twice with its strength under the first, and a button
with a spinner and a message beside it. Creating runs (scrypt) in a thread
worker; a ``UserError`` is shown, the button enabled again.

A form names its fields and message keys; ``ID`` prefixes every widget id
(``#<ID>-passphrase``, ``#<ID>-strength``, ``#<ID>-ok``...), and the shared
look is ``vault_form.tcss`` (by class, ``.vault-...``). The inputs, the
Ctrl+S binding and the first field's focus follow from ``FIELDS``: the
passphrase and its repeat are hidden as typed, every other field has its
placeholder ``<TEXT>.<field>_placeholder``."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Input, LoadingIndicator
from textual.worker import Worker, WorkerState

from branchtool import i18n, passphrase
from branchtool.errors import UserError
from branchtool.platform_checks import shown_path
from branchtool.session import Session
from screens.base import localize_bindings
from screens.failures import Failure, RunsWorkers
from screens.form import FormRow
from screens.plain import Static

SECRETS = ("passphrase", "repeat")


class VaultForm(RunsWorkers, Screen[bool]):
    """Subclasses set ``ID``, ``TEXT`` (catalog prefix of the title, intro,
    labels, placeholders, key, button and "creating" message), ``FIELDS`` (in
    order, ``passphrase`` and ``repeat`` among them), ``OPTIONAL`` (the field
    that may stay empty; Enter in it creates), and implement
    ``field_problems`` and ``create_vault``."""

    CSS_PATH = "vault_form.tcss"
    ID: ClassVar[str]
    TEXT: ClassVar[str]
    FIELDS: ClassVar[tuple[str, ...]]
    OPTIONAL: ClassVar[str]
    MAX_LENGTH: ClassVar[dict[str, int]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        if "FIELDS" in cls.__dict__:  # before Textual merges the bindings
            cls.AUTO_FOCUS = f"#{cls.ID}-{cls.FIELDS[0]}"
            cls.BINDINGS = [Binding("ctrl+s", "create", f"{cls.TEXT}.key", priority=True)]
        super().__init_subclass__(**kwargs)

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.rows = {key: FormRow(i18n.t(f"{self.TEXT}.{key}"), self._input(key), key=key,
                                  required=key != self.OPTIONAL)
                     for key in self.FIELDS}
        localize_bindings(self)

    def _input(self, key: str) -> Input:
        widget_id = f"{self.ID}-{key}"
        if key in SECRETS:
            return Input(password=True, compact=True, id=widget_id)
        return Input(placeholder=i18n.t(f"{self.TEXT}.{key}_placeholder"), compact=True,
                     max_length=self.MAX_LENGTH.get(key, 0), id=widget_id)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id=f"{self.ID}-box", classes="vault-box"):
            yield Static(i18n.t(f"{self.TEXT}.title"), id=f"{self.ID}-title",
                         classes="vault-title")
            yield Static(i18n.t(f"{self.TEXT}.intro", path=shown_path(self.session.path)),
                         id=f"{self.ID}-intro", classes="vault-intro")
            for key, row in self.rows.items():
                yield row
                if key == "passphrase":
                    yield Static(id=f"{self.ID}-strength", classes="vault-strength")
            with Horizontal(id=f"{self.ID}-actions", classes="vault-actions"):
                yield LoadingIndicator(id=f"{self.ID}-spinner", classes="vault-spinner")
                yield Static(id=f"{self.ID}-message", classes="vault-message")
                yield Button(i18n.t(f"{self.TEXT}.button"), variant="primary",
                             id=f"{self.ID}-ok", classes="vault-ok")

    def on_mount(self) -> None:
        self._show_strength("")

    def value(self, key: str) -> str:
        widget = self.rows[key].widget
        assert isinstance(widget, Input)
        return widget.value

    # -- the passphrase --------------------------------------------------------------
    @on(Input.Changed)
    def _passphrase_changed(self, event: Input.Changed) -> None:
        if event.input.id == f"{self.ID}-passphrase":
            self._show_strength(event.value)

    def _show_strength(self, value: str) -> None:
        verdict = passphrase.assess(value)
        text = i18n.t("app.create.strength", bar="■" * verdict.bars + "□" * (4 - verdict.bars),
                      word=i18n.t(verdict.word), minimum=passphrase.MIN_LENGTH)
        label = self.query_one(f"#{self.ID}-strength", Static)
        label.update(text)
        label.set_class(bool(verdict.refused) or verdict.bars < 2, "-weak")

    def passphrase_problems(self) -> dict[str, str]:
        secret = self.value("passphrase")
        refused = passphrase.assess(secret).refused if secret else i18n.t(
            "passphrase.too_short", minimum=passphrase.MIN_LENGTH)
        if refused:
            return {"passphrase": refused}
        if self.value("repeat") != secret:
            return {"repeat": i18n.t("cli.passphrase_mismatch")}
        return {}

    # -- what differs -----------------------------------------------------------------
    def field_problems(self) -> dict[str, str]:
        """The problems of the form's own fields (not the passphrase): key -> sentence."""
        raise NotImplementedError

    def create_vault(self, values: dict[str, str]) -> None:
        """Create the vault from the fields' ``values`` (as typed); runs in a thread."""
        raise NotImplementedError

    def created(self) -> None:
        """Called on the UI thread once the vault exists, before the form closes."""

    def error_field(self, error: UserError) -> str | None:
        """The field ``error`` belongs to, if any (it is shown under that field)."""
        return None

    # -- creating ----------------------------------------------------------------------
    def problems(self) -> dict[str, str]:
        return {**self.field_problems(), **self.passphrase_problems()}

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        if event.input.id == f"{self.ID}-{self.OPTIONAL}":
            self.action_create()
        else:
            self.focus_next()

    def action_create(self) -> None:
        found = self.problems()
        for key, row in self.rows.items():
            row.show_problem(found.get(key, ""))
        if found:
            self.rows[next(k for k in self.rows if k in found)].widget.focus()
            return
        self.query_one(f"#{self.ID}-ok", Button).disabled = True
        self.add_class("-busy")
        self._say(i18n.t(f"{self.TEXT}.creating"))
        self._create({key: self.value(key) for key in self.rows})

    @on(Button.Pressed)
    def _ok(self, event: Button.Pressed) -> None:
        if event.button.id == f"{self.ID}-ok":
            self.action_create()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _create(self, values: dict[str, str]) -> None:
        self.create_vault(values)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.SUCCESS:
            for key in SECRETS:
                widget = self.rows[key].widget
                assert isinstance(widget, Input)
                widget.value = ""
            self.created()
            self.dismiss(True)

    def worker_failed(self, failure: Failure) -> bool:
        self.remove_class("-busy")
        self.query_one(f"#{self.ID}-ok", Button).disabled = False
        target = self.error_field(failure.error) if failure.error is not None else None
        if target:
            self.rows[target].show_problem(failure.sentence)
            self.rows[target].widget.focus()
            self._say("")
        else:
            self._say(failure.sentence, error=True)
        return True

    def _say(self, message: str, *, error: bool = False) -> None:
        label = self.query_one(f"#{self.ID}-message", Static)
        label.update(message)
        label.set_class(error, "-error")

"""Add or edit one record in a modal form built from its definition.

Every field is checked as it is typed (the field's own rules through an Input
validator, the whole-record rules such as date order through ``check``); the
first problem of each field shows under it once the field was touched or a
save was tried. Saving re-checks and, when clean, calls ``save``; the form
closes with the saved record's id. Escape asks before dropping changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input

from branchtool import i18n
from branchtool.errors import KeyedError, describe
from branchtool.records.fields import InvalidRecord, Problem, RecordDef
from screens.base import ReadOnlyForm, localize_bindings
from screens.confirm import ConfirmScreen
from screens.form import FormRow, field_widget, values_of
from screens.plain import Select, SelectionList, Static


class RecordForm(ReadOnlyForm, ModalScreen[str | None]):
    CSS_PATH = "record_form.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "form.key.save", priority=True),
        Binding("escape", "cancel", "form.key.cancel"),
    ]

    def __init__(self, record: RecordDef, title: str, values: dict[str, str], *,
                 check: Callable[[dict[str, Any]], list[Problem]],
                 save: Callable[[dict[str, Any]], str], hidden: Iterable[str] = (),
                 intro: str = "") -> None:
        super().__init__()
        self.record = record
        self.title_text = title
        self.intro = intro
        self.initial = dict(values)
        self.check = check
        self.save = save
        self.touched: set[str] = set()
        self.tried = False
        self.hidden = {k: values.get(k, "") for k in hidden}
        self.rows = [
            FormRow(f.label, field_widget(f, values.get(f.key, f.default),
                                          widget_id=f"field-{f.key}"),
                    required=f.required, key=f.key)
            for f in record.fields if f.key not in self.hidden
        ]
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(id="form-box"):
            yield Static(self.title_text, id="form-title")
            if self.intro:
                yield Static(self.intro, id="form-intro")
            with VerticalScroll(id="form-fields"):
                yield from self.rows
            with Horizontal(id="form-buttons"):
                yield Static(i18n.t("form.hint"), id="form-hint")
                yield Button(i18n.t("form.save"), variant="primary", id="form-save")
                yield Button(i18n.t("form.cancel"), id="form-cancel")

    def on_mount(self) -> None:
        self.rows[0].widget.focus()

    # -- the values and their problems ---------------------------------------------
    @property
    def values(self) -> dict[str, Any]:
        return {**self.hidden, **values_of(self.rows)}

    @property
    def dirty(self) -> bool:
        return any(v != self.initial.get(k, "") for k, v in self.values.items())

    def show_problems(self, problems: list[Problem]) -> list[FormRow]:
        """Show each field's first problem (touched fields only until a save
        was tried); returns the rows that have one, in form order."""
        first: dict[str, str] = {}
        for problem in problems:
            first.setdefault(problem.field or self.rows[0].key, problem.message())
        shown = []
        for row in self.rows:
            message = first.get(row.key, "")
            if not (self.tried or row.key in self.touched):
                message = ""
            row.show_problem(message)
            if message:
                shown.append(row)
        return shown

    @on(Input.Changed)
    @on(Select.Changed)
    @on(SelectionList.SelectedChanged)
    def _changed(self, event: Input.Changed | Select.Changed | SelectionList.SelectedChanged
                 ) -> None:
        row_key = (event.control.id or "").removeprefix("field-")
        if event.control.has_focus or not isinstance(event, Input.Changed):
            self.touched.add(row_key)
        self.show_problems(self.check(self.values))

    @on(Input.Blurred)
    def _blurred(self, event: Input.Blurred) -> None:
        if event.input.value:
            self.touched.add((event.input.id or "").removeprefix("field-"))
            self.show_problems(self.check(self.values))

    @on(Input.Submitted)
    def _next_field(self) -> None:
        self.focus_next()

    # -- saving -----------------------------------------------------------------------
    @on(Button.Pressed, "#form-save")
    def action_save(self) -> None:
        self.tried = True
        values = self.values
        problems = self.check(values)
        if not problems:
            try:
                self.dismiss(self.save(values))
                return
            except InvalidRecord as exc:
                problems = exc.problems
            except KeyedError as exc:
                self.notify(describe(exc), severity="error")
                return
        shown = self.show_problems(problems)
        if shown:
            shown[0].widget.focus()
            shown[0].scroll_visible(animate=False)

    @on(Button.Pressed, "#form-cancel")
    def action_cancel(self) -> None:
        if not self.dirty:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen(i18n.t("form.discard_question"),
                                           yes=i18n.t("form.discard"),
                                           no=i18n.t("form.keep_editing")), answered)

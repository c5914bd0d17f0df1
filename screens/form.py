"""Form building blocks: a widget per field kind (a multiple choice ticks
its choices in a ``MultiChoice``), a validator that asks the field
definition, and a row that shows a field's first problem under it."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Input

from branchtool import i18n
from branchtool.records.fields import FieldDef, Kind
from branchtool.records.health_fields import MultiChoiceField, split_codes
from screens.plain import Label, Select, Static
from screens.tick_list import TickList


class FieldValidator(Validator):
    """Textual's Input validation, answered by ``FieldDef.parse``."""

    def __init__(self, fdef: FieldDef) -> None:
        super().__init__()
        self.fdef = fdef

    def validate(self, value: str) -> ValidationResult:
        _, problem = self.fdef.parse(value)
        return self.failure(problem.message()) if problem else self.success()


class MultiChoice(TickList):
    """Any number of a field's choices (症状, 困难类型, 帮扶方式): Space ticks
    the highlighted one, the arrows move, Tab leaves; the value is the codes
    ticked in the definition's order, joined by commas as stored."""

    DEFAULT_CSS = """
    MultiChoice { width: 1fr; height: auto; max-height: 7; }
    """

    def __init__(self, fdef: MultiChoiceField, value: str, *, id: str | None = None) -> None:
        chosen = set(split_codes(value))
        super().__init__(*[(fdef.choice_label(c), c, c in chosen) for c in fdef.choices],
                         id=id, compact=True)
        self.fdef = fdef

    @property
    def codes(self) -> str:
        chosen = set(self.selected)
        return ",".join(c for c in self.fdef.choices if c in chosen)


def field_widget(fdef: FieldDef, value: str, *, widget_id: str) -> Widget:
    """The input for one field, holding its stored ``value``."""
    if isinstance(fdef, MultiChoiceField):
        return MultiChoice(fdef, value, id=widget_id)
    if fdef.kind is Kind.CHOICE:
        options = [(fdef.choice_label(code), code) for code in fdef.choices]
        select: Select[str] = Select(
            options, prompt=i18n.t("form.choose"), allow_blank=not fdef.default,
            value=value if value in fdef.choices else Select.NULL, compact=True, id=widget_id)
        return select
    placeholder = {
        Kind.DATE: i18n.t("form.placeholder.date"),
        Kind.IDCARD: i18n.t("form.placeholder.id_number"),
        Kind.PHONE: i18n.t("form.placeholder.phone"),
    }.get(fdef.kind, "")
    return Input(value, placeholder=placeholder, compact=True, id=widget_id,
                 max_length=fdef.max_length if fdef.kind in (Kind.TEXT, Kind.NOTE) else 40,
                 validators=[FieldValidator(fdef)], valid_empty=True,
                 validate_on=["changed", "blur"])


def widget_value(widget: Widget) -> str:
    if isinstance(widget, MultiChoice):
        return widget.codes
    if isinstance(widget, Select):
        return "" if widget.is_blank() else str(widget.value)
    if isinstance(widget, Input):
        return widget.value
    raise TypeError(type(widget).__name__)


LABEL_CELLS = 18  # a label's column, its padding included


class FormRow(Vertical):
    """A label and its input on one line; the first problem on the next."""

    DEFAULT_CSS = """
    FormRow { height: auto; margin-bottom: 0; }
    FormRow > Horizontal { height: auto; }
    FormRow .form-label { width: 18; padding-right: 1; color: $text-muted; }
    FormRow .form-label.-required { color: $text; }
    FormRow Input, FormRow Select { width: 1fr; }
    FormRow .form-problem { display: none; color: $error; padding-left: 18; }
    FormRow.-problem .form-problem { display: block; }
    """

    def __init__(self, label: str, widget: Widget, *, required: bool = False,
                 key: str = "") -> None:
        super().__init__(id=f"row-{key}" if key else None)
        self.label = label
        self.widget = widget
        self.required = required
        self.key = key

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label(self.label + (" *" if self.required else ""),
                        classes="form-label" + (" -required" if self.required else ""))
            yield self.widget
        yield Static("", classes="form-problem")

    def on_mount(self) -> None:
        """The labels of a form are as wide as its longest (never wrapped
        inside a word: "党委办公室公钥文 / 件"), up to a third of the screen."""
        rows = [r for r in (self.parent.children if self.parent else ()) if isinstance(r, FormRow)]
        longest = max((cell_len(r.label + (" *" if r.required else "")) for r in rows),
                      default=0)
        cells = min(max(LABEL_CELLS, longest + 1), max(LABEL_CELLS, self.app.size.width // 3))
        if cells != LABEL_CELLS:
            self.query_one(".form-label").styles.width = cells
            self.query_one(".form-problem").styles.padding = (0, 0, 0, cells)

    def show_problem(self, message: str) -> None:
        self.query_one(".form-problem", Static).update(message)
        self.set_class(bool(message), "-problem")

    @property
    def problem(self) -> str:
        return str(self.query_one(".form-problem", Static).render()) if self.has_class(
            "-problem") else ""


def values_of(rows: list[FormRow]) -> dict[str, Any]:
    return {row.key: widget_value(row.widget) for row in rows}

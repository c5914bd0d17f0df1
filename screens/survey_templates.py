"""Review and edit the survey templates: which questionnaire, what each of
its columns holds, what each odd answer is recorded as; rename or delete a
template. Every change is saved as it is made (the next import uses it)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input

from branchtool import i18n
from branchtool.errors import KeyedError, describe
from branchtool.records.checkin import CHECKIN
from branchtool.services.survey_templates import Template
from branchtool.session import Session
from screens.base import localize_bindings
from screens.confirm import ConfirmScreen
from screens.plain import Footer, Label, Select, Static
from screens.survey_choices import BLANK_VALUE, column_options, value_options

FORGET = "~"  # the value select's "forget this answer"


class ColumnSelect(Select[str]):
    def __init__(self, question: str, options: list[tuple[str, str]], value: str) -> None:
        super().__init__(options, value=value, allow_blank=False, compact=True,
                         classes="st-select")
        self.question = question


class ValueSelect(Select[str]):
    def __init__(self, key: str, answer: str, value: str) -> None:
        options = [*value_options(key), (i18n.t("survey_ui.forget"), FORGET)]
        super().__init__(options, value=value or BLANK_VALUE, allow_blank=False, compact=True,
                         classes="st-select")
        self.key = key
        self.answer = answer


class SurveyTemplatesScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    SurveyTemplatesScreen { align: center middle; }
    SurveyTemplatesScreen > Vertical {
        width: 100; max-width: 100%; height: 100%; max-height: 40;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    #st-title { text-style: bold; }
    #st-top, #st-name-row { height: 1; margin-top: 1; }
    #st-choose { width: 1fr; }
    #st-name { width: 1fr; }
    #st-top Button, #st-name-row Button { height: 1; border: none; min-width: 8; margin-left: 1; }
    #st-info { color: $text-muted; height: auto; }
    #st-message { color: $warning; height: auto; }
    #st-body { height: 1fr; margin-top: 1; }
    .st-heading { text-style: bold; margin-top: 1; }
    .st-row { height: 1; }
    .st-label { width: 1fr; padding-right: 1; }
    .st-select { width: 30; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "dialog.key.close"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.templates: list[Template] = []
        self.current: Template | None = None
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(i18n.t("survey_ui.title"), id="st-title")
            with Horizontal(id="st-top"):
                yield Select[str]([], prompt=i18n.t("survey_ui.choose"), compact=True,
                                  id="st-choose")
                yield Button(i18n.t("survey_ui.delete"), id="st-delete", variant="error")
            with Horizontal(id="st-name-row"):
                yield Input(placeholder=i18n.t("survey_ui.name"), compact=True, id="st-name")
                yield Button(i18n.t("survey_ui.rename"), id="st-rename")
            yield Static(id="st-info")
            yield Static(id="st-message")
            yield VerticalScroll(id="st-body")
            yield Footer(compact=True)

    def on_mount(self) -> None:
        self.reload()

    def reload(self, keep: str | None = None) -> None:
        self.templates = self.session.survey_templates.all()
        choose = self.query_one("#st-choose", Select)
        choose.set_options([(Content(t.name), t.id) for t in self.templates])
        has = bool(self.templates)
        for node in ("#st-delete", "#st-name", "#st-rename"):
            self.query_one(node).disabled = not has
        if not has:
            self.current = None
            self.query_one("#st-info", Static).update(i18n.t("survey_ui.none"))
            self.query_one("#st-body", VerticalScroll).remove_children()
            return
        wanted = keep if keep in {t.id for t in self.templates} else self.templates[0].id
        choose.value = wanted
        self.show(wanted)
        choose.focus()

    @on(Select.Changed, "#st-choose")
    def _chosen(self, event: Select.Changed) -> None:
        if event.value is not Select.NULL and (self.current is None
                                               or self.current.id != event.value):
            self.show(str(event.value))

    def show(self, template_id: str) -> None:
        template = next(t for t in self.templates if t.id == template_id)
        self.current = template
        self.query_one("#st-name", Input).value = template.name
        used = i18n.format_stamp(template.used_at) if template.used_at else "—"
        self.query_one("#st-info", Static).update(i18n.t(
            "survey_ui.info", questions=len(template.questions), values=template.value_count(),
            used=used, uses=template.uses))
        keys = [k for k in template.columns.values() if k]
        options = column_options(keys)
        rows: list[Widget] = [Label(i18n.t("survey_ui.columns"), classes="st-heading")]
        for question, key in template.columns.items():
            rows.append(Horizontal(
                Label(Content(template.titles.get(question, question)), classes="st-label"),
                ColumnSelect(question, options, key or ""), classes="st-row"))
        rows.append(Label(i18n.t("survey_ui.values"), classes="st-heading"))
        if not template.value_count():
            rows.append(Label(i18n.t("survey_ui.no_values")))
        for key, mapped in template.values.items():
            for answer, value in mapped.items():
                written = template.spellings.get(key, {}).get(answer, answer)
                rows.append(Horizontal(
                    Label(Content(i18n.t("survey_ui.value_label",
                                         label=CHECKIN.field(key).label, answer=written)),
                          classes="st-label"),
                    ValueSelect(key, answer, value), classes="st-row"))
        body = self.query_one("#st-body", VerticalScroll)
        body.remove_children()
        body.mount_all(rows)

    # -- changes, saved as made ------------------------------------------------------------
    @on(Select.Changed, ".st-select")
    def _changed(self, event: Select.Changed) -> None:
        if self.current is None or event.value is Select.NULL:
            return
        store = self.session.survey_templates
        control = event.control
        if not self._differs(control, str(event.value)):
            return  # a select showing what is stored (as it mounts): nothing to save
        try:
            if isinstance(control, ColumnSelect):
                self.current = store.set_column(self.current.id, control.question,
                                                str(event.value) or None)
            elif isinstance(control, ValueSelect):
                value = str(event.value)
                self.current = store.set_value(
                    self.current.id, control.key, control.answer,
                    None if value == FORGET else ("" if value == BLANK_VALUE else value))
                if value == FORGET:
                    self.reload(self.current.id)
                    return
        except KeyedError as error:
            self._say(describe(error))
            return
        self._say(i18n.t("survey_ui.saved"))

    def _differs(self, control: object, value: str) -> bool:
        current = self.current
        if current is None:
            return False
        if isinstance(control, ColumnSelect):
            return current.columns.get(control.question, "") != value
        if isinstance(control, ValueSelect):
            stored = current.values.get(control.key, {}).get(control.answer)
            return value == FORGET or stored != ("" if value == BLANK_VALUE else value)
        return False

    @on(Button.Pressed, "#st-rename")
    @on(Input.Submitted, "#st-name")
    def _rename(self) -> None:
        if self.current is None:
            return
        try:
            self.current = self.session.survey_templates.rename(
                self.current.id, self.query_one("#st-name", Input).value)
        except KeyedError as error:
            self._say(describe(error))
            return
        self._say(i18n.t("survey_ui.saved"))
        self.reload(self.current.id)

    @on(Button.Pressed, "#st-delete")
    def _delete(self) -> None:
        current = self.current
        if current is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.session.survey_templates.delete(current.id)
                self._say(i18n.t("cli.checkin.template.deleted", name=current.name))
                self.reload()

        self.app.push_screen(ConfirmScreen(
            i18n.t("survey_ui.delete_question", name=current.name),
            yes=i18n.t("survey_ui.delete"), no=i18n.t("dialog.cancel"), danger=True), answered)

    def _say(self, text: str) -> None:
        self.query_one("#st-message", Static).update(Content(text))

    def action_close(self) -> None:
        self.dismiss(None)

"""Choose one person: from a short list of candidates (people of the same
name), or from the active roster by typing (name, pinyin, ID number, phone).
Dismisses with the person's id, or ``None``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input
from textual.widgets.option_list import Option

from branchtool import i18n
from branchtool.records.person import ACTIVE
from branchtool.services.roster import Person, RosterQuery
from branchtool.session import Session
from screens.base import localize_bindings
from screens.plain import OptionList, Static

SHOWN = 50


def describe_person(person: Person) -> str:
    """Enough to tell two people of one name apart, without their ID number."""
    phone = person["phone"]
    tail = i18n.t("watch.pick.phone_tail", tail=phone[-4:]) if phone else ""
    return " ".join(p for p in (person["name"], person["unit"] or person["group"], tail) if p)


class PersonPicker(ModalScreen[str | None]):
    CSS_PATH = "person_picker.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "form.key.cancel"),
        Binding("down", "to_list", "table.key.down", show=False),
    ]

    def __init__(self, session: Session, title: str, *,
                 candidates: Sequence[str] = ()) -> None:
        super().__init__()
        self.session = session
        self.title_text = title
        self.candidates = list(candidates)
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(id="pick-box"):
            yield Static(self.title_text, id="pick-title")
            yield Input(placeholder=i18n.t("watch.pick.search"), compact=True, id="pick-search")
            yield OptionList(id="pick-list")

    def on_mount(self) -> None:
        search = self.query_one("#pick-search", Input)
        search.display = not self.candidates
        self.show_people("")
        if self.candidates:
            self.query_one(OptionList).focus()
        else:
            search.focus()

    @on(Input.Changed, "#pick-search")
    def _typed(self, event: Input.Changed) -> None:
        self.show_people(event.value)

    def show_people(self, text: str) -> None:
        roster = self.session.roster
        if self.candidates:
            people = [p for p in (roster.person(i) for i in self.candidates) if p is not None]
        else:
            people = roster.query(RosterQuery(text=text, status=ACTIVE))[:SHOWN]
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(describe_person(p), id=p.id) for p in people])
        if people:
            options.highlighted = 0

    @on(Input.Submitted, "#pick-search")
    def _submitted(self) -> None:
        """Enter in the search: the one person found is chosen; with several,
        the list takes the keys (Enter again chooses the highlighted one)."""
        options = self.query_one(OptionList)
        if options.option_count == 1:
            self.dismiss(options.get_option_at_index(0).id)
        else:
            self.action_to_list()

    def action_to_list(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)

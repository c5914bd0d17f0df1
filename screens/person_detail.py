"""One person's whole record, with the actions on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen

from branchtool import i18n
from branchtool.records.person import ACTIVE, PERSON
from branchtool.session import Session
from screens.base import LockAware, ReadOnlyGuard, localize_bindings
from screens.plain import Footer, Static

# An action on a person: called with the person's id and what to do once done.
PersonAction = Callable[[str, Callable[[], None]], None]


class PersonDetail(ReadOnlyGuard, ModalScreen[None], LockAware):
    WRITE_ACTIONS = frozenset({"edit", "archive", "restore"})
    CSS_PATH = "person_detail.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit", "roster.key.edit"),
        Binding("delete", "archive", "roster.key.archive"),
        Binding("r", "restore", "roster.key.restore"),
        Binding("m", "member", "member_record.key.member"),
        Binding("escape", "close", "dialog.key.close"),
    ]

    def __init__(self, session: Session, person_id: str, *,
                 edit: PersonAction, archive: PersonAction, restore: PersonAction) -> None:
        super().__init__()
        self.session = session
        self.person_id = person_id
        self._edit, self._archive, self._restore = edit, archive, restore
        self.shown: list[tuple[str, str]] = []  # (label, value) as on screen
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(id="detail-box"):
            yield Static(id="detail-title")
            with VerticalScroll(id="detail-scroll"):
                yield Static(id="detail-fields")
            yield Footer(compact=True)

    def on_mount(self) -> None:
        self.reload_data()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.refuses(action):
            return False
        doc = self.session.roster.get(self.person_id) if self.session.unlocked else None
        if doc is None:
            return action == "close"
        if action == "restore":
            return doc.get("status") != ACTIVE
        if action == "archive":
            return doc.get("status") == ACTIVE or None
        return True

    def reload_data(self) -> None:
        doc = self.session.roster.get(self.person_id)
        if doc is None:  # deleted meanwhile
            self.dismiss(None)
            return
        status = PERSON.field("status")
        title = Text(doc["name"], style="bold")
        if doc.get("status") != ACTIVE:
            title.append(f"  [{status.display(doc['status'])}]", style="italic")
        self.query_one("#detail-title", Static).update(title)
        self.shown = [(f.label, f.display(doc.get(f.key, "")) or "—") for f in PERSON.fields]
        table = Table.grid(padding=(0, 2))
        table.add_column(style="dim", no_wrap=True)
        table.add_column()
        for label, value in self.shown:
            table.add_row(label, value)
        self.query_one("#detail-fields", Static).update(table)
        self.refresh_bindings()

    def forget_data(self) -> None:
        self.shown = []
        self.query_one("#detail-title", Static).update("")
        self.query_one("#detail-fields", Static).update(i18n.t("app.locked"))

    def action_edit(self) -> None:
        self._edit(self.person_id, self.reload_data)

    def action_archive(self) -> None:
        self._archive(self.person_id, self.reload_data)

    def action_restore(self) -> None:
        self._restore(self.person_id, self.reload_data)

    def action_member(self) -> None:
        """The person's tasks, records and deeds (the member page)."""
        from screens.member_page import MemberPage

        self.app.push_screen(MemberPage(self.session, self.person_id,
                                        changed=lambda *_: self.reload_data()))

    def action_close(self) -> None:
        self.dismiss(None)

"""One person's whole record, with the actions on it."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text

from branchtool.records.person import ACTIVE, PERSON
from branchtool.session import Session
from screens.details import Act, DetailScreen, DetailView, Doc

# An action on a person: called with the person's id and what to do once done.
PersonAction = Callable[[str, Callable[[], None]], None]


def _title(session: Session, doc: Doc) -> Text:
    title = Text(doc["name"], style="bold")
    if doc.get("status") != ACTIVE:
        title.append(f"  [{PERSON.field('status').display(doc['status'])}]", style="italic")
    return title


PERSON_DETAIL = DetailView(
    PERSON, get=lambda session, person_id: session.roster.get(person_id), title=_title,
    fields=tuple(f.key for f in PERSON.fields),
    actions=(
        Act("e", "edit", "roster.key.edit", writes=True),
        Act("delete", "archive", "roster.key.archive", writes=True),
        Act("r", "restore", "roster.key.restore", writes=True),
        Act("m", "member", "member_record.key.member"),
    ))


class PersonDetail(DetailScreen):
    VIEW = PERSON_DETAIL

    def __init__(self, session: Session, person_id: str, *,
                 edit: PersonAction, archive: PersonAction, restore: PersonAction) -> None:
        super().__init__(session, person_id)
        self.person_id = person_id
        self._edit, self._archive, self._restore = edit, archive, restore

    def allows(self, action: str, doc: Doc) -> bool | None:
        if action == "restore":
            return doc.get("status") != ACTIVE
        if action == "archive":
            return doc.get("status") == ACTIVE or None
        return True

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

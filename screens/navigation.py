"""Opening a person's page from any list without importing the page.

The page (``screens.member_page``) lists the person's tasks, records and
deeds and opens them; the lists of tasks and records open the page. So that
no list imports the page that imports it, a list posts ``OpenPersonPage``
and the app opens it (``BranchApp.on_open_person_page``): the one place
that knows both sides."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from branchtool.session import Session


def _nothing(*_: object) -> None:
    return None


class OpenPersonPage(Message):
    """Open ``person_id``'s page on ``session``; ``changed`` is called when
    something was changed there (the list reads its rows again)."""

    def __init__(self, session: Session, person_id: str | None, *,
                 changed: Callable[..., None] = _nothing) -> None:
        super().__init__()
        self.session = session
        self.person_id = person_id
        self.changed = changed

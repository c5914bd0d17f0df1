"""``m`` on any list whose rows are about a person opens that person's page.

A table mixes ``PersonRows`` in (before its table class), adds
``PERSON_KEY`` to its ``BINDINGS`` (bindings merge from widget classes
only) and, where a row's id is not the person's, says who a row is about
with ``person_of``."""

from __future__ import annotations

from typing import Any

from textual.binding import Binding

from screens.navigation import OpenPersonPage

PERSON_KEY = Binding("m", "person_page", "person_page.key.open")


class PersonRows:
    """The ``person_page`` action of a record table (``self.current``)."""

    def person_of(self, row: Any) -> str | None:
        """The roster person a row is about (the row's id by default)."""
        return str(row.id)

    def people_of(self, row: Any) -> list[str]:
        """Everyone a row is about (a task's assignees): ``m`` asks which
        when there are several. One person, ``person_of``, by default."""
        person = self.person_of(row)
        return [person] if person else []

    def person_session(self) -> Any:
        for node in self.ancestors_with_self:  # type: ignore[attr-defined]
            session = getattr(node, "session", None)
            if session is not None:
                return session
        return None

    def action_person_page(self) -> None:
        row = getattr(self, "current", None)
        session = self.person_session()
        if row is None or session is None:
            return
        reload = next((n.reload_data for n in self.ancestors  # type: ignore[attr-defined]
                       if callable(getattr(n, "reload_data", None))), None)
        changed = (lambda *_: reload()) if reload else (lambda *_: None)
        people = [p for p in self.people_of(row) if session.roster.person(p) is not None]
        if len(people) < 2:
            self.post_message(  # type: ignore[attr-defined]
                OpenPersonPage(session, people[0] if people else None, changed=changed))
            return
        from branchtool import i18n
        from screens.person_picker import PersonPicker

        def chosen(person_id: str | None) -> None:
            if person_id:
                self.post_message(  # type: ignore[attr-defined]
                    OpenPersonPage(session, person_id, changed=changed))

        self.app.push_screen(  # type: ignore[attr-defined]
            PersonPicker(session, i18n.t("person_page.pick_whom"), candidates=people), chosen)

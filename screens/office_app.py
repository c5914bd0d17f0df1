"""The app started by ``branchtool office init`` without ``--name``: the same
app, whose first screen, when no vault exists yet, is the office's form."""

from __future__ import annotations

from textual import events

from screens.app import BranchApp
from screens.office_init import OfficeInitScreen


class OfficeInitApp(BranchApp):
    def on_mount(self, event: events.Mount) -> None:
        if self.session.exists():
            return  # the app's own start: unlock, then the office's main screen
        event.prevent_default()  # not the branch's create form
        self.set_interval(self.idle.check_every, self.lock_if_idle)
        self.push_screen(OfficeInitScreen(self.session),
                         lambda done: self.show_main() if done else self.exit())

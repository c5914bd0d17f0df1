"""The terminal app as the command line starts it.

The core (``branchtool``) knows nothing of Textual or of these screens: its
command line finds this module through the ``branchtool.ui`` entry point that
``pyproject.toml`` declares (``branchtool.cli.app_cmd.terminal_ui``), and calls
these two functions. Textual is imported only here, when the app runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from branchtool.session import Session


def run_app(session: Session, *, demo_passphrase: str = "") -> None:
    """The app on ``session``: unlock (or create) the vault, then its main screen."""
    from screens.app import BranchApp

    BranchApp(session, demo_passphrase=demo_passphrase).run()


def run_office_init(session: Session) -> None:
    """The app whose first screen is the office's creation form (``office init``)."""
    from screens.office_app import OfficeInitApp

    OfficeInitApp(session).run()

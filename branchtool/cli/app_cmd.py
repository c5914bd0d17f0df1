"""``branchtool`` with no command: the terminal app on the vault folder.

The app is not part of the core: ``pyproject.toml`` registers it under the
``branchtool.ui`` entry point (``screens.launcher``), and ``terminal_ui``
loads it only when a command opens it, so the core never imports Textual
or the screens.
"""

from __future__ import annotations

import argparse
from importlib.metadata import distributions
from typing import Protocol

from branchtool import i18n
from branchtool.cli.common import vault_dir
from branchtool.errors import UserError
from branchtool.session import Session

UI_GROUP = "branchtool.ui"  # the entry point group of the terminal app


class TerminalUi(Protocol):
    """What the command line needs of the terminal app (``screens.launcher``)."""

    def run_app(self, session: Session, *, demo_passphrase: str = "") -> None: ...

    def run_office_init(self, session: Session) -> None: ...


def terminal_ui() -> TerminalUi:
    """The terminal app the installed package registers; a ``UserError``
    when there is none (the core installed without its screens). Every
    installed distribution is asked, not only the first of each name: an
    older ``branchtool.egg-info`` left in the current folder would otherwise
    hide the installed one."""
    for dist in distributions():
        for entry in dist.entry_points.select(group=UI_GROUP, name="app"):
            ui: TerminalUi = entry.load()
            return ui
    raise UserError("cli.no_terminal_ui")


def launch(session: Session, args: argparse.Namespace, *, demo_passphrase: str = "") -> int:
    """Run the app on ``session`` in the language the command line or the
    vault's settings ask for; the vault is locked when the app ends."""
    ui = terminal_ui()
    if not getattr(args, "lang", None):
        language = session.settings().language
        if language:
            i18n.set_language(language)
    try:
        ui.run_app(session, demo_passphrase=demo_passphrase)
    finally:
        session.lock()
    return 0


def run_app(args: argparse.Namespace) -> int:
    session = Session(vault_dir(args))
    demo = ""
    if session.exists() and session.is_demo:
        from branchtool.demo import PASSPHRASE

        demo = PASSPHRASE
    return launch(session, args, demo_passphrase=demo)

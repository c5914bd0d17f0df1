"""``branchtool`` with no command: the Textual app on the vault folder."""

from __future__ import annotations

import argparse

from branchtool import i18n
from branchtool.cli.common import vault_dir
from branchtool.session import Session


def launch(session: Session, args: argparse.Namespace, *, demo_passphrase: str = "") -> int:
    """Run the app on ``session`` in the language the command line or the
    vault's settings ask for; the vault is locked when the app ends."""
    if not getattr(args, "lang", None):
        language = session.settings().language
        if language:
            i18n.set_language(language)
    from branchtool.app import BranchApp  # textual only when the app runs

    try:
        BranchApp(session, demo_passphrase=demo_passphrase).run()
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

"""``branchtool demo``: build (or reopen) the demo branch and open the app on it."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Any

from branchtool import i18n
from branchtool.cli.output import progress
from branchtool.errors import UserError
from branchtool.paths import demo_vault_dir
from branchtool.session import DEFAULT_WORK_FACTOR, Session


def register(sub: Any) -> None:
    demo = sub.add_parser("demo", help=i18n.t("cli.demo.help"))
    demo.add_argument("--people", type=int, default=300, help=i18n.t("cli.demo.people"))
    demo.add_argument("--days", type=int, default=30, help=i18n.t("cli.demo.days"))
    demo.add_argument("--seed", type=int, default=1, help=i18n.t("cli.demo.seed"))
    demo.add_argument("--fresh", action="store_true", help=i18n.t("cli.demo.fresh"))
    demo.add_argument("--no-open", action="store_true", help=i18n.t("cli.demo.no_open"))
    demo.set_defaults(handler=cmd_demo)


def demo_dir(args: argparse.Namespace) -> Path:
    """``--data-dir`` if given, else the demo folder beside the real vault
    (never ``BRANCHTOOL_HOME``: the demo must not land on a real vault)."""
    data_dir = getattr(args, "data_dir", None)
    return Path(data_dir).expanduser() if data_dir else demo_vault_dir()


def cmd_demo(args: argparse.Namespace) -> int:
    from branchtool import demo

    if args.people < 1:
        raise UserError("cli.demo.bad_people")
    path = demo_dir(args)
    session = Session(path, work_factor=DEFAULT_WORK_FACTOR)
    if session.exists() and not session.is_demo:
        raise UserError("cli.demo.not_demo", path=str(path))
    office = demo.office_path(path)
    if session.exists() and args.fresh:
        shutil.rmtree(path)
        if demo.is_demo_office(office):
            shutil.rmtree(office)
    if session.exists():
        print(i18n.t("cli.demo.reopened", path=str(path), passphrase=demo.PASSPHRASE))
    else:
        print(i18n.t("cli.demo.building", people=args.people), flush=True)
        with progress(i18n.t("cli.progress.demo"), i18n.t("cli.progress.parts")) as step:
            session = demo.build(path, people=args.people, days=args.days, seed=args.seed,
                                 progress=step)
        try:  # while the new branch is unlocked: one passphrase derivation fewer
            if not office.exists():
                demo.build_office(session, office)
        finally:
            session.lock()
        print(i18n.t("cli.demo.built", path=str(path), passphrase=demo.PASSPHRASE))
    if not office.exists():  # a demo built before the demo office was
        session.unlock(demo.PASSPHRASE)
        try:
            demo.build_office(session, office)
        finally:
            session.lock()
    if demo.is_demo_office(office):
        print(i18n.t("cli.demo.office", path=str(office), passphrase=demo.PASSPHRASE))
    if args.no_open:
        return 0
    from branchtool.cli.app_cmd import launch

    return launch(session, args, demo_passphrase=demo.PASSPHRASE)

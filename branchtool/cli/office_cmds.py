"""Office commands: ``branchtool office init|trust|import|receipt|status|summary|settings``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from branchtool import i18n, passphrase
from branchtool.cli import inbox_cmds
from branchtool.cli.common import import_command, json_option, office_service, vault_dir
from branchtool.cli.output import progress
from branchtool.errors import UserError

if TYPE_CHECKING:
    from branchtool.office.importer import FileResult
    from branchtool.office.status import Overview


def register(sub: Any) -> None:
    office = sub.add_parser("office", help=i18n.t("cli.office.help"))
    actions = office.add_subparsers(dest="office_command", metavar="ACTION", required=True)

    init = actions.add_parser("init", help=i18n.t("cli.office.init.help"))
    init.add_argument("--name", help=i18n.t("cli.office.init.name"))
    init.add_argument("--out", type=Path, help=i18n.t("cli.office.init.out"))
    init.set_defaults(handler=cmd_init)

    trust = actions.add_parser("trust", help=i18n.t("cli.office.trust.help"),
                               description=i18n.t("cli.office.trust.description"))
    trust.add_argument("what", metavar="BRANCH.pub|list|log|revoke|rotate",
                       help=i18n.t("cli.office.trust.what"))
    trust.add_argument("arg", nargs="?", metavar="CODE|FILE", help=i18n.t("cli.office.trust.arg"))
    trust.add_argument("--yes", action="store_true", help=i18n.t("cli.office.yes"))
    trust.add_argument("--replace", action="store_true", help=i18n.t("cli.office.trust.replace"))
    json_option(trust, "cli.office.json")
    trust.set_defaults(handler=cmd_trust)

    import_command(actions, cmd_import, catalog="cli.office.import", metavar="PATH",
                   json_key="cli.office.import.json")

    receipt = actions.add_parser("receipt", help=i18n.t("cli.office.receipt.help"))
    receipt.add_argument("--out", type=Path, required=True, help=i18n.t("cli.office.receipt.out"))
    receipt.add_argument("--branch", action="append", metavar="CODE",
                         help=i18n.t("cli.office.receipt.branch"))
    receipt.set_defaults(handler=cmd_receipt)

    stat = actions.add_parser("status", help=i18n.t("cli.office.status.help"))
    stat.add_argument("--date", help=i18n.t("cli.office.date"))
    json_option(stat, "cli.office.json")
    stat.set_defaults(handler=cmd_status)

    summary = actions.add_parser("summary", help=i18n.t("cli.office.summary.help"))
    summary.add_argument("--out", type=Path, required=True,
                         help=i18n.t("cli.office.summary.out"))
    summary.add_argument("--date", help=i18n.t("cli.office.date"))
    summary.add_argument("--format", choices=("md", "docx", "xlsx"),
                         help=i18n.t("cli.office.summary.format"))
    summary.set_defaults(handler=cmd_summary)

    settings = actions.add_parser("settings", help=i18n.t("cli.office.settings.help"))
    settings.add_argument("--deadline", metavar="HH:MM",
                          help=i18n.t("cli.office.settings.deadline"))
    settings.add_argument("--max-size-mib", type=int, metavar="MIB",
                          help=i18n.t("cli.office.settings.max_size"))
    settings.set_defaults(handler=cmd_settings)

    inbox_cmds.register_office(actions)  # notices, tasks and settings to the branches


def confirm(args: argparse.Namespace, question_key: str, **params: object) -> None:
    if getattr(args, "yes", False):
        return
    if not sys.stdin.isatty():
        raise UserError("office.confirm_needed")
    answer = input(i18n.t(question_key, **params) + " [y/N] ").strip().lower()
    if answer not in i18n.t("cli.office.yes_words").split(","):
        raise UserError("office.not_confirmed")


def _day(value: str | None) -> Any:
    from branchtool.cli.bundle_cmds import parse_day

    return parse_day(value) if value else None


# -- init ------------------------------------------------------------------------------
def cmd_init(args: argparse.Namespace) -> int:
    from branchtool.office.create import check_name, create_office, office_key
    from storage.vault import Vault

    path = vault_dir(args)
    if Vault.exists(path):
        raise UserError("cli.init.exists", path=str(path))
    if args.name is None:
        return _init_form(args, path)
    name = check_name(args.name)
    if args.out is not None and not args.out.is_dir():
        raise UserError("office.no_folder", path=str(args.out))
    secret = passphrase.new(args)
    vault, written = create_office(path, name, secret, out=args.out)
    fingerprint = office_key(vault).fingerprint
    vault.close()
    print(i18n.t("cli.office.init.done", path=str(path), name=name))
    for file in written:
        print(i18n.t("cli.office.init.key_written", path=str(file)))
    print(i18n.t("cli.office.fingerprint", fingerprint=fingerprint))
    return 0


def _init_form(args: argparse.Namespace, path: Path) -> int:
    """``office init`` without ``--name`` in a terminal: the form in the app."""
    if not sys.stdin.isatty():
        raise UserError("cli.office.init.name_needed")
    from branchtool.cli.app_cmd import terminal_ui
    from branchtool.session import Session

    ui = terminal_ui()
    session = Session(path)
    try:
        ui.run_office_init(session)
    finally:
        session.lock()
    return 0


# -- trust -----------------------------------------------------------------------------
def cmd_trust(args: argparse.Namespace) -> int:
    what = args.what
    if what in ("list", "log") and args.arg is None:
        return _trust_list(args) if what == "list" else _trust_log(args)
    if what in ("revoke", "rotate"):
        if args.arg is None:
            raise UserError("cli.office.trust.arg_needed", action=what)
        return _trust_revoke(args) if what == "revoke" else _trust_rotate(args)
    if args.arg is not None:
        raise UserError("cli.office.trust.unexpected_arg")
    return _trust_enrol(args, Path(what))


def _trust_enrol(args: argparse.Namespace, path: Path) -> int:
    from branchtool.office.trust import NEW, SAME

    with office_service(args) as office:
        key = office.read_branch_key(path)
        preview = office.trust.preview(key)
        print(i18n.t("cli.office.trust.branch", code=key.code, name=key.name))
        print(i18n.t("cli.office.fingerprint", fingerprint=key.fingerprint))
        if preview.action == SAME:
            print(i18n.t("cli.office.trust.same"))
            return 0
        if preview.action != NEW:
            print(i18n.t("cli.office.trust.old_key", fingerprint=preview.old_fingerprint or "—"))
            if not args.replace:
                raise UserError("office.trust.replace_needed", code=key.code)
        confirm(args, "cli.office.trust.confirm")
        office.trust.enrol(key, replace=args.replace)
    print(i18n.t("cli.office.trust.done" if preview.action == NEW else "cli.office.trust.replaced",
                 code=key.code))
    return 0


def _trust_list(args: argparse.Namespace) -> int:
    from branchtool.office.trust import current_key

    with office_service(args) as office:
        branches = office.branches()
    rows = []
    for branch in branches:
        key = current_key(branch)
        rows.append({"code": branch["code"], "name": branch["name"], "status": branch["status"],
                     "fingerprint": key["fingerprint"] if key else None,
                     "since": key["since"] if key else None, "enrolled": branch["enrolled"],
                     "keys": len(branch["keys"])})
    if args.json:
        for row in rows:
            print(orjson.dumps(row).decode())
        return 0
    if not rows:
        print(i18n.t("cli.office.trust.none"))
    for row in rows:
        print(i18n.t("cli.office.trust.row", code=row["code"], name=row["name"],
                     status=i18n.t(f"office.key_status.{row['status']}"),
                     fingerprint=row["fingerprint"] or "—"))
    return 0


def _trust_log(args: argparse.Namespace) -> int:
    from branchtool.office.present import when

    with office_service(args) as office:
        events = office.trust.log()
    for event in events:
        if args.json:
            print(orjson.dumps({k: v for k, v in event.items() if k != "id"}).decode())
        else:
            print(i18n.t("cli.office.trust.event", time=when(event["time"]), code=event["branch"],
                         event=i18n.t(f"office.trust_event.{event['event']}"),
                         fingerprint=event["fingerprint"]))
    return 0


def _trust_revoke(args: argparse.Namespace) -> int:
    from branchtool.office.trust import current_key

    with office_service(args) as office:
        branch = office.trust.require(args.arg)
        key = current_key(branch)
        if key is None:
            raise UserError("office.trust.already_revoked", code=args.arg)
        print(i18n.t("cli.office.trust.branch", code=branch["code"], name=branch["name"]))
        print(i18n.t("cli.office.fingerprint", fingerprint=key["fingerprint"]))
        confirm(args, "cli.office.trust.confirm_revoke")
        office.trust.revoke(args.arg)
    print(i18n.t("cli.office.trust.revoked", code=args.arg))
    return 0


def _trust_rotate(args: argparse.Namespace) -> int:
    with office_service(args) as office:
        rotation = office.read_rotation(Path(args.arg))
        print(i18n.t("cli.office.trust.branch", code=rotation.code, name=rotation.name))
        print(i18n.t("cli.office.trust.old_key", fingerprint=rotation.old_fingerprint))
        print(i18n.t("cli.office.fingerprint", fingerprint=rotation.new_key.fingerprint))
        confirm(args, "cli.office.trust.confirm_rotate")
        office.trust.rotate(rotation)
    print(i18n.t("cli.office.trust.rotated", code=rotation.code))
    return 0


# -- import ------------------------------------------------------------------------------
def cmd_import(args: argparse.Namespace) -> int:
    from branchtool.office.importer import REJECTED

    with office_service(args) as office, \
            progress(i18n.t("cli.progress.office_import"), i18n.t("cli.progress.files")) as step:
        results = office.import_paths(args.paths, step)
    for result in results:
        print(_import_line(result, args.json))
    if not args.json:
        counts = {v: sum(1 for r in results if r.verdict == v)
                  for v in ("accepted", "duplicate", "rejected")}
        print(i18n.t("cli.office.import.summary", **counts))
    return 1 if any(r.verdict == REJECTED for r in results) else 0


def _import_line(result: FileResult, as_json: bool) -> str:
    if as_json:
        return orjson.dumps(result.to_json()).decode()
    who = f"{result.branch} #{result.sequence}" if result.branch else "—"
    return i18n.t("cli.office.import.line", file=result.file.name, who=who,
                  verdict=i18n.t(f"office.verdict.{result.verdict}"), message=result.message())


# -- receipts, status, summary, settings ------------------------------------------------------
def cmd_receipt(args: argparse.Namespace) -> int:
    with office_service(args) as office:
        written = office.write_receipts(args.out, args.branch)
    for path in written:
        print(path)
    if not written:
        print(i18n.t("cli.office.receipt.none"), file=sys.stderr)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    with office_service(args) as office:
        overview = office.overview(_day(args.date))
    if args.json:
        sys.stdout.write(orjson.dumps(overview.to_json(), option=orjson.OPT_SORT_KEYS
                                      | orjson.OPT_INDENT_2).decode() + "\n")
        return 0
    for line in status_lines(overview):
        print(line)
    return 0


def status_lines(overview: Overview) -> list[str]:
    from branchtool.office.present import overview_lines

    return overview_lines(overview)


def cmd_summary(args: argparse.Namespace) -> int:
    with office_service(args) as office:
        path = office.export_summary(args.out, _day(args.date), args.format)
    print(path)
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    with office_service(args) as office:
        if args.deadline is not None or args.max_size_mib is not None:
            if args.max_size_mib is not None and args.max_size_mib < 1:
                raise UserError("office.bad_max_size")
            settings = office.save_settings(
                deadline=args.deadline,
                max_size=args.max_size_mib << 20 if args.max_size_mib is not None else None)
        else:
            settings = office.settings()
    print(i18n.t("cli.office.settings.show", deadline=settings.deadline,
                 max_size=settings.max_size >> 20))
    return 0

"""``branchtool roster import FILE`` and ``branchtool roster export FILE``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from branchtool import i18n
from branchtool.cli.common import open_vault
from branchtool.errors import UserError
from branchtool.platform_checks import warn_if_synced
from branchtool.records.person import PERSON
from branchtool.services import roster_io
from branchtool.services.roster import CHANGES, PARTITION, RosterService


def register(sub: Any) -> None:
    roster = sub.add_parser("roster", help=i18n.t("cli.roster.help"))
    roster_sub = roster.add_subparsers(dest="roster_command", metavar="ACTION", required=True)

    imp = roster_sub.add_parser("import", help=i18n.t("cli.roster.import.help"))
    imp.add_argument("file", help=i18n.t("cli.roster.import.file"))
    imp.add_argument("--sheet", metavar="NAME", help=i18n.t("cli.import.sheet"))
    imp.add_argument("--dry-run", action="store_true", help=i18n.t("cli.roster.import.dry_run"))
    imp.add_argument("--update", action="store_true", help=i18n.t("cli.roster.import.update"))
    imp.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                     help=i18n.t("cli.roster.import.map"))
    imp.add_argument("--default", action="append", default=[], metavar="FIELD=VALUE",
                     help=i18n.t("cli.roster.import.default"))
    imp.set_defaults(handler=cmd_import)

    exp = roster_sub.add_parser("export", help=i18n.t("cli.roster.export.help"))
    exp.add_argument("file", help=i18n.t("cli.roster.export.file"))
    exp.set_defaults(handler=cmd_export)


def _pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise UserError("cli.roster.bad_pair", text=text)
    return name.strip(), value.strip()


def _field_key(name: str) -> str | None:
    """A field named by its key or its label in either language; ``-`` ignores."""
    if name in ("-", ""):
        return None
    key = name if name in PERSON.by_key else PERSON.match_header(name)
    if key is None:
        raise UserError("cli.roster.unknown_field", field=name)
    return key


def _mapping(headers: list[str], guessed: list[str | None],
             overrides: list[str]) -> list[str | None]:
    mapping = list(guessed)
    for text in overrides:
        column, field = _pair(text)
        if column.isdigit() and 1 <= int(column) <= len(headers):
            index = int(column) - 1
        elif column in headers:
            index = headers.index(column)
        else:
            raise UserError("cli.roster.unknown_column", column=column)
        mapping[index] = _field_key(field)
    return mapping


def _defaults(pairs: list[str]) -> dict[str, str]:
    out = {}
    for text in pairs:
        name, value = _pair(text)
        key = _field_key(name)
        if key is None:
            raise UserError("cli.roster.unknown_field", field=name)
        parsed, problem = PERSON.field(key).parse(value)
        if problem:
            raise UserError("cli.roster.bad_default", field=PERSON.field(key).label)
        out[key] = parsed
    return out


def cmd_import(args: argparse.Namespace) -> int:
    sheet, guessed = roster_io.read(args.file, args.sheet)
    for note in sheet.note_texts():
        print(note, file=sys.stderr)
    mapping = _mapping(sheet.headers, guessed, args.map)
    defaults = _defaults(args.default)
    vault = open_vault(args)
    try:
        roster = RosterService(vault.partition(PARTITION), vault.batch,
                               changes=vault.partition(CHANGES))
        plan = roster_io.plan(roster, sheet, mapping, defaults)
        for bad in plan.bad:
            print(i18n.t("roster_import.bad_row", row=bad.row, reason=bad.reason()),
                  file=sys.stderr)
        importable = plan.importable(roster_io.UPDATE if args.update else roster_io.SKIP)
        if args.dry_run:
            print(i18n.t("cli.roster.import.would", new=len(plan.new),
                         duplicates=len(plan.duplicates), bad=len(plan.bad),
                         action=i18n.t("cli.roster.import.would_update" if args.update
                                       else "cli.roster.import.would_skip")))
            return 0 if importable else 1
        if not importable:
            print(i18n.t("cli.error_prefix", message=i18n.t("roster.import.nothing")),
                  file=sys.stderr)
            return 1
        result = roster_io.commit(roster, plan, roster_io.UPDATE if args.update
                                  else roster_io.SKIP)
    finally:
        vault.close()
    print(i18n.t("roster_import.done", added=result.added, updated=result.updated,
                 skipped=result.skipped, bad=result.bad))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    vault = open_vault(args)
    try:
        roster = RosterService(vault.partition(PARTITION), vault.batch)
        count = roster_io.export(roster, args.file)
    finally:
        vault.close()
    print(i18n.t("roster_export.done", n=count, path=args.file))
    warn_if_synced(args.file)
    return 0

"""``branchtool list <what> [--json]``: records as text or JSON on stdout.

Each listable area adds an entry to ``LISTS``: a function from the unlocked
vault and the arguments to (columns, rows as dicts of stored values).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

import orjson
from rich.cells import cell_len, set_cell_size

from branchtool import i18n
from branchtool.cli.care_cmds import CARE_LISTS
from branchtool.cli.common import open_vault
from branchtool.cli.health_cmds import WATCH_LIST_OPTIONS, WATCH_LISTS
from branchtool.records.fields import FieldDef
from branchtool.records.person import PERSON

Lister = Callable[[Any, argparse.Namespace], tuple[tuple[FieldDef, ...], list[dict[str, Any]]]]


def _roster(vault: Any, args: argparse.Namespace) -> tuple[tuple[FieldDef, ...],
                                                           list[dict[str, Any]]]:
    from branchtool.records.person import ACTIVE
    from branchtool.services.roster import (
        ALL_STATUSES,
        PARTITION,
        RosterQuery,
        RosterService,
    )

    roster = RosterService(vault.partition(PARTITION), vault.batch)
    people = roster.query(RosterQuery(status=ALL_STATUSES if args.all else ACTIVE))
    return PERSON.columns, [dict(p.doc) for p in people]


LISTS: dict[str, tuple[str, Lister]] = {
    "roster": ("cli.list.roster", _roster),
    **CARE_LISTS,  # care, visits, tasks, records, deeds
    **WATCH_LISTS,  # checkins, contacts, notices, relays
}
# Options a list takes besides --json and --all: name -> adds them to its parser.
LIST_OPTIONS: dict[str, Callable[[argparse.ArgumentParser], None]] = {
    **WATCH_LIST_OPTIONS,  # checkins --date
}


def register(sub: Any) -> None:
    lister = sub.add_parser("list", help=i18n.t("cli.list.help"))
    what = lister.add_subparsers(dest="list_what", metavar="WHAT", required=True)
    for name, (help_key, _) in LISTS.items():
        one = what.add_parser(name, help=i18n.t(help_key))
        one.add_argument("--json", action="store_true", help=i18n.t("cli.list.json"))
        one.add_argument("--all", action="store_true", help=i18n.t("cli.list.all"))
        if name in LIST_OPTIONS:
            LIST_OPTIONS[name](one)
        one.set_defaults(handler=cmd_list)


def cmd_list(args: argparse.Namespace) -> int:
    vault = open_vault(args)
    try:
        columns, rows = LISTS[args.list_what][1](vault, args)
    finally:
        vault.close(compact=False)
    if args.json:
        sys.stdout.buffer.write(orjson.dumps(rows, option=orjson.OPT_INDENT_2) + b"\n")
        return 0
    widths = [max([cell_len(c.column_label)] + [cell_len(c.display(r.get(c.key, "")))
                                                 for r in rows]) for c in columns]
    print("  ".join(set_cell_size(c.column_label, w) for c, w in zip(columns, widths,
                                                                     strict=True)).rstrip())
    for row in rows:
        print("  ".join(set_cell_size(c.display(row.get(c.key, "")), w)
                        for c, w in zip(columns, widths, strict=True)).rstrip())
    return 0

"""``branchtool list <what> [--json] [--all] [--redaction LEVEL]``: records as
a table or JSON on stdout.

Each listable area adds an entry to ``LISTS``: a function from the unlocked
session and the arguments to (columns, rows as dicts of stored values; see
``cli.listing``). ``--redaction`` (default ``full``: the secretary's own
machine) cuts each record with its definition's ``public``; ``counts``
prints how many records there are and nothing of them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson

from branchtool import i18n
from branchtool.cli.care_cmds import CARE_LISTS
from branchtool.cli.common import json_option, reading
from branchtool.cli.health_cmds import WATCH_LIST_OPTIONS, WATCH_LISTS
from branchtool.cli.listing import Lister, Rows, redaction
from branchtool.cli.output import print_table
from branchtool.records.person import PERSON
from branchtool.records.redaction import COUNTS, LOCAL_DEFAULT, REDACTIONS

if TYPE_CHECKING:
    from branchtool.session import Session


def _roster(session: Session, args: argparse.Namespace) -> Rows:
    from branchtool.records.person import ACTIVE
    from branchtool.services.roster import ALL_STATUSES, RosterQuery

    people = session.roster.query(RosterQuery(status=ALL_STATUSES if args.all else ACTIVE))
    level = redaction(args)
    return PERSON.columns, [PERSON.public(p.doc, level) for p in people]


LISTS: dict[str, tuple[str, Lister]] = {
    "roster": ("cli.list.roster", _roster),
    **CARE_LISTS,  # care, visits, tasks, records, deeds
    **WATCH_LISTS,  # checkins, contacts, notices, relays
}
# Options a list takes besides --json, --all and --redaction: name -> adds them.
LIST_OPTIONS: dict[str, Callable[[argparse.ArgumentParser], None]] = {
    **WATCH_LIST_OPTIONS,  # checkins --date
}


def register(sub: Any) -> None:
    lister = sub.add_parser("list", help=i18n.t("cli.list.help"))
    what = lister.add_subparsers(dest="list_what", metavar="WHAT", required=True)
    for name, (help_key, _) in LISTS.items():
        one = what.add_parser(name, help=i18n.t(help_key))
        json_option(one)
        one.add_argument("--all", action="store_true", help=i18n.t("cli.list.all"))
        one.add_argument("--redaction", choices=REDACTIONS, default=LOCAL_DEFAULT,
                         help=i18n.t("cli.list.redaction"))
        if name in LIST_OPTIONS:
            LIST_OPTIONS[name](one)
        one.set_defaults(handler=cmd_list)


def cmd_list(args: argparse.Namespace) -> int:
    with reading(args) as session:
        columns, rows = LISTS[args.list_what][1](session, args)
    if redaction(args) == COUNTS:
        if args.json:
            sys.stdout.buffer.write(orjson.dumps({"count": len(rows)}) + b"\n")
        else:
            print(i18n.t("cli.list.count", n=len(rows)))
        return 0
    if args.json:
        sys.stdout.buffer.write(orjson.dumps(rows, option=orjson.OPT_INDENT_2) + b"\n")
        return 0
    print_table([c for c in columns if c.shown_at(redaction(args))], rows)
    return 0

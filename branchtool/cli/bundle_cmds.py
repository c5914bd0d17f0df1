"""Bundle commands on the branch side: export, keys export."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from branchtool import i18n
from branchtool.cli.common import open_session
from branchtool.cli.output import progress
from branchtool.errors import UserError
from branchtool.period import Period
from branchtool.records.redaction import DEFAULT_REDACTION, REDACTIONS


def register(sub: Any) -> None:
    export = sub.add_parser("export", help=i18n.t("cli.export.help"))
    export.add_argument("--out", type=Path, required=True, help=i18n.t("cli.export.out"))
    export.add_argument("--from", dest="start", help=i18n.t("cli.export.from"))
    export.add_argument("--to", dest="end", help=i18n.t("cli.export.to"))
    export.add_argument("--redaction", choices=REDACTIONS, default=DEFAULT_REDACTION,
                        help=i18n.t("cli.export.redaction"))
    # the groups are named in the help text itself: listing them from
    # ``kinds.groups()`` would load every area for ``branchtool --help``
    export.add_argument("--only", action="append", metavar="CONTENT[,CONTENT...]",
                        help=i18n.t("cli.export.only"))
    export.set_defaults(handler=cmd_export)


def parse_day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UserError("cli.bad_date", value=value) from None


def parse_content(values: list[str] | None) -> list[str] | None:
    """``--only roster,watch --only deeds``: the content groups named (None:
    everything). Unknown names are refused by the exporter, in one sentence."""
    if values is None:
        return None
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


def cmd_export(args: argparse.Namespace) -> int:
    content = parse_content(args.only)
    from branchtool.bundles.kinds import choose  # every area's kinds: not for --help

    choose(content)  # an unknown name is refused before the passphrase is asked
    with open_session(args) as session:
        bundles = session.bundles
        default = bundles.default_period()
        end = parse_day(args.end) if args.end else default.end
        start = parse_day(args.start) if args.start else min(default.start, end)
        with progress(i18n.t("cli.progress.export"), i18n.t("cli.progress.steps")) as step:
            result = bundles.export(args.out, Period(start, end), args.redaction,
                                    progress=step, content=content)
    print(result.path)
    if result.deeds_reported:
        print(i18n.t("export.deeds_reported", n=result.deeds_reported), file=sys.stderr)
    if result.warning is not None:
        print(result.warning.message(), file=sys.stderr)
    return 0

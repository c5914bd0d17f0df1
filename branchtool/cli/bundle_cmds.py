"""Bundle commands on the branch side: export, keys export."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from branchtool import i18n
from branchtool.bundles.scope import DEFAULT_REDACTION, REDACTIONS, Period
from branchtool.cli.common import open_session
from branchtool.errors import UserError


def register(sub: Any) -> None:
    export = sub.add_parser("export", help=i18n.t("cli.export.help"))
    export.add_argument("--out", type=Path, required=True, help=i18n.t("cli.export.out"))
    export.add_argument("--from", dest="start", help=i18n.t("cli.export.from"))
    export.add_argument("--to", dest="end", help=i18n.t("cli.export.to"))
    export.add_argument("--redaction", choices=REDACTIONS, default=DEFAULT_REDACTION,
                        help=i18n.t("cli.export.redaction"))
    export.set_defaults(handler=cmd_export)


def parse_day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UserError("cli.bad_date", value=value) from None


def cmd_export(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        bundles = session.bundles
        default = bundles.default_period()
        end = parse_day(args.end) if args.end else default.end
        start = parse_day(args.start) if args.start else min(default.start, end)
        result = bundles.export(args.out, Period(start, end), args.redaction)
    print(result.path)
    return 0

"""``branchtool report daily|weekly|deeds|care|records``: a report as a file."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from branchtool import i18n, reports
from branchtool.cli.bundle_cmds import parse_day
from branchtool.cli.common import open_session
from branchtool.errors import UserError
from branchtool.platform_checks import warn_if_synced
from branchtool.records.redaction import DEFAULT_REDACTION, REDACTIONS
from branchtool.reports import daily_other
from branchtool.services.day_reports import MAX_LENGTH
from branchtool.table_read import decode

MAX_OTHER_FILE = 4 * MAX_LENGTH + 16  # bytes: the longest text in any encoding, a BOM


def register(sub: Any) -> None:
    report = sub.add_parser("report", help=i18n.t("cli.report.help"))
    report.add_argument("kind", choices=reports.KINDS, help=i18n.t("cli.report.kind"))
    report.add_argument("--date", help=i18n.t("cli.report.date"))
    report.add_argument("--from", dest="start", help=i18n.t("cli.report.from"))
    report.add_argument("--format", dest="fmt", choices=reports.FORMATS,
                        help=i18n.t("cli.report.format"))
    report.add_argument("--out", type=Path, required=True, help=i18n.t("cli.report.out"))
    report.add_argument("--redaction", choices=REDACTIONS, default=DEFAULT_REDACTION,
                        help=i18n.t("cli.report.redaction"))
    other = report.add_mutually_exclusive_group()
    other.add_argument("--other", metavar="TEXT", help=i18n.t("cli.report.other"))
    other.add_argument("--other-file", type=Path, metavar="FILE",
                       help=i18n.t("cli.report.other_file"))
    other.add_argument("--zero", action="store_true", help=i18n.t("cli.report.zero"))
    report.set_defaults(handler=cmd_report)


def _other_text(args: argparse.Namespace) -> str | None:
    """The 其他事项 given on the command line or in a file (None: not given)."""
    if args.other is not None:
        return str(args.other)
    if args.other_file is None:
        return None
    path: Path = args.other_file
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_OTHER_FILE + 1)
    except OSError:
        raise UserError("cli.report.other_unreadable", path=str(path)) from None
    if len(data) > MAX_OTHER_FILE:
        raise UserError("report.other.too_long", n=MAX_LENGTH, length=len(data))
    return decode(data)


def cmd_report(args: argparse.Namespace) -> int:
    day = parse_day(args.date) if args.date else dt.date.today()
    start = parse_day(args.start) if args.start else None
    fmt = args.fmt or reports.format_of(args.out)
    other = _other_text(args)
    if (other is not None or args.zero) and args.kind != "daily":
        raise UserError("cli.report.other_daily_only")
    with open_session(args) as session:
        # what the secretary writes is kept with the day's report first,
        # so the app and every later export of the day show it too
        if args.zero:
            daily_other.save_zero(session, day, dt.date.today())
        elif other is not None:
            session.day_reports.save(day, other)
        doc = reports.build(session, args.kind, day, start=start, redaction=args.redaction)
        path = reports.write(doc, args.out, fmt)
    print(i18n.t("cli.report.done", path=str(path)))
    warn_if_synced(path)
    return 0

"""``branchtool report daily|weekly|deeds|care|records``: a report as a file."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from branchtool import i18n, reports
from branchtool.cli.bundle_cmds import parse_day
from branchtool.cli.common import open_session
from branchtool.platform_checks import warn_if_synced
from branchtool.records.redaction import DEFAULT_REDACTION, REDACTIONS


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
    report.set_defaults(handler=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    day = parse_day(args.date) if args.date else dt.date.today()
    start = parse_day(args.start) if args.start else None
    fmt = args.fmt or reports.format_of(args.out)
    with open_session(args) as session:
        doc = reports.build(session, args.kind, day, start=start, redaction=args.redaction)
        path = reports.write(doc, args.out, fmt)
    print(i18n.t("cli.report.done", path=str(path)))
    warn_if_synced(path)
    return 0

"""The branch side of receipts: ``branchtool receipt import FILE``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from branchtool import i18n
from branchtool.cli.common import open_session


def register(sub: Any) -> None:
    receipt = sub.add_parser("receipt", help=i18n.t("cli.receipt.help"))
    actions = receipt.add_subparsers(dest="receipt_command", metavar="ACTION", required=True)
    imp = actions.add_parser("import", help=i18n.t("cli.receipt.import.help"))
    imp.add_argument("file", type=Path, metavar="FILE", help=i18n.t("cli.receipt.import.file"))
    imp.set_defaults(handler=cmd_receipt_import)


def _numbers(values: list[int]) -> str:
    return ", ".join(str(v) for v in values)


def cmd_receipt_import(args: argparse.Namespace) -> int:
    from branchtool.office.receipts import import_receipt_file

    with open_session(args) as session:
        result = import_receipt_file(session, args.file)
    print(i18n.t("cli.receipt.marked", count=len(result.marked), up_to=result.up_to))
    if result.already:
        print(i18n.t("cli.receipt.already", count=len(result.already)))
    if result.not_received:
        print(i18n.t("cli.receipt.not_received", sequences=_numbers(result.not_received)))
    for notice in result.refused:
        print(notice)
    if result.mismatched:
        print(i18n.t("cli.receipt.mismatched", sequences=_numbers(result.mismatched)))
        return 1
    return 0

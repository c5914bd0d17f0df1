"""The headless command line: ``branchtool <command> ...``.

Each area registers its subcommands from its own module (see ``COMMAND_MODULES``);
this module only builds the parser, resolves the vault folder and turns the
domain errors a user can cause into one line on stderr and a non-zero exit.
Heavy imports (textual, openpyxl) happen inside the commands that need them.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from branchtool import i18n
from branchtool.errors import UserError, describe
from storage.errors import StorageError

# Each module defines ``register(subparsers)``; its handlers take ``args``
# and return an exit status.
COMMAND_MODULES = (
    "branchtool.cli.vault_cmds",
    "branchtool.cli.bundle_cmds",
    "branchtool.cli.roster_cmds",
    "branchtool.cli.list_cmds",
    "branchtool.cli.health_cmds",
    "branchtool.cli.report_cmds",
    "branchtool.cli.demo_cmd",
    "branchtool.cli.office_cmds",
    "branchtool.cli.receipt_cmds",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="branchtool",
        description=i18n.t("cli.description"),
    )
    parser.add_argument("--data-dir", help=i18n.t("cli.opt.data_dir"))
    parser.add_argument("--passphrase-file", help=i18n.t("cli.opt.passphrase_file"))
    parser.add_argument("--lang", choices=i18n.LANGUAGES, help=i18n.t("cli.opt.lang"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # The language must be known before the help texts are built.
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv) and argv[i + 1] in i18n.LANGUAGES:
            i18n.set_language(argv[i + 1])
        elif arg.startswith("--lang=") and arg[7:] in i18n.LANGUAGES:
            i18n.set_language(arg[7:])
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        from branchtool.cli.app_cmd import run_app

        handler = run_app
    try:
        return int(handler(args) or 0)
    except UserError as exc:
        print(i18n.t("cli.error_prefix", message=exc.message()), file=sys.stderr)
        return exc.exit_status
    except StorageError as exc:
        print(i18n.t("cli.error_prefix", message=describe(exc)), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(i18n.t("cli.interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (``branchtool list ... | head``): not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

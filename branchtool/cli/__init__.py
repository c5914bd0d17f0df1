"""The headless command line: ``branchtool <command> ...``.

Each area registers its subcommands from its own module (see ``COMMAND_MODULES``);
this module only builds the parser, resolves the vault folder and turns the
domain errors a user can cause into one line on stderr and a non-zero exit.
Heavy imports (textual, openpyxl) happen inside the commands that need them.

What it prints goes through ``_Guarded``: a control character in a name or
file name (an ESC sequence, a carriage return) reaches the terminal spelled
out, never obeyed. On Windows stdout and stderr are UTF-8 (a redirected
console would be cp936 and fail on a rare character), and a pipe closed by
its reader (``EINVAL`` there) ends the command quietly like ``EPIPE``. Any
other error ends in one sentence and exit status 1: no traceback, nothing
of the data.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TextIO

from branchtool import i18n
from branchtool.errors import KeyedError, describe
from branchtool.shown import spelled_for_output

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
    "branchtool.cli.inbox_cmds",
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


class _Guarded:
    """A text stream that spells out control characters (``\\u001b``) and
    turns Windows' ``EINVAL`` on a closed pipe into ``BrokenPipeError``."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    @property
    def unguarded(self) -> TextIO:
        """The stream itself, for rich (``cli.output``), which writes its own
        control sequences and is handed only text already spelled out."""
        return self._stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(spelled_for_output(text))
        except OSError as exc:
            if exc.errno == errno.EINVAL and sys.platform == "win32":
                raise BrokenPipeError(errno.EPIPE, "the reader closed the pipe") from None
            raise

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            if exc.errno == errno.EINVAL and sys.platform == "win32":
                raise BrokenPipeError(errno.EPIPE, "the reader closed the pipe") from None
            raise

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def use_utf8_on_windows() -> None:
    """Windows gives a redirected stdout the ANSI code page (cp936): UTF-8."""
    if sys.platform != "win32":
        return
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="replace")


@contextmanager
def _guarded_output() -> Iterator[None]:
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Guarded(out), _Guarded(err)  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


def main(argv: Sequence[str] | None = None) -> int:
    use_utf8_on_windows()
    with _guarded_output():
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
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
    except KeyedError as exc:  # a UserError (1), a storage failure (2): one sentence
        print(i18n.t("cli.error_prefix", message=describe(exc)), file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        print(i18n.t("cli.interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (``branchtool list ... | head``): not an error
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass  # not a real file (a test's capture): nothing to silence
        return 0
    except Exception as exc:  # the last resort: one sentence, no traceback, no data
        if os.environ.get("BRANCHTOOL_DEBUG"):
            raise
        print(i18n.t("cli.error_prefix", message=i18n.t("cli.unexpected",
                                                        kind=type(exc).__name__)),
              file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

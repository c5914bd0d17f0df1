"""What every headless command shares: finding and unlocking the vault, and
the ``--json`` option.

Every command reaches the vault through a ``Session`` (``open_session``), the
same one the app and the office use: one wiring of the services, one
translation of storage failures into sentences.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from branchtool import i18n, passphrase
from branchtool.paths import resolve_vault_dir
from branchtool.session import Session

if TYPE_CHECKING:
    from branchtool.office.service import OfficeService


def json_option(parser: argparse.ArgumentParser, help_key: str = "cli.list.json") -> None:
    """``--json``: the result as JSON, for scripts, instead of a table."""
    parser.add_argument("--json", action="store_true", help=i18n.t(help_key))


def import_command(actions: Any, handler: Any, *, catalog: str, metavar: str,
                   json_key: str) -> argparse.ArgumentParser:
    """``<group> import FILE...``: files or folders to read, ``--json``, its
    handler (the branch's inbox and the office's bundles are read alike)."""
    imp = actions.add_parser("import", help=i18n.t(f"{catalog}.help"))
    imp.add_argument("paths", nargs="+", type=Path, metavar=metavar,
                     help=i18n.t(f"{catalog}.paths"))
    json_option(imp, json_key)
    imp.set_defaults(handler=handler)
    return imp


def vault_dir(args: argparse.Namespace) -> Path:
    return resolve_vault_dir(getattr(args, "data_dir", None))


def open_session(args: argparse.Namespace, *, load: bool = True) -> Session:
    """An unlocked ``Session`` on the vault ``args`` point at, its recovery
    notices printed (use it with ``with``: leaving the block locks the vault
    again). ``load=False``: partitions are read when first touched (a command
    that reads a few of them)."""
    session = Session(vault_dir(args))
    for notice in session.unlock(passphrase.current(args), load=load):
        print(notice, file=sys.stderr)
    return session


@contextmanager
def office_service(args: argparse.Namespace) -> Iterator[OfficeService]:
    """The office's service on the (office) vault ``args`` point at, locked
    again when the block is left."""
    session = open_session(args, load=False)
    try:
        yield session.office_service
    finally:
        session.lock()


@contextmanager
def reading(args: argparse.Namespace) -> Iterator[Session]:
    """A session for a command that only reads: partitions loaded when
    touched, no compaction when it locks."""
    session = open_session(args, load=False)
    try:
        yield session
    finally:
        session.lock(compact=False)

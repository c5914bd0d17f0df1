"""Where the vault lives: ``--data-dir``, else ``BRANCHTOOL_HOME``, else the
user data folder from platformdirs (``.../branchtool/vault``); and reading a
small file the user names (a key file, a receipt, an attachment)."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

from branchtool.errors import UserError
from storage.fsio import read_regular

APP_NAME = "branchtool"


def default_vault_dir() -> Path:
    return user_data_path(APP_NAME, appauthor=False) / "vault"


def demo_vault_dir() -> Path:
    return user_data_path(APP_NAME, appauthor=False) / "demo"


def resolve_vault_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    if data_dir:
        return Path(data_dir).expanduser()
    env = os.environ.get("BRANCHTOOL_HOME")
    if env:
        return Path(env).expanduser()
    return default_vault_dir()


def read_named(path: Path, limit: int, unreadable: str, /, **params: object) -> bytes:
    """Up to ``limit + 1`` bytes of the regular file the user named at ``path``
    (``storage.fsio.read_regular``); one that cannot be read (missing, a
    folder, a FIFO, refused) is ``UserError(unreadable, **params)``."""
    try:
        return read_regular(Path(path), limit)
    except OSError:
        raise UserError(unreadable, **params) from None

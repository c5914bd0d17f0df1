"""Where the vault lives: ``--data-dir``, else ``BRANCHTOOL_HOME``, else the
user data folder from platformdirs (``.../branchtool/vault``)."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

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

"""What every headless command shares: finding and unlocking the vault."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from branchtool import i18n, passphrase
from branchtool.paths import resolve_vault_dir
from branchtool.session import Session
from storage.errors import VaultNotFound
from storage.vault import Vault


def vault_dir(args: argparse.Namespace) -> Path:
    return resolve_vault_dir(getattr(args, "data_dir", None))


def open_vault(args: argparse.Namespace) -> Vault:
    """Unlock the vault ``args`` point at, printing any recovery notices."""
    path = vault_dir(args)
    if not Vault.exists(path):
        raise VaultNotFound(path=str(path))
    vault = Vault.open(path, passphrase.current(args))
    for notice in vault.notices:
        print(i18n.t(notice.key, **notice.params), file=sys.stderr)
    return vault


def open_session(args: argparse.Namespace) -> Session:
    """An unlocked ``Session`` on the vault ``args`` point at (use it with
    ``with``: leaving the block locks the vault again)."""
    session = Session(vault_dir(args))
    for notice in session.unlock(passphrase.current(args)):
        print(notice, file=sys.stderr)
    return session

"""Errors of the storage layer that a user can cause or must be told about.

Each carries a message *key* (rendered by the core from its catalogs) and
params. Params name files and numbers, never record contents or key material.
"""

from __future__ import annotations

import re


class KeyedError(Exception):
    """The base of every error a user can cause, in every layer: it carries a
    message catalog ``key`` and ``params`` (names of files, numbers, never
    record contents or key material), rendered by the core
    (``branchtool.errors.describe``). ``exit_status`` is the command line's."""

    key = "error"
    exit_status = 1

    def __init__(self, key: str | None = None, /, **params: object) -> None:
        if key is not None:
            self.key = key
        self.params = params
        super().__init__(self.key, params)


class StorageError(KeyedError):
    """A failure of the stored files; services translate it at their boundary
    (``branchtool.errors.translated``).

    A kind's catalog key is ``storage.`` and its class name in snake case
    (``VaultBusy`` is ``storage.vault_busy``) unless the class sets ``key``."""

    key = "storage.error"
    exit_status = 2

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "key" not in cls.__dict__:
            cls.key = "storage." + re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()

    def __str__(self) -> str:
        detail = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.key} ({detail})" if detail else self.key


class WrongPassphrase(StorageError):
    """The passphrase does not open the vault."""


class VaultNotFound(StorageError):
    """No vault at the given folder."""


class VaultExists(StorageError):
    """A vault is already where a new one was to be made."""


class VaultBusy(StorageError):
    """Another live process holds the writer lock."""


class LockNotFile(StorageError):
    """The vault's lock file is a link, a folder, a FIFO or a hard link:
    branchtool never makes one, and opening it could write through it."""


class VaultCorrupt(StorageError):
    """A file failed authentication or does not parse: corruption or tampering."""


class VaultEdited(VaultCorrupt):
    """vault.json was changed outside branchtool: its MAC does not match."""


class VaultUnreadable(StorageError):
    """A vault file could not be read (held by another program, permissions)."""

    key = "storage.unreadable"


class WriteFailed(StorageError):
    """The disk refused a write (full, I/O error, permission); nothing changed."""


class VaultClosed(StorageError):
    """The vault is locked (closed): nothing can be read or written through it."""


class RecordNotFound(StorageError):
    """No stored record has the given id."""


class DuplicateRecord(StorageError):
    """A record with the given id is already stored."""

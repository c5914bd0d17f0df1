"""Errors of the storage layer that a user can cause or must be told about.

Each carries a message *key* (rendered by the core from its catalogs) and
params. Params name files and numbers, never record contents or key material.
"""

from __future__ import annotations


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
    (``branchtool.errors.translated``)."""

    key = "storage.error"
    exit_status = 2

    def __str__(self) -> str:
        detail = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.key} ({detail})" if detail else self.key


class WrongPassphrase(StorageError):
    key = "storage.wrong_passphrase"


class VaultNotFound(StorageError):
    key = "storage.vault_not_found"


class VaultExists(StorageError):
    key = "storage.vault_exists"


class VaultBusy(StorageError):
    """Another live process holds the writer lock."""

    key = "storage.vault_busy"


class LockNotFile(StorageError):
    """The vault's lock file is a link, a folder, a FIFO or a hard link:
    branchtool never makes one, and opening it could write through it."""

    key = "storage.lock_not_file"


class VaultCorrupt(StorageError):
    """A file failed authentication or does not parse: corruption or tampering."""

    key = "storage.vault_corrupt"


class VaultEdited(VaultCorrupt):
    """vault.json was changed outside branchtool: its MAC does not match."""

    key = "storage.vault_edited"


class VaultUnreadable(StorageError):
    """A vault file could not be read (held by another program, permissions)."""

    key = "storage.unreadable"


class WriteFailed(StorageError):
    """The disk refused a write (full, I/O error, permission); nothing changed."""

    key = "storage.write_failed"


class VaultClosed(StorageError):
    key = "storage.vault_closed"


class RecordNotFound(StorageError):
    key = "storage.record_not_found"


class DuplicateRecord(StorageError):
    key = "storage.duplicate_record"

"""Errors a user can cause, each carrying a message for that user.

Programming errors are left to crash loudly; these are the expected failures
(wrong passphrase, a malformed sheet, a hostile bundle) and each renders as one
sentence from the message catalogs. Never put field values into ``params``
beyond what the user typed for identification (a row number, a file name).

One contract for every layer: ``UserError`` (the core's) and
``storage.errors.StorageError`` share the base ``KeyedError`` (a catalog key
and its params, an exit status). The services and the session translate a
storage failure at their boundary (``translated``) into a ``StoredDataError``
— a ``UserError`` that keeps the storage error's exit status and says whether
a file failed its check — so callers above the core catch ``UserError`` alone.
"""

from __future__ import annotations

from branchtool import i18n
from storage.errors import KeyedError, StorageError, VaultCorrupt

__all__ = ["KeyedError", "StoredDataError", "UserError", "as_user_error", "describe",
           "translated"]


class UserError(KeyedError):
    exit_status = 1

    def __init__(self, key: str, /, **params: object) -> None:
        super().__init__(key, **params)

    def message(self) -> str:
        return i18n.t(self.key, **self.params)

    def __str__(self) -> str:
        return self.message()


class StoredDataError(UserError):
    """A storage failure (``StorageError``) as the core reports it."""

    exit_status = 2

    def __init__(self, key: str, /, *, corrupt: bool = False, **params: object) -> None:
        super().__init__(key, **params)
        self.corrupt = corrupt  # a file failed authentication: offer the last backup


def translated(exc: StorageError) -> StoredDataError:
    """The ``UserError`` a storage failure is reported as (raise it ``from None``:
    the storage error's context may hold decrypted data)."""
    return StoredDataError(exc.key, corrupt=isinstance(exc, VaultCorrupt), **exc.params)


def as_user_error(exc: KeyedError) -> UserError:
    """Any layer's keyed error as the core reports it (a storage failure translated)."""
    if isinstance(exc, UserError):
        return exc
    if isinstance(exc, StorageError):
        return translated(exc)
    return UserError(exc.key, **exc.params)


def describe(exc: Exception) -> str:
    """One sentence for any error a user can cause, storage errors included."""
    if isinstance(exc, KeyedError):
        return as_user_error(exc).message()
    raise TypeError("not a user-facing error") from exc

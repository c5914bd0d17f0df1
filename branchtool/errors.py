"""Errors a user can cause, each carrying a message for that user.

Programming errors are left to crash loudly; these are the expected failures
(wrong passphrase, a malformed sheet, a hostile bundle) and each renders as one
sentence from the message catalogs. Never put field values into ``params``
beyond what the user typed for identification (a row number, a file name).
"""

from __future__ import annotations

from branchtool import i18n


class UserError(Exception):
    exit_status = 1

    def __init__(self, key: str, /, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def message(self) -> str:
        return i18n.t(self.key, **self.params)

    def __str__(self) -> str:
        return self.message()


def describe(exc: Exception) -> str:
    """One sentence for any error a user can cause, storage errors included."""
    from storage.errors import StorageError

    if isinstance(exc, UserError):
        return exc.message()
    if isinstance(exc, StorageError):
        return i18n.t(exc.key, **exc.params)
    raise TypeError("not a user-facing error") from exc

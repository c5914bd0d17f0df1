"""The folders the file dialogs start in: the last one used and the stick
folder set in the Send section (where bundles go). Kept as the encrypted
setting ``folders`` (``session.setting``: a path can hold the user's name,
and the stick folder decides where files go by default), which no bundle
carries.

A dialog starts in the last folder used, else the stick folder, else the
first removable drive or volume, else the home folder; files written by
default go to the stick folder, else the last folder, never the current
directory."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Protocol

from branchtool.errors import UserError
from storage.errors import StorageError
from storage.places import Place, drives_and_mounts, writable_problem

__all__ = ["Folders", "Place", "drives_and_mounts", "writable_problem"]

SETTING = "folders"


class SettingsLike(Protocol):
    """Where encrypted settings are kept (a ``Session``)."""

    def setting(self, name: str, default: Any = None) -> Any: ...
    def set_setting(self, name: str, value: Any) -> None: ...


def _text(value: object) -> str:
    return value if isinstance(value, str) and "\0" not in value else ""


def _existing_dir(text: str) -> Path | None:
    if not text:
        return None
    path = Path(text)
    try:
        return path if path.is_dir() else None
    except OSError:  # a drive that is gone
        return None


def _absolute(folder: Path) -> str:
    try:
        return str(folder.resolve())
    except OSError:  # a drive not ready (Windows): keep it as given
        return str(folder.absolute())


class Folders:
    def __init__(self, settings: SettingsLike) -> None:
        self._settings = settings
        value = settings.setting(SETTING)
        doc = value if isinstance(value, dict) else {}
        self._stick = _text(doc.get("stick"))
        self._last = _text(doc.get("last"))

    @property
    def stick(self) -> Path | None:
        """The stick folder, when it is there (plugged in)."""
        return _existing_dir(self._stick)

    @property
    def last(self) -> Path | None:
        return _existing_dir(self._last)

    def start(self) -> Path:
        """Where a file dialog opens."""
        for folder in (self.last, self.stick):
            if folder is not None:
                return folder
        for place in drives_and_mounts():
            if place.removable and _existing_dir(str(place.path)):
                return place.path
        return Path.home()

    def default_folder(self) -> Path:
        """Where a file is written unless the user says otherwise."""
        for folder in (self.stick, self.last):
            if folder is not None:
                return folder
        return self.start()

    def remember(self, path: Path) -> None:
        """A file or folder the user just chose: its folder starts the next dialog."""
        folder = path if _existing_dir(str(path)) else path.parent
        self._save(last=_absolute(folder))

    def set_stick(self, folder: Path) -> None:
        self._save(stick=_absolute(folder), last=_absolute(folder))

    def _save(self, **changes: str) -> None:
        if all(getattr(self, f"_{k}") == v for k, v in changes.items()):
            return
        for key, value in changes.items():
            setattr(self, f"_{key}", value)
        # a read-only view (the office's) keeps none; a failing disk loses only this
        with contextlib.suppress(UserError, StorageError):
            self._settings.set_setting(SETTING, {"stick": self._stick, "last": self._last})

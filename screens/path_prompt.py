"""Ask for a file's path (where to save a report, a key; which receipt or key
file to read): the file dialog (``screens.file_picker``) with the arguments
the callers have always given — a default path, and whether it must exist."""

from __future__ import annotations

from pathlib import Path

from screens.file_picker import FilePicker, Mode


class PathScreen(FilePicker):
    def __init__(self, title: str, default: Path, *, ok: str, note: str = "",
                 must_exist: bool = False) -> None:
        if must_exist:  # a file or a folder to read from, starting at ``default``
            super().__init__(title, mode=Mode.EXISTING, start=default, ok=ok, note=note)
        else:  # a file to write, ``default`` suggested; asks before replacing one
            super().__init__(title, mode=Mode.SAVE, start=default.parent, name=default.name,
                             ok=ok, note=note)

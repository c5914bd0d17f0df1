"""A list row's texts, read the way its table reads them: by column key."""

from __future__ import annotations

from typing import Any


def texts(row: Any) -> tuple[str, ...]:
    """Every column's text of ``row``, in its view's column order."""
    return tuple(row.view.texts(row).values())

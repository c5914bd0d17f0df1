"""A list row's texts, read the way its table reads them: by column key."""

from __future__ import annotations

from typing import Any

from branchtool.records.views import ListView


def texts(row: Any) -> tuple[str, ...]:
    """Every column's text of ``row``, in its view's column order."""
    view = row.view if isinstance(getattr(row, "view", None), ListView) else row.VIEW
    return tuple(view.texts(row).values())

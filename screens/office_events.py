"""What the office's screens tell each other (kept apart from every screen,
so that the one that posts never imports the one that hears)."""

from __future__ import annotations

from textual.message import Message


class OfficeChanged(Message):
    """Something the office holds changed (an import, a trust change): views
    that show it reload (``screens.office_main``)."""

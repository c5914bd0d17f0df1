"""The record types a branch's bundle carries (see ``scope``)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from branchtool.bundles.providers import add_figures
from branchtool.bundles.scope import ExportKind, Period, register
from branchtool.records.person import ACTIVE, PERSON

if TYPE_CHECKING:
    from branchtool.session import Session

register(ExportKind("roster", "bundle.kind.roster", "roster", PERSON))


def roster_figures(session: Session, period: Period) -> dict[str, Any]:
    """Head counts of the people the branch looks after, by category and stage."""
    active = [p for p in session.roster.people() if p.status == ACTIVE]
    return {
        "active": len(active),
        "by_category": dict(Counter(p["category"] for p in active)),
        "by_stage": dict(Counter(p["stage"] for p in active)),
    }


add_figures("roster", roster_figures)

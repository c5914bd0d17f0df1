"""What the office reads from a bundle's ``figures`` (the contract with the
branch side's figure providers, ``branchtool.bundles.providers``).

Every figure is optional: a branch whose program does not send one shows
"—" for it, and college totals add up the branches that do.

``figures["health"]["days"]["YYYY-MM-DD"]``: one day's check-in counts,
    ``{"expected", "reported", "fever", "symptom", "risk", "observation",
    "quarantine"}`` (integers; what ``HealthService.series`` computes)
``figures["alerts"]["open"]``: early-warning alerts still open
``figures["care"]["open"]``: people followed by the care work (each once)
``figures["tasks"]["overdue"]``: tasks past due and not done
``figures["notices"]["expected"]`` / ``["confirmed"]``: relays of notices
    to members expected and confirmed
``figures["roster"]["active"]``: people the branch looks after
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

HEALTH_FIELDS = ("expected", "reported", "fever", "symptom", "risk", "observation",
                 "quarantine")
# name in the office -> (figure, key)
CURRENT = {
    "open_alerts": ("alerts", "open"),
    "care_open": ("care", "open"),
    "tasks_overdue": ("tasks", "overdue"),
    "notices_expected": ("notices", "expected"),
    "notices_confirmed": ("notices", "confirmed"),
    "people": ("roster", "active"),
}


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 \
        else None


def health_days(figures: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """Per-day check-in figures, the well-formed days only."""
    health = figures.get("health")
    days = health.get("days") if isinstance(health, Mapping) else None
    if not isinstance(days, Mapping):
        return {}
    out: dict[str, dict[str, int]] = {}
    for day, values in days.items():
        if not isinstance(values, Mapping) or len(day) != 10:
            continue
        counts = {k: _count(values.get(k)) for k in HEALTH_FIELDS}
        if counts["expected"] is None or counts["reported"] is None:
            continue
        out[day] = {k: v for k, v in counts.items() if v is not None}
    return out


def current(figures: Mapping[str, Any]) -> dict[str, int | None]:
    """The figures that describe the branch now (as of its latest bundle)."""
    out: dict[str, int | None] = {}
    for name, (figure, key) in CURRENT.items():
        group = figures.get(figure)
        out[name] = _count(group.get(key)) if isinstance(group, Mapping) else None
    return out


def is_zero_day(day: Mapping[str, int]) -> bool:
    """A zero report (零报告): everyone reported, nobody abnormal or isolated."""
    return (day.get("reported", 0) >= day.get("expected", 0)
            and not any(day.get(k) for k in HEALTH_FIELDS[2:]))

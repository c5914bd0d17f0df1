"""Figures and rendered reports a bundle carries, contributed by each area.

A figures provider returns JSON-shaped figures for the period (e.g. per-day
check-in counts) under its own key; what the office reads of them is listed in
``branchtool.office.topics``. A report provider names the reports of its kind
a period calls for (``plan``: the day each is dated) and renders them as
Markdown at the export's redaction level, so a counts-only bundle names
nobody; it renders all of them in one call, so that it can read what they
share once (a month of daily reports reads the month's check-ins once).
Areas register here (``branchtool.bundles.kinds`` loads them); the exporter
calls them all.

Report names in a bundle are ``<kind>/<YYYY-MM-DD>``: ``daily/2026-11-18``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from branchtool.bundles.scope import Period
    from branchtool.session import Session

FigureProvider = Callable[["Session", "Period"], dict[str, Any]]
# (session, period, redaction) -> the days the reports of this kind are dated
ReportPlan = Callable[["Session", "Period", str], list[dt.date]]
# (session, period, the planned days, redaction) -> the Markdown of each, in order
ReportRender = Callable[["Session", "Period", list[dt.date], str], list[str]]


@dataclass(frozen=True)
class ReportProvider:
    kind: str
    label_key: str
    plan: ReportPlan
    render: ReportRender


_FIGURES: dict[str, FigureProvider] = {}
_REVISABLE: set[str] = set()  # providers that take the earlier days a bundle corrects
_REDACTED: set[str] = set()  # providers that take the export's redaction level
_REPORTS: dict[str, ReportProvider] = {}


def add_figures(name: str, provider: FigureProvider, *, revisable: bool = False,
                redacted: bool = False) -> None:
    """``revisable``: ``provider`` also takes the earlier days, before the
    period, whose records the bundle corrects (``provider(session, period,
    days)``), and gives their figures too. ``redacted``: it takes the
    export's level (``provider(session, period, redaction=...)``) and gives
    no free text at ``counts``."""
    _FIGURES[name] = provider
    for flag, names in ((revisable, _REVISABLE), (redacted, _REDACTED)):
        if flag:
            names.add(name)
        else:
            names.discard(name)


def add_report(kind: str, label_key: str, plan: ReportPlan, render: ReportRender) -> None:
    _REPORTS[kind] = ReportProvider(kind, label_key, plan, render)


def _load() -> None:
    from branchtool.bundles.scope import kinds

    kinds()  # importing the kinds module registers the areas' providers too


def report_name(kind: str, day: dt.date) -> str:
    return f"{kind}/{day.isoformat()}"


def figures(session: Session, period: Period,
            earlier: Collection[dt.date] = (), redaction: str = "standard") -> dict[str, Any]:
    """Every area's figures for the period; ``earlier``: days before it whose
    records the bundle corrects (their figures are counted again)."""
    _load()
    return {name: provider(session, period, earlier)  # type: ignore[call-arg]
            if name in _REVISABLE and earlier
            else provider(session, period, redaction=redaction)  # type: ignore[call-arg]
            if name in _REDACTED else provider(session, period)
            for name, provider in _FIGURES.items()}


def planned(session: Session, period: Period, redaction: str,
            left_out: Collection[str] = ()) -> list[tuple[str, str]]:
    """(report name, label key) of every report the export will carry;
    ``left_out``: kinds of report that stay home (their content does)."""
    _load()
    return [(report_name(p.kind, day), p.label_key)
            for p in _REPORTS.values() if p.kind not in left_out
            for day in p.plan(session, period, redaction)]


def reports(session: Session, period: Period, redaction: str = "standard",
            progress: Callable[[], None] | None = None,
            left_out: Collection[str] = ()) -> dict[str, str]:
    _load()
    out: dict[str, str] = {}
    for provider in _REPORTS.values():
        if provider.kind in left_out:
            continue
        days = provider.plan(session, period, redaction)
        if not days:
            continue
        texts = provider.render(session, period, days, redaction)
        out.update((report_name(provider.kind, day), text)
                   for day, text in zip(days, texts, strict=True))
        if progress:
            progress()
    return out


def report_names() -> list[tuple[str, str]]:
    """Every kind of report a bundle may carry, with its label key."""
    _load()
    return [(kind, p.label_key) for kind, p in _REPORTS.items()]

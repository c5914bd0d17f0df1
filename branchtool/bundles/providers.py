"""Figures and rendered reports a bundle carries, contributed by each area.

A figures provider returns JSON-shaped figures for the period (e.g. per-day
check-in counts) under its own key; what the office reads of them is listed in
``branchtool.office.topics``. A report provider names the reports of its kind
a period calls for (``plan``: the day each is dated) and renders them as
Markdown at the export's redaction level, so a counts-only bundle names
nobody; it renders all of them in one call, so that it can read what they
share once (a month of daily reports reads the month's check-ins once).
The areas' providers are listed once, below (``FIGURES``, ``REPORTS``), as
data: nothing registers itself when imported. The exporter calls them all.

Report names in a bundle are ``<kind>/<YYYY-MM-DD>``: ``daily/2026-11-18``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from branchtool.inbox import reply as inbox_reply
from branchtool.reports import bundled
from branchtool.reports import figures as report_figures

if TYPE_CHECKING:
    from branchtool.period import Period
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


# Every area's figures, under the key the office reads them by.
FIGURES: dict[str, FigureProvider] = {
    **report_figures.FIGURES,  # the roster's, the epidemic watch's, care, tasks, records
    # the office's notices and tasks: what the branch imported and how far each got
    inbox_reply.FIGURES: inbox_reply.figures,
}
# providers that also take the earlier days a bundle corrects (``provider(session,
# period, days)``) and give their figures too
REVISABLE: frozenset[str] = report_figures.REVISABLE
# providers that take the export's level (``provider(session, period,
# redaction=...)``) and give no free text at ``counts``
REDACTED: frozenset[str] = frozenset({inbox_reply.FIGURES})
# Every kind of report a bundle carries, in the order it lists them.
REPORTS: dict[str, ReportProvider] = {
    kind: ReportProvider(kind, label_key, plan, render)
    for kind, (label_key, plan, render) in bundled.PROVIDERS.items()
}


def report_name(kind: str, day: dt.date) -> str:
    return f"{kind}/{day.isoformat()}"


def figures(session: Session, period: Period,
            earlier: Collection[dt.date] = (), redaction: str = "standard") -> dict[str, Any]:
    """Every area's figures for the period; ``earlier``: days before it whose
    records the bundle corrects (their figures are counted again)."""
    return {name: provider(session, period, earlier)  # type: ignore[call-arg]
            if name in REVISABLE and earlier
            else provider(session, period, redaction=redaction)  # type: ignore[call-arg]
            if name in REDACTED else provider(session, period)
            for name, provider in FIGURES.items()}


def planned(session: Session, period: Period, redaction: str,
            left_out: Collection[str] = ()) -> list[tuple[str, str]]:
    """(report name, label key) of every report the export will carry;
    ``left_out``: kinds of report that stay home (their content does)."""
    return [(report_name(p.kind, day), p.label_key)
            for p in REPORTS.values() if p.kind not in left_out
            for day in p.plan(session, period, redaction)]


def reports(session: Session, period: Period, redaction: str = "standard",
            progress: Callable[[], None] | None = None,
            left_out: Collection[str] = ()) -> dict[str, str]:
    out: dict[str, str] = {}
    for provider in REPORTS.values():
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
    return [(kind, p.label_key) for kind, p in REPORTS.items()]

"""Figures and rendered reports a bundle carries, contributed by each area.

A figures provider returns JSON-shaped figures for the period (e.g. per-day
check-in counts) under its own key; a report provider renders one report
(Markdown) for the period. Areas register here; the exporter calls them all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from branchtool.bundles.scope import Period
    from branchtool.session import Session

FigureProvider = Callable[["Session", "Period"], dict[str, Any]]
ReportProvider = Callable[["Session", "Period"], str]

_FIGURES: dict[str, FigureProvider] = {}
_REPORTS: dict[str, tuple[str, ReportProvider]] = {}


def add_figures(name: str, provider: FigureProvider) -> None:
    _FIGURES[name] = provider


def add_report(name: str, label_key: str, provider: ReportProvider) -> None:
    _REPORTS[name] = (label_key, provider)


def _load() -> None:
    from branchtool.bundles.scope import kinds

    kinds()  # importing the kinds module registers the areas' providers too


def figures(session: Session, period: Period) -> dict[str, Any]:
    _load()
    return {name: provider(session, period) for name, provider in _FIGURES.items()}


def reports(session: Session, period: Period) -> dict[str, str]:
    _load()
    return {name: provider(session, period) for name, (_, provider) in _REPORTS.items()}


def report_names() -> list[tuple[str, str]]:
    _load()
    return [(name, label) for name, (label, _) in _REPORTS.items()]

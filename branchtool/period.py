"""A period of days, first and last included: what a bundle, a report over
several days and the office's view of a branch cover. Kept apart from the
bundles and the reports, so that neither imports the other for it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    def days(self) -> Iterator[dt.date]:
        day = self.start
        while day <= self.end:
            yield day
            day += dt.timedelta(days=1)

    def months(self) -> list[str]:
        months: list[str] = []
        for day in self.days():
            month = f"{day:%Y-%m}"
            if not months or months[-1] != month:
                months.append(month)
        return months

    def contains(self, iso_day: str) -> bool:
        return self.start.isoformat() <= iso_day[:10] <= self.end.isoformat()

    def to_json(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}

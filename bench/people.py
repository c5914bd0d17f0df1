"""Synthetic roster people (the demo generator's) for the benchmarks' vaults."""

from __future__ import annotations

import datetime as dt
import random

from branchtool import demo
from branchtool.records.person import PERSON


def active_people(rng: random.Random, count: int, today: dt.date) -> list[dict[str, str]]:
    """``count`` people's checked field values, each active (a draw that does
    not pass the roster's checks is drawn again)."""
    docs: list[dict[str, str]] = []
    while len(docs) < count:
        values, problems = PERSON.clean(demo.person_values(rng, today))
        if not problems:
            values["status"] = "active"
            docs.append(values)
    return docs

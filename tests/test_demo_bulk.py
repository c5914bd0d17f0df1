"""The demo's semester goes to the store in bulk (``storage.bulk``): what it
writes is what the health service writes row by row, the same for a seed."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from branchtool import demo, demo_health

TODAY = dt.date(2026, 11, 20)
_ULID = re.compile(r"\b[0-9A-HJKMNP-TV-Z]{26}\b")


def _content(path: Path) -> tuple[dict[str, list[str]], Counter[tuple[str, str, str]]]:
    """Every record of the built demo, with ids drawn at random (ULIDs, and
    times of the real clock) taken out and people named by their ID number;
    and the history as (month, partition kind, op) counts. ``vault check``'s
    checks pass."""
    session = demo.build(path, people=90, days=35, seed=5, today=TODAY, work_factor=10)
    try:
        store = session.vault.store
        assert store.check() == []
        people = {p.id: "P" + p["id_number"] for p in session.roster.people()}
        now = re.compile(dt.datetime.now(dt.UTC).strftime("%Y-%m-%d") + r"T[0-9:.]+Z")

        def plain(value: Any) -> Any:
            if isinstance(value, dict):
                return {plain(k): plain(v) for k, v in value.items()}
            if isinstance(value, list):
                return sorted((plain(v) for v in value), key=json.dumps)
            if isinstance(value, str):
                for pid, name in people.items():
                    value = value.replace(pid, name)
                return _ULID.sub("U", now.sub("NOW", value))
            return value

        records: dict[str, list[str]] = {}
        history: Counter[tuple[str, str, str]] = Counter()
        for name in store.partitions():
            docs = store.partition(name).all()
            if name.startswith("history/"):
                history.update((name, d["partition"].split("/")[0], d["op"]) for d in docs)
            else:
                records[name] = sorted(json.dumps(plain(d), sort_keys=True) for d in docs)
        return records, history
    finally:
        session.lock()


def test_the_bulk_semester_is_what_the_health_service_writes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bulk_records, bulk_history = _content(tmp_path / "bulk")
    monkeypatch.setattr(demo_health, "BULK", False)
    rows_records, rows_history = _content(tmp_path / "rows")
    assert bulk_records.keys() == rows_records.keys()
    for name in bulk_records:
        assert bulk_records[name] == rows_records[name], name
    assert bulk_history == rows_history
    checkins = sum(len(v) for k, v in bulk_records.items() if k.startswith("checkins/"))
    assert checkins > 90 * 30  # a semester's check-ins really were written
    assert any(json.loads(a)["status"] == "handled" for a in bulk_records["alerts"])


def test_the_same_seed_builds_the_same_branch(tmp_path: Path) -> None:
    assert _content(tmp_path / "one") == _content(tmp_path / "two")

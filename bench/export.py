"""Export benchmark: a month's bundle and the daily report.

    python -m bench.export [--people 300,3000] [--days 30]

For each size it builds the demo branch (``branchtool.demo``: check-ins every
day, contacts, care cases, tasks, records), then for each redaction level
exports the month's bundle from a freshly unlocked copy of that vault (so
every bundle is the vault's first: it carries the month's whole history, and
the check-in partitions are read cold) and prints the time and the size of
the ``.bundle.age``. Then it times building the daily report and rendering
it as Markdown, .docx and .xlsx. Goal: a month's bundle for 3,000 people in
under 2 s. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import tempfile
import time
from pathlib import Path

from branchtool import demo, reports
from branchtool.period import Period
from branchtool.records.redaction import REDACTIONS
from branchtool.session import Session
from tests.bundlekit import make_office_keys

TODAY = dt.date(2026, 11, 20)
WORK_FACTOR = 10  # the bench times exports, not scrypt


def build_demo(folder: Path, people: int, days: int) -> Path:
    path = folder / f"demo-{people}"
    session = demo.build(path, people=people, days=days, seed=1, today=TODAY,
                         work_factor=WORK_FACTOR)
    session.bundles.set_office_key(make_office_keys().key)
    session.lock()
    return path


def time_export(vault: Path, folder: Path, redaction: str, days: int) -> tuple[float, int]:
    copy = folder / f"copy-{redaction}"
    shutil.copytree(vault, copy)
    out = folder / f"out-{redaction}"
    out.mkdir()
    session = Session(copy, work_factor=WORK_FACTOR)
    session.unlock(demo.PASSPHRASE)
    session.bundles.today = lambda: TODAY
    try:
        start = time.perf_counter()
        result = session.bundles.export(out, Period(TODAY - dt.timedelta(days=days - 1), TODAY),
                                        redaction)
        return time.perf_counter() - start, result.size
    finally:
        session.lock()
        shutil.rmtree(copy)
        shutil.rmtree(out)


def time_daily(vault: Path) -> dict[str, float]:
    session = Session(vault, work_factor=WORK_FACTOR)
    session.unlock(demo.PASSPHRASE)
    try:
        session.health.day(TODAY)  # the month's check-ins, read once
        times = {}
        start = time.perf_counter()
        doc = reports.build(session, "daily", TODAY)
        times["build"] = time.perf_counter() - start
        for fmt in reports.FORMATS:
            start = time.perf_counter()
            reports.render(doc, fmt)
            times[fmt] = time.perf_counter() - start
        return times
    finally:
        session.lock()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", default="300,3000")
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for people in (int(n) for n in args.people.split(",")):
            vault = build_demo(folder, people, args.days)
            for redaction in REDACTIONS:
                seconds, size = time_export(vault, folder, redaction, args.days)
                print(f"bundle  {people:>5} people  {args.days} days  {redaction:<8}  "
                      f"{seconds:6.2f} s  {size / 1e6:7.2f} MB", flush=True)
            times = time_daily(vault)
            print(f"daily   {people:>5} people  build {times['build'] * 1000:6.1f} ms  "
                  + "  ".join(f"{fmt} {times[fmt] * 1000:6.1f} ms" for fmt in reports.FORMATS),
                  flush=True)
            shutil.rmtree(vault)


if __name__ == "__main__":
    main()

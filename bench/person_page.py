"""Person page benchmark: one person's whole page, for someone with a year
of check-ins.

    python bench/person_page.py [--people 300] [--days 365] [--runs 20]

Builds a demo branch of ``--people`` people with ``--days`` days of history
(check-ins, contacts, care, notices, tasks; scrypt cheap), closes it, and on a
fresh unlock times, for the active person with the most check-ins:

- the page's content (``branchtool.person_page.build``): cold (the first
  read, which decrypts the months of the last 30 days) and warm (median of
  ``--runs``);
- opening the page in the real app (headless, 120x40): from pushing the
  screen to its first paint, all tabs filled, cold and warm.

Goal: the page opens in under 100 ms after the vault is open. Figures, not
assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from branchtool import demo, person_page
from branchtool.session import Session

WORK_FACTOR = 10
TODAY = dt.date(2026, 11, 30)


def busiest(session: Session, days: int) -> str:
    """The active person with the most check-ins over the last month."""
    counts: dict[str, int] = {}
    for n in range(min(days, 30)):
        for pid in session.health.day(TODAY - dt.timedelta(days=n)):
            counts[pid] = counts.get(pid, 0) + 1
    return max(counts, key=lambda p: counts[p])


def year_of(session: Session, pid: str, days: int) -> int:
    return sum(1 for doc in session.health.history(pid, TODAY, days) if doc is not None)


async def open_page(session: Session, pid: str, runs: int) -> tuple[float, float]:
    from screens.app import BranchApp
    from screens.member_page import MemberPage

    app = BranchApp(session, today=lambda: TODAY)
    times = []
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        for _ in range(runs + 1):
            started = time.perf_counter()
            await app.push_screen(MemberPage(session, pid))
            await pilot.pause()
            times.append(time.perf_counter() - started)
            app.pop_screen()
            await pilot.pause()
    return times[0], statistics.median(times[1:])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo"
        started = time.perf_counter()
        demo.build(path, people=args.people, days=args.days, today=TODAY,
                   work_factor=WORK_FACTOR).lock()
        print(f"built {args.people} people x {args.days} days in "
              f"{time.perf_counter() - started:.1f} s")

        session = Session(path, work_factor=WORK_FACTOR)
        session.clock = lambda: dt.datetime.combine(TODAY, dt.time(9, 30))
        session.unlock(demo.PASSPHRASE)
        pid = busiest(session, args.days)
        session.lock()

        session = Session(path, work_factor=WORK_FACTOR)
        session.clock = lambda: dt.datetime.combine(TODAY, dt.time(9, 30))
        session.unlock(demo.PASSPHRASE)
        started = time.perf_counter()
        person_page.build(session, pid, TODAY)
        cold = time.perf_counter() - started
        warm = []
        for _ in range(args.runs):
            started = time.perf_counter()
            person_page.build(session, pid, TODAY)
            warm.append(time.perf_counter() - started)
        print(f"person with {year_of(session, pid, args.days)} check-ins in "
              f"{args.days} days")
        print(f"page content: cold {cold * 1000:.1f} ms, "
              f"warm {statistics.median(warm) * 1000:.1f} ms")
        session.lock()

        session = Session(path, work_factor=WORK_FACTOR)
        session.clock = lambda: dt.datetime.combine(TODAY, dt.time(9, 30))
        session.unlock(demo.PASSPHRASE)
        first, median = asyncio.run(open_page(session, pid, args.runs))
        print(f"page open in the app (push to paint): first {first * 1000:.1f} ms, "
              f"then median {median * 1000:.1f} ms (goal < 100 ms)")
        session.lock()


if __name__ == "__main__":
    main()

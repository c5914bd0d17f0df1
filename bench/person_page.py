"""Person page benchmark: one person's whole page, for someone with a year
of check-ins.

    python bench/person_page.py [--people 300] [--days 365] [--runs 20]

Builds a demo branch of ``--people`` people with ``--days`` days of history
(check-ins, contacts, care, notices, tasks; scrypt cheap), closes it, and on a
fresh unlock times, for the active person with the most check-ins:

- the page's content (``branchtool.person_page.build``): cold (the first
  read, which decrypts the months of the last 30 days) and warm (median of
  ``--runs``); then what the page's first tab lists beside it (the person's
  tasks, records and deeds, the care cases they are responsible for), read
  as the screen reads them, first and warm;
- opening the page in the real app (headless, 120x40): from pushing the
  screen to its first paint, all tabs filled, cold and warm; beside it, for
  comparison, the same for an empty modal screen (what any screen pushed
  over the main one costs: Textual's own part of the figure). "Painted" is
  timed twice: until Textual's pilot finds the app idle (``pilot.pause``,
  which waits for a quiet slice of at least 20 ms after the work is done),
  and until the screen's workers are done and its first refresh after them
  has been drawn (``call_after_refresh``): what the secretary sees.

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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.timing import timed
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


def work_of(session: Session, pid: str) -> int:
    """The first tab's rows, made as the member page makes them."""
    rows = [*session.tasks.for_member(pid), *session.member_records.for_member(pid),
            *session.deeds.for_member(pid), *session.care.responsible_for(pid)]
    return len(rows)


def year_of(session: Session, pid: str, days: int) -> int:
    return sum(1 for doc in session.health.history(pid, TODAY, days) if doc is not None)


async def painted(screen: Any) -> None:
    """Until the screen's next refresh has been drawn."""
    done = asyncio.Event()
    screen.call_after_refresh(done.set)
    await done.wait()


async def open_page(session: Session, pid: str, runs: int, *, idle: bool
                    ) -> tuple[float, float, float]:
    """The page's first open and the median of ``runs`` more; then the median
    for an empty modal screen, pushed and painted the same way: until the
    app is idle (``idle``) or until its workers are done and it is drawn."""
    from textual.app import ComposeResult
    from textual.screen import ModalScreen

    from screens.app import BranchApp
    from screens.member_page import MemberPage
    from screens.plain import Static

    class Empty(ModalScreen[None]):
        def compose(self) -> ComposeResult:
            yield Static("-")

    app = BranchApp(session, today=lambda: TODAY)
    times: dict[str, list[float]] = {"page": [], "empty": []}
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        for key, make in (("page", lambda: MemberPage(session, pid)), ("empty", Empty)):
            for _ in range(runs + 1):
                started = time.perf_counter()
                screen = make()
                await app.push_screen(screen)
                if idle:
                    await pilot.pause()
                else:
                    await app.workers.wait_for_complete()
                    await painted(screen)
                times[key].append(time.perf_counter() - started)
                app.pop_screen()
                await pilot.pause()
    page, empty = times["page"], times["empty"]
    return page[0], statistics.median(page[1:]), statistics.median(empty[1:])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo"
        _, took = timed(lambda: demo.build(path, people=args.people, days=args.days,
                                           today=TODAY, work_factor=WORK_FACTOR).lock())
        print(f"built {args.people} people x {args.days} days in {took:.1f} s")

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
        started = time.perf_counter()
        rows = work_of(session, pid)
        first = time.perf_counter() - started
        warm = []
        for _ in range(args.runs):
            started = time.perf_counter()
            work_of(session, pid)
            warm.append(time.perf_counter() - started)
        print(f"tasks, records, deeds, cases ({rows} rows): first {first * 1000:.1f} ms, "
              f"warm {statistics.median(warm) * 1000:.1f} ms")
        session.lock()

        session = Session(path, work_factor=WORK_FACTOR)
        session.clock = lambda: dt.datetime.combine(TODAY, dt.time(9, 30))
        session.unlock(demo.PASSPHRASE)
        for idle, how in ((True, "until idle"), (False, "until drawn")):
            first, median, empty = asyncio.run(open_page(session, pid, args.runs, idle=idle))
            print(f"page open in the app (push to paint, {how}): first {first * 1000:.1f} ms, "
                  f"then median {median * 1000:.1f} ms (goal < 100 ms)")
            print(f"  for comparison, an empty modal screen: median {empty * 1000:.1f} ms")
        session.lock()


if __name__ == "__main__":
    main()

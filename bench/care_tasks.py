"""Care and task lists at size: opening each list and saving an edit.

    python -m bench.care_tasks [--cases 1000] [--tasks 10000] [--people 3000]

Builds a vault with a roster of ``--people``, ``--cases`` care cases (three
visits each), ``--tasks`` tasks, a record per ten tasks and a deed per
hundred, closes it (compaction) and reopens it. Then, for each list:

- cold: the first opening after unlock — the partition decrypted and loaded,
  the service built, the rows selected and sorted, and the cells of the first
  screenful (22 rows: only visible rows are ever drawn) formatted;
- warm: opening it again (a filter change or coming back to it): select,
  sort, format one screenful; median of 20.

Then the same in the app (headless, 80x24): mounting each section's pane on
an unlocked vault until its table has painted, cold (first opening) and warm
(opening it again).

And saving an edit through the service (validation, one journal frame, the
in-memory list updated), p50/p95 of 100, shown without the fsync and with the
number of fsyncs per save; the median fsync of this disk is printed apart.
Goals: lists under 100 ms, saves under 16 ms plus one fsync. Figures, not
assertions; scrypt is excluded (a cheap work factor).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.people import active_people
from bench.timing import FsyncTimer, cold_and_warm, fsync_median, ms, percentile, timed
from branchtool.session import Session

PW = "bench passphrase"
SCREEN = 22
TODAY = dt.date(2024, 6, 1)
NOW = dt.datetime(2024, 6, 1, 9, 30)


def build(path: Path, people: int, cases: int, tasks: int) -> None:
    rng = random.Random(1)
    session = Session(path, work_factor=10)
    session.create("BENCH", "bench", PW, check_passphrase=False)
    session.clock = lambda: NOW
    session.roster.write_batch(active_people(rng, people, TODAY), [])
    members = [p.id for p in session.roster.people()]
    session.care.write_batch(
        ({"person": rng.choice(members), "name": "", "category": "",
          "hardship": rng.choice(("economic", "illness", "mental", "study")),
          "severity": rng.choice(("ordinary", "serious", "extreme")),
          "description": "情况说明" * 20, "responsible": rng.choice(members),
          "measures": "帮扶措施" * 10, "status": rng.choice(("following",) * 4 + ("resolved",)),
          "opened_on": f"2024-0{rng.randint(1, 4)}-{rng.randint(10, 28)}",
          "next_visit": f"2024-06-{rng.randint(1, 28):02d}"},
         [{"date": f"2024-05-{d:02d}", "method": "phone", "visitor": rng.choice(members),
           "findings": "了解情况" * 10, "support": "money", "amount": "500.00",
           "follow_up": "", "next_visit": ""} for d in (3, 13, 23)])
        for _ in range(cases))
    task_docs = []
    for i in range(tasks):
        status = rng.choice(("todo", "doing", "done", "cancelled"))
        due = NOW + dt.timedelta(hours=rng.randint(-500, 300))
        task_docs.append({
            "title": f"任务{i:05d}", "description": "任务要求" * 10, "origin": "", "notice": "",
            "assignees": " ".join(rng.sample(members, rng.randint(1, 3))),
            "due": due.strftime("%Y-%m-%dT%H:%M"), "priority": "normal", "status": status,
            "evidence": "完成" if status == "done" else "", "template": "",
            "completed_at": due.strftime("%Y-%m-%dT%H:%M") if status == "done" else "",
            "log": [{"at": "2024-05-01T09:00", "text": "", "status": "todo"}]})
    for start in range(0, tasks, 5000):
        session.tasks.write_batch(task_docs[start:start + 5000])
    task_ids = [r.id for r in session.tasks.query()]
    session.member_records.write_batch([
        {"member": rng.choice(members), "kind": rng.choice(("praise", "criticism")),
         "date": "2024-05-20", "description": "具体情况" * 10,
         "tasks": rng.choice(task_ids), "recorded_by": members[0]}
        for _ in range(tasks // 10)])
    session.deeds.write_batch([
        {"members": rng.choice(members), "title": f"事迹{i}", "narrative": "事迹材料" * 200,
         "date": "2024-05-20", "status": "draft"} for i in range(max(2, tasks // 100))])
    session.lock()  # closes: compacts into snapshots


def first_screen(rows: list[Any]) -> None:
    for row in rows[:SCREEN]:
        for key in row.view.keys:
            row.cell(key)


def lists(session: Session) -> dict[str, Callable[[], list[Any]]]:
    from branchtool.services.care import CareQuery
    from branchtool.services.tasks import TaskQuery

    return {
        "care cases": lambda: session.care.cases(),
        "care cases (all)": lambda: session.care.cases(CareQuery(status="")),
        "visits (all)": lambda: session.care.visits(),
        "tasks (open)": lambda: session.tasks.query(),
        "tasks (all)": lambda: session.tasks.query(TaskQuery(status="")),
        "tasks by member": lambda: session.tasks.workload(everyone=True),
        "records": lambda: session.member_records.query(),
        "deeds": lambda: session.deeds.query(),
    }


def time_saves(session: Session, name: str, save: Callable[[int], Any],
               refresh: Callable[[], list[Any]]) -> str:
    """Save 100 edits; each figure without the fsync time. ``refresh`` is the
    list the edit shows in, made again and its first screenful formatted."""
    timer = FsyncTimer(session.vault.store.io)
    saves, shown, fsyncs = [], [], []
    for i in range(100):
        timer.reset()
        _, saved = timed(lambda i=i: save(i))
        _, again = timed(lambda: first_screen(refresh()))
        saves.append(saved - timer.seconds)
        shown.append(saved + again - timer.seconds)
        fsyncs.append(timer.count)
    timer.restore()
    return (f"save {name:<22} p50 {ms(percentile(saves, 0.5))}  "
            f"p95 {ms(percentile(saves, 0.95))};  list shown again p50 "
            f"{ms(percentile(shown, 0.5))}  p95 {ms(percentile(shown, 0.95))};  "
            f"+ {max(fsyncs)} fsync")


async def app_first_paint(path: Path) -> list[str]:
    """Each section's pane mounted in a headless app until its table painted."""
    import asyncio

    from textual.app import App, ComposeResult
    from textual.containers import Vertical

    from screens.care import CarePane
    from screens.member_records import RecordsPane
    from screens.record_table import RecordTable
    from screens.tasks import TasksPane

    session = Session(path, work_factor=10)
    session.unlock(PW)
    session.clock = lambda: NOW
    session.roster  # noqa: B018 - the app shows the roster first

    class Bench(App[None]):
        def compose(self) -> ComposeResult:
            yield Vertical(id="host")

    lines = []
    app = Bench()
    async with app.run_test(size=(80, 24)) as pilot:
        host = app.query_one("#host")
        for name, make in (("care", CarePane), ("tasks", TasksPane), ("records", RecordsPane)):
            times = []
            for _ in range(6):
                t0 = time.perf_counter()
                pane = make(session)
                await host.mount(pane)
                table = pane.query(RecordTable).first()
                while table.painted == 0:
                    await asyncio.sleep(0)
                times.append(time.perf_counter() - t0)
                await pane.remove()
                await pilot.pause()
            rows = len(table.rows)
            lines.append(f"app  {name:<8} {rows:6d} rows  cold {ms(times[0])}  "
                         f"warm {ms(statistics.median(times[1:]))}")
    session.lock()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--tasks", type=int, default=10000)
    parser.add_argument("--people", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "vault"
        _, took = timed(lambda: build(path, args.people, args.cases, args.tasks))
        print(f"built {args.people} people, {args.cases} cases ({args.cases * 3} visits), "
              f"{args.tasks} tasks, {args.tasks // 10} records in {took:.1f} s")
        import asyncio

        print("opening each section in the app (80x24, until the table painted):")
        for line in asyncio.run(app_first_paint(path)):
            print(line)
        session = Session(path, work_factor=10)
        session.unlock(PW)
        session.clock = lambda: NOW
        print(f"roster of {len(session.roster)} people loaded (the app shows it first)")
        print(f"opening each list (first {SCREEN} rows formatted; goal < 100 ms):")
        for name, query in lists(session).items():
            def shown(query: Callable[[], list[Any]] = query) -> list[Any]:
                rows = query()
                first_screen(rows)
                return rows

            rows, cold, warm = cold_and_warm(shown)
            print(f"list {name:<18} {len(rows):6d} rows  cold {ms(cold)}  "
                  f"warm {ms(warm)}")

        care, tasks, deeds = session.care, session.tasks, session.deeds
        case_ids = [r.id for r in care.cases()]
        task_ids = [r.id for r in tasks.query()]
        deed_ids = [r.id for r in deeds.query()]
        severities = ("ordinary", "serious", "extreme")
        print("saving an edit (goal < 16 ms + one fsync; the fsync is not in the figures):")
        print(time_saves(session, "care case severity", lambda i: care.edit_case(
            case_ids[i], {"severity": severities[i % 3]}), care.cases))
        print(time_saves(session, "visit (case follows)", lambda i: care.add_visit(
            case_ids[i], {"date": "2024-05-30", "method": "home", "visitor":
                          care.get(case_ids[i])["responsible"],  # type: ignore[index]
                          "findings": "走访", "support": "money", "amount": "300",
                          "next_visit": "2024-06-20"}), care.cases))
        print(time_saves(session, "task title", lambda i: tasks.edit(
            task_ids[i], {"title": f"改{i}"}), tasks.query))
        print(time_saves(session, "task progress", lambda i: tasks.log_progress(
            task_ids[i], "进展"), tasks.query))
        print(time_saves(session, "deed narrative", lambda i: deeds.edit(
            deed_ids[i % len(deed_ids)], {"narrative": "改" * 300}), deeds.query))
        members = [p.id for p in tasks.members()][:40]
        _, took = timed(lambda: tasks.add_for_each(tasks.from_template("survey"), members))
        print(f"one task for each of {len(members)} members (one batch): {ms(took)}")
        print(f"fsync on this disk: median {ms(fsync_median(path))}")
        session.lock()


if __name__ == "__main__":
    main()

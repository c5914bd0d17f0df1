"""The crash campaign: SIGKILL branchtool at random instants, then check.

    python -m bench.crash [--kills 1000] [--seed 1]

Scenarios, each a forked child doing real work and reporting every write it
has had acknowledged through a pipe (an *intent* line before, an *ack* line
after); the parent kills it after a random number of acks plus a random
delay, reopens the vault, runs the same checks as ``branchtool vault check``
and compares with what was acknowledged:

- store:    inserts, batches, updates, removals and compactions (tests/crashkit.py)
- demo:     building the demo vault
- roster:   importing a roster sheet (one batch each)
- checkin:  marking a day's check-ins one by one
- export:   writing bundles onto a "USB" folder
- office:   importing bundles into an office vault

It prints, per scenario and in all: kills, corrupt vaults, lost acknowledged
writes, and partial bundles left behind. Goal: zero in each column. POSIX only.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from branchtool import demo
from branchtool.bundles import format as fmt
from branchtool.errors import UserError
from branchtool.period import Period
from branchtool.session import Session
from storage import age
from storage.errors import StorageError
from tests import crashkit
from tests.crashkit import Say, acked, kill_at_random
from tests.officekit import Clock, enrol, make_branch, make_office

TODAY = dt.date(2026, 11, 20)
WORK_FACTOR = 10


@dataclass
class Tally:
    kills: int = 0
    acknowledged: int = 0
    corrupt: int = 0
    lost: int = 0
    partial: int = 0
    seconds: float = 0.0

    def add(self, other: Tally) -> None:
        for name in ("kills", "acknowledged", "corrupt", "lost", "partial", "seconds"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def kill(self, child: Callable[[Say], None], rng: random.Random, max_acks: int,
             max_delay: float = 0.004) -> tuple[list[Any], Any]:
        """Kill ``child`` at random (``kill_at_random``), count the kill and its
        acknowledged writes; the writes and the one in flight (or None)."""
        messages = kill_at_random(child, rng, max_acks, max_delay=max_delay)
        self.kills += 1
        done, pending = acked(messages)
        self.acknowledged += len(done)
        return done, pending

    def reopened(self, path: Path) -> Session | None:
        """The killed branch vault unlocked and checked; None (counted) when corrupt."""
        session = open_and_check(path, demo.PASSPHRASE)
        if session is None:
            self.corrupt += 1
        return session


def open_and_check(path: Path, passphrase: str) -> Session | None:
    """Unlock like the app does and run vault check; None when corrupt."""
    session = Session(path, work_factor=WORK_FACTOR)
    try:
        session.unlock(passphrase)
        if session.vault.check():
            session.lock()
            return None
    except (UserError, StorageError):
        return None
    return session


# -- scenarios ------------------------------------------------------------------------------
def scenario_store(work: Path, kills: int, rng: random.Random) -> Tally:
    result = crashkit.run_campaign(work / "store", kills=kills, seed=rng.randint(1, 10**6))
    return Tally(kills=result.kills, acknowledged=result.acknowledged,
                 corrupt=result.corrupt_vaults, lost=result.lost_writes)


def scenario_demo(work: Path, kills: int, rng: random.Random) -> Tally:
    tally = Tally()
    for _ in range(kills):
        path = work / "demo"
        shutil.rmtree(path, ignore_errors=True)

        def child(say: Say, path: Path = path) -> None:
            say("intent", "build")
            demo.build(path, people=40, days=4, seed=2, today=TODAY,
                       work_factor=WORK_FACTOR).lock()
            say("ack", None)

        done, _ = tally.kill(child, rng, 0, max_delay=1.5)
        if not (path / "vault.json").exists():
            if done:
                tally.lost += 1
            continue  # killed before the vault existed: nothing to check
        session = tally.reopened(path)
        if session is not None:
            if done and len(session.roster) != 40:
                tally.lost += 1
            session.lock()
    return tally


def _branch(work: Path, name: str, people: int = 60) -> tuple[Path, Any]:
    clock = Clock()
    office = make_office(work / f"{name}-office", clock)
    branch = make_branch(work / name, "CRASH", "崩溃测试支部", office, people=people, days=2)
    path = branch.path
    enrol(office, branch)
    branch.lock()
    return path, office


def scenario_roster(work: Path, kills: int, rng: random.Random) -> Tally:
    tally = Tally()
    path, office = _branch(work, "roster")
    office.vault.close()
    counter = [0]
    for _ in range(kills):
        sheets = []
        for _ in range(6):  # several imports per run, each one batch of new people
            counter[0] += 1
            sheet = work / f"sheet-{counter[0]}.csv"
            with open(sheet, "w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(["姓名", "人员类别", "政治面貌", "备注"])
                for k in range(25):
                    writer.writerow([f"导入{counter[0]}号{k}", "学生", "共青团员",
                                     f"sheet-{counter[0]}"])
            sheets.append(sheet)

        def child(say: Say, sheets: list[Path] = sheets) -> None:
            from branchtool.services import roster_io

            session = Session(path, work_factor=WORK_FACTOR)
            session.unlock(demo.PASSPHRASE)
            for sheet in sheets:
                data, guessed = roster_io.read(sheet)
                plan = roster_io.plan(session.roster, data, guessed, {})
                say("intent", sheet.stem)
                roster_io.commit(session.roster, plan)
                say("ack", None)

        done, pending = tally.kill(child, rng, 6, max_delay=0.05)
        session = tally.reopened(path)
        if session is None:
            break
        per_sheet: dict[str, int] = {}
        for person in session.roster.people():
            note = person["notes"]
            if note.startswith("sheet-"):
                per_sheet[note] = per_sheet.get(note, 0) + 1
        session.lock()
        for stem in done:
            if per_sheet.get(stem) != 25:
                tally.lost += 1
        for stem, count in per_sheet.items():
            if count != 25:
                tally.corrupt += 1  # half an import: the batch was not atomic
            elif stem != pending and stem not in done and not _earlier(stem, counter[0], 6):
                tally.corrupt += 1
    return tally


def _earlier(stem: str, last: int, per_run: int) -> bool:
    """A sheet of an earlier run (already checked then)."""
    return int(stem.split("-")[1]) <= last - per_run


def scenario_checkin(work: Path, kills: int, rng: random.Random) -> Tally:
    tally = Tally()
    path, office = _branch(work, "checkin", people=120)
    office.vault.close()
    for round_no in range(kills):
        day = (TODAY - dt.timedelta(days=round_no % 300)).isoformat()

        def child(say: Say, day: str = day) -> None:
            session = Session(path, work_factor=WORK_FACTOR)
            session.unlock(demo.PASSPHRASE)
            for person in list(session.health.active_people()):
                say("intent", person.id)
                session.health.mark_normal(day, person.id)
                say("ack", None)

        done, _ = tally.kill(child, rng, 30)
        session = tally.reopened(path)
        if session is None:
            break
        tally.lost += sum(1 for pid in done if session.health.get(day, pid) is None)
        session.lock()
    return tally


def scenario_export(work: Path, kills: int, rng: random.Random) -> Tally:
    tally = Tally()
    clock = Clock()
    office = make_office(work / "export-office", clock)
    branch = make_branch(work / "export", "EXPO", "导出测试支部", office, people=40, days=3)
    path, identity = branch.path, office.vault.identity
    branch.lock()
    office.vault.close()
    usb = work / "usb"
    usb.mkdir()
    for _ in range(kills):
        def child(say: Say) -> None:
            session = Session(path, work_factor=WORK_FACTOR)
            session.unlock(demo.PASSPHRASE)
            session.bundles.today = lambda: TODAY
            for _ in range(4):
                say("intent", None)
                result = session.bundles.export(usb, Period(TODAY, TODAY))
                say("ack", result.path.name)

        done, _ = tally.kill(child, rng, 4, max_delay=0.1)
        session = tally.reopened(path)
        if session is None:
            break
        recorded = {s["file"] for s in session.bundles.outbox()}
        session.lock()
        tally.lost += sum(1 for name in done if name not in recorded or
                          not (usb / name).is_file())
        for file in usb.iterdir():
            try:
                json_bytes, _ = fmt.unpack(age.decrypt(file.read_bytes(), [identity]))
                fmt.decode(json_bytes)
            except (ValueError, UserError):
                tally.partial += 1  # a temp file or a torn bundle on the stick
    return tally


def scenario_office(work: Path, kills: int, rng: random.Random) -> Tally:
    tally = Tally()
    clock = Clock()
    office = make_office(work / "office", clock)
    branch = make_branch(work / "office-branch", "OFFI", "上报测试支部", office, people=40,
                         days=3)
    enrol(office, branch)
    out = work / "office-bundles"
    out.mkdir()
    files = []
    for k in range(8):
        person = next(iter(branch.roster.people()))
        branch.roster.edit(person.id, {"notes": f"第{k}次修改"})
        files.append(branch.bundles.export(out, Period(TODAY, TODAY)).path)
    branch.lock()
    office_path = office.vault.path
    office.vault.close()
    pristine = work / "office-pristine"
    shutil.copytree(office_path, pristine)
    from branchtool.office.service import OfficeService
    from storage.vault import Vault
    from tests.officekit import OFFICE_PASSPHRASE, TZ

    for _ in range(kills):
        shutil.rmtree(office_path)
        shutil.copytree(pristine, office_path)

        def child(say: Say) -> None:
            service = OfficeService(Vault.open(office_path, OFFICE_PASSPHRASE), now=clock, tz=TZ)
            for file in files:
                say("intent", file.name)
                results = service.import_paths([file])
                if results[0].verdict != "accepted":
                    raise RuntimeError(results[0].verdict)
                say("ack", None)

        done, _ = tally.kill(child, rng, len(files), max_delay=0.05)
        try:
            vault = Vault.open(office_path, OFFICE_PASSPHRASE)
        except StorageError:
            tally.corrupt += 1
            continue
        try:
            if vault.check():
                tally.corrupt += 1
            service = OfficeService(vault, now=clock, tz=TZ)
            imported = {b["sequence"] for b in service.bundles_of("OFFI")}
            wanted = {int(name.split("-")[1]) for name in done}
            tally.lost += len(wanted - imported)
        finally:
            vault.close(compact=False)
    return tally


SCENARIOS: dict[str, tuple[Callable[[Path, int, random.Random], Tally], float]] = {
    # name: (runner, share of the kills)
    "store": (scenario_store, 0.40),
    "checkin": (scenario_checkin, 0.20),
    "roster": (scenario_roster, 0.12),
    "export": (scenario_export, 0.12),
    "office": (scenario_office, 0.11),
    "demo": (scenario_demo, 0.05),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", choices=sorted(SCENARIOS))
    args = parser.parse_args()
    if sys.platform == "win32":
        sys.exit("bench/crash.py forks and sends SIGKILL: it runs on Linux or macOS only")
    rng = random.Random(args.seed)
    total = Tally()
    print(f"{'scenario':10} {'kills':>6} {'acked':>7} {'corrupt':>8} {'lost':>6} "
          f"{'partial':>8} {'seconds':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, (runner, share) in SCENARIOS.items():
            if args.only and name != args.only:
                continue
            kills = args.kills if args.only else max(1, round(args.kills * share))
            work = Path(tmp) / name
            work.mkdir()
            start = time.perf_counter()
            tally = runner(work, kills, rng)
            tally.seconds = time.perf_counter() - start
            total.add(tally)
            print(f"{name:10} {tally.kills:6} {tally.acknowledged:7} {tally.corrupt:8} "
                  f"{tally.lost:6} {tally.partial:8} {tally.seconds:8.1f}", flush=True)
    print(f"{'all':10} {total.kills:6} {total.acknowledged:7} {total.corrupt:8} "
          f"{total.lost:6} {total.partial:8} {total.seconds:8.1f}")


if __name__ == "__main__":
    main()

"""An office's morning, built for the tests, the snapshots and trying the app
by hand: enrolled branches with long, alike names that all reported
yesterday, and on a stick this morning's files — most on time, one late, one
damaged, one branch silent, one correcting a check-in of yesterday — and,
with six branches or more, one branch whose key was revoked last night.

    python tests/morningkit.py OUT_DIR [--branches 40] [--people 8]

OUT_DIR gets ``office/`` (passphrase ``OFFICE_PASSPHRASE``, yesterday's
bundles imported), ``usb/`` (this morning's files) and ``branches/<code>/``
(the branch vaults, passphrase ``demo.PASSPHRASE``). Everything is built
through the program's own services on pinned clocks; nothing is edited by
hand but the damaged file, which is a real bundle with bytes flipped.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from branchtool import demo
from branchtool.bundles import export as bundle_export
from branchtool.office.service import OfficeService
from branchtool.period import Period
from branchtool.session import Session
from tests.officekit import TZ, Clock, enrol, make_branch, make_office

MORNING = dt.date(2026, 12, 5)
YESTERDAY = MORNING - dt.timedelta(days=1)
DEPARTMENTS = ("软件工程系本科生", "计算机科学系本科生", "信息安全系研究生", "数学系本科生",
               "物理系研究生", "化学系本科生", "外国语学院本科生", "经济管理学院研究生",
               "机关", "图书馆", "后勤保障部", "离退休教职工")
SECRETARIES = ("王秀英", "李建国", "张丽", "刘伟", "陈静", "杨帆", "赵敏", "黄海波", "周婷",
               "吴磊", "徐慧", "孙志强")
LATE, DAMAGED, SILENT, CORRECTED, REVOKED = "B02", "B03", "B04", "B01", "B06"


def branch_names(count: int) -> list[tuple[str, str]]:
    """(code, name): B01 and B13 are both 软件工程系本科生's (first and second)."""
    out = []
    for n in range(count):
        department = DEPARTMENTS[n % len(DEPARTMENTS)]
        out.append((f"B{n + 1:02d}", f"{department}第{n // len(DEPARTMENTS) + 1}党支部"))
    return out


@dataclass
class Morning:
    root: Path
    office: Path
    usb: Path
    branches: dict[str, Path] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    corrected: dict[str, str] = field(default_factory=dict)  # person id, name, old, new


@contextlib.contextmanager
def sent_at(moment: dt.datetime) -> Iterator[None]:
    """Bundles written inside carry ``moment`` (local, UTC+8) as their creation time."""
    stamp = moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    before = bundle_export.utc_now
    bundle_export.utc_now = lambda: stamp  # type: ignore[assignment]
    try:
        yield
    finally:
        bundle_export.utc_now = before  # type: ignore[assignment]


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def _export(branch: Session, usb: Path, day: dt.date, moment: dt.datetime) -> Path:
    usb.mkdir(parents=True, exist_ok=True)
    branch.bundles.today = lambda: day
    with sent_at(moment):
        return branch.bundles.export(usb, Period(day, day)).path


def build(root: Path, branches: int = 5, people: int = 8) -> Morning:
    root = Path(root)
    clock = Clock(local(YESTERDAY, 8, 0))
    office = make_office(root / "office", clock)
    morning = Morning(root, root / "office", root / "usb")
    yesterday_usb = root / "yesterday"
    sessions: dict[str, Session] = {}
    watch = {"now": dt.datetime.combine(YESTERDAY, dt.time(8, 0))}
    try:
        for n, (code, name) in enumerate(branch_names(branches)):
            path = root / "branches" / code
            session = make_branch(path, code, name, office, people=people, days=3, seed=n + 1,
                                  today=YESTERDAY)
            # the services the demo built run on the wall clock: open it again on ours
            session.lock()
            session.unlock(demo.PASSPHRASE)
            session.clock = lambda: watch["now"]
            if code != SILENT:  # the silent branch never said whom to phone
                session.save_contact(SECRETARIES[n % len(SECRETARIES)], f"138 0013 {n:04d}")
            enrol(office, session)
            sessions[code] = session
            morning.branches[code] = path
            morning.names[code] = name
            _export(session, yesterday_usb, YESTERDAY, local(YESTERDAY, 8, 30 + n % 20))
        clock.at(YESTERDAY, 9, 0)
        office.import_paths([yesterday_usb])
        if branches >= 6:
            clock.at(YESTERDAY, 18, 0)
            office.trust.revoke(REVOKED)
        # this morning: the check-ins of the day, and what each branch sends
        watch["now"] = dt.datetime.combine(MORNING, dt.time(8, 10))
        for n, (code, session) in enumerate(sessions.items()):
            if code in (SILENT, REVOKED):
                continue
            people_now = session.health.active_people()
            session.health.mark_rest_normal(MORNING)
            if n % 3 == 0 and people_now:
                session.health.record(MORNING, people_now[-1].id,
                                      {"temperature": "38.2", "symptoms": "fever,dry_cough"})
            if code == CORRECTED:
                sheet = session.health.day(YESTERDAY)
                person = next(p for p in people_now if p.id in sheet
                              and not sheet[p.id].get("symptoms"))
                old = sheet[person.id]
                session.health.record(YESTERDAY, person.id,
                                      {"temperature": "37.9", "symptoms": "fever"})
                morning.corrected = {"id": person.id, "name": person["name"],
                                     "old": str(old.get("temperature", "")), "new": "37.9"}
            moment = local(MORNING, 10, 15) if code == LATE else local(MORNING, 8, 40 + n % 15)
            path = _export(session, morning.usb, MORNING, moment)
            if code == DAMAGED:
                data = bytearray(path.read_bytes())
                middle = len(data) // 2
                data[middle:middle + 16] = bytes(b ^ 0x5A for b in data[middle:middle + 16])
                path.write_bytes(bytes(data))
        clock.at(MORNING, 9, 50)
    finally:
        for session in sessions.values():
            session.lock()
        office.vault.close()
    return morning


def import_morning(morning: Morning) -> None:
    """This morning's stick imported at 09:50, as the clerk would."""
    office = open_office(morning.office)
    try:
        office.import_paths([morning.usb])
    finally:
        office.vault.close()


@contextlib.contextmanager
def office_time_zone() -> Iterator[None]:
    """The office's wall clock in UTC+8, whatever the machine's (the
    deadline and the times shown are the office's local ones)."""
    import os
    import time

    tzset = getattr(time, "tzset", lambda: None)  # POSIX: where the suite runs
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Shanghai"
    tzset()
    try:
        yield
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        tzset()


def open_office(path: Path, clock: Clock | None = None) -> OfficeService:
    from storage.vault import Vault
    from tests.officekit import OFFICE_PASSPHRASE

    return OfficeService(Vault.open(path, OFFICE_PASSPHRASE),
                         now=clock or Clock(local(MORNING, 9, 50)), tz=TZ)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--branches", type=int, default=5)
    parser.add_argument("--people", type=int, default=8)
    args = parser.parse_args()
    morning = build(args.out, args.branches, args.people)
    print(f"office: {morning.office}\nstick:  {morning.usb}")


if __name__ == "__main__":
    main()

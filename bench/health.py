"""Epidemic-watch benchmark at the size of a big branch.

    python -m bench.health [--people 3000] [--days 365] [--keep DIR]

Builds a vault with ``--people`` people and ``--days`` days of history ending
yesterday (about 97% reporting each day, a few fevers and contacts, four
notices a month relayed to the members, the alert rules applied every day and
old alerts handled), written month by month through the services with the
store's clock following the simulated days; then closes it (compaction) and,
on a fresh unlock, times:

- opening the day sheet for today (no check-in yet): cold, the month's
  partition decrypted and loaded and the sheet built with its first screenful
  of rows formatted; warm, the same again;
- marking a row normal (p50/p95 of 200), without its fsync, and the number of
  fsyncs per mark; the disk's median fsync printed apart;
- importing a 3,000-row survey export (.csv, 问卷星 layout): reading, matching
  and checking, and the one-batch commit;
- computing the dashboard (today's figures, 14- and 30-day series, contacts'
  agenda, notice coverage, open alerts) over the year: cold and warm; then
  the alert rules about time, which the app's dashboard worker applies first.

Goals: sheet under 200 ms, a mark under 16 ms plus one fsync, the import under
2 s, the dashboard under 100 ms. Figures, not assertions; scrypt is excluded.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.people import active_people
from bench.timing import FsyncTimer, cold_and_warm, fsync_median, ms, percentile, rss_text, timed
from branchtool.records.checkin import CHECKIN
from branchtool.services import checkin_import, dashboard
from branchtool.services.alerts import AlertService
from branchtool.services.contacts import ContactService
from branchtool.services.health import HealthService, SheetRow
from branchtool.services.notices import NoticeService
from branchtool.services.roster import PARTITION, RosterService
from storage.vault import Vault

PW = "bench passphrase"
WORK_FACTOR = 10
TODAY = dt.date(2026, 11, 30)  # the last day of a month: its partition is full
SCREEN = 22


class Services:
    """The watch services over a vault, on a clock the caller moves."""

    def __init__(self, vault: Vault, now: dt.datetime) -> None:
        self.now = now
        self.vault = vault
        self.roster = RosterService(vault.partition(PARTITION), vault.batch)
        self.contacts = ContactService(vault, self.roster, now=self.clock)
        self.health = HealthService(vault, self.roster, isolation=self.contacts.person_isolation,
                                    now=self.clock)
        self.alerts = AlertService(vault, self.roster, self.health, self.contacts,
                                   now=self.clock)
        self.notices = NoticeService(vault, self.roster, now=self.clock)

    def clock(self) -> dt.datetime:
        return self.now


def open_vault(path: Path, moment: list[dt.datetime]) -> Vault:
    """Unlock with the store's clock reading ``moment[0]`` (history entries
    land in the simulated month's partition)."""
    def clock() -> str:
        return moment[0].isoformat(timespec="milliseconds") + "Z"

    return Vault.open(path, PW, clock=clock)


def checkin(rng: random.Random, day: dt.date, sick: bool) -> dict[str, object]:
    temperature = rng.choice((37.4, 37.8, 38.3)) if sick else rng.choice(
        (36.2, 36.3, 36.4, 36.5, 36.5, 36.6, 36.7, 36.8))
    home = rng.random() < 0.25
    return {"date": day.isoformat(), "temperature": f"{temperature:.1f}",
            "symptoms": ["fever", "dry_cough"] if sick else [],
            "location": "home" if home else "campus", "province": "湖北省" if home else "",
            "city": "武汉市" if home else "", "risk_travel": "no", "case_contact": "no",
            "isolation": "none", "source": rng.choice(("self", "import", "proxy"))}


def build(path: Path, people: int, days: int) -> None:
    rng = random.Random(7)
    first = TODAY - dt.timedelta(days=days)
    moment = [dt.datetime.combine(first, dt.time(8))]
    vault = Vault.create(path, PW, work_factor=WORK_FACTOR)
    vault.close()
    vault = open_vault(path, moment)
    s = Services(vault, moment[0])
    s.roster.write_batch(active_people(rng, people, first), [])
    ids = [p.id for p in s.roster.people()]
    members = [p.id for p in s.roster.people() if p["stage"] in ("member", "probationary")]
    month = None
    for n in range(days):
        day = first + dt.timedelta(days=n)
        if day.strftime("%Y-%m") != month:
            if month is not None:  # close the month: compaction, memory freed
                vault.close()
                moment[0] = dt.datetime.combine(day, dt.time(7))
                vault = open_vault(path, moment)
                s = Services(vault, moment[0])
            month = day.strftime("%Y-%m")
            _month_start(rng, s, day, members)
        moment[0] = s.now = dt.datetime.combine(day, dt.time(9))
        rows, times = [], {}
        for pid in ids:
            if rng.random() < 0.03:
                continue
            doc, _ = CHECKIN.clean(checkin(rng, day, rng.random() < 0.001))
            times[len(rows)] = dt.datetime.combine(day, dt.time(7, rng.randrange(60)))
            rows.append((pid, doc))
        s.health.write(rows, times=times)
        for contact in s.contacts.active_on(day):
            s.contacts.follow_up(contact["id"], day, "well", temperature="36.5")
        moment[0] = s.now = dt.datetime.combine(day, dt.time(20))
        s.alerts.refresh()
        if day.day % 7 == 0:  # the week's alerts are looked at
            with vault.batch():
                for alert in s.alerts.open():
                    if alert["last"] < (day - dt.timedelta(days=2)).isoformat():
                        s.alerts.handle(alert["id"], "已核实")
        if n % 30 == 29:
            print(f"  ... {n + 1} days built", file=sys.stderr)
    vault.close()


def _month_start(rng: random.Random, s: Services, day: dt.date, members: list[str]) -> None:
    """A few contacts and four notices a month, relayed to most members."""
    for _ in range(4):
        s.contacts.add({"name": "外来人员", "exposure_date": day,
                        "observation_type": rng.choice(("medical_observation",
                                                        "home_quarantine"))})
    for week in range(4):
        issued = day + dt.timedelta(days=7 * week)
        s.now = dt.datetime.combine(issued, dt.time(9))
        nid = s.notices.add({"title": f"通知{issued.isoformat()}", "issued_on": issued,
                             "deadline": issued + dt.timedelta(days=5),
                             "number": "院党组〔2020〕3号"})
        s.notices.relay(nid, [m for m in members if rng.random() < 0.9], "wechat_group", issued)
    s.now = dt.datetime.combine(day, dt.time(9))


def survey(path: Path, s: Services) -> Path:
    """A 问卷星 export with one answer per person for TODAY, matched by phone."""
    rng = random.Random(3)
    lines = ["序号,提交答卷时间,所用时间,来源,1、姓名,2、手机号码,3、今日体温,4、是否有以下症状,"
             "5、当前所在地,6、所在省份,7、近14天是否到过中高风险地区,8、是否接触确诊或疑似病例"]
    for n, person in enumerate(s.roster.people(), start=1):
        temp = rng.choice(("36.4", "36.5", "36.6", "36.8", "37.5"))
        lines.append(f"{n},{TODAY:%Y/%m/%d} 07:{n % 60:02d}:00,60秒,微信,{person['name']},"
                     f"{person['phone']},{temp},无,在校,,否,否")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def sheet_line(sheet: Any, person: Any) -> None:
    """A person's line of the sheet, formatted as the table draws it."""
    row = SheetRow(sheet, person)
    for key in row.view.keys:
        row.cell(key)


def first_screen(sheet: Any) -> None:
    for person in sheet.people[:SCREEN]:
        sheet_line(sheet, person)


def measure(path: Path) -> None:
    moment = [dt.datetime.combine(TODAY, dt.time(10, 30))]
    vault = open_vault(path, moment)
    s = Services(vault, moment[0])
    print(f"roster of {len(s.roster)} people loaded (the app shows it first); "
          f"{len(vault.partitions('checkins/'))} months of check-ins")

    def open_sheet() -> Any:
        sheet = s.health.sheet(TODAY)
        first_screen(sheet)
        return sheet

    sheet, cold, warm = cold_and_warm(open_sheet)
    print(f"open day sheet  {len(sheet):5d} people  cold {ms(cold)}  "
          f"warm {warm * 1000:7.2f} ms   (goal < 200 ms)")

    timer = FsyncTimer(vault.store.io)
    marks, fsyncs = [], []
    for person in sheet.missing()[:200]:
        timer.reset()
        _, took = timed(lambda p=person: (s.health.mark_normal(TODAY, p.id), sheet_line(sheet, p)))
        marks.append(took - timer.seconds)
        fsyncs.append(timer.count)
    timer.restore()
    print(f"mark a row normal   p50 {ms(percentile(marks, 0.5))}  "
          f"p95 {ms(percentile(marks, 0.95))}  + {max(fsyncs)} fsync   (goal < 16 ms + 1 fsync)")

    with tempfile.TemporaryDirectory() as tmp:
        file = survey(Path(tmp) / "survey.csv", s)
        t0 = time.perf_counter()
        table, mapping = checkin_import.read(file)
        t1 = time.perf_counter()
        plan = checkin_import.plan(s.health, s.roster, table, mapping)
        t2 = time.perf_counter()
        result = checkin_import.commit(s.health, s.roster, plan)
        t3 = time.perf_counter()
    print(f"import {len(table.rows)} rows  read {ms(t1 - t0)}  match+check {ms(t2 - t1)}  "
          f"commit {ms(t3 - t2)} ({result.added} new, {result.updated} updated, one batch)  "
          f"total {ms(t3 - t0)}   (goal < 2 s)")
    vault.close()

    vault = open_vault(path, moment)
    s = Services(vault, moment[0])
    len(s.roster)
    board, cold, warm = cold_and_warm(
        lambda: dashboard.compute(s.health, s.contacts, s.notices, s.alerts, TODAY))
    days = len(vault.partition("health_days"))
    print(f"dashboard over {days} days of history  cold {ms(cold)}  "
          f"warm {ms(warm)}   (goal < 100 ms); "
          f"{board.alerts_open} open alerts of {len(vault.partition('alerts'))}, "
          f"{len(vault.partition('relays'))} relays, {len(vault.partition('contacts'))} contacts")
    t0 = time.perf_counter()
    raised = s.alerts.refresh()
    print(f"alert time rules (the dashboard's worker runs them first)  cold "
          f"{ms(time.perf_counter() - t0)} ({raised} raised: today's and streaks)")
    vault.close(compact=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--keep", type=Path, help="build into DIR once and reuse it")
    args = parser.parse_args()
    tmp = None
    if args.keep:
        path = args.keep
    else:
        tmp = tempfile.mkdtemp()
        path = Path(tmp) / "vault"
    try:
        if not Vault.exists(path):
            _, took = timed(lambda: build(path, args.people, args.days))
            print(f"built {args.people} people x {args.days} days in {took:.0f} s")
        backup = path.with_name(path.name + ".measured")
        shutil.rmtree(backup, ignore_errors=True)
        shutil.copytree(path, backup)  # measure a copy: the built vault stays reusable
        try:
            measure(backup)
        finally:
            shutil.rmtree(backup, ignore_errors=True)
        print(f"fsync on this disk: median {ms(fsync_median(path.parent, 50))}; "
              f"{rss_text()}")
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

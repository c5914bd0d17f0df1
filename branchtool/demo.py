"""The demo branch: a vault filled with realistic synthetic data, so that a
newcomer sees a full, working branch in one step (``branchtool demo``).

The generator is a list of parts (``DEMO_PARTS``), each filling its own area
from one seeded random generator; later areas append their part (health
check-ins for ``days`` days, contacts, tasks...). The same seed, size and day
give the same branch.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from branchtool import demo_data as data
from branchtool import i18n
from branchtool.records import checks
from branchtool.records.person import PERSON, STAGE_DATES, STAGES
from branchtool.session import Session

PASSPHRASE = "demo"
BRANCH_CODE = "DEMO"


@dataclass
class DemoContext:
    session: Session  # unlocked
    rng: random.Random
    people: int
    days: int
    today: dt.date
    person_ids: list[str] = field(default_factory=list)  # filled by the roster part
    # The day the store's clock gives the history entries and journal frames:
    # the semester's first day, then each simulated day (``history_on``).
    history_day: list[dt.date] = field(default_factory=list)

    def history_on(self, day: dt.date) -> None:
        self.history_day[:] = [day]


def _pick_weighted(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _name(rng: random.Random, gender: str) -> str:
    surname = (rng.choice(data.COMPOUND_SURNAMES) if rng.random() < 0.01
               else rng.choice(data.SURNAMES))
    pool = (data.GIVEN_MALE if gender == "male" else data.GIVEN_FEMALE) + data.GIVEN_EITHER
    return surname + "".join(rng.choice(pool) for _ in range(rng.choice((1, 2, 2))))


def _id_number(rng: random.Random, region: str, born: dt.date, gender: str) -> str:
    order = rng.randrange(0, 500) * 2 + (1 if gender == "male" else 0)
    first17 = f"{region}{born:%Y%m%d}{order:03d}"
    return first17 + checks.id_check_digit(first17)


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


# Days between one development stage and the next.
_GAPS = {"activist_on": (180, 400), "candidate_on": (365, 500),
         "joined_on": (90, 200), "confirmed_on": (365, 380)}


def _development(rng: random.Random, stage: str, born: dt.date,
                 today: dt.date) -> dict[str, str]:
    """Dates of the development stages reached, in order: worked back from a
    recent last step, then moved later if the application came before 18.
    (A person who cannot fit is redrawn: ``PERSON.clean`` rejects them.)"""
    reached = [key for key, opens in STAGE_DATES if _RANK[opens] <= _RANK[stage]]
    if not reached:
        return {}
    years = max(1, today.year - born.year - 19)
    latest = today - dt.timedelta(days=rng.randint(20, 330 if stage != "member" else 365 * years))
    days = {reached[-1]: latest}
    for earlier, later in zip(reversed(reached[:-1]), reversed(reached[1:]), strict=True):
        days[earlier] = days[later] - dt.timedelta(days=rng.randint(*_GAPS[later]))
    adult = dt.date(born.year + 18, born.month, 28 if born.month == 2 else born.day)
    shift = max(dt.timedelta(0), adult - days["applied_on"])
    return {key: min(day + shift, today).isoformat() for key, day in days.items()}


_RANK = {s: i for i, s in enumerate(STAGES)}
_STAFF_STAGES = (("member", 70), ("probationary", 5), ("candidate", 3), ("activist", 4),
                 ("applicant", 3), ("masses", 15))
_STUDENT_STAGES = (("league", 34), ("applicant", 24), ("activist", 16), ("candidate", 8),
                   ("probationary", 8), ("member", 6), ("masses", 4))


def person_values(rng: random.Random, today: dt.date) -> dict[str, str]:
    """One synthetic person's field values (stored codes, ISO dates)."""
    category = rng.choices(("student", "staff", "other"), weights=(78, 20, 2))[0]
    gender = rng.choice(("male", "female"))
    region, place = rng.choice(data.PLACES)
    if category == "student":
        age = rng.randint(18, 26)
        stage = _pick_weighted(rng, _STUDENT_STAGES)
        grade = today.year - rng.randint(0, 3) - (1 if today.month < 9 else 0)
        unit = data.CLASS.format(major=rng.choice(data.MAJORS), grade=grade, n=rng.randint(1, 4))
        group = rng.choice(data.STUDENT_GROUPS)
        education = "master" if age >= 23 else "secondary"
        address = data.DORM_ROOM.format(dorm=rng.choice(data.DORMS), floor=rng.randint(1, 6),
                                        room=rng.randint(1, 30))
    else:
        age = rng.randint(24, 62)
        stage = _pick_weighted(rng, _STAFF_STAGES)
        unit = rng.choice(data.DEPARTMENTS)
        group = rng.choice(data.STAFF_GROUPS)
        education = rng.choices(("doctorate", "master", "bachelor"), weights=(45, 40, 15))[0]
        address = data.STREET.format(place=place, road=rng.choice(data.ROADS),
                                     number=rng.randint(1, 300))
    born = today.replace(year=today.year - age, day=1) - dt.timedelta(days=rng.randint(0, 360))
    values = {
        "name": _name(rng, gender),
        "gender": gender,
        "ethnicity": _pick_weighted(rng, data.ETHNICITIES),
        "birth_date": born.isoformat(),
        "native_place": place,
        "education": education,
        "id_number": _id_number(rng, region, born, gender),
        "phone": _phone(rng),
        "category": category,
        "stage": stage,
        "group": group if _RANK[stage] >= _RANK["applicant"] else "",
        "unit": unit,
        "address": address,
        "notes": rng.choice(data.NOTES if category == "student"
                            else data.SENIOR_STAFF_NOTES if age >= 50 else data.STAFF_NOTES),
        "status": rng.choices(("active", "transferred", "left"), weights=(96, 3, 1))[0],
    }
    values.update(_development(rng, stage, born, today))
    return values


def roster_part(ctx: DemoContext) -> None:
    roster = ctx.session.roster
    seen: set[str] = set()
    docs: list[dict[str, str]] = []
    while len(docs) < ctx.people:
        values, problems = PERSON.clean(person_values(ctx.rng, ctx.today))
        if problems or values["id_number"] in seen:
            continue  # a rare same-day ID: draw another person
        seen.add(values["id_number"])
        docs.append(values)
    posts = iter(data.PARTY_POSTS)
    for values in docs:
        if values["stage"] == "member" and values["category"] == "staff":
            values["party_post"] = next(posts, "")
    roster.write_batch(docs, [])
    ctx.person_ids = [p.id for p in roster.people()]


def care_part(ctx: DemoContext) -> None:
    from branchtool.demo_care import care_and_accountability

    care_and_accountability(ctx)


def health_part(ctx: DemoContext) -> None:
    from branchtool.demo_health import epidemic_watch

    epidemic_watch(ctx)


DemoPart = Callable[[DemoContext], None]
DEMO_PARTS: list[DemoPart] = [roster_part, care_part, health_part]


def office_path(branch_path: str | os.PathLike[str]) -> Path:
    """Where the demo office lives: beside the demo branch (``demo-office``)."""
    path = Path(branch_path)
    return path.with_name(path.name + "-office")


def is_demo_office(path: str | os.PathLike[str]) -> bool:
    from storage.vault import Vault

    target = Path(path)
    return Vault.exists(target) and bool(Vault.read_info(target).get("info", {}).get("demo"))


def build_office(branch: Session, path: str | os.PathLike[str], *,
                 work_factor: int = 18) -> Path:
    """The demo office beside the demo branch (passphrase ``demo``): the
    branch is enrolled at it and sends to its key, so a newcomer can export
    in the branch and import in the office (``branchtool --data-dir PATH``)."""
    from branchtool.office.create import create_office
    from branchtool.office.service import OfficeService

    target = Path(path)
    vault, _ = create_office(target, i18n.t("demo.office_name"), PASSPHRASE,
                             work_factor=work_factor, check_passphrase=False)
    try:
        vault.update_info(demo=True)
        office = OfficeService(vault)
        office.trust.enrol(branch.bundles.branch_key())
        branch.bundles.set_office_key(office.key())
    except BaseException:
        vault.close()
        shutil.rmtree(target, ignore_errors=True)
        raise
    vault.close()
    return target


def build(path: str | os.PathLike[str], *, people: int = 300, days: int = 30, seed: int = 1,
          today: dt.date | None = None, work_factor: int = 18,
          progress: Callable[[int, int], None] | None = None) -> Session:
    """Create the demo vault at ``path`` and fill it; returns it unlocked.
    ``progress(done, total)`` after each part (and the compaction)."""
    session = Session(Path(path), work_factor=work_factor)
    info: dict[str, Any] = {"demo": True, "demo_seed": seed}
    session.create(BRANCH_CODE, i18n.t("demo.branch_name"), PASSPHRASE, extra_info=info,
                   check_passphrase=False)
    try:
        ctx = DemoContext(session, random.Random(seed), people, days, today or dt.date.today())
        store = session.vault.store
        ctx.history_on(ctx.today - dt.timedelta(days=max(1, days) - 1))
        real_clock = store.clock
        # A semester's history is written as it happened, month by month (a
        # month's partition is what each later compaction rewrites), not all
        # in the month the demo is built.
        store.clock = lambda: f"{ctx.history_day[0]:%Y-%m-%d}T12:00:00.000Z"
        try:
            steps = len(DEMO_PARTS) + 1
            # No compaction on the way but one at the end (and the health
            # part's, as each month of the semester is complete).
            with store.compaction_deferred(backup=False):
                for done, part in enumerate(DEMO_PARTS, start=1):
                    part(ctx)
                    if progress:
                        progress(done, steps)
            if progress:
                progress(steps, steps)
        finally:
            store.clock = real_clock
    except BaseException:
        session.lock()
        shutil.rmtree(path, ignore_errors=True)  # never leave a half-built demo behind
        raise
    return session

"""The demo branch's epidemic watch: daily check-ins for the demo's days (a few
fevers and symptoms, a few people who often forget, one who stopped reporting),
a handful of contacts under observation with their follow-ups, two notices
with partial coverage, and the alerts all of that raises (some handled).

One part of the demo generator (``demo.DEMO_PARTS``): it draws from the
generator's seeded random numbers and dates everything relative to its
``today``; the services it writes through run on a clock pinned to that day,
so the same seed gives the same branch whenever it is built. Texts are demo
content, not interface text.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from branchtool.records.checkin import CHECKIN, checkin_id, compact, partition_name
from branchtool.records.person import ACTIVE
from branchtool.services import health_rules as rules
from branchtool.services.alerts import AlertService
from branchtool.services.contacts import ContactService
from branchtool.services.health import DAYS, HealthService, add_to_day, blank_day
from branchtool.services.notices import NoticeService
from branchtool.services.watch import stamp
from storage import bulk

if TYPE_CHECKING:
    from branchtool.demo import DemoContext

# The check-ins go to the store in bulk (``_write_new_day``); False: through
# ``HealthService.write`` row by row (a test builds both and compares them).
BULK = True
HOMES = (("湖北省", "武汉市"), ("河南省", "郑州市"), ("广东省", "广州市"), ("四川省", "成都市"),
         ("山东省", "济南市"), ("浙江省", "杭州市"), ("江苏省", "南京市"), ("湖南省", "长沙市"),
         ("安徽省", "合肥市"), ("河北省", "石家庄市"))
MILD = ("dry_cough", "sore_throat", "fatigue")
SOURCE_CASES = ("本市第12例确诊病例", "外省输入病例（同车次）", "社区疑似病例")
PLACES = ("家中（独居）", "学校隔离观察点3号楼", "市集中隔离点（锦江宾馆）")
RELATIONS = ("学生家长", "同住亲属", "外卖配送员")
EXTEND_REASONS = ("观察期内出现咽痛，延长观察", "同住家属新近确诊，重新计算观察期")
HANDLING = ("已电话联系本人，体温复测正常", "已通知辅导员，安排就近就诊",
            "已联系家长，确认居家情况", "本人外出实习，已补报")
NOTICES = (
    {"number": "院党组〔2020〕3号", "issuer": "学院党委",
     "title": "关于坚决做好新型冠状病毒感染的肺炎疫情防控工作的通知",
     "text": "各党支部要把疫情防控作为当前最重要的工作，组织全体党员做好每日健康摸排，"
             "严格落实零报告制度，发挥基层党组织战斗堡垒作用和党员先锋模范作用。"},
    {"number": "校党委〔2020〕5号", "issuer": "学校党委组织部",
     "title": "关于在疫情防控一线开展党员先锋岗活动的通知",
     "text": "在疫情防控一线设立党员先锋岗、党员突击队，引导党员亮身份、作表率。"},
)


def epidemic_watch(ctx: DemoContext) -> None:
    rng = ctx.rng
    today = ctx.today
    session = ctx.session
    vault, roster = session.vault, session.roster

    moment = [dt.datetime.combine(today, dt.time(11, 30))]

    def clock() -> dt.datetime:  # the contacts are registered on their own days
        return moment[0]

    contacts = ContactService(vault, roster, now=clock)
    health = HealthService(vault, roster, isolation=contacts.person_isolation, now=clock)
    alerts = AlertService(vault, roster, health, contacts, now=clock)
    notices = NoticeService(vault, roster, now=clock)
    people = health.active_people()
    if not people:
        return
    days = max(1, ctx.days)
    first = today - dt.timedelta(days=days - 1)
    placed = _whereabouts(rng, people)
    forgetful = {p.id for p in rng.sample(people, max(1, len(people) // 40))}
    stopped = rng.choice(people).id  # stopped reporting three days ago
    sick = {p.id: first + dt.timedelta(days=rng.randrange(days))
            for p in rng.sample(people, max(1, len(people) // 60))}
    watched = rng.sample([p for p in people if p.id != stopped], min(3, len(people) - 1))
    _contacts(rng, contacts, watched, today, moment)
    moment[0] = dt.datetime.combine(today, dt.time(11, 30))
    # A semester's check-ins repeat a few hundred value sets: each is cleaned
    # once (``CHECKIN.clean`` is a pure function, and the date it keeps as
    # written), its day put in; ``None``: a set with problems, skipped.
    cleaned: dict[tuple[object, ...], dict[str, str] | None] = {}
    for n in range(days):
        day = first + dt.timedelta(days=n)
        iso = day.isoformat()
        if n and day.day == 1:
            # A month's check-ins and history are complete: written to their
            # snapshots now (each once, as the one compaction at the end
            # would), so the semester is never all held in memory at once.
            vault.store.compact(backup=False)
        rows, times = [], {}
        share = 0.93 if day == today else 1.0
        # Nothing written between two rows of a day changes who is under
        # observation; the rows of a day with the same values share them.
        isolation = contacts.person_isolation(day)
        dated: dict[tuple[object, ...], dict[str, str] | None] = {}
        for person in people:
            if person.id == stopped and day > today - dt.timedelta(days=3):
                continue
            chance = 0.8 if person.id in forgetful else 0.985
            if rng.random() > chance * share:
                continue
            key = _checkin(rng, person.id, day, placed, sick, isolation)
            if key not in dated:
                if key not in cleaned:
                    doc, problems = CHECKIN.clean(_values(iso, key))
                    cleaned[key] = None if problems or doc["date"] != iso else doc
                clean = cleaned[key]
                dated[key] = None if clean is None else {**clean, "date": iso}
            doc = dated[key]
            if doc is None:
                continue
            times[len(rows)] = dt.datetime.combine(day, dt.time(7, rng.randrange(60),
                                                                rng.randrange(60)))
            rows.append((person.id, doc))  # shared: the writes copy what they keep
        ctx.history_on(day)
        with vault.batch():  # a day's writes: one journal frame, one fsync
            if not (BULK and _write_new_day(vault, roster, health, alerts, day, rows, times)):
                health.write(rows, times=times)
            _follow_ups(rng, contacts, day, today)
    with vault.batch():
        alerts.refresh(dt.datetime.combine(today, dt.time(11, 30)))
        _handle_some(rng, alerts, roster, today)
        _notices(rng, notices, today)


def _write_new_day(vault: Any, roster: Any, health: HealthService, alerts: AlertService,
                   day: dt.date,
                   rows: list[tuple[str, dict[str, str]]],
                   times: dict[int, dt.datetime]) -> bool:
    """What ``health.write(rows, times=times)`` writes for a day that has no
    check-in yet — the same check-ins, day figures, alerts and history
    entries, in the caller's batch — with the check-ins handed to the store
    in bulk (``storage.bulk``: never loaded as a month of documents). False,
    having written nothing, for a day that has check-ins already, or when
    the health service has a listener besides the alerts'.

    The alert listener is called for the check-ins it acts on, and only
    those: one that raises a rule (``checkin_flags``), or whose person has
    an open missing alert (a first check-in of the day retracts it)."""
    key = day.isoformat()
    days = vault.partition(DAYS)
    if days.get(key) is not None or health.listeners != [alerts.on_checkin]:
        return False
    settings = health.settings
    figures = blank_day(key)
    figures["expected"] = roster.count(ACTIVE)
    missing = {a["person"] for a in alerts.open() if a["rule"] == rules.MISSING}
    docs, raising = [], []
    made: dict[int, tuple[dict[str, Any], bool]] = {}  # rows sharing their values
    for position, (person_id, values) in enumerate(rows):
        core = made.get(id(values))
        if core is None:
            stored = compact(dict(values))
            core = made[id(values)] = (stored, bool(rules.checkin_flags(stored, settings)))
        doc = {**core[0], "id": checkin_id(key, person_id), "person": person_id,
               "at": stamp(times[position])}
        add_to_day(figures, person_id, doc, 1)
        docs.append(doc)
        if core[1] or person_id in missing:
            raising.append((person_id, doc))
    bulk.insert_new(vault.store, partition_name(key), docs)
    for person_id, doc in raising:
        alerts.on_checkin(day, person_id, None, doc)
    days.upsert(figures)
    return True


def _whereabouts(rng: random.Random, people: list[Any]) -> dict[str, tuple[str, str, str]]:
    """Staff and most students on campus; some students at home in their province."""
    out = {}
    for person in people:
        if person["category"] == "student" and rng.random() < 0.3:
            out[person.id] = ("home", *rng.choice(HOMES))
        else:
            out[person.id] = ("campus", "", "")
    return out


# A check-in's values but its date, in the order ``_checkin`` gives them.
CHECKIN_VALUES = ("temperature", "symptoms", "location", "province", "city", "risk_travel",
                  "case_contact", "isolation", "source")


def _checkin(rng: random.Random, person_id: str, day: dt.date,
             placed: dict[str, tuple[str, str, str]], sick: dict[str, dt.date],
             isolation: dict[str, str]) -> tuple[object, ...]:
    """One check-in's values but its date (``CHECKIN_VALUES``; the symptoms
    a tuple): what the rows of a semester share."""
    location, province, city = placed[person_id]
    temperature = f"{rng.choice((36.1, 36.2, 36.3, 36.4, 36.5, 36.5, 36.6, 36.7, 36.8)):.1f}"
    symptoms: tuple[str, ...] = ()
    onset = sick.get(person_id)
    if onset is not None and 0 <= (day - onset).days < 3:
        temperature = f"{rng.choice((37.3, 37.6, 37.9, 38.2, 38.5)):.1f}"
        symptoms = ("fever", rng.choice(MILD))
    elif rng.random() < 0.002:
        symptoms = (rng.choice(MILD),)
    return (temperature, symptoms, location, province, city,
            "yes" if rng.random() < 0.0005 else "no", "no", isolation.get(person_id, "none"),
            rng.choice(("self", "self", "import", "proxy")))


def _values(day: str, drawn: tuple[object, ...]) -> dict[str, object]:
    """The values ``CHECKIN.clean`` takes, from what ``_checkin`` drew."""
    values: dict[str, object] = {"date": day, **dict(zip(CHECKIN_VALUES, drawn, strict=True))}
    values["symptoms"] = list(values["symptoms"])  # type: ignore[call-overload]
    return values


def _contacts(rng: random.Random, contacts: ContactService, watched: list[Any],
              today: dt.date, moment: list[dt.datetime]) -> None:
    """Contacts registered the day after their exposure (``moment``: the
    services' clock, set to each registration)."""
    plans = [  # (days since exposure, contact type, observation type)
        (10, "close", "home_quarantine"),
        (14, "secondary", "medical_observation"),  # ends today
        (20, "close", "central_quarantine"),  # extended
    ]
    for person, (ago, kind, observe) in zip(watched, plans, strict=False):
        exposure = today - dt.timedelta(days=ago)
        moment[0] = dt.datetime.combine(exposure + dt.timedelta(days=1), dt.time(17, 0))
        contact_id = contacts.add({
            "exposure_date": exposure, "contact_type": kind, "observation_type": observe,
            "source_case": rng.choice(SOURCE_CASES), "place": rng.choice(PLACES),
            "start_date": exposure + dt.timedelta(days=1),
        }, person_id=person.id)
        if ago == 20:
            moment[0] = dt.datetime.combine(today, dt.time(11, 30))
            contacts.extend(contact_id, today + dt.timedelta(days=3), EXTEND_REASONS[1])
    outside = [  # an outside person under observation, one released last week
        ("林秀英", 6, "close", "home_quarantine", ""),
        ("赵建国", 25, "general", "medical_observation", "released"),
    ]
    for (name, ago, kind, observe, outcome), relation in zip(outside, RELATIONS, strict=False):
        exposure = today - dt.timedelta(days=ago)
        moment[0] = dt.datetime.combine(exposure + dt.timedelta(days=1), dt.time(17, 0))
        contact_id = contacts.add({
            "name": name, "relation": relation, "exposure_date": exposure,
            "contact_type": kind, "observation_type": observe,
            "source_case": rng.choice(SOURCE_CASES), "place": PLACES[0],
        })
        if outcome:
            moment[0] = dt.datetime.combine(today, dt.time(11, 30))
            contacts.close(contact_id, outcome, exposure + dt.timedelta(days=14))


def _follow_ups(rng: random.Random, contacts: ContactService, day: dt.date,
                today: dt.date) -> None:
    """Each active contact followed up daily; yesterday one was missed, today
    half are still due."""
    for index, contact in enumerate(contacts.active_on(day)):
        if day == today and index % 2:
            continue
        if day == today - dt.timedelta(days=1) and index == 0:
            continue
        status = rng.choices(("well", "unwell", "unreached"), weights=(90, 4, 6))[0]
        temperature = "" if status == "unreached" else f"{rng.choice((36.3, 36.5, 36.7)):.1f}"
        contacts.follow_up(contact["id"], day, status, temperature=temperature)


def _handle_some(rng: random.Random, alerts: AlertService, roster: Any,
                 today: dt.date) -> None:
    """Alerts older than two days are handled, with what was done: in an
    order the seed decides (``open()`` breaks ties by id, and ids raised in
    the same millisecond are random), so each note goes to the same alert."""
    cutoff = (today - dt.timedelta(days=2)).isoformat()
    due = [a for a in alerts.open() if a["last"] < cutoff]

    def order(alert: dict[str, Any]) -> tuple[str, int, str, str]:
        person = roster.person(alert["person"]) if alert["person"] else None
        return (alert["since"], rules.RULES.index(alert["rule"]),
                person["id_number"] if person is not None else "", alert["detail"])

    for alert in sorted(due, key=order):
        alerts.handle(alert["id"], rng.choice(HANDLING))


def _notices(rng: random.Random, notices: NoticeService, today: dt.date) -> None:
    for template, (ago, due_in, share) in zip(NOTICES, ((12, 2, 0.85), (3, 4, 0.4)),
                                              strict=True):
        notice_id = notices.add({**template, "issued_on": today - dt.timedelta(days=ago),
                                 "deadline": today + dt.timedelta(days=due_in),
                                 "audience": "members"})
        audience = notices.audience(notice_id)
        reached = [p for p in audience if rng.random() < share]
        meeting = reached[: len(reached) // 2]
        wechat = reached[len(reached) // 2:]
        on = today - dt.timedelta(days=max(0, ago - 1))
        notices.relay(notice_id, [p.id for p in meeting], "in_person", on, "支部书记")
        notices.relay(notice_id, [p.id for p in wechat], "wechat_group", on, "组织委员")
        for person in reached:
            if rng.random() < 0.6:
                notices.respond(notice_id, person.id, rng.choice(("acknowledged", "studied")))

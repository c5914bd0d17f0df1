"""The demo branch's care and accountability: care cases with visits, tasks in
every state (some overdue), members' records and two drafted deeds.

One part of the demo generator (``demo.DEMO_PARTS``): it draws from the
generator's seeded random numbers, dates everything relative to its ``today``
and writes each area as one batch through the services. The texts are demo
content, not interface text.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from branchtool.records.care import CARE, HARDSHIPS, VISIT
from branchtool.records.deed import DEED
from branchtool.records.member_record import MEMBER_RECORD
from branchtool.records.person import ACTIVE
from branchtool.records.task import DONE, TASK, TEMPLATES
from branchtool.services.tasks import TaskQuery

if TYPE_CHECKING:
    from branchtool.demo import DemoContext

SITUATIONS = {
    "economic": ("家中务农，父亲受疫情影响停工，生活费紧张", "单亲家庭，母亲失业，学费尚未缴清"),
    "illness": ("本人慢性病需长期服药，药品购买困难", "母亲住院治疗，本人需往返照顾"),
    "mental": ("居家学习期间情绪低落，睡眠不好", "对就业前景焦虑，与家人关系紧张"),
    "family": ("家中老人病故，情绪受影响", "家庭房屋受灾，暂住亲戚家"),
    "quarantine": ("集中隔离期间缺少换洗衣物和学习用品", "居家隔离，独居，买菜不便"),
    "study": ("居家网课缺少电脑，网络信号差", "多门课程落后，毕业设计进度慢"),
    "other": ("寒假滞留学校，返乡受阻",),
}
MEASURES = ("申请临时困难补助，安排党员结对联系", "每周电话联系一次，协调学院心理中心跟进",
            "协调送去生活物资，联系社区帮助", "安排学业帮扶小组，每周辅导两次")
FINDINGS = ("情况稳定，本人情绪较好", "生活物资已送达，本人表示感谢",
            "已联系辅导员和家长，了解近况",
            "仍有困难，需继续跟进", "学业进度有所改善")
FOLLOW_UPS = ("", "", "下周再次电话联系", "协调学院办理补助手续", "关注心理状况")
EVIDENCE = ("已完成，全部人员已反馈", "已逐一电话联系并登记", "已在党小组会上传达并组织学习",
            "按排班完成值守，无异常")
PROGRESS = ("已联系一半人员", "正在汇总情况", "已电话沟通")
RECORDS = {
    "praise": ("主动报名参加校门值守，连续值班十天", "组织党小组线上学习，效果好"),
    "deed": ("协助社区排查返校人员，工作细致", "为隔离学生送餐送药"),
    "criticism": ("健康摸排任务逾期未完成，未及时说明情况",),
    "accountability": ("信息申报不及时，经提醒仍未整改",),
    "other": ("因病请假，任务已调整给其他党员",),
}
DEEDS = (
    ("坚守校门一线的“守门人”",
     "疫情防控期间，{names}主动请缨承担学校东门值守任务。\n\n"
     "三十多个日夜，他们每天提前到岗，逐一核验返校人员信息、测量体温，"
     "累计登记两千余人次，未出现一例漏检。\n\n（草稿，待补充具体事例。）"),
    ("用心用情守护隔离学生",
     "{names}结对联系集中隔离的同学，每天电话问候，协调送去生活物资和学习用品，"
     "帮助他们安心隔离、不误学业。\n\n（草稿，待核实数据。）"),
)


_NEXT_VISITS = (-6, 0, 9, -1, 2, 12, 1, -2, 5)


def _day(today: dt.date, days: int) -> str:
    return (today + dt.timedelta(days=days)).isoformat()


def _minute(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def _people(ctx: DemoContext) -> tuple[list[Any], list[Any], list[Any]]:
    roster = ctx.session.roster
    active = [p for p in roster.people() if p.status == ACTIVE]
    members = [p for p in active if p["stage"] in ("member", "probationary")]
    staff = [p for p in members if p["category"] == "staff"] or members
    students = [p for p in active if p["category"] == "student"] or active
    return members, staff, students


def care_part(ctx: DemoContext) -> None:
    members, staff, students = _people(ctx)
    if not members:
        return
    rng, today = ctx.rng, ctx.today
    cases = []
    count = max(12, min(40, ctx.people // 25))
    cared_for = rng.sample(students, min(count, len(students)))
    for i in range(count):
        hardship = HARDSHIPS[i % len(HARDSHIPS)] if i < len(HARDSHIPS) else rng.choice(HARDSHIPS)
        opened = rng.randint(10, 90)
        # The first cases are followed (every reminder shows), one resolved and
        # one referred follow; the rest are drawn.
        status = "following" if i < len(_NEXT_VISITS) else \
            {9: "resolved", 10: "referred"}.get(i) or \
            rng.choices(("following", "resolved", "referred"), (70, 25, 5))[0]
        responsible = rng.choice(staff)
        # Overdue by a few days, due today or soon, or later: the first cases
        # cover each, so that even a small demo shows every reminder.
        next_visit = _NEXT_VISITS[i] if i < len(_NEXT_VISITS) else rng.choice(_NEXT_VISITS)
        outsider = i in (3, 8)
        values = {
            "person": "" if outsider else cared_for[i % len(cared_for)].id,
            "name": "外院学生" + "甲乙"[i == 8] if outsider else "",
            "category": "student" if outsider else "",
            "hardship": hardship,
            "severity": rng.choices(("ordinary", "serious", "extreme"), (50, 35, 15))[0],
            "description": rng.choice(SITUATIONS[hardship]),
            "responsible": responsible.id,
            "measures": rng.choice(MEASURES),
            "status": status,
            "opened_on": _day(today, -opened),
            # overdue by a few days, due today or soon, or later
            "next_visit": _day(today, next_visit) if status == "following" else "",
        }
        case, problems = CARE.clean(values)
        if problems:
            raise AssertionError(f"demo care case {i}: {problems[0].key}")
        if status != "following":
            case["closed_on"] = _day(today, -rng.randint(0, opened // 2))
        visits = []
        day = -opened
        for _ in range(rng.randint(1, 4)):
            day += rng.randint(3, 15)
            if day > min(-1, next_visit - 1):
                break
            support = rng.choice(("", "money", "goods", "counselling", "study"))
            amount = {"money": rng.choice(("200", "500", "800", "1000")),
                      "goods": rng.choice(("", "150.50", "320"))}.get(support, "")
            visit, problems = VISIT.clean({
                "date": _day(today, day), "method": rng.choice(("phone", "wechat", "home",
                                                                "video")),
                "visitor": responsible.id, "findings": rng.choice(FINDINGS),
                "support": support, "amount": amount, "follow_up": rng.choice(FOLLOW_UPS),
            })
            if problems:
                raise AssertionError(f"demo visit: {problems[0].key}")
            visits.append(visit)
        cases.append((case, visits))
    ctx.session.care.write_batch(cases)


def task_part(ctx: DemoContext) -> None:
    members, _, _ = _people(ctx)
    if not members:
        return
    rng, today = ctx.rng, ctx.today
    tasks = ctx.session.tasks
    docs = []
    noon = dt.datetime.combine(today, dt.time(12, 0))
    for template in TEMPLATES:
        base = tasks.from_template(template.code)
        for _ in range(rng.randint(2, 4)):
            due_day = rng.randint(-20, 7)
            due = dt.datetime.combine(today + dt.timedelta(days=due_day),
                                      dt.time(rng.choice((9, 12, 17, 18)), rng.choice((0, 30))))
            # Nothing is stamped after now: a task due next week was given out
            # by this morning at the latest.
            created = min(due - dt.timedelta(days=template.days, hours=rng.randint(1, 8)),
                          noon - dt.timedelta(hours=4))
            if due < noon:
                status = rng.choices(("done", "doing", "todo", "cancelled"), (70, 12, 10, 8))[0]
            else:
                status = rng.choices(("todo", "doing", "done"), (55, 35, 10))[0]
            count = rng.choice((1, 1, 2, 3))
            assignees = [p.id for p in rng.sample(members, min(count, len(members)))]
            values, problems = TASK.clean({
                **base, "assignees": assignees, "due": _minute(due), "status": status,
                "origin": "院党委疫情防控通知",
                "evidence": rng.choice(EVIDENCE) if status == DONE else "",
            })
            if problems:
                raise AssertionError(f"demo task: {problems[0].key}")
            log = [{"at": _minute(created), "text": "", "status": "todo"}]
            completed = ""
            if status in ("doing", "done"):
                log.append({"at": _minute(min(created + dt.timedelta(hours=2), noon)),
                            "text": rng.choice(PROGRESS), "status": "doing"})
            if status == DONE:
                late = rng.random() < 0.15
                finished = due + dt.timedelta(hours=5) if late else \
                    due - dt.timedelta(hours=rng.randint(1, 20))
                completed = _minute(min(finished, noon))
                log.append({"at": completed, "text": "", "status": DONE})
            if status == "cancelled":
                log.append({"at": _minute(min(created + dt.timedelta(days=1), noon)),
                            "text": "任务调整", "status": "cancelled"})
            extra: dict[str, Any] = {}
            if status == "doing" and len(assignees) > 1:  # the first has done their part
                extra["confirmed"] = {assignees[0]: {"on": log[-1]["at"][:10],
                                                     "note": "当面确认"}}
            docs.append({**values, "log": log, "completed_at": completed,
                         "template": template.code, **extra})
    tasks.write_batch(docs)


def records_part(ctx: DemoContext) -> None:
    members, staff, _ = _people(ctx)
    if not members:
        return
    rng, today = ctx.rng, ctx.today
    secretary = next((p for p in members if p["party_post"] == "支部书记"), staff[0])
    task_rows = ctx.session.tasks.query(TaskQuery(status=""))
    records = []
    count = max(6, min(40, ctx.people // 30))
    # One of each kind in the last week (the weekly report has some), the rest
    # over the month.
    for i in range(count):
        kind = ("praise", "deed", "criticism", "accountability", "other")[i % 5] \
            if i < 5 else rng.choice(("praise", "praise", "deed", "criticism", "other"))
        linked = rng.choice(task_rows) if task_rows and kind != "other" else None
        member = linked.doc["assignees"].split()[0] if linked else rng.choice(members).id
        values, problems = MEMBER_RECORD.clean({
            "member": member, "kind": kind,
            "date": _day(today, -rng.randint(0, 5 if i < 5 else 25)),
            "description": rng.choice(RECORDS[kind]),
            "tasks": [linked.id] if linked else [], "recorded_by": secretary.id,
        })
        if problems:
            raise AssertionError(f"demo record: {problems[0].key}")
        records.append(values)
    ctx.session.member_records.write_batch(records)

    deeds = []
    for title, story in DEEDS:
        chosen = rng.sample(members, min(2, len(members)))
        names = "、".join(p["name"] for p in chosen)
        values, problems = DEED.clean({
            "members": [p.id for p in chosen], "title": title,
            "narrative": story.format(names=names), "date": _day(today, -rng.randint(1, 10)),
            "status": "draft",
        })
        if problems:
            raise AssertionError(f"demo deed: {problems[0].key}")
        deeds.append(values)
    ctx.session.deeds.write_batch(deeds)


def care_and_accountability(ctx: DemoContext) -> None:
    """The part ``demo.DEMO_PARTS`` runs: care, tasks, records and deeds
    (one journal frame)."""
    with ctx.session.vault.batch():
        care_part(ctx)
        task_part(ctx)
        records_part(ctx)


"""Tasks: validation, templates, one per member in one batch, progress and
status, the views by status and by member, reminders and completion figures."""

# ruff: noqa: F811  (pytest fixtures imported from fixtures_app)
from __future__ import annotations

import datetime as dt

import pytest
from fixtures_app import TODAY, chinese, person, roster, session, vault_dir  # noqa: F401
from rowtexts import texts

from branchtool.errors import UserError
from branchtool.records.fields import InvalidRecord
from branchtool.records.fieldtypes import parse_datetime
from branchtool.records.task import TEMPLATES
from branchtool.services.roster import RosterService
from branchtool.services.tasks import PARTITION, TaskQuery, TaskService
from branchtool.session import Session

NOW = dt.datetime.combine(TODAY, dt.time(9, 30))


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def tasks(session: Session, roster: RosterService, clock: Clock) -> TaskService:
    return TaskService(session.vault.partition(PARTITION), session.vault.batch, roster,
                       clock=clock)


@pytest.fixture
def members(roster: RosterService) -> list[str]:
    ids = [roster.add(person(name, category="staff", stage="member", group="教工第一党小组"))
           for name in ("王一", "李二", "张三")]
    ids.append(roster.add(person("赵四", category="student", stage="probationary",
                                 group="学生党小组")))
    roster.add(person("钱五"))  # a League member: not "every member"
    return ids


def task_values(members: list[str], **values: object) -> dict[str, object]:
    return {"title": "摸排健康情况", "assignees": members[:2], "due": "2024-06-02 17:00",
            **values}


def problem_of(exc: pytest.ExceptionInfo[InvalidRecord]) -> tuple[str, str]:
    return exc.value.problems[0].field, exc.value.problems[0].key


@pytest.mark.parametrize(("raw", "stored"), [
    ("2024-06-02 17:00", "2024-06-02T17:00"), ("2024-06-02T17:00:59", "2024-06-02T17:00"),
    ("2024年6月2日 9时", "2024-06-02T09:00"), ("2024/6/2 9:05", "2024-06-02T09:05"),
    ("2024-06-02", "2024-06-02T23:59"), (dt.date(2024, 6, 2), "2024-06-02T23:59"),
    ("2024-06-02 24:00", None), ("2024-06", None), ("明天", None),
])
def test_due_times(raw: object, stored: str | None) -> None:
    assert parse_datetime(raw) == stored


def test_a_task_is_checked(tasks: TaskService, members: list[str]) -> None:
    task_id = tasks.add(task_values(members))
    doc = tasks.get(task_id)
    assert doc is not None
    assert doc["assignees"] == " ".join(members[:2]) and doc["status"] == "todo"
    assert doc["log"] == [{"at": "2024-06-01T09:30", "text": "", "status": "todo"}]
    for values, expected in [
        (task_values(members, title=""), ("title", "field.required")),
        (task_values(members, assignees=[]), ("assignees", "field.required")),
        (task_values(members, due="6月2日"), ("due", "datetime.invalid")),
        (task_values(members, status="done"), ("evidence", "task.check.evidence_needed")),
        (task_values(members, assignees=["no such id"]), ("assignees", "ref.invalid")),
        (task_values(members, assignees=["NOSUCHID"]), ("assignees", "ref.person_missing")),
    ]:
        with pytest.raises(InvalidRecord) as exc:
            tasks.add(values)
        assert problem_of(exc) == expected


def test_archived_people_cannot_be_newly_assigned(
        tasks: TaskService, roster: RosterService, members: list[str]) -> None:
    task_id = tasks.add(task_values(members))
    roster.archive(members[1], "transferred")
    with pytest.raises(InvalidRecord) as exc:
        tasks.add(task_values(members))
    assert problem_of(exc) == ("assignees", "ref.person_archived")
    # An old task keeps them, and can still be edited...
    tasks.edit(task_id, {"title": "新标题"})
    # ... but they cannot be added back to another.
    other = tasks.add(task_values(members, assignees=[members[0]]))
    with pytest.raises(InvalidRecord):
        tasks.edit(other, {"assignees": [members[0], members[1]]})


def test_templates_fill_a_new_task(tasks: TaskService) -> None:
    assert len(TEMPLATES) == 7
    values = tasks.from_template("relay")
    assert values["title"] == "传达学习通知精神"
    assert values["priority"] == "high"
    assert values["due"] == "2024-06-02T23:59"
    assert tasks.from_template("duty")["due"] == "2024-06-08T23:59"


def test_one_task_per_member_in_one_batch(
        session: Session, tasks: TaskService, members: list[str]) -> None:
    everyone = [p.id for p in tasks.members()]
    assert sorted(everyone) == sorted(members)
    assert [p.id for p in tasks.members("学生党小组")] == [members[3]]
    frames = session.vault.store._journal_frames
    ids = tasks.add_for_each(tasks.from_template("survey"), everyone, template="survey")
    assert session.vault.store._journal_frames == frames + 1
    assert len(ids) == len(tasks) == 4
    assert sorted(tasks.get(i)["assignees"] for i in ids) == sorted(members)  # type: ignore[index]
    assert {tasks.get(i)["template"] for i in ids} == {"survey"}  # type: ignore[index]


def test_bulk_creation_is_all_or_nothing(
        tasks: TaskService, roster: RosterService, members: list[str]) -> None:
    roster.archive(members[2], "left")
    with pytest.raises(InvalidRecord) as exc:
        tasks.add_for_each(tasks.from_template("survey"), members)
    assert problem_of(exc) == ("assignees", "ref.person_archived")
    assert len(tasks) == 0
    with pytest.raises(UserError):
        tasks.add_for_each(tasks.from_template("survey"), [])
    assert [p.key for p in tasks.check_bulk({"title": "", "due": "x"})] == [
        "datetime.invalid", "field.required"]


def test_progress_and_status(tasks: TaskService, members: list[str], clock: Clock) -> None:
    task_id = tasks.add(task_values(members))
    clock.now = NOW + dt.timedelta(hours=1)
    tasks.set_status(task_id, "doing", "已开始电话联系")
    tasks.log_progress(task_id, "联系了 10 人")
    with pytest.raises(UserError):
        tasks.log_progress(task_id, "  ")
    with pytest.raises(InvalidRecord):
        tasks.set_status(task_id, "done")
    clock.now = NOW + dt.timedelta(hours=3)
    doc = tasks.set_status(task_id, "done", evidence="全部联系完毕，无异常")
    assert doc["completed_at"] == "2024-06-01T12:30"
    assert [(e["status"], e["text"]) for e in doc["log"]] == [
        ("todo", ""), ("doing", "已开始电话联系"), ("doing", "联系了 10 人"), ("done", "")]
    assert tasks.set_status(task_id, "doing")["completed_at"] == ""


def test_views_by_status_and_member(tasks: TaskService, members: list[str],
                                    clock: Clock) -> None:
    overdue = tasks.add(task_values(members, title="逾期", due="2024-06-01 08:00"))
    soon = tasks.add(task_values(members, title="今天", due="2024-06-01 18:00",
                                 assignees=[members[0]]))
    later = tasks.add(task_values(members, title="下周", due="2024-06-08", priority="high"))
    done = tasks.add(task_values(members, title="完成", status="done", evidence="好"))
    tasks.add(task_values(members, title="取消", status="cancelled"))
    assert [r.id for r in tasks.query()] == [overdue, soon, later]
    assert tasks.query()[0].overdue and not tasks.query()[1].overdue
    assert [r.id for r in tasks.query(TaskQuery(status="done"))] == [done]
    assert len(tasks.query(TaskQuery(status=""))) == 5
    assert [r.id for r in tasks.query(TaskQuery(overdue_only=True))] == [overdue]
    assert [r.id for r in tasks.query(TaskQuery(text="下"))] == [later]
    assert [r.id for r in tasks.query(TaskQuery(member=members[0]))] == [overdue, soon, later]
    assert texts(tasks.query()[0]) == ("逾期", "王一、李二", "2024年6月1日 08:00", "一般", "待办",
                                        "0/2")
    load = {row.name: (row.open, row.overdue, row.done) for row in tasks.workload()}
    assert load == {"王一": (3, 1, 1), "李二": (2, 1, 1)}
    everyone = tasks.workload(everyone=True)
    assert [r.name for r in everyone][:2] == ["王一", "李二"] and len(everyone) == 4
    assert tasks.counts() == {"todo": 3, "doing": 0, "done": 1, "cancelled": 1, "overdue": 1}
    clock.now = dt.datetime(2024, 6, 9)
    assert len(tasks.query(TaskQuery(overdue_only=True))) == 3


def test_reminders_at_their_boundary(tasks: TaskService, members: list[str]) -> None:
    for title, due in [("过期一分钟", "2024-06-01 09:29"), ("正当时", "2024-06-01 09:30"),
                       ("差一分钟满一天", "2024-06-02 09:30"), ("超过一天", "2024-06-02 09:31")]:
        tasks.add(task_values(members, title=title, due=due))
    found = [(r.title, r.kind) for r in tasks.reminders()]
    assert found == [("过期一分钟", "overdue"), ("正当时", "due"), ("差一分钟满一天", "due")]
    assert tasks.reminders()[0].message() == "任务“过期一分钟”已逾期（时限2024年6月1日 09:29）"


def test_completion_of_a_week(tasks: TaskService, members: list[str], clock: Clock) -> None:
    week = (dt.date(2024, 5, 27), dt.date(2024, 6, 2))
    on_time = tasks.add(task_values(members, due="2024-05-28 17:00"))
    late = tasks.add(task_values(members, due="2024-05-29 17:00"))
    tasks.add(task_values(members, due="2024-05-30 17:00"))  # still open, overdue
    tasks.add(task_values(members, due="2024-06-02 17:00"))  # open, not yet due
    tasks.add(task_values(members, due="2024-05-31", status="cancelled"))
    tasks.add(task_values(members, due="2024-06-03 17:00"))  # next week
    clock.now = dt.datetime(2024, 5, 28, 12, 0)
    tasks.set_status(on_time, "done", evidence="按时")
    clock.now = dt.datetime(2024, 6, 1, 9, 30)
    tasks.set_status(late, "done", evidence="晚了")
    result = tasks.completion(*week)
    assert (result.due, result.done, result.on_time, result.open, result.overdue,
            result.cancelled, result.completed_in_period) == (4, 2, 1, 2, 1, 1, 2)
    assert result.rate == pytest.approx(0.5)
    assert tasks.completion(dt.date(2020, 1, 1), dt.date(2020, 1, 7)).rate == 1.0


def test_deleting_and_reloading(session: Session, tasks: TaskService,
                                members: list[str]) -> None:
    keep = tasks.add(task_values(members))
    gone = tasks.add(task_values(members))
    tasks.delete(gone)
    assert tasks.task_exists(gone) == "ref.task_missing" and tasks.task_exists(keep) is None
    assert tasks.titles(f"{keep} {gone}") == [(keep, "摸排健康情况"), (gone, "（已删除的任务）")]
    assert [r.id for r in session.tasks.for_member(members[0])] == [keep]


def test_the_list_order_follows_edits(tasks: TaskService, members: list[str]) -> None:
    a = tasks.add(task_values(members, title="甲", due="2024-06-03 09:00"))
    b = tasks.add(task_values(members, title="乙", due="2024-06-04 09:00"))
    assert [r.id for r in tasks.query()] == [a, b]
    tasks.edit(a, {"title": "甲改"})  # same place: the order is kept, the row is new
    assert [r.doc["title"] for r in tasks.query()] == ["甲改", "乙"]
    tasks.edit(a, {"due": "2024-06-05 09:00"})
    assert [r.id for r in tasks.query()] == [b, a]
    tasks.edit(b, {"priority": "low"})
    tasks.set_status(b, "cancelled")
    assert [r.id for r in tasks.query()] == [a]
    assert [r.id for r in tasks.query(TaskQuery(status=""))] == [a, b]
    rows = tasks.query(TaskQuery(status=""))
    assert rows[1:][0].id == b and next(iter(rows)).id == a


def test_the_service_shares_the_partitions_documents_and_changes_none(
        session: Session, roster: RosterService, members: list[str], clock: Clock) -> None:
    """Reads the partition's stored documents (no copy of every task), and
    neither the reads nor the writes change one of them in place: each still
    hashes as its history entry says."""
    first = TaskService(session.vault.partition(PARTITION), session.vault.batch, roster,
                        clock=clock)
    ids = [first.add(task_values(members, title=f"任务{i}")) for i in range(4)]
    part = session.vault.partition(PARTITION)
    tasks = TaskService(part, session.vault.batch, roster, clock=clock)
    assert all(tasks._record(i) is part._raw(i) for i in ids)
    assert all(row.doc is part._raw(row.id) for row in tasks.query(TaskQuery(status="")))
    got = tasks.get(ids[0])
    assert got is not None
    got["title"] = "changed"
    got["log"].append({"at": "", "text": "x", "status": "todo"})
    for row in tasks.query(TaskQuery(status="")):
        texts(row)
    tasks.workload(everyone=True)
    tasks.counts()
    tasks.reminders()
    tasks.edit(ids[1], {"title": "改"})
    tasks.log_progress(ids[2], "进展")
    tasks.set_status(ids[3], "done", evidence="完成")
    assert tasks.get(ids[0])["title"] == "任务0"  # type: ignore[index]
    assert part.get(ids[1])["title"] == "改"  # type: ignore[index]
    assert session.vault.check() == []

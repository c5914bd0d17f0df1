"""The care, tasks and records sections driven with Pilot: each form's
validation (amounts, date order, an archived assignee), the care reminders at
their boundary, one task for every member in one step, the member page."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from fixtures_app import (  # noqa: F401  (fixtures)
    TODAY,
    chinese,
    make_app,
    person,
    session,
    settle,
    vault_dir,
)
from rowtexts import texts
from textual.app import App, ComposeResult
from textual.widgets import Input, Select, SelectionList, TextArea

from branchtool.session import Session
from screens.care import CarePane, CaseDetail
from screens.care_form import CareForm, PersonSearch
from screens.main import MainScreen
from screens.member_page import MemberPage
from screens.member_records import RecordsPane
from screens.reminders import RemindersPanel
from screens.task_form import BulkTaskForm
from screens.tasks import TaskDetail, TasksPane

NOW = dt.datetime.combine(TODAY, dt.time(9, 30))


@pytest.fixture
def branch(session: Session) -> Iterator[dict[str, str]]:
    """A branch with a clock pinned at 9:30 on TODAY: three members in two
    groups, a student, and a member who has left."""
    session.clock = lambda: NOW
    roster = session.roster
    people = {
        "secretary": roster.add(person("王书记", category="staff", stage="member",
                                       group="教工党小组", party_post="支部书记")),
        "li": roster.add(person("李党员", category="staff", stage="member", group="教工党小组")),
        "zhao": roster.add(person("赵预备", category="student", stage="probationary",
                                  group="学生党小组")),
        "student": roster.add(person("钱同学")),
        "gone": roster.add(person("孙离开", category="staff", stage="member",
                                  group="教工党小组")),
    }
    yield people


def form_row(form: CareForm, key: str) -> Any:
    return next(row for row in form.rows if row.key == key)


def set_value(form: CareForm, key: str, value: Any) -> None:
    widget = form_row(form, key).widget
    if isinstance(widget, TextArea):
        widget.text = value
    elif isinstance(widget, SelectionList):
        widget.deselect_all()
        for item in value:
            widget.select(item)
    elif isinstance(widget, Input | Select):
        widget.value = value
    else:
        raise TypeError(type(widget).__name__)


PANES = {"care": CarePane, "tasks": TasksPane, "records": RecordsPane}


async def open_section(app: Any, pilot: Any, section: str) -> Any:
    await pilot.pause()
    main = app.screen
    assert isinstance(main, MainScreen)
    main.action_section(section)
    await pilot.pause()
    pane = main.query_one(PANES[section])
    assert main.active_pane is pane
    return pane


async def save(pilot: Any) -> None:
    await pilot.press("ctrl+s")
    await pilot.pause()


def case(session: Session, people: dict[str, str], **values: str) -> str:
    return session.care.add_case({
        "person": people["student"], "hardship": "economic", "severity": "serious",
        "description": "家庭经济困难", "responsible": people["li"],
        "opened_on": "2024-05-01", "next_visit": "2024-06-03", **values})


# -- care ------------------------------------------------------------------------------------
async def test_the_care_case_form_checks_date_order_and_the_responsible(
        session: Session, branch: dict[str, str]) -> None:
    session.roster.archive(branch["gone"], "transferred")
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_section(app, pilot, "care")
        assert isinstance(pane, CarePane)
        await pilot.press("ctrl+n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, CareForm)
        # The person cared for is found by typing: 钱 then Enter takes 钱同学.
        picker = form_row(form, "person").widget
        assert isinstance(picker, PersonSearch)
        await pilot.press(*"钱", "enter")
        await pilot.pause()
        assert picker.value == branch["student"]
        set_value(form, "hardship", ["family", "illness"])  # several at once
        set_value(form, "severity", "extreme")
        set_value(form, "description", "住院治疗，需要陪护")
        set_value(form, "opened_on", "2024-05-20")
        set_value(form, "next_visit", "2024-05-10")
        await save(pilot)
        assert form_row(form, "responsible").problem == "帮扶责任人不能为空"
        # Someone who left is not offered; naming them anyway is refused.
        responsible = form_row(form, "responsible").widget
        assert branch["gone"] not in [v for _, v in responsible._options]
        responsible.set_options([*responsible._options[1:], ("孙离开", branch["gone"])])
        set_value(form, "responsible", branch["gone"])
        await save(pilot)
        assert form_row(form, "responsible").problem == "帮扶责任人已转出或出党，不能再指派"
        # Whole-record rules speak once every field is right.
        set_value(form, "responsible", branch["li"])
        await save(pilot)
        assert form_row(form, "responsible").problem == ""
        assert form_row(form, "next_visit").problem == "下次走访不能早于建档日期"
        assert app.focused is form_row(form, "next_visit").widget
        set_value(form, "next_visit", "2024-06-03")
        set_value(form, "responsible", branch["li"])
        await save(pilot)
        assert isinstance(app.screen, MainScreen)
        rows = pane.table.rows
        assert [texts(r)[:3] for r in rows] == [("钱同学", "疾病、家庭变故", "特别困难")]
        assert len(session.care) == 1
        assert session.care.cases()[0].doc["hardship"] == "illness,family"  # definition order


async def test_the_visit_form_reads_amounts_and_moves_the_next_visit(
        session: Session, branch: dict[str, str]) -> None:
    case_id = case(session, branch)
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_section(app, pilot, "care")
        pane.table.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CaseDetail)
        await pilot.press("v")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, CareForm)
        assert form_row(form, "visitor").widget.value == branch["li"]  # the responsible one
        set_value(form, "method", "home")
        set_value(form, "findings", "送去慰问金")
        set_value(form, "support", ["money", "counselling"])
        await save(pilot)
        assert form_row(form, "amount").problem == "发放慰问金时请填写金额"
        for typed, problem in [("12.345", "金额最多精确到分（两位小数）"),
                               ("1,2,3", "金额应为金额，如 200 或 1,200.50"),
                               ("-5", "金额不能为负数")]:
            set_value(form, "amount", typed)
            await save(pilot)
            assert form_row(form, "amount").problem == problem, typed
        set_value(form, "amount", "¥1,200.5")
        set_value(form, "date", "2024-04-30")
        await save(pilot)
        assert form_row(form, "date").problem == "走访日期不能早于建档日期"
        set_value(form, "date", "2024-05-31")
        set_value(form, "next_visit", "2024-05-31")
        await save(pilot)
        assert form_row(form, "next_visit").problem == "下次走访日期应晚于走访日期"
        set_value(form, "next_visit", "2024-06-07")
        await save(pilot)
        assert isinstance(app.screen, CaseDetail)
        visit = session.care.visits(case_id)[0]
        assert visit.doc["amount"] == "1200.50"
        assert visit.doc["support"] == "money,counselling"
        assert visit.cell("amount") == "1,200.50 元"
        assert session.care.get(case_id)["next_visit"] == "2024-06-07"  # type: ignore[index]


async def test_care_reminders_at_their_boundary(session: Session,
                                                branch: dict[str, str]) -> None:
    ids = {day: case(session, branch, person="", name=f"人{day}", next_visit=f"2024-{day}")
           for day in ("05-31", "06-01", "06-03", "06-04")}
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_section(app, pilot, "care")
        rows = {r.id: r for r in pane.table.rows}
        assert rows[ids["05-31"]].overdue  # yesterday: overdue
        assert not rows[ids["06-01"]].overdue  # today: due, not overdue
        assert "走访逾期 1 人" in str(pane.query_one("#care-count").render())
        kinds = {r.who: r.kind for r in session.care.reminders()}
        assert kinds == {"人05-31": "overdue", "人06-01": "due", "人06-03": "due"}
        # The next day, today's visit is overdue too.
        session.clock = lambda: NOW + dt.timedelta(days=1)
        session.lock()
        session.unlock("correct horse battery")
        pane.reload_data()
        await pilot.pause()
        assert "走访逾期 2 人" in str(pane.query_one("#care-count").render())


# -- tasks -----------------------------------------------------------------------------------
async def test_the_task_form_refuses_an_archived_assignee_and_a_bad_due(
        session: Session, branch: dict[str, str]) -> None:
    old = session.tasks.add({"title": "值班", "assignees": [branch["gone"]],
                             "due": "2024-06-05 17:00"})
    session.roster.archive(branch["gone"], "left")
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_section(app, pilot, "tasks")
        assert isinstance(pane, TasksPane)
        await pilot.press("ctrl+n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, CareForm)
        assignees = form_row(form, "assignees").widget
        assert branch["gone"] not in [o.value for o in assignees._options]
        set_value(form, "title", "摸排健康情况")
        set_value(form, "due", "下周")
        await save(pilot)
        assert form_row(form, "due").problem.startswith("完成时限不是有效的日期和时间")
        assert form_row(form, "assignees").problem == "承办人不能为空"
        assignees.add_option(("孙离开", branch["gone"]))
        set_value(form, "assignees", [branch["li"], branch["gone"]])
        set_value(form, "due", "2024-06-03 17:30")
        await save(pilot)
        assert form_row(form, "assignees").problem == "承办人已转出或出党，不能再指派"
        set_value(form, "assignees", [branch["li"], branch["zhao"]])
        await save(pilot)
        assert isinstance(app.screen, MainScreen)
        assert [texts(r)[:3] for r in pane.table.rows] == [
            ("摸排健康情况", "李党员、赵预备", "2024年6月3日 17:30"),
            ("值班", "孙离开（已离开）", "2024年6月5日 17:00")]
        # The task of the one who left can still be edited: they stay on it.
        pane.edit(old)
        await pilot.pause()
        set_value(app.screen, "title", "值班（调整）")
        await save(pilot)
        assert isinstance(app.screen, MainScreen)
        assert session.tasks.get(old)["assignees"] == branch["gone"]  # type: ignore[index]


async def test_one_task_for_every_member_in_one_step(session: Session,
                                                    branch: dict[str, str]) -> None:
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_section(app, pilot, "tasks")
        await pilot.press("ctrl+b")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, BulkTaskForm)
        assert "4 名党员" in str(form.query_one("#form-hint").render())
        set_value(form, "template", "survey")
        await pilot.pause()
        assert form_row(form, "title").widget.value == "健康情况摸排"
        assert form_row(form, "due").widget.value == "2024-06-02 23:59"
        set_value(form, "who", "教工党小组")
        await pilot.pause()
        assert "3 名党员" in str(form.query_one("#form-hint").render())
        frames = session.vault.store._journal_frames
        await save(pilot)
        assert isinstance(app.screen, MainScreen)
        assert session.vault.store._journal_frames == frames + 1  # one batch
        rows = pane.table.rows
        assert sorted(r.cell("assignee_names") for r in rows) == ["孙离开", "李党员", "王书记"]
        assert {r.doc["template"] for r in rows} == {"survey"}
        # A problem stops the whole step: nothing is written.
        await pilot.press("ctrl+b")
        await pilot.pause()
        set_value(app.screen, "title", "")
        await save(pilot)
        assert form_row(app.screen, "title").problem == "任务不能为空"
        assert len(session.tasks) == 3


async def test_a_task_moves_on_from_its_detail(session: Session,
                                               branch: dict[str, str]) -> None:
    task_id = session.tasks.add({"title": "宣传防控知识", "assignees": [branch["li"]],
                                 "due": "2024-05-31 17:00"})
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_section(app, pilot, "tasks")
        assert pane.table.rows[0].overdue
        pane.table.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TaskDetail)
        assert "已逾期" in str(app.screen.query_one("#detail-title").render())
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("p", *"已发放宣传单 200 份")
        await save(pilot)
        await pilot.press("d")
        await pilot.pause()
        await save(pilot)
        assert "请填写内容" in str(app.screen.query_one("#note-problem").render())
        await pilot.press(*"全部完成并已存档")
        await save(pilot)
        doc = session.tasks.get(task_id)
        assert doc is not None and doc["status"] == "done"
        assert doc["evidence"] == "全部完成并已存档"
        assert [e["text"] for e in doc["log"]] == ["", "", "已发放宣传单 200 份", ""]
        await pilot.press("escape")
        await pilot.pause()
        assert len(pane.table.rows) == 0  # the open tasks: none left


# -- records, deeds and the member page ---------------------------------------------------------
async def test_record_and_deed_forms(session: Session, branch: dict[str, str]) -> None:
    task_id = session.tasks.add({"title": "值班", "assignees": [branch["li"]],
                                 "due": "2024-05-30 17:00"})
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_section(app, pilot, "records")
        assert isinstance(pane, RecordsPane)
        await pilot.press("ctrl+n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, CareForm)
        assert form_row(form, "recorded_by").widget.value == branch["secretary"]
        set_value(form, "member", branch["li"])
        await pilot.pause()
        tasks = form_row(form, "tasks").widget
        assert [o.value for o in tasks._options] == [task_id]  # the member's tasks
        set_value(form, "kind", "criticism")
        set_value(form, "description", "值班迟到")
        set_value(form, "date", "2099-01-01")
        set_value(form, "tasks", [task_id])
        await save(pilot)
        assert form_row(form, "date").problem == "日期不能晚于今天"
        set_value(form, "date", "2024-05-31")
        await save(pilot)
        assert isinstance(app.screen, MainScreen)
        assert texts(pane.table.rows[0])[1:4] == ("李党员", "批评", "1")

        await pilot.press("t")
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        form = app.screen
        set_value(form, "members", [branch["li"], branch["zhao"]])
        set_value(form, "title", "战疫先锋")
        set_value(form, "status", "proposed")
        await save(pilot)
        assert form_row(form, "narrative").problem == "上报前请填写事迹材料"
        set_value(form, "narrative", "第一段。\n\n第二段。")
        await save(pilot)
        assert isinstance(app.screen, MainScreen)
        assert [d["narrative"] for d in session.deeds.for_reporting()] == ["第一段。\n\n第二段。"]


async def test_the_member_page_shows_tasks_records_and_deeds(
        session: Session, branch: dict[str, str]) -> None:
    li = branch["li"]
    tasks = session.tasks
    overdue = tasks.add({"title": "逾期任务", "assignees": [li], "due": "2024-05-31 17:00"})
    tasks.add({"title": "明天的任务", "assignees": [li, branch["zhao"]], "due": "2024-06-02"})
    tasks.add({"title": "已完成任务", "assignees": [li], "due": "2024-05-20",
               "status": "done", "evidence": "好"})
    tasks.add({"title": "别人的任务", "assignees": [branch["zhao"]], "due": "2024-06-02"})
    session.member_records.add({"member": li, "kind": "praise", "date": "2024-05-25",
                                "description": "表现突出", "recorded_by": branch["secretary"],
                                "tasks": [overdue]})
    session.deeds.add({"members": [li], "title": "坚守一线", "date": "2024-05-26"})
    case(session, branch)
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_section(app, pilot, "tasks")
        pane.show("members")
        await pilot.pause()
        load = pane.table
        assert [texts(r)[:3] for r in load.rows][:2] == [("李党员", "2", "1"),
                                                          ("赵预备", "2", "")]
        load.focus()
        await pilot.press("enter")
        await pilot.pause()
        page = app.screen
        assert isinstance(page, MemberPage)
        assert str(page.query_one("#member-summary").render()) == (
            "未完成 2 · 逾期 1 · 已完成 1 · 表扬 1 · 其他记实 0 · 负责帮扶 1 人")
        titles = [r.cell("title") for r in page.query_one("#member-tasks").rows]
        assert titles == ["逾期任务", "明天的任务", "已完成任务"]
        assert len(page.query_one("#member-records").rows) == 1
        assert len(page.query_one("#member-deeds").rows) == 1
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, CareForm)
        assert form_row(form, "member").widget.value == li
        set_value(form, "kind", "deed")
        set_value(form, "description", "连续值守")
        await save(pilot)
        assert app.screen is page
        assert "表扬 2" in str(page.query_one("#member-summary").render())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)



async def test_m_on_a_members_record_opens_the_members_page(session: Session,
                                                           branch: dict[str, str]) -> None:
    """The records list asks the app for the page (``screens.navigation``): it
    does not import the member page, which imports it."""
    session.member_records.add({"member": branch["li"], "kind": "praise", "date": "2024-05-25",
                                "description": "表现突出", "recorded_by": branch["secretary"]})
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_section(app, pilot, "records")
        pane.table.focus()
        await pilot.press("m")
        await pilot.pause()
        page = app.screen
        assert isinstance(page, MemberPage) and page.person_id == branch["li"]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)

# -- the dashboard's reminders panel -------------------------------------------------------------
class PanelHarness(App[None]):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        yield RemindersPanel(self.session)


async def test_the_reminders_panel_at_its_boundaries(session: Session,
                                                     branch: dict[str, str]) -> None:
    for day in ("05-31", "06-01", "06-03", "06-04"):
        case(session, branch, person="", name=f"人{day}", next_visit=f"2024-{day}")
    tasks = session.tasks
    for title, due in [("过期一分钟", "2024-06-01 09:29"), ("正当时", "2024-06-01 09:30"),
                       ("差一分钟满一天", "2024-06-02 09:30"), ("超过一天", "2024-06-02 09:31")]:
        tasks.add({"title": title, "assignees": [branch["li"]], "due": due})
    app = PanelHarness(session)
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(RemindersPanel)
        panel.show()
        await pilot.pause()
        assert [texts(r) for r in panel.table.rows] == [
            ("走访逾期", "人05-31", "2024年5月31日"),
            ("任务逾期", "过期一分钟", "2024年6月1日 09:29"),
            ("应走访", "人06-01", "今天"),
            ("应走访", "人06-03", "2024年6月3日"),
            ("任务将到期", "正当时", "2024年6月1日 09:30"),
            ("任务将到期", "差一分钟满一天", "2024年6月2日 09:30"),
        ]
        assert [r.overdue for r in panel.table.rows] == [True, True, False, False, False, False]
        assert str(panel.query_one("#reminders-head").render()).startswith(
            "帮扶与任务提醒：走访逾期 1 · 任务逾期 1 · 即将到期 4")
        panel.table.focus()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TaskDetail)
        await pilot.press("d", *"已完成")
        await save(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert [r.cell("what") for r in panel.table.rows][:2] == ["人05-31", "人06-01"]


async def test_a_form_survives_a_lock_and_saves_after_it(session: Session,
                                                         branch: dict[str, str]) -> None:
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_section(app, pilot, "tasks")
        await pilot.press("ctrl+n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, CareForm)
        set_value(form, "title", "锁定前写的任务")
        set_value(form, "assignees", [branch["li"]])
        set_value(form, "due", "2024-06-03 17:00")
        before = session.tasks
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert not session.unlocked
        await pilot.press(*"correct horse battery", "enter")
        await settle(app, pilot)
        assert app.screen is form  # the input is still there
        await save(pilot)
        assert isinstance(app.screen, MainScreen)
        assert session.tasks is not before  # saved through the new unlock's service
        assert [r.doc["title"] for r in session.tasks.query()] == ["锁定前写的任务"]


async def test_the_dashboard_shows_the_reminders_panel(session: Session,
                                                       branch: dict[str, str]) -> None:
    from screens.dashboard import PANELS

    assert RemindersPanel in PANELS  # listed by the dashboard itself
    case(session, branch, next_visit="2024-05-31")
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.action_section("watch")
        await settle(app, pilot)
        await settle(app, pilot)
        panel = app.screen.query_one(RemindersPanel)
        assert [texts(r)[:2] for r in panel.table.rows] == [("走访逾期", "钱同学")]

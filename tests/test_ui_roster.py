"""The roster screens, driven with Pilot: add and edit with validation errors,
archive, delete, search and filters, sort, import and export."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

from pathlib import Path

import openpyxl
from fixtures_app import (  # noqa: F401  (fixtures)
    chinese,
    id_number,
    make_app,
    person,
    session,
    settle,
    text_of,
    toasts,
    vault_dir,
)
from textual.widgets import Input, RadioButton, Select

from branchtool.records.person import PERSON
from branchtool.services.roster import ALL_STATUSES, RosterQuery
from branchtool.session import Session
from screens.archive import ArchiveScreen
from screens.confirm import ConfirmScreen
from screens.export_roster import ExportScreen
from screens.import_roster import ImportRosterScreen
from screens.main import MainScreen
from screens.person_detail import PersonDetail
from screens.record_form import RecordForm
from screens.roster_pane import RosterPane, RosterTable


def shown(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [row["name"] for row in app.screen.query_one(RosterTable).rows]


def form_field(app, key: str):  # type: ignore[no-untyped-def]
    return app.screen.query_one(f"#field-{key}")


def problem(app, key: str) -> str:  # type: ignore[no-untyped-def]
    return next(r.problem for r in app.screen.rows if r.key == key)


def fill(session: Session) -> None:
    roster = session.roster
    roster.add(person("张三", category="staff", stage="member", group="教工党小组",
                      phone="13800138000", id_number=id_number()))
    roster.add(person("张伟", stage="activist", group="学生党小组"))
    roster.add(person("李娜", category="staff", stage="probationary", group="教工党小组"))
    roster.add(person("欧阳明", stage="applicant", group="学生党小组"))


# -- add and edit ------------------------------------------------------------------------
async def test_add_a_person_fixing_each_problem_the_form_shows(session: Session) -> None:
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        await pilot.press("ctrl+s")  # an empty form: the required fields say so
        await pilot.pause()
        assert problem(app, "name") == "姓名不能为空"
        assert problem(app, "category") == "人员类别不能为空"
        assert problem(app, "stage") == "政治面貌不能为空"
        assert app.focused is form_field(app, "name")

        await pilot.press(*"王小明")
        form_field(app, "id_number").value = "110105194912310021"
        form_field(app, "phone").value = "12345"
        form_field(app, "category").value = "student"
        form_field(app, "stage").value = "activist"
        form_field(app, "joined_on").value = "2020-01-01"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert problem(app, "name") == ""
        assert problem(app, "id_number") == "身份证号校验位不对，请核对每一位"
        assert problem(app, "phone") == "手机应为 11 位手机号码，以 1 开头"
        assert "-invalid" in form_field(app, "phone").classes  # the Input validator agrees
        assert app.focused is form_field(app, "id_number")

        form_field(app, "id_number").value = "11010519491231002X"
        form_field(app, "phone").value = "139 0000 1111"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert problem(app, "joined_on") == "政治面貌为入党积极分子，不应已有入党日期"

        form_field(app, "joined_on").value = ""
        form_field(app, "applied_on").value = "2020年3月1日"
        form_field(app, "activist_on").value = "2019.9.1"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert problem(app, "activist_on") == "确定积极分子日期不能早于申请入党日期"

        form_field(app, "activist_on").value = "2020.9.1"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert shown(app) == ["王小明"]
    doc = next(session.roster.people()).doc
    assert (doc["phone"], doc["gender"], doc["activist_on"]) == ("13900001111", "female",
                                                                  "2020-09-01")


async def test_problems_show_as_fields_are_left_not_before(session: Session) -> None:
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert problem(app, "name") == ""  # nothing red on a new form
        for _ in range(7):
            await pilot.press("tab")
        assert app.focused is form_field(app, "phone")
        await pilot.press(*"138")
        await pilot.pause()
        assert problem(app, "phone") == "手机应为 11 位手机号码，以 1 开头"
        assert problem(app, "name") == ""  # untouched fields stay quiet


async def test_the_member_page_from_the_detail_view(session: Session) -> None:
    from screens.member_page import MemberPage

    fill(session)
    first = next(p for p in session.roster.people() if p["name"] == "李娜")  # first in order
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PersonDetail)
        await pilot.press("m")
        await pilot.pause()
        page = app.screen
        assert isinstance(page, MemberPage) and page.person_id == first.id
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PersonDetail)


async def test_edit_from_the_detail_view(session: Session) -> None:
    fill(session)
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")  # 李娜 is first in pinyin order
        await pilot.pause()
        assert isinstance(app.screen, PersonDetail)
        assert "李娜" in str(app.screen.query_one("#detail-title").render())
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        form_field(app, "group").value = "教工第二党小组"
        form_field(app, "phone").value = "13800138000"  # 张三's: allowed, not unique
        form_field(app, "id_number").value = id_number()  # 张三's: refused
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert problem(app, "id_number") == "该身份证号已在花名册中"
        form_field(app, "id_number").value = ""
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PersonDetail)  # back on the refreshed detail
        assert ("党小组", "教工第二党小组") in app.screen.shown
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert app.screen.query_one(RosterTable).current["group"] == "教工第二党小组"


async def test_escape_on_a_changed_form_asks_first(session: Session) -> None:
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+n")
        await pilot.press(*"赵")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")  # the default answer: keep editing
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        assert form_field(app, "name").value == "赵"
        await pilot.press("escape")
        await pilot.pause()
        app.screen.query_one("#yes").press()
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert len(session.roster) == 0


# -- archive and delete ------------------------------------------------------------------
async def test_archive_is_the_default_and_restore_brings_back(session: Session) -> None:
    fill(session)
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("delete")
        await pilot.pause()
        assert isinstance(app.screen, ArchiveScreen)
        await pilot.press("tab", "enter")  # OK with the preselected choice: transferred out
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert "李娜" not in shown(app)
        assert "李娜 已标记为已转出。" in toasts(app)
        app.screen.query_one("#filter-status", Select).value = "archived"
        await pilot.pause()
        assert shown(app) == ["李娜"]
        await pilot.press("enter", "r")
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, PersonDetail)
        await pilot.press("escape")
        await pilot.pause()
        assert shown(app) == []
    assert session.roster.count() == 4


async def test_delete_for_good_needs_a_second_yes(session: Session) -> None:
    fill(session)
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("delete")
        await pilot.pause()
        app.screen.query_one("#choice-delete", RadioButton).value = True
        app.screen.query_one("#ok").press()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")  # No is the default
        await pilot.pause()
        assert len(session.roster) == 4
        await pilot.press("delete")
        await pilot.pause()
        app.screen.query_one("#choice-delete", RadioButton).value = True
        app.screen.query_one("#ok").press()
        await pilot.pause()
        app.screen.query_one("#yes").press()
        await pilot.pause()
        assert "李娜" not in shown(app)
    assert len(session.roster) == 3
    assert all(p["name"] != "李娜" for p in session.roster.query(RosterQuery(status=ALL_STATUSES)))


# -- search, filters, sort ---------------------------------------------------------------
async def test_search_as_you_type_and_filters(session: Session) -> None:
    fill(session)
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        assert shown(app) == ["李娜", "欧阳明", "张三", "张伟"]
        assert text_of(app, "#roster-count") == "4 人 / 在册 4 人"
        await pilot.press("ctrl+f", "z")
        assert shown(app) == ["张三", "张伟"]
        await pilot.press("w")
        assert shown(app) == ["张伟"]
        await pilot.press("backspace", "backspace", *"1380013")
        assert shown(app) == ["张三"]
        search = app.screen.query_one("#roster-search", Input)
        search.value = ""
        await pilot.pause()
        app.screen.query_one("#filter-category", Select).value = "staff"
        await pilot.pause()
        assert shown(app) == ["李娜", "张三"]
        app.screen.query_one("#filter-stage", Select).value = "member"
        await pilot.pause()
        assert shown(app) == ["张三"]
        assert text_of(app, "#roster-count") == "1 人 / 在册 4 人"
        app.screen.query_one("#filter-stage", Select).clear()
        app.screen.query_one("#filter-category", Select).clear()
        group = app.screen.query_one("#filter-group", Select)
        group.value = "学生党小组"
        await pilot.pause()
        assert shown(app) == ["欧阳明", "张伟"]
        await pilot.press("ctrl+f", *"nobody")
        assert shown(app) == []
        await pilot.press("enter")  # to the (empty) list
        assert app.focused is app.screen.query_one(RosterTable)


async def test_sort_by_columns_and_reverse(session: Session) -> None:
    fill(session)
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.screen.query_one(RosterPane)
        pane.sort_by("stage", descending=False)
        await pilot.pause()
        assert shown(app) == ["欧阳明", "张伟", "李娜", "张三"]
        await pilot.press("r")
        assert shown(app) == ["张三", "李娜", "张伟", "欧阳明"]
        await pilot.press("s")  # the next column after 政治面貌
        assert pane.sort != "stage" and not pane.descending


async def test_the_list_moves_by_page_and_opens_the_current_row(session: Session) -> None:
    session.roster.write_batch([PERSON.clean(person(f"人{i:03d}"))[0] for i in range(100)], [])
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one(RosterTable)
        await pilot.press("pagedown", "pagedown", "down")
        assert table.cursor == 2 * table.page + 1
        assert table.scroll_offset.y > 0
        await pilot.press("end")
        assert table.cursor == 99
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PersonDetail)
        assert app.screen.person_id == table.rows[99].id


# -- import and export -------------------------------------------------------------------
def sheet(path: Path) -> Path:
    book = openpyxl.Workbook()
    rows = [
        ["姓名", "身份证号码", "人员类别", "政治面貌", "党小组"],
        ["新人甲", id_number(order=11), "学生", "团员", "学生党小组"],  # row 2
        ["新人乙", "110105194912310021", "学生", "团员", None],  # row 3: check digit
        ["张三", id_number(), "教工", "正式党员", "第二党小组"],  # row 4: already there
        ["", None, "学生", "群众", None],  # row 5: no name
    ]
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


async def test_import_with_bad_rows_and_duplicates(session: Session, tmp_path: Path) -> None:
    fill(session)
    path = sheet(tmp_path / "名单.xlsx")
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, ImportRosterScreen)
        app.screen.query_one("#import-path", Input).value = str(path)
        await pilot.press("enter")
        await settle(app, pilot)
        await settle(app, pilot)  # read, then plan
        assert text_of(app, "#import-summary") == \
            "可新增 1 人；已在花名册中 1 人（身份证号相同，其中 1 人表格中有新内容）；" \
            "有问题 2 行（不会导入）。"
        bad = text_of(app, "#import-bad")
        assert "第 3 行：身份证号校验位不对" in bad and "第 5 行：姓名不能为空" in bad
        assert text_of(app, "#import-dups") == "第 4 行 张三"
        app.screen.query_one("#dup-update", RadioButton).value = True
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert "新人甲" in shown(app)
    people = {p["name"]: p for p in session.roster.people()}
    assert people["张三"]["group"] == "第二党小组"  # updated
    assert len(people) == 5


async def test_import_mapping_can_be_changed(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "list.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["名字", "电话号", "类"])
    book.active.append(["甲", "13800138000", "学生"])
    book.save(path)
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+o")
        app.screen.query_one("#import-path", Input).value = str(path)
        await pilot.press("enter")
        await settle(app, pilot)
        await settle(app, pilot)
        assert app.screen.query_one("#map-0", Select).value == "name"  # 名字 is an alias
        app.screen.query_one("#map-1", Select).value = "phone"
        app.screen.query_one("#map-2", Select).value = "category"
        app.screen.query_one("#default-stage", Select).value = "masses"
        await settle(app, pilot)
        assert text_of(app, "#import-summary").startswith("可新增 1 人")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    doc = next(session.roster.people()).doc
    assert (doc["phone"], doc["category"], doc["stage"]) == ("13800138000", "student", "masses")


async def test_import_of_a_missing_file_says_so(session: Session, tmp_path: Path) -> None:
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+o")
        app.screen.query_one("#import-path", Input).value = str(tmp_path / "nope.xlsx")
        await pilot.press("enter")
        await settle(app, pilot)
        assert text_of(app, "#import-message") == "无法读取 nope.xlsx：文件不存在或没有权限。"
        assert app.screen.query_one("#import-commit").disabled


async def test_export_the_shown_list(session: Session, tmp_path: Path) -> None:
    fill(session)
    app = make_app(session)
    target = tmp_path / "out.csv"
    async with app.run_test(size=(80, 24)) as pilot:
        app.screen.query_one("#filter-category", Select).value = "staff"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        app.screen.query_one("#export-path", Input).value = str(target)
        app.screen.query_one("#export-shown").value = True
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 3 and lines[1].startswith("李娜,")


async def test_a_lock_during_an_import_preview_drops_it_and_plans_again(
        session: Session, tmp_path: Path) -> None:
    from fixtures_app import PASSPHRASE

    from screens.unlock import UnlockScreen

    fill(session)
    path = sheet(tmp_path / "名单.xlsx")
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+o")
        app.screen.query_one("#import-path", Input).value = str(path)
        await pilot.press("enter")
        await settle(app, pilot)
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ImportRosterScreen) and screen.plan is not None
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen)
        assert screen.plan is None and screen.query_one("#import-table").rows == []
        await pilot.press(*PASSPHRASE, "enter")
        await settle(app, pilot)
        await settle(app, pilot)
        assert app.screen is screen and screen.plan is not None
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
    assert "新人甲" in {p["name"] for p in session.roster.people()}


async def test_clicks_sort_by_a_header_and_open_a_row(session: Session) -> None:
    fill(session)
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one(RosterTable)
        await pilot.click(RosterTable, offset=(2, 0))  # the 姓名 header, sorted already
        await pilot.pause()
        assert shown(app) == ["张伟", "张三", "欧阳明", "李娜"]
        await pilot.click(RosterTable, offset=(2, 2))  # the second row
        assert table.cursor == 1
        await pilot.click(RosterTable, offset=(2, 2), times=2)
        await pilot.pause()
        assert isinstance(app.screen, PersonDetail)
        assert app.screen.person_id == table.rows[1].id

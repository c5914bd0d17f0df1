"""The roster filtered by class or department (班级或部门) beside the party
group, and found by 学号/工号 (issue 17)."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

from fixtures_app import chinese, make_app, person, session, text_of, vault_dir  # noqa: F401
from textual.widgets import Input, Select

from branchtool.services.roster import RosterQuery
from branchtool.session import Session


def fill(session: Session) -> None:
    roster = session.roster
    roster.add(person("张伟", stage="activist", group="学生党小组", unit="软件工程2023级1班",
                      school_number="2023010101"))
    roster.add(person("李娜", stage="member", group="学生党小组", unit="软件工程2023级2班",
                      school_number="2023010202"))
    roster.add(person("欧阳明", stage="applicant", group="学生党小组", unit="软件工程2023级1班",
                      school_number="2023010103"))
    roster.add(person("王老师", category="staff", stage="member", group="教工党小组",
                      unit="软件工程系", school_number="T0815"))


def names(session: Session, **query: str) -> list[str]:
    return [p["name"] for p in session.roster.query(RosterQuery(**query))]


def test_the_service_filters_by_class_and_finds_by_school_number(session: Session) -> None:
    fill(session)
    assert session.roster.units() == ["软件工程2023级1班", "软件工程2023级2班", "软件工程系"]
    assert names(session, unit="软件工程2023级1班") == ["欧阳明", "张伟"]
    assert names(session, unit="软件工程2023级1班", group="教工党小组") == []
    assert names(session, text="2023010202") == ["李娜"]
    assert names(session, text="t0815") == ["王老师"]  # 工号, any case
    assert names(session, text="20230101") == ["欧阳明", "张伟"]  # the start of a class


async def test_the_class_filter_beside_the_group_filter(session: Session) -> None:
    fill(session)
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()

        def shown() -> list[str]:
            return [r["name"] for r in app.screen.query_one("#roster-table").rows]

        unit = app.screen.query_one("#filter-unit", Select)
        assert [str(o[0]) for o in unit._options[1:]] == [
            "软件工程2023级1班", "软件工程2023级2班", "软件工程系"]
        unit.value = "软件工程2023级1班"
        await pilot.pause()
        assert shown() == ["欧阳明", "张伟"]
        assert text_of(app, "#roster-count") == "2 人 / 在册 4 人"
        app.screen.query_one("#filter-group", Select).value = "学生党小组"
        await pilot.pause()
        assert shown() == ["欧阳明", "张伟"]
        unit.clear()
        await pilot.pause()
        await pilot.press("ctrl+f", *"2023010202")
        await pilot.pause()
        assert shown() == ["李娜"]
        assert app.screen.query_one("#roster-search", Input).value == "2023010202"
        # A new class appears in the filter once someone is in it.
        session.roster.add(person("赵新", unit="数据科学2024级1班"))
        app.screen.query_one("RosterPane").reload_data()
        await pilot.pause()
        assert "数据科学2024级1班" in [str(o[0]) for o in unit._options]

"""The detail screens are one ``DetailScreen`` configured by a ``DetailView``
per record type: every field a view shows (or computes) is a field of its
record definition, a view naming another is refused when it is defined, the
keys come from the view's actions (the writing ones refused read-only),
every one has its method, and every detail screen closes with Escape and
shares the one stylesheet."""

from __future__ import annotations

import pytest

from branchtool.records.person import PERSON
from screens.care import CASE_VIEW, CaseDetail
from screens.contacts import CONTACT_VIEW, ContactScreen
from screens.details import DetailScreen, DetailView, grid
from screens.notices import NOTICE_VIEW, NoticeScreen
from screens.person_detail import PERSON_VIEW, PersonDetail
from screens.tasks import TASK_VIEW, TaskDetail

SCREENS = {PersonDetail: PERSON_VIEW, TaskDetail: TASK_VIEW, CaseDetail: CASE_VIEW,
           ContactScreen: CONTACT_VIEW, NoticeScreen: NOTICE_VIEW}


@pytest.mark.parametrize("screen", list(SCREENS), ids=lambda s: s.__name__)
def test_each_detail_screen_is_a_configured_detail_screen(screen: type[DetailScreen]) -> None:
    view = SCREENS[screen]
    assert issubclass(screen, DetailScreen) and screen.VIEW is view
    keys = {f.key for f in view.record.fields}
    assert set(view.fields) <= keys and set(view.shown) <= keys
    assert len(set(view.fields)) == len(view.fields)
    assert view.fields or view.sections  # something under the title
    assert screen.CSS_PATH == "details.tcss"
    keys = [b.key for b in screen.BINDINGS]  # type: ignore[union-attr]
    assert len(keys) == len(set(keys)) == len(view.actions) + 1  # no key means two things
    assert keys[-1] == "escape"  # closes, last in the footer
    assert {a.action.split("(")[0] for a in view.actions if a.writes} == screen.WRITE_ACTIONS
    for act in view.actions:  # every action has its method
        assert callable(getattr(screen, "action_" + act.action.split("(")[0]))


def test_a_view_of_a_field_the_definition_lacks_is_refused() -> None:
    with pytest.raises(KeyError):
        DetailView(PERSON, get=lambda s, i: None, title=lambda s, d: "", fields=("nickname",))
    with pytest.raises(KeyError):
        DetailView(PERSON, get=lambda s, i: None, title=lambda s, d: "",
                   shown={"nickname": lambda s, v: v})


def test_empty_values_show_a_dash_and_long_ones_fold() -> None:
    lines = PERSON_VIEW.lines(None, {"name": "张三", "phone": ""})  # type: ignore[arg-type]
    assert dict(lines)[PERSON.field("name").label] == "张三"
    assert dict(lines)[PERSON.field("phone").label] == "—"
    table = grid(lines)
    assert table.columns[1].overflow == "fold" and table.columns[0].no_wrap

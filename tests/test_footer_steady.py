# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)
"""The footer is rebuilt when the keys it shows change, not each time the
screen refreshes its bindings (a focus change, a table's rows): opening the
person page rebuilt it nine times for the same keys."""

from __future__ import annotations

import pytest
from fixtures_app import chinese, demo_session, make_app, settle  # noqa: F401

from branchtool.session import Session
from screens.member_page import MemberPage
from screens.plain import Footer


def keys_shown(footer: Footer) -> list[str]:
    return [str(key.description) for key in footer.children]


@pytest.mark.asyncio
async def test_the_footer_is_rebuilt_only_when_its_keys_change(
        demo_session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    rebuilt: list[Footer] = []
    original = Footer.recompose

    async def counted(self: Footer) -> None:
        rebuilt.append(self)
        await original(self)

    monkeypatch.setattr(Footer, "recompose", counted)
    app = make_app(demo_session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        someone = next(iter(demo_session.roster.people()))["id"]
        page = MemberPage(demo_session, someone)
        await app.push_screen(page)
        await settle(app, pilot)
        footer = page.query_one(Footer)
        assert rebuilt.count(footer) == 1
        on_first_tab = keys_shown(footer)
        assert on_first_tab

        page.refresh_bindings()  # the same keys: nothing to rebuild
        await settle(app, pilot)
        assert rebuilt.count(footer) == 1

        await pilot.press("2")  # the check-in tab: other keys
        await settle(app, pilot)
        assert rebuilt.count(footer) == 2
        assert keys_shown(footer) != on_first_tab

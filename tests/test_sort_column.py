"""Sorting: the column the list is sorted by is always shown with its ▲/▼,
at any width, whichever column it is (性别 and 类别 included)."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

import pytest
from fixtures_app import chinese, demo_session, make_app, settle  # noqa: F401  (fixtures)

from branchtool.session import Session
from screens.roster_pane import RosterPane, RosterTable


def header(table: RosterTable) -> str:
    return table._header_text()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_every_sort_column_is_shown_with_its_mark(demo_session: Session,
                                                        size: tuple[int, int]) -> None:
    app = make_app(demo_session)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        pane = app.screen.query_one(RosterPane)
        table = pane.table
        table.focus()
        seen = []
        for _ in range(len(table.visible_columns()) + 1):
            await pilot.press("s")
            await pilot.pause()
            column = next(c for _, c, _ in table.visible_columns() if c.key == table.sort_key)
            assert column.column_label + "▲" in header(table), (column.key, header(table))
            seen.append(column.key)
        assert {"gender", "category"} <= set(seen) or size[0] == 80
        await pilot.press("r")
        await pilot.pause()
        assert "▼" in header(table)
        # Sorted by a column of the lowest priority: it is shown all the same.
        for key in ("school_number", "id_number", "joined_on"):
            pane.sort_by(key, descending=False)
            await pilot.pause()
            keys = [c.key for _, c, _ in table.visible_columns()]
            assert key in keys, (size, key, keys)
            assert "▲" in header(table)

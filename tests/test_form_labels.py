"""A form's labels are never broken inside a word ("党委办公室公钥文 / 件",
"无操作自动锁定（ / 分钟）"): the label column is as wide as the longest."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures_app import WORK_FACTOR, chinese, make_app, session, settle, vault_dir  # noqa: F401

from branchtool.session import Session
from screens.form import FormRow


def label_heights(screen) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {row.label: row.query_one(".form-label").size.height for row in screen.query(FormRow)}


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_create_form_labels_fit_on_one_line(vault_dir: Path,
                                                      size: tuple[int, int]) -> None:
    app = make_app(Session(vault_dir, work_factor=WORK_FACTOR))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        heights = label_heights(app.screen)
        assert "党委办公室公钥文件" in heights
        assert set(heights.values()) == {1}, heights


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_settings_labels_fit_on_one_line(session: Session,
                                                   size: tuple[int, int]) -> None:
    app = make_app(session)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.press("f9")
        await settle(app, pilot)
        heights = label_heights(app.screen)
        assert "无操作自动锁定（分钟）" in heights
        assert set(heights.values()) == {1}, heights

"""A checkbox's or radio button's state needs no colour (#16): an unchosen
one is drawn with an empty box, "▐ ▌", a chosen one "▐X▌" / "▐●▌" — read
back from the screen as ``tmux capture-pane`` shows it."""

from __future__ import annotations

from terminalkit import screen_lines
from textual.app import App, ComposeResult
from textual.widgets import Checkbox, RadioButton, RadioSet

import screens  # noqa: F401  (puts the drawing in place, as every app of ours does)


class Choices(App[None]):
    def compose(self) -> ComposeResult:
        yield Checkbox("花名册", True, id="on")
        yield Checkbox("帮扶", False, id="off")
        with RadioSet():
            yield RadioButton("全部")
            yield RadioButton("标准", value=True)
            yield RadioButton("仅统计")


async def test_an_unchosen_box_is_empty_and_a_chosen_one_marked() -> None:
    app = Choices()
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        text = "\n".join(screen_lines(app))
        assert "X▌ 花名册" in text and "▐ ▌ 帮扶" in text, text
        assert "▐ ▌ 全部" in text and "●▌ 标准" in text and "▐ ▌ 仅统计" in text, text
        app.query_one("#off", Checkbox).value = True
        await pilot.pause()
        assert "X▌ 帮扶" in "\n".join(screen_lines(app))

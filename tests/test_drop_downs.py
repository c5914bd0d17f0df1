"""Drop-downs (#16 item 4): a list opened over other widgets shows its
Chinese choices whole ("先进典型事迹材料", not "进典型事迹材料"), on the
screen the app composes and on the terminal it writes to, also after a
redraw; and it opens within the area above the footer."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

import pytest
from fixtures_app import chinese, demo_session, make_app, settle, until  # noqa: F401
from terminalkit import screen_lines, watch
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.widgets import Footer, Select, Static
from textual.widgets._select import SelectCurrent, SelectOverlay

from branchtool import i18n
from branchtool.reports import KINDS
from branchtool.session import Session
from screens.plain import Select as PlainSelect
from screens.wide_chars import keep_wide_characters


def _shows(lines: list[str], text: str) -> bool:
    return any(text in line for line in lines)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_report_kinds_show_whole_over_the_report(demo_session: Session,
                                                           size: tuple[int, int]) -> None:
    app = make_app(demo_session)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        app.screen.action_section("reports")
        await settle(app, pilot)
        select = app.screen.query_one("#report-kind", Select)
        await until(pilot, lambda: select.has_focus)
        terminal = watch(app)
        await pilot.press("enter")
        await until(pilot, lambda: select.expanded)
        await settle(app, pilot)
        labels = [i18n.t(f"report.kind.{kind}") for kind in KINDS]
        for lines in (screen_lines(app), terminal.lines()):
            missing = [label for label in labels if not _shows(lines, label)]
            assert not missing, "\n".join(lines)
        app.screen.refresh(layout=True)  # a redraw keeps them whole
        await settle(app, pilot)
        assert all(_shows(terminal.lines(), label) for label in labels)
        assert terminal.lines() == screen_lines(app)
        _chops_fit(app)


def test_textual_still_draws_the_way_wide_chars_expects() -> None:
    """Textual is pinned exactly; when the pin moves, re-check screens/wide_chars.py
    (and whether Textualize/textual#6357 is fixed, so the module can go)."""
    import inspect

    import textual
    from textual._compositor import ChopsUpdate, Compositor

    assert textual.__version__ == "8.2.8", "re-check screens/wide_chars.py"
    assert list(inspect.signature(ChopsUpdate).parameters) == ["chops", "spans", "chop_ends"]
    assert list(inspect.signature(Compositor._regions_to_spans).parameters) == ["regions"]
    assert callable(Compositor._get_renders) and isinstance(Compositor.cuts, property)


def _chops_fit(app) -> None:  # type: ignore[no-untyped-def]
    """Each chop of a full render is exactly as wide as the cells up to the
    next chop: what a partial update writes where it moves the cursor."""
    compositor = app.screen._compositor
    width = compositor.size.width
    for line in compositor._render_chops(compositor.size.region, lambda y: True):
        starts = [*line, width]
        for (start, strip), end in zip(line.items(), starts[1:], strict=True):
            assert strip.cell_length == end - start



class _Stripes(App[None]):
    """A line of one-, two- and three-cell widgets (a cut at nearly every
    column) with a layer of text above it at column ``x``."""

    CSS = """
    Screen { layers: below above; }
    #stripes { layer: below; height: 3; }
    #stripes Static { height: 3; }
    #above { layer: above; width: auto; height: 3; background: $panel; }
    """

    def __init__(self, text: str, x: int) -> None:
        super().__init__()
        keep_wide_characters()  # as BranchApp does
        self.text, self.x = text, x

    def compose(self) -> ComposeResult:
        with Horizontal(id="stripes"):
            for index in range(30):
                yield Static("|", classes=f"w{index % 3 + 1}")
        above = Static(f"{self.text}\n{self.text}\n{self.text}", id="above")
        above.styles.offset = (self.x, 0)
        yield above

    def on_mount(self) -> None:
        for index, static in enumerate(self.query("#stripes Static")):
            static.styles.width = index % 3 + 1


@pytest.mark.parametrize("x", [0, 1, 2, 3])
async def test_text_above_other_widgets_keeps_every_character(x: int) -> None:
    text = "先进典型事迹材料、帮扶工作情况 ok 党员表现记实情况"
    app = _Stripes(text, x)
    async with app.run_test(size=(70, 5)) as pilot:
        await pilot.pause()
        terminal = watch(app)
        app.query_one("#above").update(f"{text}\n{text}\n{text}!")  # a partial update
        await pilot.pause()
        await pilot.pause()
        for lines in (screen_lines(app), terminal.lines()):
            assert sum(text in line for line in lines) == 3, "\n".join(lines)
        assert terminal.lines() == screen_lines(app)
        _chops_fit(app)


class _LowSelect(App[None]):
    """A drop-down of ``count`` choices in the row above the footer, after ``rows`` rows."""

    CSS = "#filler { height: 1fr; }"

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count

    def compose(self) -> ComposeResult:
        yield Static("", id="filler")
        yield PlainSelect([(f"第{i}项选择", str(i)) for i in range(self.count)],
                          compact=True, allow_blank=False, id="low")
        yield Footer()


@pytest.mark.parametrize(("count", "height"), [(5, 24), (30, 24), (5, 8), (3, 4)])
async def test_a_drop_down_above_the_footer_opens_above_the_footer(count: int,
                                                                    height: int) -> None:
    app = _LowSelect(count)
    async with app.run_test(size=(40, height)) as pilot:
        select = app.query_one("#low", PlainSelect)
        select.focus()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        overlay = select.query_one(SelectOverlay)
        footer = app.query_one(Footer)
        shown = overlay.region
        assert select.expanded and shown.height >= 1
        assert shown.bottom <= footer.region.y, (shown, footer.region)
        assert not shown.overlaps(select.query_one(SelectCurrent).region)
        lines = screen_lines(app)
        assert "第0项选择" in lines[shown.y] + lines[shown.y - 1]  # the first choice shows
        if count + 2 <= height - 2:  # room enough above: every choice shows, no scrolling
            assert shown.height >= min(count, 12)


def test_every_screen_takes_its_drop_downs_from_screens_plain() -> None:
    """Every drop-down of the app is screens.plain.Select, the one that opens
    above the footer (and shows a label as written)."""
    import ast
    from pathlib import Path

    import screens

    for path in Path(screens.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "textual.widgets":
                assert "Select" not in {alias.name for alias in node.names}, path.name

"""Chinese line breaking (#16 item 7): no line begins with closing punctuation
or 、，。；：, none ends with opening punctuation, a number keeps its unit;
the lines joined give the text back and fit the width."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

import itertools

import pytest
from fixtures_app import chinese, make_app, session, settle, vault_dir  # noqa: F401
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.text import Text
from textual.content import Content
from uniseg.linebreak import line_break_boundaries

from branchtool.session import Session
from screens.line_breaks import (
    NO_LINE_END,
    NO_LINE_START,
    break_points,
    divide_line,
    keep_chinese_line_breaks,
    wrap,
)

HAN = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"
    "同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自"
    "二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日"
    "那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变"
    "条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总"
    "次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指"
    "几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器"
    "压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安"
    "场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集"
    "温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连"
    "断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精"
    "值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属"
    "圆包火住调满县局照参红细引听该铁价严龙飞"
)
CLOSING = "、，。；：！？）》」』】"
OPENING = "（《「『【"
DIGITS = "0123456789"
UNITS = "户个人年月日次元"

# Chinese as written: ideographs, a closing mark after one, an opening mark
# before one, numbers with their units (with or without a space).
_word = st.text(alphabet=HAN, min_size=1, max_size=6)
_piece = st.one_of(
    _word,
    st.builds(lambda w, c: w + c, _word, st.sampled_from(CLOSING)),
    st.builds(lambda o, w, c: o + w + c, st.sampled_from(OPENING), _word,
              st.sampled_from("）》」』】")),
    st.builds(lambda n, s, u: n + s + u, st.text(alphabet=DIGITS, min_size=1, max_size=4),
              st.sampled_from(["", " "]), st.sampled_from(UNITS)),
    st.sampled_from([" ", "ok ", "hello world ", "——", "……", " · ", "92.3%", "（", "）"]),
)
chinese_text = st.lists(_piece, min_size=1, max_size=30).map("".join)


def _unit_split(before: str, after: str) -> bool:
    return bool(before.rstrip(" ")) and before.rstrip(" ")[-1].isdigit() and after[:1] in UNITS


@settings(max_examples=300, deadline=None)
@given(chinese_text, st.integers(min_value=8, max_value=60))
def test_no_line_breaks_a_rule(text: str, width: int) -> None:
    lines = wrap(text, width)
    assert "".join(lines) == text
    for line in lines[1:]:
        assert line[0] not in NO_LINE_START, lines
    for before, after in itertools.pairwise(lines):
        assert before.rstrip(" ")[-1:] not in NO_LINE_END, lines
        assert not _unit_split(before, after), lines
    for line in lines:
        assert cell_len(line.rstrip(" ")) <= width, lines


@settings(max_examples=300, deadline=None)
@given(chinese_text)
def test_every_break_is_one_unicode_allows(text: str) -> None:
    """Each break point is a line-break opportunity of UAX #14 (uniseg's
    implementation); the tailoring only takes some away (12 户)."""
    allowed = set(line_break_boundaries(text))
    assert set(break_points(text)) <= allowed, (text, sorted(set(break_points(text)) - allowed))


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=0, max_size=80), st.integers(min_value=1, max_value=40))
def test_any_text_comes_back_whole_and_fits(text: str, width: int) -> None:
    """Whatever the text (any script, control characters, emoji), the lines
    join to it and only trailing spaces or one character wider than the
    width may pass the width."""
    text = text.replace("\n", " ")
    lines = wrap(text, width)
    assert "".join(lines) == text
    assert all(lines) or lines == [""]
    for line in lines:
        body = line.rstrip()
        assert cell_len(body) <= width or len(body) == 1, lines


@pytest.mark.parametrize(("text", "width", "expected"), [
    ("预览：张三、李四、毛琳、王五", 14, ["预览：张三、李", "四、毛琳、王五"]),
    ("口令（至少 8 个字符）", 12, ["口令（至少 ", "8 个字符）"]),
    ("共帮扶 12 户困难学生", 10, ["共帮扶 ", "12 户困难", "学生"]),
    ("无操作自动锁定（分钟）", 14, ["无操作自动锁定", "（分钟）"]),
    ("hello world", 7, ["hello ", "world"]),
])
def test_the_lines_the_issue_names(text: str, width: int, expected: list[str]) -> None:
    assert wrap(text, width) == expected


def test_rich_and_textual_wrap_by_the_rule() -> None:
    """Text.wrap and Content.wrap (every widget's text) take the rule."""
    keep_chinese_line_breaks()
    import rich._wrap
    import rich.text
    import textual.content
    from rich.console import Console

    assert rich._wrap.divide_line is rich.text.divide_line is textual.content.divide_line \
        is divide_line
    text = "导入预览：张三、李四、毛琳、王五、赵六（共 12 户）。"
    for lines in ([line.plain for line in Text(text).wrap(Console(width=80), 14)],
                  [line.plain for line in Content(text).wrap(14)]):
        assert "".join(lines) == text and len(lines) > 2
        assert not any(line.startswith(tuple(NO_LINE_START)) for line in lines), lines


def test_textual_still_wraps_where_line_breaks_expects() -> None:
    import textual
    import textual.content

    assert textual.__version__ == "8.2.8", "re-check screens/line_breaks.py"
    assert hasattr(textual.content, "divide_line")


PREVIEW = ("导入预览：张三、李四、王五、赵六、钱七、孙八、周九、吴十、郑十一、王十二、"
           "冯十三、陈十四、褚十五、卫十六、蒋十七、沈十八、韩十九、毛琳、杨二十"
           "（共 12 户，口令至少 8 个字符）。")


@pytest.mark.parametrize("width", [21, 22, 31, 37, 38])
async def test_text_the_app_shows_follows_the_rule(session: Session, width: int) -> None:
    """In the running app a Static's lines, as drawn, keep the rule."""
    from textual.geometry import Region

    from screens.plain import Static

    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        probe = Static(PREVIEW)
        probe.styles.width = width
        probe.styles.height = "auto"
        probe.styles.dock = "top"
        await app.screen.mount(probe)
        await pilot.pause()
        size = probe.size
        drawn = ["".join(seg.text for seg in strip).rstrip()
                 for strip in probe.render_lines(Region(0, 0, size.width, size.height))]
        assert "".join(drawn).replace(" ", "") == PREVIEW.replace(" ", "")  # nothing lost
        for before, line in itertools.pairwise(drawn):
            assert line[:1] not in NO_LINE_START, drawn
            assert before[-1:] not in NO_LINE_END, drawn
            assert not _unit_split(before, line), drawn

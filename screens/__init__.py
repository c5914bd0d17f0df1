"""The Textual screens. Whatever app shows them (the branch's, the office's, a
test's harness) draws Chinese right, so the two fixes of how Textual draws
text are put in place when this package is first imported:
``screens.wide_chars`` (a drop-down or toast over a panel keeps its
characters whole) and ``screens.line_breaks`` (no line begins with 、。）,
none splits "12 户"); and ``screens.toggle_marks`` draws an unchosen
checkbox or radio button empty, so its state needs no colour."""

from screens.line_breaks import keep_chinese_line_breaks
from screens.toggle_marks import keep_toggle_marks
from screens.wide_chars import keep_wide_characters

keep_wide_characters()
keep_chinese_line_breaks()
keep_toggle_marks()

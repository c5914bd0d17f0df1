"""The daily report's 其他事项 and the zero report (issue 17 item 3): the text
is kept encrypted with the report's date, shown in md, docx and xlsx at the
full and standard levels (never at counts), carried in the bundle at those
levels only; 今日无异常 is saved only on a day with nothing abnormal, and
refused in one sentence saying what is."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fixtures_app import chinese  # noqa: F401
from healthkit import TODAY, Watch, clock, reopen, watch  # noqa: F401

from branchtool import reports
from branchtool.errors import UserError
from branchtool.reports import daily_other, markdown
from branchtool.services.day_reports import MAX_LENGTH, clean_other

OTHER = "张三同学已返校，体温正常。\n下周一开展防疫知识讲座"


def render(watch: Watch, redaction: str, day: dt.date = TODAY) -> str:
    return markdown.render(reports.build(watch.session, "daily", day, redaction=redaction))


def test_the_other_matters_are_kept_with_the_day_and_shown_again(watch: Watch) -> None:
    watch.session.day_reports.save(TODAY, OTHER)
    session = reopen(watch)
    assert session.day_reports.other(TODAY) == OTHER
    assert session.day_reports.other(TODAY - dt.timedelta(days=1)) == ""
    session.day_reports.save(TODAY, "改过的其他事项")  # the same day: one document, replaced
    assert session.day_reports.other(TODAY) == "改过的其他事项"
    assert len(session.vault.partition("daily_reports")) == 1


def test_the_text_is_cleaned_of_what_a_document_cannot_hold() -> None:
    assert clean_other("第一行\x1b[31m红\r\n第二行\u202e反  \n") == "第一行[31m红\n第二行反"
    assert clean_other(" \n \t\n") == ""
    with pytest.raises(UserError) as caught:
        clean_other("字" * (MAX_LENGTH + 1))
    assert caught.value.message() == (
        f"其他事项最多 {MAX_LENGTH} 个字，现在有 {MAX_LENGTH + 1} 个字。")


def test_each_level_carries_the_text_as_documented(watch: Watch) -> None:
    watch.session.day_reports.save(TODAY, OTHER)
    for level in ("full", "standard"):
        shown = render(watch, level)
        assert "## 十、其他事项\n\n张三同学已返校，体温正常。\n\n下周一开展防疫知识讲座\n" in shown
    counts = render(watch, "counts")
    assert "张三" not in counts and "讲座" not in counts
    assert "## 十、其他事项\n\n已填写其他事项，仅统计级别不列出内容。\n" in counts
    assert "## 十、其他事项\n\n无" in render(watch, "full", TODAY - dt.timedelta(days=1))


def test_markdown_in_the_text_stays_text(watch: Watch) -> None:
    watch.session.day_reports.save(TODAY, "# 假标题\n- 不是列表 [红](http://x) *粗*")
    shown = render(watch, "standard")
    assert "\\# 假标题" in shown and "\\- 不是列表 \\[红\\](http://x) \\*粗\\*" in shown


def test_docx_and_xlsx_carry_the_text(watch: Watch, tmp_path: Path) -> None:
    import docx
    import openpyxl

    watch.session.day_reports.save(TODAY, OTHER)
    doc = reports.build(watch.session, "daily", TODAY, redaction="standard")
    word = docx.Document(str(reports.write(doc, tmp_path / "d.docx")))
    texts = [p.text for p in word.paragraphs]
    assert "十、其他事项" in texts and "下周一开展防疫知识讲座" in texts
    book = openpyxl.load_workbook(reports.write(doc, tmp_path / "d.xlsx"))
    cells = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row
             if c.value is not None}
    assert "张三同学已返校，体温正常。" in cells and "下周一开展防疫知识讲座" in cells
    counts = reports.build(watch.session, "daily", TODAY, redaction="counts")
    book = openpyxl.load_workbook(reports.write(counts, tmp_path / "c.xlsx"))
    cells = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row}
    assert not [c for c in cells if "张三" in c or "讲座" in c]


def test_the_text_is_never_in_plaintext_in_the_vault_folder(watch: Watch) -> None:
    secret = "欧阳明远同学已到发热门诊复查"
    watch.session.day_reports.save(TODAY, secret)
    folder = watch.session.path
    session = reopen(watch)  # lock (compacting) and open again: every file written
    assert session.day_reports.other(TODAY) == secret
    session.day_reports.save(TODAY, secret + "，结果正常")
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for needle in ("欧阳明远", "发热门诊复查"):
                for encoding in ("utf-8", "utf-16-le", "gb18030"):
                    assert needle.encode(encoding) not in data, path


# -- the zero report ----------------------------------------------------------------------
def test_the_zero_report_is_refused_saying_what_is_abnormal(watch: Watch) -> None:
    s = watch.session
    zhang = watch.ids[0]
    s.health.record(TODAY, zhang, {"temperature": "38.4"})
    with pytest.raises(UserError) as caught:
        daily_other.save_zero(s, TODAY, TODAY)
    assert caught.value.message() == (
        "今天有 1 条待处置预警、1 人打卡异常（发热、症状或涉疫）、4 人未打卡，不能报“今日无异常”。")
    assert s.day_reports.get(TODAY) is None  # nothing saved
    with pytest.raises(UserError) as caught:
        daily_other.save_zero(s, TODAY, TODAY + dt.timedelta(days=1))
    assert caught.value.message().startswith("2024年6月1日有 1 条待处置预警")


def test_the_zero_report_on_a_day_with_nothing_abnormal(watch: Watch) -> None:
    s = watch.session
    s.day_reports.save(TODAY, "团日活动照常进行")
    assert s.health.mark_rest_normal(TODAY) == 5
    assert daily_other.save_zero(s, TODAY, TODAY) == "今日无异常\n团日活动照常进行"
    assert s.day_reports.get(TODAY)["zero"] is True
    assert daily_other.save_zero(s, TODAY, TODAY) == "今日无异常\n团日活动照常进行"  # once
    counts = render(watch, "counts")
    assert "## 十、其他事项\n\n今日无异常\n" not in counts  # the secretary's words too
    s.day_reports.save(TODAY, "")
    daily_other.save_zero(s, TODAY, TODAY)
    assert "## 十、其他事项\n\n今日无异常\n" in render(watch, "counts")  # names nobody
    assert render(watch, "standard").startswith("# 疫情防控日报（零报告）\n")


def test_a_handled_alert_no_longer_stands_against_the_zero_report(watch: Watch) -> None:
    s = watch.session
    s.health.record(TODAY - dt.timedelta(days=1), watch.ids[0], {"temperature": "38.4"})
    s.health.mark_rest_normal(TODAY)
    with pytest.raises(UserError, match="1 条待处置预警"):
        daily_other.save_zero(s, TODAY, TODAY)
    [alert] = s.alerts.open()
    s.alerts.handle(alert["id"], "已退烧")
    assert daily_other.save_zero(s, TODAY, TODAY) == "今日无异常"


# -- the command line ---------------------------------------------------------------------
def test_the_report_command_keeps_the_other_matters(watch: Watch, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from fixtures_app import PASSPHRASE

    from branchtool.cli import main

    folder = watch.session.path
    watch.session.lock()
    monkeypatch.setenv("BRANCHTOOL_HOME", str(folder))
    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", PASSPHRASE)
    out = tmp_path / "日报.md"
    day = ["--date", TODAY.isoformat()]
    assert main(["report", "daily", *day, "--other", "命令行写的其他事项", "--out", str(out)]) == 0
    assert "命令行写的其他事项" in out.read_text(encoding="utf-8")
    # kept: a later report of the day without --other carries it too
    assert main(["report", "daily", *day, "--redaction", "full", "--out", str(out)]) == 0
    assert "命令行写的其他事项" in out.read_text(encoding="utf-8")
    note = tmp_path / "其他事项.txt"
    note.write_bytes("用记事本写的\r\n第二行".encode("gb18030"))
    assert main(["report", "daily", *day, "--other-file", str(note), "--out", str(out)]) == 0
    assert "用记事本写的\n\n第二行" in out.read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["report", "daily", *day, "--zero", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "不能报“今日无异常”" in err and "5 人未打卡" in err
    assert main(["report", "weekly", "--other", "x", "--out", str(out)]) == 1
    assert "只用于日报" in capsys.readouterr().err
    assert main(["report", "daily", "--other-file", str(tmp_path / "无此文件.txt"),
                 "--out", str(out)]) == 1
    assert "读不了其他事项的文件" in capsys.readouterr().err


# -- the bundle ---------------------------------------------------------------------------
def test_the_bundle_carries_the_text_at_full_and_standard_only(chinese: None,
                                                               tmp_path: Path) -> None:
    from branchtool import demo
    from branchtool.bundles import format as fmt
    from branchtool.period import Period
    from storage import age
    from tests.bundlekit import make_office_keys

    day = dt.date(2026, 11, 20)
    office = make_office_keys()
    branch = demo.build(tmp_path / "branch", people=12, days=3, seed=3, today=day,
                        work_factor=10)
    try:
        branch.bundles.set_office_key(office.key)
        branch.bundles.today = lambda: day
        branch.day_reports.save(day, "欧阳明远已返校")
        for level in ("full", "standard", "counts"):
            path = branch.bundles.export(tmp_path, Period(day, day), level).path
            plain = fmt.unpack(age.decrypt(path.read_bytes(), [office.identity]))[0]
            assert ("欧阳明远已返校".encode() in plain) is (level != "counts"), level
            daily = fmt.decode(plain)["reports"][f"daily/{day.isoformat()}"]
            assert "其他事项" in daily
    finally:
        branch.lock()


def test_a_counts_report_says_the_zero_words_in_its_own_language(watch: Watch) -> None:
    """Saved as 今日无异常 in Chinese, a counts-level report in English says
    the zero report's words in English: they name nobody, whatever language
    they were saved in; words a secretary typed herself are not carried."""
    from branchtool import i18n

    s = watch.session
    assert s.health.mark_rest_normal(TODAY) == 5
    daily_other.save_zero(s, TODAY, TODAY)
    s.day_reports.save(TODAY, "今日无异常")  # typed, not the zero report: not carried
    assert "今日无异常" not in render(watch, "counts")
    daily_other.save_zero(s, TODAY, TODAY)
    i18n.set_language("en")
    try:
        english = render(watch, "counts")
        words = daily_other.zero_words()
    finally:
        i18n.set_language("zh-CN")
    assert words != "今日无异常" and words in english and "今日无异常" not in english

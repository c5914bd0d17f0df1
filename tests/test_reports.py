"""Reports: golden Markdown of each report for a fixed demo seed and day, the
zero report, redaction levels, the .docx and .xlsx opened again, the command."""


from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures_app import chinese, person  # noqa: F401  (fixtures)

from branchtool import i18n, reports
from branchtool.errors import UserError
from branchtool.reports import markdown, text
from branchtool.session import Session
from tests.reportkit import NOON, TODAY, WORK_FACTOR, check_golden, demo_branch


@pytest.fixture(scope="module")
def branch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    session = demo_branch(tmp_path_factory.mktemp("reports") / "demo")
    yield session
    session.lock()


@pytest.fixture
def small(tmp_path: Path) -> Iterator[Session]:
    """Three people, all well: the zero report."""
    session = Session(tmp_path / "small", work_factor=WORK_FACTOR)
    session.clock = lambda: NOON
    session.create("T01", "测试第一党支部", "correct horse battery")
    for name in ("张三", "李四", "王五"):
        session.roster.add(person(name))
    yield session
    session.lock()


def render(session: Session, kind: str, redaction: str = "standard", day: dt.date = TODAY,
           **options: object) -> str:
    doc = reports.build(session, kind, day, redaction=redaction, **options)  # type: ignore[arg-type]
    return markdown.render(doc)


# -- goldens ---------------------------------------------------------------------------
@pytest.mark.parametrize(("kind", "redaction"), [
    ("daily", "standard"), ("daily", "counts"), ("daily", "full"), ("weekly", "standard"),
    ("deeds", "standard"), ("care", "standard"), ("care", "counts"), ("records", "standard"),
])
def test_report_markdown_matches_its_golden(branch: Session, kind: str, redaction: str) -> None:
    check_golden(f"{kind}-{redaction}", render(branch, kind, redaction))


def fever_day(session: Session) -> dt.date:
    """The golden demo's earliest day with somebody running a fever."""
    first = session.health.first_day()
    assert first is not None
    day = first
    while day <= TODAY:
        if any("fever" in a.reasons for a in session.health.day_summary(day).abnormal):
            return day
        day += dt.timedelta(days=1)
    raise AssertionError("the demo has no fever")


@pytest.mark.parametrize("redaction", ["standard", "counts", "full"])
def test_daily_report_of_a_day_with_a_fever_matches_its_golden(branch: Session,
                                                              redaction: str) -> None:
    day = fever_day(branch)
    shown = render(branch, "daily", redaction, day)
    check_golden(f"daily-fever-{redaction}", shown)
    name = branch.roster.person(branch.health.day_summary(day).abnormal[0].person)["name"]
    assert name in render(branch, "daily", "standard", day)
    assert (name in shown) is (redaction != "counts")


def test_english_weekly_summary_matches_its_golden(branch: Session) -> None:
    i18n.set_language("en")
    check_golden("weekly-standard-en", render(branch, "weekly"))


def test_a_day_with_nothing_abnormal_is_the_zero_report(small: Session) -> None:
    assert small.health.mark_rest_normal(TODAY) == 3
    daily = render(small, "daily")
    check_golden("daily-zero", daily)
    assert daily.startswith("# 疫情防控日报（零报告）\n")
    assert i18n.t("report.daily.zero") in daily
    small.health.clear(TODAY, next(iter(small.roster.people())).id)
    assert "零报告" not in render(small, "daily")


# -- what each level names -----------------------------------------------------------------
def test_counts_level_names_nobody(branch: Session) -> None:
    names = [p["name"] for p in branch.roster.people()]
    for kind in reports.KINDS:
        shown = render(branch, kind, "counts")
        assert [n for n in names if n in shown] == [], kind


def test_standard_names_people_but_not_their_notes(branch: Session) -> None:
    summary = branch.health.day_summary(TODAY)
    daily = render(branch, "daily")
    for pid in summary.missing:
        assert branch.roster.person(pid)["name"] in daily
    measures = [c["measures"] for c in branch.care.all() if c.get("measures")]
    descriptions = [c["description"] for c in branch.care.all()]
    assert measures and descriptions
    standard, full = render(branch, "care"), render(branch, "care", "full")
    assert not [m for m in measures if m in standard]
    assert [m for m in measures if markdown.escape(m, line_start=False) in full]
    assert not [d for d in descriptions if d in full]  # never in a report
    entries = [r["description"] for r in branch.member_records.all()]
    records = render(branch, "records", start=TODAY.replace(day=1))
    assert entries and not [e for e in entries if e in records]


def test_deeds_material_is_made_of_the_deeds_marked_for_reporting(branch: Session) -> None:
    material = render(branch, "deeds")
    deeds = branch.deeds.for_reporting()
    assert deeds
    for deed in deeds:
        assert f"、{deed['title']}" in material
        first = deed["narrative"].split("\n")[0].strip()
        assert markdown.escape(first) in material


# -- formats ----------------------------------------------------------------------------------
def test_docx_opens_again_headed_like_an_official_document(branch: Session,
                                                           tmp_path: Path) -> None:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn

    doc = reports.build(branch, "daily", TODAY)
    path = reports.write(doc, tmp_path / "daily.docx")
    opened = docx.Document(str(path))
    paragraphs = [p for p in opened.paragraphs if p.text.strip()]
    issuer, number, title = paragraphs[:3]
    assert issuer.text == doc.issuer and issuer.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert number.text == doc.number and "w:pBdr" in number._p.xml  # the red rule
    assert title.text == doc.title and title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert title.runs[0].font.size.pt == 22
    fonts = title.runs[0]._element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    body = next(p for p in paragraphs if p.text.startswith(text.day_with_weekday(TODAY)))
    assert body.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋"
    assert body.paragraph_format.first_line_indent is not None
    assert [p.text for p in paragraphs[-2:]] == [doc.issuer, text.day(TODAY)]
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.RIGHT for p in paragraphs[-2:])
    tables = doc.tables()
    assert len(opened.tables) == len(tables) > 0
    for written, table in zip(opened.tables, tables, strict=True):
        assert [c.text for c in written.rows[0].cells] == table.headers
        assert len(written.rows) == len(table.rows) + 1
        assert [c.text for c in written.rows[1].cells] == [text.cell(c) for c in table.rows[0]]
    assert opened.core_properties.title == doc.title


def test_xlsx_opens_again_one_sheet_per_table(branch: Session, tmp_path: Path) -> None:
    import openpyxl

    from branchtool.reports.document import Share

    doc = reports.build(branch, "weekly", TODAY)
    path = reports.write(doc, tmp_path / "weekly.xlsx")
    book = openpyxl.load_workbook(path)
    tables = doc.tables()
    assert book.sheetnames == [i18n.t("report.xlsx.summary_sheet"), *[t.name for t in tables]]
    assert book.worksheets[0]["A1"].value == doc.title
    for sheet, table in zip(book.worksheets[1:], tables, strict=True):
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0]) == table.headers
        assert len(rows) == len(table.rows) + 1
        for written, cells in zip(rows[1:], table.rows, strict=True):
            for value, cell in zip(written, cells, strict=True):
                if isinstance(cell, int):
                    assert value == cell
                elif isinstance(cell, Share):
                    assert value == pytest.approx(cell.ratio)
    days = book[tables[0].name]
    assert days["E2"].number_format == "0.0%"
    assert days.freeze_panes == "A2"


def test_sheet_names_are_valid_and_unique() -> None:
    from branchtool.reports.xlsx_writer import sheet_title

    taken: set[str] = set()
    first = sheet_title("a/b:c*d?[e]" + "x" * 40, taken)
    second = sheet_title("a/b:c*d?[e]" + "x" * 40, taken)
    assert len(first) <= 31 and len(second) <= 31 and first != second
    assert not set("[]:*?/\\") & set(first + second)


def test_markdown_keeps_data_as_text() -> None:
    assert markdown.escape("王*五 | 1") == "王\\*五 \\| 1"
    assert markdown.escape("1. 第一") == "1\\. 第一"
    assert markdown.escape("多行\n文本") == "多行 文本"


def test_chinese_numbers_and_dates() -> None:
    assert [text.chinese_numeral(n) for n in (1, 10, 12, 20, 23, 99)] == \
        ["一", "十", "十二", "二十", "二十三", "九十九"]
    assert text.section_title(2, "异常情况") == "二、异常情况"
    assert text.period(dt.date(2026, 11, 14), dt.date(2026, 11, 20)) == "2026年11月14日至20日"
    assert text.period(dt.date(2026, 11, 28), dt.date(2026, 12, 4)) == \
        "2026年11月28日至12月4日"
    assert text.period(dt.date(2026, 12, 28), dt.date(2027, 1, 3)) == \
        "2026年12月28日至2027年1月3日"
    assert text.day_with_weekday(TODAY) == "2026年11月20日（星期五）"
    i18n.set_language("en")
    assert text.section_title(2, "Abnormal cases") == "2. Abnormal cases"
    assert text.period(dt.date(2026, 11, 14), dt.date(2026, 11, 20)) == \
        "2026-11-14 to 2026-11-20"


# -- writing and the command -------------------------------------------------------------------
def test_a_failed_write_leaves_nothing(branch: Session, tmp_path: Path) -> None:
    from tests.storekit import FaultyIO

    faulty = FaultyIO()
    faulty.fail = "replace"
    doc = reports.build(branch, "daily", TODAY)
    with pytest.raises(UserError) as err:
        reports.write(doc, tmp_path / "daily.docx", io=faulty)
    assert err.value.key == "report.write_failed"
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(UserError) as err:
        reports.write(doc, tmp_path / "missing" / "daily.md")
    assert err.value.key == "report.no_folder"
    with pytest.raises(UserError) as err:
        reports.write(doc, tmp_path / "daily.pdf")
    assert err.value.key == "report.unknown_format"


def test_report_command(branch: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                        capsys: pytest.CaptureFixture[str]) -> None:
    from branchtool import demo
    from branchtool.cli import main

    monkeypatch.setenv("BRANCHTOOL_HOME", str(branch.path))
    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", demo.PASSPHRASE)
    branch.lock()
    try:
        out = tmp_path / "日报.docx"
        assert main(["report", "daily", "--date", TODAY.isoformat(), "--out", str(out)]) == 0
        assert str(out) in capsys.readouterr().out
        assert out.read_bytes()[:2] == b"PK"
        md = tmp_path / "care.txt"
        assert main(["report", "care", "--date", TODAY.isoformat(), "--from", "2026-11-10",
                     "--format", "md", "--redaction", "counts", "--out", str(md)]) == 0
        assert md.read_text(encoding="utf-8").startswith("# 帮扶工作情况\n")
        assert "2026年11月10日至20日" in md.read_text(encoding="utf-8")
        assert main(["report", "weekly", "--out", str(tmp_path / "w.pdf")]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and ".docx" in err
        assert main(["report", "care", "--date", "2026-11-01", "--from", "2026-11-10",
                     "--out", str(tmp_path / "c.md")]) == 1
        assert not (tmp_path / "c.md").exists()
    finally:
        branch.clock = lambda: NOON
        branch.unlock(demo.PASSPHRASE)


def test_the_day_summaries_of_a_bundle_equal_the_health_service_s(branch: Session) -> None:
    from branchtool.reports import daily
    from branchtool.reports.days import summaries

    first = branch.health.first_day()
    assert first is not None
    days = [first + dt.timedelta(days=n) for n in range((TODAY - first).days + 1)]
    found = summaries(branch, days)
    for day in days:
        summary, entries = found[day]
        assert summary == branch.health.day_summary(day, contacts=branch.contacts), day
        assert entries == branch.health.day(day)
        assert markdown.render(daily.build(branch, day, summary=summary, entries=entries)) \
            == markdown.render(daily.build(branch, day))

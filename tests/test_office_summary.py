"""The college summary (.xlsx, .md, .docx) and the status the CLI prints."""

from __future__ import annotations

from pathlib import Path

import pytest

from branchtool import i18n
from branchtool.bundles import providers
from branchtool.bundles.kinds import kinds
from branchtool.errors import UserError
from branchtool.office.present import overview_lines
from branchtool.office.service import OfficeService
from tests.officekit import TODAY, Clock, enrol, export, make_branch, make_office

DAY = TODAY.isoformat()


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> OfficeService:
    """Two enrolled branches; A1 reported (one fever), B2 did not."""
    service = make_office(tmp_path / "office", Clock())
    kinds()  # the areas register their providers first; these replace some
    figures = {"days": {DAY: {"expected": 12, "reported": 11, "fever": 1, "symptom": 0,
                              "risk": 0, "observation": 2, "quarantine": 1}}}
    monkeypatch.setitem(providers.FIGURES, "health", lambda s, p: figures)
    monkeypatch.setitem(providers.FIGURES, "alerts", lambda s, p: {"open": 3})
    monkeypatch.setitem(providers.FIGURES, "notices",
                        lambda s, p: {"expected": 10, "confirmed": 7})
    a = make_branch(tmp_path / "a", "A1", "第一党支部", service, people=12, seed=1)
    b = make_branch(tmp_path / "b", "B2", "第二党支部", service, people=5, seed=2)
    enrol(service, a)
    enrol(service, b)
    service.import_paths([export(a, tmp_path / "usb")])
    a.lock()
    b.lock()
    yield service
    service.vault.close()


@pytest.fixture(params=["zh-CN", "en"])
def language(request: pytest.FixtureRequest) -> str:
    before = i18n.language()
    i18n.set_language(request.param)
    yield request.param
    i18n.set_language(before)


def test_xlsx_has_a_sheet_per_topic_and_a_row_per_branch(office: OfficeService,
                                                          tmp_path: Path, language: str) -> None:
    """A title and the day over each table, the header in view and filtered,
    numbers as numbers and rates as percentages, the college's totals, and
    columns wide enough for the names (issue 22, item 14)."""
    from openpyxl import load_workbook

    from branchtool.office.summary_xlsx import HEADER_ROW, width

    path = office.export_summary(tmp_path / "college.xlsx", TODAY)
    book = load_workbook(path)
    assert len(book.sheetnames) == 7
    for sheet in book.worksheets[:6]:
        assert "某学院党委办公室" in sheet["A1"].value and sheet.title in sheet["A1"].value
        assert i18n.format_date(TODAY) in sheet["A2"].value
        codes = [row[0] for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]
        assert codes == ["A1", "B2", None]  # a row per branch, then the college's
        last = sheet.cell(HEADER_ROW, sheet.max_column).column_letter
        assert sheet.auto_filter.ref == f"A{HEADER_ROW}:{last}{HEADER_ROW + 2}"
        assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
        names = [c.value for c in sheet["B"] if isinstance(c.value, str)]
        assert sheet.column_dimensions["B"].width >= max(width(n) for n in names[2:])
    health = book.worksheets[1]
    a1 = [c for c in health[HEADER_ROW + 1]]
    assert [c.value for c in a1][2:6] == [12, 11, pytest.approx(11 / 12), 1]
    assert a1[4].number_format == "0.0%" and isinstance(a1[2].value, int)
    college = [c.value for c in health[HEADER_ROW + 3]]
    assert college[1] == i18n.t("office.summary.college") and college[2:4] == [12, 11]
    assert health.cell(HEADER_ROW + 3, 5).number_format == "0.0%"
    notices = book.worksheets[4]
    headers = [c.value for c in notices[HEADER_ROW]]
    assert i18n.t("office.col.coverage") not in headers  # not a check-in rate
    assert headers[-1] == i18n.t("office.col.notice_coverage")
    assert notices.cell(HEADER_ROW + 1, 5).value == pytest.approx(0.7)


def test_daily_report_markdown_and_docx(office: OfficeService, tmp_path: Path,
                                        language: str) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn

    md = office.export_summary(tmp_path / "daily.md", TODAY).read_text(encoding="utf-8")
    assert md.startswith("# 某学院党委办公室")
    assert ("未报支部：B2" if language == "zh-CN" else "Not reported: B2") in md
    assert "| A1 | 第一党支部 |" in md
    document = Document(str(office.export_summary(tmp_path / "daily.docx", TODAY)))
    paragraphs = [p for p in document.paragraphs if p.text]
    text = "\n".join(p.text for p in paragraphs)
    assert "某学院党委办公室" in text and "B2" in text
    # the red header over a red rule; no Word heading styles
    from branchtool.reports.docx_writer import BODY_FONT, HEADING_FONT, RED, SUBHEADING_FONT

    head = paragraphs[0]
    assert head.text == "某学院党委办公室" and str(head.runs[0].font.color.rgb) == RED
    assert head._element.find(".//" + qn("w:pBdr")) is not None
    assert not any(p.style.name.startswith(("Heading", "Title")) for p in document.paragraphs)

    def east_asian(paragraph) -> str:  # type: ignore[no-untyped-def]
        return paragraph.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia"))

    marks = ("一、", "（一）") if language == "zh-CN" else ("1. ", "(1) ")
    first, second = (next(p for p in paragraphs if p.text.startswith(mark)) for mark in marks)
    assert (east_asian(first), east_asian(second)) == (HEADING_FONT, SUBHEADING_FONT)
    body = next(p for p in paragraphs if "B2" in p.text)
    assert east_asian(body) == BODY_FONT
    # the tables on landscape pages: the header repeated, no row split
    assert [s.orientation for s in document.sections] == [WD_ORIENT.PORTRAIT,
                                                          WD_ORIENT.LANDSCAPE]
    [detail, abnormal] = document.tables
    assert abnormal.rows[0].cells[2].text == i18n.t("office.col.person")
    assert [r.cells[0].text for r in detail.rows[1:]] == ["A1", "B2", ""]
    assert detail.rows[-1].cells[1].text == i18n.t("office.summary.college")
    rows = detail._tbl.findall(qn("w:tr"))
    assert rows[0].find(".//" + qn("w:tblHeader")) is not None
    assert all(r.find(".//" + qn("w:cantSplit")) is not None for r in rows)
    from branchtool.office.summary_docx import ABNORMAL_WIDTHS, DETAIL

    assert sum(mm for _, _, mm in DETAIL) <= 297 - 2 * 22  # fits the landscape page
    assert sum(ABNORMAL_WIDTHS) <= 297 - 2 * 22
    with pytest.raises(UserError):
        office.export_summary(tmp_path / "daily.pdf", TODAY)


def test_status_lines(office: OfficeService, language: str) -> None:
    lines = overview_lines(office.overview(TODAY))
    text = "\n".join(lines)
    if language == "en":
        assert "1 of 2 branches reported" in text
        assert "B2 第二党支部 | #— — | not reported" in text
        assert "Check-ins: 11 of 12 (91.7%), from 1 branches" in text
        assert "Open alerts 3" in text and "notice coverage 70.0%" in text
    else:
        assert "2 个支部中 1 个已报" in text and "未报" in text

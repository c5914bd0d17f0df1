"""The college summary (.xlsx, .md, .docx) and the status the CLI prints."""

from __future__ import annotations

from pathlib import Path

import pytest

from branchtool import i18n
from branchtool.bundles import providers
from branchtool.bundles.scope import kinds
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
    monkeypatch.setitem(providers._FIGURES, "health", lambda s, p: figures)
    monkeypatch.setitem(providers._FIGURES, "alerts", lambda s, p: {"open": 3})
    monkeypatch.setitem(providers._FIGURES, "notices",
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
    from openpyxl import load_workbook

    path = office.export_summary(tmp_path / "college.xlsx", TODAY)
    book = load_workbook(path)
    assert len(book.sheetnames) == 6
    for sheet in book.worksheets:
        codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert codes == ["A1", "B2"]
    health = book.worksheets[1]
    assert [c.value for c in health[2]][2:6] == [12, 11, "91.7%", 1]


def test_daily_report_markdown_and_docx(office: OfficeService, tmp_path: Path,
                                        language: str) -> None:
    from docx import Document

    md = office.export_summary(tmp_path / "daily.md", TODAY).read_text(encoding="utf-8")
    assert md.startswith("# 某学院党委办公室")
    assert ("未报支部：B2" if language == "zh-CN" else "Not reported: B2") in md
    assert "| A1 | 第一党支部 |" in md
    document = Document(str(office.export_summary(tmp_path / "daily.docx", TODAY)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "某学院党委办公室" in text and "B2" in text
    assert len(document.tables) == 6
    assert document.tables[0].rows[1].cells[0].text == "A1"
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

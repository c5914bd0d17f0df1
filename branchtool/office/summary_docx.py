"""The college's daily report as a .docx in an official document's layout
(after GB/T 9704): A4, the office's name as a red header over a red rule,
the title in 小标宋, the body in 仿宋 (三号), headings "一、" in 黑体 and
"（一）" in 楷体, page numbers "— 1 —". The overview comes first, in
sentences; then, on landscape pages, one table with a row per branch and
the named list of the abnormal, their header rows repeated on every page
and no row split across two.
"""

from __future__ import annotations

import io
from typing import Any

from branchtool import i18n
from branchtool.office.summary import COUNT, RATE, Column, Summary, Table, shown
from branchtool.reports.docx_writer import (
    BODY_FONT,
    HEADING_FONT,
    LATIN_FONT,
    RED,
    SUBHEADING_FONT,
    TITLE_FALLBACK,
    TITLE_FONT,
    _font,
    _paragraph,
    _red_rule,
)

# The one table of every branch: (column, kind, width in millimetres)
DETAIL = (("code", "text", 14), ("name", "text", 58), ("arrival", "text", 34),
          ("expected", COUNT, 14), ("reported", COUNT, 14), ("coverage", RATE, 16),
          ("fever", COUNT, 12), ("symptom", COUNT, 13), ("risk", COUNT, 16),
          ("observation", COUNT, 14), ("quarantine", COUNT, 12), ("alerts", COUNT, 14),
          ("changes_last", COUNT, 16))
ABNORMAL_WIDTHS = (16, 62, 30, 22, 56, 64)
TABLE_SIZE = 10.5  # 五号


def _page(section: Any, landscape: bool) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape \
        else (Mm(210), Mm(297))
    if landscape:
        section.top_margin = section.bottom_margin = Mm(20)
        section.left_margin = section.right_margin = Mm(22)
    else:
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)


def _page_numbers(section: Any) -> None:
    """"— 1 —", centred, in the footer."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run("— "), TITLE_FALLBACK, 14)
    run = paragraph.add_run()
    _font(run, TITLE_FALLBACK, 14)
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind:
            node = run._element.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind})
        else:
            node = run._element.makeelement(qn("w:instrText"), {qn("xml:space"): "preserve"})
            node.text = text
        run._element.append(node)
    _font(paragraph.add_run(" —"), TITLE_FALLBACK, 14)


def _numeral(number: int) -> str:
    """一, 二, 三... in Chinese; 1, 2, 3... in English."""
    numerals = i18n.t("office.summary.numerals").split(",")
    return numerals[number - 1] if number <= len(numerals) else str(number)


def _heading(document: Any, number: int, text: str) -> None:
    """一、 in 黑体."""
    _paragraph(document, i18n.t("office.summary.heading", number=_numeral(number), text=text),
               HEADING_FONT, 16, indent=True)


def _subheading(document: Any, number: int, text: str) -> None:
    """（一） in 楷体."""
    _paragraph(document, i18n.t("office.summary.subheading", number=_numeral(number),
                                text=text), SUBHEADING_FONT, 16, indent=True)


def _row_props(row: Any, header: bool) -> None:
    """No row split across pages; the header row again on every page."""
    from docx.oxml.ns import qn

    props = row._tr.get_or_add_trPr()
    props.append(props.makeelement(qn("w:cantSplit"), {}))
    if header:
        props.append(props.makeelement(qn("w:tblHeader"), {}))


def _cell_text(cell: Any, text: str, *, bold: bool = False, center: bool = False) -> None:
    """A cell in 仿宋 五号; the header and the totals in 黑体."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run(text), HEADING_FONT if bold else BODY_FONT, TABLE_SIZE)


def _table(document: Any, columns: list[Column], rows: list[list[Any]],
           widths: tuple[int, ...], totals: list[Any] | None) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Mm

    grid = document.add_table(rows=1, cols=len(columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    header = grid.rows[0]
    _row_props(header, True)
    for cell, column, mm in zip(header.cells, columns, widths, strict=True):
        cell.width = Mm(mm)
        _cell_text(cell, column.header, bold=True, center=True)
    for values in [*rows, *([totals] if totals else [])]:
        row = grid.add_row()
        _row_props(row, False)
        for cell, value, column, mm in zip(row.cells, values, columns, widths, strict=True):
            cell.width = Mm(mm)
            _cell_text(cell, shown(value, column), center=column.kind != "text",
                       bold=values is totals)


def _detail(summary: Summary) -> tuple[list[Column], list[list[Any]], list[Any]]:
    """One row per branch: reporting, check-ins, isolation, alerts, changes."""
    by_key = {t.key: t for t in summary.tables}
    merged: dict[str, dict[str, Any]] = {}
    totals: dict[str, Any] = {}
    for table in (by_key["reporting"], by_key["health"], by_key["isolation"], by_key["work"],
                  by_key["changes"]):
        keys = [c.key for c in table.columns]
        for row in table.rows:
            merged.setdefault(row[0], {}).update(zip(keys, row, strict=True))
        if table.totals:
            for key, value in zip(keys, table.totals, strict=True):
                totals.setdefault(key, value)
    columns = [Column(key, kind) for key, kind, _ in DETAIL]
    rows = [[values.get(c.key) for c in columns] for values in merged.values()]
    return columns, rows, [totals.get(c.key) for c in columns]


def docx_bytes(summary: Summary) -> bytes:
    from docx import Document
    from docx.enum.section import WD_SECTION
    from docx.oxml.ns import qn
    from docx.shared import Pt

    from branchtool.office.summary import fact_groups

    document = Document()
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = LATIN_FONT, Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    document.core_properties.title = summary.title
    section = document.sections[0]
    _page(section, landscape=False)
    _page_numbers(section)
    header = _paragraph(document, summary.office, TITLE_FALLBACK, 26, align="center",
                        bold=True, color=RED, space_after=6)
    _red_rule(header)
    _paragraph(document, " ", BODY_FONT, 16)
    _paragraph(document, i18n.t("office.summary.doc_title"), TITLE_FONT, 22, align="center")
    _paragraph(document, i18n.t("office.summary.doc_date", date=i18n.format_date(summary.day)),
               BODY_FONT, 16, align="center", space_after=12)
    reporting, health = fact_groups(summary.overview)
    _heading(document, 1, i18n.t("office.summary.overview"))
    _subheading(document, 1, i18n.t("office.summary.reporting_heading"))
    for line in reporting:
        _paragraph(document, line, BODY_FONT, 16, indent=True)
    _subheading(document, 2, i18n.t("office.summary.health_heading"))
    for line in health:
        _paragraph(document, line, BODY_FONT, 16, indent=True)
    landscape = document.add_section(WD_SECTION.NEW_PAGE)
    _page(landscape, landscape=True)
    _heading(document, 2, i18n.t("office.summary.branches_heading"))
    columns, rows, totals = _detail(summary)
    _table(document, columns, rows, tuple(mm for _, _, mm in DETAIL), totals)
    abnormal = next(t for t in summary.tables if t.key == "abnormal")
    _paragraph(document, " ", BODY_FONT, 16)
    _heading(document, 3, abnormal.title)
    _abnormal(document, abnormal)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _abnormal(document: Any, table: Table) -> None:
    if table.rows:
        _table(document, table.columns, table.rows, ABNORMAL_WIDTHS, table.totals)
    else:
        _paragraph(document, i18n.t("office.summary.no_abnormal"), BODY_FONT, 16, indent=True)
    if table.note:
        _paragraph(document, table.note, BODY_FONT, 14, indent=True)

"""A document as .docx, laid out the way official Chinese documents are
(after GB/T 9704): A4 with the standard margins; the issuing branch and the
issue number centred over a red rule; the title centred in 小标宋/宋体 二号;
the body in 仿宋 三号 with a two-character first-line indent and fixed 28 pt
lines; first-level headings in 黑体; the branch and the date signed off at the
end, right-aligned. Fonts are set for East Asian text too (``w:eastAsia``),
which is what Word uses for Chinese characters.

python-docx is imported only here, and only when a .docx is written.
"""

from __future__ import annotations

import io
from typing import Any

from branchtool import i18n
from branchtool.reports import text
from branchtool.reports.document import (
    BulletList,
    Document,
    Paragraph,
    Subheading,
    Table,
)

TITLE_FONT = "方正小标宋简体"
TITLE_FALLBACK = "宋体"
BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体"
LATIN_FONT = "Times New Roman"
RED = "C00000"


def _font(run: Any, name: str, size: float, *, bold: bool = False,
          color: str | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = LATIN_FONT if name == BODY_FONT else name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def _paragraph(doc: Any, content: str, font: str, size: float, *, align: str = "justify",
               indent: bool = False, bold: bool = False, color: str | None = None,
               space_after: float = 0) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    para = doc.add_paragraph()
    para.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT,
                      "left": WD_ALIGN_PARAGRAPH.LEFT,
                      "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
    fmt = para.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28 if size >= 14 else 20)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(space_after)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    _font(para.add_run(content), font, size, bold=bold, color=color)
    return para


def _red_rule(para: Any) -> None:
    """A red line under the paragraph (the 版头's separator)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "4"),
                       ("w:color", RED)):
        bottom.set(qn(key), value)
    borders.append(bottom)
    para._p.get_or_add_pPr().append(borders)


def _table(doc: Any, table: Table) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    out = doc.add_table(rows=1 + len(table.rows), cols=len(table.headers))
    out.style = "Table Grid"
    out.alignment = WD_TABLE_ALIGNMENT.CENTER
    for row_index, cells in enumerate([table.headers, *table.rows]):
        for col, value in enumerate(cells):
            cell = out.cell(row_index, col)
            para = cell.paragraphs[0]
            numeric = not isinstance(value, str)
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER if row_index == 0 else (
                WD_ALIGN_PARAGRAPH.RIGHT if numeric else WD_ALIGN_PARAGRAPH.LEFT)
            shown = value if row_index == 0 else text.cell(value)
            _font(para.add_run(str(shown)), BODY_FONT, 12, bold=row_index == 0)
    doc.add_paragraph()


def _setup(doc: Any, title: str) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    doc.core_properties.title = title
    doc.core_properties.language = i18n.language()


def render(document: Document) -> bytes:
    import docx

    doc = docx.Document()
    _setup(doc, document.title)
    _paragraph(doc, document.issuer, TITLE_FALLBACK, 22, align="center", bold=True, color=RED)
    rule = _paragraph(doc, document.number or " ", BODY_FONT, 16, align="center",
                      space_after=12)
    _red_rule(rule)
    _paragraph(doc, document.title, TITLE_FONT, 22, align="center", space_after=6)
    if document.subtitle:
        _paragraph(doc, document.subtitle, SUBHEADING_FONT, 16, align="center",
                   space_after=12)
    for section in document.sections:
        _paragraph(doc, section.title, HEADING_FONT, 16, indent=True)
        for block in section.blocks:
            if isinstance(block, Paragraph):
                _paragraph(doc, block.text, BODY_FONT, 16, indent=True)
            elif isinstance(block, Subheading):
                _paragraph(doc, block.text, SUBHEADING_FONT, 16, indent=True, bold=True)
            elif isinstance(block, BulletList):
                for item in block.items:
                    _paragraph(doc, i18n.t("report.bullet", item=item), BODY_FONT, 16,
                               indent=True)
            elif isinstance(block, Table):
                _paragraph(doc, block.name, HEADING_FONT, 14, align="center")
                _table(doc, block)
    doc.add_paragraph()
    _paragraph(doc, document.issuer, BODY_FONT, 16, align="right")
    _paragraph(doc, text.day(document.date), BODY_FONT, 16, align="right")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()

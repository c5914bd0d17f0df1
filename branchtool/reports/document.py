"""A report as a small document: the official heading, sections of
paragraphs, lists and tables, and the sign-off. The writers (``markdown``,
``docx_writer``, ``xlsx_writer``) render it; the report modules build it.

Text in a document is final, in the current language; table cells may be
numbers (``int``), amounts of money (``Amount``) or shares (``Share``), which
each writer shows its own way (a spreadsheet keeps them numbers).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Amount:
    """Yuan, exact to the fen."""

    value: Decimal


@dataclass(frozen=True)
class Share:
    """``part`` of ``whole`` (a reporting rate, a coverage); whole 0 is 100 %."""

    part: int
    whole: int

    @property
    def ratio(self) -> float:
        return self.part / self.whole if self.whole else 1.0


Cell = str | int | Amount | Share


@dataclass
class Paragraph:
    text: str


@dataclass
class BulletList:
    items: list[str]


@dataclass
class Table:
    """A table; ``name`` names its sheet in a workbook and captions it elsewhere."""

    name: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


@dataclass
class Subheading:
    """A second-level heading inside a section (e.g. one deed's title)."""

    text: str


Block = Paragraph | BulletList | Table | Subheading


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, block: Block) -> Block:
        self.blocks.append(block)
        return block

    def paragraph(self, text: str) -> None:
        self.blocks.append(Paragraph(text))


@dataclass
class Document:
    """One report: heading, sections, sign-off.

    ``issuer`` (the branch) and ``date`` head the document and sign it off at
    the end, the way official documents are; ``number`` is the 文号-style line
    (an issue number), ``subtitle`` a line under the title (the period)."""

    kind: str
    title: str
    issuer: str
    date: dt.date
    number: str = ""
    subtitle: str = ""
    sections: list[Section] = field(default_factory=list)

    def section(self, title: str) -> Section:
        section = Section(title)
        self.sections.append(section)
        return section

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]

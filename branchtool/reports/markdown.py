"""A document as Markdown: what the app previews and ``--format md`` writes.

Every piece of text that came from the data is escaped, so a name with ``*``
or ``|`` in it stays text."""

from __future__ import annotations

import re

from branchtool.reports import text
from branchtool.reports.document import (
    BulletList,
    Document,
    Paragraph,
    Subheading,
    Table,
)

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")
_BULLET = re.compile(r"^(\s*)([-+])(\s)")
_ORDERED = re.compile(r"^(\s*\d+)([.)])(\s)")


def escape(value: str, *, line_start: bool = True) -> str:
    """Text that Markdown shows as itself, on one line; ``line_start``: the
    text begins a line, where "1." or "-" would start a list."""
    flat = _SPECIAL.sub(r"\\\1", " ".join(value.split()))
    if not line_start:
        return flat
    return _ORDERED.sub(r"\1\\\2\3", _BULLET.sub(r"\1\\\2\3", flat))


def _table(table: Table) -> list[str]:
    def row(cells: list[str]) -> str:
        return "| " + " | ".join(cells) + " |"

    numeric = [bool(table.rows) and all(not isinstance(r[i], str) for r in table.rows)
               for i in range(len(table.headers))]
    lines = [row([escape(h, line_start=False) for h in table.headers]),
             row(["---:" if n else "---" for n in numeric])]
    lines += [row([escape(text.cell(c), line_start=False) for c in r]) for r in table.rows]
    return lines


def render(doc: Document) -> str:
    lines = [f"# {escape(doc.title, line_start=False)}", ""]
    if doc.number:
        lines += [escape(doc.number), ""]
    if doc.subtitle:
        lines += [escape(doc.subtitle), ""]
    lines += [f"**{escape(doc.issuer)}**　{escape(text.day(doc.date))}", ""]
    for section in doc.sections:
        lines += [f"## {escape(section.title, line_start=False)}", ""]
        for block in section.blocks:
            if isinstance(block, Paragraph):
                lines += [escape(block.text), ""]
            elif isinstance(block, Subheading):
                lines += [f"### {escape(block.text, line_start=False)}", ""]
            elif isinstance(block, BulletList):
                lines += [f"- {escape(item, line_start=False)}" for item in block.items] + [""]
            elif isinstance(block, Table):
                lines += [*_table(block), ""]
    lines += ["---", "", escape(doc.issuer), "", escape(text.day(doc.date)), ""]
    return "\n".join(lines)

"""What a list shows: its columns, keyed by field, and how each cell's text
is found.

A ``ListView`` names the columns of one list (the roster, the care cases, a
task's list …): each column is a ``FieldDef`` — a stored field of the view's
record definition (its label, width, priority and display come from there)
or a computed column (a name, a label in the catalogs, a width), whose text is
a function of the row declared once, in ``computed`` (``ListView.of`` takes
a ``computed(...)`` column with its text, in its place among the others). A row model (``Row``)
answers ``cell(key)`` by asking its view, so a table reads a cell by its
column's key, never by position, and a column moved or added is one line in
the view.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar, Protocol

from branchtool.records.fields import FieldDef, Kind, RecordDef

Text = Callable[[Any], str]


@dataclass(frozen=True)
class Computed:
    """A column that is not a stored field: its definition (the label is the
    catalog's ``<record>.field.<key>``, a width, a priority) and its text, a
    function of the row — declared together, once."""

    column: FieldDef
    text: Text


def computed(key: str, text: Text, *, width: int, priority: int, record: str,
             kind: Kind = Kind.TEXT) -> Computed:
    return Computed(FieldDef(key, kind, width=width, priority=priority, record=record), text)


class Row(Protocol):
    """A line of a list: an id and a text for each column key."""

    id: str

    def cell(self, key: str) -> str: ...


@dataclass(frozen=True)
class ListView:
    """The columns of a list over ``record`` (``None``: every column is computed)."""

    record: RecordDef | None
    columns: tuple[FieldDef, ...]
    computed: Mapping[str, Text] = field(default_factory=dict)

    @classmethod
    def of(cls, record: RecordDef | None, *columns: str | FieldDef | Computed) -> ListView:
        """A view from its columns in order: a field of ``record`` by key, a
        ``FieldDef`` as it is, a computed column with its text."""
        defs: list[FieldDef] = []
        texts: dict[str, Text] = {}
        for column in columns:
            if isinstance(column, Computed):
                defs.append(column.column)
                texts[column.column.key] = column.text
            elif isinstance(column, str):
                if record is None:
                    raise ValueError(f"column {column!r} names a field of no record")
                defs.append(record.field(column))
            else:
                defs.append(column)
        return cls(record, tuple(defs), texts)

    def __post_init__(self) -> None:
        stored = self.record.by_key if self.record is not None else {}
        for column in self.columns:
            if column.key not in self.computed and column.key not in stored:
                raise ValueError(f"column {column.key!r} is neither a field nor computed")
        for key in self.computed:
            if key not in self.by_key:
                raise ValueError(f"computed column {key!r} is not a column")

    @cached_property
    def by_key(self) -> dict[str, FieldDef]:
        return {c.key: c for c in self.columns}

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)

    def cell(self, row: Any, key: str) -> str:
        """The text of ``row``'s ``key`` column in the current language: the
        computed text, or the stored field (``row.doc``) as its field shows it."""
        text = self.computed.get(key)
        if text is not None:
            return text(row)
        return self.by_key[key].display(row.doc.get(key, ""))

    def texts(self, row: Any) -> dict[str, str]:
        """Every column's text, by key (for exports and tests)."""
        return {c.key: self.cell(row, c.key) for c in self.columns}


class ViewRow:
    """A row model whose cells its class's ``VIEW`` gives (``row.doc`` holds
    the stored fields)."""

    __slots__ = ()
    VIEW: ClassVar[ListView]

    @property
    def view(self) -> ListView:
        """The row's view (a row model shown in two lists keeps its own)."""
        return self.VIEW

    def cell(self, key: str) -> str:
        return self.VIEW.cell(self, key)

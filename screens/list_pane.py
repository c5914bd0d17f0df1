"""One list pane for the sections that are a list: a bar (a search box and
how many are shown), a line of filters, and the table (or tables, one shown
at a time); the rows come from the section's service, each drawn by its
list's view (``branchtool.records.views``).

A section subclasses ``ListPane`` and says only what differs: its ``NAME``
(the pane's id and the prefix of its parts' ids), the search box's
placeholder, its filters (``compose_filters``), its table(s), the rows and
the count line of the current filters (``list_rows``), and what Enter on a
row opens (``open_row``). A pane without a search box (``SEARCH = ""``: the
day sheet, contacts, notices) composes its own header instead
(``compose_header``: a day and its counts, an agenda, a heading) and shows
the count line there (``show_count``); a ``LAZY`` pane is loaded by its
section when first shown, not when mounted. Searching, filtering, keeping the cursor on the
same row, dropping the rows around a lock and the focus are here, once, with
one style sheet. (Textual calls ``on_mount`` and ``on_show`` of every class
of a widget: a section changes ``focus_shown``, not ``on_show``.)

A pane's table mixes in ``ListTable``: its row keys name the pane's methods
(``Binding("e", "row('edit')", …)`` calls ``pane.edit(row_id)`` on the
current row, ``"pane('mark_rest')"`` calls ``pane.mark_rest()``; the pane
is the nearest ``RowOwner`` above), and a read-only session refuses those the
table lists in ``WRITE_ACTIONS``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from rich.cells import cell_len
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Input

from branchtool import i18n
from branchtool.records.fields import FieldDef
from branchtool.records.views import Row
from branchtool.session import Session
from screens.base import LockAware, ReadOnlyGuard, localize_bindings
from screens.plain import Select, Static
from screens.record_table import RecordTable


class Count(Widget):
    """How many are shown: repainted on every keystroke, laid out again only
    when its width changes (a Static's update would lay the whole screen out
    again each time)."""

    DEFAULT_CSS = "Count { width: auto; height: 1; color: $text-muted; padding-left: 2; }"
    text = reactive("")

    def watch_text(self, text: str) -> None:
        floor = self.styles.min_width
        width = max(cell_len(text) + self.styles.gutter.width,
                    int(floor.value) if floor is not None and floor.is_cells else 0)
        if width != self.size.width:
            self.refresh(layout=True)

    def render(self) -> str:
        return self.text


def choice_filter(field: FieldDef, prompt: str, id: str) -> Select:
    """A filter on a choice field: its choices by label, blank (``prompt``,
    a catalog key) for all."""
    return Select([(field.choice_label(code), code) for code in field.choices],
                  prompt=i18n.t(prompt), compact=True, id=id)


class RowOwner:
    """A pane whose table's row keys call its methods (every ``ListPane``)."""


class ListTable(ReadOnlyGuard):
    """The row keys of a list pane's table, mixed in before its table class."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("row", "pane") and parameters:
            action = str(parameters[0])
        return not self.refuses(action)

    @property
    def pane(self) -> Any:
        return next(node for node in self.ancestors  # type: ignore[attr-defined]
                    if isinstance(node, RowOwner))

    def action_row(self, method: str) -> None:
        """The pane's ``method`` on the current row's id."""
        row = self.current  # type: ignore[attr-defined]
        if row is not None:
            getattr(self.pane, method)(row.id)

    def action_pane(self, method: str) -> None:
        """The pane's ``method`` (it reads the current row itself)."""
        getattr(self.pane, method)()


class ListPane(RowOwner, ReadOnlyGuard, Vertical, LockAware):
    NAME: ClassVar[str] = ""  # the pane's id and the prefix of its parts' ids
    # The catalog key of the search box's placeholder; "" for a pane without
    # the bar (it composes its own header: ``compose_header``, ``show_count``).
    SEARCH: ClassVar[str] = ""
    ADDS: ClassVar[bool] = True  # Ctrl+N adds an entry
    # Loaded when mounted; a lazy pane is loaded by its section when first shown.
    LAZY: ClassVar[bool] = False
    DEFAULT_CSS = """
    ListPane { height: 1fr; }
    ListPane > .list-bar, ListPane > .list-filters { height: 1; }
    ListPane > .list-filters { margin-bottom: 1; }
    ListPane .list-search { width: 1fr; }
    ListPane > .list-filters Select { width: 1fr; margin-right: 1; }
    ListPane > RecordTable { height: 1fr; }
    """
    WRITE_ACTIONS = frozenset({"add"})
    BINDINGS: ClassVar[list[BindingType]] = [  # a section binds the same keys to say more
        Binding("ctrl+f", "search", "list.key.search", show=False),
        Binding("ctrl+n", "add", "list.key.add"),
    ]

    class Changed(Message):
        """The pane wrote (the watch section's dashboard recomputes)."""

    def __init__(self, session: Session) -> None:
        super().__init__(id=self.NAME)
        self.session = session
        self.everything = False  # a list of the current ones: all of them (``toggle_all``)
        localize_bindings(self)

    # -- what a section says -------------------------------------------------------------
    def compose_header(self) -> Iterable[Widget]:
        """The lines above the table of a pane without the search bar: by
        default one ``#<NAME>-head`` that ``show_count`` writes (its height is
        the pane's to say)."""
        yield Static(id=f"{self.NAME}-head")

    def compose_filters(self) -> Iterable[Widget]:
        """The widgets of the filters line (none: no line)."""
        return ()

    def compose_tables(self) -> Iterable[RecordTable]:
        raise NotImplementedError

    def list_rows(self) -> tuple[Sequence[Row], str]:
        """The rows the filters select, and the count line."""
        raise NotImplementedError

    def open_row(self, row_id: str) -> None:
        """Enter on a row."""

    def action_add(self) -> None:
        """Ctrl+N: a new entry."""

    @property
    def table(self) -> RecordTable:
        """The table shown (a pane with several shows one at a time)."""
        return self.query_one(RecordTable)

    # -- the parts -----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        if self.SEARCH:
            with Horizontal(id=f"{self.NAME}-bar", classes="list-bar"):
                yield Input(placeholder=i18n.t(self.SEARCH), compact=True,
                            id=f"{self.NAME}-search", classes="list-search")
                yield Count(id=f"{self.NAME}-count")
        else:
            yield from self.compose_header()
        filters = list(self.compose_filters())
        if filters:
            with Horizontal(id=f"{self.NAME}-filters", classes="list-filters"):
                yield from filters
        yield from self.compose_tables()

    @classmethod
    def lacks(cls, action: str) -> bool:
        """A key of every list this one has not: Ctrl+F without the search
        box, Ctrl+N on a list nobody adds to (neither shown nor in F1)."""
        return (action == "search" and not cls.SEARCH) or (action == "add" and not cls.ADDS)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.lacks(action):
            return False
        return super().check_action(action, parameters)

    def on_mount(self) -> None:
        if not self.LAZY:
            self.reload_data()

    def on_show(self) -> None:
        self.focus_shown()

    def focus_shown(self) -> None:
        """The focus when the section is shown: its table."""
        self.table.focus()

    def focus_list(self) -> None:
        self.table.focus()

    @property
    def search_text(self) -> str:
        return self.query_one(f"#{self.NAME}-search", Input).value if self.SEARCH else ""

    def selected(self, selector: str) -> str:
        """A filter's value ("" while blank)."""
        select = self.query_one(selector, Select)
        return "" if select.is_blank() else str(select.value)

    def set_filter(self, selector: str, value: str) -> None:
        self.query_one(selector, Select).value = value

    def show_count(self, text: str) -> None:
        """The count line ("" at a lock): beside the search box, else the header."""
        if self.SEARCH:
            self.query_one(f"#{self.NAME}-count", Count).text = text
        else:
            self.query_one(f"#{self.NAME}-head", Static).update(text)

    def changed(self, keep: str | None = None) -> None:
        """After a write: the rows again, and the section told."""
        self.reload_data(keep)
        self.post_message(self.Changed())

    def action_toggle_all(self) -> None:
        """The current ones or all (a pane that binds it)."""
        self.everything = not self.everything
        self.reload_data()

    # -- the rows ------------------------------------------------------------------------
    def show_rows(self, keep: str | None = None) -> None:
        """The rows of the filters; the cursor stays on ``keep`` if given, else
        on the row it was on."""
        if not self.session.unlocked:
            return
        table = self.table
        current = table.current
        rows, count = self.list_rows()
        table.set_rows(rows, keep=keep or (current.id if current else None))
        self.show_count(count)

    def reload_data(self, keep: str | None = None) -> None:
        self.show_rows(keep)

    def forget_data(self) -> None:
        for table in self.query(RecordTable):
            table.set_rows([])
        self.show_count("")

    @on(Input.Changed, ".list-search")
    @on(Select.Changed, ".list-filters Select")
    def _filters_changed(self) -> None:
        self.show_rows()

    @on(Input.Submitted, ".list-search")
    def action_to_table(self) -> None:
        self.table.focus()

    @on(RecordTable.Opened)
    def _opened(self, event: RecordTable.Opened) -> None:
        self.open_row(event.row_id)

    def action_search(self) -> None:
        if self.SEARCH:
            self.query_one(f"#{self.NAME}-search", Input).focus()

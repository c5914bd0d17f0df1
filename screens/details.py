"""One record on a screen of its own: the detail screens (a person, a task, a
care case, a close contact, a notice) are one ``DetailScreen`` each
configured by a ``DetailView``.

A view says how to find the record by id, its title line, which fields of
the record definition show as "label  value" lines (with the values some
fields compute — a person's name for an id, a notice's title), the sections
under them (a task's assignees and progress log, a contact's observation
period), and the actions on it (key, action, label, whether it writes: a
read-only session hides and refuses those; Escape closes, always last). The
screen composes the box, the title, the fields and the sections in a scroll,
whatever the subclass adds below (a table of visits, of follow-ups, of the
audience), and the footer; it reloads everything after each change, drops it
at a lock (``forget_data``), closes when the record is gone, and offers only
Escape while there is none. A subclass is its actions' methods; ``run`` does
a step and says its error in one sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen

from branchtool import i18n
from branchtool.errors import KeyedError, describe
from branchtool.records.fields import InvalidRecord, RecordDef
from branchtool.session import Session
from screens.base import LockAware, ReadOnlyGuard, localize_bindings
from screens.plain import Footer, Static

Doc = dict[str, Any]
# A computed field value: (session, the stored value) -> the text shown.
Shown = Callable[[Session, str], str]
# A section under the fields: (the screen, the record) -> what it shows.
Section = Callable[[Any, Doc], RenderableType]


@dataclass(frozen=True)
class Act:
    """An action on the record: its key, the screen's action (``"quick('w')"``
    runs ``action_quick('w')``), the label's catalog key, whether it changes
    data, whether the footer shows it (F1 always does)."""

    key: str
    action: str
    label: str
    writes: bool = False
    show: bool = True

    def binding(self) -> Binding:
        return Binding(self.key, self.action, self.label, show=self.show)


CLOSE = Act("escape", "close", "dialog.key.close")  # every detail screen's last key


@dataclass(frozen=True)
class DetailView:
    """What a detail screen shows of one record type."""

    record: RecordDef
    get: Callable[[Session, str], Doc | None]  # the record by id, None once gone
    title: Callable[[Session, Doc], RenderableType]
    fields: tuple[str, ...] = ()  # keys of ``record``'s fields, in the order shown
    shown: Mapping[str, Shown] = field(default_factory=dict)
    sections: Mapping[str, Section] = field(default_factory=dict)  # widget id -> section
    actions: tuple[Act, ...] = ()  # in the footer's order; Escape closes after them

    def __post_init__(self) -> None:
        for key in (*self.fields, *self.shown):
            self.record.field(key)  # a KeyError names a field the definition lacks

    def lines(self, session: Session, doc: Doc) -> list[tuple[str, str]]:
        """(label, value) of each field shown, "—" for an empty value."""
        out = []
        for key in self.fields:
            fdef = self.record.field(key)
            value = doc.get(key, "")
            text = self.shown[key](session, value) if key in self.shown else fdef.display(value)
            out.append((fdef.label, text or "—"))
        return out


def grid(lines: list[tuple[str, str]]) -> Table:
    """Labels dimmed in one column, values folded (never cut) in the other."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim", no_wrap=True)
    table.add_column(overflow="fold")
    for label, value in lines:
        table.add_row(label, value)
    return table


def titled(title: str, body: RenderableType) -> Table:
    """A section: its bold heading over its body."""
    outer = Table.grid()
    outer.add_column()
    outer.add_row(Text(title, style="bold"))
    outer.add_row(body)
    return outer


class DetailScreen(ReadOnlyGuard, ModalScreen[None], LockAware):
    """One record of ``VIEW``; subclasses add the actions' methods and ``compose_more``."""

    VIEW: ClassVar[DetailView]
    CSS_PATH = "details.tcss"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        view = cls.__dict__.get("VIEW")
        if view is not None:  # before Textual merges the bindings
            cls.BINDINGS = [a.binding() for a in (*view.actions, CLOSE)]
            cls.WRITE_ACTIONS = frozenset(a.action.split("(")[0] for a in view.actions
                                          if a.writes)
        super().__init_subclass__(**kwargs)

    def __init__(self, session: Session, record_id: str, *,
                 changed: Callable[..., None] = lambda *_: None) -> None:
        super().__init__()
        self.session = session
        self.record_id = record_id
        self.changed = changed
        self.shown: list[tuple[str, str]] = []  # (label, value) as on screen
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(id="detail-box"):
            yield Static(id="detail-title")
            with VerticalScroll(id="detail-scroll"):
                if self.VIEW.fields:
                    yield Static(id="detail-fields")
                for section_id in self.VIEW.sections:
                    yield Static(id=section_id, classes="detail-section")
            yield from self.compose_more()
            yield Footer(compact=True)

    def compose_more(self) -> ComposeResult:
        """Widgets under the fields (a table of the record's visits...)."""
        yield from ()

    def on_mount(self) -> None:
        self.reload_data()

    @property
    def doc(self) -> Doc | None:
        """The record as stored now; None when gone or while locked."""
        if not self.session.unlocked:
            return None
        return self.VIEW.get(self.session, self.record_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.refuses(action):
            return False
        doc = self.doc
        if doc is None:
            return action == "close"
        return self.allows(action, doc)

    def allows(self, action: str, doc: Doc) -> bool | None:
        """Whether ``action`` applies to ``doc`` now (None: shown disabled)."""
        return True

    def reload_data(self) -> None:
        if not self.session.unlocked:
            return
        doc = self.doc
        if doc is None:  # deleted meanwhile
            self.dismiss(None)
            return
        view = self.VIEW
        self.query_one("#detail-title", Static).update(view.title(self.session, doc))
        if view.fields:
            self.shown = view.lines(self.session, doc)
            self.query_one("#detail-fields", Static).update(grid(self.shown))
        for section_id, section in view.sections.items():
            self.query_one(f"#{section_id}", Static).update(section(self, doc))
        self.show_more(doc)
        self.refresh_bindings()

    def show_more(self, doc: Doc) -> None:
        """Fill what ``compose_more`` added."""

    def forget_data(self) -> None:
        self.shown = []
        self.query_one("#detail-title", Static).update("")
        for static in self.query(".detail-section").results(Static):
            static.update("")
        if self.VIEW.fields:
            self.query_one("#detail-fields", Static).update(i18n.t("app.locked"))

    def after(self, message: str) -> None:
        """A change was made: show it, tell the list, say so."""
        self.reload_data()
        self.changed()
        self.notify(message)

    def run(self, step: Callable[[], object], message: str = "") -> bool:
        """Do ``step``; its error is one sentence, else ``after(message)``."""
        try:
            step()
        except InvalidRecord as exc:
            self.notify(exc.message(), severity="error")
            return False
        except KeyedError as exc:
            self.notify(describe(exc), severity="error")
            return False
        if message:
            self.after(message)
        else:
            self.reload_data()
        return True

    def action_close(self) -> None:
        self.dismiss(None)

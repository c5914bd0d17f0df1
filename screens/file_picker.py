"""The one file dialog: open a file, save a file, or choose a folder.

Built on textual-fspicker's directory list. On the left the places: the last
folder used, the stick folder (set in the Send section), home, and every
drive or mounted volume (``storage.places``: E:\\ on Windows, /media/… on
Linux, /Volumes/… on macOS), so a secretary can go up to her USB stick from
anywhere. Below, the path as text: typed or pasted (Explorer's "Copy as path"
quotes are stripped), completed as she types. A folder that cannot be written
says why and keeps what was typed. The folder chosen starts the next dialog.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input
from textual.widgets.option_list import Option
from textual_fspicker.parts import DirectoryNavigation
from textual_fspicker.suggest_path import SuggestPath

from branchtool import i18n
from branchtool.services.folders import drives_and_mounts, writable_problem
from screens.base import localize_bindings
from screens.confirm import ConfirmScreen
from screens.plain import Footer, OptionList, Static

QUOTES = "\"'“”‘’"


class Mode(StrEnum):
    OPEN = "open"  # an existing file
    SAVE = "save"  # a file to write (its folder must take it)
    FOLDER = "folder"  # an existing folder that can be written
    EXISTING = "existing"  # an existing file or folder (read from)


def clean_path(text: str) -> Path | None:
    """A typed or pasted path: spaces and the quotes of Explorer's "Copy as
    path" taken off, ``~`` expanded; ``None`` if nothing is left."""
    text = text.strip()
    while len(text) >= 2 and text[0] in QUOTES and text[-1] in QUOTES:
        text = text[1:-1].strip()
    text = text.strip(QUOTES).strip()
    if not text:
        return None
    return Path(text).expanduser()


def session_folders(app: object) -> object | None:
    """The unlocked session's folder memory, if the app has one."""
    session = getattr(app, "session", None)
    if session is None or not getattr(session, "unlocked", False):
        return None
    try:
        return session.folders
    except Exception:
        return None


def default_folder(app: object) -> Path:
    """Where a file is written by default: the stick folder, else the last
    folder used (never the current directory)."""
    folders = session_folders(app)
    return folders.default_folder() if folders is not None else Path.home()  # type: ignore[attr-defined]


def save_problem(path: Path) -> str | None:
    """Why a file cannot be written at ``path`` (its folder), in one sentence."""
    reason = writable_problem(path.parent)
    return None if reason is None else i18n.t(f"picker.problem.{reason}",
                                              folder=str(path.parent), path=str(path.parent))


def _safe_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


class QuotedSuggestPath(SuggestPath):
    """Completion that also works after the quote a pasted path begins with."""

    async def get_suggestion(self, value: str) -> str | None:
        quote = value[:1] if value[:1] in QUOTES else ""
        suggestion = await super().get_suggestion(value[len(quote):])
        return quote + suggestion if suggestion else suggestion


class PlaceOption(Option):
    def __init__(self, path: Path, label: str) -> None:
        super().__init__(Content(label))  # a volume's name is not markup
        self.path = path


class FilePicker(ModalScreen[Path | None]):
    CSS_PATH = "file_picker.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "dialog.key.cancel"),
        Binding("ctrl+up", "up", "picker.key.up"),
    ]

    def __init__(self, title: str, *, mode: Mode = Mode.OPEN, start: Path | None = None,
                 name: str = "", ok: str = "", note: str = "",
                 suffixes: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.title_text = title
        self.mode = mode
        self.start = start
        self.file_name = name
        self.ok = ok or i18n.t(f"picker.ok.{mode}")
        self.note = note
        self.suffixes = tuple(s.lower() for s in suffixes)
        localize_bindings(self)

    # -- layout ------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        start = self._start_folder()
        with Vertical(classes="fp-box"):
            yield Static(Content(self.title_text), classes="fp-title")
            if self.note:
                yield Static(Content(self.note), classes="fp-note path-note")
            yield Static(id="fp-where")
            with Horizontal(classes="fp-panes"):
                yield OptionList(*self._places(), id="fp-places")
                listing = DirectoryNavigation(start)
                listing.id = "fp-dir"
                yield listing
            yield Static(i18n.t("picker.path"), classes="fp-label")
            initial = "" if self.mode is Mode.OPEN else str(
                start / self.file_name if self.file_name else start)
            yield Input(initial, id="path-input", suggester=QuotedSuggestPath(root=start),
                        placeholder=i18n.t(f"picker.placeholder.{self.mode}"), compact=True)
            yield Static(id="path-message")
            with Horizontal(classes="fp-buttons"):
                yield Button(self.ok, variant="primary", id="path-ok")
                yield Button(i18n.t("dialog.cancel"), id="path-cancel")
            yield Footer(compact=True)

    def _start_folder(self) -> Path:
        if self.start is not None:
            folder = self.start if _safe_dir(self.start) else self.start.parent
            if _safe_dir(folder):
                return folder
        folders = session_folders(self.app)
        if folders is not None:
            return folders.start()  # type: ignore[attr-defined]
        return Path.home()

    def _places(self) -> list[PlaceOption]:
        options: list[PlaceOption] = []
        seen: set[Path] = set()

        def add(path: Path | None, label: str) -> None:
            if path is not None and path not in seen and _safe_dir(path):
                seen.add(path)
                options.append(PlaceOption(path, label))

        folders = session_folders(self.app)
        if folders is not None:
            last, stick = folders.last, folders.stick  # type: ignore[attr-defined]
            add(stick, i18n.t("picker.place.stick", name=stick.name or str(stick))
                if stick else "")
            add(last, i18n.t("picker.place.last", name=last.name or str(last)) if last else "")
        add(Path.home(), i18n.t("picker.place.home"))
        for place in drives_and_mounts():
            add(place.path, i18n.t("picker.place.removable" if place.removable
                                   else "picker.place.drive", name=place.name))
        return options

    def on_mount(self) -> None:
        self._show_where()
        field = self.query_one("#path-input", Input)
        field.focus()
        field.cursor_position = len(field.value)

    # -- the list ----------------------------------------------------------------------
    @property
    def navigation(self) -> DirectoryNavigation:
        return self.query_one("#fp-dir", DirectoryNavigation)

    @on(OptionList.OptionSelected, "#fp-places")
    def _place(self, event: OptionList.OptionSelected) -> None:
        option = event.option
        if isinstance(option, PlaceOption):
            self.go(option.path)
            self.navigation.focus()

    def go(self, folder: Path) -> None:
        """Show ``folder`` in the list and in the path (the file name kept)."""
        self.navigation.location = folder

    @on(DirectoryNavigation.Changed)
    def _moved(self, event: DirectoryNavigation.Changed) -> None:
        event.stop()
        location = self.navigation.location
        self._show_where()
        field = self.query_one("#path-input", Input)
        suggester = field.suggester
        if isinstance(suggester, SuggestPath):
            suggester.root = location
        if self.mode is Mode.SAVE:
            name = clean_path(field.value)
            field.value = str(location / (name.name if name is not None and not
                                          _safe_dir(name) else self.file_name))
        elif self.mode is Mode.FOLDER:
            field.value = str(location)
        self._say("")

    def _show_where(self) -> None:
        self.query_one("#fp-where", Static).update(
            Content(i18n.t("picker.where", folder=str(self.navigation.location))))

    @on(DirectoryNavigation.Selected)
    def _selected(self, event: DirectoryNavigation.Selected) -> None:
        event.stop()
        field = self.query_one("#path-input", Input)
        field.value = str(event.path)
        if self.mode in (Mode.OPEN, Mode.EXISTING):
            self._ok()
        else:
            field.focus()

    @on(DirectoryNavigation.PermissionError)
    def _denied(self, event: DirectoryNavigation.PermissionError) -> None:
        event.stop()
        self._say(i18n.t("picker.problem.denied", folder=str(event.path)))

    def action_up(self) -> None:
        self.go(self.navigation.location.parent)

    # -- accepting ---------------------------------------------------------------------
    @on(Input.Submitted, "#path-input")
    @on(Button.Pressed, "#path-ok")
    def _ok(self) -> None:
        path = clean_path(self.query_one("#path-input", Input).value)
        if path is None:
            self._say(i18n.t("export_ui.path.empty"))
            return
        if not path.is_absolute():
            path = self.navigation.location / path
        if self.mode in (Mode.OPEN, Mode.SAVE) and _safe_dir(path):
            self.go(path)  # a folder typed: go there, as a dialog does
            if self.mode is Mode.OPEN:
                self.query_one("#path-input", Input).value = ""
                self.navigation.focus()  # the arrows pick the file
            return
        problem = self.problem(path)
        if problem is not None:
            self._say(problem)  # what was typed stays
            return
        if self.mode is Mode.SAVE and path.exists():
            question = ConfirmScreen(i18n.t("export_ui.path.overwrite", name=path.name),
                                     yes=i18n.t("export_ui.path.replace"),
                                     no=i18n.t("dialog.cancel"))
            self.app.push_screen(question, lambda yes: self._done(path) if yes else None)
            return
        self._done(path)

    def problem(self, path: Path) -> str | None:
        """Why ``path`` will not do, in one sentence, or ``None``."""
        try:
            exists = path.exists()
        except OSError:
            exists = False
        if self.mode is Mode.OPEN:
            if not exists or _safe_dir(path):
                return i18n.t("picker.problem.no_file", name=path.name)
            if self.suffixes and path.suffix.lower() not in self.suffixes:
                return i18n.t("picker.problem.suffix", name=path.name,
                              suffixes=i18n.t("list.separator").join(self.suffixes))
            return None
        if self.mode is Mode.EXISTING:
            return None if exists else i18n.t("picker.problem.missing", path=str(path))
        return save_problem(path / "_" if self.mode is Mode.FOLDER else path)

    def _done(self, path: Path) -> None:
        folders = session_folders(self.app)
        if folders is not None:
            folders.remember(path)  # type: ignore[attr-defined]
        self.dismiss(path)

    def _say(self, text: str) -> None:
        self.query_one("#path-message", Static).update(Content(text))

    @on(Button.Pressed, "#path-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

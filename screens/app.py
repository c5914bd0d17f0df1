"""The Textual app: wires the session to the screens, and owns what is
app-wide — locking (Ctrl+L and when idle), help, the command palette, themes
and settings. The rules live in the services (``branchtool``), which know
nothing of it; the command line starts it through ``screens.launcher``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from textual import events
from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import WorkerState

import screens
from branchtool import i18n
from branchtool.errors import KeyedError, StoredDataError, UserError, as_user_error
from branchtool.idle import IdleTimer
from branchtool.platform_checks import startup_warnings
from branchtool.session import THEMES, Session, UiSettings
from branchtool.shown import shown
from screens.ascii_mode import redraw, set_ascii_borders
from screens.base import LockAware, localize_bindings, localize_builtin
from screens.commands import Palette, PaletteCommand, ScreenCommands
from screens.create_vault import CreateVaultScreen
from screens.failures import WorkFailed, settle
from screens.help import HelpScreen, key_groups
from screens.main import MainScreen
from screens.member_page import open_person_page
from screens.navigation import OpenPersonPage
from screens.office_main import OfficeMainScreen, is_office, main_screen_for
from screens.plain import ControlFilter
from screens.settings import SettingsScreen
from screens.unlock import UnlockScreen
from screens.win32_input import keep_ime_characters

_ACTIVITY = (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)


def stylesheets() -> list[Path]:
    """The app's stylesheet, then every screen's: all parsed once at start
    (before the unlock screen, while the passphrase is typed). Textual would
    otherwise read a screen's sheet the first time one is pushed, and parse
    and re-apply the whole stylesheet then: 90 ms on opening the person page
    the first time (bench/person_page.py)."""
    folder = Path(screens.__file__).parent
    return [folder / "app.tcss",
            *sorted(path for path in folder.glob("*.tcss") if path.name != "app.tcss")]


class BranchApp(App[None]):
    CSS_PATH = stylesheets()
    COMMANDS: ClassVar = {ScreenCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+l", "lock", "app.key.lock", priority=True),
        # Priority: a dialog (a modal screen) stops the app's other keys.
        Binding("f1", "help", "app.key.help", priority=True),
        Binding("ctrl+p", "command_palette", "app.key.palette", priority=True, show=False),
        Binding("ctrl+q", "quit", "app.key.quit", priority=True, show=False),
        Binding("ctrl+t", "toggle_theme", "app.key.theme", show=False),
        Binding("f9", "settings", "app.key.settings", show=False),
    ]

    def __init__(self, session: Session, *, idle_seconds: float | None = None,
                 today: Callable[[], dt.date] = dt.date.today,
                 clock: Callable[[], float] = time.monotonic,
                 demo_passphrase: str = "") -> None:
        super().__init__()
        self.session = session
        self.today = today
        self.demo_passphrase = demo_passphrase
        self.settings = session.settings()
        self.fixed_idle = idle_seconds is not None
        self.idle = IdleTimer(idle_seconds if idle_seconds is not None
                              else self.settings.idle_minutes * 60, clock)
        self.title = i18n.t("app.title")
        self.theme = self.settings.theme
        self._filters.append(ControlFilter())  # no control character reaches the terminal
        set_ascii_borders(self.settings.borders == "ascii")
        keep_ime_characters()  # Windows: Shift punctuation from a Chinese input method
        localize_bindings(self)
        self.unexpected_failures: list[str] = []  # a bug's type and line, never its message

    # -- start ---------------------------------------------------------------------------
    def on_mount(self) -> None:
        self.set_interval(self.idle.check_every, self.lock_if_idle)
        for warning in startup_warnings(self.session.path):  # Store Python, OneDrive, conhost
            self.notify(warning, severity="warning", timeout=30)
        if self.session.unlocked:
            self.show_main()
        elif self.session.exists():
            self.push_screen(UnlockScreen(self.session, demo_passphrase=self.demo_passphrase),
                             self._unlocked)
        else:
            self.push_screen(CreateVaultScreen(self.session), lambda _: self.show_main())

    def _unlocked(self, notices: list[str] | None) -> None:
        self._notify_all(notices)
        self.show_main()

    def show_main(self) -> None:
        self._read_unlocked_settings()
        self.idle.touch()
        self.title = self._title()
        self.push_screen(main_screen_for(self.session, self.today))

    def _read_unlocked_settings(self) -> None:
        """The idle minutes are an encrypted setting: known once unlocked."""
        self.settings = self.session.settings()
        if not self.fixed_idle:
            self.idle.seconds = self.settings.idle_minutes * 60

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Notifications quote file names and what people typed: never markup,
        control characters spelled out (``branchtool.shown``)."""
        super().notify(shown(message, lines=True), title=shown(title), severity=severity,
                       timeout=timeout, markup=False)

    def _title(self) -> str:
        return i18n.t("app.title.office" if is_office(self.session) else "app.title")

    def _notify_all(self, notices: list[str] | None) -> None:
        for notice in notices or []:
            self.notify(notice, severity="warning", timeout=10)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Textual's own widgets (a drop-down's list) get their keys' words
        from the catalogs too, so the footer never speaks English in Chinese."""
        if localize_builtin(event.widget):
            self.refresh_bindings()

    # -- locking -------------------------------------------------------------------------
    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, _ACTIVITY):
            self.idle.touch()
        await super().on_event(event)

    @property
    def writing(self) -> bool:
        """A worker (unlock, import, export) is still running."""
        return any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in self.workers)

    def lock_if_idle(self) -> None:
        if self.session.unlocked and self.idle.expired() and not self.writing:
            self.lock()

    def action_lock(self) -> None:
        if self.writing:
            self.notify(i18n.t("app.lock.after_work"))
            self.set_timer(0.2, self.action_lock)
            return
        self.lock()

    def lock(self, problem: UserError | None = None) -> None:
        """Hide everything behind the unlock screen, drop the decrypted data the
        screens show and close the vault (its keys go with it). Forms stay on
        the stack underneath, their unsaved input intact. ``problem``: why it
        locked by itself (a file found damaged), said on the unlock screen."""
        if not self.session.unlocked:
            return
        while isinstance(self.screen, CommandPalette | HelpScreen):
            self.pop_screen()
        for screen in self.screen_stack:
            if isinstance(screen, LockAware):
                screen.forget_data()
        try:
            self.session.lock()
        except (KeyedError, OSError):
            pass  # the vault is closed either way; what was saved stays saved
        self.clear_notifications()
        self.push_screen(UnlockScreen(self.session, demo_passphrase=self.demo_passphrase,
                                      locked=True, problem=problem), self._relocked)

    # -- between screens ---------------------------------------------------------------------
    def on_open_person_page(self, message: OpenPersonPage) -> None:
        """A list asks for a person's page (``screens.navigation``)."""
        open_person_page(self, message.session, message.person_id, changed=message.changed)

    # -- errors --------------------------------------------------------------------------
    def on_work_failed(self, message: WorkFailed) -> None:
        """Every failed worker of every screen (``screens.failures``): one
        sentence, the screen left usable; a damaged file locks the vault."""
        failure = settle(self, message, unlocked=self.session.unlocked)
        if failure.error is None:
            self.unexpected_failures.append(failure.where)
        elif failure.corrupt and self.session.unlocked:
            self.lock(failure.error)

    def _handle_exception(self, error: Exception) -> None:
        """An error a user can cause that a screen's own handler let through
        is no crash. A file found damaged while working (a month loaded for
        the first time): the app locks, names the file and offers the last
        backup on the unlock screen. Any other (a full disk, a file held by
        another program): one sentence, the screen left as it was. Anything
        else ends the app as Textual does, without printing the data the
        traceback would hold."""
        problem = _user_error(error)
        if problem is not None and self.session.unlocked:
            if isinstance(problem, StoredDataError) and problem.corrupt:
                self.call_later(self.lock, problem)
            else:
                self.notify(problem.message(), severity="error")
            return
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        """Textual would print a traceback with its local variables (decrypted
        records among them): one sentence instead, and the exception's type."""
        from rich.text import Text

        kind = type(self._exception).__name__ if self._exception is not None else "Exception"
        self.bell()
        self._exit_renderables.append(Text(i18n.t("cli.error_prefix", message=i18n.t(
            "cli.unexpected", kind=kind))))
        self._close_messages_no_wait()

    def _relocked(self, notices: list[str] | None) -> None:
        self._read_unlocked_settings()
        self.idle.touch()
        for screen in self.screen_stack:
            if isinstance(screen, LockAware):
                screen.reload_data()
        self._notify_all(notices)

    # -- help, palette, theme, settings -----------------------------------------------------
    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
        else:
            self.push_screen(HelpScreen(key_groups(self.screen)))

    def action_command_palette(self) -> None:
        if CommandPalette.is_open(self):
            return
        build = getattr(self.screen, "build_sections", None)
        if build is not None and self.session.unlocked:
            build()  # every section's commands, not only the one shown
            self.call_after_refresh(self._open_palette)
        else:
            self._open_palette()

    def _open_palette(self) -> None:
        if not CommandPalette.is_open(self):
            self.push_screen(Palette())

    def palette_commands(self, screen: Screen[object]) -> list[PaletteCommand]:
        """The app's commands plus those of ``screen`` (Ctrl+P)."""
        t = i18n.t
        commands: list[PaletteCommand] = []
        if self.session.unlocked:
            commands.extend(getattr(screen, "palette_commands", list)())
            commands.append(PaletteCommand(t("app.cmd.lock"), t("app.cmd.lock_help"),
                                           self.action_lock))
            commands.append(PaletteCommand(t("app.cmd.settings"), t("app.cmd.settings_help"),
                                           self.action_settings))
        commands += [
            PaletteCommand(t("app.cmd.help"), t("app.cmd.help_help"), self.action_help),
            PaletteCommand(t("app.cmd.theme"), t("app.cmd.theme_help"), self.action_toggle_theme),
            PaletteCommand(t("app.cmd.quit"), t("app.cmd.quit_help"), self.action_quit),
        ]
        return commands

    def action_toggle_theme(self) -> None:
        self.theme = THEMES[(THEMES.index(self.theme) + 1) % len(THEMES)] \
            if self.theme in THEMES else THEMES[0]
        if self.session.unlocked:
            self._save_settings(dataclasses.replace(self.settings, theme=self.theme))

    def action_settings(self) -> None:
        if self.session.unlocked and not isinstance(self.screen, SettingsScreen):
            self.push_screen(SettingsScreen(self.settings), self._settings_chosen)

    def _settings_chosen(self, settings: UiSettings | None) -> None:
        if settings is None:
            return
        if settings.borders != self.settings.borders:
            set_ascii_borders(settings.borders == "ascii")
            redraw(self)  # every widget draws again, with the new characters
        self._save_settings(settings)
        self.theme = settings.theme
        if not self.fixed_idle:
            self.idle.seconds = settings.idle_minutes * 60
        if settings.language != i18n.language():
            i18n.set_language(settings.language)
            localize_bindings(self)
            self.title = self._title()
            if isinstance(self.screen, MainScreen | OfficeMainScreen):
                self.switch_screen(main_screen_for(self.session, self.today))
        self.notify(i18n.t("settings.saved"))

    def _save_settings(self, settings: UiSettings) -> None:
        self.settings = settings
        self.session.save_settings(settings)

    async def action_quit(self) -> None:
        self.session.lock()
        self.exit()


def _user_error(error: BaseException) -> UserError | None:
    """The error a user can be told about behind ``error`` (a worker's
    failure wraps it), as a ``UserError``; ``None`` for a programming error."""
    from textual.worker import WorkerFailed

    seen = 0
    while isinstance(error, WorkerFailed) and seen < 5:
        error, seen = error.error, seen + 1
    return as_user_error(error) if isinstance(error, KeyedError) else None

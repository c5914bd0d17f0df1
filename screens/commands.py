"""The command palette (Ctrl+P): the app's commands plus those of the screen
it was opened on, matched on the title or its pinyin initials."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import NamedTuple

from rich.align import Align
from rich.text import Text
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.widgets.option_list import Option

from branchtool import i18n, pinyin


class PaletteCommand(NamedTuple):
    title: str
    help: str
    callback: Callable[[], object]
    writes: bool = False  # left out where the data is read-only


class ScreenCommands(Provider):
    """Asks the app for its commands on the screen the palette was opened on."""

    def _commands(self) -> list[PaletteCommand]:
        return list(self.app.palette_commands(self.screen))  # type: ignore[attr-defined]

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(command.title, command.callback, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.title)
            display: str | Text = matcher.highlight(command.title) if score else command.title
            if not score:
                # Typing the pinyin initials (drhmc for 导入花名册) finds a command too.
                score = max(matcher.match(pinyin.initials(command.title, surname=False)),
                            matcher.match(pinyin.spelled(command.title, surname=False))) * 0.9
            if score > 0:
                yield Hit(score, display, partial(command.callback), help=command.help)


class Palette(CommandPalette):
    """Textual's palette with its texts from the catalogs."""

    def __init__(self) -> None:
        super().__init__(placeholder=i18n.t("palette.placeholder"), id="--command-palette")

    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one("CommandList").add_option(Option(
                    Align.center(Text(i18n.t("palette.no_matches"), style="not bold")),
                    disabled=True, id=self._NO_MATCHES))
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)

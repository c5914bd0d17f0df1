"""Pick a folder (a USB stick) or a bundle file from a tree of the disk."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DirectoryTree

from branchtool import i18n
from screens.base import localize_bindings
from screens.plain import Static


class PickScreen(ModalScreen[Path | None]):
    """Enter on a file picks it; "Use this folder" picks the folder under the cursor."""

    DEFAULT_CSS = """
    PickScreen { align: center middle; }
    PickScreen > Vertical {
        width: 80; max-width: 100%; height: 80%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    PickScreen DirectoryTree { height: 1fr; }
    PickScreen Horizontal { height: 1; }
    PickScreen Button { height: 1; border: none; min-width: 8; margin-right: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "dialog.key.cancel"),
        Binding("ctrl+u", "use_folder", "office_ui.pick.use_folder"),
    ]

    def __init__(self, start: Path) -> None:
        super().__init__()
        self.start = start
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(i18n.t("office_ui.pick.title"))
            yield DirectoryTree(self.start, id="pick-tree")
            with Horizontal():
                yield Button(i18n.t("office_ui.pick.use_folder"), variant="primary",
                             id="pick-folder")
                yield Button(i18n.t("dialog.cancel"), id="pick-cancel")

    def on_mount(self) -> None:
        self.query_one(DirectoryTree).focus()

    @on(DirectoryTree.FileSelected)
    def _file(self, event: DirectoryTree.FileSelected) -> None:
        self.dismiss(Path(event.path))

    @on(Button.Pressed, "#pick-folder")
    def action_use_folder(self) -> None:
        tree = self.query_one(DirectoryTree)
        node = tree.cursor_node
        path = Path(node.data.path) if node is not None and node.data is not None \
            else self.start
        self.dismiss(path if path.is_dir() else path.parent)

    @on(Button.Pressed, "#pick-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

"""Asking before a readable file goes where a cloud service would upload it
(WINDOWS.md item 10): the roster sheet, a report, the college summary."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.dom import DOMNode

from branchtool import i18n
from branchtool.platform_checks import plaintext_export_warning
from screens.confirm import ConfirmScreen


def confirm_unsynced(node: DOMNode, path: Path, proceed: Callable[[], object]) -> None:
    """``proceed()`` at once, unless ``path`` is in a OneDrive folder: then
    only after the user has read why and still chosen to save there."""
    warning = plaintext_export_warning(path)
    if warning is None:
        proceed()
        return
    question = ConfirmScreen(warning, yes=i18n.t("platform.export_anyway"),
                             no=i18n.t("dialog.cancel"))
    node.app.push_screen(question, lambda yes: proceed() if yes else None)

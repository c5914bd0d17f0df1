"""A branch's reported data in the branch's own screens, read-only: the office
drills into a branch and sees its roster, care, tasks, records, epidemic
watch and reports exactly as the branch's secretary does, as of its last
bundle, with every key that would change something hidden.

Everything pushed above this screen is read-only too (``screens.base.
is_read_only``); the services behind it refuse writes whatever a screen does
(``branchtool.office.branch_view``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import ClassVar

from textual.binding import Binding, BindingType

from branchtool import i18n
from branchtool.office.branch_view import ViewSession
from branchtool.session import Session
from screens.main import SECTIONS
from screens.sections import SectionsScreen, section_bindings

# The branch's sections but sending bundles, which is the branch's own business.
VIEW_SECTIONS = [section for section in SECTIONS if section[0] != "bundle"]


class BranchViewScreen(SectionsScreen):
    CSS_PATH = "main.tcss"
    SECTION_LIST = VIEW_SECTIONS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "office_ui.key.back"),
        *section_bindings(VIEW_SECTIONS),
    ]

    def __init__(self, office: Session, code: str, now: Callable[[], dt.datetime]) -> None:
        view = ViewSession(office, code, now)
        super().__init__(view, lambda: view.as_of.date())

    def header_name(self) -> str:
        info = self.session.info()  # builds the view: the clock stands at its data
        return i18n.t("office_ui.view.header", name=info["branch_name"],
                      code=info["branch_code"])

    def forget_data(self) -> None:
        super().forget_data()
        self.session.lock()  # the view and its services hold decrypted data

    def action_back(self) -> None:
        self.dismiss(None)

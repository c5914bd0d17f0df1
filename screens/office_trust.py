"""The branches the office trusts: enrol a branch from its key file (code,
name and fingerprint shown, to compare by phone, before confirming), rotate a
key with a statement signed by the old key, re-enrol by hand, revoke; and the
log of every trust event."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button

from branchtool import i18n
from branchtool.errors import KeyedError, describe
from branchtool.keyfiles import KeyFile
from branchtool.office.rotation import Rotation
from branchtool.office.service import OfficeService
from branchtool.office.trust import NEW, SAME
from branchtool.session import Session
from screens.base import LockAware, focus_if_lost, localize_bindings
from screens.commands import PaletteCommand
from screens.confirm import ConfirmScreen
from screens.office_events import OfficeChanged
from screens.office_rows import (
    LOG_COLUMNS,
    TRUST_COLUMNS,
    OfficeTable,
    fit,
    log_line,
    trust_line,
)
from screens.path_prompt import PathScreen
from screens.plain import Static
from screens.record_table import RecordTable


class TrustPane(Vertical, LockAware):
    DEFAULT_CSS = """
    TrustPane { height: 1fr; }
    #trust-buttons { height: 1; }
    #trust-buttons Button { height: 1; border: none; min-width: 8; margin-right: 1; }
    #trust-branches { height: 2fr; min-height: 4; }
    #trust-log-title { text-style: bold; margin-top: 1; }
    #trust-log { height: 1fr; min-height: 3; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "enrol", "office_ui.key.enrol"),
        Binding("ctrl+k", "rotate", "office_ui.key.rotate", show=False),
        Binding("delete", "revoke", "office_ui.key.revoke", show=False),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__(id="office-trust")
        self.session = session
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with Horizontal(id="trust-buttons"):
            yield Button(i18n.t("office_ui.trust.enrol"), variant="primary", id="trust-enrol")
            yield Button(i18n.t("office_ui.trust.rotate"), id="trust-rotate")
            yield Button(i18n.t("office_ui.trust.revoke"), variant="error", id="trust-revoke")
        yield OfficeTable(TRUST_COLUMNS, empty_text=i18n.t("office.status.no_branches"),
                          id="trust-branches")
        yield Static(i18n.t("office_ui.trust.log"), id="trust-log-title")
        yield OfficeTable(LOG_COLUMNS, id="trust-log")

    def on_mount(self) -> None:
        self.reload_data()

    def on_show(self) -> None:
        self.call_after_refresh(focus_if_lost, self.query_one("#trust-branches", RecordTable))

    @property
    def office(self) -> OfficeService:
        return OfficeService.of(self.session)

    def reload_data(self) -> None:
        office = self.office
        table = self.query_one("#trust-branches", RecordTable)
        current = table.current
        columns, lines = fit(TRUST_COLUMNS, [trust_line(b) for b in office.branches()])
        table.set_columns(columns)
        table.set_rows(lines, keep=current.id if current else None)
        log = self.query_one("#trust-log", RecordTable)
        columns, lines = fit(LOG_COLUMNS, [log_line(e) for e in reversed(office.trust.log())])
        log.set_columns(columns)
        log.set_rows(lines)

    @on(RecordTable.Opened, "#trust-branches")
    def _open(self, event: RecordTable.Opened) -> None:
        """Enter on a branch: its page, as on the dashboard."""
        from screens.office_branch import OfficeBranchScreen

        self.app.push_screen(OfficeBranchScreen(self.session, event.row_id))

    def forget_data(self) -> None:
        self.query_one("#trust-branches", RecordTable).set_rows([])
        self.query_one("#trust-log", RecordTable).set_rows([])

    def _changed(self) -> None:
        self.reload_data()
        self.post_message(OfficeChanged())

    def _fail(self, error: KeyedError) -> None:
        self.app.notify(describe(error), severity="error")

    # -- enrol ------------------------------------------------------------------------
    @on(Button.Pressed, "#trust-enrol")
    def action_enrol(self) -> None:
        self.app.push_screen(PathScreen(i18n.t("office_ui.trust.enrol_title"),
                                        Path.home() / "branch.pub", ok=i18n.t("office_ui.open"),
                                        note=i18n.t("office_ui.trust.enrol_note"),
                                        must_exist=True), self._enrol_file)

    def _enrol_file(self, path: Path | None) -> None:
        if path is None:
            return
        try:
            key = self.office.read_branch_key(path)
            preview = self.office.trust.preview(key)
        except KeyedError as error:
            self._fail(error)
            return
        if preview.action == SAME:
            self.app.notify(i18n.t("cli.office.trust.same"))
            return
        question = i18n.t("office_ui.trust.confirm_new" if preview.action == NEW
                          else "office_ui.trust.confirm_replace", code=key.code, name=key.name)
        lines = [i18n.t("dialog.fingerprint", fingerprint=key.fingerprint)] \
            if preview.action == NEW else [
                i18n.t("dialog.fingerprint_old", fingerprint=preview.old_fingerprint or "—"),
                i18n.t("dialog.fingerprint_new", fingerprint=key.fingerprint)]
        self.app.push_screen(ConfirmScreen(question, yes=i18n.t("office_ui.trust.yes"),
                                           no=i18n.t("dialog.cancel"), fingerprints=lines),
                             lambda yes: self._enrol(key, preview.action != NEW) if yes else None)

    def _enrol(self, key: KeyFile, replace: bool) -> None:
        try:
            self.office.trust.enrol(key, replace=replace)
        except KeyedError as error:
            self._fail(error)
            return
        self.app.notify(i18n.t("cli.office.trust.replaced" if replace
                               else "cli.office.trust.done", code=key.code))
        self._changed()

    # -- rotate ------------------------------------------------------------------------
    @on(Button.Pressed, "#trust-rotate")
    def action_rotate(self) -> None:
        self.app.push_screen(PathScreen(i18n.t("office_ui.trust.rotate_title"), Path.home(),
                                        ok=i18n.t("office_ui.open"),
                                        note=i18n.t("office_ui.trust.rotate_note"),
                                        must_exist=True), self._rotate_file)

    def _rotate_file(self, path: Path | None) -> None:
        if path is None:
            return
        try:
            rotation = self.office.read_rotation(path)
            self.office.trust.require(rotation.code)
        except KeyedError as error:
            self._fail(error)
            return
        question = i18n.t("office_ui.trust.confirm_rotate", code=rotation.code,
                          name=rotation.name)
        lines = [i18n.t("dialog.fingerprint_old", fingerprint=rotation.old_fingerprint),
                 i18n.t("dialog.fingerprint_new", fingerprint=rotation.new_key.fingerprint)]
        self.app.push_screen(ConfirmScreen(question, yes=i18n.t("office_ui.trust.yes"),
                                           no=i18n.t("dialog.cancel"), fingerprints=lines),
                             lambda yes: self._rotate(rotation) if yes else None)

    def _rotate(self, rotation: Rotation) -> None:
        try:
            self.office.trust.rotate(rotation)
        except KeyedError as error:
            self._fail(error)
            return
        self.app.notify(i18n.t("cli.office.trust.rotated", code=rotation.code))
        self._changed()

    # -- revoke ------------------------------------------------------------------------
    @on(Button.Pressed, "#trust-revoke")
    def action_revoke(self) -> None:
        row = self.query_one("#trust-branches", RecordTable).current
        if row is None:
            return
        branch = self.office.trust.get(row.id)
        if branch is None:
            return
        question = i18n.t("office_ui.trust.confirm_revoke", code=branch["code"],
                          name=branch["name"])
        self.app.push_screen(ConfirmScreen(question, yes=i18n.t("office_ui.trust.revoke"),
                                           no=i18n.t("dialog.cancel"), danger=True),
                             lambda yes: self._revoke(row.id) if yes else None)

    def _revoke(self, code: str) -> None:
        try:
            self.office.trust.revoke(code)
        except KeyedError as error:
            self._fail(error)
            return
        self.app.notify(i18n.t("cli.office.trust.revoked", code=code))
        self._changed()

    def palette_commands(self) -> list[PaletteCommand]:
        t = i18n.t
        return [PaletteCommand(t("office_ui.trust.enrol"), t("office_ui.trust.enrol_note"),
                               self.action_enrol),
                PaletteCommand(t("office_ui.trust.rotate"), t("office_ui.trust.rotate_note"),
                               self.action_rotate),
                PaletteCommand(t("office_ui.trust.revoke"), t("office_ui.trust.revoke_help"),
                               self.action_revoke)]

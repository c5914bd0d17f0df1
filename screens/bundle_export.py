"""The "report upward" section: write the signed, encrypted bundle for the
college Party office onto a USB stick, and see what was sent.

Choose the period, the content (every section by default; a section left
out is not sent at all, its own report included) and the redaction level
(full; standard, the default; counts and reports only) and the pane shows
exactly what the bundle will carry — records per section, what is left out,
the fields withheld, the reports, the deeds that become reported — before
anything is written. Writing runs in a worker with a progress bar; a toast
names the file. Below: the office key and its fingerprint, the branch key for
enrolment, receipts, and the outbox of every bundle sent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from rich.table import Table
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import (
    Button,
    DataTable,
    Input,
    ProgressBar,
    RadioButton,
    RadioSet,
    SelectionList,
    Static,
)
from textual.worker import Worker

from branchtool import i18n
from branchtool.bundles import sending
from branchtool.bundles.export import ExportResult
from branchtool.errors import KeyedError, UserError, describe
from branchtool.period import Period
from branchtool.records.redaction import DEFAULT_REDACTION, REDACTIONS
from branchtool.session import Session
from screens.base import LockAware, focus_if_lost, localize_bindings
from screens.commands import PaletteCommand
from screens.failures import Failure, RunsWorkers, on_success
from screens.file_picker import FilePicker, Mode, clean_path, default_folder, save_problem
from screens.inbox_panel import InboxPanel
from screens.key_rotation import KeyRotationScreen
from screens.office_key import OfficeKeyScreen, describe_key
from screens.path_prompt import PathScreen

PREVIEW, EXPORT, RECEIPT, KEY = "bundle-preview", "bundle-export", "bundle-receipt", "bundle-key"
Choice = tuple[Period, str, tuple[str, ...]]  # period, redaction, content groups
OUTBOX_COLUMNS = ("sequence", "time", "file", "size", "sha256", "period", "redaction",
                  "received")


class ExportProgress(Message):
    """Posted by the export worker after each step."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total


class BundlePane(RunsWorkers, VerticalScroll, LockAware):
    DEFAULT_CSS = """
    BundlePane { height: 1fr; }
    #bundle-office { height: auto; }
    #bundle-office.-missing { color: $warning; }
    /* no blank lines inside the form: at 80x24 the preview's summary and the write
       key's confirmation sit under the buttons without scrolling */
    .bundle-row { height: auto; }
    #bundle-period { margin-top: 1; }
    .bundle-label { width: 12; }
    .bundle-row Input { width: 14; margin-right: 1; }
    #bundle-folder { width: 1fr; }
    #bundle-redaction { width: 1fr; height: auto; }
    #bundle-content { width: 1fr; height: auto; max-height: 8; }
    .bundle-buttons { height: auto; margin-top: 1; }
    .bundle-buttons Button { margin-right: 2; }
    #bundle-message { height: auto; margin-top: 1; color: $warning; }
    #bundle-progress.-idle { display: none; }
    #bundle-preview { height: auto; margin-top: 1; }
    #bundle-outbox-title { margin-top: 1; text-style: bold; }
    #bundle-outbox { height: auto; max-height: 14; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        # priority: the inputs of the pane would take Ctrl+W as "delete a word"
        Binding("ctrl+w", "export", "export_ui.key.write", priority=True),
        Binding("ctrl+o", "office_key", "export_ui.key.office", show=False),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__(id="bundle")
        self.session = session
        self.preview: sending.PreviewView | None = None
        self.previewed: Choice | None = None
        localize_bindings(self)

    # -- layout ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(id="bundle-office")
        yield InboxPanel(self.session)  # the office's inbox files on the stick
        with Horizontal(classes="bundle-row", id="bundle-period"):
            yield Static(i18n.t("export_ui.bundle.period"), classes="bundle-label")
            yield Input(placeholder=i18n.t("export_ui.bundle.from"), compact=True,
                        id="bundle-from")
            yield Input(placeholder=i18n.t("export_ui.bundle.to"), compact=True, id="bundle-to")
        with Horizontal(classes="bundle-row"):
            yield Static(i18n.t("export_ui.bundle.folder"), classes="bundle-label")
            yield Input(compact=True, id="bundle-folder",
                        placeholder=i18n.t("export_ui.bundle.folder_hint"))
            yield Button(i18n.t("picker.browse"), id="bundle-browse", compact=True)
        with Horizontal(classes="bundle-row"):
            yield Static(i18n.t("export_ui.bundle.redaction"), classes="bundle-label")
            with RadioSet(id="bundle-redaction", compact=True):
                for level in REDACTIONS:
                    yield RadioButton(i18n.t(f"export_ui.redaction.{level}.long"),
                                      value=level == DEFAULT_REDACTION, id=f"bundle-r-{level}",
                                      compact=True)
        with Horizontal(classes="bundle-row"):
            yield Static(i18n.t("export_ui.bundle.content"), classes="bundle-label")
            yield SelectionList[str](*((label, name, True) for name, label
                                       in sending.content_choices()),
                                     id="bundle-content", compact=True)
        with Horizontal(classes="bundle-buttons"):
            yield Button(i18n.t("export_ui.bundle.write"), variant="primary", id="bundle-write",
                         disabled=True, compact=True)
            yield Button(i18n.t("export_ui.bundle.office"), id="bundle-office-key",
                         compact=True)
            yield Button(i18n.t("export_ui.bundle.branch_key"), id="bundle-branch-key",
                         compact=True)
            yield Button(i18n.t("export_ui.bundle.receipt"), id="bundle-receipt", compact=True)
        yield Static(id="bundle-message")
        yield ProgressBar(id="bundle-progress", classes="-idle", show_eta=False)
        yield Static(id="bundle-preview")
        yield Static(i18n.t("export_ui.outbox.title"), id="bundle-outbox-title")
        table: DataTable[Any] = DataTable(id="bundle-outbox", cursor_type="row",
                                          zebra_stripes=True)
        yield table

    def on_mount(self) -> None:
        table = self.query_one("#bundle-outbox", DataTable)
        for key in OUTBOX_COLUMNS:
            table.add_column(i18n.t(f"export_ui.outbox.{key}"), key=key)
        self._shown = False

    def on_show(self) -> None:
        self.call_after_refresh(focus_if_lost, self.query_one("#bundle-folder", Input))
        if not self._shown:
            self._shown = True
            self.reload_data()

    # -- state -------------------------------------------------------------------------------
    def reload_data(self) -> None:
        if not self.session.unlocked:
            return
        bundles = self.session.bundles
        office = bundles.office()
        shown = self.query_one("#bundle-office", Static)
        shown.update(i18n.t("export_ui.bundle.office_line", key=describe_key(office)))
        shown.set_class(office is None, "-missing")
        folder = self.query_one("#bundle-folder", Input)
        if not folder.value.strip():  # the stick folder set last time (or the last used)
            folder.value = str(self.session.folders.default_folder())
        start, end = self.query_one("#bundle-from", Input), self.query_one("#bundle-to", Input)
        if not start.value or not end.value:
            period = bundles.default_period()
            start.value, end.value = period.start.isoformat(), period.end.isoformat()
        self._fill_outbox()
        self.refresh_preview()

    def forget_data(self) -> None:
        self.preview = self.previewed = None
        self.query_one("#bundle-preview", Static).update("")
        self.query_one("#bundle-outbox", DataTable).clear()
        self.query_one("#bundle-write", Button).disabled = True

    def _fill_outbox(self) -> None:
        table = self.query_one("#bundle-outbox", DataTable)
        table.clear()
        for row in sending.outbox_rows(self.session):
            table.add_row(str(row.sequence), row.time, row.file, row.size, row.sha256,
                          row.period, row.redaction, row.received, key=str(row.sequence))

    @property
    def redaction(self) -> str:
        pressed = self.query_one("#bundle-redaction", RadioSet).pressed_button
        return str(pressed.id).rsplit("-", 1)[1] if pressed else DEFAULT_REDACTION

    @property
    def content(self) -> tuple[str, ...]:
        """The content groups ticked, in the order they are listed."""
        ticked = set(self.query_one("#bundle-content", SelectionList).selected)
        return tuple(name for name, _ in sending.content_choices() if name in ticked)

    def choice(self) -> Choice:
        period = sending.parse_period(self.query_one("#bundle-from", Input).value,
                                      self.query_one("#bundle-to", Input).value)
        content = self.content
        if not content:
            raise UserError("export.no_content")
        return period, self.redaction, content

    # -- preview -----------------------------------------------------------------------------
    @on(RadioSet.Changed)
    @on(SelectionList.SelectedChanged, "#bundle-content")
    @on(Input.Submitted, "#bundle-from, #bundle-to")
    @on(Input.Changed, "#bundle-from, #bundle-to")
    def refresh_preview(self) -> None:
        self.query_one("#bundle-write", Button).disabled = True
        self.previewed = None
        if not self.session.unlocked:
            return
        try:
            choice = self.choice()
        except KeyedError as error:
            self.preview = None
            self._message(describe(error))
            self.query_one("#bundle-preview", Static).update("")
            return
        self._message(i18n.t("export_ui.bundle.previewing"))
        self._preview(choice)

    @work(thread=True, exclusive=True, group=PREVIEW, exit_on_error=False)
    def _preview(self, choice: Choice) -> tuple[Choice, Any]:
        period, redaction, content = choice
        return choice, sending.describe(
            self.session.bundles.preview(period, redaction, content))

    def _show_preview(self, choice: Choice, view: sending.PreviewView) -> None:
        if choice != self._current_choice():
            return  # the choice changed meanwhile: a newer preview is coming
        redaction = choice[1]
        self.preview, self.previewed = view, choice
        table = Table(title=i18n.t("export_ui.preview.title", sequence=view.sequence,
                                   office=view.office, period=view.period,
                                   redaction=sending.redaction_label(redaction)),
                      expand=True, title_justify="left")
        table.add_column(i18n.t("export_ui.preview.section"))
        table.add_column(i18n.t("export_ui.preview.in_period"), justify="right")
        table.add_column(i18n.t("export_ui.preview.sent"), justify="right")
        table.add_column(i18n.t("export_ui.preview.withheld"), ratio=1)
        for line in view.sections:
            withheld = (i18n.t("export_ui.preview.all_withheld") if redaction == "counts"
                        else i18n.t("list.separator").join(line.withheld) or "—")
            table.add_row(line.label, str(line.count), str(line.sent), withheld)
        reports = i18n.t("list.separator").join(
            i18n.t("export_ui.preview.report_count", label=label, n=n)
            for label, n in view.reports) or i18n.t("export_ui.preview.no_reports")
        self.query_one("#bundle-preview", Static).update(table)
        lines = [i18n.t("export_ui.preview.extras", reports=reports,
                        history=view.history_entries)]
        if view.left_out:
            lines.append(i18n.t("export_ui.preview.left_out",
                                groups=i18n.t("list.separator").join(view.left_out)))
        if view.deeds_to_report:
            lines.append(i18n.t("export_ui.preview.deeds", n=view.deeds_to_report))
        self._message("\n".join(lines))
        self.query_one("#bundle-write", Button).disabled = False

    def _current_choice(self) -> Choice | None:
        try:
            return self.choice()
        except KeyedError:
            return None

    # -- export ------------------------------------------------------------------------------
    @on(Button.Pressed, "#bundle-write")
    def action_export(self) -> None:
        try:
            choice = self.choice()
        except KeyedError as error:  # e.g. nothing ticked: say so, write nothing
            self._message(describe(error))
            self.notify(describe(error), severity="error")
            return
        if self.previewed is None or self.previewed != choice:
            return  # the preview of this choice is not shown yet
        folder = clean_path(self.query_one("#bundle-folder", Input).value)
        problem = i18n.t("export_ui.path.empty") if folder is None else \
            save_problem(folder / "_")
        if folder is None or problem is not None:  # says why; the typed folder stays
            self._message(problem or "")
            self.notify(problem or "", severity="error")
            return
        self.query_one("#bundle-write", Button).disabled = True
        bar = self.query_one("#bundle-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.remove_class("-idle")
        self._message(i18n.t("export_ui.bundle.writing"))
        self._export(folder, self.previewed)

    @work(thread=True, exclusive=True, group=EXPORT, exit_on_error=False)
    def _export(self, folder: Path, choice: Choice) -> ExportResult:
        period, redaction, content = choice
        return self.session.bundles.export(
            folder, period, redaction,
            progress=lambda done, total: self.post_message(ExportProgress(done, total)),
            content=content)

    def on_export_progress(self, message: ExportProgress) -> None:
        self.query_one("#bundle-progress", ProgressBar).update(total=message.total,
                                                               progress=message.done)

    def _exported(self, result: ExportResult) -> None:
        self.session.folders.set_stick(result.path.parent)  # the next export's default
        bar = self.query_one("#bundle-progress", ProgressBar)
        bar.update(total=bar.total or 1, progress=bar.total or 1)
        self._message(i18n.t("export_ui.bundle.done", path=str(result.path),
                             size=sending.human_size(result.size)))
        self.notify(i18n.t("export_ui.bundle.toast", path=str(result.path)))
        if result.deeds_reported:
            self.notify(i18n.t("export.deeds_reported", n=result.deeds_reported))
        if result.warning is not None:  # the bundle stands; its deeds go again next time
            self.notify(result.warning.message(), severity="warning", timeout=30)
        self._fill_outbox()
        self.refresh_preview()

    # -- keys and receipts ---------------------------------------------------------------------
    @on(Button.Pressed, "#bundle-office-key")
    def action_office_key(self) -> None:
        self.app.push_screen(OfficeKeyScreen(self.session),
                             lambda changed: self.reload_data() if changed else None)

    def action_rotate_key(self) -> None:
        self.app.push_screen(self.key_rotation())

    def key_rotation(self) -> KeyRotationScreen:
        """The key-rotation dialog, told this pane's folder for bundles and
        whether it is signing one now."""
        return KeyRotationScreen(self.session, folder=self.bundle_folder(), signing=self.signing)

    def bundle_folder(self) -> Path | None:
        return clean_path(self.query_one("#bundle-folder", Input).value)

    def signing(self) -> bool:
        """A bundle is being written (and signed with the current key)."""
        return any(w.group == EXPORT and w.is_running for w in self.app.workers)

    @on(Button.Pressed, "#bundle-branch-key")
    def branch_key(self) -> None:
        key = self.session.bundles.branch_key()
        note = i18n.t("export_ui.branch_key.note", name=key.name, code=key.code,
                      fingerprint=key.fingerprint)
        self.app.push_screen(
            PathScreen(i18n.t("export_ui.branch_key.title"),
                       default_folder(self.app) / sending.default_key_name(self.session),
                       ok=i18n.t("export_ui.branch_key.ok"), note=note),
            lambda path: path is not None and self._write_key(path))

    @work(thread=True, exclusive=True, group=KEY, exit_on_error=False)
    def _write_key(self, path: Path) -> tuple[Path, str]:
        return path, sending.write_branch_key(self.session, path).fingerprint

    @on(Button.Pressed, "#bundle-receipt")
    def receipt(self) -> None:
        self.app.push_screen(
            FilePicker(i18n.t("export_ui.receipt.title"), mode=Mode.OPEN,
                       ok=i18n.t("export_ui.receipt.ok")),
            lambda path: path is not None and self._import_receipt(path))

    @on(Button.Pressed, "#bundle-browse")
    def browse_folder(self) -> None:
        field = self.query_one("#bundle-folder", Input)

        def chosen(path: Path | None) -> None:
            if path is not None:
                field.value = str(path)
                field.focus()

        self.app.push_screen(FilePicker(i18n.t("export_ui.bundle.folder_title"),
                                        mode=Mode.FOLDER, start=clean_path(field.value)),
                             chosen)

    @work(thread=True, exclusive=True, group=RECEIPT, exit_on_error=False)
    def _import_receipt(self, path: Path) -> Any:
        from branchtool.office.receipts import import_receipt_file

        return import_receipt_file(self.session, path)

    # -- results -------------------------------------------------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        on_success(event, {PREVIEW: lambda result: self._show_preview(*result),
                           EXPORT: self._exported, KEY: self._key_written,
                           RECEIPT: self._receipt_read})

    def _key_written(self, result: tuple[Path, str]) -> None:
        path, fingerprint = result
        self.notify(i18n.t("cli.keys.export.done", path=str(path), fingerprint=fingerprint))

    def _receipt_read(self, result: Any) -> None:
        self.notify(i18n.t("export_ui.receipt.done", marked=len(result.marked)))
        for notice in result.refused:  # the office could not take these files
            self.notify(notice, severity="warning", timeout=30)
        self._fill_outbox()

    def worker_failed(self, failure: Failure) -> bool:
        if failure.group == EXPORT:
            self.query_one("#bundle-progress", ProgressBar).add_class("-idle")
            self.query_one("#bundle-write", Button).disabled = False
        self._message(failure.sentence)
        return False  # and a notification

    def _message(self, text: str) -> None:
        self.query_one("#bundle-message", Static).update(text)

    def palette_commands(self) -> list[PaletteCommand]:
        return [
            PaletteCommand(i18n.t("export_ui.bundle.write"), i18n.t("export_ui.cmd.write_help"),
                           self.action_export),
            PaletteCommand(i18n.t("export_ui.bundle.office"),
                           i18n.t("export_ui.cmd.office_help"), self.action_office_key),
            PaletteCommand(i18n.t("export_ui.bundle.branch_key"),
                           i18n.t("export_ui.cmd.branch_key_help"), self.branch_key),
            PaletteCommand(i18n.t("export_ui.bundle.receipt"),
                           i18n.t("export_ui.cmd.receipt_help"), self.receipt),
            PaletteCommand(i18n.t("keys_ui.cmd"), i18n.t("keys_ui.cmd_help"),
                           self.action_rotate_key, writes=True),
        ]

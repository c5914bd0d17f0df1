"""In the branch's 报送 section: the college Party office's inbox files on
the stick. When the section is opened (and on 查找), the folder the bundle is
written to is searched for ``*.inbox.age``; the panel says how many there
are and imports them (every check before anything is filed, one sentence per
refused file), then says what was filed: notices under 通知传达, tasks under
任务. Settings the office proposes wait for the secretary: 接受 or 不接受.
Hidden while there is nothing to show."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input
from textual.worker import Worker, WorkerState

from branchtool import i18n
from branchtool.errors import KeyedError, describe
from branchtool.inbox import format as fmt
from branchtool.inbox.present import proposal_values
from branchtool.inbox.receive import REJECTED, InboxResult, InboxService
from branchtool.session import Session
from branchtool.shown import shown
from screens.base import LockAware
from screens.failures import Failure, RunsWorkers
from screens.file_picker import default_folder
from screens.plain import Static


class InboxImported(Message):
    """Notices and tasks were filed: the panes that list them reload."""


def inbox_files(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.name.endswith(fmt.SUFFIX))
    except OSError:
        return []


class InboxPanel(RunsWorkers, Vertical, LockAware):
    DEFAULT_CSS = """
    InboxPanel { height: auto; border-left: thick $accent; padding-left: 1; margin-top: 1; }
    InboxPanel.-empty { display: none; }
    #inbox-panel-buttons { height: auto; }
    #inbox-panel-buttons Button { margin-right: 2; }
    #inbox-panel-result { height: auto; }
    """

    def __init__(self, session: Session, folder_input: str = "#bundle-folder") -> None:
        super().__init__(id="inbox-panel", classes="-empty")
        self.session = session
        self.folder_input = folder_input
        self.files: list[Path] = []
        self.results: list[InboxResult] = []

    def compose(self) -> ComposeResult:
        yield Static(id="inbox-panel-found")
        with Horizontal(id="inbox-panel-buttons"):
            yield Button(i18n.t("inbox_ui.import"), variant="primary", id="inbox-panel-import",
                         compact=True)
            yield Button(i18n.t("inbox_ui.look"), id="inbox-panel-look", compact=True)
            yield Button(i18n.t("inbox_ui.accept"), id="inbox-panel-accept", compact=True)
            yield Button(i18n.t("inbox_ui.decline"), id="inbox-panel-decline", compact=True)
        yield Static(id="inbox-panel-result")

    def on_mount(self) -> None:
        self.look()

    def on_show(self) -> None:
        self.look()

    def forget_data(self) -> None:
        self.results = []
        self.query_one("#inbox-panel-result", Static).update("")

    def reload_data(self) -> None:
        self.look()

    def folder(self) -> Path:
        try:
            return Path(self.screen.query_one(self.folder_input, Input).value.strip())
        except Exception:
            return default_folder(self.app)

    @on(Button.Pressed, "#inbox-panel-look")
    def look(self) -> None:
        """Search the stick and show what is waiting."""
        if not self.session.unlocked:
            return
        self.files = inbox_files(self.folder())
        proposals = InboxService(self.session).proposals()
        found = self.query_one("#inbox-panel-found", Static)
        lines = []
        if self.files:
            lines.append(i18n.t("inbox_ui.found", count=len(self.files),
                                folder=shown(str(self.folder()))))
        for proposal in proposals[:1]:
            lines.append(i18n.t("inbox_ui.proposal", office=shown(proposal["office"]),
                                values=proposal_values(proposal["values"])))
        found.update("\n".join(lines))
        self.query_one("#inbox-panel-import").display = bool(self.files)
        for key in ("accept", "decline"):
            self.query_one(f"#inbox-panel-{key}").display = bool(proposals)
        self.set_class(not (self.files or proposals or self.results), "-empty")

    @on(Button.Pressed, "#inbox-panel-import")
    def start_import(self) -> None:
        self.query_one("#inbox-panel-import", Button).disabled = True
        self.query_one("#inbox-panel-result", Static).update(i18n.t("inbox_ui.importing"))
        self._import(list(self.files))

    @work(thread=True, exclusive=True, group="inbox-import", exit_on_error=False)
    def _import(self, files: list[Path]) -> list[InboxResult]:
        return InboxService(self.session).import_paths(files)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "inbox-import":
            return
        if event.state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        self.query_one("#inbox-panel-import", Button).disabled = False
        if event.state == WorkerState.ERROR:
            return  # said by worker_failed
        self.results = event.worker.result or []
        self.query_one("#inbox-panel-result", Static).update("\n".join(
            i18n.t("inbox_ui.result", file=shown(r.file.name),
                   verdict=i18n.t(f"inbox.verdict.{r.verdict}"), message=r.message())
            for r in self.results))
        accepted = [r for r in self.results if r.verdict != REJECTED]
        if accepted:
            self.notify(i18n.t("inbox_ui.filed", notices=sum(r.notices for r in accepted),
                               tasks=sum(r.tasks for r in accepted)))
        self.app.post_message(InboxImported())
        self.look()

    def worker_failed(self, failure: Failure) -> bool:
        self.query_one("#inbox-panel-result", Static).update(failure.sentence)
        return True

    @on(Button.Pressed, "#inbox-panel-accept")
    def accept(self) -> None:
        self._decide(True)

    @on(Button.Pressed, "#inbox-panel-decline")
    def decline(self) -> None:
        self._decide(False)

    def _decide(self, accept: bool) -> None:
        service = InboxService(self.session)
        proposals = service.proposals()
        if not proposals:
            return
        try:
            service.decide(proposals[0]["id"], accept)
        except KeyedError as error:
            self.notify(describe(error), severity="error")
            return
        self.notify(i18n.t("cli.inbox.accepted" if accept else "cli.inbox.declined"))
        self.look()

"""One way a failed worker reaches the user.

Harlequin's App listens to its workers' ``Worker.StateChanged`` and handles
every ``ERROR`` in one place. Here the workers belong to screens and panes, and
Textual does not bubble that message, so ``RunsWorkers`` (mixed into every node
that runs a worker, each started with ``exit_on_error=False``) hands a failure
on as ``WorkFailed``, which bubbles to the app's one handler (``settle``). The
app tells the user one sentence in their language — a ``KeyedError``'s own
message, anything else a generic sentence naming only the exception's type,
never its text (it may quote field values) — locks when a file failed its
integrity check, and leaves the screen usable. A node puts itself right (a
button enabled again, a plan kept, a message shown where the user looks)
through its ``worker_failed`` hook, which says whether it told the user itself.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual.app import App
from textual.message import Message
from textual.worker import Worker, WorkerState

from branchtool import i18n
from branchtool.errors import KeyedError, StoredDataError, UserError, as_user_error

_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Failure:
    """A worker that failed, as the user is told it."""

    worker: Worker[Any]
    error: UserError | None  # None: not an error a user can cause (a bug)
    sentence: str  # what the user reads, in their language
    where: str = ""  # a bug's type and the line it rose from: for the developer, never data

    @property
    def group(self) -> str:
        return self.worker.group

    @property
    def corrupt(self) -> bool:
        """A file failed its integrity check: the app locks and offers a backup."""
        return isinstance(self.error, StoredDataError) and self.error.corrupt


def failure_of(worker: Worker[Any]) -> Failure:
    error = worker.error
    if isinstance(error, KeyedError):
        user_error = as_user_error(error)
        return Failure(worker, user_error, user_error.message())
    kind = type(error).__name__
    return Failure(worker, None, i18n.t("app.work_failed", kind=kind), _where(error))


def _where(error: BaseException | None) -> str:
    """``KeyError at screens/x.py:12 (_load)``: the type and the innermost
    frame of the project's code — file, line and function, no values."""
    if error is None:
        return "?"
    frames = traceback.extract_tb(error.__traceback__)
    own = [f for f in frames if Path(f.filename).resolve().is_relative_to(_ROOT)] or frames
    if not own:
        return type(error).__name__
    frame = own[-1]
    try:
        name = Path(frame.filename).resolve().relative_to(_ROOT).as_posix()
    except ValueError:
        name = Path(frame.filename).name
    return f"{type(error).__name__} at {name}:{frame.lineno} ({frame.name})"


class WorkFailed(Message):
    """A worker of ``node`` failed; bubbles up to the app."""

    def __init__(self, node: RunsWorkers, failure: Failure) -> None:
        super().__init__()
        self.node = node
        self.failure = failure


class RunsWorkers:
    """Mixed into a screen or widget that runs workers: their failures go to
    the app's one handler. Override ``worker_failed`` to put the node right."""

    def worker_failed(self, failure: Failure) -> bool:
        """Called by the app before it tells the user; return True when the
        node showed ``failure.sentence`` itself (no notification then)."""
        return False

    def _on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is WorkerState.ERROR and not worker.is_cancelled:
            self.post_message(WorkFailed(self, failure_of(worker)))  # type: ignore[attr-defined]


def on_success(event: Worker.StateChanged,
               handlers: Mapping[str | None, Callable[[Any], object]]) -> None:
    """A node's ``on_worker_state_changed``: a worker of one of its groups is
    the node's (the event stops there) and, once it succeeded, its result goes
    to that group's handler; other workers' events pass on. Failures go to
    the app's one handler (``RunsWorkers``)."""
    handler = handlers.get(event.worker.group)
    if handler is None:
        return
    event.stop()
    if event.state is WorkerState.SUCCESS:
        handler(event.worker.result)


def settle(app: App[Any], message: WorkFailed, *, unlocked: bool) -> Failure:
    """The app's handling of a failed worker: the node's hook, then one
    notification unless the node said it already. A damaged file is left to
    the caller, which locks (``Failure.corrupt``) when the vault is open."""
    message.stop()
    failure = message.failure
    told = message.node.worker_failed(failure)
    if not told and not (failure.corrupt and unlocked):
        app.notify(failure.sentence, severity="error")
    return failure

"""A crash harness: fork a writer, SIGKILL it at a random instant, reopen.

The child opens the vault and loops over random operations — inserts, batches
of inserts, updates, removals, compactions — writing an *intent* line to a pipe
before each and an *ack* line after it returns. The parent kills the child
after a random number of acks plus a random delay, then reopens the vault and
checks: every acknowledged write is there, nothing else changed except possibly
the one write in flight, and ``check()`` (every file authenticates, the history
chain holds) passes. POSIX only (fork, SIGKILL). Used by tests/test_crash.py
(a short run) and bench/crash_store.py (the full campaign).
"""

from __future__ import annotations

import os
import random
import select
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from storage.errors import StorageError
from storage.vault import Vault

PASSPHRASE = "crash-test-passphrase"
PARTITION = "checkins/2026-11"


@dataclass
class CampaignResult:
    kills: int = 0
    acknowledged: int = 0
    corrupt_vaults: int = 0
    lost_writes: int = 0
    unexpected_changes: int = 0
    torn_tails: int = 0
    failures: list[str] = field(default_factory=list)


Say = Callable[[str, Any], None]


def kill_at_random(child: Callable[[Say], None], rng: random.Random, max_acks: int,
                   max_delay: float = 0.004) -> list[tuple[str, Any]]:
    """Fork ``child(say)``, SIGKILL it after a random number of its acks plus a
    random delay (a random instant inside its next write), and return the
    messages it said before dying, in order. A child that fails on its own
    (not by the kill) is a harness error."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child

        def say(kind: str, payload: Any) -> None:
            os.write(write_fd, orjson.dumps([kind, payload]) + b"\n")

        os.close(read_fd)
        try:
            child(say)
            say("done", None)
        except BaseException as exc:
            say("error", repr(exc))
        finally:
            os._exit(0)
    os.close(write_fd)
    want, buffer = rng.randint(0, max_acks), b""
    deadline = time.monotonic() + 60
    while (buffer.count(b'["ack"') < want and b'["done"' not in buffer
           and time.monotonic() < deadline):
        ready, _, _ = select.select([read_fd], [], [], 1)
        if ready:
            chunk = os.read(read_fd, 65536)
            if not chunk:
                break
            buffer += chunk
    select.select([], [], [], rng.random() * max_delay)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    while chunk := os.read(read_fd, 65536):
        buffer += chunk
    os.close(read_fd)
    messages = [tuple(orjson.loads(line)) for line in buffer.splitlines()
                if line.endswith(b"]")]
    errors = [payload for kind, payload in messages if kind == "error"]
    if errors:
        raise RuntimeError(f"the child failed on its own: {errors[0]}")
    return messages  # type: ignore[return-value]


def acked(messages: list[tuple[str, Any]]) -> tuple[list[Any], Any]:
    """The acknowledged writes (the ack's payload, else its intent's) and the
    intent still in flight when the kill came (or None)."""
    done, pending = [], None
    for kind, payload in messages:
        if kind == "intent":
            pending = payload
        elif kind == "ack":
            done.append(pending if payload is None else payload)
            pending = None
    return done, pending


def _child(path: Path, say: Say, seed: int, compact_frames: int) -> None:
    rng = random.Random(seed)
    vault = Vault.open(path, PASSPHRASE, compact_frames=compact_frames)
    part = vault.partition(PARTITION)
    counter = 0
    while True:
        ids = part.ids()
        roll = rng.random()
        counter += 1
        if roll < 0.45 or not ids:
            doc = {"id": f"r{seed}-{counter}", "n": counter, "pad": "x" * rng.randint(0, 600)}
            say("intent", ["put", [doc]])
            part.insert(doc)
        elif roll < 0.6:
            docs = [{"id": f"r{seed}-{counter}-{k}", "n": counter} for k in range(3)]
            say("intent", ["put", docs])
            with vault.batch():
                for doc in docs:
                    part.insert(doc)
        elif roll < 0.85:
            rid = rng.choice(ids)
            doc = {**part.get(rid), "n": counter}
            say("intent", ["put", [doc]])
            part.replace(rid, doc)
        elif roll < 0.97:
            rid = rng.choice(ids)
            say("intent", ["del", [rid]])
            part.remove(rid)
        else:
            say("intent", ["noop", []])
            vault.compact()
        say("ack", None)


def _apply(model: dict[str, dict], intent: list) -> dict[str, dict]:
    kind, items = intent
    new = dict(model)
    if kind == "put":
        for doc in items:
            new[doc["id"]] = doc
    elif kind == "del":
        for rid in items:
            new.pop(rid, None)
    return new


def create_vault(path: Path) -> None:
    Vault.create(path, PASSPHRASE, info={"branch_code": "crash"}, work_factor=10).close()


def run_campaign(path: Path, kills: int, seed: int = 1, compact_frames: int = 12,
                 max_acks: int = 25) -> CampaignResult:
    rng = random.Random(seed)
    result = CampaignResult()
    if not Vault.exists(path):
        create_vault(path)
    model: dict[str, dict] = {}
    for round_no in range(kills):
        messages = kill_at_random(
            lambda say, n=round_no: _child(path, say, seed * 100_000 + n, compact_frames),
            rng, max_acks)
        result.kills += 1
        done, pending = acked(messages)
        for intent in done:
            model = _apply(model, intent)
        result.acknowledged += len(done)
        try:
            vault = Vault.open(path, PASSPHRASE, compact_frames=compact_frames)
        except StorageError as exc:
            result.corrupt_vaults += 1
            result.failures.append(f"round {round_no}: open failed: {exc}")
            break
        try:
            result.torn_tails += sum(n.key == "storage.journal_torn_tail" for n in vault.notices)
            problems = vault.check()
            if problems:
                result.corrupt_vaults += 1
                result.failures.append(f"round {round_no}: check: {problems}")
            actual = {d["id"]: d for d in vault.partition(PARTITION).all()}
        finally:
            vault.close(compact=rng.random() < 0.2)
        if actual != model:
            if pending is not None and actual == _apply(model, pending):
                model = actual  # the write in flight reached the disk before the kill
            else:
                lost = sum(1 for rid, doc in model.items() if actual.get(rid) != doc)
                result.lost_writes += lost
                result.unexpected_changes += sum(1 for rid in actual if rid not in model)
                result.failures.append(f"round {round_no}: state differs ({lost} lost)")
                model = actual
    return result

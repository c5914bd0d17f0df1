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
from dataclasses import dataclass, field
from pathlib import Path

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


def _child(path: Path, fd: int, seed: int, compact_frames: int) -> None:
    rng = random.Random(seed)
    vault = Vault.open(path, PASSPHRASE, compact_frames=compact_frames)
    part = vault.partition(PARTITION)

    def say(kind: str, payload: object) -> None:
        os.write(fd, orjson.dumps([kind, payload]) + b"\n")

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
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            os.close(read_fd)
            try:
                _child(path, write_fd, seed * 100_000 + round_no, compact_frames)
            finally:
                os._exit(0)
        os.close(write_fd)
        want, buffer, acks, pending = rng.randint(0, max_acks), b"", 0, None
        extra_delay = rng.random() * 0.004
        while acks < want:
            ready, _, _ = select.select([read_fd], [], [], 5)
            if not ready:
                break
            chunk = os.read(read_fd, 65536)
            if not chunk:
                break
            buffer += chunk
            acks = buffer.count(b'["ack"')
        select.select([], [], [], extra_delay)  # a random instant within the next write
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        while chunk := os.read(read_fd, 65536):
            buffer += chunk
        os.close(read_fd)
        result.kills += 1
        for line in buffer.splitlines():
            if not line.endswith(b"]"):
                continue
            kind, payload = orjson.loads(line)
            if kind == "intent":
                pending = payload
            elif pending is not None:
                model = _apply(model, pending)
                result.acknowledged += 1
                pending = None
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

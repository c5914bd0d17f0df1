"""Bulk loading (storage.bulk): the same documents, journal frames and history
as ordinary inserts, without loading the partition; all or nothing; and a
SIGKILL at any instant loses no acknowledged batch."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from storage import bulk
from storage.errors import DuplicateRecord, StorageError, WriteFailed
from storage.store import Store
from storage.vault import Vault
from tests.crashkit import PASSPHRASE, acked, create_vault, kill_at_random
from tests.storekit import FaultyIO, TestCipher

CIPHER = TestCipher()
MONTH = "checkins/2026-11"


def make_store(folder: Path, **options) -> Store:
    if not (folder / "state.age").exists():
        Store.initialize(folder, CIPHER.encrypt, io=options.get("io", FaultyIO()))
    return Store(folder, CIPHER.encrypt, CIPHER.decrypt, history_key=b"h" * 32, **options)


def docs(day: int, n: int = 50) -> list[dict]:
    return [{"id": f"2026-11-{day:02d}:p{i:03d}", "person": f"p{i:03d}",
             "temperature": "36.5", "symptoms": ["cough"] if i % 7 == 0 else []}
            for i in range(n)]


def test_bulk_inserts_are_ordinary_records_with_history(tmp_path: Path) -> None:
    store = make_store(tmp_path / "data")
    with store.batch():
        assert bulk.insert_new(store, MONTH, docs(1)) == 50
    assert not store.is_loaded(MONTH)  # held as bytes, not as a month of dicts
    assert store.partitions("checkins/") == [MONTH]
    bulk.insert_new(store, MONTH, docs(2))  # its own batch
    assert store.head[0] == 100
    history = store.history()
    assert [(e["partition"], e["record"], e["op"]) for e in history] == [
        (MONTH, d["id"], "insert") for d in docs(1) + docs(2)]
    assert store.verify_history().ok
    assert store.check() == []  # each record's entry hashes its content
    # A read loads the partition: the documents as they were given.
    part = store.partition(MONTH)
    assert part.get("2026-11-02:p007") == docs(2)[7]
    assert len(part) == 100
    store.close()


def test_the_journal_and_history_are_those_of_ordinary_inserts(tmp_path: Path) -> None:
    def clock() -> str:
        return "2026-11-20T12:00:00.000Z"

    made = []
    for name in ("bulk", "inserts"):
        store = make_store(tmp_path / name, clock=clock)
        with store.batch():
            store.partition("roster").insert({"id": "r1", "name": "x"})
            if name == "bulk":
                bulk.insert_new(store, MONTH, docs(1))
            else:
                part = store.partition(MONTH)
                for doc in docs(1):
                    part.insert(doc)
        store.close(compact=False)
        store = make_store(tmp_path / name, clock=clock)  # replayed from the journal
        made.append((store.history(), store.partition(MONTH).all(), store.head))
        store.close()
    assert made[0] == made[1]


def test_replay_and_compaction_keep_them(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    store = make_store(folder)
    bulk.insert_new(store, MONTH, docs(1))
    bulk.insert_new(store, MONTH, docs(2))
    store.close(compact=False)
    store = make_store(folder)  # from the journal
    assert len(store.partition(MONTH)) == 100
    store.close(compact=False)
    store = make_store(folder)
    bulk.insert_new(store, "checkins/2026-10", docs(3))
    store.compact(backup=False)  # an unread month goes to its snapshot unparsed
    store.close()
    store = make_store(folder)
    assert store.check() == []
    assert sorted(d["id"] for d in store.partition("checkins/2026-10").all()) == sorted(
        d["id"] for d in docs(3))
    assert store.partition(MONTH).get("2026-11-01:p000") == docs(1)[0]
    store.close()


def test_a_repeated_id_writes_nothing(tmp_path: Path) -> None:
    store = make_store(tmp_path / "data")
    bulk.insert_new(store, MONTH, docs(1))
    head = store.head
    with pytest.raises(DuplicateRecord):
        bulk.insert_new(store, MONTH, [*docs(2), docs(1)[3]])
    with pytest.raises(DuplicateRecord):
        bulk.insert_new(store, "checkins/2026-10", [docs(4)[0], docs(4)[0]])
    assert store.head == head
    assert len(store.history()) == 50 and store.verify_history().ok
    assert store.partitions("checkins/") == [MONTH]  # the failed new month left nothing
    assert len(store.partition(MONTH)) == 50
    with pytest.raises(TypeError):
        bulk.insert_new(store, "checkins/2026-09", [{"person": "p1"}])
    with pytest.raises(ValueError):
        bulk.insert_new(store, "../checkins", docs(1))
    assert store.partitions("checkins/") == [MONTH]
    store.close()


def test_a_failed_write_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    io = FaultyIO()
    store = make_store(tmp_path / "data", io=io)
    bulk.insert_new(store, MONTH, docs(1))
    io.fail = "fsync"
    with pytest.raises(WriteFailed):
        bulk.insert_new(store, MONTH, docs(2))
    io.fail = None
    assert store.head[0] == 50
    assert len(store.partition(MONTH)) == 50
    assert store.check() == []
    store.close()


def test_a_loaded_or_stored_partition_gets_ordinary_inserts(tmp_path: Path) -> None:
    store = make_store(tmp_path / "data")
    store.partition(MONTH).insert({"id": "x", "n": 1})
    bulk.insert_new(store, MONTH, docs(1))  # loaded: inserted one by one, same result
    assert len(store.partition(MONTH)) == 51
    store.history()  # the history months loaded: entries go in one by one
    bulk.insert_new(store, "checkins/2026-10", docs(5))
    assert len(store.history()) == 101 and store.verify_history().ok
    assert not store.is_loaded("checkins/2026-10")
    with pytest.raises(DuplicateRecord):
        bulk.insert_new(store, MONTH, [{"id": "x"}])
    store.compact(backup=False)
    store.close()
    store = make_store(tmp_path / "data")
    with pytest.raises(DuplicateRecord):  # on disk: checked against the snapshot
        bulk.insert_new(store, MONTH, [{"id": "2026-11-01:p001"}])
    assert store.check() == []
    store.close()


# -- SIGKILL at random instants -------------------------------------------------------
def _child(path: Path, say, seed: int) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    vault = Vault.open(path, PASSPHRASE, compact_frames=8)
    counter = 0
    while True:
        counter += 1
        month = f"checkins/2026-{rng.randint(9, 11):02d}"
        batch = [{"id": f"s{seed}-{counter}-{k}", "n": k} for k in range(rng.randint(1, 40))]
        say("intent", [month, batch])
        with vault.batch():
            bulk.insert_new(vault.store, month, batch)
            if rng.random() < 0.3:  # an ordinary write in the same frame
                vault.partition("roster").insert({"id": f"s{seed}-{counter}", "n": 0})
        say("ack", None)
        if rng.random() < 0.1:
            vault.compact()


@pytest.mark.skipif(sys.platform == "win32", reason="forks and sends SIGKILL (POSIX only)")
def test_forty_kills_lose_no_acknowledged_bulk_batch(tmp_path: Path) -> None:
    path = tmp_path / "vault"
    create_vault(path)
    rng = random.Random(3)
    model: dict[str, set[str]] = {}
    corrupt = lost = 0
    for round_no in range(40):
        messages = kill_at_random(lambda say, n=round_no: _child(path, say, 1000 + n), rng, 12)
        done, pending = acked(messages)
        for month, batch in done:
            model.setdefault(month, set()).update(d["id"] for d in batch)
        try:
            vault = Vault.open(path, PASSPHRASE, compact_frames=8)
        except StorageError:
            corrupt += 1
            break
        try:
            corrupt += bool(vault.check())
            for month, ids in model.items():
                have = set(vault.partition(month).ids())
                lost += len(ids - have)
                if pending is not None and pending[0] == month:
                    ids.update(have & {d["id"] for d in pending[1]})  # the batch in flight landed
        finally:
            vault.close(compact=rng.random() < 0.3)
    assert sum(len(ids) for ids in model.values()) > 200  # the campaign really wrote
    assert (corrupt, lost) == (0, 0)


def test_a_failed_batch_takes_them_out_of_a_partition_read_meanwhile(tmp_path: Path) -> None:
    store = make_store(tmp_path / "data")
    bulk.insert_new(store, MONTH, docs(1))
    with pytest.raises(RuntimeError), store.batch():
        bulk.insert_new(store, MONTH, docs(2))
        assert len(store.partition(MONTH)) == 100  # the read loads them
        assert len(store.history()) == 100
        raise RuntimeError("the batch fails")
    assert len(store.partition(MONTH)) == 50
    assert store.partition(MONTH).get("2026-11-02:p000") is None
    assert len(store.history()) == 50 and store.verify_history().ok
    assert store.check() == []
    store.close()

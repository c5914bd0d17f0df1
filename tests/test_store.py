"""The journaled encrypted store: API, durability, recovery, tamper evidence."""

from __future__ import annotations

import errno
import sys
from pathlib import Path

import orjson
import pytest
import zstandard
from tinydb import Query

from storage.compression import MAGIC
from storage.errors import DuplicateRecord, RecordNotFound, VaultCorrupt, WriteFailed
from storage.store import LENGTH, Store, frame_header, journal_name
from tests.storekit import FaultyIO, TestCipher, folder_bytes

CIPHER = TestCipher()


def _plain(path: Path) -> bytes:
    """A file's plaintext: decrypted, then decompressed with the standard zstd
    decoder (what ``zstd -d`` does), as a recovery script would."""
    plain = CIPHER.decrypt(path.read_bytes())
    assert plain.startswith(MAGIC), "every file is compressed"
    return zstandard.ZstdDecompressor().decompress(plain)


def make_store(folder: Path, **options) -> Store:
    if not (folder / "state.age").exists():
        Store.initialize(folder, CIPHER.encrypt, io=options.get("io", FaultyIO()))
    return Store(folder, CIPHER.encrypt, CIPHER.decrypt, **options)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "data"


def person(i: int) -> dict:
    return {"name": f"p{i}", "group": f"g{i % 3}", "tags": ["a", str(i)]}


def test_crud_and_copies(folder: Path) -> None:
    store = make_store(folder)
    roster = store.partition("roster")
    rid = roster.insert(person(1))
    assert len(rid) == 26 and rid in roster
    doc = roster.get(rid)
    doc["tags"].append("mutated")
    doc["name"] = "changed"
    assert roster.get(rid) == {**person(1), "id": rid}
    updated = roster.update(rid, {"name": "q"})
    assert updated["name"] == "q" and updated["group"] == "g1"
    assert roster.search(Query().name == "q")[0]["id"] == rid
    found = roster.find(group="g1")
    found[0]["tags"].clear()
    assert roster.find(group="g1")[0]["tags"] == ["a", "1"]
    with pytest.raises(DuplicateRecord):
        roster.insert({"id": rid})
    roster.remove(rid)
    assert roster.get(rid) is None
    with pytest.raises(RecordNotFound):
        roster.update(rid, {"name": "x"})
    store.close()


def test_written_documents_are_copies_unless_handed_over(folder: Path) -> None:
    """A caller's document is copied before it is stored (changing it after
    changes nothing stored); one handed over (``owned``: a batch import's
    documents, built for the write) is stored as it is, and is what the
    journal and the snapshot hold."""
    store = make_store(folder)
    roster = store.partition("roster")
    mine = person(1)
    rid = roster.insert(mine)
    mine["tags"].append("later")
    kept = roster.upsert({**person(2), "id": rid})
    assert kept == rid and roster.get(rid)["tags"] == ["a", "2"]
    given = [person(3), person(4)]
    ids = roster.insert_many(given, owned=True)
    assert roster._raw(ids[0]) is given[0] and given[0]["id"] == ids[0]
    replaced = {**person(5), "id": ids[1]}
    assert roster.upsert(replaced, owned=True) == ids[1]
    assert roster._raw(ids[1]) is replaced
    assert roster.get(ids[1]) == {**person(5), "id": ids[1]}
    store.close()
    store = make_store(folder)
    roster = store.partition("roster")
    assert roster.get(ids[1]) == {**person(5), "id": ids[1]}
    assert roster.get(ids[0]) == {**person(3), "id": ids[0]}
    store.close()


def test_reopen_replays_journal_and_compaction(folder: Path) -> None:
    store = make_store(folder)
    roster = store.partition("roster")
    ids = roster.insert_many(person(i) for i in range(50))
    roster.update(ids[0], {"name": "first"})
    roster.remove(ids[1])
    store.close(compact=False)

    store = make_store(folder)
    roster = store.partition("roster")
    assert len(roster) == 49 and roster.get(ids[0])["name"] == "first"
    store.compact()
    assert not store.needs_compaction
    roster.insert({"name": "after"})
    store.close(compact=False)

    store = make_store(folder)
    assert len(store.partition("roster")) == 50
    assert store.verify_history().ok
    assert store.check() == []
    store.close()


def test_find_index_follows_writes(folder: Path) -> None:
    store = make_store(folder)
    roster = store.partition("roster")
    a = roster.insert({"group": "x"})
    assert [d["id"] for d in roster.find(group="x")] == [a]
    roster.update(a, {"group": "y"})
    assert roster.find(group="x") == []
    assert [d["id"] for d in roster.find(group="y")] == [a]
    roster.remove(a)
    assert roster.find(group="y") == []
    store.close()


def test_batch_is_one_frame_and_all_or_nothing(folder: Path) -> None:
    store = make_store(folder)
    roster = store.partition("roster")
    with store.batch():
        roster.insert({"name": "a"})
        roster.insert({"name": "b"})
        assert len(roster) == 2  # reads inside a batch see its writes
    assert store._journal_frames == 1
    before = folder_bytes(folder)
    with pytest.raises(RuntimeError), store.batch():
        roster.insert({"name": "c"})
        raise RuntimeError("abandon")
    assert len(roster) == 2
    assert folder_bytes(folder) == before
    assert store.verify_history().ok
    store.close()


def test_lazy_partitions(folder: Path) -> None:
    store = make_store(folder)
    for month in ("2026-01", "2026-02", "2026-03"):
        store.partition(f"checkins/{month}").insert_many({"t": i} for i in range(10))
    store.close()
    store = make_store(folder)
    assert store.partitions("checkins/") == ["checkins/2026-01", "checkins/2026-02",
                                              "checkins/2026-03"]
    assert not store.is_loaded("checkins/2026-01")
    assert len(store.partition("checkins/2026-02")) == 10
    assert not store.is_loaded("checkins/2026-01")
    store.close()


def test_history_chain_names_first_broken_link(folder: Path) -> None:
    store = make_store(folder)
    roster = store.partition("roster")
    rid = roster.insert({"n": 1})
    roster.update(rid, {"n": 2})
    roster.remove(rid)
    entries = store.history()
    assert [e["op"] for e in entries] == ["insert", "update", "remove"]
    assert entries[2]["hash"] is None and entries[1]["prev"] == entries[0]["entry"]
    assert store.verify_history().ok
    name = f"history/{entries[1]['time'][:7]}"
    part = store.partition(name)
    part._docs[entries[1]["id"]] = {**entries[1], "hash": "0" * 64}  # a quiet rewrite
    report = store.verify_history()
    assert not report.ok and report.broken_at == 2
    store.close(compact=False)


def test_torn_tail_is_cut_with_notice(folder: Path) -> None:
    store = make_store(folder)
    store.partition("roster").insert({"n": 1})
    journal = folder / journal_name(store.gen)
    store.close(compact=False)
    good = journal.read_bytes()
    for tail in (b"\x00\x00", frame_header(500)[:5], frame_header(500) + b"partial",
                 bytes(48)):
        journal.write_bytes(good + tail)
        store = make_store(folder)
        assert len(store.partition("roster")) == 1
        assert [n.key for n in store.notices] == ["storage.journal_torn_tail"]
        store.close(compact=False)
        assert journal.read_bytes() == good


def test_bad_frame_followed_by_good_one_is_tampering(folder: Path) -> None:
    store = make_store(folder)
    roster = store.partition("roster")
    roster.insert({"n": 1})
    roster.insert({"n": 2})
    journal = folder / journal_name(store.gen)
    store.close(compact=False)
    data = bytearray(journal.read_bytes())
    data[LENGTH.size + 20] ^= 1
    journal.write_bytes(bytes(data))
    with pytest.raises(VaultCorrupt) as err:
        make_store(folder)
    assert err.value.params["file"] == f"data/{journal.name}"


def test_dropped_middle_frame_is_detected(folder: Path) -> None:
    store = make_store(folder)
    roster = store.partition("roster")
    for i in range(3):
        roster.insert({"n": i})
    journal = folder / journal_name(store.gen)
    store.close(compact=False)
    data = journal.read_bytes()
    first, _ = LENGTH.unpack_from(data, 0)
    journal.write_bytes(data[LENGTH.size + first:])
    with pytest.raises(VaultCorrupt):
        make_store(folder)


@pytest.mark.parametrize("kind", ["state", "snapshot", "journal"])
def test_flipped_byte_in_each_file_kind(folder: Path, kind: str) -> None:
    store = make_store(folder)
    store.partition("roster").insert_many(person(i) for i in range(5))
    store.compact()
    store.partition("roster").insert(person(9))
    store.close(compact=False)
    target = {
        "state": folder / "state.age",
        "snapshot": next(folder.glob("roster.*.snap.age")),
        "journal": next(folder.glob("journal.*.log")),
    }[kind]
    size = target.stat().st_size
    for position in (0, size // 2, size - 1):
        original = target.read_bytes()
        flipped = bytearray(original)
        flipped[position] ^= 0x40
        target.write_bytes(bytes(flipped))
        with pytest.raises(VaultCorrupt) as err:
            store = make_store(folder)
            store.partition("roster")
        assert err.value.params["file"] == f"data/{target.name}"
        target.write_bytes(original)


def test_swapped_snapshot_is_detected(folder: Path) -> None:
    store = make_store(folder)
    roster = store.partition("roster")
    roster.insert({"n": 1})
    store.compact()
    old = next(folder.glob("roster.*.snap.age")).read_bytes()
    roster.insert({"n": 2})
    store.compact()
    current = next(folder.glob("roster.*.snap.age"))
    store.close()
    current.write_bytes(old)  # a valid, older snapshot put back
    store = make_store(folder)
    with pytest.raises(VaultCorrupt):
        store.partition("roster")


@pytest.mark.parametrize(
    ("op", "partial"),
    [("append", False), ("append", True), ("fsync", False)],
)
@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EIO, errno.EACCES])
def test_failed_write_changes_nothing(folder: Path, op: str, partial: bool, code: int) -> None:
    io = FaultyIO()
    store = make_store(folder, io=io)
    roster = store.partition("roster")
    rid = roster.insert({"n": 1})
    files, head = folder_bytes(folder), store.head
    io.fail, io.errno, io.partial = op, code, partial
    with pytest.raises(WriteFailed) as err:
        roster.update(rid, {"n": 2})
    assert err.value.params["reason"] == errno.errorcode[code]
    with pytest.raises(WriteFailed):
        roster.insert({"n": 3})
    assert folder_bytes(folder) == files
    assert roster.all() == [{"id": rid, "n": 1}] and store.head == head
    io.fail = None
    roster.update(rid, {"n": 2})
    store.close(compact=False)
    store = make_store(folder)
    assert store.partition("roster").get(rid)["n"] == 2
    assert store.check() == []
    store.close()


def test_failed_truncate_after_failed_write_refuses_until_reopen(folder: Path) -> None:
    io = FaultyIO()
    store = make_store(folder, io=io)
    roster = store.partition("roster")
    roster.insert({"n": 1})
    io.fail, io.partial = "append", True
    original_truncate = io.truncate

    def failing_truncate(handle, size):
        raise OSError(errno.EIO, "I/O error")

    io.truncate = failing_truncate  # type: ignore[method-assign]
    with pytest.raises(WriteFailed):
        roster.insert({"n": 2})
    io.fail = None
    io.truncate = original_truncate  # type: ignore[method-assign]
    with pytest.raises(WriteFailed):
        roster.insert({"n": 3})
    store.close(compact=False)
    store = make_store(folder, io=io)  # the half frame is a torn tail
    assert [d["n"] for d in store.partition("roster").all()] == [1]
    assert store.notices[0].key == "storage.journal_torn_tail"
    store.close()


@pytest.mark.parametrize("op", ["write_atomic", "replace", "link"])
def test_failed_compaction_changes_nothing(tmp_path: Path, op: str) -> None:
    folder = tmp_path / "data"
    io = FaultyIO()
    store = make_store(folder, io=io, backups=tmp_path / "backups")
    roster = store.partition("roster")
    roster.insert_many(person(i) for i in range(10))
    files = folder_bytes(folder)
    io.fail = op
    with pytest.raises(WriteFailed):
        store.compact()
    assert folder_bytes(folder) == files
    assert list((tmp_path / "backups").iterdir()) == [] if op == "link" else True
    roster.insert(person(11))  # the journal still works
    io.fail = None
    store.compact()
    store.close()
    store = make_store(folder, io=io)
    assert len(store.partition("roster")) == 11
    assert store.check() == []
    store.close()


def test_backups_rotate(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    store = make_store(folder, backups=tmp_path / "backups", keep_backups=3)
    roster = store.partition("roster")
    for i in range(6):
        roster.insert(person(i))
        store.compact()
    sets = sorted((tmp_path / "backups").iterdir())
    assert len(sets) == 3
    newest = sets[-1]
    assert (newest / "state.age").is_file()
    store.close()


@pytest.mark.parametrize("links", [True, False])
def test_backup_sets_share_unchanged_snapshots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               links: bool) -> None:
    """A snapshot that did not change is one file across every backup set:
    hard-linked, or where the file system has none (FAT, exFAT: ``os.link``
    fails), moved on from the older set to the newer one, which the older
    set lists. Every set kept restores whole, its moved-on files taken from
    the later sets, and the list itself is never restored."""
    from storage.store import MOVED_ON, backup_sets, restore_backup

    if not links:
        def no_link(*_args: object, **_kwargs: object) -> None:
            raise OSError(errno.EPERM, "no hard links on this file system")

        monkeypatch.setattr("os.link", no_link)
    backups = tmp_path / "backups"
    store = make_store(tmp_path / "data", backups=backups, keep_backups=3)
    store.partition("roster").insert_many(person(i) for i in range(200))
    for i in range(5):
        store.partition("tasks").insert({"n": i})
        store.compact()
    store.close()
    sets = backup_sets(backups)
    assert len(sets) == 3
    held = [p for s in sets for p in s.iterdir() if p.name.startswith("roster.")]
    assert len({p.name for p in held}) == 1
    assert len({(p.stat().st_dev, p.stat().st_ino) for p in held}) == 1
    assert len(held) == (3 if links else 1)
    assert any((s / MOVED_ON).exists() for s in sets) is not links
    for n, backup in enumerate(sets):
        (tmp_path / f"r{n}").mkdir()
        data = tmp_path / f"r{n}" / "data"
        restore_backup(data, backup)
        assert not (data / MOVED_ON).exists()
        restored = make_store(data)
        assert len(restored.partition("roster")) == 200
        assert len(restored.partition("tasks")) == 3 + n
        assert restored.check() == []
        restored.close()



@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need a privilege on Windows")
def test_an_edited_moved_on_list_reaches_nothing_outside_the_sets(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Someone edits a set's moved-on list to name paths (``../``, absolute)
    and puts a link named like a snapshot in a later set: a restore takes
    neither, never copying a file from outside the backup sets."""
    from storage.store import MOVED_ON, backup_sets, restore_backup

    def no_link(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.EPERM, "no hard links on this file system")

    monkeypatch.setattr("os.link", no_link)
    backups = tmp_path / "backups"
    store = make_store(tmp_path / "data", backups=backups, keep_backups=3)
    store.partition("roster").insert_many(person(i) for i in range(20))
    for i in range(3):
        store.partition("tasks").insert({"n": i})
        store.compact()
    store.close()
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the vault", encoding="utf-8")
    sets = backup_sets(backups)
    at = next(n for n, s in enumerate(sets) if (s / MOVED_ON).exists())
    lister, later = sets[at], sets[at + 1:]
    listed = (lister / MOVED_ON).read_text(encoding="utf-8").split()
    assert listed
    with (lister / MOVED_ON).open("a", encoding="utf-8") as listing:
        listing.write("../../secret.txt\n" + str(secret) + "\nsecret.txt\n")

    (tmp_path / "r0").mkdir()
    restore_backup(tmp_path / "r0" / "data", lister)  # the edits are passed over
    restored = tmp_path / "r0" / "data"
    assert not (restored / "secret.txt").exists()
    assert not any(p.read_bytes() == secret.read_bytes()
                   for p in restored.iterdir() if p.is_file())
    store = make_store(restored)
    assert store.check() == []
    store.close()

    # the moved-on snapshot's newest holder replaced by a link to the secret
    holder = next(s / name for name in listed for s in reversed(later) if (s / name).exists())
    holder.unlink()
    holder.symlink_to(secret)
    (tmp_path / "r1").mkdir()
    with pytest.raises(FileNotFoundError):
        restore_backup(tmp_path / "r1" / "data", lister)
    assert not (tmp_path / "r1" / "data").exists()

def test_a_backup_that_cannot_move_a_file_on_leaves_the_older_set_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No hard links, and the move of an unchanged snapshot to the new set
    fails (a full or busy disk): the compaction says so, the half-made set is
    gone, the older set still restores, and the next compaction succeeds."""
    from storage.store import backup_sets, restore_backup

    def no_link(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.EPERM, "no hard links on this file system")

    monkeypatch.setattr("os.link", no_link)
    io, backups = FaultyIO(), tmp_path / "backups"
    store = make_store(tmp_path / "data", io=io, backups=backups)
    store.partition("roster").insert_many(person(i) for i in range(20))
    for i in range(2):
        store.partition("tasks").insert({"n": i})
        store.compact()
    store.partition("tasks").insert({"n": 2})
    before = backup_sets(backups)
    io.fail = "replace"
    with pytest.raises(WriteFailed):
        store.compact()
    io.fail = None
    assert backup_sets(backups) == before
    (tmp_path / "r").mkdir()
    restore_backup(tmp_path / "r" / "data", before[-1])
    restored = make_store(tmp_path / "r" / "data")
    assert (len(restored.partition("roster")), len(restored.partition("tasks"))) == (20, 2)
    restored.close()
    store.compact()
    assert len(backup_sets(backups)) == len(before) + 1
    store.close()


def test_auto_compaction_past_threshold(folder: Path) -> None:
    store = make_store(folder, compact_frames=10)
    roster = store.partition("roster")
    gen = store.gen
    for i in range(25):
        roster.insert(person(i))
    assert store.gen == gen + 2
    store.close()
    store = make_store(folder)
    assert len(store.partition("roster")) == 25
    assert store.check() == []
    store.close()


def test_load_current_authenticates_what_a_session_needs_at_once(folder: Path) -> None:
    store = make_store(folder)
    store.partition("roster").insert({"n": 1})
    for month in ("2026-10", "2026-11"):
        store.partition(f"checkins/{month}").insert({"n": 1})
    store.close()
    store = make_store(folder)
    store.load_current()
    assert store.is_loaded("roster") and store.is_loaded("checkins/2026-11")
    assert not store.is_loaded("checkins/2026-10")
    assert not any(store.is_loaded(n) for n in store.partitions("history/"))
    store.close()


# -- snapshots: version 2 (documents parsed as they are needed), version 1 read --------
def _snapshot(folder: Path, partition: str) -> Path:
    return next(folder.glob(partition.replace("/", "@") + ".*.snap.age"))


def test_snapshot_v2_is_one_json_object_any_tool_reads(folder: Path) -> None:
    import json

    store = make_store(folder)
    ids = store.partition("roster").insert_many(person(i) for i in range(5))
    store.partition("empty").insert({"n": 1})
    store.partition("empty").remove(store.partition("empty").ids()[0])
    store.close()
    plain = _plain(_snapshot(folder, "roster"))
    snap = json.loads(plain)  # the standard library, as a recovery script would
    assert snap["v"] == 2 and snap["partition"] == "roster" and snap["ids"] == ids
    assert [d["id"] for d in snap["docs"]] == ids
    assert snap["docs"][3] == {**person(3), "id": ids[3]}
    assert plain.count(b"\n") == 6  # the keys, a line per document, the end
    empty = json.loads(_plain(_snapshot(folder, "empty")))
    assert empty["ids"] == [] and empty["docs"] == []
    store = make_store(folder)
    assert store.partition("empty").all() == []
    assert store.partition("roster").ids() == ids
    store.close()


def _as_v1(folder: Path, partition: str) -> None:
    """Rewrite a partition's snapshot the way version 1 wrote it."""
    import orjson

    path = _snapshot(folder, partition)
    snap = orjson.loads(_plain(path))
    old = {"v": 1, "partition": snap["partition"], "gen": snap["gen"], "seq": snap["seq"],
           "docs": dict(zip(snap["ids"], snap["docs"], strict=True))}
    path.write_bytes(CIPHER.encrypt(orjson.dumps(old)))


def test_version_1_snapshots_still_read_and_rewritten_as_version_2(folder: Path) -> None:
    store = make_store(folder)
    ids = store.partition("roster").insert_many(person(i) for i in range(20))
    store.close()
    _as_v1(folder, "roster")
    store = make_store(folder)
    roster = store.partition("roster")
    assert roster.ids() == ids and roster.get(ids[7]) == {**person(7), "id": ids[7]}
    assert roster._unparsed == 0  # version 1: parsed whole, as before
    roster.update(ids[0], {"name": "new"})
    store.close()
    assert _plain(_snapshot(folder, "roster")).startswith(b'{"v":2,')
    store = make_store(folder)
    assert store.partition("roster").get(ids[0])["name"] == "new"
    assert store.partition("roster").ids() == ids
    store.close()


def test_documents_are_parsed_only_as_they_are_needed(folder: Path) -> None:
    store = make_store(folder)
    month = store.partition("checkins/2026-11")
    ids = month.insert_many({"id": f"2026-11-{d:02d}:p{i}", "day": d, "tags": [i]}
                            for d in (1, 2, 3) for i in range(4))
    store.close()
    store = make_store(folder)
    month = store.partition("checkins/2026-11")
    assert month._unparsed == 12 and len(month) == 12 and month.ids() == ids
    day = month.get_many([i for i in month.ids() if i.startswith("2026-11-02:")])
    assert [d["id"] for d in day] == ids[4:8] and month._unparsed == 12  # copies, parsed
    day[0]["tags"].append("mutated")
    assert month.get(ids[4]) == {"id": ids[4], "day": 2, "tags": [0]}
    everything = month.all()  # copies too: the partition stays unparsed
    assert [d["id"] for d in everything] == ids and month._unparsed == 12
    everything[0]["day"] = 9
    month.update(ids[1], {"day": 7})  # a write parses the one document it changes
    assert month._unparsed == 11 and month.get(ids[0])["day"] == 1
    assert month.find(day=3)[0]["id"] == ids[8] and month._unparsed == 0  # an index: all
    assert month.ids() == ids  # parsed in place: the order stays
    store.close()
    store = make_store(folder)
    assert store.partition("checkins/2026-11").get(ids[1])["day"] == 7
    assert store.partition("checkins/2026-11").ids() == ids
    store.close()


def test_unparsed_documents_are_written_back_unchanged(folder: Path) -> None:
    store = make_store(folder)
    ids = store.partition("roster").insert_many(person(i) for i in range(6))
    store.close()
    before = _plain(_snapshot(folder, "roster"))
    store = make_store(folder)
    roster = store.partition("roster")
    roster.update(ids[2], {"name": "changed"})
    assert roster._unparsed == 5
    store.close()
    after = _plain(_snapshot(folder, "roster"))
    old, new = before.split(b"\n")[1:-1], after.split(b"\n")[1:-1]
    assert [a == b for a, b in zip(old, new, strict=True)] == [1, 1, 0, 1, 1, 1]
    store = make_store(folder)
    assert store.check() == []  # every record still hashes as its history says
    store.close()


def test_view_gives_the_live_documents(folder: Path) -> None:
    store = make_store(folder)
    ids = store.partition("roster").insert_many(person(i) for i in range(3))
    store.close()
    store = make_store(folder)
    roster = store.partition("roster")
    live = roster.view()
    assert roster._unparsed == 0 and [d["id"] for d in live] == ids
    assert live[1] is roster._raw(ids[1]) and live[1] == {**person(1), "id": ids[1]}
    roster.update(ids[1], {"name": "x"})  # a write puts a new document: the old one stays
    assert live[1]["name"] == "p1" and roster.view()[1]["name"] == "x"
    store.close()


def _rewrite(folder: Path, partition: str, change) -> None:  # type: ignore[no-untyped-def]
    path = _snapshot(folder, partition)
    path.write_bytes(CIPHER.encrypt(change(_plain(path))))


@pytest.mark.parametrize("change", [
    lambda p: p.replace(b'"ids":["', b'"ids":["x', 1),  # an id its document disowns
    lambda p: p.replace(b'{"name":"p1"', b'["name","p1"', 1).replace(b"]}\n", b"}}\n", 1),
    lambda p: p.replace(b'{"name":"p1"', b'{"name":p1"', 1),  # not JSON
])
def test_an_authenticated_document_that_is_wrong_is_refused_when_read(
        folder: Path, change) -> None:  # type: ignore[no-untyped-def]
    store = make_store(folder)
    store.partition("roster").insert_many(person(i) for i in range(3))
    store.close()
    _rewrite(folder, "roster", change)
    store = make_store(folder)
    roster = store.partition("roster")
    with pytest.raises(VaultCorrupt) as exc:
        roster.all()
    assert exc.value.params["partition"] == "roster"
    assert exc.value.params["file"].startswith("data/roster.")
    with pytest.raises(VaultCorrupt):
        roster.search(Query().name == "p1")
    store.close(compact=False)


@pytest.mark.parametrize("change", [
    lambda p: p.replace(b'"ids":["', b'"ids":["extra","', 1),  # more ids than documents
    lambda p: p.replace(b",\n", b",", 1),  # two documents on one line
    lambda p: p.replace(b'"ids":[', b'"ids":[1,', 1).replace(b"\n{", b"\n{},\n{", 1),
    lambda p: p[:-1],  # cut short
    lambda p: p.replace(b'"v":2', b'"v":3', 1),
])
def test_a_snapshot_whose_layout_does_not_hold_is_refused_at_load(
        folder: Path, change) -> None:  # type: ignore[no-untyped-def]
    store = make_store(folder)
    store.partition("roster").insert_many(person(i) for i in range(3))
    store.close()
    _rewrite(folder, "roster", change)
    store = make_store(folder)
    with pytest.raises(VaultCorrupt):
        store.partition("roster")
    store.close(compact=False)


def test_load_current_parses_what_services_keep_and_leaves_months_unparsed(
        folder: Path) -> None:
    store = make_store(folder)
    store.partition("roster").insert_many(person(i) for i in range(3))
    store.partition("checkins/2026-11").insert_many({"n": i} for i in range(3))
    store.close()
    store = make_store(folder)
    store.load_current()
    assert store.partition("roster")._unparsed == 0
    assert store.partition("checkins/2026-11")._unparsed == 3
    store.close()


def test_a_version_2_snapshot_laid_out_otherwise_still_reads(folder: Path) -> None:
    """Written again by another JSON tool (say, indented), it is parsed whole."""
    import json

    store = make_store(folder)
    ids = store.partition("roster").insert_many(person(i) for i in range(3))
    store.close()
    _rewrite(folder, "roster", lambda p: json.dumps(json.loads(p), indent=2).encode())
    store = make_store(folder)
    assert store.partition("roster").all() == [{**person(i), "id": ids[i]} for i in range(3)]
    store.close()


def test_copies_parsed_from_a_snapshot_are_not_frozen(folder: Path) -> None:
    """Only documents a partition keeps are moved out of the collector's way
    (gc.freeze); copies handed out, parsed from the bytes, stay collectable."""
    import gc

    store = make_store(folder)
    ids = store.partition("roster").insert_many(person(i) for i in range(5))
    store.close()
    store = make_store(folder)
    roster = store.partition("roster")
    frozen = gc.get_freeze_count()
    copies = roster.get_many(ids) + roster.all()
    assert len(copies) == 10 and gc.get_freeze_count() == frozen
    roster.view()  # parsed in place: kept, frozen
    assert gc.get_freeze_count() > frozen
    store.close()


def test_a_store_written_uncompressed_opens_and_is_compressed_as_it_is_rewritten(
        folder: Path) -> None:
    """Before issue 19 nothing was compressed: state, snapshots and journal
    frames are plain JSON under age. Such a store opens, and what is written
    from then on is compressed, file by file."""
    Store.initialize(folder, CIPHER.encrypt, io=FaultyIO(), compressed=False)
    old = Store(folder, CIPHER.encrypt, CIPHER.decrypt, compressed=False)
    ids = old.partition("roster").insert_many(person(i) for i in range(30))
    old.partition("checkins/2026-11").insert({"id": "2026-11-01:a", "t": "36.5"})
    old.close()
    old = Store(folder, CIPHER.encrypt, CIPHER.decrypt, compressed=False)
    old.partition("roster").update(ids[3], {"name": "in the journal"})
    old.close(compact=False)
    for path in [folder / "state.age", *folder.glob("*.snap.age")]:
        assert CIPHER.decrypt(path.read_bytes()).startswith(b"{")
    store = make_store(folder)
    assert store.partition("roster").get(ids[3])["name"] == "in the journal"
    assert store.partition("checkins/2026-11").get("2026-11-01:a")["t"] == "36.5"
    assert store.check() == []
    store.partition("roster").update(ids[4], {"name": "new"})
    store.close()
    assert orjson.loads(_plain(folder / "state.age"))["seq"] == store.seq
    assert b"new" in _plain(_snapshot(folder, "roster"))
    store = make_store(folder)
    assert [d["name"] for d in store.partition("roster").get_many(ids[3:5])] == [
        "in the journal", "new"]
    assert store.partition("checkins/2026-11").all()[0]["t"] == "36.5"  # old file, kept
    store.close()


@pytest.mark.parametrize("tamper", ["no size", "trailing", "cut", "over the limit"])
def test_a_compressed_plaintext_that_does_not_hold_together_is_corruption(
        folder: Path, tamper: str) -> None:
    from storage import compression

    store = make_store(folder)
    store.partition("roster").insert_many(person(i) for i in range(5))
    store.close()
    path = _snapshot(folder, "roster")
    plain = _plain(path)
    if tamper == "no size":
        frame = zstandard.ZstdCompressor(write_content_size=False).compress(plain)
    elif tamper == "trailing":
        frame = compression.compress(plain) + compression.compress(b"{}")
    elif tamper == "cut":
        frame = compression.compress(plain)[:-5]
    else:
        frame = compression.compress(plain + b" " * 4096)
    path.write_bytes(CIPHER.encrypt(frame))
    if tamper == "over the limit":
        with pytest.raises(ValueError):
            compression.decompress(frame, limit=len(plain))
        return
    with pytest.raises(VaultCorrupt):
        make_store(folder).partition("roster")


def test_check_finds_a_record_changed_behind_the_history(folder: Path) -> None:
    store = make_store(folder, history_key=b"h" * 32)
    ids = store.partition("roster").insert_many(person(i) for i in range(8))
    store.partition("checkins/2026-11").insert({"id": "2026-11-02:a", "t": "36.5"})
    store.close()
    _rewrite(folder, "roster", lambda p: p.replace(b'"name":"p5"', b'"name":"p9"', 1))
    store = make_store(folder, history_key=b"h" * 32)
    assert store.check() == ["record:roster"]
    assert not store.is_loaded("roster")  # read for the check, not kept
    assert store.partition("roster").get(ids[5])["name"] == "p9"
    store.close()


def test_check_follows_the_chain_across_months_a_clock_set_back_mixed(folder: Path) -> None:
    times = iter(["2026-12-01T00:00:00.000Z"] * 3 + ["2026-11-30T00:00:00.000Z"] * 3
                 + ["2026-12-02T00:00:00.000Z"] * 100)
    store = make_store(folder, clock=lambda: next(times))
    for i in range(4):
        store.partition("roster").insert(person(i))
    assert store.partitions("history/") == ["history/2026-11", "history/2026-12"]
    store.close()
    store = make_store(folder)
    assert store.check() == []
    store.close()


def test_check_names_a_broken_history_chain(folder: Path) -> None:
    store = make_store(folder)
    store.partition("roster").insert_many(person(i) for i in range(3))
    store.partition("roster").insert(person(4))
    [month] = store.partitions("history/")
    store.close()
    _rewrite(folder, month, lambda p: p.replace(b'"op":"insert"', b'"op":"update"', 1))
    store = make_store(folder)
    assert store.check()[0].startswith("history:entry@")
    store.close()


def test_compaction_deferred_compacts_once_at_the_end(folder: Path, tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    store = make_store(folder, compact_frames=3, backups=backups)
    with store.compaction_deferred(backup=False):
        for i in range(10):
            store.partition("roster").insert(person(i))
        assert store.gen == 1 and store.needs_compaction  # ten frames, none compacted
    assert store.gen == 2 and not store.needs_compaction
    assert not backups.exists()  # that one compaction kept no set
    for i in range(3):
        store.partition("roster").insert(person(i))
    assert store.gen == 3 and len(list(backups.iterdir())) == 1  # as before, outside
    store.close()
    store = make_store(folder)
    assert len(store.partition("roster")) == 13 and store.check() == []
    store.close()


def test_shared_values_are_invisible_to_readers(folder: Path) -> None:
    store = make_store(folder)
    ids = store.partition("checkins/2026-11").insert_many(
        {"id": f"2026-11-01:p{i}", "date": "2026-11-01", "note": "x" * 40} for i in range(4))
    store.close()
    store = make_store(folder)
    month = store.partition("checkins/2026-11")
    live = month.view()
    assert live[0]["date"] is live[3]["date"]  # one object for the repeated date
    assert live[0]["note"] is not live[3]["note"]  # a long text is not shared
    copy = month.get(ids[1])
    copy["date"] = "changed"
    assert month.get(ids[1])["date"] == "2026-11-01" and live[1]["date"] == "2026-11-01"
    store.close()


def test_a_failed_write_takes_its_history_entry_back_from_an_unloaded_month(
        folder: Path) -> None:
    io = FaultyIO()
    store = make_store(folder, io=io)
    store.partition("roster").insert(person(0))
    store.close()
    store = make_store(folder, io=io)
    [month] = store.partitions("history/")
    store.partition("roster").insert(person(1))
    assert not store.is_loaded(month) and store._appended[month].count == 1
    io.fail = "append"
    with pytest.raises(WriteFailed), store.batch():
        store.partition("roster").insert(person(2))
        store.partition("roster").insert(person(3))
    io.fail = None
    assert store._appended[month].count == 1
    store.partition("roster").insert(person(4))
    assert [e["seq"] for e in store.history()] == [1, 2, 3]
    assert store.verify_history().ok and store.check() == []
    store.close()
    store = make_store(folder)
    assert [d["name"] for d in store.partition("roster").all()] == ["p0", "p1", "p4"]
    assert store.check() == []
    store.close()


def test_a_month_of_history_not_loaded_is_compacted_without_being_parsed(
        folder: Path) -> None:
    store = make_store(folder)
    ids = store.partition("roster").insert_many(person(i) for i in range(3))
    store.close()
    for round_ in range(3):  # each: new entries after the snapshot's, then compaction
        store = make_store(folder)
        store.partition("roster").update(ids[round_], {"name": f"round {round_}"})
        store.partition("roster").insert(person(10 + round_))
        [month] = store.partitions("history/")
        store.compact()
        assert not store.is_loaded(month) and not store._appended
        store.close()
    store = make_store(folder)
    history = store.history()
    assert [e["seq"] for e in history] == list(range(1, len(history) + 1)) and len(history) == 9
    assert store.check() == [] and len(store.partition("roster")) == 6
    plain = _plain(_snapshot(folder, month))
    assert plain.count(b"\n") == 10  # the v2 layout: a line per entry
    store.close()


def test_check_reads_months_whose_runs_lie_apart_in_seq_order(folder: Path) -> None:
    """As the demo writes a semester: the vault is created today (its first
    entry in this month), then past months are filled, then today again. The
    check reads the runs of each month in seq order (a month read twice), and
    still finds a record changed behind the history."""
    times = iter(["2026-12-05T00:00:00.000Z"] * 2 + ["2026-10-01T00:00:00.000Z"] * 5
                 + ["2026-11-01T00:00:00.000Z"] * 5 + ["2026-12-05T00:00:00.000Z"] * 100)
    store = make_store(folder, clock=lambda: next(times), history_key=b"h" * 32)
    ids = [store.partition("roster").insert(person(i)) for i in range(14)]
    assert store.partitions("history/") == ["history/2026-10", "history/2026-11",
                                            "history/2026-12"]
    store.close()
    store = make_store(folder, history_key=b"h" * 32)
    by_month = [e["seq"] for entries in store._history_slices() for e in entries]
    assert by_month[0] != 1 and sorted(by_month) == list(range(1, 15))  # months: out of order
    slices = [[e["seq"] for e in entries] for entries in store._history_in_order(size=3)]
    assert [seq for piece in slices for seq in piece] == list(range(1, 15))
    assert max(map(len, slices)) <= 3
    assert store.check() == []
    store.close()
    _rewrite(folder, "roster", lambda p: p.replace(b'"name":"p12"', b'"name":"p13"', 1))
    store = make_store(folder, history_key=b"h" * 32)
    assert store.check() == ["record:roster"]
    assert store.partition("roster").get(ids[12])["name"] == "p13"
    store.close()


def _out_of_order_vault(folder: Path) -> None:
    """As the demo writes a semester (see the test above), with updates and
    a removal in past months of records created this month: a record's
    latest entry lies in a month read before the one of its first."""
    times = iter(["2026-12-05T00:00:00.000Z"] * 4 + ["2026-10-01T00:00:00.000Z"] * 6
                 + ["2026-11-01T00:00:00.000Z"] * 4 + ["2026-12-05T00:00:00.000Z"] * 100)
    store = make_store(folder, clock=lambda: next(times), history_key=b"h" * 32)
    roster = store.partition("roster")
    ids = [roster.insert(person(i)) for i in range(2)]  # seq 1, 2: this month
    roster.insert(person(2))  # 3, 4, 5: october
    roster.update(ids[0], {"name": "changed in october"})
    roster.update(ids[1], {"name": "changed in october"})
    roster.insert(person(3))  # 6, 7: november
    roster.remove(ids[0])
    for i in range(4, 8):  # 8 to 11, and 12: this month
        roster.insert(person(i))
    roster.update(ids[1], {"name": "changed again"})
    assert [[e["seq"] for e in store.partition(m).view()] for m in store.partitions("history/")
            ] == [[3, 4, 5], [6, 7], [1, 2, 8, 9, 10, 11, 12]]
    store.close()


def _entry_line(seq: int) -> bytes:
    return f'{{"seq":{seq},'.encode()


@pytest.mark.parametrize(("month", "change"), [
    (None, None),
    ("history/2026-10", lambda p: p.replace(b'"op":"insert"', b'"op":"update"', 1)),
    ("history/2026-11", lambda p: p.replace(b'"op":"remove"', b'"op":"insert"', 1)),
    ("history/2026-12", lambda p: p.replace(b'"op":"insert"', b'"op":"remove"', 1)),
    ("history/2026-12", lambda p: p.replace(b'"time":"2026-12-05', b'"time":"2026-12-06', 1)),
    ("history/2026-11", lambda p: p.replace(_entry_line(6), _entry_line(7), 1)),
    ("history/2026-10", lambda p: p.replace(_entry_line(4), _entry_line(5), 1)),
    ("history/2026-12", lambda p: p.replace(_entry_line(1), _entry_line(0), 1)),
    ("history/2026-12", lambda p: p.replace(_entry_line(1), b'{"seq":true,', 1)),
    ("history/2026-12", lambda p: p.replace(_entry_line(12), b'{"seq":12.0,', 1)),
    ("history/2026-10", lambda p: p.replace(b'"prev":"', b'"prev":"0', 1)),
    ("history/2026-11", lambda p: p.replace(b'"record":"', b'"record":"x', 1)),
    ("history/2026-10", lambda p: p.replace(b'"hash":"', b'"hash":"A', 1)),
    ("history/2026-10", lambda p: p.replace(b'"000000000003"', b'"x00000000003"', 2)),
    ("history/2026-10", lambda p: p.replace(b'"000000000004"', b'"000000000014"', 2)),
    ("history/2026-11", lambda p: p.replace(b',"partition":"roster"', b"", 1)),
    ("roster", lambda p: p.replace(b'"name":"p6"', b'"name":"p7"', 1)),
    ("roster", lambda p: p.replace(b'"name":"changed again"', b'"name":"changed"', 1)),
])
def test_check_walks_the_history_once_and_finds_what_the_long_way_finds(
        folder: Path, month, change) -> None:  # type: ignore[no-untyped-def]
    """The check reads each month once and walks the runs of consecutive
    ids, joined in month order then in seq order: what it finds, for each
    change to an authenticated file, is what reading every entry in order
    (``_history_long_way``) finds."""
    _out_of_order_vault(folder)
    if change is not None:
        before = _plain(_snapshot(folder, month))
        assert change(before) != before
        _rewrite(folder, month, change)
    store = make_store(folder, history_key=b"h" * 32)
    read: list[str] = []
    load = store._load_docs
    store._load_docs = lambda name: (read.append(name), load(name))[1]  # type: ignore[method-assign]

    def hashes(latest: dict) -> dict:  # type: ignore[type-arg]
        return {p: {r: v.hex() if isinstance(v, bytes) else v for r, (_, v) in rs.items()}
                for p, rs in latest.items()}

    def outcome(way):  # type: ignore[no-untyped-def]
        try:
            found = way()
        except VaultCorrupt as exc:
            return exc.params
        return None if found is None else (found[0], hashes(found[1]) if found[0] is None else 0)

    walked = outcome(store._walk_history)
    months = [n for n in read if n.startswith("history/")]
    assert months == sorted(set(months))  # each month read once, in order
    if walked is not None:
        assert walked == outcome(store._history_long_way)
    for size in (1, 2, 3):  # slices across runs and months, each walked at once or one by one
        assert outcome(lambda: store._walk_history(size)) == walked  # noqa: B023 (called at once)
    try:
        problems = store.check()
    except VaultCorrupt as exc:
        assert walked == exc.params
    else:
        assert problems == ([] if change is None else ["record:roster"] if month == "roster"
                            else [walked[0] if walked else problems[0]])
        assert change is None or problems[0].startswith(("history:", "record:"))
    store.close(compact=False)

"""The journaled, encrypted document store behind a vault.

Files in ``data/`` (all age-encrypted to the vault's own key; framing in
docs/formats.md):

- ``state.age``: the commit point of compaction — the journal generation in
  use, the last sequence the snapshots include, the history head, and the
  manifest (file name, SHA-256 and sequence of each partition's snapshot).
- ``<partition>.<gen>.snap.age``: one snapshot per partition (``/`` in a
  partition name becomes ``@``).
- ``journal.<gen>.log``: append-only frames, each an 8-byte header (the body's
  length and the CRC-32 of those 4 length bytes, both big-endian) and one
  complete age message whose plaintext carries (generation, sequence)
  and the frame's operations. One logical write (or batch) is one frame,
  fsynced before the call returns.

Partitions load lazily: opening reads only ``state.age`` and the journal.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import functools
import gc
import hashlib
import hmac
import itertools
import os
import re
import shutil
import struct
import threading
import zlib
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from storage import history as hist
from storage.compression import compress, decompress
from storage.errors import StorageError, VaultClosed, VaultCorrupt, WriteFailed
from storage.fsio import DEFAULT_IO, FileIO, make_private_dir, retry_busy
from storage.partition import Doc, Partition
from storage.partition import bulk as _bulk
from storage.records import canonical_json, keyed_hash, sha256_hex

Cipher = Callable[[bytes], bytes]

FORMAT = 1
SNAPSHOT_FORMAT = 2  # version 1 snapshots are still read
STATE_FILE = "state.age"
LENGTH = struct.Struct(">II")  # body length, CRC-32 of the 4 length bytes
MAX_FRAME = 256 << 20
PARTITION_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}(/[0-9]{4}-[0-9]{2})?$")
_SNAPSHOT_FILE = re.compile(r"^(?P<stem>[a-z0-9_@-]+)\.(?P<gen>[0-9]{8})\.snap\.age$")
_JOURNAL_FILE = re.compile(r"^journal\.(?P<gen>[0-9]{8})\.log$")


_DOCS_OPEN = b'"docs":['
_DOCS_CLOSE = b"\n]}"
_DOC_GAP = b",\n"  # between two documents (no document holds a raw newline)
_DOC_SEPARATOR = re.compile(re.escape(_DOC_GAP))


def encode_snapshot(name: str, gen: int, seq: int, ids: list[str],
                    body: bytes | bytearray) -> bytearray:
    """A version 2 snapshot's plaintext: still one JSON object, laid out so
    the documents can be found without parsing them. The first line holds
    every key but the documents (``ids`` in order) and ends with
    ``"docs":[``; then each document's compact JSON on its own line (compact
    JSON has no raw newline), ``,`` ending every line but the last; then ``]}``.
    ``body`` is the documents' JSON already joined with ``_DOC_GAP``."""
    head = orjson.dumps({"v": SNAPSHOT_FORMAT, "partition": name, "gen": gen, "seq": seq,
                         "ids": ids, "docs": []})
    if not head.endswith(_DOCS_OPEN + b"]}"):  # orjson keeps the keys' order
        raise RuntimeError("snapshot header out of order")
    out = bytearray(head[:-2])
    out += b"\n"
    out += body
    out += _DOCS_CLOSE
    return out


def decode_snapshot(plain: bytes) -> tuple[dict[str, Any], dict[str, Any], bytes, list[int]]:
    """(the snapshot's keys, id -> document or the position of its unparsed
    JSON, the bytes holding those, where each ends). A version 2 layout is
    split without parsing the documents; anything else (version 1: ``docs``
    maps each id to its document) is parsed whole. Raises ``ValueError`` if
    the layout does not hold together."""
    cut = plain.find(b"\n")
    if cut > 0 and plain.endswith(_DOCS_CLOSE) and plain[:cut].endswith(_DOCS_OPEN):
        head = orjson.loads(plain[:cut] + b"]}")
        if type(head) is dict and head.get("v") == SNAPSHOT_FORMAT:
            ids = head.get("ids")
            body = plain[cut + 1: len(plain) - len(_DOCS_CLOSE)]
            ends = [m.start() for m in _DOC_SEPARATOR.finditer(body)]
            if body:
                ends.append(len(body))
            if type(ids) is not list or len(ids) != len(ends):
                raise ValueError("snapshot ids and documents disagree")
            "".join(ids)  # TypeError unless every id is a string
            docs = dict(zip(ids, range(len(ids)), strict=True))
            if len(docs) != len(ids):
                raise ValueError("a repeated id")
            return head, docs, body, ends
    snap = orjson.loads(plain)
    if type(snap) is not dict:
        raise ValueError("not a snapshot")
    if snap.get("v") == SNAPSHOT_FORMAT:  # the same content laid out otherwise
        ids, listed = snap.get("ids"), snap.get("docs")
        if type(ids) is not list or type(listed) is not list or len(ids) != len(listed):
            raise ValueError("snapshot ids and documents disagree")
        docs = dict(zip(ids, listed, strict=True))
        if len(docs) != len(ids) or not all(type(d) is dict for d in listed):
            raise ValueError("bad snapshot documents")
        return snap, docs, b"", []
    docs = snap.get("docs")
    if type(docs) is not dict or not all(type(d) is dict for d in docs.values()):
        raise ValueError("bad snapshot documents")
    return snap, docs, b"", []


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def frame_header(length: int) -> bytes:
    return LENGTH.pack(length, zlib.crc32(length.to_bytes(4, "big")))


def journal_name(gen: int) -> str:
    return f"journal.{gen:08d}.log"


def snapshot_name(partition: str, gen: int) -> str:
    return f"{partition.replace('/', '@')}.{gen:08d}.snap.age"


def _reason(exc: OSError) -> str:
    return errno.errorcode.get(exc.errno or 0, type(exc).__name__)


def _history_problem(broken_at: Any, problem: str) -> str:
    return f"history:{problem}@{broken_at}"


_canonical = functools.partial(orjson.dumps, option=orjson.OPT_SORT_KEYS)  # canonical_json


def _held_hash(digest: Any) -> Any:
    """A history entry's record hash as ``check`` holds it: 64 hex digits
    as their 32 bytes (half the memory), anything else as it is."""
    if type(digest) is str and len(digest) == 64:
        try:
            raw = bytes.fromhex(digest)
        except ValueError:
            return digest
        return raw if raw.hex() == digest else digest
    return digest


def _slice_holds(run: _Run, entries: list[Doc], entry_ok: Callable[[Doc], bool]) -> bool:
    """``verify_chain``'s steps over a slice of one run at once: True, the
    run moved on past it, if every step passes; False, the run as it was,
    if any does not (the caller then takes them one by one)."""
    seqs = [e.get("seq") for e in entries]
    if seqs != list(range(run.expected, run.expected + len(entries))):
        return False
    prevs, links = [e.get("prev") for e in entries], [e.get("entry") for e in entries]
    if prevs[0] != run.prev or prevs[1:] != links[:-1] or not all(map(entry_ok, entries)):
        return False
    run.prev, run.head_seq = links[-1], seqs[-1]
    run.expected += len(entries)
    return True


class _Run:
    """A run of history entries with consecutive ids in one month, walked
    as ``history.verify_chain`` walks from its first entry's own link."""

    __slots__ = ("expected", "failed", "first", "head_seq", "key", "prev", "rank")

    def __init__(self, rank: int, month: str, start: int, seq: int, prev: Any) -> None:
        self.rank, self.key = rank, (rank, month, start)
        self.first = (seq, prev)
        self.expected, self.prev, self.head_seq = seq, prev, seq - 1
        self.failed: tuple[Any, str] | None = None


def _join_runs(runs: list[_Run]) -> tuple[tuple[Any, str] | None, tuple[int, Any]]:
    """``verify_chain`` over the runs' entries in this order: (broken_at,
    problem) or None, and the head. The first entry of each run must follow
    the last of the one before; then the run's own walk holds (its first
    ``seq`` an integer, it started where the chain stands)."""
    expected, prev, head = 1, hist.GENESIS, 0
    for run in runs:
        seq, first_prev = run.first
        if seq != expected:
            return (expected, "sequence"), (head, prev)
        if first_prev != prev:
            return (seq, "prev"), (head, prev)
        if run.failed is not None:
            return run.failed, (head, prev)
        expected, prev, head = run.expected, run.prev, run.head_seq
    return None, (head, prev)


@dataclass
class Notice:
    key: str
    params: dict[str, Any] = field(default_factory=dict)


class _Appended:
    """History entries written while their month's partition is not loaded:
    their JSON, ``,``-separated, in one buffer (a dict per entry would cost a
    kilobyte each, and a semester writes half a million)."""

    __slots__ = ("buf", "ends", "ids")

    def __init__(self) -> None:
        self.buf = bytearray()
        self.ids: list[str] = []
        self.ends: list[int] = []  # where each entry's JSON ends in buf

    @property
    def count(self) -> int:
        return len(self.ids)

    def add(self, entry: Doc) -> Callable[[], None]:
        """Append one entry; return what takes it back out."""
        size, count = len(self.buf), len(self.ids)
        if count:
            self.buf += b","
        self.buf += orjson.dumps(entry)
        self.ids.append(entry["id"])
        self.ends.append(len(self.buf))

        def undo() -> None:
            del self.buf[size:], self.ids[count:], self.ends[count:]
        return undo

    def join_to(self, body: bytearray, gap: bytes) -> None:
        """Each entry's JSON added to ``body``, ``gap`` before each (and
        before the first if ``body`` holds documents already)."""
        view, start = memoryview(self.buf), 0
        for end in self.ends:
            if body:
                body += gap
            body += view[start:end]
            start = end + 1  # the "," between two

    def docs(self) -> list[Doc]:
        return orjson.loads(b"[" + self.buf + b"]") if self.count else []


@dataclass
class _Txn:
    ops: list[dict[str, Any]] = field(default_factory=list)
    undo: list[Callable[[], None]] = field(default_factory=list)
    head: tuple[int, str] = (0, hist.GENESIS)


class Store:
    """Open with ``Store(folder, encrypt, decrypt)``; create with ``Store.initialize``."""

    def __init__(
        self,
        folder: Path,
        encrypt: Cipher,
        decrypt: Cipher,
        *,
        io: FileIO = DEFAULT_IO,
        clock: Callable[[], str] = utc_now,
        compact_frames: int = 2000,
        compact_bytes: int = 8 << 20,
        backups: Path | None = None,
        keep_backups: int = 5,
        history_key: bytes | None = None,
        compressed: bool = True,
    ) -> None:
        self.folder = folder
        # history entries hash each record's new content with this secret
        # (docs/formats.md, "History"); None: unkeyed, for tests of the store
        self._history_key = history_key
        # Each plaintext is compressed (zstd) before it is encrypted; what was
        # written uncompressed (before issue 19) reads as it is.
        self._encrypt = (lambda plain: encrypt(compress(plain))) if compressed else encrypt
        self._decrypt = lambda raw: decompress(decrypt(raw))
        self.io, self.clock = io, clock
        self.compact_frames, self.compact_bytes = compact_frames, compact_bytes
        self.backups, self.keep_backups = backups, keep_backups
        self.lock = threading.RLock()
        self.notices: list[Notice] = []
        self._loaded: dict[str, Partition] = {}
        self._pending: dict[str, list[dict[str, Any]]] = {}
        self._appended: dict[str, _Appended] = {}  # after _pending's, in order
        self._dirty: set[str] = set()
        self._txn: _Txn | None = None
        self._deferred = 0  # inside compaction_deferred(): no compaction on the way
        self._broken = False
        self._closed = False
        self._load_state()
        with _bulk():
            self._replay_journal()
        self._remove_orphans()
        self._journal = self.io.open_append(self._journal_path)

    # -- creation -------------------------------------------------------------
    @staticmethod
    def initialize(folder: Path, encrypt: Cipher, *, io: FileIO = DEFAULT_IO,
                   compressed: bool = True) -> None:
        make_private_dir(folder)
        io.write_atomic(folder / journal_name(1), b"")
        state = {"v": FORMAT, "gen": 1, "seq": 0, "time": utc_now(),
                 "head": {"seq": 0, "hash": hist.GENESIS}, "partitions": {}}
        plain = orjson.dumps(state)
        io.write_atomic(folder / STATE_FILE, encrypt(compress(plain) if compressed else plain))

    # -- opening ----------------------------------------------------------------
    def _corrupt(self, name: str, **params: Any) -> VaultCorrupt:
        return VaultCorrupt(file=f"data/{name}", **params)

    def _open_age(self, name: str, raw: bytes) -> Any:
        try:
            return orjson.loads(self._decrypt(raw))
        except (ValueError, orjson.JSONDecodeError):
            raise self._corrupt(name) from None

    def _load_state(self) -> None:
        try:
            raw = self.io.read_bytes(self.folder / STATE_FILE)
        except FileNotFoundError:
            raise self._corrupt(STATE_FILE, missing=True) from None
        state = self._open_age(STATE_FILE, raw)
        try:
            self.gen = int(state["gen"])
            self.seq = int(state["seq"])
            self._head = (int(state["head"]["seq"]), str(state["head"]["hash"]))
            self._manifest: dict[str, dict[str, Any]] = dict(state["partitions"])
        except (KeyError, TypeError, ValueError):
            raise self._corrupt(STATE_FILE) from None
        self._state_seq = self.seq
        for name, meta in self._manifest.items():
            if not (self.folder / meta["file"]).is_file():
                raise self._corrupt(meta["file"], partition=name, missing=True)

    @property
    def _journal_path(self) -> Path:
        return self.folder / journal_name(self.gen)

    def _replay_journal(self) -> None:
        name = journal_name(self.gen)
        try:
            data = self.io.read_bytes(self._journal_path)
        except FileNotFoundError:
            raise self._corrupt(name, missing=True) from None
        offset, frames, expected = 0, 0, None
        self._journal_plain = 0  # the frames' plaintext bytes: what replay parses
        while offset < len(data):
            if len(data) - offset < LENGTH.size:
                break  # torn length prefix
            length, check = LENGTH.unpack_from(data, offset)
            if check != zlib.crc32(data[offset: offset + 4]):
                if not any(data[offset:]):
                    break  # zero-filled tail left by a crash
                raise self._corrupt(name, frame=frames + 1)
            body = data[offset + LENGTH.size: offset + LENGTH.size + length]
            if len(body) < length:
                break  # torn body: the write was never acknowledged
            last = offset + LENGTH.size + length == len(data)
            try:
                plain = self._decrypt(body)
                frame = orjson.loads(plain)
            except (ValueError, orjson.JSONDecodeError):
                if last and not any(body):
                    break  # zero-filled tail left by a crash
                raise self._corrupt(name, frame=frames + 1) from None
            seq, gen = frame.get("seq"), frame.get("gen")
            if gen != self.gen or not isinstance(seq, int) or (
                expected is not None and seq != expected
            ):
                raise self._corrupt(name, frame=frames + 1)
            expected = seq + 1
            if seq > self.seq:
                if seq != self.seq + 1:
                    raise self._corrupt(name, frame=frames + 1)
                self._apply_frame(frame["ops"])
                self.seq = seq
            offset += LENGTH.size + length
            frames += 1
            self._journal_plain += len(plain)
        if offset < len(data):
            self._cut_torn_tail(offset, len(data) - offset)
        self._journal_size = offset
        self._journal_frames = frames

    def _cut_torn_tail(self, keep: int, lost: int) -> None:
        flags = os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        with os.fdopen(os.open(self._journal_path, flags), "r+b") as handle:
            self.io.truncate(handle, keep)
        self.notices.append(Notice("storage.journal_torn_tail",
                                   {"file": f"data/{journal_name(self.gen)}", "bytes": lost}))

    def _apply_frame(self, ops: list[dict[str, Any]]) -> None:
        for op in ops:
            name = op["p"]
            self._dirty.add(name)
            self._pending.setdefault(name, []).append(op)
            if name.startswith("history/"):
                doc = op["d"]
                self._head = (doc["seq"], doc["entry"])

    def _remove_orphans(self) -> None:
        """Delete what an interrupted compaction left: files no manifest names."""
        keep = {STATE_FILE, journal_name(self.gen)}
        keep.update(meta["file"] for meta in self._manifest.values())
        for path in self.folder.iterdir():
            name = path.name
            orphan = (
                (_SNAPSHOT_FILE.match(name) or _JOURNAL_FILE.match(name) or
                 (name.startswith(".") and name.endswith(".tmp")))
                and name not in keep
            )
            if orphan:
                with contextlib.suppress(OSError):
                    self.io.unlink(path)

    # -- partitions ---------------------------------------------------------------
    def partition(self, name: str) -> Partition:
        if not PARTITION_NAME.match(name):
            raise ValueError(f"bad partition name {name!r}")
        with self.lock:
            self._check_open()
            part = self._loaded.get(name)
            if part is None:
                with _bulk():
                    docs, blob, ends, file = self._load_docs(name)
                    part = Partition(self, name, docs, blob=blob, ends=ends,
                                     gap=len(_DOC_GAP), source=file)
                    for op in self._pending.pop(name, []):
                        part._put(op["id"], op.get("d"))
                    appended = self._appended.pop(name, None)
                    for doc in appended.docs() if appended else ():
                        part._put(doc["id"], doc)
                self._loaded[name] = part
            return part

    def _load_docs(self, name: str) -> tuple[dict[str, Any], bytes, list[int], str]:
        """``decode_snapshot``'s documents, bytes and ends, and the file name.
        The whole file is authenticated (age) before anything in it is used."""
        meta = self._manifest.get(name)
        if meta is None:
            return {}, b"", [], ""
        file = meta["file"]
        raw = self.io.read_bytes(self.folder / file)
        try:
            snap, docs, blob, ends = decode_snapshot(self._decrypt(raw))
        except (ValueError, TypeError):  # orjson.JSONDecodeError is a ValueError
            raise self._corrupt(file, partition=name) from None
        # The authenticated (partition, gen, seq) inside must be what state.age
        # names: an older valid snapshot put back in place is refused.
        if (snap.get("partition"), snap.get("gen"), snap.get("seq")) != (
                name, meta["gen"], meta["seq"]):
            raise self._corrupt(file, partition=name)
        return docs, blob, ends, file

    def load_current(self, later: Collection[str] = ()) -> None:
        """Load (and so authenticate) every partition except the older months of
        monthly ones: what a session needs at once. A damaged file among them is
        reported now, at unlock, rather than in the middle of the work.
        ``later``: partitions (with their months) left until first touched,
        authenticated then (the office's reported records: a semester of
        500 branches' is hundreds of MB its dashboard never reads)."""
        latest: dict[str, str] = {}
        plain: list[str] = []
        for name in self.partitions():
            prefix, _, month = name.partition("/")
            if prefix in later:
                continue
            if month:
                latest[prefix] = max(latest.get(prefix, month), month)
            else:
                plain.append(name)
        with self.lock:
            for name in plain:  # the services keep these in memory: parsed now
                self.partition(name)._parse_all(frozen=True)
            for name in [f"{p}/{m}" for p, m in latest.items() if p != "history"]:
                self.partition(name)  # authenticated; documents parsed as they are read

    def partitions(self, prefix: str = "") -> list[str]:
        names = set(self._manifest) | set(self._pending) | set(self._loaded)
        names.update(self._appended)
        return sorted(n for n in names if n.startswith(prefix))

    def is_loaded(self, name: str) -> bool:
        return name in self._loaded

    # -- writing -----------------------------------------------------------------
    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Every write inside is one journal frame, committed at the end."""
        with self.lock:
            if self._txn is not None:  # nested: join the outer batch
                yield
                return
            self._check_writable()
            self._txn = _Txn(head=self._head)
            try:
                yield
                txn = self._txn
                if txn.ops:
                    self._commit(txn.ops)
            except BaseException:
                self._rollback(self._txn)
                raise
            finally:
                self._txn = None
            self._maybe_compact()

    def write(self, part: Partition, op: str, record_id: str, doc: Doc | None) -> None:
        """Called by ``Partition``: record one change in memory and the journal."""
        with self.batch():
            txn = self._txn
            assert txn is not None
            old = part._raw(record_id)
            part._put(record_id, doc)
            txn.undo.append(lambda: part._put(record_id, old))
            # The document's canonical JSON, taken once: what its history entry
            # hashes, and (verbatim, an ``orjson.Fragment``) what the journal holds.
            raw = None if doc is None else canonical_json(doc)
            txn.ops.append({"p": part.name, "o": op, "id": record_id,
                            "d": None if raw is None else orjson.Fragment(raw)})
            seq, prev = self._head
            entry = hist.make_entry(seq + 1, self.clock(), part.name, record_id, op,
                                    None if raw is None else self._hash_json(raw), prev)
            self._append_history(txn, entry)

    def record_hash(self, doc: Doc) -> str:
        """What a history entry says of ``doc``: keyed when the store has a key."""
        return self._hash_json(canonical_json(doc))

    def _hash_json(self, raw: bytes) -> str:
        """``record_hash`` of a document whose canonical JSON is ``raw``."""
        if self._history_key is None:
            return sha256_hex(raw)
        return keyed_hash(self._history_key, raw)

    def _append_history(self, txn: _Txn, entry: Doc) -> None:
        name = hist.partition_for(entry["time"])
        op = {"p": name, "o": "insert", "id": entry["id"], "d": entry}
        part = self._loaded.get(name)
        if part is not None:
            part._put(entry["id"], entry)
            txn.undo.append(lambda: part._put(entry["id"], None))
        else:
            txn.undo.append(self._appended.setdefault(name, _Appended()).add(entry))
        txn.ops.append(op)
        self._head = (entry["seq"], entry["entry"])

    def _rollback(self, txn: _Txn | None) -> None:
        if txn is None:
            return
        for undo in reversed(txn.undo):
            undo()
        self._head = txn.head

    def _commit(self, ops: list[dict[str, Any]]) -> None:
        seq = self.seq + 1
        plaintext = orjson.dumps(
            {"v": FORMAT, "gen": self.gen, "seq": seq, "time": self.clock(), "ops": ops}
        )
        body = self._encrypt(plaintext)
        blob = frame_header(len(body)) + body
        start = self._journal_size
        try:
            self.io.append(self._journal, blob)
            self.io.fsync(self._journal)
        except OSError as exc:
            try:
                self.io.truncate(self._journal, start)
            except OSError:
                self._broken = True  # the file may hold a partial frame: reopen to recover
            raise WriteFailed(reason=_reason(exc)) from None
        self._journal_size += len(blob)
        self._journal_plain += len(plaintext)
        self._journal_frames += 1
        self.seq = seq
        for op in ops:
            self._dirty.add(op["p"])

    def _check_open(self) -> None:
        if self._closed:
            raise VaultClosed()

    def _check_writable(self) -> None:
        self._check_open()
        if self._broken:
            raise WriteFailed(reason="reopen")

    # -- compaction ----------------------------------------------------------------
    @contextlib.contextmanager
    def compaction_deferred(self, *, backup: bool = True) -> Iterator[None]:
        """Many large writes in a row (building the demo semester): no
        compaction until the end, then one. Each compaction rewrites every
        partition the journal touched, so compacting every few frames while a
        month's partition grows would write it again and again. ``backup``:
        whether that compaction keeps a backup set (a store being built has
        nothing to back up: its journal would be the set, as large as all it
        holds)."""
        with self.lock:
            self._deferred += 1
            try:
                yield
            finally:
                self._deferred -= 1
            if not self._deferred:
                self._maybe_compact(backup=backup)

    def _maybe_compact(self, *, backup: bool = True) -> None:
        if self._deferred:
            return
        if (self._journal_frames >= self.compact_frames
                or self._journal_plain >= self.compact_bytes):
            try:
                self.compact(backup=backup)
            except WriteFailed as exc:  # the write itself is safe in the journal
                self.notices.append(Notice("storage.compaction_failed", dict(exc.params)))

    @property
    def needs_compaction(self) -> bool:
        return self._journal_frames > 0

    def compact(self, *, backup: bool = True) -> None:
        """Snapshot every changed partition and start a new journal generation.

        Order: backup links, new snapshots, new empty journal, then ``state.age``
        (the commit point), then old files go. A crash at any step reopens to
        the same data: before the commit point the old state and journal hold
        everything; after it the new snapshots do, and replay skips what they
        include.
        """
        with self.lock:
            self._check_writable()
            if self._txn is not None:
                raise RuntimeError("cannot compact inside a batch")
            if self._journal_frames == 0 and not self._dirty:
                return
            if backup:
                self._backup()
            new_gen = self.gen + 1
            manifest = dict(self._manifest)
            written: list[Path] = []
            try:
                for name in sorted(self._dirty):
                    ids, body = self._appended_snapshot(name)
                    if body is None:
                        ids, body = self.partition(name)._joined(gap=_DOC_GAP)
                    raw = self._encrypt(encode_snapshot(name, new_gen, self.seq, ids, body))
                    del body
                    path = self.folder / snapshot_name(name, new_gen)
                    written.append(path)
                    self.io.write_atomic(path, raw)
                    manifest[name] = {"file": path.name, "gen": new_gen,
                                      "seq": self.seq, "count": len(ids)}
                journal = self.folder / journal_name(new_gen)
                written.append(journal)
                self.io.write_atomic(journal, b"")
                state = {"v": FORMAT, "gen": new_gen, "seq": self.seq, "time": self.clock(),
                         "head": {"seq": self._head[0], "hash": self._head[1]},
                         "partitions": manifest}
                self.io.write_atomic(self.folder / STATE_FILE,
                                     self._encrypt(orjson.dumps(state)))
            except OSError as exc:
                for path in written:
                    with contextlib.suppress(OSError):
                        self.io.unlink(path)
                raise WriteFailed(reason=_reason(exc)) from None
            old_journal = self._journal
            self.gen, self._manifest, self._state_seq = new_gen, manifest, self.seq
            self._appended.clear()  # in their months' new snapshots now
            self._dirty.clear()
            self._journal = self.io.open_append(self._journal_path)
            self._journal_size = self._journal_frames = self._journal_plain = 0
            old_journal.close()
            self._remove_orphans()

    def _appended_snapshot(self, name: str) -> tuple[list[str], bytearray | None]:
        """A month of history that only gained entries while it was not
        loaded: its snapshot's documents as they were read, then the new
        entries as they were written, none parsed. (ids, None) otherwise."""
        appended = self._appended.get(name)
        if appended is None or name in self._loaded or name in self._pending:
            return [], None
        with _bulk(freeze=False):
            docs, blob, ends, file = self._load_docs(name)
        if not docs.keys().isdisjoint(appended.ids):
            return [], None  # an id seen twice: the usual way decides
        old = Partition(self, name, docs, blob=blob, ends=ends, gap=len(_DOC_GAP), source=file)
        ids, body = old._joined(gap=_DOC_GAP)
        del old, docs, blob
        appended.join_to(body, _DOC_GAP)
        return ids + appended.ids, body

    # -- backups ---------------------------------------------------------------------
    def _backup(self) -> None:
        """Hard-link the current good set (state, snapshots, journal) into
        backups/: a snapshot unchanged since the last set is one file on disk,
        whatever the number of sets. Where the file system has no hard links
        (FAT, exFAT, some shares), a file the newest set already holds, byte
        for byte, moves on from it to the new set (``_hand_over``) instead of
        being copied again; the rest is copied."""
        if self.backups is None:
            return
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = self.backups / f"{stamp}-g{self.gen:08d}"
        handed: list[str] = []
        previous: Path | None = None
        try:
            make_private_dir(self.backups)
            earlier = backup_sets(self.backups)
            previous = earlier[-1] if earlier else None
            target.mkdir(mode=0o700)
            files = [STATE_FILE, journal_name(self.gen)]
            files += [meta["file"] for meta in self._manifest.values()]
            for name in files:
                src, dst = self.folder / name, target / name
                older = None if previous is None or name == STATE_FILE else previous / name
                if (self.io.link_or_copy(src, dst, copy=older is None) or older is None):
                    continue  # linked, or copied with nothing to share
                if older.is_file() and _same_bytes(src, older):
                    assert previous is not None
                    _hand_over(self.io, previous, name, dst)
                    handed.append(name)
                else:
                    self.io.copy(src, dst)
            sets = backup_sets(self.backups)
            for old in sets[: max(0, len(sets) - self.keep_backups)]:
                shutil.rmtree(old, ignore_errors=True)
        except OSError as exc:
            for name in handed if previous is not None else ():
                with contextlib.suppress(OSError):  # back: the older set stays whole
                    self.io.replace(target / name, previous / name)
            shutil.rmtree(target, ignore_errors=True)
            raise WriteFailed(reason=_reason(exc)) from None

    # -- history ----------------------------------------------------------------------
    @property
    def head(self) -> tuple[int, str]:
        return self._head

    def history(self, since_seq: int = 0) -> list[Doc]:
        """History entries with ``seq > since_seq``, in order."""
        with self.lock:
            entries: list[Doc] = []
            for name in self.partitions("history/"):
                entries.extend(e for e in self.partition(name)._raw_docs()
                               if e["seq"] > since_seq)
            entries.sort(key=lambda e: e["seq"])
            return [dict(e) for e in entries]

    def verify_history(self) -> hist.HistoryReport:
        with self.lock:
            report = hist.verify_chain(self.history())
            if report.ok and (report.head_seq, report.head_hash) != self._head:
                report.problems.append("head")
            return report

    def _transient(self, name: str) -> Partition:
        """The partition if it is loaded (or the journal changed it), else
        its snapshot read (and so authenticated) into a partition the store
        does not keep: ``check`` reads each in turn without holding them all."""
        if name in self._loaded or name in self._pending or name in self._appended:
            return self.partition(name)
        with _bulk(freeze=False):
            docs, blob, ends, file = self._load_docs(name)
        return Partition(self, name, docs, blob=blob, ends=ends, gap=len(_DOC_GAP),
                         source=file)

    def _history_slices(self, size: int = 50_000) -> Iterator[list[Doc]]:
        """The history entries as stored, month by month, ``size`` at a time
        (parsed copies, dropped by the caller before the next)."""
        for name in self.partitions("history/"):
            part = self._transient(name)
            ids = part.ids()
            for start in range(0, len(ids), size):
                with _bulk(freeze=False):
                    if part._unparsed:
                        entries = part.get_many(ids[start: start + size])
                    else:  # parsed in place: read, not copied
                        entries = [part._raw(i) for i in ids[start: start + size]]
                yield entries

    def _history_in_order(self, size: int = 50_000) -> Iterator[list[Doc]]:
        """The history entries in ``seq`` order when the months are not (a
        clock set back; a vault created today that then filled past months,
        as the demo does: its first entry sits in this month): an entry's id
        is its ``seq`` (``history.entry_id``), so each month's runs of
        consecutive ids are found from its ids alone, then read run by run,
        a month at a time (a month whose runs lie apart is read again)."""
        runs: list[tuple[int, str, int, int]] = []  # (first seq, month, start, end)
        for name in self.partitions("history/"):
            seqs = [int(i) if i.isdigit() else -1 for i in self._transient(name).ids()]
            start = 0
            for n in range(1, len(seqs) + 1):
                if n == len(seqs) or seqs[n] != seqs[n - 1] + 1:
                    runs.append((seqs[start], name, start, n))
                    start = n
        runs.sort()
        held: tuple[str, Partition, list[str]] | None = None
        for _first, name, start, end in runs:
            if held is None or held[0] != name:
                part = self._transient(name)
                held = (name, part, part.ids())
            _, part, ids = held
            for at in range(start, end, size):
                with _bulk(freeze=False):
                    if part._unparsed:
                        entries = part.get_many(ids[at: min(at + size, end)])
                    else:
                        entries = [part._raw(i) for i in ids[at: min(at + size, end)]]
                yield entries

    def _walk_history(self, size: int = 20_000
                      ) -> tuple[str | None, dict[str, dict[str, tuple[int, Any]]]] | None:
        """``_walk_months`` with no cyclic collection on the way but one of
        what each month left (its partition, read for the walk alone): what
        the walk makes is plain data, and the hashes it holds grow to one a
        record, which each full collection would walk again."""
        with _bulk(freeze=False):
            return self._walk_months(size)

    def _walk_months(self, size: int
                     ) -> tuple[str | None, dict[str, dict[str, tuple[int, Any]]]] | None:
        """The history checked as ``_history_slices`` then, if the months are
        out of order, ``_history_in_order`` check it (the same problem found,
        the same files read), but each month read and each entry hashed once:
        each run of consecutive ids (see ``_history_in_order``) is walked from
        its own first entry, and the runs are joined in month order (as
        ``_history_slices`` reads them: after each slice, so a problem ends
        the reading where it did), then, if a ``seq`` is out of place there,
        in ``seq`` order. (the problem, or None; each record's latest hash,
        under the first seq of its run). None where the entries are not as
        this store writes them (an id not a number, a ``seq`` not an integer,
        a field missing): the caller reads the history the long way."""
        runs: list[_Run] = []
        latest: dict[str, dict[str, tuple[int, Any]]] = {}
        entry_ok, in_months = hist.entry_ok, True
        top = -1  # the highest rank a latest hash may be held under
        for name in self.partitions("history/"):
            part = self._transient(name)
            ids = part.ids()
            if not all(i.isascii() and i.isdigit() for i in ids):
                return None
            seqs = [int(i) for i in ids]
            run: _Run | None = None
            records: tuple[str, dict[str, tuple[int, Any]]] = ("", {})
            at = 0
            for start in range(0, len(ids), size):
                with _bulk(freeze=False):
                    if part._as_read:  # one parse of the slice's bytes as they lie
                        entries = part._parse_range(start, start + size)
                    elif part._unparsed:
                        entries = part.get_many(ids[start: start + size])
                    else:  # parsed in place: read, not copied
                        entries = [part._raw(i) for i in ids[start: start + size]]
                count = len(entries)
                if count and seqs[at: at + count] == list(range(seqs[at], seqs[at] + count)):
                    before = run  # the slice is one run: walked at once if it holds
                    if run is None or seqs[at] != seqs[at - 1] + 1:
                        seq = entries[0].get("seq")
                        if type(seq) is not int:
                            return None
                        run = _Run(seqs[at], name, at, seq, entries[0].get("prev"))
                        runs.append(run)
                        top = max(top, run.rank)
                    if run.failed is None and _slice_holds(run, entries, entry_ok):
                        try:
                            fields = [(e["partition"], e["record"], e["hash"]) for e in entries]
                        except KeyError:
                            return None
                        if not self._note_latest(latest, fields, run.rank, top):
                            return None
                        at += count
                        entries = []
                    elif run is not before:
                        runs.pop()  # walked one by one below, from its first entry
                        run = before
                for entry in entries:
                    seq, prev = entry.get("seq"), entry.get("prev")
                    if run is None or seqs[at] != seqs[at - 1] + 1:
                        if type(seq) is not int:
                            return None
                        run = _Run(seqs[at], name, at, seq, prev)
                        runs.append(run)
                        top = max(top, run.rank)
                    if run.failed is None:  # hist.verify_chain's steps
                        if seq != run.expected:
                            run.failed = (run.expected, "sequence")
                        elif prev != run.prev:
                            run.failed = (seq, "prev")
                        elif not entry_ok(entry):
                            run.failed = (seq, "entry")
                        else:
                            run.prev, run.head_seq = entry["entry"], seq
                            run.expected += 1
                    try:
                        where, record, digest = entry["partition"], entry["record"], entry["hash"]
                    except KeyError:
                        return None
                    digest = _held_hash(digest)
                    if records[0] != where:
                        records = (where, latest.setdefault(where, {}))
                    held = records[1].get(record)
                    if held is None or held[0] <= run.rank:
                        records[1][record] = (run.rank, digest)
                    at += 1
                del entries
                if in_months:
                    failed = _join_runs(runs)[0]
                    if failed is not None and failed[1] != "sequence":
                        return _history_problem(*failed), latest
                    in_months = failed is None
            del part
            gc.collect(0)  # the month's partition (a cycle with its table), made since the last
        if in_months and [r.key for r in runs] != sorted(r.key for r in runs):
            return None  # ids out of their seq order: the latest hashes would be wrong
        failed, head = _join_runs(runs if in_months else sorted(runs, key=lambda r: r.key))
        if failed is not None:
            return _history_problem(*failed), latest
        return (None if head == self._head else "history:head@None"), latest

    @staticmethod
    def _note_latest(latest: dict[str, dict[str, tuple[int, Any]]],
                     fields: list[tuple[Any, Any, Any]], rank: int, top: int) -> bool:
        """Each (partition, record, hash) of a slice of one run noted as its
        record's latest hash unless a later run's is (all are when no
        earlier rank is higher); a 64-digit hash held as its 32 bytes.
        False where a partition or record is not a string."""
        hashes = [h for _, _, h in fields]
        try:  # a removal's is None
            raw = [None if h is None else bytes.fromhex(h) for h in hashes]
            digests: list[Any] = raw if [None if r is None else r.hex() for r in raw
                                         ] == hashes else []
        except (TypeError, ValueError):
            digests = []
        if not digests:
            digests = [_held_hash(h) for h in hashes]
        where, records = None, {}
        for (partition, record, _), digest in zip(fields, digests, strict=True):
            if type(partition) is not str or type(record) is not str:
                return False
            if partition != where:
                where, records = partition, latest.setdefault(partition, {})
            if rank < top:
                held = records.get(record)
                if held is not None and held[0] > rank:
                    continue
            records[record] = (rank, digest)
        return True

    def _history_long_way(self) -> tuple[str | None, dict[str, dict[str, tuple[int, Any]]]]:
        """``_walk_history``'s answer from every entry held a slice at a time."""
        latest: dict[str, dict[str, tuple[int, Any]]] = {}
        for slices in (self._history_slices, self._history_in_order):
            report = hist.HistoryReport()
            latest.clear()
            for entries in slices():
                report = hist.verify_chain(entries, report.head_seq, report.head_hash)
                if not report.ok:
                    break
                for entry in entries:
                    latest.setdefault(entry["partition"], {})[entry["record"]] = (
                        0, entry["hash"])
            if report.problem != "sequence":  # else months out of order: in seq order
                break
        if report.ok and (report.head_seq, report.head_hash) != self._head:
            report.problems.append("head")
        if not report.ok:
            return (f"history:{report.problem or ','.join(report.problems)}"
                    f"@{report.broken_at}"), latest
        return None, latest

    def check(self, progress: Callable[[int, int], None] | None = None,
              size: int = 20_000) -> list[str]:
        """Read every partition (authenticating each file) and verify the history:
        the chain, and that each record's latest entry hashes its current content.
        A month of history, then a partition, at a time: what is read is
        dropped before the next (a semester is a million documents), the
        records ``size`` at a time; a stored document whose bytes are what its
        entry hashed (canonical JSON) is not parsed.
        ``progress(done, total)``: the history counts one step, each partition one."""
        with self.lock:
            walked = self._walk_history()
            problem, latest = walked if walked is not None else self._history_long_way()
            if problem is not None:
                return [problem]
            problems: list[str] = []
            key = self._history_key

            keyed, plain = hmac.digest, hashlib.sha256

            def matches(data: bytes, digest: Any) -> bool:
                # entries written before the history was keyed hash plainly
                if type(digest) is bytes:
                    return (key is not None and keyed(key, data, "sha256") == digest
                            ) or plain(data).digest() == digest
                return (key is not None and digest == keyed(key, data, "sha256").hex()
                        ) or digest == plain(data).hexdigest()

            names = self.partitions()
            for done, name in enumerate(names, start=1):
                if progress:
                    progress(done, len(names) + 1)
                if name.startswith("history/") and name not in latest:
                    continue  # read above
                part = self._transient(name)  # authenticated, even with no entries
                records = latest.pop(name, {})
                if not records:
                    continue
                failing = self._records_failing(part, records, matches, size)
                problems += [f"record:{name}"] * failing
                del records
            if progress:
                progress(len(names) + 1, len(names) + 1)
            return problems

    def _records_failing(self, part: Partition, records: dict[str, tuple[int, Any]],
                         matches: Callable[[bytes, Any], bool], size: int) -> int:
        """How many of ``records`` (id -> (rank, its latest entry's hash))
        ``part`` does not hold as hashed. A loaded partition's documents are
        read in place; one only read for the check, ``size`` at a time in
        the order stored: by their stored bytes while those are canonical
        JSON (what was hashed), else in one parse of each slice (every
        document parsed, as ``all`` would)."""
        stored = part._docs
        gone = records.keys() - stored.keys()  # removed: their latest entry says so, or fails
        failing = sum(1 for i in gone if records[i][1] is not None)
        with _bulk(freeze=False):
            if part.name in self._loaded or not part._as_read:
                loaded = part.name in self._loaded
                for record_id, (_, digest) in records.items():
                    doc = part._raw(record_id) if loaded else stored.get(record_id)
                    if type(doc) is int:
                        doc = part._parse(record_id, doc)
                    if doc is not None and not matches(canonical_json(doc), digest):
                        failing += 1
                return failing
            ids = part.ids()
            probe = next((i for i in ids if records.get(i, (0, None))[1] is not None), None)
            canonical = probe is not None and matches(part._bytes(stored[probe]),
                                                      records[probe][1])
            for start in range(0, len(ids), size):
                if canonical:
                    unsure = []
                    for n, record_id in enumerate(ids[start: start + size], start):
                        held = records.get(record_id)
                        if held is None or held[1] is None or not matches(
                                part._bytes(n), held[1]):
                            unsure.append(record_id)
                    docs, piece = part.get_many(unsure), unsure
                else:
                    docs, piece = part._parse_range(start, start + size), ids[start: start + size]
                    helds = list(map(records.get, piece))
                    if self._history_key is not None and None not in helds:
                        # each named by an entry: the slice's keyed hashes at once, as
                        # ``matches`` takes them (it is then asked only if one differs)
                        want = [h[1] for h in helds]
                        macs = map(hmac.digest, itertools.repeat(self._history_key),
                                   map(_canonical, docs), itertools.repeat("sha256"))
                        if list(macs) == want:
                            continue
                for record_id, doc in zip(piece, docs, strict=True):
                    held = records.get(record_id)
                    if held is not None and not matches(canonical_json(doc), held[1]):
                        failing += 1
                del docs, piece
        return failing

    # -- closing ------------------------------------------------------------------------
    def close(self, *, compact: bool = True) -> None:
        with self.lock:
            if self._closed:
                return
            try:
                if compact and not self._broken and self.needs_compaction:
                    self.compact()
            except StorageError as exc:
                self.notices.append(Notice("storage.compaction_failed", dict(exc.params)))
            finally:
                self._journal.close()
                self._loaded.clear()
                self._pending.clear()
                self._appended.clear()
                self._closed = True


RESTORING = "data.restoring"
# In a backup set, where there are no hard links: the set's files that moved on
# to a later set (one name a line), which a restore of this set takes from there.
MOVED_ON = "moved-on.txt"


def backup_sets(backups: Path) -> list[Path]:
    """The backup sets, oldest first (their names begin with their time)."""
    return sorted(p for p in backups.iterdir() if p.is_dir() and not p.is_symlink())


def _same_bytes(one: Path, two: Path, piece: int = 1 << 20) -> bool:
    if one.stat().st_size != two.stat().st_size:
        return False
    with one.open("rb") as a, two.open("rb") as b:
        while True:
            chunk = a.read(piece)
            if chunk != b.read(piece):
                return False
            if not chunk:
                return True


def _hand_over(io: FileIO, older: Path, name: str, dst: Path) -> None:
    """Move ``older``'s file ``name`` on to ``dst`` (a later set), said first
    in ``older``'s ``MOVED_ON`` (made durable before the move: an interrupted
    move leaves the name listed and the file still there, which a restore
    takes from the set itself)."""
    with io.open_append(older / MOVED_ON) as listing:
        io.append(listing, name.encode() + b"\n")
        io.fsync(listing)
    io.replace(older / name, dst)


def _moved_on(backup: Path) -> list[str]:
    """The store file names ``backup`` lists as moved on (anything else listed,
    such as a path, is ignored)."""
    try:
        text = (backup / MOVED_ON).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [n for n in text.splitlines() if _SNAPSHOT_FILE.match(n) or _JOURNAL_FILE.match(n)]


def restore_backup(data: Path, backup: Path) -> Path:
    """Put a backup set in place of ``data/``; the replaced folder is kept aside.

    The set is copied whole to ``data.restoring`` first; then ``data/`` moves
    aside and the copy takes its name. An interruption between the two
    renames (a crash, or Windows refusing the second rename while a scanner
    holds a file) leaves no ``data/`` and a complete ``data.restoring``:
    ``finish_restore`` completes it when the vault is next opened."""
    aside = data.with_name(f"data.replaced-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}")
    staging = data.with_name(RESTORING)
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(backup, staging, ignore=shutil.ignore_patterns(MOVED_ON))
    later = [s for s in backup_sets(backup.parent) if s.name > backup.name]
    for name in _moved_on(backup):  # a file that moved on to a later set
        if (staging / name).exists():
            continue
        found = next((s / name for s in later  # a link named like a store file is not one
                      if (s / name).is_file() and not (s / name).is_symlink()), None)
        if found is None:
            shutil.rmtree(staging, ignore_errors=True)
            raise FileNotFoundError(name)
        shutil.copy2(found, staging / name)
    make_private_dir(staging)
    if data.exists():
        retry_busy(lambda: os.replace(data, aside))
    retry_busy(lambda: os.replace(staging, data))
    return aside


def finish_restore(data: Path) -> bool:
    """Complete a restore interrupted between its two renames (see
    ``restore_backup``). True when it did; raises ``OSError`` if it cannot."""
    staging = data.with_name(RESTORING)
    if data.exists() or not staging.is_dir():
        return False
    retry_busy(lambda: os.replace(staging, data))
    return True

"""The store's properties: replaying a damaged journal, opening a damaged
vault (see ``tests.fuzz``)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from storage import age, minisign
from tests.fuzz.core import (
    LineOp,
    Op,
    Prop,
    Target,
    apply_edits,
    apply_ops,
    byte_op,
    byte_ops,
    edits,
    folder_bytes,
)

# =====================================================================================
# the store: replaying a journal on open
# =====================================================================================

STORE_PASSPHRASE = "fuzz store passphrase"


def _test_cipher() -> tuple[Callable[[bytes], bytes], Callable[[bytes], bytes]]:
    from tests.storekit import TestCipher

    cipher = TestCipher()
    return cipher.encrypt, cipher.decrypt


def _age_cipher() -> tuple[Callable[[bytes], bytes], Callable[[bytes], bytes]]:
    identity = age.X25519Identity.parse(age.generate_identity()[0])
    to = [identity.recipient()]
    return (lambda data: age.encrypt(data, to)), (lambda data: age.decrypt(data, [identity]))


def split_frames(journal: bytes) -> list[bytes]:
    """A well-formed journal's frames, each with its 8-byte header."""
    from storage.store import LENGTH

    frames, offset = [], 0
    while offset < len(journal):
        length, _ = LENGTH.unpack_from(journal, offset)
        end = offset + LENGTH.size + length
        frames.append(journal[offset:end])
        offset = end
    return frames


def store_state(store: Any) -> dict[str, dict[str, Any]]:
    """Every document of every partition (empty partitions left out)."""
    out = {}
    for name in store.partitions():
        docs = {d["id"]: d for d in store.partition(name).all()}
        if docs:
            out[name] = docs
    return out


@dataclass
class StoreCase:
    """A store after a compaction and a few more acknowledged writes."""

    name: str
    encrypt: Callable[[bytes], bytes]
    decrypt: Callable[[bytes], bytes]
    files: dict[str, bytes]  # the data/ folder as it was left
    journal_file: str
    frames: list[bytes]  # the current journal's frames
    old_frames: list[bytes]  # the previous generation's (authentic, wrong gen)
    states: list[dict[str, dict[str, Any]]]  # after 0, 1, ... frames
    seqs: list[int]

    @property
    def journal(self) -> bytes:
        return b"".join(self.frames)

    def prefix(self, frames: int) -> bytes:
        return b"".join(self.frames[:frames])

    @classmethod
    def build(cls, folder: Path, name: str,
              cipher: tuple[Callable[[bytes], bytes], Callable[[bytes], bytes]]) -> StoreCase:
        from storage.store import Store, journal_name

        encrypt, decrypt = cipher
        Store.initialize(folder, encrypt)
        store = Store(folder, encrypt, decrypt)
        roster = store.partition("roster")
        ids = [roster.insert({"name": f"p{i}", "group": f"g{i % 2}"}) for i in range(4)]
        store.partition("checkins/2026-10").insert({"id": "2026-10-01:x", "t": 36.6})
        old = split_frames((folder / journal_name(store.gen)).read_bytes())
        store.compact()
        states, seqs = [store_state(store)], [store.seq]

        def step(action: Callable[[], object]) -> None:
            action()
            states.append(store_state(store))
            seqs.append(store.seq)

        def batch() -> None:
            with store.batch():
                roster.insert({"name": "in a batch"})
                roster.insert_many([{"name": "x"}, {"name": "y"}])
                roster.remove(ids[1])

        step(lambda: roster.insert({"name": "新", "tags": ["a", "b"]}))
        step(lambda: roster.update(ids[0], {"name": "p0 renamed"}))
        step(batch)
        step(lambda: store.partition("checkins/2026-11").insert({"id": "2026-11-01:y"}))
        step(lambda: roster.remove(ids[2]))
        step(lambda: store.partition("care").insert({"note": "x" * 300}))
        journal_file = journal_name(store.gen)
        store.close(compact=False)
        files = folder_bytes(folder)
        frames = split_frames(files[journal_file])
        assert len(frames) == len(states) - 1
        return cls(name, encrypt, decrypt, files, journal_file, frames, old, states, seqs)


@dataclass
class VaultCase:
    """A closed vault (work factor 10) whose files are mutated one at a time."""

    path: Path
    recipient: str
    signing_public_key: str

    @classmethod
    def build(cls, path: Path) -> VaultCase:
        from storage.vault import Vault

        vault = Vault.create(path, STORE_PASSPHRASE, info={"branch_code": "F1"},
                             work_factor=10)
        vault.partition("roster").insert({"name": "someone"})
        case = cls(path, vault.recipient, vault.signing_public_key)
        vault.close()
        return case


@dataclass
class StoreWorld:
    root: Path
    cases: list[StoreCase]
    vault: VaultCase
    counter: list[int] = field(default_factory=lambda: [0])

    @classmethod
    def build(cls, root: Path) -> StoreWorld:
        root.mkdir(parents=True, exist_ok=True)
        cases = [StoreCase.build(root / "test-cipher", "test-cipher", _test_cipher()),
                 StoreCase.build(root / "age", "age", _age_cipher())]
        return cls(root, cases, VaultCase.build(root / "vault"))

    def scratch(self) -> Path:
        self.counter[0] += 1
        path = self.root / f"scratch-{self.counter[0]}"
        path.mkdir()
        return path


@dataclass(frozen=True)
class JournalPlan:
    """How to build a damaged journal (or other data file) from the real one."""

    case: int
    file: str  # "journal", "state", "snapshot"
    kind: str  # "bytes", "frames", "random"
    order: tuple[int, ...] | None  # frames by index (None: the first ``keep``)
    keep: int
    strangers: tuple[tuple[int, int, bool], ...]  # (position, index, from the other case)
    tail: str  # "", "torn", "zeros", "garbage", "header"
    tail_arg: int
    garbage: bytes
    ops: tuple[Op, ...]

    def journal(self, world: StoreWorld) -> bytes:
        case = world.cases[self.case % len(world.cases)]
        other = world.cases[(self.case + 1) % len(world.cases)]
        if self.kind == "random":
            return self.garbage
        if self.kind == "bytes":
            return apply_ops(case.journal, self.ops)
        n = len(case.frames)
        if self.order is None:
            frames = case.frames[: self.keep % (n + 1)]
        else:
            frames = [case.frames[k % n] for k in self.order]
        for position, index, foreign in self.strangers:
            pool = other.frames if foreign else case.old_frames
            frames.insert(position % (len(frames) + 1), pool[index % len(pool)])
        data = b"".join(frames)
        if self.tail == "torn":
            frame = case.frames[self.tail_arg % n]
            data += frame[: 1 + self.tail_arg % (len(frame) - 1)]
        elif self.tail == "zeros":
            data += bytes(1 + self.tail_arg % 300)
        elif self.tail == "garbage":
            data += self.garbage or b"\x01"
        elif self.tail == "header":
            from storage.store import frame_header

            data += frame_header(self.tail_arg) + self.garbage
        return apply_ops(data, self.ops) if self.ops else data


def journal_plans() -> st.SearchStrategy[JournalPlan]:
    index = st.integers(0, 1 << 10)
    frames = st.builds(
        JournalPlan, st.integers(0, 7), st.just("journal"), st.just("frames"),
        st.one_of(st.none(), st.lists(index, max_size=9).map(tuple)), index,
        st.lists(st.tuples(index, index, st.booleans()), max_size=2).map(tuple),
        st.sampled_from(["", "", "torn", "zeros", "garbage", "header"]),
        st.integers(0, 1 << 20), st.binary(max_size=120),
        st.lists(byte_op(), max_size=1).map(tuple))
    raw = st.builds(
        JournalPlan, st.integers(0, 7), st.sampled_from(["journal"] * 6 + ["state", "snapshot"]),
        st.just("bytes"), st.none(), st.just(0), st.just(()), st.just(""), st.just(0),
        st.just(b""), byte_ops().map(tuple))
    garbage = st.builds(
        JournalPlan, st.integers(0, 7), st.just("journal"), st.just("random"), st.none(),
        st.just(0), st.just(()), st.just(""), st.just(0),
        st.one_of(st.binary(max_size=400), st.binary(max_size=64).map(
            lambda b: _crc_framed(b))), st.just(()))
    return st.one_of(frames, raw, garbage)


def _crc_framed(body: bytes) -> bytes:
    from storage.store import frame_header

    return frame_header(len(body)) + body


def check_store_replay(world: StoreWorld, ex: JournalPlan) -> None:
    from storage.errors import VaultCorrupt
    from storage.store import STATE_FILE, Store

    case = world.cases[ex.case % len(world.cases)]
    folder = world.scratch()
    try:
        files = dict(case.files)
        if ex.file == "journal":
            files[case.journal_file] = ex.journal(world)
        else:
            names = sorted(n for n in files if n.endswith(".snap.age"))
            name = STATE_FILE if ex.file == "state" else names[ex.keep % len(names)]
            files[name] = apply_ops(files[name], ex.ops)
        for name, data in files.items():
            (folder / name).write_bytes(data)
        before = folder_bytes(folder)
        try:
            store = Store(folder, case.encrypt, case.decrypt)
        except VaultCorrupt:
            assert folder_bytes(folder) == before, "a refused journal was changed"
            return
        try:
            state = store_state(store)
        except VaultCorrupt:
            store.close(compact=False)
            assert ex.file == "snapshot", "only a damaged snapshot fails after opening"
            assert folder_bytes(folder) == before, "a refused snapshot changed the folder"
            return
        assert state in case.states, "the store opened on a state that was never written"
        i = case.states.index(state)
        assert store.seq == case.seqs[i], "the sequence does not match the state"
        after = folder_bytes(folder)
        mutated = before[case.journal_file]
        kept = after[case.journal_file]
        assert kept == case.prefix(i), "the journal kept is not the acknowledged frames"
        torn = [n for n in store.notices if n.key == "storage.journal_torn_tail"]
        assert bool(torn) == (kept != mutated), "a cut tail without a notice (or the reverse)"
        assert mutated.startswith(kept), "the journal was changed, not cut"
        assert {k: v for k, v in after.items() if k != case.journal_file} == {
            k: v for k, v in before.items() if k != case.journal_file}, "other files changed"
        # The recovered store works: its history checks, and it takes a write.
        assert store.check() == [], "the recovered store fails its own check"
        new_id = store.partition("roster").insert({"name": "after recovery"})
        store.close(compact=False)
        again = Store(folder, case.encrypt, case.decrypt)
        try:
            assert again.notices == [], "a clean reopen has notices"
            assert again.seq == case.seqs[i] + 1
            roster = {d["id"]: d for d in again.partition("roster").all()}
            assert roster.pop(new_id)["name"] == "after recovery"
            assert roster == case.states[i].get("roster", {})
            assert again.check() == []
        finally:
            again.close(compact=False)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# Opening the vault around the store: vault.json, identity.age, signing.age.
@dataclass(frozen=True)
class VaultFileMutation:
    file: str
    ops: tuple[Op | LineOp, ...]


def vault_file_mutations() -> st.SearchStrategy[VaultFileMutation]:
    return st.builds(VaultFileMutation,
                     st.sampled_from(["vault.json", "identity.age", "signing.age"]),
                     st.one_of(byte_ops(), edits()).map(tuple))


def check_vault_open(world: StoreWorld, ex: VaultFileMutation) -> None:
    from storage.errors import StorageError
    from storage.vault import Vault

    case = world.vault
    folder = world.scratch() / "vault"
    try:
        shutil.copytree(case.path, folder)
        target = folder / ex.file
        target.write_bytes(apply_edits(target.read_bytes(), ex.ops))
        before = folder_bytes(folder)
        try:
            vault = Vault.open(folder, STORE_PASSPHRASE, max_work_factor=12)
        except StorageError:
            assert folder_bytes(folder) == before, "a refused vault was changed"
            return
        try:
            assert vault.recipient == case.recipient, "opened with another identity"
            assert minisign.PublicKey.parse(vault.signing_public_key) == \
                minisign.PublicKey.parse(case.signing_public_key), "opened with another key"
            assert len(vault.partition("roster")) == 1
        finally:
            vault.close(compact=False)
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)


STORE = Target("store", StoreWorld.build, [
    Prop("damaged journals and data files", journal_plans(), check_store_replay),
    Prop("damaged vault files", vault_file_mutations(), check_vault_open),
])

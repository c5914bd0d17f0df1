"""Fuzzing the store's replay on open (issue 9): a damaged journal (torn,
flipped, frames dropped, repeated, reordered, from another generation or
another key, garbage after) opens on a prefix of the acknowledged writes, a
torn tail cut with a notice, or is refused as ``VaultCorrupt`` with every file
left as it was. The long run is ``bench/fuzz.py``."""

from __future__ import annotations

import pytest
from hypothesis import given

from tests import fuzz
from tests.fuzz.store_fuzz import JournalPlan, StoreWorld

REPLAY, VAULT = fuzz.STORE.props


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> StoreWorld:
    return StoreWorld.build(tmp_path_factory.mktemp("fuzz-store"))


@fuzz.suite(250)
@given(ex=REPLAY.strategy)
def test_a_damaged_journal_opens_on_a_prefix_or_is_refused_unchanged(world: StoreWorld,
                                                                      ex) -> None:
    fuzz.run_check(REPLAY, world, ex)


@fuzz.suite(40)
@given(ex=VAULT.strategy)
def test_damaged_vault_files_are_refused_unchanged(world: StoreWorld, ex) -> None:
    fuzz.run_check(VAULT, world, ex)


@pytest.mark.parametrize("case", [0, 1])
@pytest.mark.parametrize("keep", range(8))
def test_every_frame_boundary_is_a_prefix(world: StoreWorld, case: int, keep: int) -> None:
    plan = JournalPlan(case, "journal", "frames", None, keep, (), "", 0, b"", ())
    REPLAY.check(world, plan)


@pytest.mark.parametrize("tail", ["torn", "zeros", "header"])
def test_a_torn_or_zeroed_tail_is_cut_with_a_notice(world: StoreWorld, tail: str) -> None:
    plan = JournalPlan(0, "journal", "frames", None, 3, (), tail, 1000, b"", ())
    REPLAY.check(world, plan)


@pytest.mark.parametrize(("order", "strangers", "ops"), [
    ((0, 1, 1, 2), (), ()),  # a frame twice
    ((0, 2, 1), (), ()),  # two frames swapped
    ((0, 2, 3), (), ()),  # a frame dropped
    ((0, 1), ((1, 0, False),), ()),  # a frame of the previous generation
    ((0, 1), ((1, 0, True),), ()),  # a frame under another key
    (None, (), (fuzz.Op("flip", 40, 3),)),  # a flipped bit in the first frame
], ids=["repeated", "swapped", "dropped", "old-generation", "other-key", "flipped"])
@pytest.mark.parametrize("case", [0, 1], ids=["test-cipher", "age"])
def test_tampering_followed_by_good_frames_is_refused(world: StoreWorld, case: int,
                                                      order: tuple[int, ...] | None,
                                                      strangers: tuple, ops: tuple) -> None:
    from storage.errors import VaultCorrupt
    from storage.store import Store

    plan = JournalPlan(case, "journal", "frames", order, 6, strangers, "", 0, b"", ops)
    store_case = world.cases[case]
    folder = world.scratch()
    for name, data in store_case.files.items():
        (folder / name).write_bytes(data)
    (folder / store_case.journal_file).write_bytes(plan.journal(world))
    before = fuzz.folder_bytes(folder)
    with pytest.raises(VaultCorrupt):
        Store(folder, store_case.encrypt, store_case.decrypt)
    assert fuzz.folder_bytes(folder) == before
    REPLAY.check(world, plan)

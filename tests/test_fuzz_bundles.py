"""Fuzzing the office's bundle import (issue 9): damaged bundle files, and
damaged tars and bundle.json files re-encrypted to the office (re-signed by
the branch, by other keys, or not at all) so the deeper checks run. Each is
rejected with a reason both catalogs hold, the office store and ``office
status --json`` byte for byte unchanged; only the genuine bundle, or one its
branch really signed and that makes sense, is accepted. The long run is
``bench/fuzz.py``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given

from tests import fuzzkit
from tests.fuzzkit import BundleMutation, OfficeWorld

IMPORT, FORMAT = fuzzkit.BUNDLES.props


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OfficeWorld]:
    w = OfficeWorld.build(tmp_path_factory.mktemp("fuzz-office"))
    yield w
    w.close()


@fuzzkit.suite(150)
@given(ex=IMPORT.strategy)
def test_a_damaged_bundle_is_rejected_and_changes_nothing(world: OfficeWorld, ex) -> None:
    with fuzzkit.time_limit(fuzzkit.SUITE_SECONDS_PER_EXAMPLE):
        IMPORT.check(world, ex)


@fuzzkit.suite(150)
@given(ex=FORMAT.strategy)
def test_unpack_and_decode_raise_only_bundle_rejected(world: OfficeWorld, ex) -> None:
    with fuzzkit.time_limit(fuzzkit.SUITE_SECONDS_PER_EXAMPLE):
        FORMAT.check(world, ex)


def test_the_genuine_next_bundle_is_accepted_and_the_world_reset(world: OfficeWorld) -> None:
    resets = world.resets
    ex = BundleMutation(0, "file", (fuzzkit.Op("append"),), (), (), "keep", "office", 0)
    IMPORT.check(world, ex)
    assert world.resets == resets + 1  # it was accepted, then the office put back
    dup = BundleMutation(2, "file", (fuzzkit.Op("append"),), (), (), "keep", "office", 0)
    IMPORT.check(world, dup)
    assert world.resets == resets + 1

"""Fuzzing the age reader (issue 9): header, stanzas, armor and STREAM on
mutated and arbitrary input raise only ``AgeError``, and never hand back a
plaintext other than the one encrypted. The long run is ``bench/fuzz.py``."""

from __future__ import annotations

import pytest
from hypothesis import given

from tests import fuzzkit
from tests.fuzzkit import AgeWorld


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> AgeWorld:
    return AgeWorld.build(tmp_path_factory.mktemp("fuzz-age"))


MUTATED, ARMOR, GARBAGE, KEYS = fuzzkit.AGE.props


@fuzzkit.suite(300)
@given(ex=MUTATED.strategy)
def test_mutated_files_give_the_plaintext_or_an_age_error(world: AgeWorld, ex) -> None:
    fuzzkit.run_check(MUTATED, world, ex)


@fuzzkit.suite(40)
@given(ex=ARMOR.strategy)
def test_armor_line_endings_and_surrounding_whitespace_still_decrypt(world: AgeWorld,
                                                                     ex) -> None:
    fuzzkit.run_check(ARMOR, world, ex)


@fuzzkit.suite(150)
@given(ex=GARBAGE.strategy)
def test_arbitrary_bytes_raise_only_age_errors(world: AgeWorld, ex) -> None:
    fuzzkit.run_check(GARBAGE, world, ex)


@fuzzkit.suite(100)
@given(ex=KEYS.strategy)
def test_key_strings_parse_or_raise_invalid_key(world: AgeWorld, ex) -> None:
    fuzzkit.run_check(KEYS, world, ex)


def test_every_seed_decrypts_unaltered(world: AgeWorld) -> None:
    for seed in world.seeds:
        ex = fuzzkit.AgeMutation(world.seeds.index(seed), "bytes", (fuzzkit.Op("append"),))
        assert ex.apply(seed) == seed.data
        fuzzkit.check_age_mutation(world, ex)

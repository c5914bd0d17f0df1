"""Fuzzing the age reader (issue 9): header, stanzas, armor and STREAM on
mutated and arbitrary input raise only ``AgeError``, and never hand back a
plaintext other than the one encrypted. The long run is ``bench/fuzz.py``."""

from __future__ import annotations

import pytest
from hypothesis import given

from tests import fuzz
from tests.fuzz.age_fuzz import AgeMutation, AgeWorld, check_age_mutation


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> AgeWorld:
    return AgeWorld.build(tmp_path_factory.mktemp("fuzz-age"))


MUTATED, ARMOR, GARBAGE, KEYS = fuzz.AGE.props


@fuzz.suite(300)
@given(ex=MUTATED.strategy)
def test_mutated_files_give_the_plaintext_or_an_age_error(world: AgeWorld, ex) -> None:
    fuzz.run_check(MUTATED, world, ex)


@fuzz.suite(40)
@given(ex=ARMOR.strategy)
def test_armor_line_endings_and_surrounding_whitespace_still_decrypt(world: AgeWorld,
                                                                     ex) -> None:
    fuzz.run_check(ARMOR, world, ex)


@fuzz.suite(150)
@given(ex=GARBAGE.strategy)
def test_arbitrary_bytes_raise_only_age_errors(world: AgeWorld, ex) -> None:
    fuzz.run_check(GARBAGE, world, ex)


@fuzz.suite(100)
@given(ex=KEYS.strategy)
def test_key_strings_parse_or_raise_invalid_key(world: AgeWorld, ex) -> None:
    fuzz.run_check(KEYS, world, ex)


def test_every_seed_decrypts_unaltered(world: AgeWorld) -> None:
    for seed in world.seeds:
        ex = AgeMutation(world.seeds.index(seed), "bytes", (fuzz.Op("append"),))
        assert ex.apply(seed) == seed.data
        check_age_mutation(world, ex)

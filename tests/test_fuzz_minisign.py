"""Fuzzing the minisign reader (issue 9): mutated and arbitrary signatures
and public keys raise only ``MinisignError``, and an altered signature, trusted
comment, key or data never verifies. The long run is ``bench/fuzz.py``."""

from __future__ import annotations

import pytest
from hypothesis import given

from tests import fuzz
from tests.fuzz.minisign_fuzz import MinisignMutation, MinisignWorld

MUTATED, GARBAGE, SECRET = fuzz.MINISIGN.props


@pytest.fixture(scope="module")
def world() -> MinisignWorld:
    return MinisignWorld.build()


@fuzz.suite(300)
@given(ex=MUTATED.strategy)
def test_an_altered_signature_key_comment_or_data_never_verifies(world: MinisignWorld,
                                                                 ex) -> None:
    fuzz.run_check(MUTATED, world, ex)


@fuzz.suite(200)
@given(ex=GARBAGE.strategy)
def test_arbitrary_signature_and_key_texts_raise_only_minisign_errors(world: MinisignWorld,
                                                                      ex) -> None:
    fuzz.run_check(GARBAGE, world, ex)


@fuzz.suite(100)
@given(ex=SECRET.strategy)
def test_an_altered_secret_key_text_is_refused_or_the_same_key(world: MinisignWorld,
                                                               ex) -> None:
    fuzz.run_check(SECRET, world, ex)


def test_the_unaltered_signatures_verify(world: MinisignWorld) -> None:
    from storage import minisign

    for index, text in world.signatures:
        minisign.verify(world.data[index], text, world.public_text, allow_legacy=True)
        ex = MinisignMutation(0, "signature", (fuzz.Op("append"),), "", False,
                                      False, True)
        MUTATED.check(world, ex)

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

from tests import fuzz
from tests.fuzz.bundle_fuzz import (
    BundleMutation,
    KeyFileMutation,
    OfficeWorld,
    TarMember,
    build_tar,
    make_bundle_file,
    semantic_edit,
)

IMPORT, FORMAT, KEYS = fuzz.BUNDLES.props


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OfficeWorld]:
    w = OfficeWorld.build(tmp_path_factory.mktemp("fuzz-office"))
    yield w
    w.close()


@fuzz.suite(200)
@given(ex=IMPORT.strategy)
def test_a_damaged_bundle_is_rejected_and_changes_nothing(world: OfficeWorld, ex) -> None:
    fuzz.run_check(IMPORT, world, ex)


@fuzz.suite(150)
@given(ex=FORMAT.strategy)
def test_unpack_and_decode_raise_only_bundle_rejected(world: OfficeWorld, ex) -> None:
    fuzz.run_check(FORMAT, world, ex)


@fuzz.suite(80)
@given(ex=KEYS.strategy)
def test_damaged_key_files_and_rotations_are_refused_and_change_nothing(world: OfficeWorld,
                                                                       ex) -> None:
    fuzz.run_check(KEYS, world, ex)


def test_the_genuine_rotation_is_applied_and_the_world_reset(world: OfficeWorld) -> None:
    resets = world.resets
    fuzz.run_check(KEYS, world, KeyFileMutation("rotation", (), "", "", "a"))
    assert world.resets == resets + 1


def test_the_genuine_next_bundle_is_accepted_and_the_world_reset(world: OfficeWorld) -> None:
    resets = world.resets
    ex = BundleMutation(0, "file", (fuzz.Op("append"),), (), (), "keep", "office", 0)
    fuzz.run_check(IMPORT, world, ex)
    assert world.resets == resets + 1  # it was accepted, then the office put back
    dup = BundleMutation(2, "file", (fuzz.Op("append"),), (), (), "keep", "office", 0)
    IMPORT.check(world, dup)
    assert world.resets == resets + 1


# -- what the fuzzing found (each fixed in branchtool/bundles/format.py) -------------------

@pytest.mark.parametrize("edits", [
    # the gap list of 2**31 sequences: MemoryError (or, unguarded, the OOM killer)
    [(("sequence",), 2**31)],
    [(("sequence",), 2**62)],
    [(("period", "to"), "9999-12-31")],  # stepping past the last day: OverflowError
    [(("period", "from"), "0000-01-01")],  # year 0: ValueError in the import
    [(("period", "from"), "2026-02-30")],  # the schema's pattern, not a date: ValueError
    # accepted, then ``office status`` for that day: OverflowError in its time zone
    [(("created",), "9999-12-31T23:59:59"), (("period", "from"), "2026-11-19")],
], ids=["seq-2**31", "seq-2**62", "to-9999", "from-0000", "from-02-30", "created-9999"])
def test_a_signed_bundle_with_an_impossible_sequence_or_date_is_a_schema_error(
        world: OfficeWorld, edits: list[tuple[tuple[str, ...], object]]) -> None:
    """Signed by the branch's own key (a buggy or stolen branch program): the
    office rejected none of these and crashed in the import or later in
    ``office status``."""
    ex = BundleMutation(0, "doc", (), tuple(semantic_edit(p, v) for p, v in edits),
                        (), "a", "office", 0)
    resets = world.resets
    fuzz.run_check(IMPORT, world, ex)
    assert world.resets == resets  # rejected, nothing to put back


def test_a_bad_pax_header_is_a_bad_tar(world: OfficeWorld) -> None:
    """tarfile raised ValueError (int("0,1,2") for ``GNU.sparse.size``) through
    unpack; the block-by-block walk refuses any pax header as a member that
    is not a regular file, without interpreting it."""
    from branchtool.bundles import format as fmt

    members = [TarMember("bundle.json", b"0", "json", (("GNU.sparse.size", "0,1,2"),))]
    tar = build_tar(members, world.bundles[0], 2)
    assert tar is not None
    with pytest.raises(fmt.BundleRejected) as err:
        fmt.unpack(tar)
    assert err.value.reason == "tar_type"


@pytest.mark.parametrize(("value", "company"), [
    ("", ()),  # TypeError from the store: a record id must be a non-empty string
    ("@first_id", ()),  # the id of a bundle accepted before: the run's write failed
    ("@next_id", (0,)),  # the id of another bundle in the same run
])
def test_a_signed_bundle_reusing_or_lacking_a_bundle_id_is_rejected_alone(
        world: OfficeWorld, value: str, company: tuple[int, ...]) -> None:
    """These crashed the import, or failed the whole run (every other file's
    verdict lost) with "record exists" at the final write."""
    ex = BundleMutation(1, "doc", (), (semantic_edit(("bundle_id",), value),), (),
                        "a", "office", 0, company)
    fuzz.run_check(IMPORT, world, ex)


def test_a_reused_bundle_id_has_its_own_reason(world: OfficeWorld) -> None:
    ex = BundleMutation(1, "doc", (), (semantic_edit(("bundle_id",), "@first_id"),),
                        (), "a", "office", 0)
    data, _ = make_bundle_file(world, ex)
    path = world.file_path()
    path.write_bytes(data)
    [result] = world.office.import_paths([path])
    assert (result.verdict, result.reason) == ("rejected", "id_reused")

"""The folder of hostile bundles (built by tests/make_hostile_bundles.py): each
file is refused with its own reason and leaves every record the office holds,
and ``office status --json``, byte for byte as they were (the import log keeps
the refusal)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import orjson
import pytest

from branchtool import i18n
from branchtool.bundles import format as fmt
from branchtool.cli import main
from storage import age
from tests.make_hostile_bundles import build
from tests.officekit import (
    OFFICE_PASSPHRASE,
    TODAY,
    keep_language,  # noqa: F401  (an autouse fixture)
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("hostile")
    return root, build(root)


@pytest.fixture
def office_dir(world: tuple[Path, dict[str, str]], tmp_path: Path,
               monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "office"
    shutil.copytree(world[0] / "office", path)
    monkeypatch.setenv("BRANCHTOOL_HOME", str(path))
    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", OFFICE_PASSPHRASE)
    return path


def status_json(capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["office", "status", "--json", "--date", TODAY.isoformat()]) == 0
    return capsys.readouterr().out


def store_digest(office_dir: Path) -> dict[str, str]:
    """Every partition's documents but the import log, which keeps the refusal
    (and the history entries of that one write)."""
    from branchtool.office.imports import IMPORTS
    from storage.vault import Vault

    vault = Vault.open(office_dir, OFFICE_PASSPHRASE)
    try:
        return {name: hashlib.sha256(orjson.dumps(sorted(
                    vault.partition(name).all(), key=lambda d: d["id"]),
                    option=orjson.OPT_SORT_KEYS)).hexdigest()
                for name in vault.partitions()
                if not name.startswith((IMPORTS + "/", "history/"))
                and len(vault.partition(name))}  # one only read is not a change
    finally:
        vault.close()


def import_json(paths: list[Path], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict]]:
    code = main(["office", "import", "--json", *map(str, paths)])
    lines = capsys.readouterr().out.splitlines()
    return code, [orjson.loads(line) for line in lines]


# What the issue lists, file by file, and the reason each must get.
EXPECTED = {
    "truncated.bundle.age": "truncated",
    "flipped-byte.bundle.age": "damaged",
    "not-age.bundle.age": "not_age",
    "for-another-office.bundle.age": "not_for_us",
    "untrusted-key.bundle.age": "untrusted",
    "signed-by-a-naming-b.bundle.age": "wrong_branch",
    "signed-for-another-office.bundle.age": "wrong_office",
    "tar-third-member.bundle.age": "tar_members",
    "tar-dotdot-path.bundle.age": "tar_path",
    "tar-symlink.bundle.age": "tar_type",
    "tar-duplicate-name.bundle.age": "tar_duplicate",
    "wrong-types.bundle.age": "schema",
    "deep-nesting.bundle.age": "json",
    # issue 13: nothing unsigned is parsed, headers and parsing are bounded, the
    # tar holds exactly two members, ED signatures only, records type-checked
    "unsigned-deep-nesting.bundle.age": "signature",
    "header-thousand-stanzas.bundle.age": "header_too_large",
    "tar-hidden-second-bundle.bundle.age": "tar_trailing",
    "legacy-signature.bundle.age": "legacy_signature",
    "signed-value-bomb.bundle.age": "too_many_values",
    "roster-name-is-a-list.bundle.age": "record_type",
    "replayed-older-sequence.bundle.age": "rollback",
    "same-sequence-other-content.bundle.age": "conflict",
    "broken-chain.bundle.age": "chain",
    "unenrolled-branch.bundle.age": "unknown_branch",
    "oversized.bundle.age": "too_large",
}


def test_the_script_builds_every_case_the_issue_lists(world: tuple[Path, dict[str, str]]) -> None:
    root, cases = world
    assert cases == EXPECTED
    assert orjson.loads((root / "cases.json").read_bytes()) == EXPECTED
    assert sorted(p.name for p in (root / "hostile").iterdir()) == sorted(EXPECTED)
    assert len(set(EXPECTED.values())) == len(EXPECTED), "each case has its own reason"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_hostile_bundle_is_refused_and_changes_nothing(
    name: str, world: tuple[Path, dict[str, str]], office_dir: Path,
    capsys: pytest.CaptureFixture[str]
) -> None:
    before, digest = status_json(capsys), store_digest(office_dir)
    path = world[0] / "hostile" / name
    size = path.stat().st_size
    code, lines = import_json([path], capsys)
    assert code == 1
    assert [(r["verdict"], r["reason"]) for r in lines] == [("rejected", EXPECTED[name])]
    assert set(lines[0]) >= {"file", "verdict", "reason", "branch", "sequence"}
    assert status_json(capsys) == before
    assert store_digest(office_dir) == digest
    assert path.stat().st_size == size  # left where it was, untouched
    assert [(e["file"], e["reason"]) for e in logged(office_dir)
            if e["verdict"] == "rejected"] == [(name, EXPECTED[name])]


# Issue 19: the age message holds a compressed tar; its zstd frame, hostile.
EXPECTED_ZSTD = {
    "zstd-bomb.bundle.age": "content_too_large",  # kilobytes, 1 GiB inside
    "zstd-bomb-stated.bundle.age": "content_too_large",
    "zstd-lying-size-short.bundle.age": "damaged",
    "zstd-lying-size-long.bundle.age": "damaged",
    "zstd-truncated-frame.bundle.age": "damaged",
    "zstd-two-frames.bundle.age": "damaged",
    "zstd-skippable-after.bundle.age": "damaged",
    "zstd-skippable-first.bundle.age": "damaged",
    "zstd-huge-window.bundle.age": "damaged",
    "zstd-garbage.bundle.age": "damaged",
}


def test_the_script_builds_every_zstd_case(world: tuple[Path, dict[str, str]]) -> None:
    root = world[0]
    assert orjson.loads((root / "cases-zstd.json").read_bytes()) == EXPECTED_ZSTD
    assert sorted(p.name for p in (root / "hostile-zstd").iterdir()) == sorted(EXPECTED_ZSTD)
    assert all(p.stat().st_size < (1 << 20) for p in (root / "hostile-zstd").iterdir())


def test_each_hostile_zstd_bundle_is_refused_and_changes_nothing(
    world: tuple[Path, dict[str, str]], office_dir: Path,
    capsys: pytest.CaptureFixture[str]
) -> None:
    before, digest = status_json(capsys), store_digest(office_dir)
    paths = sorted((world[0] / "hostile-zstd").iterdir())
    code, lines = import_json(paths, capsys)
    assert code == 1
    assert {Path(r["file"]).name: (r["verdict"], r["reason"]) for r in lines} == {
        name: ("rejected", reason) for name, reason in EXPECTED_ZSTD.items()}
    assert status_json(capsys) == before
    assert store_digest(office_dir) == digest
    # and the genuine next bundle still goes in after them
    code, lines = import_json([world[0] / "next"], capsys)
    assert (code, [r["verdict"] for r in lines]) == (0, ["accepted"])


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_a_zstd_bomb_costs_no_more_than_the_largest_tar(
    world: tuple[Path, dict[str, str]], office_dir: Path
) -> None:
    """1 GiB behind a few kilobytes: decompressed in bounded pieces and refused
    past the largest tar two members make, never held whole."""
    from tests.make_hostile_bundles import probe_import

    bombs = [world[0] / "hostile-zstd" / name
             for name in ("zstd-bomb.bundle.age", "zstd-bomb-stated.bundle.age")]
    results = probe_import(office_dir, OFFICE_PASSPHRASE, bombs)
    print(f"zstd bombs: {results}")
    assert [r["reason"] for r in results] == ["content_too_large"] * 2
    # the tar's bound, and one piece's output (16 MiB) held while appended
    assert results[0]["growth"] < fmt.MAX_TAR + (48 << 20)
    assert results[1]["growth"] < 16 << 20  # its stated size refused it unread


def logged(office_dir: Path) -> list[dict]:
    from branchtool.office.imports import log
    from storage.vault import Vault

    vault = Vault.open(office_dir, OFFICE_PASSPHRASE)
    try:
        return log(vault)
    finally:
        vault.close()


def test_reasons_are_one_sentence_in_both_languages() -> None:
    for lang in i18n.LANGUAGES:
        catalog = i18n.catalog(lang)
        for reason in set(EXPECTED.values()) | {"retired", "revoked", "content_too_large",
                                                 "unreadable"}:
            text = catalog[f"bundle.reject.{reason}"]
            assert text.strip() and "\n" not in text


def test_a_whole_folder_of_hostile_bundles_then_the_genuine_next_one(
    world: tuple[Path, dict[str, str]], office_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = world[0]
    before = status_json(capsys)
    code, lines = import_json([root / "hostile"], capsys)
    assert code == 1
    assert {Path(r["file"]).name: r["reason"] for r in lines} == EXPECTED
    assert status_json(capsys) == before
    code, lines = import_json([root / "next", root / "baseline"], capsys)
    assert code == 0
    assert [(r["branch"], r["sequence"], r["verdict"]) for r in lines] == [
        ("A1", 4, "accepted"), ("A1", 1, "duplicate"), ("A1", 3, "duplicate"),
        ("B2", 1, "duplicate")]
    assert lines[0]["changes"] == 1  # the unit corrected after bundle 3
    after = orjson.loads(status_json(capsys))
    a1 = next(b for b in after["branches"] if b["code"] == "A1")
    assert a1["last_sequence"] == 4 and a1["missing"] == [2]


def test_a_300_mb_string(world: tuple[Path, dict[str, str]], office_dir: Path,
                         tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Generated here, never committed: over the default cap it is refused
    unread; with the cap raised it is refused at the tar, before parsing."""
    from storage.vault import Vault

    recipient = Vault.read_info(office_dir)["recipient"]
    doc = b'{"format":"branchtool-bundle","pad":"' + b"x" * (300 << 20) + b'"}'
    path = tmp_path / "string.bundle.age"
    path.write_bytes(age.encrypt(fmt.pack(doc, "sig", 0), [recipient]))
    del doc
    before, digest = status_json(capsys), store_digest(office_dir)
    code, lines = import_json([path], capsys)
    assert (code, lines[0]["reason"]) == (1, "too_large")
    assert main(["office", "settings", "--max-size-mib", "1024"]) == 0
    capsys.readouterr()
    digest = store_digest(office_dir)
    code, lines = import_json([path], capsys)
    assert (code, lines[0]["reason"]) == (1, "content_too_large")
    assert status_json(capsys) == before
    assert store_digest(office_dir) == digest


def test_a_long_string_inside_the_limits_is_a_schema_error() -> None:
    with pytest.raises(fmt.BundleRejected) as err:
        fmt.decode(b'{"a":"' + b"x" * (fmt.MAX_STRING + 1) + b'"}')
    assert (err.value.reason, err.value.params) == ("schema", {"field": "string"})

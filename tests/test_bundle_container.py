"""The compressed tar inside a bundle's (and an inbox file's) age message:
read as it arrives, bounded whatever the frame claims (``bundles.container``).
The whole files, hostile ones included, are tried through the office's and
the branch's importers in test_office_hostile.py and test_inbox_hostile.py."""

from __future__ import annotations

import tracemalloc

import pytest
import zstandard

from branchtool.bundles import container
from branchtool.bundles import format as fmt
from tests.make_hostile_bundles import restated, skippable, zeros_frame

TAR = fmt.pack(b'{"format":"branchtool-bundle"}' * 3000, "untrusted comment: x\n", 0)


def _through(plain: bytes, limit: int, piece: int) -> bytearray:
    """What the sink makes of ``plain`` written in pieces of ``piece`` bytes
    (age writes 64 KiB chunks; any split must give the same)."""
    sink = container.Plain(limit)
    for at in range(0, len(plain), piece):
        sink.write(plain[at: at + piece])
    return sink.finish()


@pytest.mark.parametrize("piece", [1, 3, 4, 5, 1000, 1 << 16])
def test_any_split_of_the_frame_gives_the_tar(piece: int) -> None:
    frame = container.seal(TAR)
    assert frame[:4] == container.MAGIC and len(frame) * 20 < len(TAR)
    assert bytes(_through(frame, fmt.MAX_TAR, piece)) == TAR
    assert bytes(_through(TAR, fmt.MAX_TAR, piece)) == TAR  # a bare tar, as before


def test_a_bare_tar_is_passed_on_as_it_is() -> None:
    plain = bytearray(TAR)
    assert container.inflate(plain, fmt.MAX_TAR) is plain  # not copied
    json_bytes, signature = fmt.unpack(container.seal(TAR))
    assert json_bytes == fmt.unpack(TAR)[0] and signature.startswith("untrusted")


def test_a_frame_without_its_size_is_read() -> None:
    """What ``zstd`` writes from a pipe (``tar c … | zstd``)."""
    frame = zstandard.ZstdCompressor(write_content_size=False).compress(TAR)
    assert zstandard.frame_content_size(frame) == -1
    assert bytes(container.inflate(frame, fmt.MAX_TAR)) == TAR


@pytest.mark.parametrize("name, plain, reason", [
    ("cut short", container.seal(TAR)[:-7], "damaged"),
    ("only the magic", container.MAGIC, "damaged"),
    ("states less", restated(container.seal(TAR), len(TAR) - 1), "damaged"),
    ("states more", restated(container.seal(TAR), len(TAR) + 1), "damaged"),
    ("two frames", container.seal(TAR) * 2, "damaged"),
    ("a zero after", container.seal(TAR) + b"\0", "damaged"),
    ("skippable after", container.seal(TAR) + skippable(b"x"), "damaged"),
    ("skippable first", skippable(b"x") + container.seal(TAR), "damaged"),
    ("garbage", container.MAGIC + bytes(range(256)) * 4, "damaged"),
    ("states over the limit", restated(container.seal(TAR), fmt.MAX_TAR + 1), "too_large"),
])
def test_what_is_not_one_whole_frame_is_refused(name: str, plain: bytes, reason: str) -> None:
    for piece in (len(plain), 5):
        with pytest.raises(container.Refused) as err:
            _through(plain, fmt.MAX_TAR, piece)
        assert err.value.reason == reason, name
    with pytest.raises(fmt.BundleRejected) as rejected:
        fmt.unpack(plain)
    assert rejected.value.reason == ("content_too_large" if reason == "too_large" else "damaged")


def test_a_window_over_8_mib_is_refused() -> None:
    compressor = zstandard.ZstdCompressor(level=22, write_content_size=False).compressobj()
    frame = compressor.compress(TAR) + compressor.flush()
    assert zstandard.get_frame_parameters(frame).window_size > container.MAX_WINDOW
    with pytest.raises(container.Refused, match="damaged"):
        container.inflate(frame, fmt.MAX_TAR)


@pytest.mark.parametrize("stated", [False, True])
def test_a_bomb_never_holds_much_more_than_the_limit(stated: bool) -> None:
    """256 MiB of zeros behind a few kilobytes, read with a 4 MiB limit:
    refused, and what was held stays within a small multiple of the limit."""
    limit = 4 << 20
    bomb = zeros_frame(TAR, 256 << 20, content_size=stated)
    assert len(bomb) < 64 << 10
    tracemalloc.start()
    try:
        with pytest.raises(container.Refused, match="too_large"):
            _through(bomb, limit, 1 << 16)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < limit + (container.MAX_OUT + (2 << 20)) * 2

"""Compression before encryption: one standard zstd frame (RFC 8878).

Every plaintext the store writes (``state.age``, each snapshot, each journal
frame's message) is a zstd frame with its content size in the frame header;
what was written before (plain JSON, which never begins with the zstd magic
bytes ``28 B5 2F FD``) is read as it is. By hand:
``age -d -i identity.txt data/roster.00000007.snap.age | zstd -d``.

Reading is bounded: a frame must state its size, at most ``limit`` bytes,
decompress to exactly that and hold nothing after it.
"""

from __future__ import annotations

import threading

import zstandard

MAGIC = b"\x28\xb5\x2f\xfd"
LEVEL = 3  # zstd's default: ~5x on the store's JSON, hundreds of MB/s each way
MAX_PLAIN = 4 << 30  # no snapshot, state or frame comes near it

_local = threading.local()


def _compressor() -> zstandard.ZstdCompressor:
    compressor = getattr(_local, "compressor", None)
    if compressor is None:  # one per thread: a compressor is not shared safely
        compressor = _local.compressor = zstandard.ZstdCompressor(
            level=LEVEL, write_content_size=True)
    return compressor


def compress(plain: bytes | bytearray | memoryview) -> bytes:
    """One zstd frame holding ``plain`` (its size in the frame header)."""
    return _compressor().compress(plain)


def is_compressed(data: bytes | bytearray | memoryview) -> bool:
    return bytes(data[:4]) == MAGIC


def decompress(data: bytes, limit: int = MAX_PLAIN) -> bytes:
    """``data`` itself unless it is a zstd frame, else what the frame holds.
    ``ValueError`` for a frame that is damaged, does not state its size,
    states more than ``limit``, or is followed by anything."""
    if not is_compressed(data):
        return data
    try:
        size = zstandard.frame_content_size(data)
        if size < 0 or size > limit:
            raise ValueError("zstd frame without a size or over the limit")
        reader = zstandard.ZstdDecompressor().decompressobj()
        plain = reader.decompress(data)
    except zstandard.ZstdError:
        raise ValueError("damaged zstd frame") from None
    if not reader.eof or reader.unused_data or len(plain) != size:
        raise ValueError("zstd frame incomplete or followed by other data")
    return plain

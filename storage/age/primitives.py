"""The few primitives age builds on, all from ``cryptography``.

"Keys derived with HKDF-SHA-256 are produced by applying HKDF-Extract with the
specified salt followed by HKDF-Expand with the specified info according to
RFC 5869. [...] The length of the output keying material is always 32 bytes."
(C2SP age spec)
"""

from __future__ import annotations

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FILE_KEY_SIZE = 16
KEY_SIZE = 32
TAG_SIZE = 16
# "the ChaCha20-Poly1305 nonce is fixed as 12 0x00 bytes": every key used with
# it is fresh (derived from a new ephemeral share or salt).
_ZERO_NONCE = bytes(12)
_SHA256 = hashes.SHA256()


def hkdf(ikm: bytes, salt: bytes | None, info: bytes) -> bytes:
    """HKDF-SHA-256 with 32 bytes of output."""
    return HKDF(algorithm=_SHA256, length=KEY_SIZE, salt=salt, info=info).derive(ikm)


def wrap_file_key(key: bytes, file_key: bytes) -> bytes:
    """``ChaCha20-Poly1305(key = wrap key, plaintext = file key)``, zero nonce."""
    return ChaCha20Poly1305(key).encrypt(_ZERO_NONCE, file_key, None)


def unwrap_file_key(key: bytes, body: bytes) -> bytes | None:
    """The file key, or None when ``key`` does not open ``body``.

    The caller has checked that ``body`` is exactly 32 bytes, as the spec asks,
    "to mitigate partitioning oracle attacks".
    """
    try:
        return ChaCha20Poly1305(key).decrypt(_ZERO_NONCE, body, None)
    except InvalidTag:
        return None

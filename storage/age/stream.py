"""The payload: ChaCha20-Poly1305 STREAM in 64 KiB chunks.

"The payload is split in chunks of 64 KiB, and each of them is encrypted with
ChaCha20-Poly1305, using the payload key and a 12-byte nonce composed as
follows: the first 11 bytes are a big endian chunk counter starting at zero and
incrementing by one for each subsequent chunk; the last byte is 0x01 for the
final chunk and 0x00 for all preceding ones. The final chunk MAY be shorter than
64 KiB but MUST NOT be empty unless the whole payload is empty." (C2SP age spec)

"Streaming decryption MUST signal an error if the end of file is reached
without successfully decrypting a final chunk."

Decryption releases a chunk's plaintext only after its tag verifies, and reads
exactly as the reference implementation does, so the same prefix of plaintext
is released before an error: a full-size chunk is tried as a non-final chunk
first, then as the final one.
"""

from __future__ import annotations

from typing import BinaryIO, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from storage.age.errors import PayloadError
from storage.age.primitives import TAG_SIZE, hkdf

CHUNK_SIZE = 64 * 1024
ENCRYPTED_CHUNK_SIZE = CHUNK_SIZE + TAG_SIZE
NONCE_SIZE = 16  # the payload nonce that follows the header
_LAST = b"\x01"
_NOT_LAST = b"\x00"


class ChunkSource(Protocol):
    def readinto(self, view: memoryview, /) -> int: ...  # fills view unless at EOF

    def read(self, size: int, /) -> bytes: ...


class Writable(Protocol):
    def write(self, data: bytes, /) -> object: ...


def payload_key(file_key: bytes, nonce: bytes) -> bytes:
    # "payload key = HKDF-SHA-256(ikm = file key, salt = nonce, info = "payload")"
    return hkdf(file_key, nonce, b"payload")


def _nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (_LAST if last else _NOT_LAST)


def encrypt_bytes(key: bytes, plaintext: bytes | bytearray | memoryview) -> list[bytes]:
    """The encrypted chunks of ``plaintext``."""
    aead = ChaCha20Poly1305(key)
    view = memoryview(plaintext).cast("B")
    size = len(view)
    if size == 0:
        return [aead.encrypt(_nonce(0, True), b"", None)]
    last = (size - 1) // CHUNK_SIZE
    encrypt = aead.encrypt
    return [
        encrypt(_nonce(i, i == last), view[i * CHUNK_SIZE : (i + 1) * CHUNK_SIZE], None)
        for i in range(last + 1)
    ]


def encrypt_stream(key: bytes, src: ChunkSource, dst: Writable) -> None:
    """Encrypt everything ``src`` holds to ``dst``, one chunk in memory at a time."""
    encrypt = ChaCha20Poly1305(key).encrypt
    views = (memoryview(bytearray(CHUNK_SIZE)), memoryview(bytearray(CHUNK_SIZE)))
    current = 0
    size = src.readinto(views[0])
    counter = 0
    while True:
        ahead = 0
        if size == CHUNK_SIZE:
            # A full chunk is the final one only if nothing follows it.
            ahead = src.readinto(views[1 - current])
            last = ahead == 0
        else:
            last = True
        dst.write(encrypt(_nonce(counter, last), views[current][:size], None))
        if last:
            return
        counter += 1
        current = 1 - current
        size = ahead


def _open(aead: ChaCha20Poly1305, counter: int, chunk: memoryview) -> tuple[bytes, bool]:
    """Decrypt one chunk; return its plaintext and whether it was the final one."""
    size = len(chunk)
    if size < ENCRYPTED_CHUNK_SIZE:
        # A short chunk can only be the final one.
        if size == 0:
            raise PayloadError("the payload is truncated: it ends without a final chunk")
        if size == TAG_SIZE and counter:
            raise PayloadError("the final chunk is empty, which only an empty payload may have")
        try:
            return aead.decrypt(_nonce(counter, True), chunk, None), True
        except InvalidTag:
            raise PayloadError(
                f"payload chunk {counter} failed authentication: the file is corrupted "
                "or truncated"
            ) from None
    try:
        return aead.decrypt(_nonce(counter, False), chunk, None), False
    except InvalidTag:
        pass
    try:  # a full-size final chunk
        return aead.decrypt(_nonce(counter, True), chunk, None), True
    except InvalidTag:
        raise PayloadError(
            f"payload chunk {counter} failed authentication: the file is corrupted"
        ) from None


_TRAILING = "trailing data after the final chunk"


def decrypt_bytes(key: bytes, payload: memoryview) -> bytes:
    """All of the plaintext, or :class:`PayloadError` before any of it is returned."""
    aead = ChaCha20Poly1305(key)
    total = len(payload)
    parts: list[bytes] = []
    position = 0
    counter = 0
    while True:
        chunk = payload[position : position + ENCRYPTED_CHUNK_SIZE]
        plaintext, last = _open(aead, counter, chunk)
        parts.append(plaintext)
        position += len(chunk)
        if last:
            if position != total:
                raise PayloadError(_TRAILING)
            return b"".join(parts)
        counter += 1


def decrypt_stream(key: bytes, src: ChunkSource, dst: BinaryIO | Writable) -> None:
    """Write each authenticated chunk to ``dst``; raise at the first failure."""
    aead = ChaCha20Poly1305(key)
    view = memoryview(bytearray(ENCRYPTED_CHUNK_SIZE))
    counter = 0
    while True:
        size = src.readinto(view)
        plaintext, last = _open(aead, counter, view[:size])
        dst.write(plaintext)
        if last:
            if src.read(1):
                raise PayloadError(_TRAILING)
            return
        counter += 1

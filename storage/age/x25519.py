"""The X25519 recipient type: ``age1...`` recipients, ``AGE-SECRET-KEY-1...`` identities.

    salt = ephemeral share || recipient
    info = "age-encryption.org/v1/X25519"
    shared secret = X25519(ephemeral secret, recipient)
    wrap key = HKDF-SHA-256(ikm = shared secret, salt, info)
    body = ChaCha20-Poly1305(key = wrap key, plaintext = file key)

(C2SP age spec.) Parse keys once and reuse the objects: an identity keeps its
private key object and its public key, a recipient its public key object, so
wrapping and unwrapping cost one or two X25519 operations and no re-parsing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from storage.age import bech32
from storage.age.errors import InvalidKeyError, InvalidStanzaError, ZeroSharedSecretError
from storage.age.header import Stanza, b64decode, b64encode
from storage.age.primitives import hkdf, unwrap_file_key, wrap_file_key

STANZA_TYPE = "X25519"
LABEL = b"age-encryption.org/v1/X25519"
RECIPIENT_HRP = "age"
IDENTITY_HRP = "AGE-SECRET-KEY-"
KEY_SIZE = 32
_WRAPPED_SIZE = 32  # 16-byte file key + 16-byte tag
_ZERO = bytes(32)


def _key_bytes(text: str, hrp: str, what: str, expected: str,
               other_type: Callable[[str], bool], unsupported: str) -> bytes:
    """The 32 key bytes of a Bech32 key ``text`` whose HRP must be ``hrp``;
    ``other_type`` tells the HRP of another age key type (``unsupported``)."""
    try:
        found, data = bech32.decode(text)
    except bech32.Bech32Error as exc:
        raise InvalidKeyError(f"malformed {what}: {exc}") from None
    if found != hrp:
        if other_type(found):
            raise InvalidKeyError(unsupported)
        raise InvalidKeyError(f"not an {what} (expected {expected})")
    if len(data) != KEY_SIZE:
        raise InvalidKeyError(f"malformed {what}: wrong key length")
    return data


class X25519Recipient:
    """An ``age1...`` public key; :meth:`parse` once, then pass it to ``encrypt``."""

    __slots__ = ("_key", "_raw")

    def __init__(self, public_key: bytes) -> None:
        if len(public_key) != KEY_SIZE:
            raise InvalidKeyError("an X25519 public key is 32 bytes")
        self._raw = bytes(public_key)
        self._key = X25519PublicKey.from_public_bytes(self._raw)

    @classmethod
    def parse(cls, text: str) -> X25519Recipient:
        """Parse an ``age1...`` recipient (lowercase Bech32, HRP ``age``)."""
        return cls(_key_bytes(text, RECIPIENT_HRP, "age recipient", "lowercase age1...",
                              lambda hrp: hrp.lower().startswith("age1"),
                              "unsupported recipient type (only X25519 age1 keys)"))

    @property
    def public_bytes(self) -> bytes:
        return self._raw

    def wrap(self, file_key: bytes) -> list[Stanza]:
        """One ``X25519`` stanza wrapping ``file_key`` with a fresh ephemeral key."""
        # "A new ephemeral secret MUST be generated for each stanza and each file."
        ephemeral = X25519PrivateKey.generate()
        share = ephemeral.public_key().public_bytes_raw()
        try:
            shared_secret = ephemeral.exchange(self._key)
        except ValueError:
            raise InvalidKeyError("the recipient is a low-order point") from None
        wrap_key = hkdf(shared_secret, share + self._raw, LABEL)
        body = wrap_file_key(wrap_key, file_key)
        return [Stanza(STANZA_TYPE, (b64encode(share).decode("ascii"),), body)]

    def __str__(self) -> str:
        return bech32.encode(RECIPIENT_HRP, self._raw)

    def __repr__(self) -> str:
        return f"X25519Recipient({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, X25519Recipient) and other._raw == self._raw

    def __hash__(self) -> int:
        return hash(self._raw)


class X25519Identity:
    """An ``AGE-SECRET-KEY-1...`` secret key; :meth:`parse` once, then reuse it."""

    __slots__ = ("_key", "_public", "_recipient")

    def __init__(self, secret_key: bytes) -> None:
        if len(secret_key) != KEY_SIZE:
            raise InvalidKeyError("an X25519 secret key is 32 bytes")
        self._key = X25519PrivateKey.from_private_bytes(bytes(secret_key))
        # "recipient = X25519(identity, basepoint)", computed once.
        self._public = self._key.public_key().public_bytes_raw()
        self._recipient: X25519Recipient | None = None

    @classmethod
    def generate(cls) -> X25519Identity:
        """A new random identity ("identity = read(CSPRNG, 32)")."""
        return cls(X25519PrivateKey.generate().private_bytes_raw())

    @classmethod
    def parse(cls, text: str) -> X25519Identity:
        """Parse an ``AGE-SECRET-KEY-1...`` identity (uppercase Bech32)."""
        return cls(_key_bytes(text, IDENTITY_HRP, "age secret key", "AGE-SECRET-KEY-1...",
                              lambda hrp: hrp.upper().startswith("AGE-SECRET-KEY-"),
                              "unsupported secret key type (only X25519 keys)"))

    def recipient(self) -> X25519Recipient:
        """The matching public recipient."""
        if self._recipient is None:
            self._recipient = X25519Recipient(self._public)
        return self._recipient

    def unwrap(self, stanzas: Sequence[Stanza]) -> bytes | None:
        """The file key from the first ``X25519`` stanza this key opens, else None.

        "The identity implementation MUST ignore any stanza that does not have
        `X25519` as the first argument, and MUST otherwise reject any stanza
        that has more or less than two arguments, or where the second argument
        is not a canonical base64 encoding of a 32-byte value."
        """
        for stanza in stanzas:
            if stanza.type != STANZA_TYPE:
                continue
            if len(stanza.args) != 1:
                raise InvalidStanzaError("X25519 stanza: wrong number of arguments")
            share = b64decode(stanza.args[0].encode("ascii"), "X25519 stanza share")
            if len(share) != KEY_SIZE:
                raise InvalidStanzaError("X25519 stanza: the share is not 32 bytes")
            # "It MUST check that the body length is exactly 32 bytes before
            # attempting to decrypt it, to mitigate partitioning oracle attacks."
            if len(stanza.body) != _WRAPPED_SIZE:
                raise InvalidStanzaError("X25519 stanza: the wrapped file key has the wrong size")
            try:
                shared_secret = self._key.exchange(X25519PublicKey.from_public_bytes(share))
            except ValueError:
                shared_secret = _ZERO
            # "If the shared secret is all 0x00 bytes, the identity implementation MUST abort."
            if shared_secret == _ZERO:
                raise ZeroSharedSecretError("X25519 stanza: the share is a low-order point")
            wrap_key = hkdf(shared_secret, share + self._public, LABEL)
            file_key = unwrap_file_key(wrap_key, stanza.body)
            if file_key is not None:
                return file_key
        return None

    def __str__(self) -> str:
        secret = self._key.private_bytes_raw()
        return bech32.encode(IDENTITY_HRP, secret).upper()

    def __repr__(self) -> str:
        # Never show the secret key.
        return f"X25519Identity(recipient={str(self.recipient())!r})"

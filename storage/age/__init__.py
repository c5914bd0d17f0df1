"""age v1 file encryption (C2SP age spec) on ``cryptography`` primitives.

    from storage import age
    identity, recipient = age.generate_identity()
    blob = age.encrypt(b"data", [recipient])
    assert age.decrypt(blob, [identity]) == b"data"

Parse keys once with :meth:`X25519Identity.parse` / :meth:`X25519Recipient.parse`
and pass the objects where strings are accepted. Every error is an
:class:`AgeError` (a ``ValueError``); see :mod:`storage.age.errors`.
"""

from storage.age.core import (
    decrypt,
    decrypt_stream,
    decrypt_with_passphrase,
    encrypt,
    encrypt_stream,
    encrypt_with_passphrase,
    generate_identity,
    identity_to_recipient,
    parse_identities,
)
from storage.age.errors import (
    AgeError,
    ArmorError,
    Base64Error,
    HeaderError,
    HeaderTooLargeError,
    HMACError,
    InvalidKeyError,
    InvalidStanzaError,
    MalformedHeaderError,
    MissingNonceError,
    NoIdentityMatchError,
    PayloadError,
    ScryptNotAloneError,
    ScryptWorkFactorError,
    UnsupportedVersionError,
    ZeroSharedSecretError,
)
from storage.age.scrypt import ScryptIdentity, ScryptRecipient
from storage.age.x25519 import X25519Identity, X25519Recipient

__all__ = [
    "AgeError",
    "ArmorError",
    "Base64Error",
    "HMACError",
    "HeaderError",
    "HeaderTooLargeError",
    "InvalidKeyError",
    "InvalidStanzaError",
    "MalformedHeaderError",
    "MissingNonceError",
    "NoIdentityMatchError",
    "PayloadError",
    "ScryptIdentity",
    "ScryptNotAloneError",
    "ScryptRecipient",
    "ScryptWorkFactorError",
    "UnsupportedVersionError",
    "X25519Identity",
    "X25519Recipient",
    "ZeroSharedSecretError",
    "decrypt",
    "decrypt_stream",
    "decrypt_with_passphrase",
    "encrypt",
    "encrypt_stream",
    "encrypt_with_passphrase",
    "generate_identity",
    "identity_to_recipient",
    "parse_identities",
]

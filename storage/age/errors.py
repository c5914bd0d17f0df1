"""The exceptions of storage.age.

Every error subclasses :class:`AgeError`, itself a :class:`ValueError`. The
classes follow the failure classes of the C2SP CCTV age test vectors
("armor failure", "header failure", "no match", "HMAC failure", "payload
failure"), so a caller can tell a damaged file from a wrong key.

Messages never contain plaintext, file keys, passphrases or secret keys; where
they point at the input they name a line number, not the line's content.
"""

from __future__ import annotations


class AgeError(ValueError):
    """Base class of every error raised while reading or writing age files."""


class InvalidKeyError(AgeError):
    """An identity or recipient string is not a valid age key."""


class ArmorError(AgeError):
    """The ASCII armor (PEM "AGE ENCRYPTED FILE") is malformed."""


class HeaderError(AgeError):
    """The age header is malformed or a recipient stanza is invalid."""


class MalformedHeaderError(HeaderError):
    """The header text does not follow the v1 grammar (lines, arguments, MAC line)."""


class UnsupportedVersionError(MalformedHeaderError):
    """The version line is not ``age-encryption.org/v1``."""


class HeaderTooLargeError(HeaderError):
    """The header has more stanzas or bytes than the caller's bound allows
    (checked while reading it, before any stanza is unwrapped)."""


class Base64Error(HeaderError):
    """A header value (body line, argument, MAC) is not canonical, unpadded base64."""


class InvalidStanzaError(HeaderError):
    """A stanza of a known type has the wrong arguments or body size."""


class ZeroSharedSecretError(InvalidStanzaError):
    """An X25519 share gives the all-zero shared secret (a low-order point)."""


class ScryptNotAloneError(InvalidStanzaError):
    """An scrypt stanza appears beside other stanzas."""


class ScryptWorkFactorError(InvalidStanzaError):
    """The scrypt work factor is above the accepted maximum."""


class MissingNonceError(HeaderError):
    """The file ends before the 16-byte payload nonce that follows the header."""


class NoIdentityMatchError(AgeError):
    """None of the given identities can unwrap any recipient stanza."""


class HMACError(AgeError):
    """The header MAC does not match: the header was altered."""


class PayloadError(AgeError):
    """The encrypted payload failed to decrypt and authenticate to its end."""

"""The scrypt recipient type: a passphrase.

    wrap key = scrypt(N = work factor, r = 8, p = 1, dkLen = 32,
        S = "age-encryption.org/v1/scrypt" || salt, P = passphrase)
    body = ChaCha20-Poly1305(key = wrap key, plaintext = file key)

"An scrypt stanza, if present, MUST be the only stanza in the header. [...]
The identity implementation MUST reject headers where an scrypt stanza is
present alongside any other stanza." (C2SP age spec)
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from storage.age.errors import InvalidStanzaError, ScryptNotAloneError, ScryptWorkFactorError
from storage.age.header import Stanza, b64decode, b64encode
from storage.age.primitives import KEY_SIZE, unwrap_file_key, wrap_file_key

STANZA_TYPE = "scrypt"
LABEL = b"age-encryption.org/v1/scrypt"
SALT_SIZE = 16
DEFAULT_WORK_FACTOR = 18  # about a second on a modern machine
DEFAULT_MAX_WORK_FACTOR = 22
_WRAPPED_SIZE = 32
# "a decimal number composed of only digits with no leading zeroes"
_WORK_FACTOR = re.compile(r"[1-9][0-9]*")


def _passphrase_bytes(passphrase: str | bytes) -> bytes:
    data = passphrase.encode("utf-8") if isinstance(passphrase, str) else bytes(passphrase)
    if not data:
        raise ValueError("the passphrase can't be empty")
    return data


def _check_work_factor(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 30:
        raise ValueError(f"{name} must be an integer from 1 to 30")
    return value


def _wrap_key(passphrase: bytes, salt: bytes, work_factor: int) -> bytes:
    kdf = Scrypt(salt=LABEL + salt, length=KEY_SIZE, n=1 << work_factor, r=8, p=1)
    return kdf.derive(passphrase)


class ScryptRecipient:
    """Encrypt to a passphrase; must be the file's only recipient."""

    __slots__ = ("_passphrase", "work_factor")

    def __init__(self, passphrase: str | bytes, work_factor: int = DEFAULT_WORK_FACTOR) -> None:
        self._passphrase = _passphrase_bytes(passphrase)
        self.work_factor = _check_work_factor(work_factor, "work_factor")

    def wrap(self, file_key: bytes) -> list[Stanza]:
        # "A new salt MUST be generated for each stanza and each file."
        salt = os.urandom(SALT_SIZE)
        key = _wrap_key(self._passphrase, salt, self.work_factor)
        args = (b64encode(salt).decode("ascii"), str(self.work_factor))
        return [Stanza(STANZA_TYPE, args, wrap_file_key(key, file_key))]

    def __repr__(self) -> str:
        return f"ScryptRecipient(work_factor={self.work_factor})"


class ScryptIdentity:
    """Decrypt with a passphrase, accepting work factors up to ``max_work_factor``."""

    __slots__ = ("_passphrase", "max_work_factor")

    def __init__(
        self, passphrase: str | bytes, max_work_factor: int = DEFAULT_MAX_WORK_FACTOR
    ) -> None:
        self._passphrase = _passphrase_bytes(passphrase)
        self.max_work_factor = _check_work_factor(max_work_factor, "max_work_factor")

    def unwrap(self, stanzas: Sequence[Stanza]) -> bytes | None:
        """The file key, or None when the file has no scrypt stanza or another passphrase."""
        scrypt_stanzas = [s for s in stanzas if s.type == STANZA_TYPE]
        if not scrypt_stanzas:
            return None
        if len(stanzas) != 1:
            raise ScryptNotAloneError("an scrypt stanza must be the only stanza in the header")
        return self._unwrap(scrypt_stanzas[0])

    def _unwrap(self, stanza: Stanza) -> bytes | None:
        # "The identity implementation MUST reject any scrypt stanza that has
        # more or less than three arguments, where the second argument is not a
        # canonical base64 encoding of a 16-byte value, or where the third
        # argument is not a decimal number composed of only digits with no
        # leading zeroes"
        if len(stanza.args) != 2:
            raise InvalidStanzaError("scrypt stanza: wrong number of arguments")
        salt_text, work_text = stanza.args
        salt = b64decode(salt_text.encode("ascii"), "scrypt stanza salt")
        if len(salt) != SALT_SIZE:
            raise InvalidStanzaError("scrypt stanza: the salt is not 16 bytes")
        if not _WORK_FACTOR.fullmatch(work_text):
            raise InvalidStanzaError("scrypt stanza: the work factor is not a canonical decimal")
        # "The identity implementation SHOULD apply an upper limit to the work factor"
        if len(work_text) > 2 or int(work_text) > self.max_work_factor:
            shown = work_text if len(work_text) <= 2 else f"of {len(work_text)} digits"
            raise ScryptWorkFactorError(
                f"scrypt work factor {shown} is above the maximum {self.max_work_factor}"
            )
        if len(stanza.body) != _WRAPPED_SIZE:
            raise InvalidStanzaError("scrypt stanza: the wrapped file key has the wrong size")
        key = _wrap_key(self._passphrase, salt, int(work_text))
        return unwrap_file_key(key, stanza.body)

    def __repr__(self) -> str:
        return f"ScryptIdentity(max_work_factor={self.max_work_factor})"

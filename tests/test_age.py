"""storage.age: keys, round trips at the chunk edges, streaming, the public API."""

from __future__ import annotations

import hashlib
import io
import os
import tracemalloc
from pathlib import Path

import pytest

from storage import age
from storage.age import bech32
from storage.age.stream import CHUNK_SIZE, ENCRYPTED_CHUNK_SIZE

KIB64 = CHUNK_SIZE
SIZES = [0, 1, KIB64 - 1, KIB64, KIB64 + 1, 3 * KIB64 + 7, 3 * 1024 * 1024]
FAST = 10  # scrypt work factor for tests: ~1 ms instead of ~1 s

# The example key pair from the C2SP age spec.
SPEC_IDENTITY = "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX"
SPEC_RECIPIENT = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj"


def payload(size: int) -> bytes:
    # Deterministic and not all-zero, so a misplaced chunk would show.
    block = hashlib.sha256(str(size).encode()).digest() * 2048
    return (block * (size // len(block) + 1))[:size]


@pytest.fixture(scope="module")
def keys() -> list[age.X25519Identity]:
    return [age.X25519Identity.generate() for _ in range(3)]


# -- keys ------------------------------------------------------------------------


def test_generate_identity_formats() -> None:
    identity, recipient = age.generate_identity()
    assert identity.startswith("AGE-SECRET-KEY-1") and identity == identity.upper()
    assert recipient.startswith("age1") and recipient == recipient.lower()
    assert len(recipient) == 62 and len(identity) == 74
    assert age.identity_to_recipient(identity) == recipient
    assert age.generate_identity()[0] != identity


def test_spec_example_key_pair() -> None:
    assert age.identity_to_recipient(SPEC_IDENTITY) == SPEC_RECIPIENT
    identity = age.X25519Identity.parse(SPEC_IDENTITY)
    assert str(identity) == SPEC_IDENTITY
    assert str(identity.recipient()) == SPEC_RECIPIENT
    assert age.identity_to_recipient(identity) == SPEC_RECIPIENT
    assert age.X25519Recipient.parse(SPEC_RECIPIENT) == identity.recipient()
    assert str(age.X25519Recipient.parse(SPEC_RECIPIENT)) == SPEC_RECIPIENT


def test_identity_repr_hides_the_secret() -> None:
    identity = age.X25519Identity.parse(SPEC_IDENTITY)
    assert SPEC_IDENTITY not in repr(identity)
    assert SPEC_RECIPIENT in repr(identity)
    assert "hunter2" not in repr(age.ScryptIdentity("hunter2"))
    assert "hunter2" not in repr(age.ScryptRecipient("hunter2"))


@pytest.mark.parametrize(
    "text",
    [
        SPEC_IDENTITY.lower(),  # identities are uppercase
        SPEC_IDENTITY[:-1] + "Y",  # bad checksum
        SPEC_IDENTITY[:20] + SPEC_IDENTITY[20:].lower(),  # mixed case
        SPEC_RECIPIENT,  # a recipient is not an identity
        "AGE-SECRET-KEY-PQ-1HZLGZUPT4ETPKDEV8HSGFDCYZ4E522W0A7PU2LHT8EH9W6YLNC3SW78XKG",
        "",
        "AGE-SECRET-KEY-1",
    ],
)
def test_bad_identity_strings(text: str) -> None:
    with pytest.raises(age.InvalidKeyError):
        age.X25519Identity.parse(text)


@pytest.mark.parametrize(
    "text",
    [
        SPEC_RECIPIENT.upper(),  # recipients are lowercase
        SPEC_RECIPIENT[:-1] + "q",
        SPEC_IDENTITY,
        "age1pq1x34nzsvr0rxjsgdn8zgyhfe8j7ceq5r9rdelkjuh3y235jzxshfg87pzf5zrqtzdxz9",
        bech32.encode("age", bytes(31)),  # wrong length
        "age1",
    ],
)
def test_bad_recipient_strings(text: str) -> None:
    with pytest.raises(age.InvalidKeyError):
        age.X25519Recipient.parse(text)


@pytest.mark.parametrize(
    "text",
    [
        "A12UEL5L",
        "a12uel5l",
        "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
        "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
        "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
        "?1ezyfcl",
    ],
)
def test_bech32_bip173_valid_checksums(text: str) -> None:
    hrp, _ = bech32.decode(text)
    assert hrp == text[: text.rfind("1")]


@pytest.mark.parametrize(
    "text",
    [
        "\x201nwldj5",  # HRP character out of range
        "\x7f1axkwrx",
        "pzry9x0s0muk",  # no separator
        "1pzry9x0s0muk",  # empty HRP
        "x1b4n0q5v",  # invalid data character
        "li1dgmt3",  # checksum too short
        "A1G7SGD8",  # checksum computed over the uppercase HRP
        "10a06t8",
        "1qzzfhee",
        "a12UEL5L",  # mixed case
    ],
)
def test_bech32_bip173_invalid(text: str) -> None:
    with pytest.raises(bech32.Bech32Error):
        bech32.decode(text)


def test_bech32_has_no_length_limit() -> None:
    data = os.urandom(200)
    assert bech32.decode(bech32.encode("age", data)) == ("age", data)


def test_parse_identities_reads_age_keygen_files() -> None:
    text = f"# created: 2026-01-01T00:00:00Z\n# public key: {SPEC_RECIPIENT}\n{SPEC_IDENTITY}\n\n"
    (identity,) = age.parse_identities(text)
    assert str(identity) == SPEC_IDENTITY
    with pytest.raises(age.InvalidKeyError):
        age.parse_identities("# nothing here\n")


# -- round trips -----------------------------------------------------------------


@pytest.mark.parametrize("armor", [False, True], ids=["binary", "armored"])
@pytest.mark.parametrize("size", SIZES)
def test_x25519_round_trip(size: int, armor: bool, keys: list[age.X25519Identity]) -> None:
    plaintext = payload(size)
    recipients = [k.recipient() for k in keys[:2]]
    ciphertext = age.encrypt(plaintext, recipients, armor=armor)
    if armor:
        assert ciphertext.startswith(b"-----BEGIN AGE ENCRYPTED FILE-----\n")
        assert ciphertext.endswith(b"-----END AGE ENCRYPTED FILE-----\n")
    else:
        assert ciphertext.startswith(b"age-encryption.org/v1\n-> X25519 ")
    for identity in keys[:2]:
        assert age.decrypt(ciphertext, [identity]) == plaintext
    with pytest.raises(age.NoIdentityMatchError):
        age.decrypt(ciphertext, [keys[2]])


@pytest.mark.parametrize("size", SIZES)
def test_ciphertext_size(size: int, keys: list[age.X25519Identity]) -> None:
    ciphertext = age.encrypt(payload(size), [keys[0].recipient()])
    header_size = ciphertext.index(b"\n---") + len(b"\n--- ") + 43 + 1
    chunks = max(1, -(-size // CHUNK_SIZE))
    assert len(ciphertext) == header_size + 16 + size + 16 * chunks


def test_recipients_as_strings_and_objects(keys: list[age.X25519Identity]) -> None:
    strings = [str(k.recipient()) for k in keys]
    ciphertext = age.encrypt(b"mixed", [strings[0], keys[1].recipient(), strings[2]])
    for identity in keys:
        assert age.decrypt(ciphertext, [str(identity)]) == b"mixed"
        assert age.decrypt(ciphertext, [identity]) == b"mixed"
    assert ciphertext.count(b"\n-> X25519 ") == 3


def test_decrypt_tries_every_identity(keys: list[age.X25519Identity]) -> None:
    ciphertext = age.encrypt(b"third", [keys[2].recipient()])
    assert age.decrypt(ciphertext, [keys[0], keys[1], keys[2]]) == b"third"


def test_each_file_is_fresh(keys: list[age.X25519Identity]) -> None:
    one = age.encrypt(b"same", [keys[0].recipient()])
    two = age.encrypt(b"same", [keys[0].recipient()])
    assert one != two


def test_decrypt_accepts_bytearray_and_memoryview(keys: list[age.X25519Identity]) -> None:
    ciphertext = age.encrypt(bytearray(b"buffer"), [keys[0].recipient()])
    assert age.decrypt(bytearray(ciphertext), [keys[0]]) == b"buffer"
    assert age.decrypt(memoryview(ciphertext), [keys[0]]) == b"buffer"
    armored = age.encrypt(memoryview(b"buffer"), [keys[0].recipient()], armor=True)
    assert age.decrypt(memoryview(armored), [keys[0]]) == b"buffer"


@pytest.mark.parametrize("armor", [False, True], ids=["binary", "armored"])
@pytest.mark.parametrize("size", [0, 1, KIB64, KIB64 + 1, 200_000])
def test_passphrase_round_trip(size: int, armor: bool) -> None:
    plaintext = payload(size)
    ciphertext = age.encrypt_with_passphrase(plaintext, "correct horse", FAST, armor=armor)
    assert age.decrypt_with_passphrase(ciphertext, "correct horse") == plaintext
    with pytest.raises(age.NoIdentityMatchError):
        age.decrypt_with_passphrase(ciphertext, "wrong horse")


def test_passphrase_default_work_factor() -> None:
    ciphertext = age.encrypt_with_passphrase(b"unlock", "pässwörd ✓")
    assert b"\n-> scrypt " in ciphertext and b" 18\n" in ciphertext
    assert age.decrypt_with_passphrase(ciphertext, "pässwörd ✓".encode()) == b"unlock"


def test_passphrase_str_is_utf8() -> None:
    ciphertext = age.encrypt_with_passphrase(b"unlock", "pässwörd ✓".encode(), FAST)
    assert age.decrypt_with_passphrase(ciphertext, "pässwörd ✓") == b"unlock"


def test_passphrase_and_x25519_identities_together(keys: list[age.X25519Identity]) -> None:
    locked = age.encrypt_with_passphrase(b"pw", "pw", FAST)
    keyed = age.encrypt(b"key", [keys[0].recipient()])
    identities = [keys[0], age.ScryptIdentity("pw")]
    assert age.decrypt(locked, identities) == b"pw"
    assert age.decrypt(keyed, identities) == b"key"
    with pytest.raises(age.NoIdentityMatchError):
        age.decrypt(locked, [keys[0]])
    with pytest.raises(age.NoIdentityMatchError):
        age.decrypt_with_passphrase(keyed, "pw")


def test_scrypt_objects_in_encrypt() -> None:
    ciphertext = age.encrypt(b"obj", [age.ScryptRecipient("pw", work_factor=FAST)])
    assert age.decrypt(ciphertext, [age.ScryptIdentity("pw", max_work_factor=FAST)]) == b"obj"


# -- streams ---------------------------------------------------------------------


class Trickle:
    """A source that returns at most ``step`` bytes per read and has no readinto."""

    def __init__(self, data: bytes, step: int) -> None:
        self._data = memoryview(data)
        self._step = step

    def read(self, size: int = -1) -> bytes:
        size = self._step if size < 0 else min(size, self._step)
        out = bytes(self._data[:size])
        self._data = self._data[len(out) :]
        return out


@pytest.mark.parametrize("armor", [False, True], ids=["binary", "armored"])
@pytest.mark.parametrize("size", SIZES)
def test_stream_round_trip(size: int, armor: bool, keys: list[age.X25519Identity]) -> None:
    plaintext = payload(size)
    encrypted = io.BytesIO()
    age.encrypt_stream(io.BytesIO(plaintext), encrypted, [keys[0].recipient()], armor=armor)
    ciphertext = encrypted.getvalue()
    assert age.decrypt(ciphertext, [keys[0]]) == plaintext
    decrypted = io.BytesIO()
    age.decrypt_stream(io.BytesIO(ciphertext), decrypted, [keys[0]])
    assert decrypted.getvalue() == plaintext
    # And the reverse: what encrypt() writes streams back.
    decrypted = io.BytesIO()
    age.decrypt_stream(io.BytesIO(age.encrypt(plaintext, [keys[1].recipient()])), decrypted,
                       [keys[1]])
    assert decrypted.getvalue() == plaintext


@pytest.mark.parametrize("size", [0, KIB64, 2 * KIB64 + 3])
def test_stream_passphrase(size: int) -> None:
    plaintext = payload(size)
    encrypted = io.BytesIO()
    age.encrypt_stream(io.BytesIO(plaintext), encrypted, passphrase="pw", work_factor=FAST)
    assert age.decrypt_with_passphrase(encrypted.getvalue(), "pw") == plaintext
    decrypted = io.BytesIO()
    age.decrypt_stream(io.BytesIO(encrypted.getvalue()), decrypted, passphrase="pw")
    assert decrypted.getvalue() == plaintext
    with pytest.raises(age.ScryptWorkFactorError):
        age.decrypt_stream(io.BytesIO(encrypted.getvalue()), io.BytesIO(), passphrase="pw",
                           max_work_factor=FAST - 1)


@pytest.mark.parametrize("step", [1, 1000, ENCRYPTED_CHUNK_SIZE - 1])
def test_streams_tolerate_short_reads(step: int, keys: list[age.X25519Identity]) -> None:
    plaintext = payload(2 * KIB64 + 100 if step > 1 else 3000)
    encrypted = io.BytesIO()
    age.encrypt_stream(Trickle(plaintext, step), encrypted, [keys[0].recipient()])  # type: ignore[arg-type]
    for armor in (False, True):
        ciphertext = encrypted.getvalue()
        if armor:
            ciphertext = age.armor.armor(ciphertext)
        decrypted = io.BytesIO()
        age.decrypt_stream(Trickle(ciphertext, step), decrypted, [keys[0]])  # type: ignore[arg-type]
        assert decrypted.getvalue() == plaintext


class Zeros:
    def __init__(self, size: int) -> None:
        self.left = size

    def readinto(self, view: memoryview) -> int:
        n = min(len(view), self.left)
        view[:n] = bytes(n)
        self.left -= n
        return n

    def read(self, size: int = -1) -> bytes:
        n = self.left if size < 0 else min(size, self.left)
        self.left -= n
        return bytes(n)


class HashSink:
    def __init__(self) -> None:
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        self.size += len(data)
        return len(data)


def test_streams_use_bounded_memory(tmp_path: Path, keys: list[age.X25519Identity]) -> None:
    size = 24 * 1024 * 1024
    path = tmp_path / "big.age"
    tracemalloc.start()
    try:
        with path.open("wb") as dst:
            age.encrypt_stream(Zeros(size), dst, [keys[0].recipient()])  # type: ignore[arg-type]
        _, encrypt_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        sink = HashSink()
        with path.open("rb") as src:
            age.decrypt_stream(src, sink, [keys[0]])  # type: ignore[arg-type]
        _, decrypt_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sink.size == size
    assert sink.hash.hexdigest() == hashlib.sha256(bytes(size)).hexdigest()
    assert encrypt_peak < 2 * 1024 * 1024
    assert decrypt_peak < 2 * 1024 * 1024


# -- API misuse --------------------------------------------------------------------


def test_api_misuse(keys: list[age.X25519Identity]) -> None:
    recipient = str(keys[0].recipient())
    with pytest.raises(TypeError):
        age.encrypt(b"x", recipient)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        age.decrypt(b"x", str(keys[0]))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no recipients"):
        age.encrypt(b"x", [])
    with pytest.raises(ValueError, match="only recipient"):
        age.encrypt(b"x", [recipient, age.ScryptRecipient("pw", FAST)])
    with pytest.raises(ValueError, match="only recipient"):
        age.encrypt_stream(io.BytesIO(b"x"), io.BytesIO(), [recipient], passphrase="pw")
    with pytest.raises(ValueError, match="empty"):
        age.encrypt_with_passphrase(b"x", "")
    with pytest.raises(ValueError):
        age.encrypt_with_passphrase(b"x", "pw", work_factor=0)
    with pytest.raises(ValueError, match="no identities"):
        age.decrypt(age.encrypt(b"x", [recipient]), [])
    with pytest.raises(age.InvalidKeyError):
        age.encrypt(b"x", ["age1notakey"])


def test_error_hierarchy() -> None:
    for error in (age.ArmorError, age.HeaderError, age.NoIdentityMatchError, age.HMACError,
                  age.PayloadError, age.ScryptWorkFactorError, age.InvalidKeyError):
        assert issubclass(error, age.AgeError)
    assert issubclass(age.AgeError, ValueError)
    for error in (age.ScryptWorkFactorError, age.ScryptNotAloneError, age.ZeroSharedSecretError,
                  age.Base64Error, age.UnsupportedVersionError, age.MissingNonceError):
        assert issubclass(error, age.HeaderError)

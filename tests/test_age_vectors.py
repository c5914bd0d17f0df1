"""The C2SP CCTV age test vectors, one test per file.

The vectors are vendored in ``tests/vectors/age`` (BSD-3-Clause, see its
LICENSE) and listed, with their SHA-256, in ``tests/vectors/age.sha256``: the
tests are made from that list, so a vector missing or altered in a checkout
fails its test rather than vanishing from the run.

Each vector that needs no post-quantum key gives exactly the expected result:
success with the right payload hash, or the named failure class. For
"payload failure", the plaintext decrypt_stream released before the error must
hash to the vector's payload hash, and decrypt() must release nothing.
"""

from __future__ import annotations

import hashlib
import io
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from storage import age

HERE = Path(__file__).resolve().parent
VECTORS_DIR = HERE / "vectors" / "age"
MANIFEST = HERE / "vectors" / "age.sha256"
NOT_VECTORS = {"README.md", "LICENSE"}
# The CCTV set as vendored: 143 vectors; 124 name no post-quantum key, and
# hybrid_x25519_arg, which lists a classic key beside a hybrid one and has
# only classic stanzas, runs with its classic key: 125 run, 18 are skipped.
ALL_VECTORS = 143
CLASSIC_VECTORS = 125

EXPECTED_ERROR: dict[str, type[age.AgeError]] = {
    "header failure": age.HeaderError,
    "no match": age.NoIdentityMatchError,
    "HMAC failure": age.HMACError,
    "payload failure": age.PayloadError,
    "armor failure": age.ArmorError,
}


@dataclass
class Vector:
    expect: str
    payload_hash: str | None = None
    identities: list[str] = field(default_factory=list)
    passphrases: list[str] = field(default_factory=list)
    armored: bool = False
    compressed: bool = False
    file: bytes = b""

    @property
    def classic_identities(self) -> list[str]:
        return [i for i in self.identities if not i.startswith("AGE-SECRET-KEY-PQ-")]

    @property
    def needs_post_quantum(self) -> bool:
        """True when the result depends on a hybrid (ML-KEM) key.

        A vector whose only stanzas are classic and which also lists classic
        keys (hybrid_x25519_arg) runs with those keys: a hybrid identity could
        not act on any of its stanzas.
        """
        binary = self.file
        if self.armored:
            try:
                binary = age.armor.dearmor(self.file)
            except age.ArmorError:
                pass
        has_hybrid_stanza = b"\n-> mlkem768x25519 " in binary
        only_hybrid_keys = bool(self.identities) and not (
            self.classic_identities or self.passphrases
        )
        return has_hybrid_stanza or only_hybrid_keys

    def age_identities(self) -> list[age.X25519Identity | age.ScryptIdentity]:
        found: list[age.X25519Identity | age.ScryptIdentity] = [
            age.X25519Identity.parse(i) for i in self.classic_identities
        ]
        found += [age.ScryptIdentity(p) for p in self.passphrases]
        return found


def parse_vector(path: Path) -> Vector:
    header, sep, body = path.read_bytes().partition(b"\n\n")
    assert sep, f"{path.name}: no blank line after the vector header"
    vector = Vector(expect="")
    for line in header.decode().split("\n"):
        key, _, value = line.partition(": ")
        if key == "expect":
            assert value in {"success", *EXPECTED_ERROR}, value
            vector.expect = value
        elif key == "payload":
            vector.payload_hash = value
        elif key == "identity":
            vector.identities.append(value)
        elif key == "passphrase":
            vector.passphrases.append(value)
        elif key == "armored":
            vector.armored = value == "yes"
        elif key == "compressed":
            assert value == "zlib", value
            vector.compressed = True
        elif key not in {"file key", "comment"}:
            pytest.fail(f"{path.name}: unknown vector header key {key!r}")
    vector.file = zlib.decompress(body) if vector.compressed else body
    return vector


def manifest() -> dict[str, str]:
    """Vector name -> SHA-256, as vendored."""
    listed = {}
    for line in MANIFEST.read_text(encoding="ascii").splitlines():
        digest, name = line.split(maxsplit=1)
        listed[name.lstrip("*")] = digest
    return listed


def vector_names() -> list[str]:
    return sorted(manifest())


def vector_keys(name: str) -> list[tuple[str, str]]:
    """The ``key: value`` lines of a vector's textual header (cheap, for
    collection); none for a missing file, whose own test then fails."""
    try:
        with (VECTORS_DIR / name).open("rb") as f:
            head = f.read(4096).split(b"\n\n", 1)[0].decode()
    except FileNotFoundError:
        return []
    return [(k, v) for k, _, v in (line.partition(": ") for line in head.split("\n"))]


def vectors_where(keep: Callable[[list[tuple[str, str]]], bool]) -> list[str]:
    return [name for name in vector_names() if keep(vector_keys(name))]


def single_passphrase(keys: list[tuple[str, str]]) -> bool:
    kinds = [k for k, _ in keys]
    return kinds.count("passphrase") == 1 and "identity" not in kinds


def valid_armor(keys: list[tuple[str, str]]) -> bool:
    return ("armored", "yes") in keys and ("expect", "armor failure") not in keys


def valid_binary_header(keys: list[tuple[str, str]]) -> bool:
    return ("armored", "yes") not in keys and ("expect", "header failure") not in keys


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_vectors_present(age_testkit_dir: Path) -> None:
    """Every vendored vector is there, byte for byte, and nothing else: a
    checkout that lost or altered one (a CRLF conversion) fails here."""
    listed = manifest()
    assert len(listed) == ALL_VECTORS
    on_disk = {p.name for p in age_testkit_dir.iterdir() if p.name not in NOT_VECTORS}
    assert on_disk == set(listed)
    for name, digest in listed.items():
        assert sha256((age_testkit_dir / name).read_bytes()) == digest, name
    assert (age_testkit_dir / "LICENSE").is_file()
    classic = [n for n in listed if not parse_vector(age_testkit_dir / n).needs_post_quantum]
    assert len(classic) == CLASSIC_VECTORS


@pytest.mark.parametrize("name", vector_names())
def test_vector(name: str, age_testkit_dir: Path) -> None:
    vector = parse_vector(age_testkit_dir / name)
    if vector.needs_post_quantum:
        pytest.skip("post-quantum keys not supported")
    identities = vector.age_identities()

    if vector.expect == "success":
        plaintext = age.decrypt(vector.file, identities)
        assert sha256(plaintext) == vector.payload_hash
        out = io.BytesIO()
        age.decrypt_stream(io.BytesIO(vector.file), out, identities)
        assert out.getvalue() == plaintext
        return

    error = EXPECTED_ERROR[vector.expect]
    with pytest.raises(age.AgeError) as caught:
        age.decrypt(vector.file, identities)
    assert isinstance(caught.value, error), f"expected {error.__name__}, got {caught.value!r}"

    # The streaming path classifies the failure the same way and releases only
    # authenticated plaintext: exactly what the vector's payload hash covers.
    out = io.BytesIO()
    with pytest.raises(age.AgeError) as caught:
        age.decrypt_stream(io.BytesIO(vector.file), out, identities)
    assert isinstance(caught.value, error), f"expected {error.__name__}, got {caught.value!r}"
    if vector.expect == "payload failure":
        assert vector.payload_hash is not None
        assert sha256(out.getvalue()) == vector.payload_hash
    elif vector.expect != "armor failure":
        assert out.getvalue() == b""


@pytest.mark.parametrize("name", vectors_where(single_passphrase))
def test_vector_passphrase_api(name: str, age_testkit_dir: Path) -> None:
    """Passphrase vectors through decrypt_with_passphrase / decrypt_stream(passphrase=)."""
    vector = parse_vector(age_testkit_dir / name)
    passphrase = vector.passphrases[0]
    if vector.expect == "success":
        plaintext = age.decrypt_with_passphrase(vector.file, passphrase)
        assert sha256(plaintext) == vector.payload_hash
        out = io.BytesIO()
        age.decrypt_stream(io.BytesIO(vector.file), out, passphrase=passphrase)
        assert out.getvalue() == plaintext
    else:
        with pytest.raises(EXPECTED_ERROR[vector.expect]):
            age.decrypt_with_passphrase(vector.file, passphrase)


@pytest.mark.parametrize("name", vectors_where(valid_armor))
def test_vector_armor_round_trip(name: str, age_testkit_dir: Path) -> None:
    """Valid armor re-encodes identically, up to CRLF and surrounding whitespace."""
    vector = parse_vector(age_testkit_dir / name)
    binary = age.armor.dearmor(vector.file)
    expected = vector.file.replace(b"\r\n", b"\n").strip() + b"\n"
    assert age.armor.armor(binary) == expected


@pytest.mark.parametrize("name", vectors_where(valid_binary_header))
def test_vector_header_round_trip(name: str, age_testkit_dir: Path) -> None:
    """Any header that parses re-encodes to the same bytes (strict parsing)."""
    vector = parse_vector(age_testkit_dir / name)
    header = age.header.parse_header(age.source.Source(io.BytesIO(vector.file)))
    encoded = b"".join(
        [age.header.INTRO, *(s.encode() for s in header.stanzas), b"---"]
    )
    assert encoded == header.mac_input
    mac_line = b" " + age.header.b64encode(header.mac) + b"\n"
    assert vector.file[: header.size] == encoded + mac_line

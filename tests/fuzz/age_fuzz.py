"""The age reader's properties (see ``tests.fuzz``)."""

from __future__ import annotations

import io
import string
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from storage import age
from tests.fuzz.core import (
    B64,
    LineOp,
    Op,
    Prop,
    Target,
    apply_edits,
    apply_ops,
    byte_op,
    byte_ops,
    deterministic_bytes,
    edits,
    line_ops,
)

# =====================================================================================
# age
# =====================================================================================

AGE_MAX_WORK_FACTOR = 6  # a mutated work factor costs at most 2**6 scrypt rounds
AGE_PASSPHRASE = "fuzz passphrase"


@dataclass
class AgeSeed:
    name: str
    plaintext: bytes
    data: bytes
    passphrase: str | None  # an scrypt file, else X25519
    armored: bool
    header_size: int  # of the binary form

    def identities(self, world: AgeWorld, *, wrong: bool = False) -> list[Any]:
        if self.passphrase is not None:
            phrase = "not the " + self.passphrase if wrong else self.passphrase
            return [age.ScryptIdentity(phrase, AGE_MAX_WORK_FACTOR)]
        return [world.stranger] if wrong else [world.stranger, world.identity]


@dataclass
class AgeWorld:
    identity: age.X25519Identity
    stranger: age.X25519Identity
    seeds: list[AgeSeed]
    stanza_lines: list[bytes]  # real stanza lines, for the grammar-based garbage

    @classmethod
    def build(cls, root: Path | None = None) -> AgeWorld:
        identity = age.X25519Identity.parse(age.generate_identity()[0])
        stranger = age.X25519Identity.parse(age.generate_identity()[0])
        other = age.X25519Identity.parse(age.generate_identity()[0])
        third = age.X25519Identity.parse(age.generate_identity()[0])
        me = identity.recipient()
        chunk = 64 * 1024
        seeds: list[AgeSeed] = []

        def add(name: str, plaintext: bytes, *, recipients: list[Any] | None = None,
                passphrase: str | None = None, work_factor: int = 2,
                armor: bool = False) -> None:
            if passphrase is not None:
                binary = age.encrypt_with_passphrase(plaintext, passphrase, work_factor)
            else:
                binary = age.encrypt(plaintext, recipients or [me])
            header = binary.index(b"\n", binary.index(b"\n--- ") + 1) + 1
            data = _armor(binary) if armor else binary
            seeds.append(AgeSeed(name, plaintext, data, passphrase, armor, header))

        small = b"branchtool fuzz: \xe6\x94\xaf\xe9\x83\xa8\n"
        add("x25519-empty", b"")
        add("x25519-small", small)
        add("x25519-one-chunk", deterministic_bytes(chunk, 1))
        add("x25519-two-chunks", deterministic_bytes(chunk + 100, 2))
        add("x25519-three-recipients", small * 3,
            recipients=[other.recipient(), me, third.recipient()])
        add("scrypt-2", small, passphrase=AGE_PASSPHRASE, work_factor=2)
        add("scrypt-4", deterministic_bytes(300, 3), passphrase=AGE_PASSPHRASE, work_factor=4)
        add("armor-x25519", small, armor=True)
        add("armor-x25519-two-chunks", deterministic_bytes(chunk + 5, 4), armor=True)
        add("armor-scrypt", small * 2, passphrase=AGE_PASSPHRASE, work_factor=3, armor=True)
        stanza_lines: list[bytes] = []
        for seed in seeds:
            if not seed.armored:
                head = seed.data[: seed.header_size].split(b"\n")
                stanza_lines.extend(line for line in head[1:-2] if line)
        return cls(identity, stranger, seeds, stanza_lines)


def _armor(binary: bytes) -> bytes:
    from storage.age.armor import armor

    return armor(binary)


@dataclass(frozen=True)
class AgeMutation:
    seed: int
    where: str  # "bytes" anywhere, "header" lines, "armor" lines, "payload" bytes
    ops: tuple[Op | LineOp, ...]

    def apply(self, seed: AgeSeed) -> bytes:
        data = seed.data
        if self.where == "header" and not seed.armored:
            head = apply_edits(data[: seed.header_size], self.ops)
            return head + data[seed.header_size:]
        if self.where == "payload" and not seed.armored:
            return data[: seed.header_size] + apply_edits(data[seed.header_size:], self.ops)
        return apply_edits(data, self.ops)


def age_mutations() -> st.SearchStrategy[AgeMutation]:
    return st.builds(
        AgeMutation,
        st.integers(0, 63),
        st.sampled_from(["bytes", "header", "payload", "armor"]),
        st.one_of(byte_ops(), line_ops(), edits()).map(tuple),
    )


def _decrypt_all_ways(seed_plaintexts: Sequence[bytes], data: bytes, identities: list[Any],
                      passphrase: str | None) -> bool:
    """Decrypt ``data`` whole and streamed; only ``AgeError`` may come out,
    and what comes out is one of ``seed_plaintexts`` (streaming: a prefix of
    it before an error). Returns whether it decrypted."""
    outcomes: list[bool] = []
    try:
        if passphrase is not None:
            out = age.decrypt_with_passphrase(data, passphrase, AGE_MAX_WORK_FACTOR)
        else:
            out = age.decrypt(data, identities)
    except age.AgeError:
        outcomes.append(False)
    else:
        assert out in seed_plaintexts, "decrypt returned a plaintext that was never encrypted"
        outcomes.append(True)
    sink = io.BytesIO()
    try:
        if passphrase is not None:
            age.decrypt_stream(io.BytesIO(data), sink, passphrase=passphrase,
                               max_work_factor=AGE_MAX_WORK_FACTOR)
        else:
            age.decrypt_stream(io.BytesIO(data), sink, identities)
    except age.AgeError:
        released = sink.getvalue()
        assert any(p.startswith(released) for p in seed_plaintexts), (
            "decrypt_stream released bytes that are not a prefix of the plaintext")
        outcomes.append(False)
    else:
        assert sink.getvalue() in seed_plaintexts, "decrypt_stream wrote another plaintext"
        outcomes.append(True)
    assert outcomes[0] == outcomes[1], "decrypt and decrypt_stream disagree"
    return outcomes[0]


def check_age_mutation(world: AgeWorld, ex: AgeMutation) -> None:
    seed = world.seeds[ex.seed % len(world.seeds)]
    data = ex.apply(seed)
    ok = _decrypt_all_ways([seed.plaintext], data, seed.identities(world), seed.passphrase)
    if data == seed.data:
        assert ok, "the unaltered file must decrypt"
    # A wrong key never opens it, altered or not.
    wrong = seed.identities(world, wrong=True)
    try:
        age.decrypt(data, wrong)
    except age.AgeError:
        pass
    else:
        raise AssertionError("a wrong identity or passphrase decrypted the file")


# Valid changes: armor line endings and the whitespace around the block.
@dataclass(frozen=True)
class ArmorRewrite:
    seed: int
    crlf: bool
    before: bytes
    after: bytes


def armor_rewrites() -> st.SearchStrategy[ArmorRewrite]:
    ws = st.text(alphabet=" \t\r\n", max_size=200).map(str.encode)
    return st.builds(ArmorRewrite, st.integers(0, 63), st.booleans(), ws, ws)


def check_armor_rewrite(world: AgeWorld, ex: ArmorRewrite) -> None:
    armored = [s for s in world.seeds if s.armored]
    seed = armored[ex.seed % len(armored)]
    text = seed.data.replace(b"\n", b"\r\n") if ex.crlf else seed.data
    # Whitespace before the block must be whole lines (the BEGIN line starts a line).
    before = ex.before if not ex.before or ex.before.endswith(b"\n") else ex.before + b"\n"
    data = before + text + ex.after
    ok = _decrypt_all_ways([seed.plaintext], data, seed.identities(world), seed.passphrase)
    assert ok, "armor with other line endings or surrounding whitespace must decrypt"


def _stanza_line() -> st.SearchStrategy[bytes]:
    arg = st.one_of(
        st.sampled_from(["X25519", "scrypt", "ssh-ed25519", "1", "2", "4", "01", "22", "99",
                         "999999999999", "p256tag", "mlkem768x25519", "-"]),
        st.binary(min_size=32, max_size=32).map(lambda b: _b64(b)),
        st.binary(min_size=16, max_size=16).map(lambda b: _b64(b)),
        st.sampled_from([_b64(bytes(32)), _b64(b"\x01" + bytes(31)), _b64(b"\xe0\xeb\x7a\x7c"
                         b"\x3b\x41\xb8\xae\x16\x56\xe3\xfa\xf1\x9f\xc4\x6a\xda\x09\x8d\xeb\x9c"
                         b"\x32\xb1\xfd\x86\x62\x05\x16\x5f\x49\xb8\x00")]),
        st.text(alphabet=string.printable.strip(), min_size=1, max_size=20),
    )
    return st.lists(arg, min_size=0, max_size=4).map(
        lambda args: ("-> " + " ".join(args)).encode())


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode().rstrip("=")


def _body_lines() -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.binary(max_size=100).map(lambda b: _wrap64(_b64(b).encode())),
        st.text(alphabet=B64 + "=", max_size=130).map(lambda s: _wrap64(s.encode())),
    )


def _wrap64(text: bytes) -> bytes:
    lines = [text[i:i + 64] for i in range(0, len(text), 64)]
    if not lines or len(lines[-1]) == 64:
        lines.append(b"")
    return b"\n".join(lines) + b"\n"


@st.composite
def age_garbage(draw: st.DrawFn) -> bytes:
    """Arbitrary bytes, and bytes shaped like an age header (so the parser's
    deeper paths run), and bytes shaped like armor."""
    kind = draw(st.sampled_from(["binary", "header", "armor", "armor-of-header"]))
    if kind == "binary":
        return draw(st.binary(max_size=600))
    head = draw(st.sampled_from([b"age-encryption.org/v1\n"] * 4 + [
        b"age-encryption.org/v2\n", b"age-encryption.org/v1\r\n", b"age-encryption.org/"]))
    stanzas = draw(st.lists(st.tuples(_stanza_line(), _body_lines()), max_size=3))
    text = head + b"".join(line + b"\n" + body for line, body in stanzas)
    mac = draw(st.one_of(st.binary(min_size=32, max_size=32).map(lambda b: _b64(b).encode()),
                         st.text(alphabet=B64 + "= ", max_size=50).map(str.encode)))
    text += b"--- " + mac + b"\n" + draw(st.binary(max_size=200))
    if kind == "header":
        return text
    if kind == "armor":
        return b"-----BEGIN AGE ENCRYPTED FILE-----\n" + draw(
            st.text(alphabet=B64 + "=\n\r ", max_size=300)).encode() + draw(
            st.sampled_from([b"-----END AGE ENCRYPTED FILE-----\n", b"", b"-----END\n"]))
    return _armor(text)


@dataclass(frozen=True)
class AgeGarbage:
    data: bytes
    real_stanza: int | None  # splice a real stanza line into the header


def age_garbage_examples() -> st.SearchStrategy[AgeGarbage]:
    return st.builds(AgeGarbage, age_garbage(), st.one_of(st.none(), st.integers(0, 63)))


def check_age_garbage(world: AgeWorld, ex: AgeGarbage) -> None:
    data = ex.data
    if ex.real_stanza is not None and data.startswith(b"age-encryption.org/v1\n"):
        line = world.stanza_lines[ex.real_stanza % len(world.stanza_lines)]
        data = data.replace(b"\n", b"\n" + line + b"\n", 1)
    plaintexts = [s.plaintext for s in world.seeds]
    _decrypt_all_ways(plaintexts, data, [world.identity], None)
    _decrypt_all_ways(plaintexts, data, [], AGE_PASSPHRASE)


@dataclass(frozen=True)
class KeyText:
    base: int  # which real key to start from (or -1: no base)
    text: str
    ops: tuple[Op, ...]


def key_texts() -> st.SearchStrategy[KeyText]:
    return st.builds(KeyText, st.integers(-1, 3),
                     st.one_of(st.text(max_size=80),
                               st.text(alphabet="qpzry9x8gf2tvdw0s3jn54khce6mua7l1AGE-SECRTKY",
                                       max_size=80)),
                     st.lists(byte_op(), max_size=3).map(tuple))


def check_key_text(world: AgeWorld, ex: KeyText) -> None:
    originals = [str(world.identity), str(world.identity.recipient()),
                 str(world.stranger), str(world.stranger.recipient())]
    if ex.base < 0:
        text = ex.text
    else:
        raw = apply_ops(originals[ex.base].encode(), ex.ops)
        text = raw.decode("utf-8", "surrogateescape")
    for parse in (age.X25519Identity.parse, age.X25519Recipient.parse):
        try:
            key = parse(text)
        except age.InvalidKeyError:
            continue
        assert str(key) in originals or ex.base < 0 or text in originals, (
            "an altered key parsed as another key")
    try:
        age.parse_identities(text)
    except age.InvalidKeyError:
        pass


AGE = Target("age", AgeWorld.build, [
    Prop("mutated files", age_mutations(), check_age_mutation),
    Prop("armor whitespace and line endings", armor_rewrites(), check_armor_rewrite),
    Prop("arbitrary bytes", age_garbage_examples(), check_age_garbage),
    Prop("key strings", key_texts(), check_key_text),
])

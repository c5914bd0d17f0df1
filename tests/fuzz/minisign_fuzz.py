"""The minisign verifier's properties (see ``tests.fuzz``)."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from storage import minisign
from tests.fuzz.core import (
    LineOp,
    Op,
    Prop,
    Target,
    apply_edits,
    byte_ops,
    deterministic_bytes,
    edits,
    line_ops,
)

# =====================================================================================
# minisign
# =====================================================================================


@dataclass
class MinisignWorld:
    secret: minisign.SecretKey
    public_text: str
    stranger_public: str
    data: list[bytes]
    signatures: list[tuple[int, str]]  # (index into data, .minisig text)

    @classmethod
    def build(cls, root: Path | None = None) -> MinisignWorld:
        secret, public_text = minisign.generate_keypair()
        _, stranger_public = minisign.generate_keypair()
        data = [b"", b"bundle.json contents\n", deterministic_bytes(3000, 5)]
        sigs = [
            (0, minisign.sign(data[0], secret, "empty")),
            (1, minisign.sign(data[1], secret, "branchtool bundle branch=A1 seq=1",
                              "a custom untrusted comment")),
            (2, minisign.sign(data[2], secret, "中文 \t tab")),
            (1, legacy_signature(data[1], secret, "legacy form")),
        ]
        return cls(secret, public_text, stranger_public, data, sigs)


def legacy_signature(data: bytes, secret: minisign.SecretKey, trusted: str) -> str:
    """A legacy ``Ed`` signature (over the data itself), as old minisign wrote."""
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.from_private_bytes(secret.seed)
    sig = key.sign(data)
    global_sig = key.sign(sig + trusted.encode())
    blob = base64.b64encode(b"Ed" + secret.key_id_bytes + sig).decode()
    return (f"untrusted comment: signature from minisign secret key\n{blob}\n"
            f"trusted comment: {trusted}\n{base64.b64encode(global_sig).decode()}\n")


def _signed_fields(sig: minisign.Signature) -> tuple[Any, ...]:
    return (sig.algorithm, sig.key_id_bytes, sig.signature, sig.trusted_comment,
            sig.global_signature)


@dataclass(frozen=True)
class MinisignMutation:
    sig: int
    target: str  # "signature", "data", "key", "trusted"
    ops: tuple[Op | LineOp, ...]
    comment: str  # for "trusted": the new trusted comment
    as_text: bool  # pass str rather than bytes
    stream: bool
    legacy: bool  # allow legacy


def minisign_mutations() -> st.SearchStrategy[MinisignMutation]:
    return st.builds(
        MinisignMutation, st.integers(0, 63),
        st.sampled_from(["signature", "signature", "data", "key", "trusted"]),
        st.one_of(byte_ops(), line_ops(), edits()).map(tuple),
        st.text(max_size=30), st.booleans(), st.booleans(), st.booleans())


def _verify(data: bytes, sig: str | bytes, pub: str | bytes, *, stream: bool,
            legacy: bool) -> str:
    if stream:
        return minisign.verify_stream(io.BytesIO(data), sig, pub, allow_legacy=legacy)
    return minisign.verify(data, sig, pub, allow_legacy=legacy)


def check_minisign_mutation(world: MinisignWorld, ex: MinisignMutation) -> None:
    index, sig_text = world.signatures[ex.sig % len(world.signatures)]
    data, pub = world.data[index], world.public_text
    original = minisign.parse_signature(sig_text)
    sig: str | bytes = sig_text.encode()
    if ex.target == "signature":
        sig = apply_edits(sig, ex.ops)
    elif ex.target == "data":
        data = apply_edits(data, ex.ops)
    elif ex.target == "key":
        pub = apply_edits(pub.encode(), ex.ops).decode("utf-8", "surrogateescape")
    else:
        lines = sig_text.split("\n")
        lines[2] = "trusted comment: " + ex.comment
        sig = "\n".join(lines).encode("utf-8", "surrogatepass")
    if ex.as_text and isinstance(sig, bytes):
        sig = sig.decode("utf-8", "surrogateescape")
    try:
        comment = _verify(data, sig, pub, stream=ex.stream, legacy=ex.legacy)
    except minisign.MinisignError:
        return
    # It verified: nothing that is signed may have changed.
    assert ex.legacy or original.prehashed, "a legacy signature passed allow_legacy=False"
    assert data == world.data[index], "altered data verified"
    assert comment == original.trusted_comment, "an altered trusted comment verified"
    assert _signed_fields(minisign.parse_signature(sig)) == _signed_fields(original), (
        "an altered signature verified")
    assert minisign.PublicKey.parse(pub) == minisign.PublicKey.parse(world.public_text), (
        "another public key verified")


@st.composite
def minisign_texts(draw: st.DrawFn) -> tuple[bytes, bytes]:
    """(signature text, public key text), arbitrary or shaped like the real ones."""
    import base64

    def b64_of(n_min: int, n_max: int, prefix: bytes = b"") -> bytes:
        raw = prefix + draw(st.binary(min_size=n_min, max_size=n_max))
        text = base64.b64encode(raw)
        return draw(st.sampled_from([text, text.rstrip(b"="), text + b"=", text + b" ",
                                     text.replace(b"+", b"-")]))

    def comment() -> bytes:
        return draw(st.one_of(st.text(max_size=40).map(
            lambda s: s.encode("utf-8", "surrogatepass")), st.binary(max_size=40)))

    alg = draw(st.sampled_from([b"ED", b"Ed", b"ed", b"EE", b"\x00\x00"]))
    kid = draw(st.sampled_from([b"\x00" * 8, b"\xff" * 8]))
    sig_lines = [
        draw(st.sampled_from([b"untrusted comment: ", b"untrusted comment:", b""])) + comment(),
        b64_of(64, 64, alg + kid) if draw(st.booleans()) else b64_of(0, 90),
        draw(st.sampled_from([b"trusted comment: ", b"trusted comment:", b"x"])) + comment(),
        b64_of(64, 64) if draw(st.booleans()) else b64_of(0, 90),
    ]
    sig_lines = sig_lines[: draw(st.integers(0, 4))] + draw(
        st.lists(st.binary(max_size=20), max_size=2))
    sig = draw(st.sampled_from([b"\n", b"\r\n", b"\r"])).join(sig_lines) + draw(
        st.sampled_from([b"", b"\n", b"\n\n", b"\r\n"]))
    pub_lines = [
        draw(st.sampled_from([b"untrusted comment: minisign public key ", b""])) + comment(),
        b64_of(32, 32, alg + kid) if draw(st.booleans()) else b64_of(0, 60),
    ]
    pub = b"\n".join(pub_lines[: draw(st.integers(0, 2))]) + draw(
        st.sampled_from([b"", b"\n", b"\n\n"]))
    if draw(st.booleans()):
        sig, pub = draw(st.binary(max_size=300)), pub
    return sig, pub


@dataclass(frozen=True)
class MinisignGarbage:
    sig: bytes
    pub: bytes
    real_pub: bool
    as_text: bool


def minisign_garbage() -> st.SearchStrategy[MinisignGarbage]:
    return minisign_texts().flatmap(lambda t: st.builds(
        MinisignGarbage, st.just(t[0]), st.just(t[1]), st.booleans(), st.booleans()))


def check_minisign_garbage(world: MinisignWorld, ex: MinisignGarbage) -> None:
    pub: str | bytes = world.public_text if ex.real_pub else ex.pub
    sig: str | bytes = ex.sig
    if ex.as_text:
        sig = ex.sig.decode("utf-8", "surrogateescape")
        pub = pub if isinstance(pub, str) else pub.decode("utf-8", "surrogateescape")
    for data in world.data:
        try:
            minisign.verify(data, sig, pub)
        except minisign.MinisignError:
            continue
        raise AssertionError("an arbitrary signature verified")
    for call in (minisign.parse_signature, lambda s: minisign.verify_stream(io.BytesIO(b""), s,
                                                                            pub)):
        with contextlib.suppress(minisign.MinisignError):
            call(sig)
    for fn in (minisign.key_id, minisign.fingerprint, minisign.PublicKey.from_base64):
        with contextlib.suppress(minisign.MinisignError):
            fn(pub)


@dataclass(frozen=True)
class SecretKeyMutation:
    ops: tuple[Op | LineOp, ...]


def check_secret_key_mutation(world: MinisignWorld, ex: SecretKeyMutation) -> None:
    text = apply_edits(world.secret.to_text().encode(), ex.ops)
    try:
        key = minisign.SecretKey.from_text(text)
    except minisign.MinisignError:
        return
    assert (key.key_id_bytes, key.seed) == (world.secret.key_id_bytes, world.secret.seed), (
        "an altered secret key parsed as another key")


MINISIGN = Target("minisign", MinisignWorld.build, [
    Prop("mutated signatures, data, keys, trusted comments", minisign_mutations(),
         check_minisign_mutation),
    Prop("arbitrary signature and key texts", minisign_garbage(), check_minisign_garbage),
    Prop("mutated secret key text", st.builds(SecretKeyMutation, edits().map(tuple)),
         check_secret_key_mutation),
])

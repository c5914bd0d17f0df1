"""storage.minisign: round trips, every tamper case, strict parsing."""

from __future__ import annotations

import base64
import hashlib
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from storage import minisign
from storage.minisign import (
    BadGlobalSignatureError,
    BadSignatureError,
    KeyIdMismatchError,
    LegacySignatureError,
    MalformedPublicKeyError,
    MalformedSecretKeyError,
    MalformedSignatureError,
    MinisignError,
    PublicKey,
    SecretKey,
    UnsupportedAlgorithmError,
)

DATA = b"branch report\n" * 100


@pytest.fixture(scope="module")
def keypair() -> tuple[SecretKey, str]:
    return minisign.generate_keypair()


@pytest.fixture(scope="module")
def signed(keypair: tuple[SecretKey, str]) -> str:
    secret, _ = keypair
    return minisign.sign(DATA, secret, "timestamp:1700000000\tfile:report.json")


def lines(text: str) -> list[str]:
    return text.split("\n")[:-1]


def join(parts: list[str]) -> str:
    return "".join(p + "\n" for p in parts)


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def legacy_signature(
    data: bytes, secret: SecretKey, trusted: str, untrusted: str = "legacy"
) -> str:
    """An `Ed` (non-prehashed) signature, built by hand from the primitives."""
    key = Ed25519PrivateKey.from_private_bytes(secret.seed)
    sig = key.sign(data)
    global_sig = key.sign(sig + trusted.encode())
    return join(
        [
            f"untrusted comment: {untrusted}",
            b64(b"Ed" + secret.key_id_bytes + sig),
            f"trusted comment: {trusted}",
            b64(global_sig),
        ]
    )


# --- keys ---------------------------------------------------------------------


def test_public_key_text_is_exactly_minisigns_format(keypair: tuple[SecretKey, str]) -> None:
    secret, pub = keypair
    m = re.fullmatch(
        r"untrusted comment: minisign public key ([0-9A-F]{16})\n([A-Za-z0-9+/]{56})\n", pub
    )
    assert m is not None
    blob = unb64(m.group(2))
    assert len(blob) == 42
    assert blob[:2] == b"Ed"
    assert blob[2:10] == secret.key_id_bytes
    # minisign prints the key id as a little-endian uint64 in hex.
    assert m.group(1) == int.from_bytes(blob[2:10], "little").to_bytes(8, "big").hex().upper()
    assert minisign.key_id(pub) == m.group(1) == secret.key_id
    pk = Ed25519PrivateKey.from_private_bytes(secret.seed).public_key()
    assert blob[10:] == pk.public_bytes_raw()
    assert secret.public_key_text() == pub
    assert PublicKey.parse(pub).to_text() == pub


def test_key_ids_are_random() -> None:
    ids = {minisign.generate_keypair()[0].key_id for _ in range(20)}
    assert len(ids) == 20


def test_secret_key_text_round_trip(keypair: tuple[SecretKey, str]) -> None:
    secret, pub = keypair
    text = secret.to_text()
    assert text.startswith("branchtool minisign secret key v1\n")
    again = SecretKey.from_text(text)
    assert again == secret
    assert again.public_key_text() == pub
    assert SecretKey.from_text(text.replace("\n", "\r\n")) == secret
    assert SecretKey.from_text(text.encode()) == secret


def test_secret_key_repr_hides_seed(keypair: tuple[SecretKey, str]) -> None:
    secret, _ = keypair
    assert secret.key_id in repr(secret)
    assert b64(secret.seed) not in repr(secret)
    assert "seed" not in repr(secret)


def _secret_lines(secret: SecretKey) -> list[str]:
    return lines(secret.to_text())


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda ls: ["minisign secret key v1", *ls[1:]], id="header"),
        pytest.param(lambda ls: ls[:3], id="missing-line"),
        pytest.param(lambda ls: [*ls, ""], id="extra-line"),
        pytest.param(lambda ls: [ls[0], ls[1].lower(), *ls[2:]], id="lowercase-key-id"),
        pytest.param(lambda ls: [ls[0], ls[1][:-2], *ls[2:]], id="short-key-id"),
        pytest.param(lambda ls: [ls[0], "key id: ZZZZZZZZZZZZZZZZ", *ls[2:]], id="non-hex-key-id"),
        pytest.param(lambda ls: [ls[0], "key id: 0000000000000000", *ls[2:]], id="other-key-id"),
        pytest.param(lambda ls: [ls[0], ls[1], "seed: " + b64(b"x" * 31), ls[3]], id="seed-31"),
        pytest.param(lambda ls: [ls[0], ls[1], "seed: " + b64(b"x" * 33), ls[3]], id="seed-33"),
        pytest.param(lambda ls: [ls[0], ls[1], "seed: " + b64(b"x" * 32), ls[3]], id="other-seed"),
        pytest.param(lambda ls: [ls[0], ls[1], ls[2] + "!", ls[3]], id="seed-bad-base64"),
        pytest.param(lambda ls: [ls[0], ls[2], ls[1], ls[3]], id="swapped-fields"),
        pytest.param(lambda ls: [*ls[:3], "public key: AAAA"], id="public-key-short"),
    ],
)
def test_secret_key_text_rejects(
    keypair: tuple[SecretKey, str], mutate: Callable[[list[str]], list[str]]
) -> None:
    secret, _ = keypair
    with pytest.raises(MalformedSecretKeyError):
        SecretKey.from_text(join(mutate(_secret_lines(secret))))


def test_secret_key_field_lengths() -> None:
    with pytest.raises(MalformedSecretKeyError):
        SecretKey(b"\0" * 7, b"\0" * 32)
    with pytest.raises(MalformedSecretKeyError):
        SecretKey(b"\0" * 8, b"\0" * 31)


def test_fingerprint(keypair: tuple[SecretKey, str]) -> None:
    secret, pub = keypair
    fp = minisign.fingerprint(pub)
    assert re.fullmatch(r"([0-9A-F]{4} ){7}[0-9A-F]{4}", fp)
    blob = unb64(lines(pub)[1])
    assert fp.replace(" ", "") == hashlib.sha256(blob).hexdigest()[:32].upper()
    assert PublicKey.parse(pub).fingerprint == fp
    # Same key id, another Ed25519 key: the key id collides, the fingerprint does not.
    impostor = SecretKey(secret.key_id_bytes, b"\x01" * 32)
    assert minisign.key_id(impostor.public_key_text()) == minisign.key_id(pub)
    assert minisign.fingerprint(impostor.public_key_text()) != fp


def test_public_key_from_base64(keypair: tuple[SecretKey, str]) -> None:
    _, pub = keypair
    line = lines(pub)[1]
    assert PublicKey.from_base64(line) == PublicKey.parse(pub)
    assert PublicKey.from_base64(line).to_base64() == line


# --- round trips --------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, 64, 65536, 1 << 20])
def test_round_trip_sizes(keypair: tuple[SecretKey, str], size: int) -> None:
    secret, pub = keypair
    data = bytes(range(256)) * (size // 256) + b"\x07" * (size % 256)
    sig = minisign.sign(data, secret, f"size:{size}")
    assert minisign.verify(data, sig, pub) == f"size:{size}"


@pytest.mark.parametrize(
    "comment",
    [
        "",
        "timestamp:1\tfile:x",
        "第三党支部 2026-11 零报告",
        "a" * minisign.MAX_TRUSTED_COMMENT_BYTES,
    ],
)
def test_trusted_comment_round_trip(keypair: tuple[SecretKey, str], comment: str) -> None:
    secret, pub = keypair
    sig = minisign.sign(DATA, secret, comment)
    assert minisign.verify(DATA, sig, pub) == comment
    assert minisign.parse_signature(sig).trusted_comment == comment


def test_signature_layout(keypair: tuple[SecretKey, str], signed: str) -> None:
    secret, _ = keypair
    ls = lines(signed)
    assert len(ls) == 4
    assert ls[0] == "untrusted comment: signature from minisign secret key"
    assert ls[2] == "trusted comment: timestamp:1700000000\tfile:report.json"
    blob = unb64(ls[1])
    assert len(ls[1]) == 100 and len(blob) == 74
    assert blob[:2] == b"ED"
    assert blob[2:10] == secret.key_id_bytes
    assert len(ls[3]) == 88 and len(unb64(ls[3])) == 64
    # ED: Ed25519 over BLAKE2b-512(data); global: Ed25519 over sig || trusted comment.
    pk = Ed25519PrivateKey.from_private_bytes(secret.seed).public_key()
    pk.verify(blob[10:], hashlib.blake2b(DATA, digest_size=64).digest())
    pk.verify(unb64(ls[3]), blob[10:] + b"timestamp:1700000000\tfile:report.json")


def test_custom_untrusted_comment(keypair: tuple[SecretKey, str]) -> None:
    secret, pub = keypair
    sig = minisign.sign(DATA, secret, "t", untrusted_comment="branchtool bundle 支部")
    assert lines(sig)[0] == "untrusted comment: branchtool bundle 支部"
    assert minisign.parse_signature(sig).untrusted_comment == "branchtool bundle 支部"
    assert minisign.verify(DATA, sig, pub) == "t"


def test_signature_object_round_trip(signed: str, keypair: tuple[SecretKey, str]) -> None:
    parsed = minisign.parse_signature(signed)
    assert parsed.prehashed
    assert parsed.key_id == keypair[0].key_id
    assert parsed.to_text() == signed
    assert minisign.verify(DATA, parsed, PublicKey.parse(keypair[1])) == parsed.trusted_comment


def test_accepts_bytes(signed: str, keypair: tuple[SecretKey, str]) -> None:
    assert minisign.verify(DATA, signed.encode(), keypair[1].encode())
    assert minisign.key_id(keypair[1].encode()) == keypair[0].key_id


def test_signing_is_deterministic(keypair: tuple[SecretKey, str]) -> None:
    secret, _ = keypair
    assert minisign.sign(DATA, secret, "x") == minisign.sign(DATA, secret, "x")


# --- legacy Ed ----------------------------------------------------------------


def test_legacy_signature_verifies(keypair: tuple[SecretKey, str]) -> None:
    secret, pub = keypair
    sig = legacy_signature(DATA, secret, "old style")
    assert not minisign.parse_signature(sig).prehashed
    assert minisign.verify(DATA, sig, pub, allow_legacy=True) == "old style"
    assert minisign.verify_stream(io.BytesIO(DATA), sig, pub, allow_legacy=True) == "old style"
    with pytest.raises(BadSignatureError):
        minisign.verify(DATA + b"x", sig, pub, allow_legacy=True)


def test_legacy_is_refused_unless_asked(keypair: tuple[SecretKey, str]) -> None:
    """Issue 13: only prehashed (``ED``) signatures by default."""
    secret, pub = keypair
    sig = legacy_signature(DATA, secret, "old style")
    with pytest.raises(LegacySignatureError):
        minisign.verify(DATA, sig, pub)
    with pytest.raises(LegacySignatureError):
        minisign.verify_stream(io.BytesIO(DATA), sig, pub)
    with pytest.raises(LegacySignatureError):
        minisign.verify(DATA, sig, pub, allow_legacy=False)
    with pytest.raises(LegacySignatureError):
        minisign.verify_stream(io.BytesIO(DATA), sig, pub, allow_legacy=False)
    ed = minisign.sign(DATA, secret, "new")
    assert minisign.verify(DATA, ed, pub, allow_legacy=False) == "new"


# --- comments that sign() refuses ---------------------------------------------


@pytest.mark.parametrize(
    "comment",
    [
        "two\nlines",
        "carriage\rreturn",
        "crlf\r\n",
        "bell\x07",
        "escape\x1b[31m",
        "del\x7f",
        "c1\x85",
        "a" * (minisign.MAX_TRUSTED_COMMENT_BYTES + 1),
        "支" * (minisign.MAX_TRUSTED_COMMENT_BYTES // 3 + 1),
        "lone \ud800 surrogate",
    ],
)
def test_sign_rejects_bad_trusted_comment(keypair: tuple[SecretKey, str], comment: str) -> None:
    with pytest.raises(ValueError):
        minisign.sign(DATA, keypair[0], comment)


@pytest.mark.parametrize(
    "comment", ["two\nlines", "cr\r", "a" * (minisign.MAX_UNTRUSTED_COMMENT_BYTES + 1)]
)
def test_sign_rejects_bad_untrusted_comment(keypair: tuple[SecretKey, str], comment: str) -> None:
    with pytest.raises(ValueError):
        minisign.sign(DATA, keypair[0], "ok", untrusted_comment=comment)


def test_longest_untrusted_comment(keypair: tuple[SecretKey, str]) -> None:
    secret, pub = keypair
    sig = minisign.sign(DATA, secret, "ok", "u" * minisign.MAX_UNTRUSTED_COMMENT_BYTES)
    assert minisign.verify(DATA, sig, pub) == "ok"


def test_sign_rejects_non_secret_key(keypair: tuple[SecretKey, str]) -> None:
    with pytest.raises(TypeError):
        minisign.sign(DATA, keypair[1], "x")  # type: ignore[arg-type]


# --- tampering ----------------------------------------------------------------


def test_tampered_data(signed: str, keypair: tuple[SecretKey, str]) -> None:
    pub = keypair[1]
    for data in (DATA + b"\n", DATA[:-1], b"X" + DATA[1:], b""):
        with pytest.raises(BadSignatureError):
            minisign.verify(data, signed, pub)


def test_tampered_trusted_comment(signed: str, keypair: tuple[SecretKey, str]) -> None:
    ls = lines(signed)
    for comment in (
        "trusted comment: timestamp:1700000001\tfile:report.json",
        "trusted comment: timestamp:1700000000\tfile:report.json ",
        "trusted comment: ",
    ):
        with pytest.raises(BadGlobalSignatureError):
            minisign.verify(DATA, join([ls[0], ls[1], comment, ls[3]]), keypair[1])


def test_untrusted_comment_is_not_covered(signed: str, keypair: tuple[SecretKey, str]) -> None:
    ls = lines(signed)
    text = join(["untrusted comment: anything at all", *ls[1:]])
    assert minisign.verify(DATA, text, keypair[1]) == "timestamp:1700000000\tfile:report.json"


def _with_blob(signed: str, blob: bytes) -> str:
    ls = lines(signed)
    return join([ls[0], b64(blob), ls[2], ls[3]])


def test_tampered_signature_bytes(signed: str, keypair: tuple[SecretKey, str]) -> None:
    blob = bytearray(unb64(lines(signed)[1]))
    blob[40] ^= 1
    with pytest.raises(BadSignatureError):
        minisign.verify(DATA, _with_blob(signed, bytes(blob)), keypair[1])


def test_tampered_global_signature(signed: str, keypair: tuple[SecretKey, str]) -> None:
    ls = lines(signed)
    g = bytearray(unb64(ls[3]))
    g[0] ^= 0x80
    with pytest.raises(BadGlobalSignatureError):
        minisign.verify(DATA, join([*ls[:3], b64(bytes(g))]), keypair[1])


def test_global_signature_from_another_signature(keypair: tuple[SecretKey, str]) -> None:
    secret, pub = keypair
    a = lines(minisign.sign(DATA, secret, "same comment"))
    b = lines(minisign.sign(b"other", secret, "same comment"))
    with pytest.raises(BadGlobalSignatureError):
        minisign.verify(DATA, join([*a[:3], b[3]]), pub)


def test_algorithm_downgrade_to_legacy(signed: str, keypair: tuple[SecretKey, str]) -> None:
    blob = unb64(lines(signed)[1])
    with pytest.raises(LegacySignatureError):
        minisign.verify(DATA, _with_blob(signed, b"Ed" + blob[2:]), keypair[1])
    with pytest.raises(BadSignatureError):
        minisign.verify(DATA, _with_blob(signed, b"Ed" + blob[2:]), keypair[1],
                        allow_legacy=True)


def test_legacy_relabelled_as_prehashed(keypair: tuple[SecretKey, str]) -> None:
    secret, pub = keypair
    sig = legacy_signature(DATA, secret, "t")
    blob = unb64(lines(sig)[1])
    with pytest.raises(BadSignatureError):
        minisign.verify(DATA, _with_blob(sig, b"ED" + blob[2:]), pub)


def test_key_id_mismatch(signed: str, keypair: tuple[SecretKey, str]) -> None:
    _, other_pub = minisign.generate_keypair()
    with pytest.raises(KeyIdMismatchError) as info:
        minisign.verify(DATA, signed, other_pub)
    assert info.value.signature_key_id == keypair[0].key_id
    assert info.value.public_key_id == minisign.key_id(other_pub)
    assert keypair[0].key_id in str(info.value)


def test_key_id_field_tampered(signed: str, keypair: tuple[SecretKey, str]) -> None:
    blob = bytearray(unb64(lines(signed)[1]))
    blob[5] ^= 0xFF
    with pytest.raises(KeyIdMismatchError):
        minisign.verify(DATA, _with_blob(signed, bytes(blob)), keypair[1])


def test_same_key_id_other_key(signed: str, keypair: tuple[SecretKey, str]) -> None:
    impostor = SecretKey(keypair[0].key_id_bytes, b"\x02" * 32)
    with pytest.raises(BadSignatureError):
        minisign.verify(DATA, signed, impostor.public_key_text())


def test_errors_are_value_errors() -> None:
    for exc in (
        BadGlobalSignatureError,
        BadSignatureError,
        KeyIdMismatchError,
        LegacySignatureError,
        MalformedPublicKeyError,
        MalformedSecretKeyError,
        MalformedSignatureError,
        UnsupportedAlgorithmError,
    ):
        assert issubclass(exc, MinisignError)
    assert issubclass(MinisignError, ValueError)
    assert issubclass(UnsupportedAlgorithmError, MalformedSignatureError)
    assert issubclass(UnsupportedAlgorithmError, MalformedPublicKeyError)


# --- malformed signatures -----------------------------------------------------


def _sig_variants(signed: str) -> dict[str, str]:
    ls = lines(signed)
    blob = unb64(ls[1])
    g = unb64(ls[3])
    return {
        "empty": "",
        "three-lines": join(ls[:3]),
        "two-lines": join(ls[:2]),
        "five-lines": join([*ls, ls[3]]),
        "trailing-blank-line": signed + "\n",
        "missing-untrusted-line": join(ls[1:]),
        "missing-trusted-line": join([ls[0], ls[1], ls[3]]),
        "untrusted-prefix": join(["untrusted comment:x", *ls[1:]]),
        "untrusted-prefix-case": join(["Untrusted comment: x", *ls[1:]]),
        "trusted-prefix": join([ls[0], ls[1], "trusted comment:x", ls[3]]),
        "trusted-prefix-missing": join([ls[0], ls[1], "timestamp:1", ls[3]]),
        "lines-swapped": join([ls[2], ls[1], ls[0], ls[3]]),
        "bom": "\ufeff" + signed,
        "sig-bad-char": join([ls[0], ls[1][:-5] + "*" + ls[1][-4:], *ls[2:]]),
        "sig-no-padding": join([ls[0], ls[1].rstrip("="), *ls[2:]]),
        "sig-trailing-space": join([ls[0], ls[1] + " ", *ls[2:]]),
        "sig-leading-space": join([ls[0], " " + ls[1], *ls[2:]]),
        "sig-73-bytes": join([ls[0], b64(blob[:73]), *ls[2:]]),
        "sig-75-bytes": join([ls[0], b64(blob + b"\0"), *ls[2:]]),
        "sig-72-bytes": join([ls[0], b64(blob[:72]), *ls[2:]]),
        "sig-empty": join([ls[0], "", *ls[2:]]),
        "sig-urlsafe-dash": join([ls[0], ls[1][:10] + "-" + ls[1][11:], *ls[2:]]),
        "sig-urlsafe-underscore": join([ls[0], ls[1][:10] + "_" + ls[1][11:], *ls[2:]]),
        "global-63-bytes": join([*ls[:3], b64(g[:63])]),
        "global-65-bytes": join([*ls[:3], b64(g + b"\0")]),
        "global-bad-char": join([*ls[:3], "!" + ls[3][1:]]),
        "global-no-padding": join([*ls[:3], ls[3].rstrip("=")]),
        "global-empty": join([*ls[:3], ""]),
        "stray-cr-in-line": join([ls[0] + "\rx", *ls[1:]]),
        "cr-only-line-endings": "\r".join(ls) + "\r",
        "trusted-control-char": join([ls[0], ls[1], ls[2] + "\x1b[2J", ls[3]]),
        "untrusted-too-long": join(["untrusted comment: " + "u" * 1004, *ls[1:]]),
        "trusted-too-long": join(
            [
                ls[0],
                ls[1],
                "trusted comment: " + "t" * (minisign.MAX_TRUSTED_COMMENT_BYTES + 1),
                ls[3],
            ]
        ),
    }


SIG_VARIANTS = list(
    _sig_variants(
        join(
            ["untrusted comment: a", b64(b"ED" + b"\0" * 72), "trusted comment: b", b64(b"\0" * 64)]
        )
    )
)


@pytest.mark.parametrize("name", SIG_VARIANTS)
def test_malformed_signature(name: str, signed: str, keypair: tuple[SecretKey, str]) -> None:
    text = _sig_variants(signed)[name]
    with pytest.raises(MalformedSignatureError):
        minisign.parse_signature(text)
    with pytest.raises(MalformedSignatureError):
        minisign.verify(DATA, text, keypair[1])


def test_non_canonical_base64(signed: str) -> None:
    ls = lines(signed)
    # 74 bytes -> 100 chars ending "X=": the last char's low 2 bits are padding
    # bits and must be zero; set one.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = ls[1][-2]
    bumped = alphabet[alphabet.index(last) | 1]
    assert bumped != last
    text = join([ls[0], ls[1][:-2] + bumped + "=", *ls[2:]])
    with pytest.raises(MalformedSignatureError, match="non-canonical"):
        minisign.parse_signature(text)


@pytest.mark.parametrize("alg", [b"XX", b"ed", b"\0\0", b"EE"])
def test_unknown_algorithm(signed: str, alg: bytes) -> None:
    blob = unb64(lines(signed)[1])
    with pytest.raises(UnsupportedAlgorithmError):
        minisign.parse_signature(_with_blob(signed, alg + blob[2:]))


def test_trusted_comment_not_utf8(signed: str) -> None:
    raw = signed.encode().split(b"\n")
    raw[2] = b"trusted comment: \xc3\x28"
    with pytest.raises(MalformedSignatureError, match="UTF-8"):
        minisign.parse_signature(b"\n".join(raw))


def test_untrusted_comment_not_utf8_is_tolerated(
    signed: str, keypair: tuple[SecretKey, str]
) -> None:
    raw = signed.encode().split(b"\n")
    raw[0] = b"untrusted comment: \xff"
    assert minisign.verify(DATA, b"\n".join(raw), keypair[1])


def test_longest_comment_lines_are_accepted(keypair: tuple[SecretKey, str]) -> None:
    secret, pub = keypair
    sig = minisign.sign(
        DATA,
        secret,
        "t" * minisign.MAX_TRUSTED_COMMENT_BYTES,
        "u" * minisign.MAX_UNTRUSTED_COMMENT_BYTES,
    )
    assert minisign.verify(DATA, sig, pub)
    # The same lines with CRLF are one byte too long for minisign's buffers.
    with pytest.raises(MalformedSignatureError, match="too long"):
        minisign.parse_signature(sig.replace("\n", "\r\n"))


# --- line endings -------------------------------------------------------------


def test_crlf(signed: str, keypair: tuple[SecretKey, str]) -> None:
    pub = keypair[1]
    crlf_sig = signed.replace("\n", "\r\n")
    crlf_pub = pub.replace("\n", "\r\n")
    want = "timestamp:1700000000\tfile:report.json"
    assert minisign.verify(DATA, crlf_sig, pub) == want
    assert minisign.verify(DATA, signed, crlf_pub) == want
    assert minisign.verify(DATA, crlf_sig, crlf_pub) == want
    assert minisign.key_id(crlf_pub) == keypair[0].key_id


def test_mixed_line_endings_and_missing_final_newline(
    signed: str, keypair: tuple[SecretKey, str]
) -> None:
    ls = lines(signed)
    text = ls[0] + "\r\n" + ls[1] + "\n" + ls[2] + "\r\n" + ls[3]
    assert minisign.verify(DATA, text, keypair[1])
    assert minisign.verify(DATA, signed, keypair[1].rstrip("\n"))


def test_crlf_does_not_leak_into_trusted_comment(
    signed: str, keypair: tuple[SecretKey, str]
) -> None:
    assert minisign.parse_signature(signed.replace("\n", "\r\n")).trusted_comment.endswith(".json")


# --- malformed public keys ----------------------------------------------------


def _pub_variants(pub: str) -> dict[str, str]:
    ls = lines(pub)
    blob = unb64(ls[1])
    return {
        "empty": "",
        "one-line": join(ls[1:]),
        "three-lines": join([*ls, ls[1]]),
        "trailing-blank-line": pub + "\n",
        "comment-prefix": join(["minisign public key", ls[1]]),
        "bad-char": join([ls[0], ls[1][:-1] + "*"]),
        "41-bytes": join([ls[0], b64(blob[:41])]),
        "43-bytes": join([ls[0], b64(blob + b"\0")]),
        "trailing-space": join([ls[0], ls[1] + " "]),
        "stray-cr": join([ls[0], ls[1][:10] + "\r" + ls[1][10:]]),
        "comment-too-long": join(["untrusted comment: " + "c" * 1010, ls[1]]),
        "secret-key-text": "",
    }


PUB_VARIANTS = list(_pub_variants(join(["untrusted comment: x", b64(b"Ed" + b"\0" * 40)])))


@pytest.mark.parametrize("name", PUB_VARIANTS)
def test_malformed_public_key(name: str, keypair: tuple[SecretKey, str], signed: str) -> None:
    variants = _pub_variants(keypair[1])
    variants["secret-key-text"] = keypair[0].to_text()
    text = variants[name]
    with pytest.raises(MalformedPublicKeyError):
        minisign.key_id(text)
    with pytest.raises(MalformedPublicKeyError):
        minisign.verify(DATA, signed, text)
    with pytest.raises(MalformedPublicKeyError):
        minisign.fingerprint(text)


@pytest.mark.parametrize("alg", [b"ED", b"XX"])
def test_public_key_algorithm(keypair: tuple[SecretKey, str], alg: bytes) -> None:
    ls = lines(keypair[1])
    blob = unb64(ls[1])
    with pytest.raises(UnsupportedAlgorithmError):
        PublicKey.parse(join([ls[0], b64(alg + blob[2:])]))


def test_public_key_from_base64_rejects(keypair: tuple[SecretKey, str]) -> None:
    with pytest.raises(MalformedPublicKeyError):
        PublicKey.from_base64(keypair[1])  # the whole file is not the one-line form
    with pytest.raises(MalformedPublicKeyError):
        PublicKey.from_base64("RWQ")


def test_public_key_comment_is_free(keypair: tuple[SecretKey, str], signed: str) -> None:
    ls = lines(keypair[1])
    text = join(["untrusted comment: 第三支部 signing key", ls[1]])
    assert minisign.key_id(text) == keypair[0].key_id
    assert minisign.verify(DATA, signed, text)


def test_wrong_types(signed: str) -> None:
    with pytest.raises(TypeError):
        minisign.parse_signature(12)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        minisign.key_id(None)  # type: ignore[arg-type]


# --- streams and files --------------------------------------------------------


def test_stream_and_file(tmp_path: Path, keypair: tuple[SecretKey, str]) -> None:
    secret, pub = keypair
    data = bytes(range(256)) * (10 * 1024 + 3)  # ~2.5 MiB: several 1 MiB chunks
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    sig = minisign.sign_file(path, secret, "big")
    assert sig == minisign.sign(data, secret, "big")
    assert minisign.sign_stream(io.BytesIO(data), secret, "big") == sig
    assert minisign.verify_file(path, sig, pub) == "big"
    assert minisign.verify_stream(io.BytesIO(data), sig, pub) == "big"
    assert minisign.verify(data, sig, pub) == "big"
    path.write_bytes(data[:-1] + b"\0")
    with pytest.raises(BadSignatureError):
        minisign.verify_file(path, sig, pub)
    with pytest.raises(BadSignatureError):
        minisign.verify_stream(io.BytesIO(data + b"x"), sig, pub)


def test_empty_stream(keypair: tuple[SecretKey, str]) -> None:
    secret, pub = keypair
    sig = minisign.sign_stream(io.BytesIO(b""), secret, "empty")
    assert minisign.verify(b"", sig, pub) == "empty"

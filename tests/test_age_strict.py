"""storage.age rejects malformed files, each with its own error class.

Files here are built by hand with a known file key and a correct header MAC,
so each one fails for exactly the reason under test.
"""

from __future__ import annotations

import binascii
import io
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from storage import age
from storage.age.header import Stanza, b64encode, encode_header, header_mac
from storage.age.stream import CHUNK_SIZE, payload_key

FILE_KEY = bytes(range(16))
NONCE = bytes(range(100, 116))
IDENTITY = age.X25519Identity.generate()
SECRET_TEXT = b"TOP-SECRET-PLAINTEXT"
PASSPHRASE = "hunter2-passphrase"
FAST = 10

# A point of order 8 on Curve25519: X25519 with it is all zeros for any key.
LOW_ORDER_POINT = bytes.fromhex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")


def x25519_stanza() -> Stanza:
    return IDENTITY.recipient().wrap(FILE_KEY)[0]


def scrypt_stanza(work_factor: int = FAST) -> Stanza:
    return age.ScryptRecipient(PASSPHRASE, work_factor).wrap(FILE_KEY)[0]


def scrypt_stanza_claiming(work_factor: int) -> Stanza:
    """A FAST stanza relabelled with another work factor (never computing it)."""
    stanza = scrypt_stanza()
    return Stanza(stanza.type, (stanza.args[0], str(work_factor)), stanza.body)


def chunk(index: int, plaintext: bytes, last: bool, key: bytes | None = None) -> bytes:
    nonce = index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")
    return ChaCha20Poly1305(key or payload_key(FILE_KEY, NONCE)).encrypt(nonce, plaintext, None)


def body(*chunks: tuple[bytes, bool]) -> bytes:
    return NONCE + b"".join(chunk(i, pt, last) for i, (pt, last) in enumerate(chunks))


def header_from_text(stanza_text: bytes) -> bytes:
    """A header with the given (possibly malformed) stanza lines and a correct MAC."""
    mac_input = b"age-encryption.org/v1\n" + stanza_text + b"---"
    return mac_input + b" " + b64encode(header_mac(FILE_KEY, mac_input)) + b"\n"


def stanza_text(stanza: Stanza) -> bytes:
    return stanza.encode()


def good_file(plaintext: bytes = SECRET_TEXT) -> bytes:
    return encode_header([x25519_stanza()], FILE_KEY) + body((plaintext, True))


def non_canonical(text: str) -> str:
    """Flip an unused low bit of the last base64 character."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    return text[:-1] + alphabet[alphabet.index(text[-1]) ^ 1]


def failures(data: bytes, identities: list[age.X25519Identity | age.ScryptIdentity],
             error: type[age.AgeError]) -> tuple[age.AgeError, age.AgeError]:
    """Both the buffered and the streaming decrypt raise ``error``; return both."""
    with pytest.raises(error) as buffered:
        age.decrypt(data, identities)
    with pytest.raises(error) as streamed:
        age.decrypt_stream(io.BytesIO(data), io.BytesIO(), identities)
    return buffered.value, streamed.value


def test_the_helpers_build_a_valid_file() -> None:
    assert age.decrypt(good_file(), [IDENTITY]) == SECRET_TEXT


# -- header syntax ---------------------------------------------------------------


def test_version_line() -> None:
    data = good_file()
    failures(data.replace(b"/v1\n", b"/v2\n", 1), [IDENTITY], age.UnsupportedVersionError)
    failures(b"hello" + data, [IDENTITY], age.ArmorError)  # not binary: read as armor
    failures(data[:10], [IDENTITY], age.MalformedHeaderError)
    failures(b"", [IDENTITY], age.MalformedHeaderError)
    failures(data.replace(b"\n", b"\r\n", 2), [IDENTITY], age.MalformedHeaderError)


def test_non_canonical_base64_in_body() -> None:
    stanza = x25519_stanza()
    text = stanza_text(stanza).decode()
    arg_line, body_line, _ = text.split("\n")
    bad = f"{arg_line}\n{non_canonical(body_line)}\n".encode()
    failures(header_from_text(bad) + body((b"x", True)), [IDENTITY], age.Base64Error)


def test_non_canonical_base64_in_share() -> None:
    stanza = x25519_stanza()
    bad = Stanza(stanza.type, (non_canonical(stanza.args[0]),), stanza.body)
    failures(header_from_text(bad.encode()) + body((b"x", True)), [IDENTITY], age.Base64Error)


def test_padded_base64_in_body() -> None:
    stanza = x25519_stanza()
    text = stanza_text(stanza).replace(b"\n", b"=\n").replace(b"=\n", b"\n", 1)
    failures(header_from_text(text) + body((b"x", True)), [IDENTITY], age.Base64Error)


def test_non_canonical_mac() -> None:
    data = good_file()
    head, mac_line = data.split(b"\n--- ", 1)
    mac = mac_line[:43].decode()
    bad = head + b"\n--- " + non_canonical(mac).encode() + mac_line[43:]
    failures(bad, [IDENTITY], age.Base64Error)


@pytest.mark.parametrize(
    "arguments",
    ["X25519", "X25519 {share} extra"],
    ids=["missing-share", "extra-argument"],
)
def test_wrong_x25519_argument_count(arguments: str) -> None:
    stanza = x25519_stanza()
    line = "-> " + arguments.format(share=stanza.args[0]) + "\n"
    text = line.encode() + stanza_text(stanza).split(b"\n", 1)[1]
    failures(header_from_text(text) + body((b"x", True)), [IDENTITY], age.InvalidStanzaError)


@pytest.mark.parametrize(
    "line",
    [b"->\n", b"-> \n", b"-> X25519  share\n", b"->X25519 share\n", b"-> X25519 sh\xc3\xa9re\n",
     b"-> X25519 share \n"],
    ids=["no-args", "empty-arg", "double-space", "no-space", "non-ascii", "trailing-space"],
)
def test_malformed_stanza_lines(line: bytes) -> None:
    text = line + b"\n" + stanza_text(x25519_stanza())
    failures(header_from_text(text) + body((b"x", True)), [IDENTITY], age.MalformedHeaderError)


def test_body_line_longer_than_64_columns() -> None:
    grease = Stanza("grease", (), bytes(60))
    text = grease.encode()  # a 64-column line and a short one
    lines = text.split(b"\n")
    joined = lines[0] + b"\n" + lines[1] + lines[2] + b"\n"  # one 80-column line
    data = header_from_text(joined + stanza_text(x25519_stanza())) + body((b"x", True))
    failures(data, [IDENTITY], age.MalformedHeaderError)


def test_body_must_end_with_a_short_line() -> None:
    grease = Stanza("grease", (), bytes(48))  # exactly one full line, then an empty one
    text = grease.encode()
    assert text.endswith(b"\n\n")
    data = header_from_text(text[:-1] + stanza_text(x25519_stanza())) + body((b"x", True))
    failures(data, [IDENTITY], age.MalformedHeaderError)
    # With the empty final line the same file is fine.
    good = header_from_text(text + stanza_text(x25519_stanza())) + body((b"x", True))
    assert age.decrypt(good, [IDENTITY]) == b"x"


def test_unknown_stanzas_are_skipped() -> None:
    grease = Stanza("example.com/grease", ("a", "!#$%"), b"\x00" * 70)
    data = encode_header([grease, x25519_stanza(), grease], FILE_KEY) + body((b"ok", True))
    assert age.decrypt(data, [IDENTITY]) == b"ok"


def test_header_without_stanzas() -> None:
    failures(header_from_text(b"") + body((b"x", True)), [IDENTITY], age.MalformedHeaderError)


def test_truncated_header() -> None:
    data = good_file()
    end = data.index(b"\n---")
    for cut in (end - 5, end + 1, end + 3, end + 20):
        failures(data[:cut], [IDENTITY], age.MalformedHeaderError)


# -- X25519 ----------------------------------------------------------------------


@pytest.mark.parametrize("share", [bytes(32), LOW_ORDER_POINT], ids=["zero", "order-8"])
def test_all_zero_shared_secret(share: bytes) -> None:
    stanza = Stanza("X25519", (b64encode(share).decode(),), x25519_stanza().body)
    data = encode_header([stanza], FILE_KEY) + body((b"x", True))
    failures(data, [IDENTITY], age.ZeroSharedSecretError)


@pytest.mark.parametrize("size", [31, 33])
def test_share_length(size: int) -> None:
    stanza = Stanza("X25519", (b64encode(bytes(range(size))).decode(),), x25519_stanza().body)
    failures(encode_header([stanza], FILE_KEY) + body((b"x", True)), [IDENTITY],
             age.InvalidStanzaError)


def test_wrapped_key_length_is_checked_before_decrypting() -> None:
    stanza = x25519_stanza()
    long_body = Stanza(stanza.type, stanza.args, stanza.body + b"\x00")
    failures(encode_header([long_body], FILE_KEY) + body((b"x", True)), [IDENTITY],
             age.InvalidStanzaError)


def test_wrong_key_is_no_match() -> None:
    other = age.X25519Identity.generate()
    failures(good_file(), [other], age.NoIdentityMatchError)


# -- scrypt ----------------------------------------------------------------------


def scrypt_file(*stanzas: Stanza) -> bytes:
    return encode_header(list(stanzas), FILE_KEY) + body((SECRET_TEXT, True))


def test_scrypt_file_decrypts() -> None:
    assert age.decrypt_with_passphrase(scrypt_file(scrypt_stanza()), PASSPHRASE) == SECRET_TEXT


@pytest.mark.parametrize(
    "others",
    [lambda: [x25519_stanza()], lambda: [scrypt_stanza()], lambda: [Stanza("grease", (), b"")]],
    ids=["x25519", "second-scrypt", "grease"],
)
def test_scrypt_stanza_must_be_alone(others: Callable[[], list[Stanza]]) -> None:
    data = scrypt_file(scrypt_stanza(), *others())
    failures(data, [age.ScryptIdentity(PASSPHRASE)], age.ScryptNotAloneError)
    # An X25519 identity that matches still opens such a file (it is the
    # passphrase's promise that is broken, not the recipient's).
    if others()[0].type == "X25519":
        assert age.decrypt(data, [IDENTITY]) == SECRET_TEXT


def test_scrypt_work_factor_above_the_cap_is_refused_without_running_scrypt() -> None:
    data = scrypt_file(scrypt_stanza_claiming(23))  # 23 would take ~30 s and 1 GiB
    error, _ = failures(data, [age.ScryptIdentity(PASSPHRASE)], age.ScryptWorkFactorError)
    assert "23" in str(error)
    with pytest.raises(age.ScryptWorkFactorError):
        age.decrypt_with_passphrase(scrypt_file(scrypt_stanza(FAST)), PASSPHRASE,
                                    max_work_factor=FAST - 1)


@pytest.mark.parametrize("work_factor", ["010", "0", "+10", "1e1", "0x0a", "-1", " 10", "10 "])
def test_non_canonical_work_factor(work_factor: str) -> None:
    stanza = scrypt_stanza()
    body_lines = stanza.encode().split(b"\n", 1)[1]
    text = f"-> scrypt {stanza.args[0]} {work_factor}\n".encode() + body_lines
    error = age.MalformedHeaderError if " " in work_factor else age.InvalidStanzaError
    data = header_from_text(text) + body((b"x", True))
    failures(data, [age.ScryptIdentity(PASSPHRASE)], error)


@pytest.mark.parametrize("salt_size", [0, 15, 17])
def test_scrypt_salt_length(salt_size: int) -> None:
    stanza = scrypt_stanza()
    bad = Stanza("scrypt", (b64encode(bytes(salt_size)).decode() or "A", stanza.args[1]),
                 stanza.body)
    error = age.Base64Error if salt_size == 0 else age.InvalidStanzaError
    failures(scrypt_file(bad), [age.ScryptIdentity(PASSPHRASE)], error)


def test_non_canonical_salt() -> None:
    stanza = scrypt_stanza()
    bad = Stanza("scrypt", (non_canonical(stanza.args[0]), stanza.args[1]), stanza.body)
    failures(scrypt_file(bad), [age.ScryptIdentity(PASSPHRASE)], age.Base64Error)


def test_scrypt_argument_count() -> None:
    stanza = scrypt_stanza()
    for args in [stanza.args[:1], (*stanza.args, "extra")]:
        failures(scrypt_file(Stanza("scrypt", args, stanza.body)),
                 [age.ScryptIdentity(PASSPHRASE)], age.InvalidStanzaError)


def test_wrong_passphrase_is_no_match() -> None:
    failures(scrypt_file(scrypt_stanza()), [age.ScryptIdentity("not it")],
             age.NoIdentityMatchError)


# -- header MAC and nonce ----------------------------------------------------------


def test_altered_mac() -> None:
    data = bytearray(good_file())
    mac_at = data.index(b"\n--- ") + 5
    data[mac_at] = ord("A") if data[mac_at] != ord("A") else ord("B")
    failures(bytes(data), [IDENTITY], age.HMACError)


def test_altered_unknown_stanza_breaks_the_mac() -> None:
    grease = Stanza("grease", ("one",), b"")
    data = encode_header([grease, x25519_stanza()], FILE_KEY) + body((b"x", True))
    assert age.decrypt(data, [IDENTITY]) == b"x"
    failures(data.replace(b"-> grease one\n", b"-> grease two\n"), [IDENTITY], age.HMACError)


def test_mac_from_another_file_key() -> None:
    stanza = x25519_stanza()
    data = encode_header([stanza], bytes(16)) + body((b"x", True))
    failures(data, [IDENTITY], age.HMACError)


@pytest.mark.parametrize("nonce_bytes", [0, 15])
def test_missing_nonce(nonce_bytes: int) -> None:
    data = encode_header([x25519_stanza()], FILE_KEY) + NONCE[:nonce_bytes]
    failures(data, [IDENTITY], age.MissingNonceError)


# -- payload -----------------------------------------------------------------------


FULL = bytes(range(256)) * (CHUNK_SIZE // 256)


def payload_file(*chunks: tuple[bytes, bool]) -> bytes:
    return encode_header([x25519_stanza()], FILE_KEY) + body(*chunks)


def released(data: bytes) -> bytes:
    """What decrypt_stream wrote before raising PayloadError (decrypt() must raise too)."""
    out = io.BytesIO()
    with pytest.raises(age.PayloadError):
        age.decrypt_stream(io.BytesIO(data), out, [IDENTITY])
    with pytest.raises(age.PayloadError):
        age.decrypt(data, [IDENTITY])
    return out.getvalue()


def test_valid_payload_shapes() -> None:
    assert age.decrypt(payload_file((b"", True)), [IDENTITY]) == b""
    assert age.decrypt(payload_file((FULL, True)), [IDENTITY]) == FULL
    assert age.decrypt(payload_file((FULL, False), (b"x", True)), [IDENTITY]) == FULL + b"x"
    assert age.decrypt(payload_file((FULL, False), (FULL, True)), [IDENTITY]) == FULL * 2


def test_trailing_data_after_the_final_chunk() -> None:
    assert released(payload_file((b"short", True)) + b"\x00") == b""  # merges into the chunk
    assert released(payload_file((FULL, True)) + b"garbage") == FULL
    assert released(payload_file((FULL, True), (b"x", True))) == FULL


def test_missing_final_chunk() -> None:
    assert released(payload_file((FULL, False))) == FULL
    assert released(payload_file((FULL, False), (FULL, False))) == FULL * 2
    assert released(payload_file()) == b""  # no chunk at all


def test_truncated_final_chunk() -> None:
    data = payload_file((FULL, False), (b"tail", True))
    assert released(data[:-1]) == FULL
    assert released(data[:-15]) == FULL


def test_empty_chunks() -> None:
    # An empty final chunk is only for an empty payload.
    assert released(payload_file((FULL, False), (b"", True))) == FULL
    # An empty non-final chunk.
    assert released(payload_file((b"", False), (b"x", True))) == b""
    # A short non-final chunk.
    assert released(payload_file((b"abc", False), (b"x", True))) == b""


def test_tampered_chunk_releases_only_what_authenticated() -> None:
    data = bytearray(payload_file((FULL, False), (FULL, False), (b"end", True)))
    data[-10] ^= 1
    assert released(bytes(data)) == FULL * 2
    data = bytearray(payload_file((FULL, False), (FULL, False), (b"end", True)))
    data[-(len(b"end") + 16) - CHUNK_SIZE] ^= 1  # inside the second chunk
    assert released(bytes(data)) == FULL


def test_chunks_out_of_order() -> None:
    first, second = chunk(0, FULL, False), chunk(1, FULL, True)
    data = encode_header([x25519_stanza()], FILE_KEY) + NONCE + second + first
    assert released(data) == b""


def test_payload_from_another_nonce() -> None:
    data = payload_file((b"x", True))
    data = data[: -17 - 16] + bytes(16) + data[-17:]
    assert released(data) == b""


# -- armor -------------------------------------------------------------------------


def armored(plaintext: bytes = SECRET_TEXT) -> bytes:
    return age.armor.armor(payload_file((plaintext, True)))


def test_armor_accepts_crlf_and_outer_whitespace() -> None:
    data = armored()
    assert age.decrypt(data.replace(b"\n", b"\r\n"), [IDENTITY]) == SECRET_TEXT
    assert age.decrypt(b"\n \t\r\n" + data + b"\n\n  \n", [IDENTITY]) == SECRET_TEXT
    assert age.decrypt(data.rstrip(b"\n"), [IDENTITY]) == SECRET_TEXT


@pytest.mark.parametrize(
    "change",
    [
        lambda d: b"junk\n" + d,
        lambda d: d + b"junk\n",
        lambda d: d + b" " * 1024,
        lambda d: b" " * 1025 + b"\n" + d,
        lambda d: d.replace(b"-----\n", b"-----\n\n", 1),  # empty line
        lambda d: d.replace(b"-----\n", b"-----\nVersion: 1\n", 1),  # headers
        lambda d: d.replace(b"FILE-----\n", b"FILE----- \n", 1),
        lambda d: d.replace(b"-----END AGE ENCRYPTED FILE-----\n", b""),
        lambda d: d.replace(b"BEGIN AGE", b"BEGIN age", 1),
        lambda d: d.replace(b"\n", b"\n ", 1),  # leading space on a data line
        lambda d: d.replace(b"=\n", b"\n"),  # padding removed
    ],
    ids=["leading-garbage", "trailing-garbage", "much-trailing-space", "much-leading-space",
         "empty-line", "pem-headers", "space-after-begin", "no-end", "lowercase-label",
         "indented", "no-padding"],
)
def test_armor_strictness(change: Callable[[bytes], bytes]) -> None:
    data = armored(b"x" * 200)  # several lines and a padded last line
    assert data.count(b"=\n") == 1
    failures(change(data), [IDENTITY], age.ArmorError)


def test_armor_line_lengths() -> None:
    data = armored(b"x" * 200)
    lines = data.split(b"\n")
    long_line = b"\n".join([lines[0], lines[1] + lines[2][:4], lines[2][4:], *lines[3:]])
    failures(long_line, [IDENTITY], age.ArmorError)
    short_first = b"\n".join([lines[0], lines[1][:60], lines[1][60:] + lines[2][:60], *lines[3:]])
    failures(short_first, [IDENTITY], age.ArmorError)


def test_armor_non_canonical_padding_bits() -> None:
    data = armored(b"x" * 200)
    lines = data.split(b"\n")
    last = lines[-3]
    assert last.endswith(b"=")
    text = last.rstrip(b"=").decode()
    lines[-3] = non_canonical(text).encode() + b"=" * (len(last) - len(text))
    assert binascii.a2b_base64(lines[-3]) == binascii.a2b_base64(last)
    failures(b"\n".join(lines), [IDENTITY], age.ArmorError)


# -- messages ----------------------------------------------------------------------


def test_error_messages_hold_no_secrets() -> None:
    identity_text = str(IDENTITY)
    file_key_b64 = b64encode(FILE_KEY).decode()
    cases = [
        (good_file().replace(b"/v1", b"/v9"), [IDENTITY]),
        (payload_file((SECRET_TEXT, True)) + SECRET_TEXT, [IDENTITY]),
        (payload_file((SECRET_TEXT * 4000, False)), [IDENTITY]),
        (good_file(), [age.X25519Identity.generate()]),
        (scrypt_file(scrypt_stanza()), [age.ScryptIdentity("wrong " + PASSPHRASE)]),
        (scrypt_file(scrypt_stanza_claiming(23)), [age.ScryptIdentity(PASSPHRASE)]),
        (scrypt_file(scrypt_stanza(), x25519_stanza()), [age.ScryptIdentity(PASSPHRASE)]),
        (b"junk" + armored(), [IDENTITY]),
    ]
    for data, identities in cases:
        with pytest.raises(age.AgeError) as caught:
            age.decrypt(data, identities)
        text = f"{caught.value} {caught.value!r}"
        for secret in (identity_text, PASSPHRASE, SECRET_TEXT.decode(), file_key_b64):
            assert secret not in text

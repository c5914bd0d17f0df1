"""Bech32 (BIP-173) as age uses it for keys.

"Bech32 is as specified in BIP173, but without length limits on the data part.
Note that Bech32 strings can only be all uppercase or all lowercase, but the
checksum is always computed over the lowercase string." (C2SP age spec)

Recipients are lowercase (``age1...``) and identities uppercase
(``AGE-SECRET-KEY-1...``). :func:`decode` returns the human-readable part in the
case it was written, so callers can insist on the case their key type uses.
"""

from __future__ import annotations

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_CHARSET_INDEX = {c: i for i, c in enumerate(CHARSET)}
_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


class Bech32Error(ValueError):
    """The string is not valid Bech32."""


def _polymod(values: list[int]) -> int:
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            if (top >> i) & 1:
                chk ^= _GENERATOR[i]
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _checksum(hrp: str, data: list[int]) -> list[int]:
    polymod = _polymod([*_hrp_expand(hrp), *data, 0, 0, 0, 0, 0, 0]) ^ 1
    return [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]


def _convert_bits(data: bytes | list[int], from_bits: int, to_bits: int, pad: bool) -> list[int]:
    acc = 0
    bits = 0
    out: list[int] = []
    max_value = (1 << to_bits) - 1
    for value in data:
        acc = (acc << from_bits) | value
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            out.append((acc >> bits) & max_value)
    if pad:
        if bits:
            out.append((acc << (to_bits - bits)) & max_value)
    elif bits >= from_bits:
        raise Bech32Error("illegal zero padding")
    elif (acc << (to_bits - bits)) & max_value:
        raise Bech32Error("non-zero padding")
    return out


def encode(hrp: str, data: bytes) -> str:
    """Encode ``data`` under ``hrp``; the result is lowercase."""
    lower = hrp.lower()
    if hrp != lower and hrp != hrp.upper():
        raise Bech32Error("mixed-case human-readable part")
    if not lower or any(not 33 <= ord(c) <= 126 for c in lower):
        raise Bech32Error("invalid human-readable part")
    values = _convert_bits(data, 8, 5, pad=True)
    return lower + "1" + "".join(CHARSET[v] for v in values + _checksum(lower, values))


def decode(text: str) -> tuple[str, bytes]:
    """Return ``(hrp, data)``; ``hrp`` keeps the case of ``text``."""
    lower = text.lower()
    if text != lower and text != text.upper():
        raise Bech32Error("mixed case")
    pos = text.rfind("1")
    if pos < 1 or pos + 7 > len(text):
        raise Bech32Error("separator '1' at an invalid position")
    hrp = text[:pos]
    if any(not 33 <= ord(c) <= 126 for c in hrp):
        raise Bech32Error("invalid character in the human-readable part")
    try:
        values = [_CHARSET_INDEX[c] for c in lower[pos + 1 :]]
    except KeyError:
        raise Bech32Error("invalid character in the data part") from None
    if _polymod(_hrp_expand(hrp.lower()) + values) != 1:
        raise Bech32Error("invalid checksum")
    return hrp, bytes(_convert_bits(values[:-6], 5, 8, pad=False))

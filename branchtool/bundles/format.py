"""The bundle file, byte for byte (docs/formats.md, "Bundles").

``<branch-code>-<seq>-<yyyymmdd>.bundle.age`` is an age message (to the office
and to the branch itself) whose plaintext is a POSIX tar of exactly two
regular files, ``bundle.json`` and ``bundle.json.minisig``, compressed as one
zstd frame (``container``; a bare tar, as written before, is read too).
Reproducible by hand: ``age -d -i office-key.txt X.bundle.age | zstd -d |
tar x && minisign -Vm bundle.json -p branch.pub``.

Reading is strict and bounded: every check here raises ``BundleRejected``
with its own reason before anything is trusted or written. The tar is walked
block by block (exactly the two members, then only zero blocks to the end:
what ``tar x`` extracts by hand is what was checked), and bundle.json is
parsed only once its signature checked out (``office.opening``), and then
only if its size and count of values fit a bounded memory budget.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from branchtool import contact
from branchtool.bundles import container
from branchtool.errors import UserError
from branchtool.records.redaction import REDACTIONS
from storage import history

FORMAT = "branchtool-bundle"
VERSION = 1
JSON_NAME = "bundle.json"
SIG_NAME = "bundle.json.minisig"
MAX_FILE = 256 << 20  # the office's default size cap, before decrypting
MAX_SIG = 4096
MAX_DEPTH = 32
MAX_STRING = 1 << 20  # one string field (a rendered report may be long)
# What parsing bundle.json may cost, estimated before parsing: a parsed JSON
# value costs at most VALUE_COST bytes beyond its text (measured with orjson on
# the costliest shapes: one-character strings, small objects), and the text is
# held while it is parsed. A month of 300 people's records (6 MB, 440,000
# values) costs 50 MB; the budget keeps the worst file under 400 MB.
VALUE_COST = 80
PARSE_BUDGET = 360 << 20
BLOCK = 512  # tar block
# The largest tar the two members make: two headers, each padded, and the end
# of archive padded to a 10240-byte record (as GNU tar and tarfile write it).
# A compressed bundle decompressing to more is refused before it is held.
MAX_TAR = MAX_FILE + MAX_SIG + 40 * BLOCK
# A bundle a day for 270 years. Bounds the gap an office lists as missing.
MAX_SEQUENCE = 100_000
MAX_KINDS = 256  # kinds a bundle may name in ``content``
FIRST_YEAR, LAST_YEAR = 1900, 2100  # dates the office can step through and show
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # the exporter writes a ULID
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_COMMENT = re.compile(r"^branchtool bundle branch=(?P<code>[A-Za-z0-9_-]{1,32}) "
                     r"seq=(?P<seq>[0-9]{1,6}) period=[0-9-]{10}\.\.[0-9-]{10} "
                     r"sha256=(?P<sha256>[0-9a-f]{64})$")


class BundleRejected(UserError):
    """A bundle the office must not accept; ``reason`` is a short stable code."""

    def __init__(self, reason: str, /, **params: object) -> None:
        super().__init__(f"bundle.reject.{reason}", **params)
        self.reason = reason


def file_name(branch_code: str, sequence: int, day: str) -> str:
    return f"{branch_code}-{sequence:06d}-{day.replace('-', '')}.bundle.age"


def trusted_comment(doc: Mapping[str, Any], json_sha256: str) -> str:
    """What ``minisign -V`` prints: enough for a person to see what they hold."""
    return (f"branchtool bundle branch={doc['branch']['code']} seq={doc['sequence']} "
            f"period={doc['period']['from']}..{doc['period']['to']} sha256={json_sha256}")


@dataclass(frozen=True)
class Claim:
    """What a signature's trusted comment says of bundle.json: read before
    anything is verified (to find the key), trusted once the signature is."""

    code: str
    sequence: int
    sha256: str


def claim_of(comment: str) -> Claim:
    """The branch, sequence and SHA-256 a trusted comment names, or
    ``BundleRejected("signature")``."""
    match = _COMMENT.match(comment)
    if match is None:
        raise BundleRejected("signature")
    return Claim(match["code"], int(match["seq"]), match["sha256"])


# -- the tar ----------------------------------------------------------------------
def seal(json_bytes: bytes, signature: str, mtime: int,
         names: tuple[str, str] = (JSON_NAME, SIG_NAME)) -> bytes:
    """What is encrypted: the tar of the two files (``pack``), compressed as
    one zstd frame (``container.seal``)."""
    return container.seal(pack(json_bytes, signature, mtime, names))


def pack(json_bytes: bytes, signature: str, mtime: int,
         names: tuple[str, str] = (JSON_NAME, SIG_NAME)) -> bytes:
    """A deterministic USTAR archive of the two files, nothing else (an
    inbox file passes its own ``names``)."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in zip(names, (json_bytes, signature.encode()), strict=True):
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), mtime, 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _members(view: memoryview, names: tuple[str, str] = (JSON_NAME, SIG_NAME)
             ) -> dict[str, tuple[int, int]]:
    """Walk the archive block by block: exactly two headers, each a regular
    file named ``names`` (``bundle.json`` and ``bundle.json.minisig``, or an
    inbox file's two), then nothing but zero blocks to the end. Returns name
    -> (start, end) of its data."""
    _json_name, sig_name = names
    members: dict[str, tuple[int, int]] = {}
    pos = 0
    while len(members) < 2:
        block = bytes(view[pos: pos + BLOCK])
        if len(block) < BLOCK or not block.strip(b"\0"):
            raise BundleRejected("tar_members")  # the end before two members
        try:
            info = tarfile.TarInfo.frombuf(block, "utf-8", "strict")
        except (tarfile.TarError, ValueError, UnicodeDecodeError):
            raise BundleRejected("tar") from None
        if info.type not in (tarfile.REGTYPE, tarfile.AREGTYPE):
            raise BundleRejected("tar_type")
        if info.name not in names:
            raise BundleRejected("tar_path")
        if info.name in members:
            raise BundleRejected("tar_duplicate")
        if info.size > (MAX_SIG if info.name == sig_name else MAX_FILE):
            raise BundleRejected("content_too_large")
        start = pos + BLOCK
        if start + info.size > len(view):
            raise BundleRejected("tar")
        members[info.name] = (start, start + info.size)
        pos = start + -(-info.size // BLOCK) * BLOCK
    after = bytes(view[pos: pos + BLOCK])
    if after.strip(b"\0"):  # a third header, or garbage GNU tar would skip past
        try:
            tarfile.TarInfo.frombuf(after, "utf-8", "strict")
        except (tarfile.TarError, ValueError, UnicodeDecodeError):
            raise BundleRejected("tar_trailing") from None
        raise BundleRejected("tar_members")
    for at in range(pos, len(view), 1 << 20):  # the rest: end-of-archive zeros only
        if bytes(view[at: at + (1 << 20)]).strip(b"\0"):
            raise BundleRejected("tar_trailing")
    return members


def refused(exc: container.Refused) -> BundleRejected:
    """A compressed plaintext's refusal, in the bundle's words: one that
    decompresses past the bound is ``content_too_large``, any other fault
    (cut short, a second or skippable frame, a lying size) ``damaged``."""
    return BundleRejected("content_too_large" if exc.reason == "too_large" else "damaged")


def unpack(plain: bytes | bytearray, names: tuple[str, str] = (JSON_NAME, SIG_NAME),
           limit: int = MAX_TAR) -> tuple[bytes | bytearray, str]:
    """(bundle.json bytes, signature text) from a whole decrypted plaintext,
    compressed (decompressed within ``limit`` bytes) or a bare tar; or
    ``BundleRejected``."""
    try:
        tar = container.inflate(plain, limit)
    except container.Refused as exc:
        raise refused(exc) from None
    return unpack_tar(tar, names)


def unpack_tar(tar: bytes | bytearray, names: tuple[str, str] = (JSON_NAME, SIG_NAME)
               ) -> tuple[bytes | bytearray, str]:
    """(bundle.json bytes, signature text), or ``BundleRejected``. Given a
    ``bytearray`` (the importer's decrypted plaintext), bundle.json is cut out
    of it in place rather than copied: it *becomes* the JSON. ``names``: the
    two members (an inbox file's are ``inbox.json`` and its signature)."""
    view = memoryview(tar)
    try:
        members = _members(view, names)
    finally:
        view.release()
    (json_start, json_end), (sig_start, sig_end) = members[names[0]], members[names[1]]
    try:
        signature = bytes(tar[sig_start:sig_end]).decode("utf-8")
    except UnicodeDecodeError:
        raise BundleRejected("signature") from None
    if isinstance(tar, bytearray):
        del tar[json_end:]
        del tar[:json_start]
        return tar, signature
    return tar[json_start:json_end], signature


# -- bundle.json ---------------------------------------------------------------------
def encode(doc: Mapping[str, Any]) -> bytes:
    """bundle.json bytes: UTF-8, keys sorted, no insignificant whitespace."""
    return orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)


def parse_cost(data: bytes | bytearray) -> int:
    """An upper bound of the bytes parsing ``data`` takes, text included,
    from a count of its structural characters (at C speed, no parsing): each
    value but the first follows a ``[``, ``,`` or ``:``; each ``{`` is a dict.
    Characters inside strings count too, which only raises the bound."""
    view, step = memoryview(data), 1 << 20  # one pass, in pieces: never a copy of it all
    try:
        values = 1 + sum(len(bytes(view[at: at + step]).translate(None, _NOT_STRUCTURAL))
                         for at in range(0, len(data), step))
    finally:
        view.release()
    return VALUE_COST * values + 2 * len(data)


_NOT_STRUCTURAL = bytes(b for b in range(256) if b not in b"[{,:")  # what parse_cost drops


def decode(data: bytes | bytearray) -> dict[str, Any]:
    """Parse and check the schema; ``BundleRejected("schema", field=...)`` names
    the first field that is wrong. Text whose parse would cost more than
    ``PARSE_BUDGET`` is refused unparsed (``too_many_values``)."""
    if parse_cost(data) > PARSE_BUDGET:
        raise BundleRejected("too_many_values")
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise BundleRejected("json") from None
    _check_depth_and_strings(doc)
    _check_schema(doc)
    return doc


def _check_depth_and_strings(value: Any) -> None:
    """No value deeper than ``MAX_DEPTH``, no key over 200 characters, no
    string over ``MAX_STRING``. Walks one level at a time, checking strings in
    place (a month's bundle.json has a few hundred thousand values)."""
    if type(value) is str and len(value) > MAX_STRING:
        raise BundleRejected("schema", field="string")
    level = [value] if type(value) in (dict, list) else []
    depth = 0
    while level:
        below: list[Any] = []
        for item in level:
            children = item.values() if type(item) is dict else item
            if not children:
                continue
            if depth >= MAX_DEPTH:  # its children would be too deep
                raise BundleRejected("schema", field="depth")
            if type(item) is dict and max(map(len, item)) > 200:
                raise BundleRejected("schema", field="key")
            for child in children:
                kind = type(child)
                if kind is str:
                    if len(child) > MAX_STRING:
                        raise BundleRejected("schema", field="string")
                elif kind is dict or kind is list:
                    below.append(child)
        level = below
        depth += 1


def _require(doc: Mapping[str, Any], key: str, kind: type | tuple[type, ...],
             path: str = "") -> Any:
    value = doc.get(key) if isinstance(doc, Mapping) else None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise BundleRejected("schema", field=f"{path}{key}")
    return value


def _day(text: str) -> dt.date | None:
    if not _DATE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:  # 2026-02-30
        return None


def _moment(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _in_range(value: dt.date | None) -> bool:
    return value is not None and FIRST_YEAR <= value.year <= LAST_YEAR


# A history entry of a kind the bundle does not carry travels as a link only:
# its place in the chain (seq, prev) and its own hash, which the next entry's
# ``prev`` names, so the office can follow the chain without learning what
# changed, where or when.
LINK_KEYS = history.LINK_KEYS


def link_only(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {"seq": entry["seq"], "prev": entry["prev"], "entry": entry["entry"]}


def carried_kinds(doc: Mapping[str, Any]) -> list[str]:
    """The kinds a (checked) bundle carries: those its ``content`` names, or,
    in a bundle from before the content choice, every kind it has data for.
    A kind not carried was not sent: its absence from ``data`` says nothing
    about the branch's records of that kind."""
    content = doc.get("content")
    return list(content) if content is not None else list(doc["data"])


def _check_content(doc: Mapping[str, Any], data: Mapping[str, Any],
                   counts: Mapping[str, Any]) -> None:
    """``content`` is optional (bundles written before it stay valid); when
    present, the distinct kinds the bundle carries, and nothing in ``data``
    or ``counts`` outside them."""
    if "content" not in doc:
        return
    content = doc["content"]
    if (not isinstance(content, list) or not 1 <= len(content) <= MAX_KINDS
            or not all(isinstance(k, str) and _ID.match(k) for k in content)
            or len(set(content)) != len(content)):
        raise BundleRejected("schema", field="content")
    if not (data.keys() <= set(content) and counts.keys() <= set(content)):
        raise BundleRejected("schema", field="content")


def _check_schema(doc: Any) -> None:
    if not isinstance(doc, dict):
        raise BundleRejected("schema", field="(root)")
    if doc.get("format") != FORMAT:
        raise BundleRejected("schema", field="format")
    if doc.get("version") != VERSION:
        raise BundleRejected("version")
    if not _ID.match(_require(doc, "bundle_id", str)):
        raise BundleRejected("schema", field="bundle_id")
    branch = _require(doc, "branch", dict)
    if not _CODE.match(_require(branch, "code", str, "branch.")):
        raise BundleRejected("schema", field="branch.code")
    _require(branch, "name", str, "branch.")
    if "secretary" in branch and contact.from_json(branch["secretary"]) is None:
        raise BundleRejected("schema", field="branch.secretary")
    _require(doc, "signer_key_id", str)
    _require(doc, "recipient", str)
    seq = _require(doc, "sequence", int)
    if not 1 <= seq <= MAX_SEQUENCE:
        raise BundleRejected("schema", field="sequence")
    prev = doc.get("previous_sha256")
    if not (prev is None and seq == 1) and not (isinstance(prev, str) and _HEX64.match(prev)):
        raise BundleRejected("schema", field="previous_sha256")
    if not _in_range(_moment(_require(doc, "created", str))):
        raise BundleRejected("schema", field="created")
    period = _require(doc, "period", dict)
    for end in ("from", "to"):
        if not _in_range(_day(_require(period, end, str, "period."))):
            raise BundleRejected("schema", field=f"period.{end}")
    if period["from"] > period["to"]:
        raise BundleRejected("schema", field="period")
    if doc.get("redaction") not in REDACTIONS:
        raise BundleRejected("schema", field="redaction")
    data = _require(doc, "data", dict)
    for kind, records in data.items():
        if not isinstance(records, list) or not all(
                isinstance(r, dict) and isinstance(r.get("id"), str) for r in records):
            raise BundleRejected("schema", field=f"data.{kind}")
    if doc["redaction"] == "counts" and any(data.values()):
        raise BundleRejected("schema", field="data")
    counts = _require(doc, "counts", dict)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in counts.values()):
        raise BundleRejected("schema", field="counts")
    _check_content(doc, data, counts)
    _require(doc, "figures", dict)
    reports = _require(doc, "reports", dict)
    if not all(isinstance(v, str) for v in reports.values()):
        raise BundleRejected("schema", field="reports")
    history = _require(doc, "history", dict)
    entries = _require(history, "entries", list, "history.")
    for name in ("base", "head"):
        mark = _require(history, name, dict, "history.")
        _require(mark, "seq", int, f"history.{name}.")
        if not _HEX64.match(_require(mark, "hash", str, f"history.{name}.")):
            raise BundleRejected("schema", field=f"history.{name}.hash")
    fields = (("seq", int), ("time", str), ("partition", str), ("record", str),
              ("op", str), ("prev", str), ("entry", str))
    for entry in entries:  # thousands in a month: exact types, as orjson makes them
        if type(entry) is not dict:
            raise BundleRejected("schema", field="history.entries")
        if len(entry) == len(LINK_KEYS) and entry.keys() == LINK_KEYS:
            if (type(entry["seq"]) is not int or type(entry["prev"]) is not str
                    or type(entry["entry"]) is not str or not _HEX64.match(entry["entry"])):
                raise BundleRejected("schema", field="history.entries")
            continue
        for key, kind in fields:
            if type(entry.get(key)) is not kind:
                raise BundleRejected("schema", field=f"history.entries.{key}")
        if entry.get("hash") is not None and type(entry["hash"]) is not str:
            raise BundleRejected("schema", field="history.entries.hash")

"""The bundle file, byte for byte (docs/formats.md, "Bundles").

``<branch-code>-<seq>-<yyyymmdd>.bundle.age`` is an age message (to the office
and to the branch itself) whose plaintext is a POSIX tar of exactly two
regular files, ``bundle.json`` and ``bundle.json.minisig``. Reproducible by
hand: ``age -d -i office-key.txt X.bundle.age | tar x && minisign -Vm
bundle.json -p branch.pub``.

Reading is strict and bounded: every check here raises ``BundleRejected``
with its own reason before anything is trusted or written.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tarfile
from collections.abc import Mapping
from typing import Any

import orjson

from branchtool import contact
from branchtool.errors import UserError

FORMAT = "branchtool-bundle"
VERSION = 1
JSON_NAME = "bundle.json"
SIG_NAME = "bundle.json.minisig"
MAX_FILE = 256 << 20  # the office's default size cap, before decrypting
MAX_SIG = 4096
MAX_DEPTH = 32
MAX_STRING = 1 << 20  # one string field (a rendered report may be long)
REDACTIONS = ("full", "standard", "counts")
# A bundle a day for 270 years. Bounds the gap an office lists as missing.
MAX_SEQUENCE = 100_000
MAX_KINDS = 256  # kinds a bundle may name in ``content``
FIRST_YEAR, LAST_YEAR = 1900, 2100  # dates the office can step through and show
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # the exporter writes a ULID
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


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


# -- the tar ----------------------------------------------------------------------
def pack(json_bytes: bytes, signature: str, mtime: int) -> bytes:
    """A deterministic USTAR archive of the two files, nothing else."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in ((JSON_NAME, json_bytes), (SIG_NAME, signature.encode())):
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), mtime, 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def unpack(tar_bytes: bytes) -> tuple[bytes, str]:
    """(bundle.json bytes, signature text), or ``BundleRejected("tar")``."""
    members: dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(tar_bytes), mode="r:") as tar:
            for count, member in enumerate(tar, start=1):
                if count > 2:
                    raise BundleRejected("tar_members")
                if member.name not in (JSON_NAME, SIG_NAME):
                    raise BundleRejected("tar_path")
                if member.name in members:
                    raise BundleRejected("tar_duplicate")
                if not member.isreg():
                    raise BundleRejected("tar_type")
                limit = MAX_SIG if member.name == SIG_NAME else MAX_FILE
                if member.size > limit:
                    raise BundleRejected("content_too_large")
                handle = tar.extractfile(member)
                if handle is None:
                    raise BundleRejected("tar_type")
                members[member.name] = handle.read()
    except BundleRejected:
        raise
    except Exception:  # tarfile is not written for hostile input (e.g. ValueError
        raise BundleRejected("tar") from None  # from a bad pax header): a bad tar
    if set(members) != {JSON_NAME, SIG_NAME}:
        raise BundleRejected("tar_members")
    try:
        signature = members[SIG_NAME].decode("utf-8")
    except UnicodeDecodeError:
        raise BundleRejected("signature") from None
    return members[JSON_NAME], signature


# -- bundle.json ---------------------------------------------------------------------
def encode(doc: Mapping[str, Any]) -> bytes:
    """bundle.json bytes: UTF-8, keys sorted, no insignificant whitespace."""
    return orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)


def decode(data: bytes) -> dict[str, Any]:
    """Parse and check the schema; ``BundleRejected("schema", field=...)`` names
    the first field that is wrong."""
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
        for key, kind in fields:
            if type(entry.get(key)) is not kind:
                raise BundleRejected("schema", field=f"history.entries.{key}")
        if entry.get("hash") is not None and type(entry["hash"]) is not str:
            raise BundleRejected("schema", field="history.entries.hash")

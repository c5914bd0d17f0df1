"""The inbox file, byte for byte (docs/formats.md, "Inbox files").

``<office-code>-to-<branch-code>-<seq>.inbox.age`` is an age message (to the
branch and to the office itself) whose plaintext is a POSIX tar of exactly
two regular files, ``inbox.json`` and ``inbox.json.minisig``, compressed as
one zstd frame (a bare tar, as written before, is read too): the bundle's
construction in the other direction, and read by the same code
(``bundles.format.unpack_tar`` with these names, ``office.opening.decrypt_file``).
By hand: ``age -d -i branch-key.txt X.inbox.age | zstd -d | tar x &&
minisign -Vm inbox.json -p office-minisign.pub``.

The signed part (inbox.json, and the trusted comment that repeats its
office, branch, sequence and SHA-256) names the office's key, the branch
the file is for, the per-branch sequence and the previous file's SHA-256.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from branchtool.bundles import format as bundle_format
from branchtool.errors import UserError

FORMAT = "branchtool-inbox"
VERSION = 1
JSON_NAME = "inbox.json"
SIG_NAME = "inbox.json.minisig"
NAMES = (JSON_NAME, SIG_NAME)
SUFFIX = ".inbox.age"
MAX_FILE = 16 << 20  # a file of notices and tasks, attachments included
# The largest tar a compressed file may decompress to: the same bound as the
# file's (the tar's overhead, and the signature, well within it).
MAX_TAR = MAX_FILE + bundle_format.MAX_SIG + 40 * bundle_format.BLOCK
MAX_ITEMS = 200
MAX_ATTACHMENTS = 8
MAX_ATTACHMENT = 256 << 10  # characters of one text attachment
MAX_TEXT = 20000  # a notice's body (the notice record's own bound)
MAX_SEQUENCE = bundle_format.MAX_SEQUENCE
KINDS = ("notice", "task", "settings")
AUDIENCES = ("members", "everyone")
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
_COMMENT = re.compile(r"^branchtool inbox office=(?P<office>[A-Za-z0-9_-]{1,32}) "
                      r"branch=(?P<branch>[A-Za-z0-9_-]{1,32}) seq=(?P<seq>[0-9]{1,6}) "
                      r"sha256=(?P<sha256>[0-9a-f]{64})$")
# What a settings item may propose (each optional): the branch's health
# rules (fever from, days missing in a row that raise an alert, the time
# before which today's missing check-ins raise nothing), the office's report
# deadline, and the content groups the office asks bundles to carry.
SETTING_KEYS = ("fever_threshold", "missing_days", "checkin_deadline", "report_deadline",
                "content")


class InboxRejected(UserError):
    """An inbox file the branch must not accept; ``reason`` is a short stable code."""

    def __init__(self, reason: str, /, **params: object) -> None:
        super().__init__(f"inbox.reject.{reason}", **params)
        self.reason = reason
        self.params = dict(params)


def rejected(exc: bundle_format.BundleRejected) -> InboxRejected:
    """The shared reader's refusal, told as an inbox file's."""
    return InboxRejected(exc.reason, **exc.params)


def file_name(office_code: str, branch_code: str, sequence: int) -> str:
    return f"{office_code}-to-{branch_code}-{sequence:06d}{SUFFIX}"


def trusted_comment(doc: Mapping[str, Any], json_sha256: str) -> str:
    """What ``minisign -V`` prints."""
    return (f"branchtool inbox office={doc['office']['code']} branch={doc['branch']} "
            f"seq={doc['sequence']} sha256={json_sha256}")


@dataclass(frozen=True)
class Claim:
    office: str
    branch: str
    sequence: int
    sha256: str


def claim_of(comment: str) -> Claim:
    match = _COMMENT.match(comment)
    if match is None:
        raise InboxRejected("signature")
    return Claim(match["office"], match["branch"], int(match["seq"]), match["sha256"])


def encode(doc: Mapping[str, Any]) -> bytes:
    """inbox.json bytes: UTF-8, keys sorted, no insignificant whitespace."""
    return orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)


def decode(data: bytes | bytearray) -> dict[str, Any]:
    """Parse (signed bytes only, within the bundle's memory budget) and check
    the schema; ``InboxRejected("schema", field=...)`` names what is wrong."""
    if bundle_format.parse_cost(data) > bundle_format.PARSE_BUDGET:
        raise InboxRejected("too_many_values")
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise InboxRejected("json") from None
    try:
        bundle_format._check_depth_and_strings(doc)
    except bundle_format.BundleRejected as exc:
        raise rejected(exc) from None
    check_schema(doc)
    return doc


def _bad(field: str) -> InboxRejected:
    return InboxRejected("schema", field=field)


def _text(item: Mapping[str, Any], key: str, path: str, *, limit: int,
          required: bool = False) -> str:
    value = item.get(key, "")
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        raise _bad(f"{path}{key}")
    return value


def _day(item: Mapping[str, Any], key: str, path: str, *, required: bool = False) -> str:
    value = item.get(key, "")
    if value == "" and not required:
        return ""
    if not isinstance(value, str) or not bundle_format._in_range(bundle_format._day(value)):
        raise _bad(f"{path}{key}")
    return value


def _check_item(item: Any, index: int) -> None:
    path = f"items[{index}]."
    if not isinstance(item, dict):
        raise _bad(f"items[{index}]")
    if not isinstance(item.get("id"), str) or not _ID.match(item["id"]):
        raise _bad(f"{path}id")
    kind = item.get("kind")
    if kind not in KINDS:
        raise _bad(f"{path}kind")
    _day(item, "issued_on", path, required=True)
    if kind == "notice":
        _text(item, "number", path, limit=40)
        _text(item, "title", path, limit=100, required=True)
        _text(item, "text", path, limit=MAX_TEXT)
        _day(item, "due", path)
        if type(item.get("ack")) is not bool:
            raise _bad(f"{path}ack")
        if item.get("audience") not in AUDIENCES:
            raise _bad(f"{path}audience")
        files = item.get("attachments", [])
        if not isinstance(files, list) or len(files) > MAX_ATTACHMENTS:
            raise _bad(f"{path}attachments")
        for n, file in enumerate(files):
            if not isinstance(file, dict):
                raise _bad(f"{path}attachments[{n}]")
            _text(file, "name", f"{path}attachments[{n}].", limit=200, required=True)
            _text(file, "text", f"{path}attachments[{n}].", limit=MAX_ATTACHMENT)
    elif kind == "task":
        _text(item, "title", path, limit=60, required=True)
        _text(item, "description", path, limit=2000)
        _text(item, "report", path, limit=500)
        _day(item, "due", path, required=True)
    else:
        values = item.get("values")
        if not isinstance(values, dict) or not values or not set(values) <= set(SETTING_KEYS):
            raise _bad(f"{path}values")
        for key in ("report_deadline", "checkin_deadline"):
            if key in values and not (isinstance(values[key], str) and _HHMM.match(values[key])):
                raise _bad(f"{path}values.{key}")
        fever = values.get("fever_threshold", "37.3")
        if not (isinstance(fever, str) and re.fullmatch(r"[0-9]{2}(\.[0-9])?", fever)
                and 37.0 <= float(fever) <= 38.5):
            raise _bad(f"{path}values.fever_threshold")
        days = values.get("missing_days", 3)
        if type(days) is not int or not 1 <= days <= 30:
            raise _bad(f"{path}values.missing_days")
        content = values.get("content", [])
        if not isinstance(content, list) or len(content) > 64 or not all(
                isinstance(c, str) and _ID.match(c) for c in content):
            raise _bad(f"{path}values.content")


def check_schema(doc: Any) -> None:
    if not isinstance(doc, dict):
        raise _bad("(root)")
    if doc.get("format") != FORMAT:
        raise _bad("format")
    if doc.get("version") != VERSION:
        raise InboxRejected("version")
    if not isinstance(doc.get("inbox_id"), str) or not _ID.match(doc["inbox_id"]):
        raise _bad("inbox_id")
    office = doc.get("office")
    if not isinstance(office, dict):
        raise _bad("office")
    if not isinstance(office.get("code"), str) or not _CODE.match(office["code"]):
        raise _bad("office.code")
    _text(office, "name", "office.", limit=100, required=True)
    for key in ("fingerprint", "key_id"):
        _text(office, key, "office.", limit=64, required=True)
    if not isinstance(doc.get("branch"), str) or not _CODE.match(doc["branch"]):
        raise _bad("branch")
    _text(doc, "recipient", "", limit=200, required=True)
    seq = doc.get("sequence")
    if type(seq) is not int or not 1 <= seq <= MAX_SEQUENCE:
        raise _bad("sequence")
    prev = doc.get("previous_sha256")
    if not (prev is None and seq == 1) and not (isinstance(prev, str) and _HEX64.match(prev)):
        raise _bad("previous_sha256")
    created = doc.get("created")
    if not isinstance(created, str) or not bundle_format._in_range(
            (moment := bundle_format._moment(created)) and moment.date()):
        raise _bad("created")
    items = doc.get("items")
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_ITEMS:
        raise _bad("items")
    for index, item in enumerate(items):
        _check_item(item, index)
    if len({item["id"] for item in items}) != len(items):
        raise _bad("items.id")

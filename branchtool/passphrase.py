"""How the headless commands get a passphrase: ``BRANCHTOOL_PASSPHRASE``, else
``--passphrase-file FILE`` (first line), else a terminal prompt.

A passphrase file is read the way Windows leaves it: UTF-8 (with or without
a BOM), UTF-16 with a BOM (PowerShell 5.1's ``>``), or GBK/GB 18030 (Notepad
on a Chinese system); trailing spaces, tabs and the CR of a CRLF line end
are dropped (``echo secret > f`` in cmd writes ``secret \r\n``). An empty
one, or one in no such encoding, is one sentence — never a traceback that
would quote a byte of it."""

from __future__ import annotations

import getpass
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zxcvbn import zxcvbn

from branchtool import i18n
from branchtool.errors import UserError

MIN_LENGTH = 8


MAX_FILE = 64 * 1024  # a passphrase file is one line


def decode_file(data: bytes) -> str:
    """The text of a passphrase file, or ``UserError`` naming no byte of it."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    elif data.startswith(b"\xef\xbb\xbf"):
        encodings = ["utf-8-sig"]
    else:
        encodings = ["utf-8", "gb18030"]
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UserError("cli.passphrase_file_encoding")


def first_line(text: str) -> str:
    """The passphrase in a file's text: its first line, without the trailing
    whitespace an editor or ``echo`` leaves."""
    lines = text.splitlines()
    return lines[0].rstrip(" \t\r\x00") if lines else ""


def _from_file(path: str) -> str:
    try:
        with Path(path).open("rb") as handle:
            data = handle.read(MAX_FILE + 1)
    except OSError:
        raise UserError("cli.passphrase_file_unreadable", path=path) from None
    if len(data) > MAX_FILE:
        raise UserError("cli.passphrase_file_encoding")
    value = first_line(decode_file(data))
    if not value:
        raise UserError("cli.passphrase_file_empty", path=path)
    return value


def current(args: object, *, prompt_key: str = "cli.prompt.passphrase") -> str:
    """The passphrase of an existing vault."""
    env = os.environ.get("BRANCHTOOL_PASSPHRASE")
    if env is not None:
        if not env:
            raise UserError("cli.passphrase_env_empty", env="BRANCHTOOL_PASSPHRASE")
        return env
    path = getattr(args, "passphrase_file", None)
    if path:
        return _from_file(path)
    if not sys.stdin.isatty():
        raise UserError("cli.passphrase_needed")
    value = getpass.getpass(i18n.t(prompt_key))
    if not value:
        raise UserError("cli.passphrase_typed_empty")
    return value


def new(args: object, *, env_name: str = "BRANCHTOOL_PASSPHRASE") -> str:
    """A new passphrase: from the environment/file, or typed twice at a prompt."""
    env = os.environ.get(env_name)
    if env is not None:
        if not env:
            raise UserError("cli.passphrase_env_empty", env=env_name)
        value = env
    elif env_name == "BRANCHTOOL_PASSPHRASE" and getattr(args, "passphrase_file", None):
        value = _from_file(args.passphrase_file)  # type: ignore[attr-defined]
    elif sys.stdin.isatty():
        value = getpass.getpass(i18n.t("cli.prompt.new_passphrase"))
        if getpass.getpass(i18n.t("cli.prompt.repeat_passphrase")) != value:
            raise UserError("cli.passphrase_mismatch")
    else:
        raise UserError("cli.new_passphrase_needed", env=env_name)
    check_strength(value)
    return value


# zxcvbn refuses more than 72 characters (its estimate grows with the length);
# what follows them adds nothing to a passphrase's being guessed.
ESTIMATED = 72
# The kind of guess that finds a passphrase zxcvbn rates weakest, in words.
WEAK_REASONS = {"dictionary": "passphrase.weak.common", "sequence": "passphrase.weak.sequence",
                "repeat": "passphrase.weak.repeat", "spatial": "passphrase.weak.keyboard",
                "date": "passphrase.weak.date", "regex": "passphrase.weak.year"}


@dataclass(frozen=True)
class Strength:
    """How good a new passphrase is: ``bars`` 0–4 for the meter, the catalog
    key of its word, and why it is refused (a sentence; "" if it is not)."""

    bars: int
    word: str
    refused: str


def assess(value: str) -> Strength:
    """Rated by zxcvbn (the estimator Dropbox wrote): its weakest rating is
    refused, as is anything shorter than ``MIN_LENGTH``."""
    if not value:
        return Strength(0, "app.create.strength.0", "")
    if len(value) < MIN_LENGTH:
        return Strength(1, "app.create.strength.1",
                        i18n.t("passphrase.too_short", minimum=MIN_LENGTH))
    result = zxcvbn(value[:ESTIMATED])
    score = int(result["score"])
    if score == 0:
        return Strength(1, "app.create.strength.weakest",
                        i18n.t("passphrase.too_weak", reason=_reason(result)))
    return Strength(max(1, score), f"app.create.strength.rated{score}", "")


def _reason(result: dict[str, Any]) -> str:
    """Why zxcvbn rates a passphrase weakest: the kind of its longest part."""
    longest = max(result["sequence"], key=lambda m: len(m.get("token", "")), default={})
    pattern = "dictionary" if longest.get("l33t") or longest.get("reversed") \
        else longest.get("pattern", "")
    return i18n.t(WEAK_REASONS.get(pattern, "passphrase.weak.guessable"))


def check_strength(value: str) -> None:
    """``UserError`` saying why when ``value`` may not be a new passphrase."""
    if len(value) < MIN_LENGTH:
        raise UserError("passphrase.too_short", minimum=MIN_LENGTH)
    result = zxcvbn(value[:ESTIMATED])
    if int(result["score"]) == 0:
        raise UserError("passphrase.too_weak", reason=_reason(result))


def strength(value: str) -> int:
    """0 (empty) to 4 (strong), for the meter."""
    return assess(value).bars

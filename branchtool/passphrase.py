"""How the headless commands get a passphrase: ``BRANCHTOOL_PASSPHRASE``, else
``--passphrase-file FILE`` (first line), else a terminal prompt."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from branchtool import i18n
from branchtool.errors import UserError

MIN_LENGTH = 8


def _from_file(path: str) -> str:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UserError("cli.passphrase_file_unreadable", path=path) from exc
    return text.splitlines()[0] if text else ""


def current(args: object, *, prompt_key: str = "cli.prompt.passphrase") -> str:
    """The passphrase of an existing vault."""
    env = os.environ.get("BRANCHTOOL_PASSPHRASE")
    if env is not None:
        return env
    path = getattr(args, "passphrase_file", None)
    if path:
        return _from_file(path)
    if not sys.stdin.isatty():
        raise UserError("cli.passphrase_needed")
    return getpass.getpass(i18n.t(prompt_key))


def new(args: object, *, env_name: str = "BRANCHTOOL_PASSPHRASE") -> str:
    """A new passphrase: from the environment/file, or typed twice at a prompt."""
    env = os.environ.get(env_name)
    if env is not None:
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


def check_strength(value: str) -> None:
    if len(value) < MIN_LENGTH:
        raise UserError("passphrase.too_short", minimum=MIN_LENGTH)


def strength(value: str) -> int:
    """0 (empty) to 4 (strong): length and the variety of character kinds."""
    if not value:
        return 0
    kinds = sum(
        (
            any(c.islower() for c in value),
            any(c.isupper() for c in value),
            any(c.isdigit() for c in value),
            any(not c.isalnum() for c in value),
            any(ord(c) > 127 for c in value),
        )
    )
    score = 1
    if len(value) >= MIN_LENGTH:
        score += 1
    if len(value) >= 12 and kinds >= 2:
        score += 1
    if len(value) >= 16 and kinds >= 3:
        score += 1
    return min(score, 4)

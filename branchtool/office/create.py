"""The office vault: created like a branch vault (age identity and minisign key
under the passphrase), of kind ``office``, with ``office.pub`` for the branches."""

from __future__ import annotations

from pathlib import Path

from branchtool import passphrase as passphrases
from branchtool.errors import UserError
from branchtool.keyfiles import OFFICE_FORMAT, KeyFile
from storage.errors import StorageError
from storage.fsio import DEFAULT_IO, FileIO
from storage.vault import Vault

KEY_FILE = "office.pub"
NAME_MAX = 100


def office_key(vault: Vault) -> KeyFile:
    """What the branches import: the office's name, age recipient and minisign key."""
    return KeyFile(format=OFFICE_FORMAT, name=str(vault.info.get("office_name", "")),
                   recipient=vault.recipient, minisign_public_key=vault.signing_public_key)


def require_office(vault: Vault) -> None:
    if vault.kind != "office":
        raise UserError("office.not_office")


def check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise UserError("office.name_required")
    if len(name) > NAME_MAX or any(ord(c) < 32 for c in name):
        raise UserError("office.bad_name", maximum=NAME_MAX)
    return name


def write_key_file(key: KeyFile, folder: Path, io: FileIO = DEFAULT_IO) -> Path:
    path = Path(folder) / KEY_FILE
    try:
        io.write_atomic(path, key.to_bytes())
    except OSError:
        raise UserError("office.key_write_failed", path=str(path)) from None
    return path


def create_office(path: Path, name: str, secret: str, *, out: Path | None = None,
                  work_factor: int = 18, check_passphrase: bool = True,
                  io: FileIO = DEFAULT_IO) -> tuple[Vault, list[Path]]:
    """Create the office vault at ``path`` (left unlocked) and write
    ``office.pub`` into it and into ``out``; returns the vault and the key files.
    Runs scrypt: call it from a worker in the app."""
    name = check_name(name)
    if out is not None and not Path(out).is_dir():
        raise UserError("office.no_folder", path=str(out))
    if check_passphrase:
        passphrases.check_strength(secret)
    try:
        vault = Vault.create(Path(path), secret, kind="office", info={"office_name": name},
                             work_factor=work_factor, io=io)
    except StorageError as exc:
        raise UserError(exc.key, **exc.params) from None
    key = office_key(vault)
    written = [write_key_file(key, vault.path, io)]
    if out is not None and Path(out).resolve() != vault.path.resolve():
        written.append(write_key_file(key, Path(out), io))
    return vault, written

"""A vault: one folder holding a branch's (or the office's) encrypted data.

```
vault.json     plaintext, nothing sensitive and nothing obeyed unchecked:
               format, kind, public keys, display info (branch name, language),
               and a MAC keyed from the identity: an edit is refused at unlock
identity.age   the vault's age identity, under the passphrase (scrypt)
signing.age    the minisign (Ed25519) secret key, age-encrypted to the vault
signing.next.age  only during a signing-key rotation (see ``rotate_signing_key``)
data/          the store (storage/store.py), age-encrypted to the vault
backups/       the last good snapshot sets, hard-linked at each compaction
lock           the one-writer lock
```
Unlocking runs scrypt once; everything after uses the unwrapped X25519 key.

What decides where data goes or whom to trust (the office's keys, the idle
lock) is a *setting* in the encrypted store (``setting`` / ``set_setting``,
partition ``vault_settings``), so a restore of ``data/`` keeps it consistent
with the rest of the data. Folders are 0700 and files 0600 (POSIX).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import errno
import hashlib
import hmac
import threading
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any

import orjson

from storage import age, minisign
from storage.age.primitives import hkdf
from storage.errors import (
    StorageError,
    VaultClosed,
    VaultCorrupt,
    VaultEdited,
    VaultExists,
    VaultNotFound,
    VaultUnreadable,
    WriteFailed,
    WrongPassphrase,
)
from storage.fsio import DEFAULT_IO, DIR_MODE, FILE_MODE, FileIO, make_private_dir, restrict
from storage.history import HistoryReport
from storage.lock import VaultLock
from storage.partition import Doc, Partition
from storage.records import canonical_json
from storage.store import Notice, Store, finish_restore, restore_backup, utc_now

VAULT_FILE = "vault.json"
IDENTITY_FILE = "identity.age"
SIGNING_FILE = "signing.age"
SIGNING_NEXT_FILE = "signing.next.age"
FORMAT_NAME = "branchtool-vault"
# 2: vault.json carries a MAC, and the settings that decide where data goes
# or whom to trust live in the encrypted store. Version 1 files (no MAC, the
# office key and idle minutes in ``info``) are migrated at their first unlock.
FORMAT_VERSION = 2
LEGACY_VERSION = 1
KINDS = ("branch", "office")
SETTINGS = "vault_settings"  # the encrypted settings: {"id": name, "value": ...}
MARKER = "vault_json"  # a setting: vault.json's version, so a downgrade is seen
# What version 1 kept in vault.json's plaintext ``info`` and version 2 keeps
# as encrypted settings: info key -> setting name (``ui.idle_minutes`` is nested).
MOVED_INFO = {"office": "office"}
MOVED_UI = {"idle_minutes": "idle_minutes"}
MAC_INFO = b"branchtool vault.json mac"
HISTORY_INFO = b"branchtool history record hash"


def _identity_file_text(identity: str, recipient: str) -> bytes:
    """The identity in age-keygen's file format, so ``age -d -i`` reads it."""
    return (f"# created: {utc_now()}\n# public key: {recipient}\n{identity}\n").encode()


Signer = Callable[[bytes, str], str]  # (data, trusted comment) -> .minisig text
# Called during a rotation with (new .pub text, sign with the old key, sign with
# the new key), after the new key is on disk and before it becomes current; it
# returns text to keep (encrypted) in vault.json with the retired key, or None.
RotationHook = Callable[[str, Signer, Signer], str | None]


def derive_key(identity: str, purpose: bytes) -> bytes:
    """A 32-byte secret for ``purpose``, derived from the vault's identity: it
    never leaves the vault and needs no file of its own."""
    return hkdf(identity.encode("ascii"), None, purpose)


def vault_mac(identity: str, doc: dict[str, Any]) -> str:
    """HMAC-SHA-256 of vault.json's canonical JSON (without ``mac``)."""
    body = canonical_json({k: v for k, v in doc.items() if k != "mac"})
    return hmac.new(derive_key(identity, MAC_INFO), body, hashlib.sha256).hexdigest()


def _parse_identity_file(text: bytes) -> str:
    for line in text.decode("utf-8", "strict").splitlines():
        if line.startswith("AGE-SECRET-KEY-1"):
            return line.strip()
    raise ValueError("no identity in file")


class Vault:
    def __init__(self, path: Path, doc: dict[str, Any], identity: str,
                 signing: minisign.SecretKey, store: Store, lock: VaultLock,
                 io: FileIO) -> None:
        self.path = path
        self._doc = doc
        self._identity: str | None = identity
        self._signing: minisign.SecretKey | None = signing
        self._store: Store | None = store
        self._lock = lock
        self._io = io
        # vault.json is rewritten whole: a rotation (a worker in the app) and an
        # info change must not interleave, or one would undo the other
        self._doc_lock = threading.RLock()

    # -- without a passphrase -----------------------------------------------------
    @staticmethod
    def exists(path: Path) -> bool:
        return (Path(path) / VAULT_FILE).is_file()

    @staticmethod
    def read_info(path: Path) -> dict[str, Any]:
        """vault.json as it is on disk, *not yet authenticated* (that needs the
        passphrase): good for the language and the name to show at unlock,
        never for a decision."""
        try:
            doc = orjson.loads((Path(path) / VAULT_FILE).read_bytes())
        except FileNotFoundError:
            raise VaultNotFound(path=str(path)) from None
        except (OSError, orjson.JSONDecodeError):
            raise VaultCorrupt(file=VAULT_FILE) from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT_NAME:
            raise VaultCorrupt(file=VAULT_FILE)
        return doc

    @staticmethod
    def backups(path: Path) -> list[Path]:
        folder = Path(path) / "backups"
        if not folder.is_dir():
            return []
        return sorted((p for p in folder.iterdir() if p.is_dir()), reverse=True)

    @classmethod
    def restore(cls, path: Path, backup: str | None = None) -> Path:
        """Replace ``data/`` with a backup set (the newest by default); returns
        the folder the replaced data was moved to."""
        path = Path(path)
        sets = cls.backups(path)
        if not sets:
            raise VaultCorrupt(file="backups/", missing=True)
        chosen = sets[0] if backup is None else path / "backups" / backup
        if not chosen.is_dir():
            raise VaultCorrupt(file=f"backups/{backup}", missing=True)
        lock = VaultLock(path)
        lock.acquire()
        try:
            return restore_backup(path / "data", chosen)
        except OSError as exc:
            raise WriteFailed(reason=type(exc).__name__) from None
        finally:
            lock.release()

    # -- create and open ----------------------------------------------------------------
    @classmethod
    def create(cls, path: Path, passphrase: str, *, kind: str = "branch",
               info: dict[str, Any] | None = None, work_factor: int = 18,
               io: FileIO = DEFAULT_IO, **store_options: Any) -> Vault:
        path = Path(path)
        if kind not in KINDS:
            raise ValueError(f"unknown vault kind {kind!r}")
        if cls.exists(path) or (path.is_dir() and any(
                p.name != "lock" for p in path.iterdir())):
            raise VaultExists(path=str(path))
        try:
            make_private_dir(path)
        except OSError as exc:
            raise WriteFailed(reason=type(exc).__name__) from None
        lock = VaultLock(path)
        lock.acquire()
        try:
            identity, recipient = age.generate_identity()
            signing, public_text = minisign.generate_keypair()
            io.write_atomic(path / IDENTITY_FILE, age.encrypt_with_passphrase(
                _identity_file_text(identity, recipient), passphrase, work_factor=work_factor))
            io.write_atomic(path / SIGNING_FILE,
                            age.encrypt(signing.to_text().encode(), [recipient]))
            encrypt, _ = cls._ciphers(identity, recipient)
            Store.initialize(path / "data", encrypt, io=io)
            make_private_dir(path / "backups")
            doc = {
                "format": FORMAT_NAME,
                "version": FORMAT_VERSION,
                "kind": kind,
                "created": utc_now(),
                "recipient": recipient,
                "signing_public_key": public_text,
                "signing_key_id": minisign.key_id(public_text),
                "info": dict(info or {}),
            }
            io.write_atomic(path / VAULT_FILE, _signed_json(identity, doc))
            restrict(path / "lock", FILE_MODE)
        except OSError as exc:
            lock.release()
            raise WriteFailed(reason=type(exc).__name__) from None
        except BaseException:
            lock.release()
            raise
        lock.release()
        return cls.open(path, passphrase, io=io, **store_options)

    @classmethod
    def open(cls, path: Path, passphrase: str, *, max_work_factor: int = 22,
             io: FileIO = DEFAULT_IO, **store_options: Any) -> Vault:
        path = Path(path)
        doc = cls.read_info(path)
        lock = VaultLock(path)
        lock.acquire()
        try:
            identity = cls._unwrap_identity(path, passphrase, max_work_factor)
            version = cls._authenticate(doc, identity)
            recipient = age.identity_to_recipient(identity)
            if recipient != doc.get("recipient"):
                raise VaultCorrupt(file=VAULT_FILE)
            encrypt, decrypt = cls._ciphers(identity, recipient)
            signing = cls._open_signing_key(path, doc, decrypt, io)
            _private(path)
            try:
                finish_restore(path / "data")
            except OSError as exc:
                raise WriteFailed(reason=type(exc).__name__) from None
            store = Store(path / "data", encrypt, decrypt, io=io,
                          backups=path / "backups",
                          history_key=derive_key(identity, HISTORY_INFO), **store_options)
        except OSError as exc:  # a file held by another program (Windows), permissions
            lock.release()
            raise VaultUnreadable(reason=_reason(exc)) from None
        except BaseException:
            lock.release()
            raise
        vault = cls(path, doc, identity, signing, store, lock, io)
        try:
            vault._settle_version(version)
        except BaseException:
            vault.close(compact=False)
            raise
        return vault

    @staticmethod
    def _authenticate(doc: dict[str, Any], identity: str) -> int:
        """vault.json's version, once its MAC (version 2) checks out. A
        version 1 file has no MAC: it is migrated (``_settle_version``)."""
        version = doc.get("version")
        if version == LEGACY_VERSION and "mac" not in doc:
            return LEGACY_VERSION
        if version != FORMAT_VERSION:
            raise VaultCorrupt(file=VAULT_FILE)
        mac = doc.get("mac")
        if not isinstance(mac, str) or not hmac.compare_digest(mac, vault_mac(identity, doc)):
            raise VaultEdited(file=VAULT_FILE)
        return FORMAT_VERSION

    def _settle_version(self, version: int) -> None:
        """Bring vault.json and the encrypted settings into step at unlock.

        - A version 1 vault.json is migrated: what it held in plaintext that
          decides where data goes (``MOVED_INFO``, ``MOVED_UI``) becomes
          encrypted settings, and vault.json is rewritten as version 2 with
          its MAC and a sealed copy of what moved. A store that already
          records version 2 makes a version 1 file an edit (a downgrade).
        - A version 2 vault.json over a store without the marker is a restore
          of ``data/`` from before the migration: the sealed copy puts the
          settings back, so the data and its settings stay consistent.
        """
        stored = self.setting(MARKER)
        if version == LEGACY_VERSION:
            if stored is not None:
                raise VaultEdited(file=VAULT_FILE)
            self._migrate()
        elif stored is None:
            moved = self._unseal(self._doc.get("moved"))
            with self.batch():
                for name, value in moved.items():
                    self.set_setting(name, value)
                self.set_setting(MARKER, {"version": FORMAT_VERSION})

    def _migrate(self) -> None:
        doc = dict(self._doc)
        info = dict(doc.get("info") or {})
        moved: dict[str, Any] = {}
        for key, name in MOVED_INFO.items():
            if key in info:
                moved[name] = info.pop(key)
        ui = info.get("ui")
        if isinstance(ui, dict):
            ui = dict(ui)
            for key, name in MOVED_UI.items():
                if key in ui:
                    moved[name] = ui.pop(key)
            info["ui"] = ui
        doc["info"], doc["version"] = info, FORMAT_VERSION
        if moved:
            doc["moved"] = self._seal(moved)
        with self.batch():
            for name, value in moved.items():
                self.set_setting(name, value)
            self.set_setting(MARKER, {"version": FORMAT_VERSION})
        self._write_doc(doc)

    def _seal(self, value: Any) -> str:
        return base64.b64encode(age.encrypt(canonical_json(value), [self.recipient])).decode()

    def _unseal(self, sealed: Any) -> dict[str, Any]:
        if not isinstance(sealed, str):
            return {}
        try:
            value = orjson.loads(self.decrypt(base64.b64decode(sealed, validate=True)))
        except (ValueError, age.AgeError):
            raise VaultCorrupt(file=VAULT_FILE) from None
        return value if isinstance(value, dict) else {}

    def _write_doc(self, doc: dict[str, Any]) -> None:
        """vault.json, rewritten whole with a fresh MAC; ``WriteFailed`` if not."""
        try:
            self._io.write_atomic(self.path / VAULT_FILE, _signed_json(self.identity, doc))
        except OSError as exc:
            raise WriteFailed(reason=type(exc).__name__) from None
        self._doc = {**doc, "mac": vault_mac(self.identity, doc)}

    @staticmethod
    def _read_signing_key(path: Path, name: str, decrypt: Callable[[bytes], bytes],
                          io: FileIO) -> minisign.SecretKey:
        try:
            raw = io.read_bytes(path / name)
        except FileNotFoundError:
            raise VaultCorrupt(file=name, missing=True) from None
        except OSError as exc:
            raise VaultUnreadable(reason=_reason(exc)) from None
        try:
            return minisign.SecretKey.from_text(decrypt(raw).decode())
        except ValueError:
            raise VaultCorrupt(file=name) from None

    @classmethod
    def _open_signing_key(cls, path: Path, doc: dict[str, Any],
                          decrypt: Callable[[bytes], bytes], io: FileIO) -> minisign.SecretKey:
        """The secret key of the public key vault.json lists, finishing or
        undoing a rotation a crash interrupted (see ``rotate_signing_key``):

        - ``signing.age`` holds the listed key: any ``signing.next.age`` is a
          rotation that never reached its commit point (vault.json); removed.
        - ``signing.next.age`` holds the listed key: the crash came after the
          commit; the rename that ends the rotation is done now.
        - neither: vault.json and the key files disagree (VaultCorrupt).
        """
        try:
            listed = minisign.PublicKey.parse(str(doc.get("signing_public_key", "")))
        except minisign.MinisignError:
            raise VaultCorrupt(file=VAULT_FILE) from None
        signing = cls._read_signing_key(path, SIGNING_FILE, decrypt, io)
        pending = path / SIGNING_NEXT_FILE
        for stale in FileIO.stale_temp_files(path, SIGNING_NEXT_FILE):
            with contextlib.suppress(OSError):
                io.unlink(stale)
        if signing.public_key() == listed:
            if pending.exists():
                with contextlib.suppress(OSError):
                    io.unlink(pending)
                    io.fsync_dir(path)
            return signing
        if not pending.exists():
            raise VaultCorrupt(file=VAULT_FILE)
        new = cls._read_signing_key(path, SIGNING_NEXT_FILE, decrypt, io)
        if new.public_key() != listed:
            raise VaultCorrupt(file=VAULT_FILE)
        with contextlib.suppress(OSError):  # read-only media: open with it, finish next time
            io.replace(pending, path / SIGNING_FILE)
            io.fsync_dir(path)
        return new

    @staticmethod
    def _unwrap_identity(path: Path, passphrase: str, max_work_factor: int) -> str:
        if not passphrase:
            raise WrongPassphrase()
        try:
            raw = (path / IDENTITY_FILE).read_bytes()
        except FileNotFoundError:
            raise VaultCorrupt(file=IDENTITY_FILE, missing=True) from None
        try:
            text = age.decrypt_with_passphrase(raw, passphrase, max_work_factor=max_work_factor)
        except age.NoIdentityMatchError:
            raise WrongPassphrase() from None
        except age.AgeError:
            raise VaultCorrupt(file=IDENTITY_FILE) from None
        try:
            return _parse_identity_file(text)
        except ValueError:
            raise VaultCorrupt(file=IDENTITY_FILE) from None

    @staticmethod
    def _ciphers(identity: str, recipient: str) -> tuple[Callable[[bytes], bytes],
                                                         Callable[[bytes], bytes]]:
        to = [age.X25519Recipient.parse(recipient)]
        keys = [age.X25519Identity.parse(identity)]
        return (lambda data: age.encrypt(data, to)), (lambda data: age.decrypt(data, keys))

    # -- keys --------------------------------------------------------------------------
    @property
    def info(self) -> dict[str, Any]:
        return dict(self._doc.get("info", {}))

    @property
    def kind(self) -> str:
        return str(self._doc["kind"])

    @property
    def recipient(self) -> str:
        return str(self._doc["recipient"])

    @property
    def signing_public_key(self) -> str:
        return str(self._doc["signing_public_key"])

    @property
    def signing_key_id(self) -> str:
        return str(self._doc["signing_key_id"])

    @property
    def previous_signing_keys(self) -> list[dict[str, str]]:
        """The keys this vault signed with before, newest first: each a dict
        with ``public_key`` (.pub text), ``key_id`` and ``until`` (UTC time)."""
        return [dict(k) for k in self._doc.get("previous_signing_keys", [])]

    @property
    def signing_public_keys(self) -> list[str]:
        """Every public key this vault has signed with, the current one first
        (to verify what it signed itself before a rotation)."""
        return [self.signing_public_key] + [k["public_key"] for k in self.previous_signing_keys]

    def rotation_texts(self) -> list[str]:
        """What each rotation's hook returned, newest first; a copy that does
        not decrypt (vault.json edited by hand) is left out."""
        texts = []
        for retired in self._doc.get("previous_signing_keys", []):
            sealed = retired.get("rotation")
            if isinstance(sealed, str):
                try:
                    texts.append(self.decrypt(base64.b64decode(sealed, validate=True)).decode())
                except (ValueError, age.AgeError):
                    continue
        return texts

    @property
    def identity(self) -> str:
        if self._identity is None:
            raise VaultClosed()
        return self._identity

    def sign(self, data: bytes, trusted_comment: str) -> str:
        if self._signing is None:
            raise VaultClosed()
        return minisign.sign(data, self._signing, trusted_comment)

    def decrypt(self, data: bytes) -> bytes:
        """Open an age message addressed to this vault (e.g. a bundle)."""
        return age.decrypt(data, [self.identity])

    def change_passphrase(self, new_passphrase: str, *, work_factor: int = 18) -> None:
        """Rewrite only identity.age, atomically; the old passphrase stops working."""
        data = age.encrypt_with_passphrase(
            _identity_file_text(self.identity, self.recipient), new_passphrase,
            work_factor=work_factor)
        try:
            self._io.write_atomic(self.path / IDENTITY_FILE, data)
        except OSError as exc:
            raise WriteFailed(reason=type(exc).__name__) from None

    def rotate_signing_key(self, before_commit: RotationHook | None = None) -> str:
        """Replace the minisign key with a new one; returns the new ``.pub`` text.

        The age identity stays (see docs/threat-model.md). Each step is one
        atomic write, so a crash at any instant leaves a vault that opens with
        exactly one key, the old or the new (``_open_signing_key``):

        1. the new secret key -> ``signing.next.age`` (vault.json still lists
           the old key: a crash here leaves the old key; open removes the file);
        2. ``before_commit(new_pub, sign_old, sign_new)``: the caller keeps,
           durably, what needs both keys (the rotation statement); if it
           raises, the new key is removed and nothing has changed. Text it
           returns is kept, encrypted to the vault, in vault.json with the
           retired key (``previous_signing_keys[i]["rotation"]``), so a restore
           of ``data/`` from an older backup does not lose it
           (``rotation_texts``);
        3. vault.json lists the new key, the old one moves to
           ``previous_signing_keys`` — the commit point;
        4. ``signing.next.age`` is renamed over ``signing.age`` (open does it
           when a crash came first). The old secret key is gone after this.

        A write that fails before the commit raises ``WriteFailed`` and changes
        nothing; once vault.json is written the rotation stands.
        """
        with self._doc_lock:
            return self._rotate_signing_key(before_commit)

    def _rotate_signing_key(self, before_commit: RotationHook | None) -> str:
        if self._signing is None or self._store is None:
            raise VaultClosed()
        old = self._signing
        new, new_public = minisign.generate_keypair()
        pending = self.path / SIGNING_NEXT_FILE
        if pending.exists():  # left by an earlier rotation in this session: settle it first
            try:
                held = self._read_signing_key(self.path, SIGNING_NEXT_FILE, self.decrypt, self._io)
            except VaultCorrupt:
                held = None
            try:
                if held is not None and held.public_key() == old.public_key():
                    self._io.replace(pending, self.path / SIGNING_FILE)  # the last rename failed
                else:
                    self._io.unlink(pending)  # an undone rotation the unlink missed
                self._io.fsync_dir(self.path)
            except OSError as exc:
                raise WriteFailed(reason=type(exc).__name__) from None
        try:
            self._io.write_atomic(pending, age.encrypt(new.to_text().encode(), [self.recipient]))
        except OSError as exc:
            self._discard(pending)
            raise WriteFailed(reason=type(exc).__name__) from None
        doc = dict(self._doc)
        previous = [{"public_key": self.signing_public_key, "key_id": self.signing_key_id,
                     "until": utc_now()}]
        doc["previous_signing_keys"] = previous + list(self._doc.get("previous_signing_keys", []))
        doc["signing_public_key"] = new_public
        doc["signing_key_id"] = minisign.key_id(new_public)
        try:
            if before_commit is not None:
                kept = before_commit(
                    new_public, lambda data, comment: minisign.sign(data, old, comment),
                    lambda data, comment: minisign.sign(data, new, comment))
                if kept is not None:
                    previous[0]["rotation"] = base64.b64encode(
                        age.encrypt(kept.encode(), [self.recipient])).decode()
        except BaseException:
            self._discard(pending)
            raise
        try:
            self._io.write_atomic(self.path / VAULT_FILE, _signed_json(self.identity, doc))
        except OSError as exc:
            if not self._lists_key(new_public):  # the write did not land: undo step 1
                self._discard(pending)
                raise WriteFailed(reason=type(exc).__name__) from None
        self._doc, self._signing = {**doc, "mac": vault_mac(self.identity, doc)}, new
        with contextlib.suppress(OSError):  # else open finishes it
            self._io.replace(pending, self.path / SIGNING_FILE)
            self._io.fsync_dir(self.path)
        return new_public

    def _lists_key(self, public_text: str) -> bool:
        """Whether vault.json on disk lists ``public_text`` as the signing key."""
        try:
            return self.read_info(self.path).get("signing_public_key") == public_text
        except StorageError:
            return False

    def _discard(self, path: Path) -> None:
        with contextlib.suppress(OSError):
            self._io.unlink(path)

    def update_info(self, **changes: Any) -> None:
        """Change the plaintext, non-sensitive vault.json info (atomically):
        only what may be read before unlocking (names, language, theme).
        Anything that decides where data goes or whom to trust is a
        ``set_setting`` instead."""
        with self._doc_lock:
            doc = dict(self._doc)
            doc["info"] = {**self._doc.get("info", {}), **changes}
            self._write_doc(doc)

    # -- encrypted settings ----------------------------------------------------------
    def setting(self, name: str, default: Any = None) -> Any:
        """An encrypted setting (a copy), or ``default`` when it was never set."""
        doc = self.partition(SETTINGS).get(name)
        return default if doc is None else doc.get("value", default)

    def settings(self) -> dict[str, Any]:
        """Every encrypted setting, name -> value (copies)."""
        return {d["id"]: d.get("value") for d in self.partition(SETTINGS).all()}

    def set_setting(self, name: str, value: Any) -> None:
        """Keep ``value`` (JSON data) as the encrypted setting ``name``: one
        journal write, in the history; ``None`` removes it."""
        part = self.partition(SETTINGS)
        if value is None:
            if name in part:
                part.remove(name)
        else:
            part.upsert({"id": name, "value": value})

    # -- the store -----------------------------------------------------------------------
    @property
    def store(self) -> Store:
        if self._store is None:
            raise VaultClosed()
        return self._store

    def partition(self, name: str) -> Partition:
        return self.store.partition(name)

    def load_current(self, later: Collection[str] = ()) -> None:
        self.store.load_current(later)

    def partitions(self, prefix: str = "") -> list[str]:
        return self.store.partitions(prefix)

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        with self.store.batch():
            yield

    def compact(self) -> None:
        self.store.compact()

    def history(self, since_seq: int = 0) -> list[Doc]:
        return self.store.history(since_seq)

    def verify_history(self) -> HistoryReport:
        return self.store.verify_history()

    def check(self, progress: Callable[[int, int], None] | None = None) -> list[str]:
        return self.store.check(progress)

    @property
    def notices(self) -> list[Notice]:
        return self.store.notices

    @property
    def is_open(self) -> bool:
        return self._store is not None

    def close(self, *, compact: bool = True) -> None:
        """Compact if needed, release the lock and drop the key material."""
        if self._store is None:
            return
        try:
            self._store.close(compact=compact)
        finally:
            self._store = None
            self._identity = None
            self._signing = None
            self._lock.release()

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _reason(exc: OSError) -> str:
    return errno.errorcode.get(exc.errno or 0, type(exc).__name__)


def _signed_json(identity: str, doc: dict[str, Any]) -> bytes:
    """vault.json's bytes: ``doc`` with its MAC."""
    body = {k: v for k, v in doc.items() if k != "mac"}
    return orjson.dumps({**body, "mac": vault_mac(identity, body)},
                        option=orjson.OPT_INDENT_2)


def _private(path: Path) -> None:
    """Narrow a vault made before folders were 0700 and files 0600 (POSIX)."""
    restrict(path, DIR_MODE)
    for sub in ("data", "backups"):
        folder = path / sub
        if folder.is_dir() and not folder.is_symlink():
            restrict(folder, DIR_MODE)
            for child in folder.iterdir():
                if child.is_dir() and not child.is_symlink():
                    restrict(child, DIR_MODE)
                    for file in child.iterdir():
                        restrict(file, FILE_MODE)
                else:
                    restrict(child, FILE_MODE)
    for file in path.iterdir():
        if not file.is_dir():
            restrict(file, FILE_MODE)


def created_at(doc: dict[str, Any]) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(doc["created"]).replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return None

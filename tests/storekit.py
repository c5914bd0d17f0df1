"""Helpers for store tests: a fast stand-in cipher, and a file layer that fails
on purpose (full disk, I/O error, a crash between write and rename)."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from storage.fsio import FileIO


class TestCipher:
    """Authenticated encryption with a fixed key: the store's mechanics need a
    cipher, not age, and this keeps those tests fast."""

    __test__ = False

    def __init__(self) -> None:
        self._aead = ChaCha20Poly1305(b"k" * 32)

    def encrypt(self, data: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, data, None)

    def decrypt(self, data: bytes) -> bytes:
        if len(data) < 28:
            raise ValueError("short")
        try:
            return self._aead.decrypt(data[:12], data[12:], None)
        except InvalidTag:
            raise ValueError("authentication failed") from None


class FaultyIO(FileIO):
    """Fails the named operation with ``errno`` until ``fail`` is cleared."""

    def __init__(self) -> None:
        self.fail: str | None = None
        self.errno = errno.ENOSPC
        self.partial = False  # write half the bytes before failing

    def _maybe(self, op: str) -> None:
        if self.fail == op:
            raise OSError(self.errno, os.strerror(self.errno))

    def append(self, handle: BinaryIO, data: bytes) -> None:
        if self.fail == "append" and self.partial:
            super().append(handle, data[: len(data) // 2])
        self._maybe("append")
        super().append(handle, data)

    def fsync(self, handle: BinaryIO) -> None:
        self._maybe("fsync")
        super().fsync(handle)

    def truncate(self, handle: BinaryIO, size: int) -> None:
        self._maybe("truncate")
        super().truncate(handle, size)

    def write_atomic(self, path: Path, data: bytes) -> None:
        self._maybe("write_atomic")
        super().write_atomic(path, data)

    def write_new(self, path: Path, data: bytes) -> None:
        self._maybe("write_new")
        super().write_new(path, data)

    def replace(self, src: Path, dst: Path) -> None:
        self._maybe("replace")
        super().replace(src, dst)

    def link_or_copy(self, src: Path, dst: Path, *, copy: bool = True) -> bool:
        self._maybe("link")
        return super().link_or_copy(src, dst, copy=copy)


def folder_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> content)."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }

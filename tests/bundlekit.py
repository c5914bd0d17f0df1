"""Test fixtures for bundles: an office key pair and a small demo branch."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from branchtool.keyfiles import OFFICE_FORMAT, KeyFile
from storage import age, minisign


@dataclass
class OfficeKeys:
    identity: str
    secret: minisign.SecretKey
    key: KeyFile

    def write_pub(self, path: Path) -> Path:
        path.write_bytes(self.key.to_bytes())
        return path


def make_office_keys(name: str = "某学院党委办公室") -> OfficeKeys:
    identity, recipient = age.generate_identity()
    secret, public_text = minisign.generate_keypair()
    return OfficeKeys(identity, secret, KeyFile(OFFICE_FORMAT, name, recipient, public_text))

"""Shared fixtures: the CCTV age vectors and the reference binaries."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def age_testkit_dir() -> Path:
    """The C2SP CCTV age test vectors in ``../shared/testkit/age``."""
    path = (REPO_ROOT.parent / "shared" / "testkit" / "age").resolve()
    if not path.is_dir():
        pytest.skip(f"age test vectors not found at {path} (expected ../shared/testkit/age)")
    return path


def _binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"reference `{name}` binary not installed (./test.sh installs it from Debian)")
    return path


@pytest.fixture(scope="session")
def age_bin() -> str:
    """Path of the reference ``age`` binary."""
    return _binary("age")


@pytest.fixture(scope="session")
def minisign_bin() -> str:
    """Path of the reference ``minisign`` binary."""
    return _binary("minisign")

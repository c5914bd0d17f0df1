"""Shared fixtures: the vendored CCTV age vectors and the reference binaries."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


AGE_VECTORS = REPO_ROOT / "tests" / "vectors" / "age"


@pytest.fixture(scope="session")
def age_testkit_dir() -> Path:
    """The C2SP CCTV age test vectors, vendored in ``tests/vectors/age`` (with
    their LICENSE and README). A clone alone runs them: a missing folder fails."""
    assert AGE_VECTORS.is_dir(), f"the vendored age test vectors are missing: {AGE_VECTORS}"
    return AGE_VECTORS


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


@pytest.fixture(scope="session")
def zstd_bin() -> str:
    """Path of the reference ``zstd`` binary."""
    return _binary("zstd")


@pytest.fixture(scope="session")
def tar_bin() -> str:
    """Path of the system's ``tar`` (GNU tar on Debian)."""
    return _binary("tar")


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``python -m build`` of this checkout (the sdist, then the wheel from the
    sdist, so the sdist is proved complete). Without build isolation: the
    test extras carry setuptools and build, so no index is needed here."""
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir",
                           str(out), str(REPO_ROOT)], cwd=REPO_ROOT, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


@pytest.fixture(scope="session")
def wheel(dist: Path) -> Path:
    """The branchtool wheel ``python -m build`` made."""
    [found] = dist.glob("branchtool-*-py3-none-any.whl")
    return found

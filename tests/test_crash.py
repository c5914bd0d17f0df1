"""SIGKILL a writing process at random instants; every acknowledged write survives."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.crashkit import run_campaign

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="the crash harness forks and sends SIGKILL (POSIX only)")


def test_two_hundred_kills_lose_no_acknowledged_write(tmp_path: Path) -> None:
    result = run_campaign(tmp_path / "vault", kills=200, seed=7)
    assert result.failures == []
    assert result.kills == 200
    assert result.acknowledged > 500  # the campaign really wrote
    assert (result.corrupt_vaults, result.lost_writes, result.unexpected_changes) == (0, 0, 0)

"""Opening an office (issue 19, goal 5): unlocking loads what the dashboard
reads (branches, trust, settings, the import log) and leaves the reported
records, the bundles and the changes until first touched, when they are
loaded and authenticated as any partition is; the dashboard reads the stored
branch documents without copying them, and its rows are the caller's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from branchtool import demo
from branchtool.office.model import BRANCHES, BUNDLES, CHANGES, LOADED_LATER, RECORDS
from branchtool.office.service import OfficeService
from branchtool.session import Session
from storage.errors import StorageError
from tests.officekit import (
    OFFICE_PASSPHRASE,
    TODAY,
    Clock,
    enrol,
    export,
    keep_language,  # noqa: F401  (an autouse fixture)
    make_branch,
    make_office,
)


@pytest.fixture
def office_path(tmp_path: Path) -> Path:
    """An office that imported one bundle of one branch, then was locked."""
    clock = Clock()
    office = make_office(tmp_path / "office", clock)
    branch = make_branch(tmp_path / "A1", "A1", "第一党支部", office, people=6)
    try:
        enrol(office, branch)
        sent = export(branch, tmp_path / "usb")
    finally:
        branch.lock()
    [result] = office.import_paths([sent])
    assert result.verdict == "accepted"
    office.vault.close()
    return tmp_path / "office"


def loaded(session: Session, prefix: str) -> list[str]:
    store = session.vault.store
    return [n for n in session.vault.partitions(prefix) if store.is_loaded(n)]


def test_unlock_leaves_records_bundles_and_changes_until_touched(office_path: Path) -> None:
    session = Session(office_path)
    session.unlock(OFFICE_PASSPHRASE)
    try:
        assert {RECORDS, BUNDLES, CHANGES} == LOADED_LATER
        assert loaded(session, BRANCHES) == [BRANCHES]
        assert session.vault.partitions(RECORDS) and session.vault.partitions(BUNDLES)
        assert loaded(session, RECORDS) == [] and loaded(session, BUNDLES) == []
        assert loaded(session, CHANGES) == []
        service = OfficeService.of(session)
        assert [r.code for r in service.overview(TODAY).rows] == ["A1"]
        assert loaded(session, RECORDS) == [] and loaded(session, BUNDLES) == []
        # a branch's page reads them: loaded (and authenticated) then
        [bundle] = service.bundles_of("A1")
        assert bundle["branch"] == "A1" and loaded(session, BUNDLES)
    finally:
        session.lock()


def test_a_damaged_records_file_is_found_when_first_read(office_path: Path) -> None:
    """Left unloaded at unlock, a damaged file is still refused when read."""
    [snap] = [p for p in (office_path / "data").iterdir() if p.name.startswith("records.")]
    data = bytearray(snap.read_bytes())
    data[-40] ^= 0x01
    snap.write_bytes(bytes(data))
    session = Session(office_path)
    session.unlock(OFFICE_PASSPHRASE)  # the dashboard's partitions are sound
    try:
        with pytest.raises(StorageError) as raised:
            session.vault.partition(RECORDS).all()
        assert "A1" not in str(raised.value)
    finally:
        session.lock()


def test_branch_sessions_still_load_every_current_partition(tmp_path: Path) -> None:
    office = make_office(tmp_path / "office", Clock())
    branch = make_branch(tmp_path / "A1", "A1", "第一党支部", office, people=4)
    path = branch.path
    branch.lock()
    office.vault.close()
    session = Session(path)
    session.unlock(demo.PASSPHRASE)
    try:
        current = [n for n in session.vault.partitions()
                   if "/" not in n and not n.startswith("history")]
        assert current and all(session.vault.store.is_loaded(n) for n in current)
    finally:
        session.lock()


def test_overview_rows_are_copies_of_the_stored_documents(office_path: Path) -> None:
    vault_session = Session(office_path)
    vault_session.unlock(OFFICE_PASSPHRASE)
    try:
        service = OfficeService.of(vault_session)
        [row] = service.overview(TODAY).rows
        assert row.health is not None and row.last_period is not None
        row.health["fever"] = 99  # a screen may change its row: never the store
        row.last_period["to"] = "2000-01-01"
        row.current["people"] = -1
        [again] = service.overview(TODAY).rows
        assert again.health["fever"] != 99 and again.last_period["to"] != "2000-01-01"
        assert again.current["people"] != -1
    finally:
        vault_session.lock()

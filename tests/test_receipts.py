"""Receipts: signed by the office, verified by the branch against the office
key it holds before any outbox entry is marked received."""

from __future__ import annotations

import subprocess
from pathlib import Path

import orjson
import pytest

from branchtool.errors import UserError
from branchtool.office.receipts import apply_receipt, make_receipt
from branchtool.office.service import OfficeService
from branchtool.session import Session
from tests.officekit import Clock, enrol, export, make_branch, make_office


@pytest.fixture
def office(tmp_path: Path) -> OfficeService:
    service = make_office(tmp_path / "office", Clock())
    yield service
    service.vault.close()


@pytest.fixture
def branch(tmp_path: Path, office: OfficeService) -> Session:
    session = make_branch(tmp_path / "a", "A1", "第一党支部", office, people=6)
    enrol(office, session)
    yield session
    session.lock()


def receipt(office: OfficeService, tmp_path: Path) -> bytes:
    out = tmp_path / "receipts"
    out.mkdir(exist_ok=True)
    [path] = office.write_receipts(out, ["A1"])
    assert path.name == "A1-receipt-20261120.json"
    return path.read_bytes()


def received(branch: Session) -> list[bool]:
    return [bool(s["received"]) for s in branch.bundles.outbox()]


def test_a_receipt_marks_what_arrived_and_names_what_did_not(
    office: OfficeService, branch: Session, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    one, _two, three = (export(branch, usb) for _ in range(3))
    office.import_paths([one, three])
    data = receipt(office, tmp_path)
    statement = orjson.loads(orjson.loads(data)["receipt"])
    assert statement["up_to"] == 3 and statement["missing"] == [2]
    assert [r["sequence"] for r in statement["received"]] == [1, 3]
    result = apply_receipt(branch, data)
    assert (result.marked, result.not_received, result.mismatched) == ([1, 3], [2], [])
    assert received(branch) == [True, False, True]
    assert apply_receipt(branch, data).already == [1, 3]
    assert branch.bundles.outbox()[0]["received"]["office"] == office.name


def test_a_tampered_or_foreign_receipt_marks_nothing(
    office: OfficeService, branch: Session, tmp_path: Path
) -> None:
    office.import_paths([export(branch, tmp_path / "usb")])
    data = orjson.loads(receipt(office, tmp_path))
    statement = orjson.loads(data["receipt"])
    statement["up_to"] = 99
    tampered = orjson.dumps({**data, "receipt": orjson.dumps(statement).decode()})
    with pytest.raises(UserError) as err:
        apply_receipt(branch, tampered)
    assert err.value.key == "receipt.signature"
    other = make_office(tmp_path / "other", Clock(), name="另一单位")
    try:
        forged = make_receipt(other.vault, office.trust.require("A1"), "2026-11-20T00:00:00Z")
    finally:
        other.vault.close()
    with pytest.raises(UserError) as err:
        apply_receipt(branch, forged)
    assert err.value.key == "receipt.signature"
    for junk in (b"", b"{}", b"[1]", orjson.dumps({"format": "branchtool-receipt"})):
        with pytest.raises(UserError) as err:
            apply_receipt(branch, junk)
        assert err.value.key == "receipt.invalid"
    assert received(branch) == [False]


def test_a_receipt_for_another_branch_or_other_content(
    office: OfficeService, branch: Session, tmp_path: Path
) -> None:
    path = export(branch, tmp_path / "usb")
    office.import_paths([path])
    record = office.trust.require("A1")
    other = {**record, "code": "B2"}
    with pytest.raises(UserError) as err:
        apply_receipt(branch, make_receipt(office.vault, other, "2026-11-20T00:00:00Z"))
    assert err.value.key == "receipt.wrong_branch"
    record["accepted"][0][1] = "f" * 64
    result = apply_receipt(branch, make_receipt(office.vault, record, "2026-11-20T00:00:00Z"))
    assert result.mismatched == [1] and received(branch) == [False]


@pytest.mark.interop
def test_minisign_verifies_a_receipt_by_hand(office: OfficeService, branch: Session,
                                             tmp_path: Path, minisign_bin: str) -> None:
    office.import_paths([export(branch, tmp_path / "usb")])
    data = orjson.loads(receipt(office, tmp_path))
    (tmp_path / "r.json").write_text(data["receipt"])
    (tmp_path / "r.json.minisig").write_text(data["signature"])
    (tmp_path / "office.pub").write_text(office.vault.signing_public_key)
    done = subprocess.run([minisign_bin, "-Vm", "r.json", "-p", "office.pub"], cwd=tmp_path,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "branchtool receipt branch=A1 up_to=1" in done.stdout

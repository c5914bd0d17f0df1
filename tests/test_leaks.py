"""No plaintext personal data outside the vault's encryption: a scripted CLI
session in its own temp folder, then every file it could have touched is
searched for every value it wrote."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

from branchtool import demo

PEOPLE = [
    # name, ID number (valid check digit), phone, address
    ("欧阳明远", "11010519491231002X", "13800138011", "北京市海淀区清华东路17号"),
    ("司马慧琳", "44052419850101001X", "13912345678", "广州市天河区五山路381号"),
]


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "branchtool", *args], env=env,
                          capture_output=True, text=True, check=False, timeout=120)


def test_cli_session_leaves_no_plaintext(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "BRANCHTOOL_HOME": str(vault), "BRANCHTOOL_PASSPHRASE": "leak test pw",
           "TMPDIR": str(scratch), "TEMP": str(scratch), "TMP": str(scratch)}
    sheet = tmp_path / "import" / "roster.csv"
    sheet.parent.mkdir()
    with open(sheet, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["姓名", "身份证号码", "手机号码", "人员类别", "政治面貌", "联系地址"])
        for name, id_number, phone, address in PEOPLE:
            writer.writerow([name, id_number, phone, "教工", "中共党员", address])
    usb = tmp_path / "usb"
    usb.mkdir()
    office_pub = tmp_path / "office.pub"
    from tests.bundlekit import make_office_keys

    make_office_keys().write_pub(office_pub)
    steps = [
        ["init", "--branch-code", "LEAK", "--branch-name", "测试支部", "--office-key",
         str(office_pub)],
        ["roster", "import", str(sheet)],
        ["vault", "compact"],
        ["export", "--out", str(usb), "--redaction", "full"],
        ["vault", "check"],
        ["list", "roster", "--json"],
    ]
    logs = []
    for step in steps:
        done = _run(step, env)
        assert done.returncode == 0, (step, done.stderr)
        logs.append(done.stderr)
    needles = [value.encode() for person in PEOPLE for value in person]
    needles.append(b"leak test pw")
    places = [vault, scratch, usb]
    for place in places:
        for path in place.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                for needle in needles:
                    assert needle not in data, f"plaintext in {path.relative_to(tmp_path)}"
    for log in logs:  # what the program printed to stderr (its only log)
        for needle in needles:
            assert needle.decode() not in log


def test_demo_vault_has_no_plaintext(tmp_path: Path) -> None:
    session = demo.build(tmp_path / "demo", people=40, days=3, seed=5, work_factor=10)
    try:
        people = list(session.roster.people())
        needles = {p[k].encode() for p in people for k in ("name", "id_number", "phone")
                   if p[k]}
    finally:
        session.lock()
    for path in (tmp_path / "demo").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(needle in data for needle in needles), path.name

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
from branchtool.session import Session

PEOPLE = [
    # name, ID number (valid check digit), phone, address
    ("欧阳明远", "11010519491231002X", "13800138011", "北京市海淀区清华东路17号"),
    ("司马慧琳", "44052419850101001X", "13912345678", "广州市天河区五山路381号"),
]


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # UTF-8 both ways: Windows would otherwise decode with the ANSI code page
    return subprocess.run([sys.executable, "-m", "branchtool", *args],
                          env={**env, "PYTHONIOENCODING": "utf-8"}, capture_output=True,
                          text=True, encoding="utf-8", check=False, timeout=120)


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


def _user_text(value: object, out: set[bytes]) -> None:
    """Every piece of text a person typed or a demo made up: non-ASCII strings
    (names, places, descriptions, notes) and long digit strings (ID numbers,
    phones). Codes, dates and hashes are ASCII and not personal."""
    if isinstance(value, dict):
        for child in value.values():
            _user_text(child, out)
    elif isinstance(value, list):
        for child in value:
            _user_text(child, out)
    elif isinstance(value, str):
        typed = any(ord(c) > 127 for c in value) and len(value.encode()) >= 6
        if typed or (value.isdigit() and len(value) >= 11):
            out.add(value.encode())


def test_every_section_leaves_no_plaintext(tmp_path: Path) -> None:
    """The demo fills every section (roster, check-ins, alerts, contacts,
    notices, care and visits, tasks, records, deeds); then a full-redaction
    bundle goes to a "USB" folder. Nothing any of it holds may appear in the
    vault folder, the temp folder, the export folder or stderr."""
    vault, scratch, usb = tmp_path / "vault", tmp_path / "tmp", tmp_path / "usb"
    scratch.mkdir()
    usb.mkdir()
    env = {**os.environ, "BRANCHTOOL_HOME": str(vault),
           "BRANCHTOOL_PASSPHRASE": demo.PASSPHRASE,
           "TMPDIR": str(scratch), "TEMP": str(scratch), "TMP": str(scratch)}
    logs = []
    done = _run(["--data-dir", str(vault), "demo", "--no-open", "--people", "60", "--days", "6",
                 "--seed", "4"], env)
    assert done.returncode == 0, done.stderr
    logs.append(done.stderr)
    from tests.bundlekit import make_office_keys

    with Session(vault) as session:
        session.unlock(demo.PASSPHRASE)
        session.bundles.set_office_key(make_office_keys().key)
    for step in (["export", "--out", str(usb), "--redaction", "full"], ["vault", "check"],
                 ["health", "summary", "--json"]):
        done = _run(step, env)
        assert done.returncode == 0, (step, done.stderr)
        logs.append(done.stderr)
    assert [p.suffix for p in usb.iterdir()] == [".age"]  # the bundle and nothing else
    needles: set[bytes] = set()
    with Session(vault) as session:
        session.unlock(demo.PASSPHRASE)
        names = [n for n in session.vault.partitions() if not n.startswith("history/")]
        for name in names:
            _user_text(session.vault.partition(name).all(), needles)
        sections = {n.split("/")[0] for n in names}
        info = session.vault.info
    # vault.json names the branch in plaintext by design (shown before
    # unlocking); text that is part of that name is public. The office's key
    # and name are encrypted settings now: they must not appear in plaintext.
    public = [info["branch_name"].encode()]
    needles = {n for n in needles if not any(n in name for name in public)}
    assert {"roster", "checkins", "contacts", "notices", "care", "tasks"} <= sections
    assert len(needles) > 100
    for place in (vault, scratch, usb):
        for path in place.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                found = [n for n in needles if n in data]
                assert not found, f"plaintext in {path.relative_to(tmp_path)}"
    for log in logs:
        assert not [n for n in needles if n.decode() in log]


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

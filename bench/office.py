"""Office mode figures: importing 50 bundles (300 people x 30 days each) in one
run, and computing the dashboard for 50 and 500 branches.

Goals (issue 8): 50 bundles under 10 s, dashboard under 200 ms (computed, and
drawn: from asking for it to its rows on screen in the headless app).

    python -m bench.office [--bundles 50] [--people 300] [--days 30] [--skip-dashboard]
                           [--stages]
    python -m bench.office --semester [--semester-days 120] [--semester-people 50]
                           [--real 4] [--rebuild]

``--semester``: issue 19's office of 500 branches after a semester of daily
bundles, opened cold and its dashboard drawn (``bench.office_semester``).

``--stages``: where the compressed import's CPU time goes, step by step
(``STAGES``), beside its total.

Issue 19: the bundles are compressed (a zstd frame inside age); the import is
timed for both the bare tar written before and the compressed file, each
beside the reference tools reading the same files.

One demo branch is built and exported for a 30-day period (real check-ins,
contacts, care, tasks, notices, reports and history); the bundle is then
re-signed by as many branch keys as there are bundles (each its own code,
bundle id and signature), enrolled at a fresh office. The 500-branch dashboard
adds copies of the imported branches' documents. Nothing is written outside a
temporary folder, which is deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import gc
import importlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from branchtool.keyfiles import BRANCH_FORMAT, KeyFile
from branchtool.office.model import BRANCHES
from branchtool.office.service import OfficeService
from storage import age, minisign
from storage.records import new_id
from storage.vault import Vault
from tests.make_hostile_bundles import seal
from tests.officekit import OFFICE_PASSPHRASE, TODAY, Clock, export, make_branch, make_office


def make_bundles(root: Path, office: OfficeService, count: int, people: int,
                 days: int, bare: Path | None = None) -> list[Path]:
    """The bundles as exported (compressed); with ``bare``, a copy of each
    there as written before issue 19 (a bare tar inside age)."""
    branch = make_branch(root / "branch", "DEMO", "示范支部", office, people=people,
                         days=days, seed=1)
    try:
        sent = export(branch, root / "sent", start=TODAY - dt.timedelta(days=days - 1))
        doc = branch.bundles.open_sent(sent)
    finally:
        branch.lock()
    usb = root / "usb"
    usb.mkdir()
    files = []
    for n in range(count):
        secret, public = minisign.generate_keypair()
        _, recipient = age.generate_identity()
        code, name = f"B{n:03d}", f"第{n + 1}党支部"
        office.trust.enrol(KeyFile(BRANCH_FORMAT, name, recipient, public, code=code))
        mine = {**doc, "branch": {"code": code, "name": name}, "bundle_id": new_id(),
                "signer_key_id": minisign.key_id(public)}
        path = usb / f"{code}-000001-{TODAY:%Y%m%d}.bundle.age"
        path.write_bytes(seal(mine, lambda d, c, s=secret: minisign.sign(d, s, c),
                              [office.vault.recipient], compressed=True))
        files.append(path)
        if bare is not None:
            bare.mkdir(exist_ok=True)
            (bare / path.name).write_bytes(seal(
                mine, lambda d, c, s=secret: minisign.sign(d, s, c), [office.vault.recipient]))
    return files


def reference_seconds(files: list[Path], key: Path, unzstd: bool = False) -> float:
    """What the reference tools take over the same files: ``age -d`` (its
    output discarded), or ``age -d | zstd -d``; 0 without ``age``."""
    if not shutil.which("age") or (unzstd and not shutil.which("zstd")):
        return 0.0
    took = 0.0
    for path in files:
        start = time.perf_counter()
        if unzstd:
            subprocess.run(f"age -d -i '{key}' '{path}' | zstd -d -q -o {os.devnull} -f",
                           shell=True, check=True)
        else:
            subprocess.run(["age", "-d", "-i", str(key), "-o", os.devnull, str(path)],
                           check=True)
        took += time.perf_counter() - start
    return took


def compare_formats(root: Path, count: int, people: int, days: int,
                    stages: bool = False) -> OfficeService:
    """Bundle size and import time, bare tar (before issue 19) against the
    zstd frame, each into its own copy of the same fresh office. Returns the
    office that imported the compressed ones, open."""
    office = make_office(root / "office", Clock())
    files = make_bundles(root, office, count, people, days, bare=root / "bare")
    key = root / "office.key"
    key.write_text(office.vault.identity + "\n")
    office.vault.close()
    shutil.copytree(root / "office", root / "office-bare")
    bare = sorted((root / "bare").iterdir())
    sizes = {kind: sum(p.stat().st_size for p in paths)
             for kind, paths in (("bare", bare), ("zstd", files))}
    print(f"bundle file, {people} people x {days} days: bare tar (before) "
          f"{sizes['bare'] / count / 2**20:.2f} MiB, zstd {sizes['zstd'] / count / 2**20:.2f} "
          f"MiB ({sizes['bare'] / sizes['zstd']:.1f}x smaller)")
    opened = None
    for kind, paths, folder in (("bare tar", bare, "office-bare"), ("zstd", files, "office")):
        office = OfficeService(Vault.open(root / folder, OFFICE_PASSPHRASE))
        gc.collect()
        timing = timed_stages() if stages and kind == "zstd" else contextlib.nullcontext({})
        with timing as spent:
            start, cpu = time.perf_counter(), time.process_time()
            results = office.import_paths(paths)
            took, cpu = time.perf_counter() - start, time.process_time() - cpu
        assert all(r.verdict == "accepted" for r in results), results[0].to_json()
        size = sum(p.stat().st_size for p in paths)
        ref = reference_seconds(paths, key)
        line = (f"import {count} bundles, {kind} ({size / 2**20:.0f} MiB): {took:.2f} s, "
                f"CPU {cpu:.2f} s; " + (f"{took / ref:.1f}x `age -d` ({ref:.2f} s)"
                                        if ref else "no `age`"))
        if kind == "zstd":
            piped = reference_seconds(paths, key, unzstd=True)
            if piped:
                line += f", {took / piped:.1f}x `age -d | zstd -d` ({piped:.2f} s)"
        print(line + " (goal < 3 s, < 5x)")
        if spent:
            print("  CPU by step: " + stages_line(spent, cpu))
        if kind == "zstd":
            opened = office
        else:
            office.vault.close()
    assert opened is not None
    return opened


# (module, function, the step it is part of) timed by --stages, in the order
# the import runs them; each is patched where its caller looks it up
STAGES = [
    ("branchtool.office.opening", "decrypt_file", ""),  # read, age, zstd
    ("branchtool.office.checks", "check_signed", ""),  # minisign over the raw bytes
    ("branchtool.office.opening", "fmt.decode", ""),  # parse and check bundle.json
    ("branchtool.bundles.format", "parse_cost", "decode"),
    ("branchtool.bundles.format", "_check_depth_and_strings", "decode"),
    ("branchtool.bundles.format", "_check_schema", "decode"),
    ("branchtool.office.opening", "check_records", ""),
    ("branchtool.office.importer", "summarize_history", ""),  # the chain, entry by entry
    ("branchtool.office.importer", "apply_bundle", ""),
    ("branchtool.office.importer", "Importer._commit", ""),  # one batch, then compaction
]


def stages_line(spent: dict[str, float], cpu: float) -> str:
    """``decrypt_file 0.40 s, ..., decode 2.10 s (depth 0.90 s, ..., orjson.loads the
    rest), ..., the rest 0.30 s``."""
    parts = []
    for _, qualname, parent in STAGES:
        name = qualname.rsplit(".", 1)[-1]
        if parent:
            continue
        inner = [(q.rsplit(".", 1)[-1], spent.get(q, 0.0)) for _, q, p in STAGES if p == name]
        part = f"{name} {spent.get(qualname, 0.0):.2f} s"
        if inner:
            steps = ", ".join(f"{n} {t:.2f} s" for n, t in inner)
            part += f" ({steps}, orjson.loads the rest)"
        parts.append(part)
    top = sum(spent.get(q, 0.0) for _, q, p in STAGES if not p)
    return ", ".join(parts) + f", the rest {cpu - top:.2f} s"


@contextlib.contextmanager
def timed_stages() -> Iterator[dict[str, float]]:
    """CPU seconds spent in each of ``STAGES`` while inside (their callers
    see wrappers that add up ``time.process_time``)."""
    spent: dict[str, float] = {}
    undo = []
    for module_name, qualname, _ in STAGES:
        owner: Any = importlib.import_module(module_name)
        *path, name = qualname.split(".")
        for part in path:
            owner = getattr(owner, part)
        original = getattr(owner, name)

        def wrapper(*args: Any, _f: Any = original, _k: str = qualname, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return _f(*args, **kwargs)
            finally:
                spent[_k] = spent.get(_k, 0.0) + time.process_time() - start

        setattr(owner, name, wrapper)
        undo.append((owner, name, original))
    try:
        yield spent
    finally:
        for owner, name, original in reversed(undo):
            setattr(owner, name, original)


def dashboard_ms(office: OfficeService, rounds: int = 5) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        office.overview(TODAY)
        best = min(best, time.perf_counter() - start)
    return best * 1000


async def _drawn_ms(path: Path, rounds: int = 5) -> float:
    """From asking for the dashboard to its rows drawn, in the headless app."""
    from branchtool.session import Session
    from screens.app import BranchApp
    from screens.office_dashboard import OfficeDashboard

    session = Session(path)
    session.unlock(OFFICE_PASSPHRASE)
    app = BranchApp(session, today=lambda: TODAY)
    best = float("inf")
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            dashboard = app.screen.query_one(OfficeDashboard)
            for _ in range(rounds):
                start = time.perf_counter()
                dashboard.reload_data()
                await app.workers.wait_for_complete()
                await pilot.pause()
                best = min(best, time.perf_counter() - start)
    finally:
        session.lock()
    return best * 1000


def drawn_ms(office: OfficeService) -> float:
    """The vault is closed for the app's session to open it, then reopened."""
    path = office.vault.path
    office.vault.close()
    try:
        return asyncio.run(_drawn_ms(path))
    finally:
        office.vault = Vault.open(path, OFFICE_PASSPHRASE)


def grow(office: OfficeService, total: int) -> None:
    """Copies of the imported branches' documents, up to ``total`` branches."""
    part = office.vault.partition(BRANCHES)
    docs = part.all()
    extra = []
    for n in range(len(docs), total):
        doc = orjson.loads(orjson.dumps(docs[n % len(docs)]))
        doc["id"] = doc["code"] = f"C{n:03d}"
        extra.append(doc)
    part.insert_many(extra)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bundles", type=int, default=50)
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--skip-dashboard", action="store_true")
    parser.add_argument("--stages", action="store_true",
                        help="the compressed import's CPU time, step by step")
    parser.add_argument("--semester", action="store_true",
                        help="only the office of 500 branches after a semester (office_semester)")
    parser.add_argument("--semester-days", type=int, default=120)
    parser.add_argument("--semester-people", type=int, default=50)
    parser.add_argument("--real", type=int, default=4,
                        help="branches whose semester is imported for real")
    parser.add_argument("--rebuild", action="store_true", help="build the semester office again")
    args = parser.parse_args()
    if args.semester:
        from bench import office_semester
        office_semester.run(args.semester_people, args.semester_days, args.real, args.rebuild)
        return
    root = Path(tempfile.mkdtemp(prefix="bench-office-"))
    try:
        office = compare_formats(root, args.bundles, args.people, args.days, args.stages)
        for total in () if args.skip_dashboard else (args.bundles, 500):
            if total > args.bundles:
                grow(office, total)
            computed = dashboard_ms(office)
            print(f"dashboard for {total} branches: computed in {computed:.1f} ms, "
                  f"drawn in the app in {drawn_ms(office):.1f} ms (goal < 200 ms)")
        office.vault.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()

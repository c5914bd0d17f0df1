"""A semester of a big branch, and a college of them (issue 19): every figure
beside its goal, and the same rows in SQLite (and SQLCipher, when the
``sqlcipher3`` module is installed) — what a user would pick instead.

    python -m bench.scale [--people 3000] [--days 180] [--bundles 50]
                          [--cache DIR | --vault DIR] [--rebuild] [--skip-office] [--skip-sqlite]

The semester vault is built with ``branchtool demo`` in a child process (its
time and peak memory measured) into a cache folder outside the repository
(``~/.cache/branchtool-bench``, or ``--cache``), keyed by size and by a hash
of the code that decides what is written (``storage/``, the demo generator):
a second run with the same code reuses it and prints the generation figures
measured when it was built. Every command and screen is timed in a fresh
child process (cold: nothing cached in the process), its peak memory read
from the kernel (``wait4``'s ``ru_maxrss``): Linux/macOS only; with
compiled modules cached (``PYTHONDONTWRITEBYTECODE`` is dropped for the
children), as in an installed program. The machine's
other load changes the times: run it when the machine is quiet, twice.

Memory per loaded document: resident memory after every partition is read
and parsed, minus before, over the number of documents.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

PASSPHRASE = "demo"
SCREEN = 22


# -- running and measuring a child ------------------------------------------------
def child(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """(seconds, peak resident MiB, stdout) of one child process, reaped with
    ``wait4`` so that its own peak memory is known."""
    start = time.perf_counter()
    base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**base, "PYTHONPATH": str(ROOT), **(env or {})})
    # Read the pipes to the end, then reap with wait4 (communicate would reap).
    out = proc.stdout.read()  # type: ignore[union-attr]
    err = proc.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{argv} failed ({proc.returncode}): {err.decode()[-2000:]}")
    return took, usage.ru_maxrss / 1024, out.decode()


def branchtool(vault: Path, *args: str) -> tuple[float, float, str]:
    return child([sys.executable, "-m", "branchtool", "--data-dir", str(vault), *args],
                 env={"BRANCHTOOL_PASSPHRASE": PASSPHRASE, "BRANCHTOOL_LANG": "en"})


def probe(name: str, *args: str) -> tuple[float, float, dict[str, Any]]:
    took, peak, out = child([sys.executable, "-m", "bench.scale", "--probe", name, *args])
    return took, peak, json.loads(out.strip().splitlines()[-1])


# -- the cached semester vault ------------------------------------------------------
def code_key() -> str:
    digest = hashlib.sha256()
    files = sorted((ROOT / "storage").rglob("*.py")) + sorted(ROOT.glob("branchtool/demo*.py"))
    for path in files:
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def semester(args: argparse.Namespace) -> tuple[Path, dict[str, Any]]:
    if args.vault:  # one vault for two checkouts of the code, timed back to back
        vault = Path(args.vault).expanduser()
        meta_file = vault.parent / "bench.json"
        meta = json.loads(meta_file.read_text()) if meta_file.is_file() else {
            "seconds": 0.0, "peak_mib": 0.0, "built": dt.date.today().isoformat()}
        return vault, meta
    cache = Path(args.cache).expanduser()
    folder = cache / f"semester-{args.people}x{args.days}-{code_key()}"
    meta_file = folder / "bench.json"
    if meta_file.is_file() and not args.rebuild:
        return folder / "vault", json.loads(meta_file.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    import resource  # POSIX only, as the children's wait4 is: imported where it is used

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    took, peak, _ = branchtool(folder / "vault", "demo", "--people", str(args.people),
                               "--days", str(args.days), "--no-open")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU (user + system) beside the wall time: on a shared machine the
    # wall time is mostly the others' load.
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    meta = {"seconds": took, "peak_mib": peak, "cpu": cpu, "built": dt.date.today().isoformat()}
    meta_file.write_text(json.dumps(meta))
    return folder / "vault", {**meta, "fresh": True}


def disk_usage(*folders: Path) -> list[int]:
    """Bytes on disk under each folder, a file linked twice counted once (in
    the first folder that holds it)."""
    seen: set[tuple[int, int]] = set()
    sizes = []
    for folder in folders:
        total = 0
        for path in folder.rglob("*") if folder.exists() else ():
            st = path.lstat()
            if path.is_file() and (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_size
        sizes.append(total)
    return sizes


# -- probes: run in a child of their own (cold) -------------------------------------
def _rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _unlock(vault: Path) -> Any:
    from branchtool.session import Session

    session = Session(vault)
    session.unlock(PASSPHRASE)
    return session


def probe_scrypt(vault: Path) -> dict[str, Any]:
    from storage import age

    raw = (vault / "identity.age").read_bytes()
    start = time.perf_counter()
    age.decrypt_with_passphrase(raw, PASSPHRASE)
    return {"seconds": time.perf_counter() - start}


def probe_sheet(vault: Path, day: str) -> dict[str, Any]:
    from branchtool.services.health import SheetRow

    session = _unlock(vault)
    health = session.health  # the services the app has built when the sheet opens
    start = time.perf_counter()
    sheet = health.sheet(dt.date.fromisoformat(day))
    for person in sheet.people[:SCREEN]:
        row = SheetRow(sheet, person)
        for key in row.view.keys:
            row.cell(key)
    return {"seconds": time.perf_counter() - start, "people": len(sheet)}


def probe_memory(vault: Path) -> dict[str, Any]:
    session = _unlock(vault)
    store = session.vault
    gc.collect()
    before = _rss_mib()
    count = 0
    for name in store.partitions():  # loaded as a command loads them: unparsed
        count += len(store.partition(name))
    gc.collect()
    held = _rss_mib()
    for name in store.partitions():  # then every document parsed (a list shown)
        store.partition(name).view()
    gc.collect()
    after = _rss_mib()
    return {"documents": count, "mib": after - before,
            "per_doc": (after - before) * 2**20 / max(1, count),
            "held_per_doc": (held - before) * 2**20 / max(1, count)}


def probe_daily(vault: Path, day: str, days: int) -> dict[str, Any]:
    """``days`` days of use: unlock, a whole day's check-ins (the last day's
    again, a day later each time) in one batch, lock (compaction and its
    backup set); the time of each lock."""
    closes = []
    for n in range(1, days + 1):
        session = _unlock(vault)
        health = session.health
        new = (dt.date.fromisoformat(day) + dt.timedelta(days=n)).isoformat()
        skip = {"id", "person", "at"}
        rows = [(pid, {**{k: v for k, v in doc.items() if k not in skip}, "date": new})
                for pid, doc in health.day(day).items()]
        health.write(rows)
        start = time.perf_counter()
        session.lock()
        closes.append(time.perf_counter() - start)
    return {"closes": closes}


def probe_rows(vault: Path, out: Path) -> dict[str, Any]:
    """Every partition's documents as JSON lines ``partition\\tid\\tjson``."""
    import orjson

    session = _unlock(vault)
    store = session.vault
    count = 0
    with open(out, "wb") as f:
        for name in store.partitions():
            for doc in store.partition(name).view():
                f.write(name.encode() + b"\t" + doc["id"].encode() + b"\t"
                        + orjson.dumps(doc) + b"\n")
                count += 1
    return {"rows": count}


def _sql(db: Path, key: str | None) -> Any:
    if key is None:
        import sqlite3

        return sqlite3.connect(db)
    import sqlcipher3  # type: ignore[import-not-found]

    con = sqlcipher3.connect(str(db))
    con.execute(f"PRAGMA key = '{key}'")
    return con


def probe_sql_build(rows: Path, db: Path, key: str | None) -> dict[str, Any]:
    start = time.perf_counter()
    con = _sql(db, key)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE docs (part TEXT, id TEXT, doc TEXT, PRIMARY KEY (part, id))"
                " WITHOUT ROWID")
    with open(rows, "rb") as f, con:
        con.executemany("INSERT INTO docs VALUES (?, ?, ?)",
                        (line.rstrip(b"\n").decode().split("\t", 2) for line in f))
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return {"seconds": time.perf_counter() - start}


def probe_sql_query(db: Path, key: str | None, what: str, day: str) -> dict[str, Any]:
    import orjson

    start = time.perf_counter()
    con = _sql(db, key)
    if what == "summary":  # the last 30 days of check-ins, read and parsed
        since = (dt.date.fromisoformat(day) - dt.timedelta(days=29)).isoformat()
        cur = con.execute("SELECT doc FROM docs WHERE part >= 'checkins/' AND "
                          "part < 'checkins0' AND id >= ?", (since,))
        n = sum(1 for (doc,) in cur if orjson.loads(doc))
    elif what == "roster":
        n = len(orjson.dumps([orjson.loads(d) for (d,) in con.execute(
            "SELECT doc FROM docs WHERE part = 'roster' ORDER BY id")]))
    elif what == "sheet":
        n = len([orjson.loads(d) for (d,) in con.execute(
            "SELECT doc FROM docs WHERE part = ? AND id >= ? AND id < ?",
            (f"checkins/{day[:7]}", day, day + ";"))])
    else:  # check
        pragma = "PRAGMA integrity_check" if key is None else "PRAGMA cipher_integrity_check"
        n = len(con.execute(pragma).fetchall())
    return {"seconds": time.perf_counter() - start, "n": n}


def run_probe(argv: list[str]) -> None:
    name, *rest = argv
    if name == "scrypt":
        result = probe_scrypt(Path(rest[0]))
    elif name == "sheet":
        result = probe_sheet(Path(rest[0]), rest[1])
    elif name == "memory":
        result = probe_memory(Path(rest[0]))
    elif name == "daily":
        result = probe_daily(Path(rest[0]), rest[1], int(rest[2]))
    elif name == "rows":
        result = probe_rows(Path(rest[0]), Path(rest[1]))
    elif name == "sql_build":
        result = probe_sql_build(Path(rest[0]), Path(rest[1]), rest[2] or None)
    else:
        result = probe_sql_query(Path(rest[0]), rest[1] or None, rest[2], rest[3])
    print(json.dumps(result))


# -- the office ---------------------------------------------------------------------
def office_import(count: int) -> tuple[float, float, int]:
    """(import seconds, reference ``age -d`` seconds over the same files, bytes)."""
    from bench.office import make_bundles
    from tests.officekit import Clock, make_office

    root = Path(tempfile.mkdtemp(prefix="bench-scale-office-"))
    try:
        office = make_office(root / "office", Clock())
        files = make_bundles(root, office, count, 300, 30)
        size = sum(p.stat().st_size for p in files)
        key = root / "office.key"
        key.write_text(office.vault.identity + "\n")
        age_s = 0.0
        if shutil.which("age"):
            for path in files:
                start = time.perf_counter()
                subprocess.run(["age", "-d", "-i", str(key), "-o", os.devnull, str(path)],
                               check=True)
                age_s += time.perf_counter() - start
        gc.collect()
        start = time.perf_counter()
        results = office.import_paths(files)
        took = time.perf_counter() - start
        assert all(r.verdict == "accepted" for r in results), results[0].to_json()
        office.vault.close()
        return took, age_s, size
    finally:
        shutil.rmtree(root, ignore_errors=True)


# -- the table ----------------------------------------------------------------------
def row(what: str, now: str, goal: str, sqlite: str = "", sqlcipher: str = "") -> None:
    print(f"| {what} | {now} | {goal} | {sqlite} | {sqlcipher} |", flush=True)


def fig(seconds: float, mib: float | None = None) -> str:
    return f"{seconds:.2f} s" + ("" if mib is None else f", {mib:.0f} MB")


def mb(n: int) -> str:
    return f"{n / 1e6:.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--bundles", type=int, default=50)
    parser.add_argument("--cache", default="~/.cache/branchtool-bench")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--vault", help="an existing semester vault (not changed: its "
                        "figures of use are taken on copies), instead of the cache's; "
                        "its generation figures from the bench.json beside it")
    parser.add_argument("--skip-office", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--probe", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.probe:
        run_probe(args.probe)
        return

    vault, meta = semester(args)
    day = meta["built"]
    print(f"semester: {args.people} people x {args.days} days, vault {vault}"
          f" ({'built now' if meta.get('fresh') else 'cached, built ' + day})", flush=True)
    _, scrypt_mib, found = probe("scrypt", str(vault))
    scrypt = found["seconds"]
    print(f"passphrase scrypt alone: {scrypt:.2f} s, a process peaking at {scrypt_mib:.0f} MB"
          f" (in each command's figures; '+' is the time beyond it)\n", flush=True)

    sql: dict[str, dict[str, str]] = {"sqlite": {}, "sqlcipher": {}}
    if not args.skip_sqlite:
        sql = sqlite_rows(vault, day)

    def s(key: str) -> tuple[str, str]:
        return sql["sqlite"].get(key, ""), sql["sqlcipher"].get(key, "")

    row("what", "now", "goal", "SQLite", "SQLCipher")
    row("---", "---", "---", "---", "---")
    cpu = f" (CPU {meta['cpu']:.1f} s)" if "cpu" in meta else ""
    row("generating it", fig(meta["seconds"], meta["peak_mib"]) + cpu, "< 30 s, < 1 GB",
        *s("build"))
    data, backups = disk_usage(vault / "data", vault / "backups")
    row("vault on disk (data + backups)", f"{mb(data + backups)} ({mb(data)} + {mb(backups)})",
        "< 150 MB", *s("size"))
    daily_rows(vault, day)
    for what, argv, key in (("`health summary --json`", ("health", "summary", "--json"),
                             "summary"),
                            ("`list roster --json`", ("list", "roster", "--json"), "roster"),
                            ("`vault check`", ("vault", "check"), "check")):
        took, peak, _ = branchtool(vault, *argv)
        goal = "< 2 s" if key == "check" else f"< {scrypt + 0.5:.1f} s (scrypt + 0.5 s)"
        row(what, f"{fig(took, peak)} (+{took - scrypt:.2f} s)", goal + ", < 250 MB", *s(key))
    _, _, mem = probe("memory", str(vault))
    held = mem.get("held_per_doc")
    row("loaded documents", f"{mem['per_doc']:.0f} B each parsed ({mem['documents']} docs, "
        f"{mem['mib']:.0f} MB)" + ("" if held is None else f"; {held:.0f} B each as loaded"),
        "< 1 KB", "(not held: read per query)", "")
    took, peak, sheet = probe("sheet", str(vault), day)
    row("day sheet cold open (services built, screen's rows)", f"{sheet['seconds'] * 1000:.0f} ms"
        f" ({sheet['people']} people; process {peak:.0f} MB)", "< 100 ms", *s("sheet"))
    if not args.skip_office:
        took, age_s, size = office_import(args.bundles)
        ratio = f"{took / age_s:.1f}x `age -d` ({age_s:.2f} s)" if age_s else "no `age`"
        row(f"office import, {args.bundles} bundles ({size / 2**20:.0f} MiB)",
            f"{took:.2f} s, {size / 2**20 / took:.0f} MiB/s, {ratio}", "< 3 s, < 5x")


def daily_rows(vault: Path, day: str, days: int = 5) -> None:
    """The vault after ``days`` days of daily use, on a copy: what backups cost."""
    work = Path(tempfile.mkdtemp(prefix="bench-scale-daily-"))
    try:
        copy = work / "vault"
        shutil.copytree(vault, copy)
        _, _, found = probe("daily", str(copy), day, str(days))
        data, backups = disk_usage(copy / "data", copy / "backups")
        closes = ", ".join(f"{c:.1f}" for c in found["closes"])
        row(f"... after {days} days of use (a day's check-ins, then lock)",
            f"{mb(data + backups)} ({mb(data)} + {mb(backups)}); each lock {closes} s",
            "< 150 MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def sqlite_rows(vault: Path, day: str) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {"sqlite": {}, "sqlcipher": {}}
    work = Path(tempfile.mkdtemp(prefix="bench-scale-sql-"))
    try:
        rows = work / "rows.jsonl"  # plaintext: synthetic demo data, deleted below
        probe("rows", str(vault), str(rows))
        try:
            import sqlcipher3  # type: ignore[import-not-found]  # noqa: F401
            kinds = [("sqlite", ""), ("sqlcipher", "bench key")]
        except ImportError:
            kinds = [("sqlite", "")]
            out["sqlcipher"] = dict.fromkeys(
                ("build", "size", "summary", "roster", "check", "sheet"),
                "(sqlcipher3 not installed)")
        for kind, key in kinds:
            db = work / f"{kind}.db"
            took, peak, _ = probe("sql_build", str(rows), str(db), key)
            out[kind]["build"] = fig(took, peak) + " (insert only)"
            out[kind]["size"] = mb(db.stat().st_size) + " (no backups)"
            for what in ("summary", "roster", "check", "sheet"):
                took, peak, res = probe("sql_query", str(db), key, what, day)
                if what == "sheet":
                    out[kind][what] = f"{res['seconds'] * 1000:.0f} ms"
                else:
                    out[kind][what] = fig(took, peak)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


if __name__ == "__main__":
    main()

"""Store benchmark: branchtool's journaled encrypted store vs stock TinyDB.

    python -m bench.store [--sizes 1000,10000,100000,1000000] [--year-people 3000]

For each partition size (documents of about 250 bytes, health check-in
shape) it prints single-insert and single-update latency (p50/p95), search
(a TinyDB query no index serves: a scan), ``find`` by a field (copies) and a
TinyDB equality query on a field (``where(f) == v``: the store's hash index
behind TinyDB's API), vault open time with and
without scrypt, compaction time and peak RSS — beside stock TinyDB with its
JSONStorage (unencrypted) on the same documents, as the ratio ours/stock. Each
size runs in its own process so peak RSS is that size's. Then it builds a year
of daily check-ins (12 monthly partitions) and times opening that vault.
Figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tinydb import Query, TinyDB

from bench.timing import fsync_median, peak_rss_mb, sync_disks
from storage.store import Store
from storage.vault import Vault

PW = "bench passphrase"
WORK_FACTOR = 18
SAMPLES = 200
# The scan timed: a query no index serves (a fever search), on every document.
FEVER = Query().temperature >= 37.3


def checkin(i: int, rng: random.Random, day: str = "2026-11-15") -> dict:
    return {
        "person": f"P{i % 3000:05d}",
        "date": day,
        "temperature": round(rng.uniform(36.0, 37.6), 1),
        "symptoms": [] if rng.random() < 0.95 else ["dry_cough"],
        "location": "on_campus" if rng.random() < 0.7 else "home",
        "province": "北京市", "city": "海淀区",
        "risk_travel": False, "contact": False, "isolation": "none",
        "source": "self", "note": "",
        "entered_at": "2026-11-15T08:12:33.120Z",
    }


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def _mb(value: float | None) -> str:
    return f"{value:7.0f}" if value is not None else f"{'?':>7}"


def open_beyond_scrypt(path: Path, partitions: list[str]) -> tuple[float, float]:
    """Time what opening costs after scrypt: the signing key, state.age, the
    journal replay, then loading ``partitions``. Returns (open, open+load)."""
    identity = Vault._unwrap_identity(path, PW, 22)
    info = Vault.read_info(path)
    t0 = time.perf_counter()
    encrypt, decrypt = Vault._ciphers(identity, info["recipient"])
    decrypt((path / "signing.age").read_bytes())
    store = Store(path / "data", encrypt, decrypt)
    opened = time.perf_counter() - t0
    for name in partitions:
        store.partition(name)
    loaded = time.perf_counter() - t0
    store.close(compact=False)
    return opened, loaded


def bench_ours(size: int, folder: Path) -> dict:
    rng = random.Random(size)
    path = folder / "vault"
    vault = Vault.create(path, PW, work_factor=WORK_FACTOR, compact_frames=10**9,
                         compact_bytes=1 << 40)
    part = vault.partition("checkins/2026-11")
    for start in range(0, size, 10_000):
        part.insert_many(checkin(i, rng) for i in range(start, min(size, start + 10_000)))
    start = time.perf_counter()
    vault.compact()
    compaction = time.perf_counter() - start
    vault.close()

    start = time.perf_counter()
    vault = Vault.open(path, PW, compact_frames=10**9, compact_bytes=1 << 40)
    part = vault.partition("checkins/2026-11")
    open_total = time.perf_counter() - start
    ids = part.ids()
    sync_disks()  # let the snapshot's write-back finish: it would slow the first fsyncs
    fsync = fsync_median(folder, 50)

    # Time each insert's own fsync too, to tell our work from the disk's.
    io = vault.store.io
    plain_fsync, fsynced = io.fsync, [0.0]

    def timed_fsync(handle: object) -> None:
        t = time.perf_counter()
        plain_fsync(handle)  # type: ignore[arg-type]
        fsynced[0] += time.perf_counter() - t

    io.fsync = timed_fsync  # type: ignore[method-assign]
    inserts, updates, beyond = [], [], []
    for i in range(SAMPLES):
        doc = checkin(size + i, rng)
        fsynced[0] = 0.0
        t0 = time.perf_counter()
        part.insert(doc)
        inserts.append(time.perf_counter() - t0)
        beyond.append(inserts[-1] - fsynced[0])
    io.fsync = plain_fsync  # type: ignore[method-assign]
    for _ in range(SAMPLES):
        rid = rng.choice(ids)
        t0 = time.perf_counter()
        part.update(rid, {"temperature": 36.5})
        updates.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    part.search(FEVER)
    scan = time.perf_counter() - t0
    part.find(person="P00042")  # builds the index
    t0 = time.perf_counter()
    for k in range(100):
        part.find(person=f"P{k:05d}")
    indexed = (time.perf_counter() - t0) / 100
    t0 = time.perf_counter()
    for k in range(100):
        part.search(Query().person == f"P{k:05d}")
    queried = (time.perf_counter() - t0) / 100
    vault.close(compact=False)

    lazy, loaded = open_beyond_scrypt(path, ["checkins/2026-11"])
    return {
        "insert_p50": percentile(inserts, 0.5), "insert_p95": percentile(inserts, 0.95),
        "beyond_fsync_p95": percentile(beyond, 0.95),
        "update_p50": percentile(updates, 0.5), "update_p95": percentile(updates, 0.95),
        "search_scan": scan, "search_indexed": indexed, "search_equal": queried,
        "open_with_scrypt": open_total, "open_without_scrypt": loaded,
        "open_lazy_without_scrypt": lazy,
        "compaction": compaction, "rss_mb": peak_rss_mb(), "fsync": fsync,
    }


def bench_stock(size: int, folder: Path, samples: int) -> dict:
    rng = random.Random(size)
    path = folder / "stock.json"
    db = TinyDB(path)
    db.insert_multiple(checkin(i, rng) for i in range(size))
    db.close()
    t0 = time.perf_counter()
    db = TinyDB(path)
    db.all()
    opened = time.perf_counter() - t0
    inserts, updates = [], []
    for i in range(samples):
        doc = checkin(size + i, rng)
        t0 = time.perf_counter()
        db.insert(doc)
        inserts.append(time.perf_counter() - t0)
    for _ in range(samples):
        doc_id = rng.randint(1, size)
        t0 = time.perf_counter()
        db.update({"temperature": 36.5}, doc_ids=[doc_id])
        updates.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    db.search(FEVER)
    scan = time.perf_counter() - t0
    t0 = time.perf_counter()
    for k in range(10):
        db.search(Query().person == f"P{k:05d}")
    queried = (time.perf_counter() - t0) / 10
    db.close()
    return {"insert_p50": percentile(inserts, 0.5), "insert_p95": percentile(inserts, 0.95),
            "update_p50": percentile(updates, 0.5), "update_p95": percentile(updates, 0.95),
            "search_scan": scan, "search_equal": queried, "open": opened}


def bench_year(people: int, folder: Path) -> dict:
    rng = random.Random(2026)
    path = folder / "year"
    vault = Vault.create(path, PW, work_factor=WORK_FACTOR, compact_frames=10**9,
                         compact_bytes=1 << 40)
    total = 0
    for month in range(1, 13):
        part = vault.partition(f"checkins/2026-{month:02d}")
        days = 30
        for day in range(1, days + 1):
            stamp = f"2026-{month:02d}-{day:02d}"
            part.insert_many(checkin(i, rng, stamp) for i in range(people))
            total += people
        vault.compact()
    roster = vault.partition("roster")
    roster.insert_many({"name": f"n{i}", "person": f"P{i:05d}"} for i in range(people))
    vault.close()
    t0 = time.perf_counter()
    vault = Vault.open(path, PW)
    vault.partition("roster")
    current = vault.partition("checkins/2026-12")
    open_total = time.perf_counter() - t0
    assert len(current) == people * 30
    vault.close(compact=False)
    t0 = time.perf_counter()
    Vault._unwrap_identity(path, PW, 22)
    scrypt = time.perf_counter() - t0
    _, beyond = open_beyond_scrypt(path, ["roster", "checkins/2026-12"])
    return {"documents": total, "open_with_scrypt": open_total,
            "open_without_scrypt": beyond, "scrypt": scrypt}


def child(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.child == "year":
            result = bench_year(args.year_people, folder)
        else:
            size = int(args.child)
            ours = bench_ours(size, folder)
            result = {"size": size, "fsync": ours["fsync"], "ours": ours}
            stock_samples = {1000: 50, 10_000: 20, 100_000: 5}.get(size)
            if stock_samples:
                result["stock"] = bench_stock(size, folder, stock_samples)
    print(json.dumps(result))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--year-people", type=int, default=3000)
    parser.add_argument("--skip-year", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    def run(what: str) -> dict:
        out = subprocess.run([sys.executable, "-m", "bench.store", "--child", what,
                              "--year-people", str(args.year_people)],
                             capture_output=True, text=True, check=True,
                             cwd=Path(__file__).resolve().parents[1])
        return json.loads(out.stdout.strip().splitlines()[-1])

    print("branchtool store vs stock TinyDB (JSONStorage, unencrypted); times in ms")
    print(f"{'docs':>9} {'':6} {'ins p50':>8} {'ins p95':>8} {'upd p50':>8} {'upd p95':>8} "
          f"{'search':>8} {'find':>8} {'where==':>8} {'open':>8} {'open+scr':>8} "
          f"{'compact':>8} {'RSS MB':>7}")
    for size in (int(s) for s in args.sizes.split(",")):
        r = run(str(size))
        o = r["ours"]
        print(f"{size:>9} {'ours':6} {ms(o['insert_p50'])} {ms(o['insert_p95'])} "
              f"{ms(o['update_p50'])} {ms(o['update_p95'])} {ms(o['search_scan'])} "
              f"{ms(o['search_indexed'])} {ms(o['search_equal'])} {ms(o['open_without_scrypt'])} "
              f"{ms(o['open_with_scrypt'])} {ms(o['compaction'])} {_mb(o['rss_mb'])}")
        s = r.get("stock")
        if s:
            print(f"{'':>9} {'stock':6} {ms(s['insert_p50'])} {ms(s['insert_p95'])} "
                  f"{ms(s['update_p50'])} {ms(s['update_p95'])} {ms(s['search_scan'])} "
                  f"{'':>8} {ms(s['search_equal'])} {ms(s['open'])}")
            ratio = (f"{o['insert_p50'] / s['insert_p50']:.4f}",
                     f"{o['update_p50'] / s['update_p50']:.4f}",
                     f"{o['search_scan'] / s['search_scan']:.2f}")
            print(f"{'':>9} {'ratio':6} {ratio[0]:>8} {'':>8} {ratio[1]:>8} {'':>8} "
                  f"{ratio[2]:>8} {'':>8} {o['search_equal'] / s['search_equal']:>8.4f}"
                  f"   (ours/stock; insert {s['insert_p50'] / o['insert_p50']:.0f}x"
                  f" faster)")
        else:
            print(f"{'':>9} {'stock':6} not run: stock TinyDB rewrites the whole file per write")
        print(f"{'':>9} one fsync on this disk: {ms(r['fsync']).strip()} ms (median); insert p95"
              f" without its own fsync: {ms(o['beyond_fsync_p95']).strip()} ms")
    if not args.skip_year:
        y = run("year")
        print(f"year of daily check-ins, {args.year_people} people ({y['documents']:,} documents"
              f" in 12 monthly partitions): open {ms(y['open_without_scrypt']).strip()} ms "
              f"beyond scrypt ({ms(y['open_with_scrypt']).strip()} ms with scrypt "
              f"{ms(y['scrypt']).strip()} ms), roster and current month loaded")


if __name__ == "__main__":
    main()

"""Benchmark branchtool's age and minisign against the reference binaries.

Run from the repository root:  python -m bench.formats

Prints one table; each row puts branchtool's figure beside the same operation
done by Debian's `age` / `minisign` in the same run, and the ratio as
"speed vs ref" (branchtool's speed divided by the reference's: 1.00x = as
fast, 0.50x = half as fast). Reference timings are whole processes run with
subprocess, so they include process start; branchtool's are in-process calls.
Each figure is the best of a few repetitions. Not a test: nothing is asserted.
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from storage import minisign

PAYLOAD = 64 * 1024 * 1024  # 64 MiB
SMALL = 1024
SIGNED = 1024 * 1024  # 1 MiB
WORK_FACTOR = 18
PASSPHRASE = "correct horse battery staple"
MB = 1_000_000


@dataclass
class Row:
    operation: str
    unit: str
    ours: float | None
    ref: float | None
    ref_label: str
    higher_is_better: bool
    note: str = ""

    def ratio(self) -> str:
        if self.ours is None or self.ref is None or self.ours == 0 or self.ref == 0:
            return "n/a"
        r = self.ours / self.ref if self.higher_is_better else self.ref / self.ours
        return f"{r:.2f}x"


def best_of(n: int, fn: Callable[[], object]) -> float:
    """Fastest wall time of ``n`` calls, in seconds."""
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def mean_of(n: int, fn: Callable[[], object]) -> float:
    """Mean wall time per call over ``n`` calls (after one warm-up), in seconds."""
    fn()
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n


def run(args: list[str], *, input: bytes | None = None) -> bytes:
    r = subprocess.run(
        args,
        input=input,
        stdin=subprocess.DEVNULL if input is None else None,
        capture_output=True,
        check=False,
        timeout=120,
    )
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {r.stderr.decode(errors='replace').strip()}")
    return r.stdout


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if value >= 100:
        return f"{value:,.0f} {unit}"
    if value >= 10:
        return f"{value:.1f} {unit}"
    return f"{value:.2f} {unit}"


# --- age through a pseudo-terminal (the passphrase prompt) ---------------------


def age_with_passphrase_pty(age_bin: str, args: list[str], passphrase: str) -> None:
    """Run ``age <args>`` on a fresh pty, typing the passphrase at each prompt
    (age reads passphrases from the terminal, never from stdin)."""
    from tests.ptykit import run_in_pty  # Unix only; the bench runs on Linux

    status, out = run_in_pty([age_bin, *args], passphrase)
    if status != 0:
        raise RuntimeError(f"age via pty failed: {out.decode(errors='replace').strip()!r}")


# --- the measurements ---------------------------------------------------------


def bench_age(tmp: Path, age_bin: str | None, rows: list[Row], notes: list[str]) -> None:
    needed = (
        "generate_identity",
        "encrypt",
        "decrypt",
        "encrypt_stream",
        "decrypt_stream",
        "encrypt_with_passphrase",
        "decrypt_with_passphrase",
        "X25519Identity",
        "X25519Recipient",
    )
    try:
        from storage import age

        missing = [name for name in needed if not hasattr(age, name)]
        if missing:
            raise ImportError(f"storage.age lacks {', '.join(missing)}")
    except Exception as e:  # the module may not exist yet
        notes.append(f"storage.age unavailable ({type(e).__name__}: {e})")
        for op, unit, better in (
            ("age encrypt 64 MiB, X25519", "MB/s", True),
            ("age decrypt 64 MiB, X25519", "MB/s", True),
            ("age X25519 encrypt+decrypt 1 KiB", "µs", False),
            (f"age scrypt unlock, work factor {WORK_FACTOR}", "s", False),
        ):
            rows.append(Row(op, unit, None, None, "-", better, "storage.age missing"))
        return

    identity, recipient = age.generate_identity()
    key_file = tmp / "key.txt"
    key_file.write_text(f"# bench identity\n{identity}\n", encoding="ascii")
    plain = tmp / "payload.bin"
    plain.write_bytes(os.urandom(PAYLOAD))

    # 64 MiB encrypt / decrypt, file to file.
    ours_ct = tmp / "ours.age"
    ours_out = tmp / "ours.out"

    def ours_encrypt() -> None:
        with plain.open("rb") as src, ours_ct.open("wb") as dst:
            age.encrypt_stream(src, dst, [recipient])

    def ours_decrypt() -> None:
        with ours_ct.open("rb") as src, ours_out.open("wb") as dst:
            age.decrypt_stream(src, dst, [identity])

    enc = best_of(3, ours_encrypt)
    dec = best_of(3, ours_decrypt)
    if ours_out.read_bytes() != plain.read_bytes():
        raise RuntimeError("branchtool decrypt returned different bytes")

    ref_enc = ref_dec = None
    if age_bin:
        ref_ct = tmp / "ref.age"
        ref_out = tmp / "ref.out"
        ref_enc = best_of(3, lambda: run([age_bin, "-r", recipient, "-o", str(ref_ct), str(plain)]))
        ref_dec = best_of(
            3, lambda: run([age_bin, "-d", "-i", str(key_file), "-o", str(ref_out), str(ref_ct)])
        )
        # Cross-check: each side opens what the other wrote.
        run([age_bin, "-d", "-i", str(key_file), "-o", str(ref_out), str(ours_ct)])
        if ref_out.read_bytes() != plain.read_bytes():
            raise RuntimeError("age -d returned different bytes for branchtool's file")
        for p in (ref_ct, ref_out):
            p.unlink()
    for p in (ours_out,):
        p.unlink()
    rows.append(
        Row(
            "age encrypt 64 MiB, X25519",
            "MB/s",
            PAYLOAD / MB / enc,
            PAYLOAD / MB / ref_enc if ref_enc else None,
            "age -r",
            True,
        )
    )
    rows.append(
        Row(
            "age decrypt 64 MiB, X25519",
            "MB/s",
            PAYLOAD / MB / dec,
            PAYLOAD / MB / ref_dec if ref_dec else None,
            "age -d -i",
            True,
        )
    )
    plain.unlink()
    ours_ct.unlink()

    # 1 KiB X25519 round trip (identity and recipient parsed once, as the vault does).
    msg = os.urandom(SMALL)
    rcpt = age.X25519Recipient.parse(recipient)
    ident = age.X25519Identity.parse(identity)

    def ours_small() -> None:
        if age.decrypt(age.encrypt(msg, [rcpt]), [ident]) != msg:
            raise RuntimeError("1 KiB round trip failed")

    small = mean_of(300, ours_small)
    ref_small = None
    if age_bin:

        def ref_round_trip() -> None:
            ct = run([age_bin, "-r", recipient], input=msg)
            if run([age_bin, "-d", "-i", str(key_file)], input=ct) != msg:
                raise RuntimeError("age 1 KiB round trip failed")

        ref_small = mean_of(20, ref_round_trip)
    rows.append(
        Row(
            "age X25519 encrypt+decrypt 1 KiB",
            "µs",
            small * 1e6,
            ref_small * 1e6 if ref_small else None,
            "age -r | age -d",
            False,
            "ref: 2 process starts",
        )
    )

    # scrypt unlock: decrypt a small passphrase-encrypted file (an identity.age).
    locked = tmp / "identity.age"
    locked.write_bytes(
        age.encrypt_with_passphrase(key_file.read_bytes(), PASSPHRASE, work_factor=WORK_FACTOR)
    )
    unlock = best_of(3, lambda: age.decrypt_with_passphrase(locked.read_bytes(), PASSPHRASE))
    ref_unlock = None
    ref_note = ""
    if age_bin:
        out = tmp / "identity.out"
        try:
            ref_unlock = best_of(
                3,
                lambda: age_with_passphrase_pty(
                    age_bin, ["-d", "-o", str(out), str(locked)], PASSPHRASE
                ),
            )
            if out.read_bytes() != key_file.read_bytes():
                raise RuntimeError("age -d (passphrase) returned different bytes")
            ref_note = "ref: passphrase typed on a pty"
        except Exception as e:  # driving a terminal can fail in odd environments
            ref_note = "ref: pty failed"
            notes.append(f"age -d with a passphrase through a pty failed: {e}")
    rows.append(
        Row(
            f"age scrypt unlock, work factor {WORK_FACTOR}",
            "s",
            unlock,
            ref_unlock,
            "age -d (pty)",
            False,
            ref_note,
        )
    )


def bench_minisign(tmp: Path, minisign_bin: str | None, rows: list[Row]) -> None:
    data_file = tmp / "signed.bin"
    data_file.write_bytes(os.urandom(SIGNED))
    secret, pub_text = minisign.generate_keypair()
    comment = "timestamp:1700000000\tfile:signed.bin\thashed"

    sig_text = minisign.sign_file(data_file, secret, comment)
    sign_s = best_of(20, lambda: minisign.sign_file(data_file, secret, comment))
    verify_s = best_of(20, lambda: minisign.verify_file(data_file, sig_text, pub_text))

    ref_sign = ref_verify = None
    if minisign_bin:
        pub, key = tmp / "ref.pub", tmp / "ref.key"
        run([minisign_bin, "-G", "-W", "-p", str(pub), "-s", str(key)])
        sig = tmp / "signed.bin.minisig"
        sign_args = [minisign_bin, "-S", "-s", str(key), "-m", str(data_file), "-t", comment]
        ref_sign = best_of(10, lambda: run(sign_args))
        ref_verify = best_of(
            10, lambda: run([minisign_bin, "-V", "-p", str(pub), "-m", str(data_file)])
        )
        # Cross-check both ways on this very file.
        if minisign.verify_file(data_file, sig.read_text(), pub.read_text()) != comment:
            raise RuntimeError("branchtool did not verify minisign's signature")
        sig.write_text(sig_text)
        (tmp / "ours.pub").write_text(pub_text)
        run([minisign_bin, "-V", "-p", str(tmp / "ours.pub"), "-m", str(data_file)])
    rows.append(
        Row(
            "minisign sign 1 MiB (ED)",
            "ms",
            sign_s * 1e3,
            ref_sign * 1e3 if ref_sign else None,
            "minisign -S",
            False,
        )
    )
    rows.append(
        Row(
            "minisign verify 1 MiB (ED)",
            "ms",
            verify_s * 1e3,
            ref_verify * 1e3 if ref_verify else None,
            "minisign -V",
            False,
        )
    )


def process_start(binary: str | None, args: list[str]) -> float | None:
    if not binary:
        return None
    return statistics.median(best_of(1, lambda: run([binary, *args])) for _ in range(10))


def version(binary: str | None, flag: str) -> str:
    if not binary:
        return "not installed"
    try:
        return run([binary, flag]).decode().strip().splitlines()[0]
    except Exception:
        return "unknown version"


def main() -> int:
    age_bin = shutil.which("age")
    minisign_bin = shutil.which("minisign")
    rows: list[Row] = []
    notes: list[str] = []
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-formats-") as d:
        tmp = Path(d)
        bench_age(tmp, age_bin, rows, notes)
        bench_minisign(tmp, minisign_bin, rows)
    age_start = process_start(age_bin, ["--version"])
    minisign_start = process_start(minisign_bin, ["-v"])
    elapsed = time.perf_counter() - t0

    import cryptography

    print(
        f"branchtool formats bench — Python {platform.python_version()}, "
        f"cryptography {cryptography.__version__}; reference: age "
        f"{version(age_bin, '--version')}, {version(minisign_bin, '-v')}"
    )
    header = ("operation", "branchtool", "reference", "ref command", "speed vs ref", "note")
    table = [header] + [
        (r.operation, fmt(r.ours, r.unit), fmt(r.ref, r.unit), r.ref_label, r.ratio(), r.note)
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    aligns = ["<", ">", ">", "<", ">", "<"]
    for i, row in enumerate(table):
        cells = zip(row, aligns, widths, strict=True)
        print("  ".join(f"{cell:{a}{w}}" for cell, a, w in cells).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    age_ms = fmt(age_start * 1e3 if age_start else None, "ms")
    minisign_ms = fmt(minisign_start * 1e3 if minisign_start else None, "ms")
    for line in (
        "speed vs ref = branchtool speed / reference speed (1.00x = same, >1 = branchtool faster).",
        "Reference figures time whole processes (subprocess), process start included:",
        f"  age starts in {age_ms}, minisign in {minisign_ms} (median of 10 runs of --version/-v);",
        "  that dominates the 1 KiB and 1 MiB rows. branchtool figures are in-process calls.",
        "64 MiB: file to file in a temp dir, MB = 10^6 bytes, best of 3. 1 KiB: mean of 300",
        "  (branchtool, keys parsed once) / 20 (age). sign/verify: best of 20 / 10, file read",
        "  included. scrypt: best of 3; age gets the passphrase typed on a pseudo-terminal.",
    ):
        print(line)
    for note in notes:
        print(f"note: {note}")
    print(f"total bench time {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

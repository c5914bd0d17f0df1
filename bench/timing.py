"""Timing helpers the benchmarks share: formatting, percentiles, cold and
warm runs, and the store's fsync timed apart from its own work."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def ms(seconds: float) -> str:
    """``"  12.3 ms"``: seconds as milliseconds, right-aligned."""
    return f"{seconds * 1000:7.1f} ms"


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank ``q`` quantile (0..1) of ``values``."""
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def peak_rss_mb() -> float | None:
    """This process's peak resident memory in MiB, or None where it cannot be
    read. ``resource`` is POSIX only (ru_maxrss: KiB on Linux, bytes on
    macOS); Windows reports the peak working set through psapi."""
    try:
        import resource
    except ImportError:
        return _windows_peak_working_set_mb()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _windows_peak_working_set_mb() -> float | None:
    if sys.platform != "win32":
        return None
    import ctypes
    from ctypes import wintypes

    class Counters(ctypes.Structure):
        _fields_ = [("cb", wintypes.DWORD), ("PageFaultCount", wintypes.DWORD),
                    *((name, ctypes.c_size_t) for name in (
                        "PeakWorkingSetSize", "WorkingSetSize", "QuotaPeakPagedPoolUsage",
                        "QuotaPagedPoolUsage", "QuotaPeakNonPagedPoolUsage",
                        "QuotaNonPagedPoolUsage", "PagefileUsage", "PeakPagefileUsage"))]

    counters = Counters()
    counters.cb = ctypes.sizeof(Counters)
    process = ctypes.windll.kernel32.GetCurrentProcess()  # type: ignore[attr-defined]
    if not ctypes.windll.psapi.GetProcessMemoryInfo(  # type: ignore[attr-defined]
            process, ctypes.byref(counters), counters.cb):
        return None
    return counters.PeakWorkingSetSize / (1024 * 1024)


def rss_text() -> str:
    """``"peak RSS 123 MB"``, or ``"peak RSS unknown"``."""
    peak = peak_rss_mb()
    return "peak RSS unknown" if peak is None else f"peak RSS {peak:.0f} MB"


def sync_disks() -> None:
    """``os.sync()`` where there is one (POSIX): lets earlier write-back finish
    before a timing; Windows has no such call and flushes per file."""
    sync = getattr(os, "sync", None)
    if sync is not None:
        sync()


def timed(run: Callable[[], T]) -> tuple[T, float]:
    """``run()``'s result and how long it took, in seconds."""
    t0 = time.perf_counter()
    result = run()
    return result, time.perf_counter() - t0


def cold_and_warm(run: Callable[[], T], repeats: int = 20) -> tuple[T, float, float]:
    """The first run's result and time (cold), then the median of ``repeats``
    more runs (warm), in seconds."""
    result, cold = timed(run)
    warm = [timed(run)[1] for _ in range(repeats)]
    return result, cold, statistics.median(warm)


class FsyncTimer:
    """Wraps a store's ``io.fsync`` to time and count it; ``restore()`` puts
    the real one back."""

    def __init__(self, io: Any) -> None:
        self.io, self.real = io, io.fsync
        self.count, self.seconds = 0, 0.0
        io.fsync = self

    def reset(self) -> None:
        self.count, self.seconds = 0, 0.0

    def restore(self) -> None:
        self.io.fsync = self.real

    def __call__(self, *args: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return self.real(*args)
        finally:
            self.seconds += time.perf_counter() - t0
            self.count += 1


def fsync_median(folder: Path, times: int = 30) -> float:
    """The median time of fsyncing a small append in ``folder`` (this disk)."""
    probe = Path(folder) / "fsync.probe"
    seconds = []
    with open(probe, "ab", buffering=0) as handle:
        for _ in range(times):
            handle.write(b"x" * 300)
            t0 = time.perf_counter()
            os.fsync(handle.fileno())
            seconds.append(time.perf_counter() - t0)
    probe.unlink()
    return statistics.median(seconds)

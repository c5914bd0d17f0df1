"""Timing helpers the benchmarks share: formatting, percentiles, cold and
warm runs, and the store's fsync timed apart from its own work."""

from __future__ import annotations

import os
import statistics
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

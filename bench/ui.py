"""UI benchmark: the roster list at 300, 3,000 and 30,000 people.

    python -m bench.ui [--sizes 300,3000,30000] [--keys 60]

For each size it builds a demo vault, then drives the real app headless
(Textual's Pilot, 120x40) and prints:

- first paint: from unlocking (scrypt excluded: it is timed on its own and
  subtracted) to the first paint of the unlocked roster, which includes
  decrypting the roster and building its search keys;
- keystroke: from a key pressed in the search box to the filtered list
  painted, median and p95 (typing and deleting "zhang" and "li", "138");
- page: from Page Down in the list to the next page painted, median and p95
  (Home at the end of the list, which also repaints a whole page).

Goals at 3,000: first paint < 1 s, keystroke < 16 ms; at 30,000: keystroke
< 50 ms. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from branchtool import demo
from branchtool.session import Session
from screens.app import BranchApp
from screens.record_table import RecordTable
from storage import age

WORK_FACTOR = 10
SIZE = (120, 40)
TODAY = dt.date(2024, 6, 1)
TYPED = ["z", "h", "a", "n", "g", "backspace", "backspace", "backspace", "backspace",
         "backspace", "l", "i", "backspace", "backspace", "1", "3", "8", "backspace",
         "backspace", "backspace"]

paints: list[float] = []
_render_lines = RecordTable.render_lines


def _timed_render_lines(self, crop):  # type: ignore[no-untyped-def]
    lines = _render_lines(self, crop)
    if self.id == "roster-table" and self.rows:
        paints.append(time.perf_counter())
    return lines


RecordTable.render_lines = _timed_render_lines  # type: ignore[method-assign]


async def _painted_after(pilot, started: float, timeout: float = 10.0) -> float:  # type: ignore[no-untyped-def]
    """Seconds from ``started`` to the first roster paint after it."""
    deadline = time.perf_counter() + timeout
    while not (paints and paints[-1] > started):
        if time.perf_counter() > deadline:
            raise TimeoutError("the roster was not painted")
        await pilot.pause(0)
    return next(p for p in paints if p > started) - started


def _scrypt_seconds(path: Path) -> float:
    raw = (path / "identity.age").read_bytes()
    started = time.perf_counter()
    age.decrypt_with_passphrase(raw, demo.PASSPHRASE)
    return time.perf_counter() - started


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered) * 1000:6.1f} ms, p95 {p95 * 1000:6.1f} ms"


async def measure(path: Path, keys: int) -> tuple[float, list[float], list[float], int]:
    session = Session(path, work_factor=WORK_FACTOR)
    scrypt = _scrypt_seconds(path)
    paints.clear()
    started = time.perf_counter()
    session.unlock(demo.PASSPHRASE)
    app = BranchApp(session, today=lambda: TODAY, idle_seconds=3600)
    async with app.run_test(size=SIZE) as pilot:
        first = await _painted_after(pilot, started) - scrypt
        table = app.screen.query_one("#roster-table", RecordTable)
        count = len(table.rows)

        await pilot.press("ctrl+f")
        keystrokes = []
        for i in range(keys):
            t0 = time.perf_counter()
            await pilot.press(TYPED[i % len(TYPED)])
            keystrokes.append(await _painted_after(pilot, t0))

        app.screen.query_one("#roster-search").value = ""
        await pilot.pause()
        table.focus()
        pages = []
        for _ in range(keys):
            at_end = table.cursor + table.page >= len(table.rows)
            t0 = time.perf_counter()
            await pilot.press("home" if at_end else "pagedown")  # back to the top at the end
            pages.append(await _painted_after(pilot, t0))
    session.lock()
    return first, keystrokes, pages, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="300,3000,30000")
    parser.add_argument("--keys", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            path = Path(tmp) / f"demo-{size}"
            built = time.perf_counter()
            demo.build(path, people=size, days=1, seed=1, today=TODAY,
                       work_factor=WORK_FACTOR).lock()
            built = time.perf_counter() - built
            first, keystrokes, pages, shown = asyncio.run(measure(path, args.keys))
            print(f"roster {size:>6,} people ({shown:,} active, built in {built:.1f} s): "
                  f"first paint {first:.3f} s | keystroke {_ms(keystrokes)} | "
                  f"page down {_ms(pages)}", flush=True)


if __name__ == "__main__":
    main()

"""The long fuzzing run: the properties of tests/test_fuzz_*.py (all defined in
the ``tests/fuzz/`` package) with many more examples per target.

Run from the repository root:

    python -m bench.fuzz                      # every target, 3000 examples each
    python -m bench.fuzz --examples 20000 age minisign
    python -m bench.fuzz --seconds 600        # as many as 10 minutes allow, shared
    python -m bench.fuzz --seconds 600 --examples 5000   # whichever comes first

Prints, per target: iterations run, distinct failures (an exception's type and
the innermost frame it was raised in; an invariant broken is an
AssertionError at its line in tests/fuzz), examples that failed, and the time
taken; then one line per distinct failure with how often it happened and the
first example. A failure does not stop the run. Each example runs under a
time limit and a memory limit (a runaway allocation is a MemoryError, not the
OOM killer). Exits 0 (it is a measurement, not a test); ``--strict`` exits 1
when anything failed.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from tests import fuzz

PER_EXAMPLE_SECONDS = 60.0


class _TimeUp(BaseException):
    """Raised through Hypothesis (which lets BaseException pass) to end a target."""


@dataclass
class Failure:
    count: int = 0
    example: str = ""
    trace: str = ""


@dataclass
class Tally:
    iterations: int = 0
    failing: int = 0
    seconds: float = 0.0
    setup: float = 0.0
    failures: dict[str, Failure] = field(default_factory=dict)
    per_prop: dict[str, int] = field(default_factory=dict)


def run_prop(world: object, prop: fuzz.Prop, examples: int, deadline: float,
             tally: Tally, seed: int | None) -> None:
    def body(ex: object) -> None:
        if time.monotonic() > deadline:
            raise _TimeUp
        tally.iterations += 1
        tally.per_prop[prop.name] = tally.per_prop.get(prop.name, 0) + 1
        try:
            fuzz.run_check(prop, world, ex, PER_EXAMPLE_SECONDS)
        except Exception as exc:  # recorded, not raised: the run goes on
            tally.failing += 1
            key = f"{prop.name}: {fuzz.failure_key(exc)}"
            failure = tally.failures.setdefault(key, Failure())
            failure.count += 1
            if failure.count == 1:
                failure.example = repr(ex)[:600]
                failure.trace = "".join(traceback.format_exception(exc)[-6:])

    runner = settings(max_examples=examples, deadline=None, database=None,
                      derandomize=seed is not None and seed == 0,
                      suppress_health_check=list(HealthCheck))(given(ex=prop.strategy)(body))
    if seed:
        from hypothesis import seed as fix_seed

        runner = fix_seed(seed)(runner)
    try:
        # Hypothesis prints how to reproduce the "failure" that ends a timed run.
        with contextlib.redirect_stdout(io.StringIO()):
            runner()
    except _TimeUp:
        pass
    except Exception as exc:  # Hypothesis itself gave up (e.g. a health check)
        tally.failures.setdefault(f"{prop.name}: runner {type(exc).__name__}",
                                  Failure(1, str(exc)[:600]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    names = [t.name for t in fuzz.TARGETS]
    parser.add_argument("targets", nargs="*", metavar="TARGET",
                        help=f"some of: {', '.join(names)} (default: all)")
    parser.add_argument("--examples", type=int, default=None,
                        help="examples per target, shared among its properties (default 3000; "
                             "with --seconds: no limit but the time)")
    parser.add_argument("--seconds", type=float, default=None,
                        help="time budget for the whole run, shared among the targets")
    parser.add_argument("--seed", type=int, default=None,
                        help="a fixed random seed (0: derandomized); default: random")
    parser.add_argument("--strict", action="store_true", help="exit 1 when anything failed")
    parser.add_argument("--traces", action="store_true", help="print each failure's traceback")
    args = parser.parse_args(argv)
    unknown = set(args.targets) - set(names)
    if unknown:
        parser.error(f"unknown target(s): {', '.join(sorted(unknown))}")
    targets = [t for t in fuzz.TARGETS if not args.targets or t.name in args.targets]
    if args.examples is None:
        args.examples = 3000 if args.seconds is None else 10**8

    print(f"{'target':<10} {'iterations':>10} {'failures':>8} {'failing':>8} {'seconds':>8} "
          f"{'setup s':>8}  per property")
    failed = False
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="branchtool-fuzz-") as tmp:
        for n, target in enumerate(targets):
            tally = Tally()
            t0 = time.monotonic()
            world = target.build(Path(tmp) / target.name)
            tally.setup = time.monotonic() - t0
            if args.seconds is not None:
                left = args.seconds - (time.monotonic() - start)
                budget = max(1.0, left / (len(targets) - n))
            else:
                budget = float("inf")
            t1 = time.monotonic()
            per_prop = max(1, args.examples // len(target.props))
            for i, prop in enumerate(target.props):
                share = budget - (time.monotonic() - t1)
                deadline = time.monotonic() + share / (len(target.props) - i)
                run_prop(world, prop, per_prop, deadline, tally, args.seed)
            tally.seconds = time.monotonic() - t1
            closer = getattr(world, "close", None)
            if closer is not None:
                closer()
            props = ", ".join(f"{k} {v}" for k, v in tally.per_prop.items())
            print(f"{target.name:<10} {tally.iterations:>10} {len(tally.failures):>8} "
                  f"{tally.failing:>8} {tally.seconds:>8.1f} {tally.setup:>8.1f}  {props}",
                  flush=True)
            for key, failure in sorted(tally.failures.items()):
                failed = True
                print(f"    FAIL x{failure.count}: {key}")
                print(f"      first example: {failure.example}")
                if args.traces:
                    print("      " + failure.trace.replace("\n", "\n      "))
    print(f"total {time.monotonic() - start:.1f} s")
    return 1 if failed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())

"""What every fuzz target shares: running an example under a time and memory
limit, the Target/Prop shapes, byte and line mutations, folder digests."""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import signal
import string
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# -- running -------------------------------------------------------------------------

SUITE_SECONDS_PER_EXAMPLE = 30  # a hang is a failure, not a stuck suite


def suite(examples: int) -> settings:
    """The in-suite settings: few examples, reproducible (derandomized, no
    example database), no deadline (the machine may be loaded)."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        print_blob=True,
        suppress_health_check=list(HealthCheck),
    )


class ExampleTimeout(Exception):
    """A check ran longer than its limit (a hang on hostile input)."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ``ExampleTimeout`` in the main thread after ``seconds`` (Unix)."""
    if not hasattr(signal, "setitimer") or seconds <= 0:
        yield
        return

    def _alarm(signum: int, frame: object) -> None:
        raise ExampleTimeout(f"example ran over {seconds:g} s")

    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


MEMORY_HEADROOM = 3 << 30  # an example may grow the process by this much


@contextlib.contextmanager
def memory_limit(headroom: int = MEMORY_HEADROOM) -> Iterator[None]:
    """Make a runaway allocation a ``MemoryError`` in this example rather than
    a machine brought down by the OOM killer (Linux; elsewhere a no-op)."""
    try:
        import resource

        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (ImportError, OSError, ValueError, IndexError):
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = pages * os.sysconf("SC_PAGE_SIZE") + headroom
    for bound in (soft, hard):  # never loosen a limit someone else set
        if bound != resource.RLIM_INFINITY:
            limit = min(limit, bound)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def run_check(prop: Prop, world: Any, example: Any,
              seconds: float = SUITE_SECONDS_PER_EXAMPLE) -> None:
    """One example of a property, under a time and a memory limit."""
    with time_limit(seconds), memory_limit():
        prop.check(world, example)


def failure_key(exc: BaseException) -> str:
    """A failure's identity: its type and the innermost frame it came from."""
    tb = exc.__traceback__
    frame = None
    while tb is not None:
        frame = tb.tb_frame, tb.tb_lineno
        tb = tb.tb_next
    where = "?"
    if frame is not None:
        code, line = frame[0].f_code, frame[1]
        path = Path(code.co_filename)
        short = "/".join(path.parts[-2:])
        where = f"{short}:{line} {code.co_name}"
    return f"{type(exc).__name__} at {where}"


@dataclass
class Prop:
    """One property: a strategy of examples and the check each must pass."""

    name: str
    strategy: st.SearchStrategy[Any]
    check: Callable[[Any, Any], None]  # (world, example)


@dataclass
class Target:
    name: str
    build: Callable[[Path], Any]  # folder -> world
    props: list[Prop]


# -- byte mutations ------------------------------------------------------------------

# Positions: near the start (headers), near the end (tails), or anywhere
# (reduced modulo the length when applied).
_POS = st.one_of(st.integers(0, 400), st.integers(-400, -1), st.integers(0, 1 << 24))


@dataclass(frozen=True)
class Op:
    """One edit of a byte string."""

    kind: str
    at: int = 0
    size: int = 0
    data: bytes = b""

    def apply(self, data: bytes) -> bytes:
        n = len(data)
        at = max(0, n + self.at) if self.at < 0 else self.at % (n + 1)
        if self.kind == "flip":
            if n == 0:
                return data
            at = min(at, n - 1)
            return data[:at] + bytes([data[at] ^ (1 << (self.size % 8))]) + data[at + 1:]
        if self.kind == "set":
            return data[:at] + self.data + data[at + len(self.data):]
        if self.kind == "cut":
            return data[:at]
        if self.kind == "cut_front":
            return data[at:]
        if self.kind == "insert":
            return data[:at] + self.data + data[at:]
        if self.kind == "delete":
            return data[:at] + data[at + self.size:]
        if self.kind == "dup":
            return data[:at + self.size] + data[at:at + self.size] + data[at + self.size:]
        if self.kind == "zero":
            end = min(n, at + self.size)
            return data[:at] + bytes(end - at) + data[end:]
        if self.kind == "append":
            return data + self.data
        raise ValueError(self.kind)


def byte_op() -> st.SearchStrategy[Op]:
    small = st.binary(min_size=1, max_size=16)
    return st.one_of(
        st.builds(Op, st.just("flip"), _POS, st.integers(0, 7)),
        st.builds(Op, st.just("set"), _POS, st.just(0), small),
        st.builds(Op, st.just("cut"), _POS),
        st.builds(Op, st.just("cut_front"), st.integers(1, 64)),
        st.builds(Op, st.just("insert"), _POS, st.just(0), st.binary(min_size=1, max_size=80)),
        st.builds(Op, st.just("delete"), _POS, st.integers(1, 80)),
        st.builds(Op, st.just("dup"), _POS, st.integers(1, 80)),
        st.builds(Op, st.just("zero"), _POS, st.integers(1, 80)),
        st.builds(Op, st.just("append"), st.just(0), st.just(0),
                  st.one_of(small, st.binary(min_size=1, max_size=300))),
    )


def byte_ops(max_ops: int = 4) -> st.SearchStrategy[list[Op]]:
    return st.lists(byte_op(), min_size=1, max_size=max_ops)


def apply_ops(data: bytes, ops: Sequence[Op]) -> bytes:
    for op in ops:
        data = op.apply(data)
    return data


@dataclass(frozen=True)
class LineOp:
    """One edit of a line-oriented text (header, armor, minisign files)."""

    kind: str
    i: int = 0
    j: int = 0
    data: bytes = b""

    def apply(self, text: bytes) -> bytes:
        lines = text.splitlines(keepends=True) or [b""]
        n = len(lines)
        i, j = self.i % n, self.j % n
        if self.kind == "drop":
            del lines[i]
        elif self.kind == "dup":
            lines.insert(i, lines[i])
        elif self.kind == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif self.kind == "replace":
            end = b"\n" if lines[i].endswith(b"\n") else b""
            lines[i] = self.data + end
        elif self.kind == "insert":
            lines.insert(i, self.data + b"\n")
        elif self.kind == "crlf":
            lines[i] = lines[i][:-1] + b"\r\n" if lines[i].endswith(b"\n") else lines[i] + b"\r"
        elif self.kind == "crlf_all":
            lines = [x[:-1] + b"\r\n" if x.endswith(b"\n") and not x.endswith(b"\r\n") else x
                     for x in lines]
        elif self.kind == "strip_eol":
            lines[i] = lines[i].rstrip(b"\r\n")
        elif self.kind == "pad":  # a space or tab at the end of the line
            body = lines[i].rstrip(b"\r\n")
            lines[i] = body + (self.data or b" ") + lines[i][len(body):]
        elif self.kind == "prefix":
            lines[i] = self.data + lines[i]
        elif self.kind == "case":
            lines[i] = lines[i].swapcase()
        elif self.kind == "split":  # break a line in two
            body = lines[i].rstrip(b"\r\n")
            cut = self.j % (len(body) + 1)
            lines[i] = body[:cut] + b"\n" + body[cut:] + lines[i][len(body):]
        elif self.kind == "join":  # glue a line to the next
            if i + 1 < n:
                lines[i] = lines[i].rstrip(b"\r\n") + lines.pop(i + 1)
        elif self.kind == "repeat":  # two lines (a stanza) many times: a bloated header
            # at most 64 MiB more: two long lines of binary (a compressed
            # plaintext has few newlines) 3000 times would exhaust the
            # example's memory in the mutation itself, before any code tested
            pair = lines[i:i + 2]
            most = (64 << 20) // max(1, sum(map(len, pair)))
            lines[i:i] = pair * min(self.j % 3000, most)
        else:
            raise ValueError(self.kind)
        return b"".join(lines)


B64 = string.ascii_letters + string.digits + "+/"


def line_material() -> st.SearchStrategy[bytes]:
    """What a replaced or inserted line holds: garbage, or near-misses of the
    formats' own lines."""
    return st.one_of(
        st.binary(max_size=100),
        st.text(alphabet=B64 + "=-> \t", max_size=90).map(str.encode),
        st.text(max_size=40).map(lambda s: s.encode("utf-8", "surrogatepass")),
        st.sampled_from([
            b"", b" ", b"\t", b"->", b"-> ", b"-> X25519", b"-> scrypt", b"---", b"--- ",
            b"age-encryption.org/v1", b"age-encryption.org/v2",
            b"-----BEGIN AGE ENCRYPTED FILE-----",
            b"-----END AGE ENCRYPTED FILE-----", b"=", b"==", b"A" * 64, b"A" * 65,
            b"untrusted comment: ", b"trusted comment: ", b"trusted comment: changed",
            b"RWQ=", b"\xef\xbb\xbf", b"\x00",
        ]),
    )


def line_op() -> st.SearchStrategy[LineOp]:
    idx = st.integers(0, 1 << 16)
    return st.one_of(
        st.builds(LineOp, st.sampled_from(["drop", "dup", "crlf", "strip_eol", "case"]), idx),
        st.builds(LineOp, st.just("swap"), idx, idx),
        st.builds(LineOp, st.sampled_from(["replace", "insert", "prefix"]), idx, st.just(0),
                  line_material()),
        st.builds(LineOp, st.just("pad"), idx, st.just(0), st.sampled_from([b" ", b"\t", b"  "])),
        st.builds(LineOp, st.just("split"), idx, idx),
        st.builds(LineOp, st.just("join"), idx),
        st.builds(LineOp, st.just("repeat"), idx, st.integers(1, 3000)),
        st.just(LineOp("crlf_all")),
    )


def line_ops(max_ops: int = 3) -> st.SearchStrategy[list[LineOp]]:
    return st.lists(line_op(), min_size=1, max_size=max_ops)


def apply_line_ops(text: bytes, ops: Sequence[LineOp]) -> bytes:
    for op in ops:
        text = op.apply(text)
    return text


def edits(max_ops: int = 4) -> st.SearchStrategy[list[Op | LineOp]]:
    """A mix of byte and line edits."""
    return st.lists(st.one_of(byte_op(), line_op()), min_size=1, max_size=max_ops)


def apply_edits(data: bytes, ops: Sequence[Op | LineOp]) -> bytes:
    for op in ops:
        data = op.apply(data)
    return data


def deterministic_bytes(n: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(n)


def folder_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> content)."""
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def folder_digest(folder: Path) -> dict[str, str]:
    return {name: hashlib.sha256(data).hexdigest()
            for name, data in folder_bytes(folder).items()}


def catalog_has(key: str) -> bool:
    from branchtool import i18n

    return all(key in i18n.catalog(lang) for lang in i18n.LANGUAGES)


def user_error_ok(exc: Exception) -> None:
    from branchtool.errors import UserError

    assert isinstance(exc, UserError)
    assert catalog_has(exc.key), f"error key {exc.key!r} missing from a catalog"
    assert str(exc).strip()

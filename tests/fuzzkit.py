"""Property-based fuzzing of everything that reads hostile bytes: the shared
strategies and invariants.

The in-suite tests (``tests/test_fuzz_*.py``) and the long run
(``bench/fuzz.py``) run the very same properties: each target below is a
*world* (real keys, files, vaults; built once) and a list of properties, each
a Hypothesis strategy and a check. A check raises on a broken promise — an
exception of a type the caller is not meant to get, or an ``AssertionError``
naming the invariant — and returns normally otherwise.

The promises (issue 9, "Fuzzing"): no unhandled exception on any input, and no
state change on any rejected input.

- age: ``decrypt``/``decrypt_stream``/``decrypt_with_passphrase`` raise only
  ``AgeError``; what they return is the original plaintext, never anything
  else; ``decrypt_stream`` releases only a prefix of it before failing.
- minisign: ``verify`` raises only ``MinisignError``; an altered signature,
  trusted comment, key or data never verifies.
- store: opening a damaged journal either gives a state that is a prefix of
  the acknowledged writes (a torn tail cut off, with a notice; the store then
  checks clean and takes a write) or raises ``VaultCorrupt`` leaving every
  file as it was; a damaged ``vault.json``/``identity.age``/``signing.age``
  is refused with a ``StorageError``, the folder unchanged.
- bundles: the office imports a damaged bundle as ``rejected`` with a reason
  both catalogs hold, its store and status byte for byte unchanged; it
  accepts only the genuine bundle or one its branch really signed (and then
  its store checks clean). ``format.unpack``/``decode`` raise only
  ``BundleRejected``; damaged key files and key rotations are a ``UserError``
  and change nothing.
- roster and check-in importers: a plan (bad rows by number and reason) or a
  ``UserError``; committing a plan with nothing to import changes nothing.

Every example runs under a time limit and a memory limit (``run_check``), so
a hang or a runaway allocation is a failure of that example, not a stuck or
killed run.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import os
import random
import shutil
import signal
import string
import tarfile
import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from storage import age, minisign

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


# =====================================================================================
# age
# =====================================================================================

AGE_MAX_WORK_FACTOR = 6  # a mutated work factor costs at most 2**6 scrypt rounds
AGE_PASSPHRASE = "fuzz passphrase"


@dataclass
class AgeSeed:
    name: str
    plaintext: bytes
    data: bytes
    passphrase: str | None  # an scrypt file, else X25519
    armored: bool
    header_size: int  # of the binary form

    def identities(self, world: AgeWorld, *, wrong: bool = False) -> list[Any]:
        if self.passphrase is not None:
            phrase = "not the " + self.passphrase if wrong else self.passphrase
            return [age.ScryptIdentity(phrase, AGE_MAX_WORK_FACTOR)]
        return [world.stranger] if wrong else [world.stranger, world.identity]


@dataclass
class AgeWorld:
    identity: age.X25519Identity
    stranger: age.X25519Identity
    seeds: list[AgeSeed]
    stanza_lines: list[bytes]  # real stanza lines, for the grammar-based garbage

    @classmethod
    def build(cls, root: Path | None = None) -> AgeWorld:
        identity = age.X25519Identity.parse(age.generate_identity()[0])
        stranger = age.X25519Identity.parse(age.generate_identity()[0])
        other = age.X25519Identity.parse(age.generate_identity()[0])
        third = age.X25519Identity.parse(age.generate_identity()[0])
        me = identity.recipient()
        chunk = 64 * 1024
        seeds: list[AgeSeed] = []

        def add(name: str, plaintext: bytes, *, recipients: list[Any] | None = None,
                passphrase: str | None = None, work_factor: int = 2,
                armor: bool = False) -> None:
            if passphrase is not None:
                binary = age.encrypt_with_passphrase(plaintext, passphrase, work_factor)
            else:
                binary = age.encrypt(plaintext, recipients or [me])
            header = binary.index(b"\n", binary.index(b"\n--- ") + 1) + 1
            data = _armor(binary) if armor else binary
            seeds.append(AgeSeed(name, plaintext, data, passphrase, armor, header))

        small = b"branchtool fuzz: \xe6\x94\xaf\xe9\x83\xa8\n"
        add("x25519-empty", b"")
        add("x25519-small", small)
        add("x25519-one-chunk", deterministic_bytes(chunk, 1))
        add("x25519-two-chunks", deterministic_bytes(chunk + 100, 2))
        add("x25519-three-recipients", small * 3,
            recipients=[other.recipient(), me, third.recipient()])
        add("scrypt-2", small, passphrase=AGE_PASSPHRASE, work_factor=2)
        add("scrypt-4", deterministic_bytes(300, 3), passphrase=AGE_PASSPHRASE, work_factor=4)
        add("armor-x25519", small, armor=True)
        add("armor-x25519-two-chunks", deterministic_bytes(chunk + 5, 4), armor=True)
        add("armor-scrypt", small * 2, passphrase=AGE_PASSPHRASE, work_factor=3, armor=True)
        stanza_lines: list[bytes] = []
        for seed in seeds:
            if not seed.armored:
                head = seed.data[: seed.header_size].split(b"\n")
                stanza_lines.extend(line for line in head[1:-2] if line)
        return cls(identity, stranger, seeds, stanza_lines)


def _armor(binary: bytes) -> bytes:
    from storage.age.armor import armor

    return armor(binary)


@dataclass(frozen=True)
class AgeMutation:
    seed: int
    where: str  # "bytes" anywhere, "header" lines, "armor" lines, "payload" bytes
    ops: tuple[Op | LineOp, ...]

    def apply(self, seed: AgeSeed) -> bytes:
        data = seed.data
        if self.where == "header" and not seed.armored:
            head = apply_edits(data[: seed.header_size], self.ops)
            return head + data[seed.header_size:]
        if self.where == "payload" and not seed.armored:
            return data[: seed.header_size] + apply_edits(data[seed.header_size:], self.ops)
        return apply_edits(data, self.ops)


def age_mutations() -> st.SearchStrategy[AgeMutation]:
    return st.builds(
        AgeMutation,
        st.integers(0, 63),
        st.sampled_from(["bytes", "header", "payload", "armor"]),
        st.one_of(byte_ops(), line_ops(), edits()).map(tuple),
    )


def _decrypt_all_ways(seed_plaintexts: Sequence[bytes], data: bytes, identities: list[Any],
                      passphrase: str | None) -> bool:
    """Decrypt ``data`` whole and streamed; only ``AgeError`` may come out,
    and what comes out is one of ``seed_plaintexts`` (streaming: a prefix of
    it before an error). Returns whether it decrypted."""
    outcomes: list[bool] = []
    try:
        if passphrase is not None:
            out = age.decrypt_with_passphrase(data, passphrase, AGE_MAX_WORK_FACTOR)
        else:
            out = age.decrypt(data, identities)
    except age.AgeError:
        outcomes.append(False)
    else:
        assert out in seed_plaintexts, "decrypt returned a plaintext that was never encrypted"
        outcomes.append(True)
    sink = io.BytesIO()
    try:
        if passphrase is not None:
            age.decrypt_stream(io.BytesIO(data), sink, passphrase=passphrase,
                               max_work_factor=AGE_MAX_WORK_FACTOR)
        else:
            age.decrypt_stream(io.BytesIO(data), sink, identities)
    except age.AgeError:
        released = sink.getvalue()
        assert any(p.startswith(released) for p in seed_plaintexts), (
            "decrypt_stream released bytes that are not a prefix of the plaintext")
        outcomes.append(False)
    else:
        assert sink.getvalue() in seed_plaintexts, "decrypt_stream wrote another plaintext"
        outcomes.append(True)
    assert outcomes[0] == outcomes[1], "decrypt and decrypt_stream disagree"
    return outcomes[0]


def check_age_mutation(world: AgeWorld, ex: AgeMutation) -> None:
    seed = world.seeds[ex.seed % len(world.seeds)]
    data = ex.apply(seed)
    ok = _decrypt_all_ways([seed.plaintext], data, seed.identities(world), seed.passphrase)
    if data == seed.data:
        assert ok, "the unaltered file must decrypt"
    # A wrong key never opens it, altered or not.
    wrong = seed.identities(world, wrong=True)
    try:
        age.decrypt(data, wrong)
    except age.AgeError:
        pass
    else:
        raise AssertionError("a wrong identity or passphrase decrypted the file")


# Valid changes: armor line endings and the whitespace around the block.
@dataclass(frozen=True)
class ArmorRewrite:
    seed: int
    crlf: bool
    before: bytes
    after: bytes


def armor_rewrites() -> st.SearchStrategy[ArmorRewrite]:
    ws = st.text(alphabet=" \t\r\n", max_size=200).map(str.encode)
    return st.builds(ArmorRewrite, st.integers(0, 63), st.booleans(), ws, ws)


def check_armor_rewrite(world: AgeWorld, ex: ArmorRewrite) -> None:
    armored = [s for s in world.seeds if s.armored]
    seed = armored[ex.seed % len(armored)]
    text = seed.data.replace(b"\n", b"\r\n") if ex.crlf else seed.data
    # Whitespace before the block must be whole lines (the BEGIN line starts a line).
    before = ex.before if not ex.before or ex.before.endswith(b"\n") else ex.before + b"\n"
    data = before + text + ex.after
    ok = _decrypt_all_ways([seed.plaintext], data, seed.identities(world), seed.passphrase)
    assert ok, "armor with other line endings or surrounding whitespace must decrypt"


def _stanza_line() -> st.SearchStrategy[bytes]:
    arg = st.one_of(
        st.sampled_from(["X25519", "scrypt", "ssh-ed25519", "1", "2", "4", "01", "22", "99",
                         "999999999999", "p256tag", "mlkem768x25519", "-"]),
        st.binary(min_size=32, max_size=32).map(lambda b: _b64(b)),
        st.binary(min_size=16, max_size=16).map(lambda b: _b64(b)),
        st.sampled_from([_b64(bytes(32)), _b64(b"\x01" + bytes(31)), _b64(b"\xe0\xeb\x7a\x7c"
                         b"\x3b\x41\xb8\xae\x16\x56\xe3\xfa\xf1\x9f\xc4\x6a\xda\x09\x8d\xeb\x9c"
                         b"\x32\xb1\xfd\x86\x62\x05\x16\x5f\x49\xb8\x00")]),
        st.text(alphabet=string.printable.strip(), min_size=1, max_size=20),
    )
    return st.lists(arg, min_size=0, max_size=4).map(
        lambda args: ("-> " + " ".join(args)).encode())


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode().rstrip("=")


def _body_lines() -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.binary(max_size=100).map(lambda b: _wrap64(_b64(b).encode())),
        st.text(alphabet=B64 + "=", max_size=130).map(lambda s: _wrap64(s.encode())),
    )


def _wrap64(text: bytes) -> bytes:
    lines = [text[i:i + 64] for i in range(0, len(text), 64)]
    if not lines or len(lines[-1]) == 64:
        lines.append(b"")
    return b"\n".join(lines) + b"\n"


@st.composite
def age_garbage(draw: st.DrawFn) -> bytes:
    """Arbitrary bytes, and bytes shaped like an age header (so the parser's
    deeper paths run), and bytes shaped like armor."""
    kind = draw(st.sampled_from(["binary", "header", "armor", "armor-of-header"]))
    if kind == "binary":
        return draw(st.binary(max_size=600))
    head = draw(st.sampled_from([b"age-encryption.org/v1\n"] * 4 + [
        b"age-encryption.org/v2\n", b"age-encryption.org/v1\r\n", b"age-encryption.org/"]))
    stanzas = draw(st.lists(st.tuples(_stanza_line(), _body_lines()), max_size=3))
    text = head + b"".join(line + b"\n" + body for line, body in stanzas)
    mac = draw(st.one_of(st.binary(min_size=32, max_size=32).map(lambda b: _b64(b).encode()),
                         st.text(alphabet=B64 + "= ", max_size=50).map(str.encode)))
    text += b"--- " + mac + b"\n" + draw(st.binary(max_size=200))
    if kind == "header":
        return text
    if kind == "armor":
        return b"-----BEGIN AGE ENCRYPTED FILE-----\n" + draw(
            st.text(alphabet=B64 + "=\n\r ", max_size=300)).encode() + draw(
            st.sampled_from([b"-----END AGE ENCRYPTED FILE-----\n", b"", b"-----END\n"]))
    return _armor(text)


@dataclass(frozen=True)
class AgeGarbage:
    data: bytes
    real_stanza: int | None  # splice a real stanza line into the header


def age_garbage_examples() -> st.SearchStrategy[AgeGarbage]:
    return st.builds(AgeGarbage, age_garbage(), st.one_of(st.none(), st.integers(0, 63)))


def check_age_garbage(world: AgeWorld, ex: AgeGarbage) -> None:
    data = ex.data
    if ex.real_stanza is not None and data.startswith(b"age-encryption.org/v1\n"):
        line = world.stanza_lines[ex.real_stanza % len(world.stanza_lines)]
        data = data.replace(b"\n", b"\n" + line + b"\n", 1)
    plaintexts = [s.plaintext for s in world.seeds]
    _decrypt_all_ways(plaintexts, data, [world.identity], None)
    _decrypt_all_ways(plaintexts, data, [], AGE_PASSPHRASE)


@dataclass(frozen=True)
class KeyText:
    base: int  # which real key to start from (or -1: no base)
    text: str
    ops: tuple[Op, ...]


def key_texts() -> st.SearchStrategy[KeyText]:
    return st.builds(KeyText, st.integers(-1, 3),
                     st.one_of(st.text(max_size=80),
                               st.text(alphabet="qpzry9x8gf2tvdw0s3jn54khce6mua7l1AGE-SECRTKY",
                                       max_size=80)),
                     st.lists(byte_op(), max_size=3).map(tuple))


def check_key_text(world: AgeWorld, ex: KeyText) -> None:
    originals = [str(world.identity), str(world.identity.recipient()),
                 str(world.stranger), str(world.stranger.recipient())]
    if ex.base < 0:
        text = ex.text
    else:
        raw = apply_ops(originals[ex.base].encode(), ex.ops)
        text = raw.decode("utf-8", "surrogateescape")
    for parse in (age.X25519Identity.parse, age.X25519Recipient.parse):
        try:
            key = parse(text)
        except age.InvalidKeyError:
            continue
        assert str(key) in originals or ex.base < 0 or text in originals, (
            "an altered key parsed as another key")
    try:
        age.parse_identities(text)
    except age.InvalidKeyError:
        pass


AGE = Target("age", AgeWorld.build, [
    Prop("mutated files", age_mutations(), check_age_mutation),
    Prop("armor whitespace and line endings", armor_rewrites(), check_armor_rewrite),
    Prop("arbitrary bytes", age_garbage_examples(), check_age_garbage),
    Prop("key strings", key_texts(), check_key_text),
])


# =====================================================================================
# minisign
# =====================================================================================


@dataclass
class MinisignWorld:
    secret: minisign.SecretKey
    public_text: str
    stranger_public: str
    data: list[bytes]
    signatures: list[tuple[int, str]]  # (index into data, .minisig text)

    @classmethod
    def build(cls, root: Path | None = None) -> MinisignWorld:
        secret, public_text = minisign.generate_keypair()
        _, stranger_public = minisign.generate_keypair()
        data = [b"", b"bundle.json contents\n", deterministic_bytes(3000, 5)]
        sigs = [
            (0, minisign.sign(data[0], secret, "empty")),
            (1, minisign.sign(data[1], secret, "branchtool bundle branch=A1 seq=1",
                              "a custom untrusted comment")),
            (2, minisign.sign(data[2], secret, "中文 \t tab")),
            (1, legacy_signature(data[1], secret, "legacy form")),
        ]
        return cls(secret, public_text, stranger_public, data, sigs)


def legacy_signature(data: bytes, secret: minisign.SecretKey, trusted: str) -> str:
    """A legacy ``Ed`` signature (over the data itself), as old minisign wrote."""
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.from_private_bytes(secret.seed)
    sig = key.sign(data)
    global_sig = key.sign(sig + trusted.encode())
    blob = base64.b64encode(b"Ed" + secret.key_id_bytes + sig).decode()
    return (f"untrusted comment: signature from minisign secret key\n{blob}\n"
            f"trusted comment: {trusted}\n{base64.b64encode(global_sig).decode()}\n")


def _signed_fields(sig: minisign.Signature) -> tuple[Any, ...]:
    return (sig.algorithm, sig.key_id_bytes, sig.signature, sig.trusted_comment,
            sig.global_signature)


@dataclass(frozen=True)
class MinisignMutation:
    sig: int
    target: str  # "signature", "data", "key", "trusted"
    ops: tuple[Op | LineOp, ...]
    comment: str  # for "trusted": the new trusted comment
    as_text: bool  # pass str rather than bytes
    stream: bool
    legacy: bool  # allow legacy


def minisign_mutations() -> st.SearchStrategy[MinisignMutation]:
    return st.builds(
        MinisignMutation, st.integers(0, 63),
        st.sampled_from(["signature", "signature", "data", "key", "trusted"]),
        st.one_of(byte_ops(), line_ops(), edits()).map(tuple),
        st.text(max_size=30), st.booleans(), st.booleans(), st.booleans())


def _verify(data: bytes, sig: str | bytes, pub: str | bytes, *, stream: bool,
            legacy: bool) -> str:
    if stream:
        return minisign.verify_stream(io.BytesIO(data), sig, pub, allow_legacy=legacy)
    return minisign.verify(data, sig, pub, allow_legacy=legacy)


def check_minisign_mutation(world: MinisignWorld, ex: MinisignMutation) -> None:
    index, sig_text = world.signatures[ex.sig % len(world.signatures)]
    data, pub = world.data[index], world.public_text
    original = minisign.parse_signature(sig_text)
    sig: str | bytes = sig_text.encode()
    if ex.target == "signature":
        sig = apply_edits(sig, ex.ops)
    elif ex.target == "data":
        data = apply_edits(data, ex.ops)
    elif ex.target == "key":
        pub = apply_edits(pub.encode(), ex.ops).decode("utf-8", "surrogateescape")
    else:
        lines = sig_text.split("\n")
        lines[2] = "trusted comment: " + ex.comment
        sig = "\n".join(lines).encode("utf-8", "surrogatepass")
    if ex.as_text and isinstance(sig, bytes):
        sig = sig.decode("utf-8", "surrogateescape")
    try:
        comment = _verify(data, sig, pub, stream=ex.stream, legacy=ex.legacy)
    except minisign.MinisignError:
        return
    # It verified: nothing that is signed may have changed.
    assert ex.legacy or original.prehashed, "a legacy signature passed allow_legacy=False"
    assert data == world.data[index], "altered data verified"
    assert comment == original.trusted_comment, "an altered trusted comment verified"
    assert _signed_fields(minisign.parse_signature(sig)) == _signed_fields(original), (
        "an altered signature verified")
    assert minisign.PublicKey.parse(pub) == minisign.PublicKey.parse(world.public_text), (
        "another public key verified")


@st.composite
def minisign_texts(draw: st.DrawFn) -> tuple[bytes, bytes]:
    """(signature text, public key text), arbitrary or shaped like the real ones."""
    import base64

    def b64_of(n_min: int, n_max: int, prefix: bytes = b"") -> bytes:
        raw = prefix + draw(st.binary(min_size=n_min, max_size=n_max))
        text = base64.b64encode(raw)
        return draw(st.sampled_from([text, text.rstrip(b"="), text + b"=", text + b" ",
                                     text.replace(b"+", b"-")]))

    def comment() -> bytes:
        return draw(st.one_of(st.text(max_size=40).map(
            lambda s: s.encode("utf-8", "surrogatepass")), st.binary(max_size=40)))

    alg = draw(st.sampled_from([b"ED", b"Ed", b"ed", b"EE", b"\x00\x00"]))
    kid = draw(st.sampled_from([b"\x00" * 8, b"\xff" * 8]))
    sig_lines = [
        draw(st.sampled_from([b"untrusted comment: ", b"untrusted comment:", b""])) + comment(),
        b64_of(64, 64, alg + kid) if draw(st.booleans()) else b64_of(0, 90),
        draw(st.sampled_from([b"trusted comment: ", b"trusted comment:", b"x"])) + comment(),
        b64_of(64, 64) if draw(st.booleans()) else b64_of(0, 90),
    ]
    sig_lines = sig_lines[: draw(st.integers(0, 4))] + draw(
        st.lists(st.binary(max_size=20), max_size=2))
    sig = draw(st.sampled_from([b"\n", b"\r\n", b"\r"])).join(sig_lines) + draw(
        st.sampled_from([b"", b"\n", b"\n\n", b"\r\n"]))
    pub_lines = [
        draw(st.sampled_from([b"untrusted comment: minisign public key ", b""])) + comment(),
        b64_of(32, 32, alg + kid) if draw(st.booleans()) else b64_of(0, 60),
    ]
    pub = b"\n".join(pub_lines[: draw(st.integers(0, 2))]) + draw(
        st.sampled_from([b"", b"\n", b"\n\n"]))
    if draw(st.booleans()):
        sig, pub = draw(st.binary(max_size=300)), pub
    return sig, pub


@dataclass(frozen=True)
class MinisignGarbage:
    sig: bytes
    pub: bytes
    real_pub: bool
    as_text: bool


def minisign_garbage() -> st.SearchStrategy[MinisignGarbage]:
    return minisign_texts().flatmap(lambda t: st.builds(
        MinisignGarbage, st.just(t[0]), st.just(t[1]), st.booleans(), st.booleans()))


def check_minisign_garbage(world: MinisignWorld, ex: MinisignGarbage) -> None:
    pub: str | bytes = world.public_text if ex.real_pub else ex.pub
    sig: str | bytes = ex.sig
    if ex.as_text:
        sig = ex.sig.decode("utf-8", "surrogateescape")
        pub = pub if isinstance(pub, str) else pub.decode("utf-8", "surrogateescape")
    for data in world.data:
        try:
            minisign.verify(data, sig, pub)
        except minisign.MinisignError:
            continue
        raise AssertionError("an arbitrary signature verified")
    for call in (minisign.parse_signature, lambda s: minisign.verify_stream(io.BytesIO(b""), s,
                                                                            pub)):
        with contextlib.suppress(minisign.MinisignError):
            call(sig)
    for fn in (minisign.key_id, minisign.fingerprint, minisign.PublicKey.from_base64):
        with contextlib.suppress(minisign.MinisignError):
            fn(pub)


@dataclass(frozen=True)
class SecretKeyMutation:
    ops: tuple[Op | LineOp, ...]


def check_secret_key_mutation(world: MinisignWorld, ex: SecretKeyMutation) -> None:
    text = apply_edits(world.secret.to_text().encode(), ex.ops)
    try:
        key = minisign.SecretKey.from_text(text)
    except minisign.MinisignError:
        return
    assert (key.key_id_bytes, key.seed) == (world.secret.key_id_bytes, world.secret.seed), (
        "an altered secret key parsed as another key")


MINISIGN = Target("minisign", MinisignWorld.build, [
    Prop("mutated signatures, data, keys, trusted comments", minisign_mutations(),
         check_minisign_mutation),
    Prop("arbitrary signature and key texts", minisign_garbage(), check_minisign_garbage),
    Prop("mutated secret key text", st.builds(SecretKeyMutation, edits().map(tuple)),
         check_secret_key_mutation),
])



# =====================================================================================
# the store: replaying a journal on open
# =====================================================================================

STORE_PASSPHRASE = "fuzz store passphrase"


def _test_cipher() -> tuple[Callable[[bytes], bytes], Callable[[bytes], bytes]]:
    from tests.storekit import TestCipher

    cipher = TestCipher()
    return cipher.encrypt, cipher.decrypt


def _age_cipher() -> tuple[Callable[[bytes], bytes], Callable[[bytes], bytes]]:
    identity = age.X25519Identity.parse(age.generate_identity()[0])
    to = [identity.recipient()]
    return (lambda data: age.encrypt(data, to)), (lambda data: age.decrypt(data, [identity]))


def split_frames(journal: bytes) -> list[bytes]:
    """A well-formed journal's frames, each with its 8-byte header."""
    from storage.store import LENGTH

    frames, offset = [], 0
    while offset < len(journal):
        length, _ = LENGTH.unpack_from(journal, offset)
        end = offset + LENGTH.size + length
        frames.append(journal[offset:end])
        offset = end
    return frames


def store_state(store: Any) -> dict[str, dict[str, Any]]:
    """Every document of every partition (empty partitions left out)."""
    out = {}
    for name in store.partitions():
        docs = {d["id"]: d for d in store.partition(name).all()}
        if docs:
            out[name] = docs
    return out


@dataclass
class StoreCase:
    """A store after a compaction and a few more acknowledged writes."""

    name: str
    encrypt: Callable[[bytes], bytes]
    decrypt: Callable[[bytes], bytes]
    files: dict[str, bytes]  # the data/ folder as it was left
    journal_file: str
    frames: list[bytes]  # the current journal's frames
    old_frames: list[bytes]  # the previous generation's (authentic, wrong gen)
    states: list[dict[str, dict[str, Any]]]  # after 0, 1, ... frames
    seqs: list[int]

    @property
    def journal(self) -> bytes:
        return b"".join(self.frames)

    def prefix(self, frames: int) -> bytes:
        return b"".join(self.frames[:frames])

    @classmethod
    def build(cls, folder: Path, name: str,
              cipher: tuple[Callable[[bytes], bytes], Callable[[bytes], bytes]]) -> StoreCase:
        from storage.store import Store, journal_name

        encrypt, decrypt = cipher
        Store.initialize(folder, encrypt)
        store = Store(folder, encrypt, decrypt)
        roster = store.partition("roster")
        ids = [roster.insert({"name": f"p{i}", "group": f"g{i % 2}"}) for i in range(4)]
        store.partition("checkins/2026-10").insert({"id": "2026-10-01:x", "t": 36.6})
        old = split_frames((folder / journal_name(store.gen)).read_bytes())
        store.compact()
        states, seqs = [store_state(store)], [store.seq]

        def step(action: Callable[[], object]) -> None:
            action()
            states.append(store_state(store))
            seqs.append(store.seq)

        def batch() -> None:
            with store.batch():
                roster.insert({"name": "in a batch"})
                roster.insert_many([{"name": "x"}, {"name": "y"}])
                roster.remove(ids[1])

        step(lambda: roster.insert({"name": "新", "tags": ["a", "b"]}))
        step(lambda: roster.update(ids[0], {"name": "p0 renamed"}))
        step(batch)
        step(lambda: store.partition("checkins/2026-11").insert({"id": "2026-11-01:y"}))
        step(lambda: roster.remove(ids[2]))
        step(lambda: store.partition("care").insert({"note": "x" * 300}))
        journal_file = journal_name(store.gen)
        store.close(compact=False)
        files = folder_bytes(folder)
        frames = split_frames(files[journal_file])
        assert len(frames) == len(states) - 1
        return cls(name, encrypt, decrypt, files, journal_file, frames, old, states, seqs)


@dataclass
class VaultCase:
    """A closed vault (work factor 10) whose files are mutated one at a time."""

    path: Path
    recipient: str
    signing_public_key: str

    @classmethod
    def build(cls, path: Path) -> VaultCase:
        from storage.vault import Vault

        vault = Vault.create(path, STORE_PASSPHRASE, info={"branch_code": "F1"},
                             work_factor=10)
        vault.partition("roster").insert({"name": "someone"})
        case = cls(path, vault.recipient, vault.signing_public_key)
        vault.close()
        return case


@dataclass
class StoreWorld:
    root: Path
    cases: list[StoreCase]
    vault: VaultCase
    counter: list[int] = field(default_factory=lambda: [0])

    @classmethod
    def build(cls, root: Path) -> StoreWorld:
        root.mkdir(parents=True, exist_ok=True)
        cases = [StoreCase.build(root / "test-cipher", "test-cipher", _test_cipher()),
                 StoreCase.build(root / "age", "age", _age_cipher())]
        return cls(root, cases, VaultCase.build(root / "vault"))

    def scratch(self) -> Path:
        self.counter[0] += 1
        path = self.root / f"scratch-{self.counter[0]}"
        path.mkdir()
        return path


@dataclass(frozen=True)
class JournalPlan:
    """How to build a damaged journal (or other data file) from the real one."""

    case: int
    file: str  # "journal", "state", "snapshot"
    kind: str  # "bytes", "frames", "random"
    order: tuple[int, ...] | None  # frames by index (None: the first ``keep``)
    keep: int
    strangers: tuple[tuple[int, int, bool], ...]  # (position, index, from the other case)
    tail: str  # "", "torn", "zeros", "garbage", "header"
    tail_arg: int
    garbage: bytes
    ops: tuple[Op, ...]

    def journal(self, world: StoreWorld) -> bytes:
        case = world.cases[self.case % len(world.cases)]
        other = world.cases[(self.case + 1) % len(world.cases)]
        if self.kind == "random":
            return self.garbage
        if self.kind == "bytes":
            return apply_ops(case.journal, self.ops)
        n = len(case.frames)
        if self.order is None:
            frames = case.frames[: self.keep % (n + 1)]
        else:
            frames = [case.frames[k % n] for k in self.order]
        for position, index, foreign in self.strangers:
            pool = other.frames if foreign else case.old_frames
            frames.insert(position % (len(frames) + 1), pool[index % len(pool)])
        data = b"".join(frames)
        if self.tail == "torn":
            frame = case.frames[self.tail_arg % n]
            data += frame[: 1 + self.tail_arg % (len(frame) - 1)]
        elif self.tail == "zeros":
            data += bytes(1 + self.tail_arg % 300)
        elif self.tail == "garbage":
            data += self.garbage or b"\x01"
        elif self.tail == "header":
            from storage.store import frame_header

            data += frame_header(self.tail_arg) + self.garbage
        return apply_ops(data, self.ops) if self.ops else data


def journal_plans() -> st.SearchStrategy[JournalPlan]:
    index = st.integers(0, 1 << 10)
    frames = st.builds(
        JournalPlan, st.integers(0, 7), st.just("journal"), st.just("frames"),
        st.one_of(st.none(), st.lists(index, max_size=9).map(tuple)), index,
        st.lists(st.tuples(index, index, st.booleans()), max_size=2).map(tuple),
        st.sampled_from(["", "", "torn", "zeros", "garbage", "header"]),
        st.integers(0, 1 << 20), st.binary(max_size=120),
        st.lists(byte_op(), max_size=1).map(tuple))
    raw = st.builds(
        JournalPlan, st.integers(0, 7), st.sampled_from(["journal"] * 6 + ["state", "snapshot"]),
        st.just("bytes"), st.none(), st.just(0), st.just(()), st.just(""), st.just(0),
        st.just(b""), byte_ops().map(tuple))
    garbage = st.builds(
        JournalPlan, st.integers(0, 7), st.just("journal"), st.just("random"), st.none(),
        st.just(0), st.just(()), st.just(""), st.just(0),
        st.one_of(st.binary(max_size=400), st.binary(max_size=64).map(
            lambda b: _crc_framed(b))), st.just(()))
    return st.one_of(frames, raw, garbage)


def _crc_framed(body: bytes) -> bytes:
    from storage.store import frame_header

    return frame_header(len(body)) + body


def check_store_replay(world: StoreWorld, ex: JournalPlan) -> None:
    from storage.errors import VaultCorrupt
    from storage.store import STATE_FILE, Store

    case = world.cases[ex.case % len(world.cases)]
    folder = world.scratch()
    try:
        files = dict(case.files)
        if ex.file == "journal":
            files[case.journal_file] = ex.journal(world)
        else:
            names = sorted(n for n in files if n.endswith(".snap.age"))
            name = STATE_FILE if ex.file == "state" else names[ex.keep % len(names)]
            files[name] = apply_ops(files[name], ex.ops)
        for name, data in files.items():
            (folder / name).write_bytes(data)
        before = folder_bytes(folder)
        try:
            store = Store(folder, case.encrypt, case.decrypt)
        except VaultCorrupt:
            assert folder_bytes(folder) == before, "a refused journal was changed"
            return
        try:
            state = store_state(store)
        except VaultCorrupt:
            store.close(compact=False)
            assert ex.file == "snapshot", "only a damaged snapshot fails after opening"
            assert folder_bytes(folder) == before, "a refused snapshot changed the folder"
            return
        assert state in case.states, "the store opened on a state that was never written"
        i = case.states.index(state)
        assert store.seq == case.seqs[i], "the sequence does not match the state"
        after = folder_bytes(folder)
        mutated = before[case.journal_file]
        kept = after[case.journal_file]
        assert kept == case.prefix(i), "the journal kept is not the acknowledged frames"
        torn = [n for n in store.notices if n.key == "storage.journal_torn_tail"]
        assert bool(torn) == (kept != mutated), "a cut tail without a notice (or the reverse)"
        assert mutated.startswith(kept), "the journal was changed, not cut"
        assert {k: v for k, v in after.items() if k != case.journal_file} == {
            k: v for k, v in before.items() if k != case.journal_file}, "other files changed"
        # The recovered store works: its history checks, and it takes a write.
        assert store.check() == [], "the recovered store fails its own check"
        new_id = store.partition("roster").insert({"name": "after recovery"})
        store.close(compact=False)
        again = Store(folder, case.encrypt, case.decrypt)
        try:
            assert again.notices == [], "a clean reopen has notices"
            assert again.seq == case.seqs[i] + 1
            roster = {d["id"]: d for d in again.partition("roster").all()}
            assert roster.pop(new_id)["name"] == "after recovery"
            assert roster == case.states[i].get("roster", {})
            assert again.check() == []
        finally:
            again.close(compact=False)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# Opening the vault around the store: vault.json, identity.age, signing.age.
@dataclass(frozen=True)
class VaultFileMutation:
    file: str
    ops: tuple[Op | LineOp, ...]


def vault_file_mutations() -> st.SearchStrategy[VaultFileMutation]:
    return st.builds(VaultFileMutation,
                     st.sampled_from(["vault.json", "identity.age", "signing.age"]),
                     st.one_of(byte_ops(), edits()).map(tuple))


def check_vault_open(world: StoreWorld, ex: VaultFileMutation) -> None:
    from storage.errors import StorageError
    from storage.vault import Vault

    case = world.vault
    folder = world.scratch() / "vault"
    try:
        shutil.copytree(case.path, folder)
        target = folder / ex.file
        target.write_bytes(apply_edits(target.read_bytes(), ex.ops))
        before = folder_bytes(folder)
        try:
            vault = Vault.open(folder, STORE_PASSPHRASE, max_work_factor=12)
        except StorageError:
            assert folder_bytes(folder) == before, "a refused vault was changed"
            return
        try:
            assert vault.recipient == case.recipient, "opened with another identity"
            assert minisign.PublicKey.parse(vault.signing_public_key) == \
                minisign.PublicKey.parse(case.signing_public_key), "opened with another key"
            assert len(vault.partition("roster")) == 1
        finally:
            vault.close(compact=False)
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)


STORE = Target("store", StoreWorld.build, [
    Prop("damaged journals and data files", journal_plans(), check_store_replay),
    Prop("damaged vault files", vault_file_mutations(), check_vault_open),
])


# =====================================================================================
# bundles: the office's import
# =====================================================================================

OFFICE_PASSPHRASE = "office passphrase"
OFFICE_DAY = dt.date(2026, 11, 20)


def _catalog_has(key: str) -> bool:
    from branchtool import i18n

    return all(key in i18n.catalog(lang) for lang in i18n.LANGUAGES)


@dataclass
class Bundle:
    """A genuine bundle and its layers."""

    name: str
    file: bytes
    tar: bytes
    json: bytes
    signature: str
    doc: dict[str, Any]
    paths: list[tuple[Any, ...]]  # every path into doc, for structured edits


def _paths(value: Any, prefix: tuple[Any, ...] = (), out: list | None = None,
           limit: int = 4000) -> list[tuple[Any, ...]]:
    out = [] if out is None else out
    if len(out) >= limit:
        return out
    out.append(prefix)
    if isinstance(value, dict):
        for key, child in value.items():
            _paths(child, (*prefix, key), out, limit)
    elif isinstance(value, list):
        for i, child in enumerate(value[:6]):
            _paths(child, (*prefix, i), out, limit)
    return out


@dataclass
class OfficeWorld:
    """An office that enrolled branch A1 (a demo branch) and imported its
    first bundle; fake branches B2 (enrolled), C3 (not enrolled) and D4
    (enrolled, then revoked) whose keys the fuzzer holds; A1's next bundle
    (sequence 2), one after it (3: a gap) and the first again (a duplicate)."""

    root: Path
    pristine: Path
    work: Path
    clock: Any
    office: Any  # OfficeService on ``work``
    recipient: str
    identity: str
    other_recipient: str
    signers: dict[str, minisign.SecretKey]
    bundles: list[Bundle]
    key_file: bytes  # A1's branch key file
    rotation: bytes  # a genuine rotation of A1's key
    new_secret: minisign.SecretKey  # the key it rotates to
    new_recipient: str
    digest: dict[str, str] = field(default_factory=dict)
    status: bytes = b""
    resets: int = 0
    counter: int = 0

    @classmethod
    def build(cls, root: Path) -> OfficeWorld:
        from branchtool.bundles import format as fmt
        from branchtool.keyfiles import BRANCH_FORMAT, KeyFile
        from tests.officekit import Clock, enrol, export, make_branch, make_office

        root.mkdir(parents=True, exist_ok=True)
        clock = Clock()
        office = make_office(root / "office", clock)
        a = make_branch(root / "branch-a", "A1", "第一党支部", office, people=8, days=2, seed=7)
        enrol(office, a)
        a_secret = minisign.SecretKey.from_text(age.decrypt(
            (root / "branch-a" / "signing.age").read_bytes(), [a.vault.identity]).decode())
        signers = {"a": a_secret}
        for code, who in (("B2", "b"), ("C3", "c"), ("D4", "d")):
            secret, public = minisign.generate_keypair()
            signers[who] = secret
            if code != "C3":
                office.trust.enrol(KeyFile(BRANCH_FORMAT, f"支部{code}", age.generate_identity()[1],
                                           public, code=code))
        office.trust.revoke("D4")
        sent = root / "sent"
        paths = [export(a, sent)]
        people = list(a.roster.people())
        for n in (1, 2):
            a.roster.edit(people[n].id, {"notes": f"changed before bundle {n + 1}"})
            paths.append(export(a, sent))
        results = office.import_paths([paths[0]])
        assert [r.verdict for r in results] == ["accepted"], [r.to_json() for r in results]
        identity = office.vault.identity
        bundles = []
        for name, path in (("next", paths[1]), ("gap", paths[2]), ("first", paths[0])):
            file = path.read_bytes()
            tar = age.decrypt(file, [identity])
            json_bytes, signature = fmt.unpack(tar)
            doc = fmt.decode(json_bytes)
            bundles.append(Bundle(name, file, tar, json_bytes, signature, doc, _paths(doc)))
        key_file = a.bundles.branch_key().to_bytes()
        a.lock()
        recipient = office.vault.recipient
        office.vault.close()
        new_secret = minisign.generate_keypair()[0]
        world = cls(root, root / "office", root / "work", clock, None, recipient, identity,
                    age.generate_identity()[1], signers, bundles, key_file, b"", new_secret,
                    age.generate_identity()[1])
        world.reset()
        world.rotation = _rotation(world, KeyFileMutation("rotation", (), "", "", "a"))
        return world

    def reset(self) -> None:
        """The office as built (after an accepted bundle changed it)."""
        from branchtool.office.service import OfficeService
        from storage.vault import Vault
        from tests.officekit import TZ

        if self.office is not None:
            self.office.vault.close(compact=False)
        shutil.rmtree(self.work, ignore_errors=True)
        shutil.copytree(self.pristine, self.work)
        vault = Vault.open(self.work, OFFICE_PASSPHRASE, max_work_factor=12)
        self.office = OfficeService(vault, now=self.clock, tz=TZ)
        self.digest = self.held_digest()
        self.status = self.status_json()
        self.resets += 1

    def held_digest(self) -> dict[str, str]:
        """Every partition's documents but the import log, which keeps each
        refusal (and the history entries of that write)."""
        from branchtool.office.imports import IMPORTS

        vault = self.office.vault
        return {name: hashlib.sha256(orjson.dumps(sorted(
                    vault.partition(name).all(), key=lambda d: d["id"]),
                    option=orjson.OPT_SORT_KEYS)).hexdigest()
                for name in vault.partitions()
                if not name.startswith((IMPORTS + "/", "history/"))
                and len(vault.partition(name))}  # one only read is not a change

    def refusals(self) -> int:
        from branchtool.office.imports import log

        return sum(1 for e in log(self.office.vault) if e["verdict"] == "rejected")

    def status_json(self) -> bytes:
        """What ``office status --json`` prints, but which refused file a
        branch has (the refusal shows, by design)."""
        overview = self.office.overview(OFFICE_DAY).to_json()
        for row in overview["branches"]:
            row.pop("refused", None)
        return orjson.dumps(overview, option=orjson.OPT_SORT_KEYS)

    def close(self) -> None:
        if self.office is not None:
            self.office.vault.close(compact=False)
            self.office = None

    def file_path(self) -> Path:
        self.counter += 1
        folder = self.root / "incoming"
        folder.mkdir(exist_ok=True)
        return folder / f"A1-{self.counter:06d}-20261120.bundle.age"


# Values a structured edit puts into bundle.json; "@..." are resolved per world.
_SPECIAL = ["@office", "@other", "@a_kid", "@b_kid", "@c_kid", "@d_kid", "@prev", "@genesis",
            "", "0" * 64, "f" * 64, "A1", "B2", "C3", "D4", "../A1", "full", "standard",
            "counts", "2026-11-20", "2026-11-19", "2026-02-30", "9999-12-31", "0001-01-01",
            "2026-13-01", "1900-01-01", "２０２６-11-20", "branchtool-bundle", "x" * 300]


def _edit_value() -> st.SearchStrategy[Any]:
    leaf = st.one_of(
        st.none(), st.booleans(),
        st.sampled_from([0, 1, 2, 3, 4, -1, 10, 1000, 2**31, 2**53 + 1, 2**62, 2**63 - 1,
                         2**64 - 1]),
        st.integers(-(2**63), 2**63 - 1),
        st.floats(allow_nan=False, allow_infinity=False), st.sampled_from([0.5, 1.0, 1e308]),
        st.text(max_size=12), st.sampled_from(_SPECIAL),
    )
    keys = st.sampled_from(["id", "seq", "hash", "entry", "prev", "op", "time", "partition",
                            "record", "x", "date", "name"])

    def extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.one_of(st.lists(children, max_size=3),
                         st.dictionaries(keys, children, max_size=3))

    return st.recursive(leaf, extend, max_leaves=6)


@dataclass(frozen=True)
class DocEdit:
    path: int
    action: str  # "set", "delete", "add", "dup", "clear", "deep"
    value: Any = None
    key: str = ""


# Edits aimed at what the import checks after the signature (a bundle the
# branch's own key signed, as a buggy or stolen branch program could send).
_SEMANTIC: list[tuple[tuple[Any, ...], Any]] = [
    *((("sequence",), v) for v in (1, 3, 4, 10, 1000, 10**6, 2**31, 2**62, 2**63 - 1,
                                   2**64 - 1)),
    *((("previous_sha256",), v) for v in ("@prev", "0" * 64, None, "@self")),
    *((("history", "base"), v) for v in ({"seq": 0, "hash": "@genesis"}, "@held",
                                         {"seq": 10**9, "hash": "@genesis"},
                                         {"seq": -5, "hash": "@genesis"})),
    *((("history", "head"), v) for v in ("@held", {"seq": 2**62, "hash": "@genesis"})),
    *((("history", "entries"), v) for v in ("@first-half", "@repeat", [])),
    *((("period", end), v) for end in ("from", "to")
      for v in ("2026-02-30", "2026-11-31", "0000-01-01", "9999-12-31", "1970-01-01",
                "2026-11-19", "2026-13-01")),
    *((("created",), v) for v in ("", "garbage", "2026-11-20T08:00:00Z", "9999-12-31T23:59:59",
                                  "2026-11-20T08:00:00+99:00", "0001-01-01T00:00:00Z")),
    *((("redaction",), v) for v in ("full", "counts", "standard")),
    *((("data",), v) for v in ({}, {"roster": [{"id": "x"}]}, {"checkins": [{"id": "1"}]},
                               {"unknown kind": [{"id": ""}]}, {"roster": [{"id": "x"}] * 2})),
    *((("counts",), v) for v in ({}, {"roster": -1}, {"roster": 2**63 - 1})),
    *((("figures",), v) for v in ({}, {"health": {"days": {"2026-11-20": {"expected": 1,
                                                                          "reported": 2}}}},
                                  {"health": {"days": {"2026-02-30": {"expected": "x"}}}},
                                  {"health": []})),
    *((("reports",), v) for v in ({}, {"daily": "x" * 10000})),
    *((("branch", "name"), v) for v in ("", "x" * 5000)),
    *((("bundle_id",), v) for v in ("", "../../etc", "@self", "@first_id", "@next_id",
                                     "x" * 500)),
    # issue 13: a record's field of the wrong type (a signed bundle of another program)
    *((("data", "roster", 0, field), v) for field in ("name", "gender", "phone")
      for v in (["张三", "李四"], 5, None, {"a": 1}, True)),
    *((("data", "checkins", 0, "date"), v) for v in ([], 20261120)),
]


def semantic_edit(path: tuple[Any, ...], value: Any) -> DocEdit:
    """The edit that sets ``path`` to ``value`` (one of ``_SEMANTIC``)."""
    return DocEdit(_SEMANTIC.index((path, value)), "semantic")


def doc_edits() -> st.SearchStrategy[list[DocEdit]]:
    top = st.integers(0, 1 << 16)
    random_edit = st.builds(
        DocEdit, top, st.sampled_from(["set"] * 5 + ["delete", "add", "dup", "clear", "deep"]),
        _edit_value(), st.sampled_from(["id", "seq", "x", "hash", "format", "sequence", "data",
                                        "base", "head", "entries", "from", "to"]))
    semantic = st.builds(DocEdit, st.integers(0, len(_SEMANTIC) - 1), st.just("semantic"))
    entry = st.builds(DocEdit, st.integers(0, 1 << 16), st.just("entry"))
    rechained = st.builds(DocEdit, st.just(0), st.just("rechain"))
    return st.lists(st.one_of(semantic, semantic, random_edit, entry, rechained),
                    min_size=1, max_size=3)


# The fields the import checks, hit more often than a random path would be.
_KEY_PATHS = [("format",), ("version",), ("bundle_id",), ("branch", "code"), ("branch", "name"),
              ("signer_key_id",), ("recipient",), ("sequence",), ("previous_sha256",),
              ("created",), ("period", "from"), ("period", "to"), ("redaction",), ("data",),
              ("counts",), ("figures",), ("reports",), ("history", "base", "seq"),
              ("history", "base", "hash"), ("history", "head", "seq"),
              ("history", "head", "hash"), ("history", "entries")]


def _resolve(world: OfficeWorld, value: Any, bundle: Bundle) -> Any:
    if isinstance(value, str) and value.startswith("@"):
        kids = {f"@{k}_kid": s.key_id for k, s in world.signers.items()}
        table = {"@office": world.recipient, "@other": world.other_recipient,
                 "@prev": hashlib.sha256(world.bundles[2].json).hexdigest(),
                 "@genesis": "0" * 64, **kids}
        return table.get(value, value)
    if isinstance(value, list):
        return [_resolve(world, v, bundle) for v in value]
    if isinstance(value, dict):
        return {k: _resolve(world, v, bundle) for k, v in value.items()}
    return value


def _semantic(world: OfficeWorld, bundle: Bundle, doc: dict[str, Any], edit: DocEdit) -> None:
    path, value = _SEMANTIC[edit.path % len(_SEMANTIC)]
    held = world.bundles[2].doc["history"]["head"]
    entries = doc["history"]["entries"]
    if value == "@held":
        value = dict(held)
    elif value == "@self":
        value = bundle.doc[path[0]] if path[0] == "bundle_id" else hashlib.sha256(
            bundle.json).hexdigest()
    elif value in ("@first_id", "@next_id"):  # another bundle's id (imported, or in the run)
        value = world.bundles[2 if value == "@first_id" else 0].doc["bundle_id"]
    elif value == "@first-half":  # a shorter history, still a chain: head moves back
        value = entries[: len(entries) // 2]
        if value:
            doc["history"]["head"] = {"seq": value[-1]["seq"], "hash": value[-1]["entry"]}
    elif value == "@repeat":
        value = entries + entries[-1:]
    else:
        value = _resolve(world, value, bundle)
    node = doc
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = orjson.loads(orjson.dumps(value))


def rechain(doc: dict[str, Any]) -> None:
    """Recompute the history's links and hashes after its entries were edited,
    as a (buggy or stolen) branch program would: the chain holds again, so
    the office's deeper code reads the edited entries."""
    from storage.history import entry_hash

    history = doc.get("history")
    if not isinstance(history, dict) or not isinstance(history.get("base"), dict) or \
            not isinstance(history.get("entries"), list):
        return
    prev, seq = history["base"].get("hash"), history["base"].get("seq")
    for entry in history["entries"]:
        if not isinstance(entry, dict):
            return
        entry["prev"] = prev
        try:
            entry["entry"] = prev = entry_hash(entry)
        except (TypeError, ValueError):
            return
        seq = entry.get("seq")
    history["head"] = {"seq": seq, "hash": prev}


# Odd but chainable history entries: what the office's change tracking reads.
_ENTRY_EDITS: list[dict[str, Any]] = [
    {"op": "remove"}, {"op": "update"}, {"partition": "checkins/2026-13"},
    {"partition": "roster"}, {"partition": "checkins/"}, {"partition": ""},
    {"partition": "care/2026-11"}, {"record": ""}, {"record": "@a_record"},
    {"time": "garbage"}, {"time": None}, {"hash": None}, {"extra": [1, 2]},
    # issue 13: an entry as a bare link (a kind not carried), right or wrong
    {"@link": "keep"}, {"@link": "0" * 64}, {"@link": None},
]


def apply_doc_edits(world: OfficeWorld, bundle: Bundle, doc: dict[str, Any],
                    edits: Sequence[DocEdit]) -> dict[str, Any]:
    for edit in edits:
        if edit.action == "entry":
            entries = doc.get("history", {}).get("entries")
            if isinstance(entries, list) and entries and isinstance(entries[0], dict):
                target = entries[edit.path % len(entries)]
                change = _ENTRY_EDITS[edit.path % len(_ENTRY_EDITS)]
                if change.get("record") == "@a_record":  # a record the office holds
                    full = [e for e in world.bundles[2].doc["history"]["entries"]
                            if "record" in e]  # links only name no record
                    change = {"record": full[0]["record"]}
                if "@link" in change:  # keep only its link, its hash kept or replaced
                    link = {k: target.get(k) for k in ("seq", "prev", "entry")}
                    if change["@link"] != "keep":
                        link["entry"] = change["@link"]
                    target.clear()
                    target.update(link)
                    continue
                target.update(change)
            continue
        if edit.action == "semantic":
            with contextlib.suppress(KeyError, TypeError, IndexError):
                _semantic(world, bundle, doc, edit)
            continue
        pool = _KEY_PATHS if edit.path % 3 == 0 else bundle.paths
        path = pool[(edit.path // 3) % len(pool)]
        parent, node = None, doc
        try:
            for step in path:
                parent, node = node, node[step]
        except (KeyError, IndexError, TypeError):
            continue
        value = _resolve(world, edit.value, bundle)
        last = path[-1] if path else None
        if edit.action == "set" and parent is not None:
            parent[last] = value
        elif edit.action == "delete" and parent is not None:
            del parent[last]
        elif edit.action == "add" and isinstance(node, dict):
            node[edit.key] = value
        elif edit.action == "add" and isinstance(node, list):
            node.append(value)
        elif edit.action == "dup" and isinstance(node, list) and node:
            node.append(orjson.loads(orjson.dumps(node[0])))
        elif edit.action == "clear" and isinstance(node, list | dict):
            node.clear()
        elif edit.action == "deep" and parent is not None:
            deep: Any = value
            for _ in range(40):
                deep = [deep]
            parent[last] = deep
    if any(edit.action in ("rechain", "entry") for edit in edits):
        rechain(doc)
    return doc


@dataclass(frozen=True)
class TarMember:
    name: str
    kind: bytes  # b"@": not a member but a raw 512-byte block of ``data`` (a bad header)
    data: str  # "json", "sig", "empty", "garbage"
    pax: tuple[tuple[str, str], ...] = ()


def tar_members() -> st.SearchStrategy[list[TarMember]]:
    names = st.one_of(st.sampled_from([
        "bundle.json", "bundle.json.minisig", "./bundle.json", "../bundle.json",
        "/bundle.json", "bundle.json/", "BUNDLE.JSON", "bundle.json\x00x", "a" * 120,
        "dir/bundle.json", ""]), st.text(max_size=20))
    kinds = st.sampled_from([tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.LNKTYPE,
                             tarfile.SYMTYPE, tarfile.CHRTYPE, tarfile.BLKTYPE,
                             tarfile.DIRTYPE, tarfile.FIFOTYPE, tarfile.CONTTYPE,
                             tarfile.GNUTYPE_SPARSE, tarfile.GNUTYPE_LONGNAME,
                             tarfile.XHDTYPE, tarfile.XGLTYPE, b"Z"])
    pax = st.lists(st.tuples(
        st.sampled_from(["size", "path", "mtime", "uid", "linkpath", "GNU.sparse.map",
                         "GNU.sparse.size", "GNU.sparse.major", "GNU.sparse.minor",
                         "GNU.sparse.name", "hdrcharset", "comment"]),
        st.sampled_from(["0", "1", "-1", "1e3", "nan", "abc", "99999999999999999999",
                         "bundle.json", "0,1,2", "BINARY", "1.0", ""])), max_size=2).map(tuple)
    member = st.builds(TarMember, names, kinds,
                       st.sampled_from(["json", "sig", "empty", "garbage"]), pax)
    # issue 13: a block GNU tar skips ("Skipping to next header") between members
    raw = st.builds(TarMember, st.just(""), st.just(b"@"), st.sampled_from(["garbage", "json"]))
    return st.lists(st.one_of(member, member, member, raw), max_size=5)


def build_tar(members: Sequence[TarMember], bundle: Bundle, fmt_choice: int) -> bytes | None:
    formats = [tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT, tarfile.PAX_FORMAT]
    out = io.BytesIO()
    contents = {"json": bundle.json, "sig": bundle.signature.encode(), "empty": b"",
                "garbage": deterministic_bytes(700, 9)}
    try:
        with tarfile.open(fileobj=out, mode="w", format=formats[fmt_choice % 3]) as tar:
            for m in members:
                if m.kind == b"@":
                    block = (contents[m.data] + b"X" * 512)[:512]
                    out.write(block)
                    tar.offset += len(block)
                    continue
                info = tarfile.TarInfo(m.name)
                info.type = m.kind
                data = contents[m.data]
                if m.pax:
                    info.pax_headers = dict(m.pax)
                if m.kind in (tarfile.SYMTYPE, tarfile.LNKTYPE):
                    info.linkname = "bundle.json"
                    tar.addfile(info)
                else:
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))
    except (ValueError, tarfile.TarError, UnicodeError, OverflowError):
        return None
    return out.getvalue()


@dataclass(frozen=True)
class BundleMutation:
    base: int  # 0: the next bundle, 1: a gap, 2: the first again (a duplicate)
    layer: str  # "file", "tar", "members", "json", "doc", "sig"
    ops: tuple[Op | LineOp, ...]
    edits: tuple[DocEdit, ...]
    members: tuple[TarMember, ...]
    signer: str  # "keep" (the original signature), "a", "b", "c", "d"
    recipients: str  # "office", "both", "other"
    tar_format: int
    company: tuple[int, ...] = ()  # genuine bundles imported in the same run


def bundle_mutations() -> st.SearchStrategy[BundleMutation]:
    return st.builds(
        BundleMutation,
        st.sampled_from([0, 0, 0, 1, 2]),
        st.sampled_from(["file", "file", "tar", "members", "json", "doc", "doc", "doc", "sig"]),
        st.one_of(byte_ops(), edits()).map(tuple),
        doc_edits().map(tuple), tar_members().map(tuple),
        st.sampled_from(["keep", "a", "a", "a", "b", "c", "d", "legacy-a"]),
        st.sampled_from(["office", "office", "office", "both", "other"]),
        st.integers(0, 2),
        st.one_of(st.just(()), st.lists(st.integers(0, 2), max_size=2).map(tuple)))


def _sign(world: OfficeWorld, doc_json: bytes, doc: Any, signer: str,
          original: str) -> str:
    from branchtool.bundles import format as fmt

    if signer == "keep":
        return original
    try:
        comment = fmt.trusted_comment(doc, hashlib.sha256(doc_json).hexdigest())
    except (KeyError, TypeError, IndexError):
        comment = "branchtool bundle"
    if signer == "legacy-a":  # the branch's own key, in the refused Ed form
        try:
            return legacy_signature(doc_json, world.signers["a"], comment)
        except ValueError:
            return legacy_signature(doc_json, world.signers["a"], "branchtool bundle")
    try:
        return minisign.sign(doc_json, world.signers[signer], comment)
    except ValueError:  # a comment minisign cannot carry (a line break)
        return minisign.sign(doc_json, world.signers[signer], "branchtool bundle")


def make_bundle_file(world: OfficeWorld, ex: BundleMutation) -> tuple[bytes, bool]:
    """The mutated file, and whether its bundle.json was re-signed by A1."""
    from branchtool.bundles import format as fmt

    bundle = world.bundles[ex.base % len(world.bundles)]
    if ex.layer == "file":
        return apply_edits(bundle.file, ex.ops), False
    resigned = False
    if ex.layer == "tar":
        tar = apply_edits(bundle.tar, ex.ops)
    elif ex.layer == "members":
        built = build_tar(ex.members, bundle, ex.tar_format)
        tar = built if built is not None else bundle.tar
    else:
        json_bytes, signature = bundle.json, bundle.signature
        if ex.layer == "sig":
            signature = apply_edits(signature.encode(), ex.ops).decode("utf-8", "replace")
        else:
            if ex.layer == "json":
                json_bytes = apply_edits(bundle.json, ex.ops)
                try:
                    doc = orjson.loads(json_bytes)
                except orjson.JSONDecodeError:
                    doc = None
            else:
                doc = apply_doc_edits(world, bundle, orjson.loads(bundle.json), ex.edits)
                json_bytes = fmt.encode(doc)
            signature = _sign(world, json_bytes, doc, ex.signer, bundle.signature)
            resigned = ex.signer == "a"
        tar = fmt.pack(json_bytes, signature, 0)
    recipients = {"office": [world.recipient], "both": [world.other_recipient, world.recipient],
                  "other": [world.other_recipient]}[ex.recipients]
    return age.encrypt(tar, recipients), resigned


def check_office_import(world: OfficeWorld, ex: BundleMutation) -> None:
    from branchtool import i18n

    data, resigned = make_bundle_file(world, ex)
    files = [data] + [world.bundles[i % len(world.bundles)].file for i in ex.company]
    paths = []
    for content in files:
        path = world.file_path()
        path.write_bytes(content)
        paths.append(path)
    refused_before = world.refusals()
    try:
        results = world.office.import_paths(paths)
    finally:
        for path in paths:
            path.unlink()
    assert [r.file for r in results] == paths, "one result per file, in order"
    assert world.refusals() == refused_before + sum(
        r.verdict == "rejected" for r in results), "each refusal is in the import log"
    for result in results:
        for lang in i18n.LANGUAGES:  # every verdict is said in both languages
            before = i18n.language()
            i18n.set_language(lang)
            try:
                assert result.message().strip()
                orjson.dumps(result.to_json())
            finally:
                i18n.set_language(before)
        assert result.verdict in ("accepted", "duplicate", "rejected")
        if result.verdict == "rejected":
            assert _catalog_has(f"bundle.reject.{result.reason}"), (
                f"reason {result.reason!r} missing from a catalog")
    if not any(r.verdict == "accepted" for r in results):
        held = world.held_digest()
        changed = sorted(k for k in held.keys() | world.digest.keys()
                         if held.get(k) != world.digest.get(k))
        assert not changed, f"a run that accepted nothing changed what the office holds: {changed}"
        assert world.status_json() == world.status, "a run that accepted nothing changed the status"
        return
    try:
        if results[0].verdict == "accepted":
            _check_accepted(world, ex, data, resigned)
        assert world.office.vault.check() == [], "the office store fails its check"
        world.status_json()
        last = max(r.sequence for r in results if r.verdict == "accepted")
        [branch] = [b for b in world.office.branches() if b["code"] == "A1"]
        assert branch["last"]["sequence"] == last
    finally:
        world.reset()


def _check_accepted(world: OfficeWorld, ex: BundleMutation, data: bytes,
                    resigned: bool) -> None:
    """The genuine bundle, or one A1 really signed that makes sense."""
    from branchtool.bundles import format as fmt
    from storage.history import verify_chain

    bundle = world.bundles[ex.base % len(world.bundles)]
    tar = age.decrypt(data, [world.identity])
    json_bytes, signature = fmt.unpack(tar)
    if not resigned:
        assert json_bytes == bundle.json, "accepted a bundle.json its branch never signed"
        assert bundle.name != "first", "accepted the first bundle twice"
    doc = fmt.decode(json_bytes)
    from branchtool.bundles.scope import check_records

    check_records(doc)  # an accepted bundle's records hold text where defined
    assert minisign.parse_signature(signature).prehashed, "accepted a legacy signature"
    assert doc["recipient"] == world.recipient
    assert doc["branch"]["code"] == "A1"
    assert doc["signer_key_id"] == world.signers["a"].key_id
    assert doc["sequence"] > world.bundles[2].doc["sequence"]
    history = doc["history"]
    report = verify_chain(history["entries"], history["base"]["seq"], history["base"]["hash"],
                          links=True)
    assert report.ok and (report.head_seq, report.head_hash) == (
        history["head"]["seq"], history["head"]["hash"]), "accepted a broken chain"
    # The office can still show each day the bundle reports (its status reads
    # the signed times).
    day = dt.date.fromisoformat(doc["period"]["from"])
    end = dt.date.fromisoformat(doc["period"]["to"])
    for _ in range(40):
        if day > end:
            break
        world.office.overview(day)
        day += dt.timedelta(days=1)


@dataclass(frozen=True)
class FormatInput:
    layer: str  # "tar", "json", "doc", "members", "garbage"
    ops: tuple[Op | LineOp, ...]
    edits: tuple[DocEdit, ...]
    members: tuple[TarMember, ...]
    tar_format: int
    garbage: bytes


def format_inputs() -> st.SearchStrategy[FormatInput]:
    return st.builds(FormatInput, st.sampled_from(["tar", "json", "doc", "members", "garbage"]),
                     st.one_of(byte_ops(), edits()).map(tuple), doc_edits().map(tuple),
                     tar_members().map(tuple), st.integers(0, 2), st.binary(max_size=2000))


def check_format(world: OfficeWorld, ex: FormatInput) -> None:
    """``format.unpack`` and ``format.decode`` alone: only ``BundleRejected``."""
    from branchtool.bundles import format as fmt

    bundle = world.bundles[0]
    if ex.layer in ("tar", "members", "garbage"):
        if ex.layer == "tar":
            tar = apply_edits(bundle.tar, ex.ops)
        elif ex.layer == "members":
            tar = build_tar(ex.members, bundle, ex.tar_format) or bundle.tar
        else:
            tar = ex.garbage
        try:
            json_bytes, signature = fmt.unpack(tar)
        except fmt.BundleRejected as exc:
            assert _catalog_has(f"bundle.reject.{exc.reason}")
            return
        assert isinstance(signature, str)
    elif ex.layer == "json":
        json_bytes = apply_edits(bundle.json, ex.ops)
    else:
        doc = apply_doc_edits(world, bundle, orjson.loads(bundle.json), ex.edits)
        json_bytes = fmt.encode(doc)
    try:
        fmt.decode(json_bytes)
    except fmt.BundleRejected as exc:
        assert _catalog_has(f"bundle.reject.{exc.reason}")


# Key files and key rotation statements (also carried on a USB stick).
@dataclass(frozen=True)
class KeyFileMutation:
    kind: str  # "keyfile", "rotation"
    ops: tuple[Op | LineOp, ...]
    field: str  # for a rotation: a statement field to change, then re-sign ("" : none)
    value: str
    signer: str  # who signs the changed statement as the old key: "a", "b", "new"


def key_file_mutations() -> st.SearchStrategy[KeyFileMutation]:
    return st.builds(
        KeyFileMutation, st.sampled_from(["keyfile", "rotation", "rotation"]),
        st.one_of(st.just(()), byte_ops().map(tuple), edits().map(tuple)),
        st.sampled_from(["", "", "code", "name", "old_fingerprint", "time", "recipient",
                         "minisign_public_key", "format", "version"]),
        st.sampled_from(["A1", "B2", "C3", "", "x" * 100, "@a_fp", "@b_fp", "@b_pub",
                         "@other", "0", "branchtool-key-rotation"]),
        st.sampled_from(["a", "a", "b", "new"]))


def _rotation(world: OfficeWorld, ex: KeyFileMutation) -> bytes:
    from branchtool.keyfiles import BRANCH_FORMAT, KeyFile
    from branchtool.office.rotation import make_rotation

    branches = {b["code"]: b for b in world.office.branches()}
    fps = {f"@{c[0].lower()}_fp": b["keys"][-1]["fingerprint"] for c, b in branches.items()}
    pubs = {f"@{c[0].lower()}_pub": b["keys"][-1]["minisign_public_key"]
            for c, b in branches.items()}
    fields = {"code": "A1", "name": "第一党支部", "old_fingerprint": fps["@a_fp"],
              "time": "2026-11-20T08:00:00Z", "recipient": world.new_recipient,
              "minisign_public_key": world.new_secret.public_key_text()}
    if ex.field in fields:
        fields[ex.field] = {**fps, **pubs, "@other": world.other_recipient}.get(ex.value,
                                                                                 ex.value)
    new_key = KeyFile(BRANCH_FORMAT, fields["name"], fields["recipient"],
                      fields["minisign_public_key"], code=fields["code"])
    old = {"a": world.signers["a"], "b": world.signers["b"], "new": world.new_secret}[ex.signer]

    def signer(secret: minisign.SecretKey) -> Callable[[bytes, str], str]:
        return lambda data, comment: minisign.sign(data, secret, "rotation")

    try:
        data = make_rotation(fields["code"], fields["name"], fields["old_fingerprint"],
                             new_key, fields["time"], signer(old), signer(world.new_secret))
    except (ValueError, KeyError, TypeError):  # a field the statement cannot carry
        data = world.rotation
    if ex.field in ("format", "version"):
        outer = orjson.loads(data)
        outer[ex.field] = ex.value
        data = orjson.dumps(outer)
    return apply_edits(data, ex.ops) if ex.ops else data


def check_key_files(world: OfficeWorld, ex: KeyFileMutation) -> None:
    from branchtool.errors import UserError
    from branchtool.keyfiles import BRANCH_FORMAT, parse_key_file
    from branchtool.office.rotation import parse_rotation

    trust = world.office.trust
    if ex.kind == "keyfile":
        data = apply_edits(world.key_file, ex.ops) if ex.ops else world.key_file
        try:
            key = parse_key_file(data, BRANCH_FORMAT)
            trust.preview(key)
        except UserError as exc:
            _user_error_ok(exc)
        return
    try:
        rotation = parse_rotation(_rotation(world, ex))
        trust.rotate(rotation)
    except UserError as exc:
        _user_error_ok(exc)
        assert world.held_digest() == world.digest, (
            "a refused rotation changed the office store")
        return
    try:  # applied: the genuine one, or one the branch's own current key signed
        genuine = parse_rotation(world.rotation).statement
        assert rotation.code in ("A1", "B2")
        assert rotation.statement == genuine or ex.signer == {"A1": "a", "B2": "b"}[
            rotation.code], "a rotation signed by another key was applied"
        assert world.office.vault.check() == []
    finally:
        world.reset()


BUNDLES = Target("bundles", OfficeWorld.build, [
    Prop("office import of damaged bundles", bundle_mutations(), check_office_import),
    Prop("format.unpack and format.decode", format_inputs(), check_format),
    Prop("key files and key rotations", key_file_mutations(), check_key_files),
])


# =====================================================================================
# the roster and check-in importers
# =====================================================================================

SHEET_PASSPHRASE = "correct horse battery"
SHEET_NOW = dt.datetime(2024, 6, 1, 11, 0)
NAMES = ("张三", "李四", "王五", "赵六", "孙七")


class _Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class SheetWorld:
    """A branch vault (work factor 10) with five people, the roster and
    check-in services on it, and the text cells and headers the sheets use."""

    root: Path
    pristine: Path
    work: Path
    session: Any
    headers: list[str]  # every header either importer recognises
    values: list[str]  # cell texts that mean something to a field
    by_field: dict[str, list[str]]  # the texts a column of that field holds
    good: dict[str, list[str]]  # the texts a clean row's column holds
    resets: int = 0
    counter: int = 0

    @classmethod
    def build(cls, root: Path) -> SheetWorld:
        from branchtool.records.checkin import CHECKIN
        from branchtool.records.fields import Kind, _catalog_variants, _choice_lookup
        from branchtool.records.person import PERSON
        from branchtool.session import Session
        from tests.fixtures_app import BRANCH_CODE, BRANCH_NAME, id_number

        root.mkdir(parents=True, exist_ok=True)
        session = Session(root / "vault", work_factor=10)
        session.clock = _Clock(SHEET_NOW)
        session.create(BRANCH_CODE, BRANCH_NAME, SHEET_PASSPHRASE)
        for i, name in enumerate(NAMES):
            session.roster.add({"name": name, "category": "student", "stage": "member",
                                "id_number": id_number(order=100 + i),
                                "phone": f"1380000{i:04d}"})
        session.roster.add({"name": "张三", "category": "staff", "stage": "masses"})  # twin
        session.lock()
        headers: list[str] = []
        values: list[str] = [*NAMES, id_number(order=100), id_number(order=101).lower(),
                             id_number(order=555), "110105194912310021", "11010519491231002",
                             "13800000001", "+86 138 0000 0002", "12345"]
        for record in (PERSON, CHECKIN):
            for fdef in record.fields:
                headers.append(fdef.key)
                headers.extend(_catalog_variants(fdef.label_key))
                if fdef.kind is Kind.CHOICE:
                    values.extend(_choice_lookup(fdef))
        headers.extend(_catalog_variants("checkin.import.submitted"))
        headers.extend(["1、姓名", "Q2. 手机号码", "3．体温", "序号", "手机（必填）", "备注",
                        "提交答卷时间", "所用时间", "来源"])
        values.extend(["36.5", "37.3", "39", "50", "36,5", "发热┋干咳", "发热|其他", "是", "否",
                       "在校", "在家", "2024-06-01", "2024/6/1 7:30", "2024/6/1 24:00",
                       "2024-06-02", "2019.06", "2019年6月", "20190601", "2019-02-30",
                       "2024-05-31 23:59:59", "45000", "1e999", "nan", "inf", "-0", "0x10",
                       "=1+1", "=HYPERLINK(\"http://x\")", "@SUM(A1)", "+1", "NULL", "None"])
        by_field: dict[str, list[str]] = {
            "name": [*NAMES, "张九", "李十一", "王 五", "欧阳娜娜", "x" * 50],
            "id_number": [id_number(order=100 + i) for i in range(5)]
            + [id_number(order=300 + i) for i in range(4)]
            + ["110105194912310021", "11010519491231002X", id_number(order=301).lower()],
            "phone": [f"1380000{i:04d}" for i in range(5)]
            + ["13900001111", "+86 139 0000 2222", "12345", "1380000000a"],
            "submitted": ["2024/6/1 7:30:12", "2024-05-31 23:59", "2024/6/1 24:00",
                          "2024-06-01T00:00:00", "2024/5/30 8:00", "昨天", "2024/6/2 8:00"],
            "temperature": ["36.5", "37.3", "39", "50", "36,5", "abc", "36.55", "-1"],
        }
        dates_text = ["2024-06-01", "2024/5/31", "2019.06", "2019年6月", "20190601",
                      "2019-02-30", "1899-12-31", "2101-01-01", "2024-06-02", "1995-03-07"]
        for record in (PERSON, CHECKIN):
            for fdef in record.fields:
                if fdef.kind is Kind.CHOICE:
                    by_field.setdefault(fdef.key, []).extend([*_choice_lookup(fdef),
                                                              *fdef.choices, "其他", "?"])
                elif fdef.kind is Kind.DATE:
                    by_field.setdefault(fdef.key, dates_text)
        by_field["symptoms"] += ["发热┋干咳", "发热、乏力", "无", "发热|其他"]
        # Values a clean row takes: each valid alone (cross-field rules may still object).
        good = {
            "name": ["张九", "李十一", "欧阳娜娜", *NAMES],
            "id_number": [id_number(order=300 + i) for i in range(4)] + [id_number(order=101)],
            "phone": ["13900001111", "13900002222", "13800000001"],
            "gender": ["男", "女"], "category": ["学生", "教工"], "stage": ["群众", "共青团员"],
            "birth_date": ["1995-03-07", "2001/2/3"], "date": ["2024-06-01", "2024/5/31"],
            "submitted": ["2024/6/1 7:30:12", "2024-05-31 23:59:00"],
            "temperature": ["36.5", "36.8", "37.5"], "symptoms": ["无", "发热┋干咳"],
            "location": ["在校"], "risk_travel": ["否"], "case_contact": ["否", "是"],
            "isolation": ["无", "居家隔离"], "education": ["大学本科"],
        }
        world = cls(root, root / "vault", root / "work", None, sorted(set(headers)),
                    sorted(set(values)), by_field, good)
        world.reset()
        return world

    def field_of(self, importer: str, header: str) -> str | None:
        from branchtool.records.person import PERSON
        from branchtool.services import checkin_import as ci

        return (PERSON.match_header(header) if importer == "roster"
                else ci.match_header(header))

    def reset(self) -> None:
        from branchtool.session import Session

        if self.session is not None and self.session.vault is not None:
            self.session.lock()
        shutil.rmtree(self.work, ignore_errors=True)
        shutil.copytree(self.pristine, self.work)
        session = Session(self.work, work_factor=10)
        session.clock = _Clock(SHEET_NOW)
        session.unlock(SHEET_PASSPHRASE)
        self.session = session
        self.resets += 1

    def close(self) -> None:
        if self.session is not None and self.session.vault is not None:
            self.session.lock()

    def path(self, suffix: str) -> Path:
        self.counter += 1
        folder = self.root / "incoming"
        folder.mkdir(exist_ok=True)
        return folder / f"sheet-{self.counter}{suffix}"

    def state(self) -> tuple[dict[str, str], int]:
        """The vault's data files (by digest) and the store's sequence."""
        store = self.session.vault.store
        return folder_digest(self.work / "data"), store.seq


# A cell: text (a CSV's only kind), or what an .xlsx holds.
@dataclass(frozen=True)
class Cell:
    kind: str  # "text", "pick" (one of the world's values), "n", "b", "e", "d", "f", "blank"
    text: str = ""
    pick: int = 0
    style: int = 0  # 0 general, 1 date, 2 time, 3 duration, 4 text


# Numbers a workbook cell holds ("n"), and a few no program writes (which make
# openpyxl refuse the whole workbook, so they are rarer).
_NUMBERS = ["0", "1", "-1", "1.5", "36.6", "45000", "45444", "45444.3125", "2958465",
            "2958466", "99999999", "1e20", "1e308", "1e999", "-1e999", "20240601", "2.5e-5",
            "110105199003071231", "13800000001", "-0.0", "4.5E+4"]
_NOT_NUMBERS = ["nan", "inf", "abc", "", "1,5", "0x1A", "１２３"]


def cells(hostile: bool = False) -> st.SearchStrategy[Cell]:
    """A cell; ``hostile``: also the cells no program writes, which make
    openpyxl refuse the whole workbook (so only some sheets have them)."""
    text = st.one_of(st.text(max_size=20), st.sampled_from(
        ["", " ", "\t", "\u3000", "\ufeff", "\x00", "x" * 300, "\n", "\"", "=1/0", "'123"]))
    pick = st.integers(0, 1 << 10)
    number = st.builds(Cell, st.just("n"), st.sampled_from(_NUMBERS), st.just(0),
                       st.sampled_from([0, 0, 1, 2, 3, 4]))
    fit = st.builds(Cell, st.just("fit"), st.just(""), pick)
    options = [fit, fit, fit, fit, st.builds(Cell, st.just("pick"), st.just(""), pick),
               st.builds(Cell, st.just("text"), text), st.builds(Cell, st.just("blank")),
               number]
    if hostile:
        options.append(st.builds(
            Cell, st.sampled_from(["b", "e", "d", "f", "s_bad", "n"]),
            st.sampled_from([*_NOT_NUMBERS, "1", "0", "true", "2", "#DIV/0!",
                             "2024-06-01T07:30:00", "2024-13-45", "SUM(A1)", "99999"]),
            st.just(0), st.integers(0, 4)))
    return st.one_of(*options)


ROSTER_HEADERS = ("序号", "姓名", "性别", "身份证号码", "手机号码", "人员类别", "政治面貌",
                  "入党时间", "宿舍")
WJX_HEADERS = ("序号", "提交答卷时间", "所用时间", "来源", "1、姓名", "2、手机号码", "3、今日体温",
               "4、是否有以下症状", "5、当前所在地", "6、所在省份", "7、近14天是否到过中高风险地区")
SIMPLE_HEADERS = ("姓名", "身份证号", "手机", "体温", "日期")


@dataclass(frozen=True)
class SheetInput:
    importer: str  # "roster" or "checkin"
    form: str  # "csv", "xlsx", "xlsx-bytes" (a damaged workbook), "bytes", "name"
    title: bool  # a title row above the headers
    headers: tuple[int | str, ...]  # index into the world's headers, or literal text
    rows: tuple[tuple[Cell, ...], ...]
    encoding: str
    delimiter: str
    newline: str
    quoting: bool
    huge: int  # a cell of this many characters (0: none)
    ops: tuple[Op, ...]  # damage to the file's bytes
    raw: bytes
    suffix: str
    mapping: tuple[int, ...] | None  # a hand-made mapping (indices into the fields)
    day: str | None  # the check-in import's day
    update: bool  # commit duplicates too (roster)
    assign: bool  # resolve the first unmatched row by hand (check-ins)


# The headers of the fields most cells are checked against.
CORE_HEADERS = ["姓名", "身份证号", "手机", "类别", "政治面貌", "出生日期", "入党时间", "性别",
                "日期", "提交时间", "体温", "症状", "当前所在地", "name", "birth_date", "date"]


@st.composite
def sheet_inputs(draw: st.DrawFn, importer: str | None = None) -> SheetInput:
    header = st.one_of(st.sampled_from(CORE_HEADERS), st.integers(0, 1 << 10),
                       st.text(max_size=12), st.just(""))
    importer = importer or draw(st.sampled_from(["roster", "checkin"]))
    presets = ([(), ROSTER_HEADERS, ROSTER_HEADERS, SIMPLE_HEADERS] if importer == "roster"
               else [(), WJX_HEADERS, WJX_HEADERS, SIMPLE_HEADERS, ROSTER_HEADERS])
    preset = draw(st.sampled_from(presets))
    if preset:
        headers: list[int | str] = list(preset)
        for index, value in draw(st.lists(st.tuples(st.integers(0, 20), header), max_size=2)):
            headers.insert(index % (len(headers) + 1), value)
        if draw(st.booleans()):
            del headers[draw(st.integers(0, len(headers) - 1))]
    else:
        headers = draw(st.lists(st.one_of(header, st.sampled_from(CORE_HEADERS)), max_size=8))
    hostile = draw(st.integers(0, 4)) == 0
    width = max(1, len(headers))
    good = st.lists(st.builds(Cell, st.just("good"), st.just(""), st.integers(0, 99)),
                    min_size=width, max_size=width)
    rows = draw(st.lists(st.one_of(good, st.lists(cells(hostile), max_size=width + 1))
                         .map(tuple), max_size=8))
    return SheetInput(
        importer,
        draw(st.sampled_from(["csv", "csv", "xlsx", "xlsx", "xlsx", "xlsx-bytes", "xlsx-quirky",
                              "bytes", "name"])),
        draw(st.booleans()), tuple(headers), tuple(rows),
        draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be",
                              "gb18030", "latin-1", "utf-8-sig+utf-16"])),
        draw(st.sampled_from([",", "\t", ";", "|"])),
        draw(st.sampled_from(["\n", "\r\n", "\r"])),
        draw(st.booleans()),
        draw(st.sampled_from([0] * 12 + [140_000, 1_100_000])),
        tuple(draw(st.lists(byte_op(), max_size=2))),
        draw(st.binary(max_size=300)),
        draw(st.sampled_from([".csv", ".xlsx", ".txt", ".xls", ".xlsm", ".CSV", ".ods", ""])),
        draw(st.one_of(st.none(), st.none(), st.lists(st.integers(0, 40), max_size=8).map(tuple))),
        draw(st.sampled_from([None, None, None, "2024-06-01", "2024-05-30", "2024-06-02", "昨天",
                              "2024/5/31", "1900-01-01"])),
        draw(st.booleans()), draw(st.booleans()))


def _cell_text(world: SheetWorld, cell: Cell) -> str:
    if cell.kind == "pick":
        return world.values[cell.pick % len(world.values)]
    if cell.kind == "blank":
        return ""
    return cell.text


def _table(world: SheetWorld, ex: SheetInput) -> list[list[Cell]]:
    """The sheet's cells; a "fit" cell becomes a text its column's field holds."""
    names = [h if isinstance(h, str) else world.headers[h % len(world.headers)]
             for h in ex.headers]
    fields = [world.field_of(ex.importer, h) for h in names]
    table = ([[Cell("text", "某某党支部 名单")]] if ex.title else [])
    table.append([Cell("text", h) for h in names])
    for row in ex.rows:
        out = []
        for i, cell in enumerate(row):
            if cell.kind in ("fit", "good"):
                field_name = (fields[i] if i < len(fields) else None) or ""
                if cell.kind == "good":
                    pool = world.good.get(field_name, [""])
                else:
                    pool = world.by_field.get(field_name, world.values)
                cell = Cell("text", pool[cell.pick % len(pool)])
            out.append(cell)
        table.append(out)
    if ex.huge:
        table[-1] = [*table[-1], Cell("text", "长" * ex.huge)]
    return table


def _csv_bytes(world: SheetWorld, ex: SheetInput, table: list[list[Cell]]) -> bytes:
    out = io.StringIO()
    if ex.quoting:
        writer = csv.writer(out, delimiter=ex.delimiter, lineterminator=ex.newline)
        for row in table:
            writer.writerow([_cell_text(world, c) for c in row])
    else:
        for row in table:
            out.write(ex.delimiter.join(_cell_text(world, c) for c in row) + ex.newline)
    text = out.getvalue()
    if ex.encoding == "utf-8-sig+utf-16":  # a UTF-8 BOM on UTF-16 text
        return b"\xef\xbb\xbf" + text.encode("utf-16-le", "surrogatepass")
    return text.encode(ex.encoding, "replace" if ex.encoding in ("gb18030", "latin-1")
                       else "surrogatepass")


_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _xml_text(text: str) -> str:
    from xml.sax.saxutils import escape

    # XML 1.0 has no place for most control characters (nor lone surrogates).
    clean = "".join(ch for ch in text
                    if ch in "\t\n\r" or (ch >= " " and not "\ud800" <= ch <= "\udfff"))
    return escape(clean)


def _column(n: int) -> str:
    name = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        name = chr(65 + rem) + name
    return name


def xlsx_bytes(world: SheetWorld, table: list[list[Cell]], quirky: bool = False) -> bytes:
    """A minimal workbook written by hand, so cells can hold what a program
    never writes: numbers like 1e999, shared-string indices past the end,
    dates of any serial, formulas without values. ``quirky``: a stylesheet
    openpyxl cannot read (an empty ``<fill/>``)."""
    strings: list[str] = []
    rows = []
    for r, row in enumerate(table, start=1):
        out = []
        for c, cell in enumerate(row):
            ref = f'{_column(c)}{r}'
            style = f' s="{cell.style}"' if cell.style else ""
            if cell.kind in ("text", "pick"):
                strings.append(_cell_text(world, cell))
                out.append(f'<c r="{ref}" t="s"{style}><v>{len(strings) - 1}</v></c>')
            elif cell.kind == "n":
                out.append(f'<c r="{ref}"{style}><v>{_xml_text(cell.text)}</v></c>')
            elif cell.kind == "s_bad":
                out.append(f'<c r="{ref}" t="s"><v>{10**6}</v></c>')
            elif cell.kind == "f":
                out.append(f'<c r="{ref}"{style}><f>{_xml_text(cell.text)}</f></c>')
            elif cell.kind == "blank":
                out.append(f'<c r="{ref}"{style}/>')
            else:  # b, e, d
                out.append(f'<c r="{ref}" t="{cell.kind}"{style}>'
                           f'<v>{_xml_text(cell.text)}</v></c>')
        rows.append(f'<row r="{r}">{"".join(out)}</row>')
    sheet = f'<worksheet {_NS}><sheetData>{"".join(rows)}</sheetData></worksheet>'
    sst = (f'<sst {_NS} count="{len(strings)}" uniqueCount="{len(strings)}">'
           + "".join(f'<si><t xml:space="preserve">{_xml_text(t)}</t></si>' for t in strings)
           + "</sst>")
    fill = "<fill/>" if quirky else '<fill><patternFill patternType="none"/></fill>'
    styles = (f'<styleSheet {_NS}><fonts count="1"><font><sz val="11"/></font></fonts>'
              f'<fills count="1">{fill}</fills>'
              '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/>'
              '</cellStyleXfs><cellXfs count="5"><xf numFmtId="0"/>'
              '<xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="21" applyNumberFormat="1"/>'
              '<xf numFmtId="46" applyNumberFormat="1"/><xf numFmtId="49" applyNumberFormat="1"/>'
              '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" '
              'builtinId="0"/></cellStyles></styleSheet>')
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
            '</Types>'),
        "_rels/.rels": (f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
                        f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
                        '</Relationships>'),
        "xl/workbook.xml": (f'<workbook {_NS} xmlns:r="{_REL}"><sheets><sheet name="Sheet1" '
                            'sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_PKG}">'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
            '</Relationships>'),
        "xl/worksheets/sheet1.xml": sheet,
        "xl/styles.xml": styles,
        "xl/sharedStrings.xml": sst,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text.encode("utf-8"))
    return out.getvalue()


def sheet_file(world: SheetWorld, ex: SheetInput) -> Path:
    table = _table(world, ex)
    if ex.form == "csv":
        data, suffix = _csv_bytes(world, ex, table), ".csv"
    elif ex.form in ("xlsx", "xlsx-bytes", "xlsx-quirky"):
        data, suffix = xlsx_bytes(world, table, ex.form == "xlsx-quirky"), ".xlsx"
        if ex.form == "xlsx-bytes":
            data = apply_ops(data, ex.ops) if ex.ops else data[: len(data) // 2]
    elif ex.form == "bytes":
        data, suffix = ex.raw, ex.suffix
    else:  # any file under any name
        data, suffix = _csv_bytes(world, ex, table), ex.suffix
    if ex.form == "csv" and ex.ops:
        data = apply_ops(data, ex.ops)
    path = world.path(suffix)
    path.write_bytes(data)
    return path


def _user_error_ok(exc: Exception) -> None:
    from branchtool.errors import UserError

    assert isinstance(exc, UserError)
    assert _catalog_has(exc.key), f"error key {exc.key!r} missing from a catalog"
    assert str(exc).strip()


def _in_both_languages(render: Callable[[], str]) -> None:
    from branchtool import i18n

    before = i18n.language()
    try:
        for lang in i18n.LANGUAGES:
            i18n.set_language(lang)
            assert render().strip()
    finally:
        i18n.set_language(before)


def _quiet(check: Callable[[SheetWorld, SheetInput], None]
           ) -> Callable[[SheetWorld, SheetInput], None]:
    """openpyxl warns about every odd cell it reads; the fuzzer makes many."""
    def run(world: SheetWorld, ex: SheetInput) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            check(world, ex)
    return run


def check_roster_import(world: SheetWorld, ex: SheetInput) -> None:
    from branchtool.errors import UserError
    from branchtool.records.person import PERSON
    from branchtool.services import roster_io

    roster = world.session.roster
    path = sheet_file(world, ex)
    before = world.state()
    people = {p.id: dict(roster.get(p.id) or {}) for p in roster.people()}
    try:
        try:
            sheet, mapping = roster_io.read(path)
            if ex.mapping is not None:
                keys: list[str | None] = [None, *(f.key for f in PERSON.fields)]
                mapping = [keys[ex.mapping[i % len(ex.mapping)] % len(keys)] if ex.mapping
                           else None for i in range(len(sheet.headers))]
            plan = roster_io.plan(roster, sheet, mapping,
                                  defaults={"category": "student"} if ex.title else None)
        except UserError as exc:
            _user_error_ok(exc)
            assert world.state() == before, "a refused sheet changed the vault"
            return
    finally:
        path.unlink()
    assert world.state() == before, "planning changed the vault"
    numbers = [r.row for r in plan.new + plan.duplicates] + [b.row for b in plan.bad]
    assert len(numbers) == len(set(numbers)), "a row is in the plan twice"
    assert set(numbers) <= {n for n, _ in sheet.rows}, "a row number the sheet does not have"
    for bad in plan.bad:
        assert bad.problems
        _in_both_languages(bad.reason)
    for row in plan.new:
        assert row.values["name"] and row.values["category"]
    if not plan.importable(roster_io.UPDATE if ex.update else roster_io.SKIP):
        try:
            roster_io.commit(roster, plan, roster_io.UPDATE if ex.update else roster_io.SKIP)
        except UserError as exc:
            _user_error_ok(exc)
        else:
            raise AssertionError("a plan with nothing to import was committed")
        assert world.state() == before, "committing nothing changed the vault"
        assert {p.id: roster.get(p.id) for p in roster.people()} == people
        return
    result = roster_io.commit(roster, plan, roster_io.UPDATE if ex.update else roster_io.SKIP)
    assert result.added == len(plan.new)
    assert result.bad == len(plan.bad)
    if ex.update:
        assert result.updated == len(plan.changed)
        world.reset()  # the changed people are put back with the whole vault
        return
    added = [p.id for p in roster.people() if p.id not in people]
    assert len(added) == len(plan.new), "the roster did not gain exactly the new rows"
    for person_id in added:
        roster.delete(person_id)
    assert {p.id: roster.get(p.id) for p in roster.people()} == people


def check_checkin_import(world: SheetWorld, ex: SheetInput) -> None:
    from branchtool.errors import UserError
    from branchtool.services import checkin_import as ci

    session = world.session
    health, roster = session.health, session.roster
    path = sheet_file(world, ex)
    before = world.state()
    try:
        try:
            sheet, mapping = ci.read(path)
            if ex.mapping is not None:
                keys: list[str | None] = [None, "name", "id_number", "phone", ci.SUBMITTED,
                                          *(f.key for f in _checkin_fields())]
                mapping = [keys[ex.mapping[i % len(ex.mapping)] % len(keys)] if ex.mapping
                           else None for i in range(len(sheet.headers))]
                mapping = [k if k not in mapping[:i] else None  # each field once
                           for i, k in enumerate(mapping)]
            plan = ci.plan(health, roster, sheet, mapping, ex.day)
            if ex.assign and (plan.unmatched or plan.ambiguous):
                issue = (plan.unmatched or plan.ambiguous)[0]
                ci.assign(plan, health, issue.row, next(iter(roster.people())).id)
        except UserError as exc:
            _user_error_ok(exc)
            assert world.state() == before, "a refused sheet changed the vault"
            return
    finally:
        path.unlink()
    assert world.state() == before, "planning changed the vault"
    numbers = ([r.row for r in plan.rows] + [i.row for i in plan.unmatched + plan.ambiguous]
               + [b.row for b in plan.bad])
    assert len(numbers) == len(set(numbers)), "a row is in the plan twice"
    assert not set(plan.superseded) & {r.row for r in plan.rows}, "a superseded row is planned"
    assert set(numbers) | set(plan.superseded) <= {n for n, _ in sheet.rows}
    assert sum(plan.days.values()) == len(plan.rows)
    for item in plan.bad + plan.unmatched + plan.ambiguous:
        _in_both_languages(item.reason)
    orjson.dumps(ci.summary_counts(plan))
    if not plan.rows:
        try:
            ci.commit(health, roster, plan)
        except UserError as exc:
            _user_error_ok(exc)
        else:
            raise AssertionError("a plan with nothing to import was committed")
        assert world.state() == before, "committing nothing changed the vault"
        return
    result = ci.commit(health, roster, plan)
    assert result.added + result.updated == len(plan.rows)
    for row in plan.rows:
        stored = health.day(row.values["date"]).get(row.person)
        assert stored is not None, "a planned check-in was not written"
    world.reset()


def _checkin_fields() -> tuple[Any, ...]:
    from branchtool.records.checkin import CHECKIN

    return CHECKIN.fields


IMPORTERS = Target("importers", SheetWorld.build, [
    Prop("roster import", sheet_inputs("roster"), _quiet(check_roster_import)),
    Prop("check-in import", sheet_inputs("checkin"), _quiet(check_checkin_import)),
])

TARGETS: list[Target] = [AGE, MINISIGN, STORE, BUNDLES, IMPORTERS]

"""Property-based fuzzing of everything that reads hostile bytes: the shared
strategies and invariants.

The in-suite tests (``tests/test_fuzz_*.py``) and the long run
(``bench/fuzz.py``) run the very same properties: each target is a
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

The kit is this package: ``core`` (running an example, ``Prop``/``Target``,
mutations), and one module per target (``age_fuzz``, ``minisign_fuzz``,
``store_fuzz``, ``bundle_fuzz``, ``sheet_fuzz``). What the tests and the
long run use is named here.
"""

from __future__ import annotations

from tests.fuzz.age_fuzz import AGE
from tests.fuzz.bundle_fuzz import BUNDLES
from tests.fuzz.core import Op, Prop, Target, failure_key, folder_bytes, run_check, suite
from tests.fuzz.minisign_fuzz import MINISIGN
from tests.fuzz.sheet_fuzz import IMPORTERS
from tests.fuzz.store_fuzz import STORE

TARGETS: list[Target] = [AGE, MINISIGN, STORE, BUNDLES, IMPORTERS]

__all__ = ["AGE", "BUNDLES", "IMPORTERS", "MINISIGN", "STORE", "TARGETS", "Op", "Prop",
           "Target", "failure_key", "folder_bytes", "run_check", "suite"]

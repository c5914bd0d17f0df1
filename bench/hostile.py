"""What hostile files cost the office importer (issue 13's goal: no file of
any size or shape costs more than 400 MB of memory or 2 s beyond reading it).

    python -m bench.hostile [--people 300]

Builds an office with branch A1 enrolled, then imports each file in a fresh
process (tests/make_hostile_bundles.probe_import) and prints, per file: its
size, the verdict and reason, the seconds the import took and how far it
raised the process's peak resident memory (VmHWM, Linux). Files:

- a genuine month's bundle of ``--people`` people (the yardstick);
- unsigned ``[[],[],…]`` bombs of 128 and 256 MiB sealed to the office's
  public recipient ("signed" by a stranger claiming to be A1);
- bombs really signed by A1: one over the parse budget (refused unparsed),
  one just under it (parsed, then refused by the schema);
- an age header of 64 MiB of X25519 stanzas.

Nothing is written outside a temporary folder, deleted at the end. Figures,
not assertions. Linux only (VmHWM).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import tempfile
from pathlib import Path

from branchtool.bundles import format as fmt
from storage import minisign
from tests.make_hostile_bundles import probe_import, write_bomb, write_header_bomb
from tests.officekit import OFFICE_PASSPHRASE, TODAY, Clock, enrol, export, make_branch, make_office

MiB = 1 << 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=300)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="branchtool-hostile-"))
    try:
        office = make_office(root / "office", Clock())
        branch = make_branch(root / "branch", "A1", "第一党支部", office, people=args.people,
                             days=30)
        enrol(office, branch)
        files: list[tuple[str, Path]] = []
        genuine = export(branch, root / "usb", start=TODAY - dt.timedelta(days=29))
        files.append((f"genuine month, {args.people} people", genuine))
        stranger, _ = minisign.generate_keypair()
        recipient = office.vault.recipient
        for size in (128, 256):
            path = root / f"unsigned-{size}.bundle.age"
            write_bomb(path, recipient, size * MiB - MiB, stranger)  # within the 256 MiB cap
            files.append((f"unsigned bomb {size} MiB", path))
        # the parse budget in values of "[]," (two per list): just over, and under
        over = root / "signed-over.bundle.age"
        write_bomb(over, recipient, 32 * MiB, branch.vault._signing, seq=3)
        files.append(("signed bomb 32 MiB (over the budget)", over))
        under_size = (fmt.PARSE_BUDGET // (fmt.VALUE_COST * 2 + 6)) * 3 * 9 // 10
        under = root / "signed-under.bundle.age"
        write_bomb(under, recipient, under_size, branch.vault._signing, seq=4)
        files.append((f"signed bomb {under_size / MiB:.1f} MiB (within the budget)", under))
        header = root / "header.bundle.age"
        stanzas = write_header_bomb(header, 64 * MiB)
        files.append((f"header of {stanzas:,} stanzas, 64 MiB", header))
        branch.lock()
        office.vault.close()
        print(f"{'file':44} {'size':>10} {'verdict':>9} {'reason':>18} {'seconds':>8} "
              f"{'memory':>9}")
        for label, path in files:
            [result] = probe_import(root / "office", OFFICE_PASSPHRASE, [path])
            print(f"{label:44} {path.stat().st_size / MiB:8.1f}MB {result['verdict']:>9} "
                  f"{result['reason'] or '-':>18} {result['seconds']:8.2f} "
                  f"{result['growth'] / MiB:7.0f}MB")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()

"""What a branch code may be. The code names files (``<code>.pub``, bundles,
receipts), so it must be a file name on every system; the branch's vault
(``Session.create``), the command line and the office's trust store
(``office.trust``) all ask here."""

from __future__ import annotations

import re

_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")

# Names Windows gives to devices, in any case and whatever follows a dot:
# "CON.pub" opens the console, not a file.
WINDOWS_DEVICE_NAMES = frozenset({"CON", "PRN", "AUX", "NUL",
                                  *(f"COM{i}" for i in range(10)),
                                  *(f"LPT{i}" for i in range(10))})


def branch_code_problem(code: str) -> str | None:
    """The catalog key of what is wrong with a branch code (its template
    takes ``code``), or ``None``. The code names files (``<code>.pub``,
    bundles, receipts), so it must be a file name on every system."""
    if not _CODE.fullmatch(code):
        return "cli.init.bad_code"
    if code.upper() in WINDOWS_DEVICE_NAMES:
        return "cli.init.reserved_code"
    return None

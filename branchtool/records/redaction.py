"""The redaction levels: how much of a record is shown, sent or printed.

- ``full``: every field;
- ``standard``: without the fields a record definition marks
  ``redact="standard"`` (ID numbers, phones, addresses, free text about a
  person's health, care descriptions, what a member's record says);
- ``counts``: no records at all — counts, figures and reports that name nobody.

``RecordDef.public(doc, redaction)`` (``branchtool.records.fields``) is the
one place a record is cut to a level: the CLI's listings, the reports and the
bundles all go through it. Bundles and reports that leave the machine
default to ``standard``; what the secretary lists on her own machine
defaults to ``full`` (``LOCAL_DEFAULT``, said in ``--help``).
"""

from __future__ import annotations

from branchtool.errors import UserError

FULL, STANDARD, COUNTS = "full", "standard", "counts"
REDACTIONS = (FULL, STANDARD, COUNTS)
DEFAULT_REDACTION = STANDARD  # what leaves the machine: bundles, reports
LOCAL_DEFAULT = FULL  # what the secretary lists on her own machine


def check_redaction(redaction: str) -> str:
    """``redaction`` when it is a level, else ``UserError``."""
    if redaction not in REDACTIONS:
        raise UserError("export.bad_redaction")
    return redaction

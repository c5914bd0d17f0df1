"""What every ``branchtool list <what>`` shares: a record as a listing row at
the redaction level asked for, and printing the rows.

A lister is a function from the unlocked session and the arguments to
(columns, rows as dicts of stored values). A row holds the record's id, the
fields its definition declares that the redaction level shows (lists of ids
as JSON lists), and the extra keys the lister names; the names the ids stand
for are added by each lister. The level is ``--redaction`` (default ``full``:
the secretary's own machine), cut by ``RecordDef.public`` like bundles and
reports.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from branchtool.records.fieldtypes import RefListField, split_ids
from branchtool.records.redaction import LOCAL_DEFAULT

if TYPE_CHECKING:
    from branchtool.records.fields import FieldDef, RecordDef
    from branchtool.session import Session

Rows = tuple[tuple["FieldDef", ...], list[dict[str, Any]]]
Lister = Callable[["Session", argparse.Namespace], Rows]
STAMPS = ("created_at", "updated_at")


def redaction(args: argparse.Namespace) -> str:
    return getattr(args, "redaction", None) or LOCAL_DEFAULT


def listed(rdef: RecordDef, doc: dict[str, Any], args: argparse.Namespace,
           extra: Iterable[str] = (), /, **more: Any) -> dict[str, Any]:
    """``doc`` as a listing row at the level ``args`` ask for: its id, every
    field the level shows (``RecordDef.public``; a list of ids as a list),
    then the ``extra`` keys it holds, then ``more`` (names for its ids...)."""
    level = redaction(args)
    shown = rdef.public(doc, level)
    withheld = rdef.withheld(level)
    out: dict[str, Any] = {"id": doc.get("id", "")}
    for fdef in rdef.fields:
        if fdef.key not in withheld:
            value = shown.get(fdef.key, "")
            out[fdef.key] = split_ids(value) if isinstance(fdef, RefListField) else value
    for key in extra:
        if key in doc:
            out[key] = doc[key]
    out.update(more)
    return out

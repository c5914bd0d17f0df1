"""The import log: every file an import accepted or refused — its name, when,
the verdict and reason, the branch when known — kept in the office vault
(``imports/YYYY-MM``, by the month of the import), so a refusal is still
there after a lock or a restart, the dashboard can say "文件损坏，待重交"
instead of "未报", and the receipts can tell the branch to send it again.

A file already imported before changes nothing and is not logged again.

The branch of a refused file is the one its signed bundle names when the
file was verified and opened (refused later: a sequence, the recipient),
else what its name says (``<code>-<seq>-<yyyymmdd>.bundle.age``), only a
claim, marked so (``claimed``): nothing unsigned is parsed to find it. The
day it is for: its period's last day, else the date in its name, else the
day it was imported (the office's local day).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from branchtool import i18n
from branchtool.office.model import month_of, parse_iso, partition_of
from branchtool.shown import shown

IMPORTS = "imports"
# Reasons that mean the file itself is damaged or not a bundle (copy it again),
# as against a file that is whole but not acceptable (a key, a sequence...).
DAMAGED = frozenset({"unreadable", "not_age", "truncated", "damaged", "tar", "tar_members",
                     "tar_path", "tar_duplicate", "tar_type", "content_too_large", "json",
                     "schema", "too_large"})
NAME = re.compile(r"^([A-Za-z0-9_-]{1,32})-([0-9]{6})-([0-9]{8})\.bundle\.age$")
NAME_MAX = 120  # characters of a file name kept


def printable(text: str, limit: int = NAME_MAX) -> str:
    """A file name as it may be shown: control characters (a hostile name's
    escape codes) spelled out (``branchtool.shown``), and not longer than
    ``limit``."""
    clean = shown(text)
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


@dataclass(frozen=True)
class NameHint:
    code: str
    sequence: int
    day: str  # ISO


def name_hint(file_name: str) -> NameHint | None:
    """What an exported bundle's file name says (``B01-000002-20261205.bundle.age``)."""
    match = NAME.match(file_name)
    if match is None:
        return None
    raw = match.group(3)
    try:
        day = dt.date(int(raw[:4]), int(raw[4:6]), int(raw[6:])).isoformat()
    except ValueError:
        return None
    return NameHint(match.group(1), int(match.group(2)), day)


def is_damaged(reason: str | None) -> bool:
    return reason in DAMAGED


def log(vault: Any, months: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """The entries of the months named (all by default), newest first."""
    names = vault.partitions(IMPORTS + "/")
    if months is not None:
        wanted = {partition_of(IMPORTS, m) for m in months}
        names = [n for n in names if n in wanted]
    out: list[dict[str, Any]] = []
    for name in names:
        out.extend(vault.partition(name).all())
    out.sort(key=lambda e: (e["time"], e["id"]), reverse=True)
    return out


def months_around(day: dt.date) -> list[str]:
    """The import months that may hold files for ``day``: its own and the next."""
    after = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return [f"{day:%Y-%m}", f"{after:%Y-%m}"]


def refused_on(vault: Any, day: dt.date) -> dict[str, dict[str, Any]]:
    """branch -> the latest refusal of a file for ``day`` attributed to it."""
    out: dict[str, dict[str, Any]] = {}
    key = day.isoformat()
    names = set(vault.partitions(IMPORTS + "/"))
    entries = [e for month in months_around(day)
               if (name := partition_of(IMPORTS, month)) in names
               for e in vault.partition(name).find(day=key)]
    for entry in sorted(entries, key=lambda e: (e["time"], e["id"]), reverse=True):
        if entry["verdict"] == "rejected" and entry.get("branch"):
            out.setdefault(entry["branch"], entry)
    return out


def partition_for(time: str) -> str:
    return partition_of(IMPORTS, month_of(time))


def local_day(time: str, tz: dt.tzinfo | None) -> str:
    moment = parse_iso(time)
    return moment.astimezone(tz).date().isoformat() if moment else ""


def message(entry: dict[str, Any]) -> str:
    """The entry's verdict in one sentence, in the current language."""
    if entry["verdict"] == "rejected":
        return i18n.t(f"bundle.reject.{entry['reason']}", **(entry.get("params") or {}))
    if entry.get("filled"):
        text = i18n.t("office.import.filled", sequence=entry.get("sequence"))
    elif entry.get("missing"):
        text = i18n.t("office.import.accepted_gap",
                      missing=", ".join(str(n) for n in entry["missing"]))
    else:
        text = i18n.t("office.import.accepted")
    if entry.get("changes"):
        text += " " + i18n.t("office.import.changes", count=entry["changes"])
    return text

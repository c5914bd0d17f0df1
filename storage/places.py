"""Where files can go on this machine: the drives and mounted volumes a file
dialog offers (a USB stick above all), and whether a folder can be written.

- Windows: the drive letters (``os.listdrives`` on Python 3.12+, else the
  ``GetLogicalDrives`` bitmask), each with its type from ``GetDriveTypeW``
  (removable sticks first).
- Linux: what is mounted under ``/media/$USER``, ``/media``, ``/run/media/$USER``
  and ``/mnt``; macOS: ``/Volumes``.

Every platform call sits behind a module-level name that tests replace, so
the listing is tested for each platform on any machine.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

from storage.fsio import create_new, temp_name

DRIVE_REMOVABLE = 2
DRIVE_FIXED = 3
DRIVE_REMOTE = 4
DRIVE_CDROM = 5
MAX_ENTRIES = 40  # of one mount folder; a /mnt with thousands of entries is not read whole


@dataclass(frozen=True)
class Place:
    path: Path
    name: str  # as shown: "E:\\", "KINGSTON" (the mount's folder name)
    removable: bool = False


def _listdrives() -> list[str]:
    """The drive roots ("C:\\"), where Windows is."""
    listdrives = getattr(os, "listdrives", None)
    if listdrives is not None:
        return list(listdrives())
    import ctypes

    mask = ctypes.windll.kernel32.GetLogicalDrives()  # type: ignore[attr-defined]
    return [f"{chr(65 + i)}:\\" for i in range(26) if mask >> i & 1]


def _drive_type(root: str) -> int:
    import ctypes

    return int(ctypes.windll.kernel32.GetDriveTypeW(root))  # type: ignore[attr-defined]


def _user() -> str:
    for name in ("USER", "LOGNAME", "USERNAME"):
        if os.environ.get(name):
            return os.environ[name]
    return ""


def _children(folder: Path) -> list[Path]:
    """The folders in ``folder`` (none if it cannot be read)."""
    try:
        with os.scandir(folder) as entries:
            found = []
            for entry in entries:
                if len(found) >= MAX_ENTRIES:
                    break
                with contextlib.suppress(OSError):
                    if entry.is_dir() and not entry.name.startswith("."):
                        found.append(Path(entry.path))
            return sorted(found)
    except OSError:
        return []


def drives_and_mounts(platform: str | None = None, root: Path = Path("/")) -> list[Place]:
    """The drives and volumes to offer, removable ones first. ``root`` is
    where the mount folders are looked for (tests point it at a folder)."""
    platform = platform or sys.platform
    if platform == "win32":
        return _windows_drives()
    bases: list[Path]
    if platform == "darwin":
        bases = [root / "Volumes"]
    else:
        user = _user()
        bases = [root / "run" / "media" / user, root / "media" / user] if user else []
        bases += [root / "media", root / "mnt"]
    places: list[Place] = []
    seen: set[Path] = set()
    for base in bases:
        for path in _children(base):
            if path in seen or (path.name == _user() and base.name == "media"):
                continue  # /media/$USER is a base of its own, not a volume
            seen.add(path)
            places.append(Place(path, path.name, removable=base.name != "mnt"))
    return places


def _windows_drives() -> list[Place]:
    places = []
    try:
        roots = _listdrives()
    except (OSError, AttributeError, ValueError):
        return []
    for root in roots:
        try:
            kind = _drive_type(root)
        except (OSError, AttributeError, ValueError):
            kind = 0
        if kind == DRIVE_CDROM:
            continue
        name = PureWindowsPath(root).drive + "\\"
        places.append(Place(Path(root), name, removable=kind == DRIVE_REMOVABLE))
    return sorted(places, key=lambda p: (not p.removable, p.name))


def writable_problem(folder: Path) -> str | None:
    """Why ``folder`` cannot take a new file, or ``None``: "no_folder",
    "not_folder", "read_only" (a locked stick, a read-only mount), "denied",
    "full". Tried by creating and removing an empty file, the only sure test."""
    try:
        if not folder.exists():
            return "no_folder"
        if not folder.is_dir():
            return "not_folder"
    except OSError:
        return "denied"
    probe = folder / temp_name("branchtool-write-test")
    try:
        fd = create_new(probe)
    except OSError as exc:
        if exc.errno == errno.EROFS:
            return "read_only"
        if exc.errno == errno.ENOSPC:
            return "full"
        return "denied"  # EACCES, EPERM, and whatever else keeps a file out
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)
    return None

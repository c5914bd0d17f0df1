"""Loading the offline-kit scripts (they are files to run, not a package) and
making small wheels for their tests."""

from __future__ import annotations

import importlib.util
import sys
import zipfile
from importlib.machinery import SourceFileLoader
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
MAKE_KIT = ROOT / "scripts" / "make-offline-kit"
INSTALL_PY = ROOT / "scripts" / "kit" / "install.py"


def load(path: Path, name: str) -> ModuleType:
    """Import a script by path (registered in sys.modules, which dataclasses need)."""
    if name in sys.modules:
        return sys.modules[name]
    loader = SourceFileLoader(name, str(path))
    spec = importlib.util.spec_from_loader(name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


def make_kit_module() -> ModuleType:
    return load(MAKE_KIT, "make_offline_kit")


def install_module() -> ModuleType:
    return load(INSTALL_PY, "kit_install")


def fake_wheel(folder: Path, filename: str, *, requires: tuple[str, ...] = (),
               requires_python: str = "") -> Path:
    """A wheel holding only its METADATA: what the kit's checks read."""
    name, version = filename.split("-")[:2]
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    if requires_python:
        lines.append(f"Requires-Python: {requires_python}")
    lines += [f"Requires-Dist: {r}" for r in requires]
    path = folder / filename
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{name}-{version}.dist-info/METADATA", "\n".join(lines) + "\n")
    return path

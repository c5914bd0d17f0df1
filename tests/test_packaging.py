"""Issue 20: branchtool is a proper package. ``python -m build`` makes an sdist
and a wheel (the wheel built from the sdist, so the sdist is complete); the
wheel carries every .tcss file and both message catalogs; installed into a
fresh venv outside the checkout, ``branchtool --help``, ``branchtool demo
--no-open`` and the Textual app itself (its stylesheets read from the
installed package) work."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from email.parser import HeaderParser
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
BIN = "Scripts" if sys.platform == "win32" else "bin"
EXE = ".exe" if sys.platform == "win32" else ""

pytestmark = pytest.mark.packaging


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without what would let a child import the
    checkout or this venv instead of what it installed."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "BRANCHTOOL_HOME")}
    env["PYTHONNOUSERSITE"] = "1"
    env.update(extra)
    return env


def run(argv: list[object], *, cwd: Path, env: dict[str, str] | None = None,
        timeout: float = 600) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in argv], cwd=cwd, env=env or clean_env(),
                          capture_output=True, text=True, encoding="utf-8", errors="replace",
                          timeout=timeout, check=False)
    assert done.returncode == 0, f"{argv}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    return done


def test_the_wheel_carries_every_stylesheet_and_catalog(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(archive.read(n).decode() for n in names
                            if n.endswith(".dist-info/entry_points.txt"))
    wanted = [p.relative_to(ROOT).as_posix() for p in
              [*ROOT.glob("screens/*.tcss"), *ROOT.glob("branchtool/locales/*/*.json")]]
    assert len(wanted) > 40
    assert [n for n in wanted if n not in names] == []
    assert {"storage/age/__init__.py", "branchtool/cli/__init__.py", "screens/app.tcss"} <= names
    assert "branchtool = branchtool.cli:main" in entry_points
    # the offline kit takes its dependencies from here: pyproject.toml's, all of them
    meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
    with zipfile.ZipFile(wheel) as archive:
        requires = HeaderParser().parsestr(archive.read(meta).decode()).get_all("Requires-Dist")
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

    def normal(texts: list[str]) -> set[tuple[str, str]]:
        reqs = [Requirement(t) for t in texts]
        return {(canonicalize_name(r.name), str(SpecifierSet(str(r.specifier))))
                for r in reqs if r.marker is None}  # not the extras ("test")

    assert normal(requires or []) == normal(declared["project"]["dependencies"])
    assert {"python-calamine", "olefile", "cryptography"} <= {n for n, _ in normal(requires or [])}
    assert not [n for n in names if n.startswith(("tests/", "bench/", "scripts/"))]


def test_the_sdist_is_the_whole_source(dist: Path) -> None:
    [sdist] = dist.glob("branchtool-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    assert {"pyproject.toml", "README.md", "test.sh", "docs/guide.md", "docs/guide.en.md",
            "scripts/make-offline-kit", "scripts/kit/install.py", "scripts/kit/安装说明.txt",
            "tests/conftest.py", "bench/store.py", "screens/app.tcss",
            "branchtool/locales/zh-CN/core.json"} <= names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_the_wheel_installs_and_runs_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    """A fresh venv in a folder that is not the checkout, the wheel installed
    the ordinary way (its dependencies from the index, as pipx or a user with
    network would), then the commands run from there with no terminal."""
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", venv], cwd=tmp_path)
    python = venv / BIN / f"python{EXE}"
    run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheel],
        cwd=tmp_path)
    command = venv / BIN / f"branchtool{EXE}"
    home = tmp_path / "home"
    env = clean_env(HOME=str(home), XDG_DATA_HOME=str(home / "data"),
                    LOCALAPPDATA=str(home / "appdata"))
    helped = run([command, "--help"], cwd=tmp_path, env=env)
    assert "党支部工作台" in helped.stdout and "demo" in helped.stdout
    english = run([command, "--lang", "en", "--help"], cwd=tmp_path, env=env)
    assert "usage: branchtool" in english.stdout and "党支部" not in english.stdout
    built = run([command, "demo", "--no-open"], cwd=tmp_path, env=env)
    assert "口令：demo" in built.stdout
    vaults = sorted(home.rglob("vault.json"), key=lambda p: p.parent.name)
    # the demo branch, and its demo office beside it
    assert [p.parent.name for p in vaults] == ["demo", "demo-office"]
    # the package came from the venv, not from the checkout
    where = run([python, "-c", "import branchtool, screens, storage; "
                 "print(branchtool.__file__); print(screens.__file__)"], cwd=tmp_path, env=env)
    assert all(Path(line).is_relative_to(venv) for line in where.stdout.split())
    # the app starts headless and reads its stylesheets from the installed package
    app = run([python, "-c", APP_SMOKE, str(vaults[0].parent)], cwd=tmp_path, env=env,
              timeout=300)
    assert app.stdout.split() == ["unlock", "main"]


APP_SMOKE = """
import asyncio, sys
from screens.app import BranchApp
from branchtool.session import Session
from screens.unlock import UnlockScreen

async def main():
    app = BranchApp(Session(sys.argv[1]))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        print("unlock" if isinstance(app.screen, UnlockScreen) else type(app.screen).__name__)
        await pilot.press(*"demo", "enter")
        await app.workers.wait_for_complete()
        for _ in range(100):
            await pilot.pause(0.05)
            if not isinstance(app.screen, UnlockScreen):
                break
        print("main" if not isinstance(app.screen, UnlockScreen) else "still locked")
        await app.action_quit()

asyncio.run(main())
"""

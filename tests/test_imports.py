"""Imports go one way, screens -> branchtool -> storage (a screen never
reaches storage itself), and the headless
core never pays for the UI."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_packages(path: Path) -> set[str]:
    """The top-level packages a module imports, at any depth in the module."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", modules("storage"), ids=lambda p: str(p.relative_to(ROOT)))
def test_storage_imports_neither_the_core_nor_the_screens(path: Path) -> None:
    assert imported_packages(path) & {"branchtool", "screens", "textual"} == set()


@pytest.mark.parametrize("path", modules("branchtool"), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_core_imports_no_screens_and_no_textual(path: Path) -> None:
    """No exception: the App lives in ``screens/``, and the command line opens
    it through the ``branchtool.ui`` entry point (``screens.launcher``)."""
    assert imported_packages(path) & {"screens", "textual"} == set()


@pytest.mark.parametrize("path", modules("screens"), ids=lambda p: str(p.relative_to(ROOT)))
def test_screens_reach_storage_only_through_the_core(path: Path) -> None:
    """A screen asks the services; their errors come as ``branchtool.errors``
    (``KeyedError``), failed workers go to the app's handler (``screens.failures``)."""
    assert "storage" not in imported_packages(path)


def test_the_check_sees_a_screen_that_imports_storage(tmp_path: Path) -> None:
    for line in ("from storage.errors import StorageError", "import storage.places",
                 "def f():\n    from storage import errors"):
        screen = tmp_path / "screen.py"
        screen.write_text(line + "\n", encoding="utf-8")
        assert "storage" in imported_packages(screen)


def _loaded_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys\nprint(' '.join(sorted(sys.modules)))"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()
    return {name.split(".")[0] for name in out}


def test_the_core_services_load_without_textual() -> None:
    loaded = _loaded_after(
        "import branchtool.session, branchtool.services.roster, branchtool.services.roster_io\n"
        "import branchtool.demo, branchtool.records.person, branchtool.tables\n"
        "import branchtool.cli\n"
        "branchtool.cli.build_parser()\n"
    )
    assert "textual" not in loaded
    assert "openpyxl" not in loaded  # only when a sheet is read or written
    assert {"branchtool", "pypinyin", "storage"} <= loaded


def test_the_app_module_does_load_textual() -> None:
    """The check above would pass vacuously if the probe never reached textual."""
    assert "textual" in _loaded_after("import screens.app")


def test_the_command_line_finds_the_app_through_its_entry_point() -> None:
    """``pyproject.toml`` registers ``screens.launcher`` as the terminal app;
    the core names it nowhere else."""
    import screens.launcher
    from branchtool.cli.app_cmd import terminal_ui

    assert terminal_ui() is screens.launcher


def test_an_old_egg_info_in_the_current_folder_does_not_hide_the_app(tmp_path: Path) -> None:
    """``python -m branchtool`` run from a checkout whose ``branchtool.egg-info``
    predates the entry point still finds the app the installed package names."""
    stale = tmp_path / "branchtool.egg-info"
    stale.mkdir()
    (stale / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: branchtool\nVersion: 0.0.1\n",
                                    encoding="utf-8")
    (stale / "entry_points.txt").write_text("[console_scripts]\nbranchtool = branchtool.cli:main\n",
                                            encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-c", "from branchtool.cli.app_cmd import terminal_ui\n"
                               "print(terminal_ui().__name__)"],
        cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["screens.launcher"]

def test_branchtool_with_no_command_opens_the_app(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import screens.launcher
    from branchtool import cli

    opened: list[tuple[Path, str]] = []

    def run_app(session: object, *, demo_passphrase: str = "") -> None:
        opened.append((session.path, demo_passphrase))  # type: ignore[attr-defined]

    monkeypatch.setattr(screens.launcher, "run_app", run_app)
    assert cli.main(["--data-dir", str(tmp_path / "vault")]) == 0
    assert opened == [(tmp_path / "vault", "")]


def test_python_m_branchtool_is_the_command() -> None:
    out = subprocess.run([sys.executable, "-m", "branchtool", "--help"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    assert "branchtool" in out and "--data-dir" in out


# -- no circles ---------------------------------------------------------------------------------
PACKAGES = ("storage", "branchtool", "screens")


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of ``tree`` outside ``if TYPE_CHECKING:`` blocks (which
    name types for the checker and run never)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    return [n for n in ast.walk(tree) if id(n) not in skipped]


def import_graph(paths: list[Path], root: Path = ROOT) -> dict[str, set[str]]:
    """module -> the project's modules it imports when it runs, at any depth
    (a function's deferred import counts: a circle closed late is a circle).
    ``from package import submodule`` is an edge to the submodule alone."""
    names = {module_name(p, root): p for p in paths}

    def known(name: str) -> str | None:
        while name and name not in names:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in names.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges: set[str] = set()
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                edges.update(t for a in node.names if (t := known(a.name)))
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                for alias in node.names:
                    target = f"{base}.{alias.name}"
                    found = target if target in names else known(base)
                    if found:
                        edges.add(found)
        edges.discard(name)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_itself_round_a_circle() -> None:
    """No circle of imports among storage, the core and the screens, deferred
    imports included; each circle is named with who imports whom."""
    graph = import_graph([p for pkg in PACKAGES for p in modules(pkg)])
    assert len(graph) > 200
    found = cycles(graph)
    assert found == [], "\n".join(
        " ; ".join(f"{m} -> {sorted(graph[m] & set(group))}" for m in group) for group in found)


def test_the_circle_check_sees_a_circle(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("from pkg import a\n", encoding="utf-8")
    (pkg / "a.py").write_text("def f():\n    from pkg.b import g\n", encoding="utf-8")
    (pkg / "b.py").write_text("from pkg import a\ng = 1\n", encoding="utf-8")
    (pkg / "c.py").write_text("from typing import TYPE_CHECKING\n"
                              "if TYPE_CHECKING:\n    from pkg import a\n", encoding="utf-8")
    graph = import_graph(sorted(pkg.glob("*.py")), tmp_path)
    assert cycles(graph) == [["pkg.a", "pkg.b"]]  # c's import is for the type checker only

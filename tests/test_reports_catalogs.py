"""The reports' and the export screens' text comes from the catalogs: every
key they ask for exists in both languages (the keys built from codes too), and
no Chinese is written in their code but the names of the fonts a .docx asks for."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from branchtool import i18n, reports
from branchtool.bundles.kinds import kinds
from branchtool.records.redaction import REDACTIONS
from branchtool.reports import docx_writer, weekly
from screens.bundle_export import OUTBOX_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u3400-\u9fff]")
MODULES = sorted([
    *(ROOT / "branchtool" / "reports").glob("*.py"),
    *(ROOT / p for p in ("branchtool/bundles/kinds.py", "branchtool/bundles/providers.py",
                         "branchtool/bundles/sending.py", "branchtool/cli/report_cmds.py",
                         "screens/reports_pane.py", "screens/bundle_export.py",
                         "screens/office_key.py", "screens/path_prompt.py")),
])
FONTS = {docx_writer.TITLE_FONT, docx_writer.TITLE_FALLBACK, docx_writer.BODY_FONT,
         docx_writer.HEADING_FONT, docx_writer.SUBHEADING_FONT}
OWN_FILES = ("reports.json", "export_ui.json")


def _ids(path: Path) -> str:
    return str(path.relative_to(ROOT))


def literal_keys(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            args = node.args
            if name in ("t", "UserError") and args:
                arg = args[0]
            elif name == "Binding" and len(args) >= 3:
                arg = args[2]
            else:
                continue
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and "." in arg.value:
                found.add(arg.value)
    return found


def built_keys() -> set[str]:
    """The keys the code makes from codes (f-strings)."""
    keys = {f"report.kind.{k}" for k in reports.KINDS}
    keys |= {f"report.{k}.title" for k in reports.KINDS}
    keys |= {f"report.weekday.{n}" for n in range(1, 8)}
    keys |= {f"report.weekly.{s}" for s in ("health", "contacts", "care", "tasks", "notices",
                                             "alerts")}
    keys |= {f"report.change.{k}_{w}" for k in ("points", "times") for w in ("up", "down")}
    keys |= {f"export_ui.redaction.{r}" for r in REDACTIONS}
    keys |= {f"export_ui.redaction.{r}.long" for r in REDACTIONS}
    keys |= {f"export_ui.outbox.{c}" for c in OUTBOX_COLUMNS}
    keys |= {f"export_ui.report.save_{f}" for f in reports.FORMATS}
    keys |= {kind.label_key for kind in kinds()}
    assert weekly.DAYS == 7
    return keys


@pytest.mark.parametrize("path", MODULES, ids=_ids)
def test_every_key_the_code_asks_for_exists(path: Path) -> None:
    for lang in i18n.LANGUAGES:
        catalog = i18n.catalog(lang)
        assert sorted(k for k in literal_keys(path) if k not in catalog) == [], lang


def test_every_key_built_from_codes_exists_in_both_languages() -> None:
    for lang in i18n.LANGUAGES:
        catalog = i18n.catalog(lang)
        assert sorted(k for k in built_keys() if k not in catalog) == [], lang


@pytest.mark.parametrize("name", OWN_FILES)
def test_both_languages_hold_the_same_keys(name: str) -> None:
    import json

    zh = json.loads((ROOT / "branchtool/locales/zh-CN" / name).read_text(encoding="utf-8"))
    en = json.loads((ROOT / "branchtool/locales/en" / name).read_text(encoding="utf-8"))
    assert sorted(set(zh) ^ set(en)) == []
    assert all(v.strip() for v in [*zh.values(), *en.values()])


@pytest.mark.parametrize("path", MODULES, ids=_ids)
def test_no_chinese_in_the_code(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value) for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    offending = [
        node.lineno for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        and id(node) not in docstrings and node.value not in FONTS and CJK.search(node.value)
    ]
    assert offending == []

"""The message catalogs: both languages hold every key, every key the code
asks for exists, and user-facing Chinese lives only in the catalogs."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest

from branchtool import i18n
from branchtool.records.person import PERSON

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u3400-\u9fff]")
# The app shell and the roster: their user-facing text all comes from the catalogs.
# Every module of the core and of the screens: each key they ask for by a
# literal exists (areas added later are covered without being listed).
UI_MODULES = sorted([*(ROOT / "branchtool").rglob("*.py"), *(ROOT / "screens").glob("*.py")])


def test_both_languages_hold_every_key() -> None:
    zh, en = i18n.catalog("zh-CN"), i18n.catalog("en")
    assert sorted(set(zh) - set(en)) == []
    assert sorted(set(en) - set(zh)) == []


def test_each_area_file_exists_in_both_languages() -> None:
    zh = {p.name for p in (ROOT / "branchtool" / "locales" / "zh-CN").glob("*.json")}
    en = {p.name for p in (ROOT / "branchtool" / "locales" / "en").glob("*.json")}
    assert zh == en


def _literal_keys(path: Path) -> set[str]:
    """Catalog keys given as string literals to ``t(...)``/``i18n.t(...)``,
    ``UserError(...)`` and ``Binding(key, action, description)``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        args = node.args
        if name in ("t", "UserError", "InvalidRecord") and args:
            candidates = [args[0]]
        elif name == "Binding" and len(args) >= 3:
            candidates = [args[2]]
        else:
            continue
        for arg in candidates:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and "." in arg.value:
                found.add(arg.value)
    return found


@pytest.mark.parametrize("path", UI_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_key_the_code_asks_for_exists(path: Path) -> None:
    zh = i18n.catalog("zh-CN")
    assert sorted(k for k in _literal_keys(path) if k not in zh) == []


def test_every_field_and_choice_of_a_person_has_labels() -> None:
    for lang in i18n.LANGUAGES:
        catalog = i18n.catalog(lang)
        for fdef in PERSON.fields:
            assert fdef.label_key in catalog, (lang, fdef.key)
            for code in fdef.choices:
                assert fdef.choice_key(code) in catalog, (lang, fdef.key, code)


# Chinese that is data, not text shown: synthetic names (demo), the pinyin
# table, Chinese dates, words a survey answers with, the official fonts.
CHINESE_AS_DATA = {ROOT / p for p in (
    "branchtool/demo_care.py", "branchtool/demo_data.py", "branchtool/demo_health.py",
    "branchtool/pinyin.py", "branchtool/i18n.py", "branchtool/records/health_fields.py",
    "branchtool/reports/docx_writer.py", "branchtool/services/survey_words.py",
)}


@pytest.mark.parametrize("path", [p for p in UI_MODULES if p not in CHINESE_AS_DATA],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_chinese_text_only_in_the_catalogs(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    patterns = {  # regular expressions that read Chinese input are not text shown
        id(arg)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"
        for arg in node.args
    }
    offending = [
        node.lineno for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        and id(node) not in docstrings | patterns and CJK.search(node.value)
    ]
    assert offending == []


def test_dates_the_chinese_way_and_the_english_way() -> None:
    before = i18n.language()
    try:
        i18n.set_language("zh-CN")
        assert i18n.format_date(dt.date(2020, 2, 1)) == "2020年2月1日"
        assert i18n.t("date.year_month", year=2019, month=6) == "2019年6月"
        i18n.set_language("en")
        assert i18n.format_date(dt.date(2020, 2, 1)) == "2020-02-01"
        assert i18n.t("date.year_month", year=2019, month=6) == "2019-06"
    finally:
        i18n.set_language(before)


def test_a_missing_key_falls_back_to_the_key_itself() -> None:
    assert i18n.t("no.such.key") == "no.such.key"

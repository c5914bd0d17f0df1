"""Office mode's text: every key its code asks for exists in both catalogs
(the keys it builds included), and no Chinese outside the catalogs."""

from __future__ import annotations

from pathlib import Path

import pytest

from branchtool import i18n
from branchtool.office.abnormal import CONTACT, FEVER, ISOLATED, SYMPTOM, TRAVEL
from screens.office_dashboard import FILTERS, SORTS, TABS
from screens.office_rows import (
    ABNORMAL_COLUMNS,
    BRANCH_COLUMNS,
    BUNDLE_COLUMNS,
    CHANGE_COLUMNS,
    IMPORT_COLUMNS,
    LOG_COLUMNS,
    LOG_IMPORT_COLUMNS,
    TRUST_COLUMNS,
)
from tests.test_i18n import ROOT, _literal_keys, test_chinese_text_only_in_the_catalogs

MODULES = sorted([*(ROOT / "branchtool" / "office").glob("*.py"),
                  ROOT / "branchtool" / "cli" / "office_cmds.py",
                  ROOT / "branchtool" / "cli" / "receipt_cmds.py",
                  *(ROOT / "screens").glob("office_*.py")])
REASONS = ("unreadable", "not_age", "not_for_us", "truncated", "damaged", "too_large",
           "content_too_large", "unknown_branch", "wrong_branch", "untrusted", "retired",
           "revoked", "signature", "wrong_office", "rollback", "conflict", "chain", "json",
           "schema", "version", "tar", "tar_members", "tar_path", "tar_duplicate", "tar_type",
           "id_reused", "gap_unlinked")
BUILT = [
    *(f"bundle.reject.{r}" for r in REASONS),
    *(f"office.verdict.{v}" for v in ("accepted", "duplicate", "rejected")),
    *(f"office.key_status.{s}" for s in ("active", "revoked")),
    *(f"office.trust_event.{e}" for e in ("enrol", "reenrol", "rotate", "revoke")),
    *(f"office_ui.op.{o}" for o in ("update", "remove")),
    *(f"office_ui.redaction.{r}" for r in ("full", "standard", "counts")),
    *(f"office_ui.init.{k}" for k in ("name", "passphrase", "repeat", "out")),
    *(f"office_ui.tab.{t}" for t in ("overview", "reports", "data", "changes", "bundles")),
    *(f"office_ui.done.{g}" for g in ("office-summary", "office-receipts")),
    *(c.label_key for c in (*BRANCH_COLUMNS, *IMPORT_COLUMNS, *TRUST_COLUMNS, *LOG_COLUMNS,
                            *BUNDLE_COLUMNS, *CHANGE_COLUMNS, *ABNORMAL_COLUMNS,
                            *LOG_IMPORT_COLUMNS)),
    *(f"office_ui.filter.{k}" for k in FILTERS),
    *(f"office_ui.filter_cmd.{k}" for k in FILTERS if k != "all"),
    *(f"office_ui.sort.{k}" for k in SORTS),
    *(f"office_ui.dash_tab.{t}" for t in TABS),
    *(f"office.day.{d}" for d in ("damaged", "refused", "revoked", "not_enrolled")),
    *(f"office.abnormal.reason.{r}" for r in (FEVER, SYMPTOM, TRAVEL, CONTACT, ISOLATED)),
    *(f"office.sheet.{t}" for t in ("reporting", "health", "isolation", "work", "notices",
                                    "changes", "abnormal")),
    *(f"office.col.{c}" for c in ("person", "temperature", "symptoms", "reasons",
                                  "notice_coverage")),
    "office_col.field.id", "office_col.field.person",
]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_key_the_code_asks_for_exists(path: Path) -> None:
    for lang in i18n.LANGUAGES:
        catalog = i18n.catalog(lang)
        assert sorted(k for k in _literal_keys(path) if k not in catalog) == []


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_key_the_code_builds_exists(lang: str) -> None:
    catalog = i18n.catalog(lang)
    assert [k for k in BUILT if k not in catalog] == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_chinese_outside_the_catalogs(path: Path) -> None:
    test_chinese_text_only_in_the_catalogs(path)


def test_the_office_catalogs_match() -> None:
    import json

    files = [ROOT / "branchtool" / "locales" / lang / "office.json" for lang in i18n.LANGUAGES]
    zh, en = (set(json.loads(f.read_text(encoding="utf-8"))) for f in files)
    assert zh == en

"""The epidemic-watch area's catalogs hold every key its code and record
definitions use, in both languages; its core modules never import textual."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from branchtool import i18n
from branchtool.records.alert import ALERT
from branchtool.records.checkin import CHECKIN
from branchtool.records.contact import CONTACT, EXTENSION, FOLLOWUP
from branchtool.records.notice import NOTICE, RELAY

ROOT = Path(__file__).resolve().parent.parent
AREAS = ("health", "contacts", "notices", "watch")
MODULES = [
    "branchtool/records/health_fields.py", "branchtool/records/checkin.py",
    "branchtool/records/contact.py", "branchtool/records/notice.py",
    "branchtool/records/alert.py", "branchtool/services/watch.py",
    "branchtool/services/health_rules.py", "branchtool/services/health.py",
    "branchtool/services/alerts.py", "branchtool/services/contacts.py",
    "branchtool/services/notices.py", "branchtool/services/dashboard.py",
    "branchtool/services/checkin_import.py", "branchtool/cli/health_cmds.py",
]
SCREENS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "screens").glob("*.py")
                 if p.stem in ("checkins", "day_sheet", "checkin_form", "checkin_import",
                               "alerts", "contacts", "contact_detail", "notices",
                               "notice_detail", "dashboard", "watch_widgets", "person_picker",
                               "watch_section", "watch_settings"))
PREFIXES = ("checkin.", "health.", "alert.", "contact.", "followup.", "extension.",
            "notice.", "relay.", "temperature.", "cli.checkin.", "cli.health.",
            "cli.list.checkins", "cli.list.contacts", "cli.list.notices", "cli.list.relays",
            "dashboard.", "watch.")
_ALTERNATIVES = "|".join(re.escape(p) for p in PREFIXES)
KEY = re.compile(rf"""["']((?:{_ALTERNATIVES})[A-Za-z0-9_.]*[A-Za-z0-9_])["']""")


def _area(lang: str, area: str) -> dict[str, str]:
    path = ROOT / "branchtool" / "locales" / lang / f"{area}.json"
    return json.loads(path.read_text("utf-8")) if path.exists() else {}


@pytest.mark.parametrize("area", AREAS)
def test_both_languages_hold_the_same_keys(area: str) -> None:
    zh, en = _area("zh-CN", area), _area("en", area)
    assert zh, area
    assert sorted(set(zh) ^ set(en)) == []
    for key in zh:  # same placeholders in both
        assert set(re.findall(r"{(\w+)}", zh[key])) == set(re.findall(r"{(\w+)}", en[key])), key


def test_every_label_and_choice_has_both_languages() -> None:
    keys = []
    for rdef in (CHECKIN, CONTACT, EXTENSION, FOLLOWUP, NOTICE, RELAY, ALERT):
        for fdef in rdef.fields:
            keys.append(fdef.label_key)
            keys.extend(fdef.choice_key(c) for c in fdef.choices)
    for lang in i18n.LANGUAGES:
        missing = [k for k in keys if k not in i18n.catalog(lang)]
        assert missing == [], lang


def test_every_key_the_code_names_exists() -> None:
    used: set[str] = set()
    for name in [*MODULES, *SCREENS]:
        text = (ROOT / name).read_text("utf-8")
        used.update(KEY.findall(text))
    used = {k for k in used if not k.endswith(".")}
    assert len(used) > 50
    for lang in i18n.LANGUAGES:
        catalog = i18n.catalog(lang)
        missing = sorted(k for k in used if k not in catalog
                         and not any(c.startswith(k + ".") for c in catalog))
        assert missing == [], lang


def test_the_core_never_imports_textual() -> None:
    code = ("import sys\n"
            "import branchtool.services.dashboard, branchtool.services.checkin_import\n"
            "import branchtool.cli.health_cmds, branchtool.demo_health\n"
            "assert 'textual' not in sys.modules, 'textual imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)

"""The choices a survey's columns and answers may be given, shared by the
check-in import (``screens.checkin_import``) and the questionnaires' templates
(``screens.survey_templates``)."""

from __future__ import annotations

from textual.content import Content

from branchtool import i18n
from branchtool.services import checkin_import as ci
from branchtool.services import survey_review
from branchtool.services import survey_values as sv
from screens.import_dialog import IGNORE


def column_options(mapping: list[str | None] | None = None) -> list[tuple[Content, str]]:
    """Every key a column may hold (and the option columns the file has: their
    labels quote the file, so they are text, never markup)."""
    from branchtool.services.survey_headers import IMPORTED_FIELDS, PERSON_KEYS

    keys: list[str] = [*PERSON_KEYS, ci.SUBMITTED, *IMPORTED_FIELDS]
    keys += [k for k in dict.fromkeys(mapping or []) if k and k not in keys]
    return [(Content(i18n.t("watch.import.ignore")), IGNORE)] + [
        (Content(survey_review.key_label(k)), k) for k in keys]


def value_options(key: str) -> list[tuple[str, str]]:
    return [(survey_review.value_label(key, v), v or BLANK_VALUE) for v in sv.choices_for(key)]


BLANK_VALUE = "-"  # a Select value cannot be "": "record nothing"

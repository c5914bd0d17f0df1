"""Survey choices in words, for reviewing a template or a column mapping:
what a column's key is called, what a mapped answer stands for."""

from __future__ import annotations

from branchtool import i18n
from branchtool.records.checkin import CHECKIN
from branchtool.records.person import PERSON
from branchtool.services import survey_headers as headers
from branchtool.services import survey_values as answers
from branchtool.services.survey_templates import Template


def key_label(key: str | None) -> str:
    """A column's key as the mapping shows it."""
    if not key:
        return i18n.t("watch.import.ignore")
    field, option = headers.split_option(key)
    if field in headers.PERSON_KEYS:
        label = PERSON.field(field).label
    elif field == headers.SUBMITTED:
        label = i18n.t("checkin.import.submitted")
    else:
        label = CHECKIN.field(field).label
    return i18n.t("checkin.import.option_label", label=label, option=option) if option \
        else label


def value_label(key: str, value: str) -> str:
    """What a mapped answer is recorded as."""
    if value == answers.BLANK:
        return i18n.t("checkin.import.value.blank")
    if key == "temperature" and value == answers.FEVER:
        return i18n.t("checkin.import.value.fever")
    return CHECKIN.field(key).choice_label(value)


def describe(template: Template) -> list[str]:
    """Every column choice and answer mapping of a template, one line each."""
    lines = [i18n.t("checkin.template.column_line", question=template.titles.get(q, q),
                    key=key_label(key or None))
             for q, key in template.columns.items()]
    for key, mapped in template.values.items():
        for answer, value in mapped.items():
            lines.append(i18n.t("checkin.template.value_line", label=CHECKIN.field(key).label,
                                answer=template.spellings.get(key, {}).get(answer, answer),
                                value=value_label(key, value)))
    return lines

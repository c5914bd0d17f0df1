"""Epidemic-watch commands: ``checkin import``, ``health summary``,
``health settings``, and the ``list checkins|contacts|notices|relays``
listers (``WATCH_LISTS``, added to ``list_cmds.LISTS``).

Listings show the fields marked ``redact="standard"`` (free text about a
person's health, outside people's ID numbers and phones) at ``--redaction
full`` only (the default, on the secretary's own machine).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from branchtool import i18n
from branchtool.cli.common import json_option, open_session
from branchtool.cli.listing import Lister, Rows, listed

if TYPE_CHECKING:
    from branchtool.session import Session


def register(sub: Any) -> None:
    checkin = sub.add_parser("checkin", help=i18n.t("cli.checkin.help"))
    actions = checkin.add_subparsers(dest="checkin_command", metavar="ACTION", required=True)
    imp = actions.add_parser("import", help=i18n.t("cli.checkin.import.help"))
    imp.add_argument("file", metavar="FILE", help=i18n.t("cli.checkin.import.file"))
    imp.add_argument("--date", help=i18n.t("cli.checkin.import.date"))
    imp.add_argument("--sheet", metavar="NAME", help=i18n.t("cli.import.sheet"))
    imp.add_argument("--dry-run", action="store_true", help=i18n.t("cli.checkin.import.dry_run"))
    imp.add_argument("--skip-problems", action="store_true",
                     help=i18n.t("cli.checkin.import.skip_problems"))
    imp.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                     help=i18n.t("cli.checkin.import.map"))
    imp.add_argument("--value", action="append", default=[], metavar="FIELD:ANSWER=VALUE",
                     help=i18n.t("cli.checkin.import.value"))
    imp.add_argument("--no-template", action="store_true",
                     help=i18n.t("cli.checkin.import.no_template"))
    json_option(imp)
    imp.set_defaults(handler=cmd_import)
    template = actions.add_parser("template", help=i18n.t("cli.checkin.template.help"))
    taction = template.add_subparsers(dest="template_command", metavar="ACTION", required=True)
    tlist = taction.add_parser("list", help=i18n.t("cli.checkin.template.list"))
    json_option(tlist)
    tlist.set_defaults(handler=cmd_template_list)
    tshow = taction.add_parser("show", help=i18n.t("cli.checkin.template.show"))
    tshow.add_argument("template", metavar="N", help=i18n.t("cli.checkin.template.number"))
    json_option(tshow)
    tshow.set_defaults(handler=cmd_template_show)
    tdelete = taction.add_parser("delete", help=i18n.t("cli.checkin.template.delete"))
    tdelete.add_argument("template", metavar="N", help=i18n.t("cli.checkin.template.number"))
    tdelete.set_defaults(handler=cmd_template_delete)

    health = sub.add_parser("health", help=i18n.t("cli.health.help"))
    haction = health.add_subparsers(dest="health_command", metavar="ACTION", required=True)
    summary = haction.add_parser("summary", help=i18n.t("cli.health.summary.help"))
    summary.add_argument("--date", help=i18n.t("cli.health.summary.date"))
    json_option(summary)
    summary.set_defaults(handler=cmd_summary)
    settings = haction.add_parser("settings", help=i18n.t("cli.health.settings.help"))
    settings.add_argument("--fever", help=i18n.t("cli.health.settings.fever"))
    settings.add_argument("--missing-days", help=i18n.t("cli.health.settings.missing_days"))
    settings.add_argument("--deadline", help=i18n.t("cli.health.settings.deadline"))
    settings.set_defaults(handler=cmd_settings)


def _day(text: str | None, today: dt.date) -> dt.date:
    from branchtool.errors import UserError
    from branchtool.records import dates

    if not text:
        return today
    parsed = dates.parse(text)
    if parsed is None or len(parsed) != 10:
        raise UserError("health.bad_date")
    return dt.date.fromisoformat(parsed)


def _print_json(value: Any) -> None:
    import orjson

    sys.stdout.buffer.write(orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n")


# -- checkin import ------------------------------------------------------------------
def cmd_import(args: argparse.Namespace) -> int:
    from branchtool.errors import UserError
    from branchtool.services import checkin_import as ci

    session = open_session(args)
    try:
        templates = None if args.no_template else session.survey_templates
        prepared = ci.prepare(args.file, templates, sheet_name=args.sheet)
        sheet = prepared.sheet
        for note in sheet.note_texts():
            print(note, file=sys.stderr)
        mapping = _mapping(sheet.headers, prepared.mapping, args.map)
        values = _values(prepared.values, args.value)
        plan = ci.plan(session.health, session.roster, sheet, mapping,
                       day=args.date, values=values)
        counts = ci.summary_counts(plan, session.roster)
        counts["template"] = prepared.template.name if prepared.template else ""
        stored = False
        if not args.dry_run and plan.rows and (args.skip_problems or not plan.problems):
            ci.commit(session.health, session.roster, plan)
            stored = True
            if not args.no_template:
                ci.remember(session.survey_templates, prepared, mapping, values, plan)
        counts["stored"] = stored
        counts["sheet"] = sheet.sheet
        counts["hidden_rows"] = sheet.hidden_rows
        if args.json:
            _print_json(counts)
        else:
            _print_plan(session, prepared, plan, stored)
        if plan.problems and not args.skip_problems and not args.dry_run:
            raise UserError("checkin.import.has_problems", count=plan.problems)
        if not plan.rows:
            raise UserError("checkin.import.nothing")
        return 1 if plan.problems and not stored and not args.skip_problems else 0
    finally:
        session.lock()


def _check_field(name: str) -> str | None:
    """A check-in field or person key named by its key or label; ``-`` ignores."""
    from branchtool.errors import UserError
    from branchtool.services import checkin_import as ci
    from branchtool.services.survey_headers import IMPORTED_FIELDS, OPTION, PERSON_KEYS

    if name in ("-", ""):
        return None
    field, _, option = name.partition(OPTION)
    known = (*PERSON_KEYS, ci.SUBMITTED, *IMPORTED_FIELDS)
    key = field if field in known else ci.match_header(field)
    if key is None or key not in known:
        raise UserError("cli.roster.unknown_field", field=field)
    return f"{key}{OPTION}{option}" if option else key


def _mapping(headers: list[str], guessed: list[str | None],
             overrides: list[str]) -> list[str | None]:
    from branchtool.errors import UserError
    from branchtool.services.survey_headers import question_text

    mapping = list(guessed)
    for text in overrides:
        column, sep, field = text.rpartition("=")
        if not sep or not column.strip():
            raise UserError("cli.roster.bad_pair", text=text)
        column = column.strip()
        questions = [question_text(h) for h in headers]
        if column.isdigit() and 1 <= int(column) <= len(headers):
            index = int(column) - 1
        elif column in headers:
            index = headers.index(column)
        elif column in questions:
            index = questions.index(column)
        else:
            raise UserError("cli.roster.unknown_column", column=column)
        mapping[index] = _check_field(field.strip())
    return mapping


def _values(saved: dict[str, dict[str, str]], pairs: list[str]) -> dict[str, dict[str, str]]:
    """The template's answer mapping plus ``FIELD:ANSWER=VALUE`` pairs
    (VALUE: a choice's label or code; empty for "record nothing")."""
    from branchtool.errors import UserError
    from branchtool.records.checkin import CHECKIN
    from branchtool.records.fields import _choice_lookup, _fold
    from branchtool.services import survey_values
    from branchtool.services.survey_words import fold

    values = {k: dict(v) for k, v in saved.items()}
    for text in pairs:
        left, sep, value = text.rpartition("=")
        field, colon, answer = left.partition(":")
        if not sep or not colon or not answer.strip():
            raise UserError("cli.checkin.bad_value", text=text)
        key = _check_field(field.strip())
        allowed = survey_values.choices_for(key or "")
        if key is None or not allowed:
            raise UserError("cli.checkin.unmappable", field=field)
        value = value.strip()
        if key == "temperature":
            code = value if value in allowed else (
                survey_values.FEVER if _fold(value) in _fever_words() else None)
            if value in ("", "-"):
                code = survey_values.BLANK
        else:
            code = survey_values.BLANK if value in ("", "-") else \
                _choice_lookup(CHECKIN.field(key)).get(_fold(value))
        if code is None or code not in allowed:
            raise UserError("cli.checkin.bad_choice", field=CHECKIN.field(key).label,
                            value=value)
        values.setdefault(key, {})[fold(answer)] = code
    return values


def _fever_words() -> set[str]:
    from branchtool.records.fields import _catalog_variants, _fold

    return {_fold(v) for v in _catalog_variants("checkin.import.value.fever")}


def _print_plan(session: Session, prepared: Any, plan: Any, stored: bool) -> None:
    from branchtool.records.checkin import CHECKIN

    def name(person_id: str) -> str:
        person = session.roster.person(person_id)
        return person["name"] if person is not None else ""

    sep = i18n.t("list.separator")
    if prepared.template is not None:
        print(i18n.t("cli.checkin.import.template", name=prepared.template.name))
    updates = sum(1 for r in plan.rows if r.existing)
    print(i18n.t("cli.checkin.import.counts", file=plan.file, matched=len(plan.rows),
                 updates=updates, unmatched=len(plan.unmatched),
                 ambiguous=len(plan.ambiguous), bad=len(plan.bad)))
    for issue in sorted([*plan.unmatched, *plan.ambiguous, *plan.bad], key=lambda i: i.row):
        print(i18n.t("cli.checkin.import.row", row=issue.row,
                     written=issue.written or i18n.t("checkin.import.no_name"),
                     reason=issue.reason()))
    if plan.held:
        print(i18n.t("cli.checkin.import.held_title"))
        for held in plan.held:
            print("  " + held.describe())
        print(i18n.t("cli.checkin.import.held_hint", field=CHECKIN.field(plan.held[0].key).label,
                     text=plan.held[0].text))
    for row in plan.renamed:
        print(i18n.t("cli.checkin.import.renamed", row=row.row, written=row.written,
                     name=name(row.person)))
    for twice in plan.twice:
        print(i18n.t("cli.checkin.import.twice", name=name(twice.person), kept=twice.kept,
                     dropped=sep.join(str(r) for r in twice.dropped)))
    for concern in plan.concerns:
        reasons = sep.join(i18n.t(f"checkin.concern.{c}") for c in concern.reasons)
        print(i18n.t("cli.checkin.import.concern", name=name(concern.person), reasons=reasons,
                     date=concern.day))
    if plan.late:
        print(i18n.t("cli.checkin.import.late", count=len(plan.late), deadline=plan.deadline,
                     names=sep.join(name(r.person) for r in plan.late)))
    for day, people in sorted(plan.missing.items()):
        names = sep.join(name(p) for p in people[:30]) + ("…" if len(people) > 30 else "")
        print(i18n.t("cli.checkin.import.missing", date=day, count=len(people),
                     names=names or "—"))
    print(i18n.t("cli.checkin.import.stored" if stored else "cli.checkin.import.not_stored"))


# -- checkin template -------------------------------------------------------------------
def _template(session: Session, number: str) -> Any:
    from branchtool.errors import UserError

    templates = session.survey_templates.all()
    if number.isdigit() and 1 <= int(number) <= len(templates):
        return templates[int(number) - 1]
    for template in templates:
        if template.id == number or template.name == number:
            return template
    raise UserError("survey.template.not_found")


def _template_doc(template: Any) -> dict[str, Any]:
    return {"id": template.id, "name": template.name, "questions": len(template.questions),
            "columns": template.columns, "values": template.values,
            "spellings": template.spellings, "used_at": template.used_at,
            "uses": template.uses}


def cmd_template_list(args: argparse.Namespace) -> int:
    session = open_session(args)
    try:
        templates = session.survey_templates.all()
        if args.json:
            _print_json([_template_doc(t) for t in templates])
            return 0
        if not templates:
            print(i18n.t("cli.checkin.template.none"))
        for n, template in enumerate(templates, 1):
            print(i18n.t("cli.checkin.template.line", n=n, name=template.name,
                         questions=len(template.questions), values=template.value_count(),
                         used=i18n.format_stamp(template.used_at) if template.used_at else "—",
                         uses=template.uses))
        return 0
    finally:
        session.lock()


def cmd_template_show(args: argparse.Namespace) -> int:
    from branchtool.services import survey_review

    session = open_session(args)
    try:
        template = _template(session, args.template)
        if args.json:
            _print_json(_template_doc(template))
            return 0
        print(template.name)
        for line in survey_review.describe(template):
            print("  " + line)
        return 0
    finally:
        session.lock()


def cmd_template_delete(args: argparse.Namespace) -> int:
    session = open_session(args)
    try:
        template = _template(session, args.template)
        session.survey_templates.delete(template.id)
        print(i18n.t("cli.checkin.template.deleted", name=template.name))
        return 0
    finally:
        session.lock()


# -- health summary and settings ---------------------------------------------------------
def cmd_summary(args: argparse.Namespace) -> int:
    from branchtool.services import dashboard

    session = open_session(args)
    try:
        day = _day(args.date, session.health.today())
        if day == session.health.today():
            session.alerts.refresh()
        board = dashboard.compute(session.health, session.contacts, session.notices,
                                  session.alerts, day)
        if args.json:
            _print_json(board.to_json())
            return 0
        print(i18n.t("cli.health.summary.title", date=i18n.format_date(day)))
        for key in ("expected", "reported", "missing", "fever", "symptom", "risk",
                    "observation", "quarantine", "followups_due", "observation_ending",
                    "alerts_open"):
            print(f"  {i18n.t('dashboard.figure.' + key)}: {getattr(board, key)}")
        print(f"  {i18n.t('dashboard.figure.notice_coverage')}: "
              f"{board.notice_relayed}/{board.notice_expected}")
        return 0
    finally:
        session.lock()


def cmd_settings(args: argparse.Namespace) -> int:
    session = open_session(args)
    try:
        current = session.health.settings.to_doc()
        changes = {key: value for key, value in (("fever_threshold", args.fever),
                                                 ("missing_days", args.missing_days),
                                                 ("deadline", args.deadline)) if value}
        settings = session.health.save_settings({**current, **changes}) if changes \
            else session.health.settings
        for key, value in settings.to_doc().items():
            print(f"{i18n.t('health.settings.' + key)}: {value}")
        return 0
    finally:
        session.lock()


# -- list checkins|contacts|notices|relays -------------------------------------------------
def list_checkins(session: Session, args: argparse.Namespace) -> Rows:
    from branchtool.records.checkin import CHECKIN, expand
    from branchtool.records.fields import FieldDef

    day = _day(getattr(args, "date", None), session.health.today())
    rows = []
    for person in session.health.active_people():
        doc = session.health.day(day).get(person.id)
        if doc is not None:
            rows.append({**listed(CHECKIN, expand(doc), args, ("person",)),
                         "person_name": person["name"], "at": doc.get("at", "")})
    name = FieldDef("person_name", width=8, record="checkin")
    return (name, *CHECKIN.columns), rows


def list_contacts(session: Session, args: argparse.Namespace) -> Rows:
    from branchtool.records.contact import CONTACT

    today = _day(getattr(args, "date", None), session.health.today())
    docs = session.contacts.all() if args.all else session.contacts.active_on(today)
    rows = [{**listed(CONTACT, d, args, ("person",)), "name": session.contacts.name(d),
             "extensions": len(d.get("extensions", []))} for d in docs]
    return CONTACT.columns, rows


def list_notices(session: Session, args: argparse.Namespace) -> Rows:
    from branchtool.records.notice import NOTICE

    today = _day(getattr(args, "date", None), session.health.today())
    docs = session.notices.all() if args.all else session.notices.current(today)
    rows = []
    for doc in docs:
        coverage = session.notices.coverage(doc["id"])
        out = {k: v for k, v in listed(NOTICE, doc, args).items() if k != "text"}
        out.update(expected=coverage.expected, relayed=coverage.relayed,
                   acknowledged=coverage.acknowledged)
        rows.append(out)
    return NOTICE.columns, rows


def list_relays(session: Session, args: argparse.Namespace) -> Rows:
    from branchtool.records.fields import FieldDef
    from branchtool.records.notice import RELAY

    today = _day(getattr(args, "date", None), session.health.today())
    notices = session.notices.all() if args.all else session.notices.current(today)
    rows = []
    for notice in notices:
        relays = session.notices.relays(notice["id"])
        for person in session.notices.audience(notice["id"]):
            doc = relays.get(person.id) or {"id": "", **{f.key: "" for f in RELAY.fields}}
            rows.append({**listed(RELAY, doc, args), "notice": notice["id"],
                         "notice_title": notice["title"], "person": person.id,
                         "person_name": person["name"]})
    columns = (FieldDef("notice_title", width=16, record="relay"),
               FieldDef("person_name", width=8, record="relay"), *RELAY.columns)
    return columns, rows


def _date_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--date", help=i18n.t("cli.list.watch.date"))


WATCH_LISTS: dict[str, tuple[str, Lister]] = {
    "checkins": ("cli.list.checkins", list_checkins),
    "contacts": ("cli.list.contacts", list_contacts),
    "notices": ("cli.list.notices", list_notices),
    "relays": ("cli.list.relays", list_relays),
}
# Options a list takes besides --json and --all.
WATCH_LIST_OPTIONS: dict[str, Callable[[argparse.ArgumentParser], None]] = {
    name: _date_option for name in WATCH_LISTS  # the day listed (default: today)
}

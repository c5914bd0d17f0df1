"""Epidemic-watch commands: ``checkin import``, ``health summary``,
``health settings``, and the ``list checkins|contacts|notices|relays``
listers (``WATCH_LISTS``, added to ``list_cmds.LISTS``).

Listings leave out every field marked ``redact="standard"`` (free text about
a person's health, outside people's ID numbers and phones): a listing is not
the place for them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from branchtool import i18n

if TYPE_CHECKING:
    from branchtool.records.fields import FieldDef, RecordDef
    from branchtool.session import Session

Rows = tuple[tuple["FieldDef", ...], list[dict[str, Any]]]


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
    imp.add_argument("--json", action="store_true", help=i18n.t("cli.list.json"))
    imp.set_defaults(handler=cmd_import)

    health = sub.add_parser("health", help=i18n.t("cli.health.help"))
    haction = health.add_subparsers(dest="health_command", metavar="ACTION", required=True)
    summary = haction.add_parser("summary", help=i18n.t("cli.health.summary.help"))
    summary.add_argument("--date", help=i18n.t("cli.health.summary.date"))
    summary.add_argument("--json", action="store_true", help=i18n.t("cli.list.json"))
    summary.set_defaults(handler=cmd_summary)
    settings = haction.add_parser("settings", help=i18n.t("cli.health.settings.help"))
    settings.add_argument("--fever", help=i18n.t("cli.health.settings.fever"))
    settings.add_argument("--missing-days", help=i18n.t("cli.health.settings.missing_days"))
    settings.add_argument("--deadline", help=i18n.t("cli.health.settings.deadline"))
    settings.set_defaults(handler=cmd_settings)


def open_session(args: argparse.Namespace) -> Session:
    from branchtool import passphrase
    from branchtool.cli.common import vault_dir
    from branchtool.session import Session

    session = Session(vault_dir(args))
    for notice in session.unlock(passphrase.current(args)):
        print(notice, file=sys.stderr)
    return session


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
    from branchtool.services import checkin_import

    session = open_session(args)
    try:
        sheet, mapping = checkin_import.read(args.file, args.sheet)
        for note in sheet.note_texts():
            print(note, file=sys.stderr)
        plan = checkin_import.plan(session.health, session.roster, sheet, mapping,
                                   day=args.date)
        counts = checkin_import.summary_counts(plan)
        stored = False
        if not args.dry_run and plan.rows and (args.skip_problems or not plan.problems):
            checkin_import.commit(session.health, session.roster, plan)
            stored = True
        counts["stored"] = stored
        counts["sheet"] = sheet.sheet
        counts["hidden_rows"] = sheet.hidden_rows
        if args.json:
            _print_json(counts)
        else:
            _print_plan(plan, stored)
        if plan.problems and not args.skip_problems and not args.dry_run:
            raise UserError("checkin.import.has_problems", count=plan.problems)
        if not plan.rows:
            raise UserError("checkin.import.nothing")
        return 1 if plan.problems and not stored and not args.skip_problems else 0
    finally:
        session.lock()


def _print_plan(plan: Any, stored: bool) -> None:
    updates = sum(1 for r in plan.rows if r.existing)
    print(i18n.t("cli.checkin.import.counts", file=plan.file, matched=len(plan.rows),
                 updates=updates, unmatched=len(plan.unmatched),
                 ambiguous=len(plan.ambiguous), bad=len(plan.bad)))
    for issue in sorted([*plan.unmatched, *plan.ambiguous], key=lambda i: i.row):
        print(i18n.t("cli.checkin.import.row", row=issue.row, reason=issue.reason()))
    for bad in plan.bad:
        print(i18n.t("cli.checkin.import.row", row=bad.row, reason=bad.reason()))
    if plan.superseded:
        print(i18n.t("cli.checkin.import.superseded", count=len(plan.superseded)))
    print(i18n.t("cli.checkin.import.stored" if stored else "cli.checkin.import.not_stored"))


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
def _public(rdef: RecordDef, doc: dict[str, Any], extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """Stored values without the withheld fields."""
    out: dict[str, Any] = {"id": doc["id"]}
    for key in extra:
        if key in doc:
            out[key] = doc[key]
    for fdef in rdef.fields:
        if not fdef.redact:
            out[fdef.key] = doc.get(fdef.key, "")
    return out


def _services(vault: Any) -> Any:
    """The watch services over an open vault (no session: the list command
    opens the vault itself)."""
    from branchtool.services.contacts import ContactService
    from branchtool.services.health import HealthService
    from branchtool.services.notices import NoticeService
    from branchtool.services.roster import PARTITION, RosterService

    roster = RosterService(vault.partition(PARTITION), vault.batch)
    contacts = ContactService(vault, roster)
    health = HealthService(vault, roster, isolation=contacts.person_isolation)
    return argparse.Namespace(roster=roster, contacts=contacts, health=health,
                              notices=NoticeService(vault, roster))


def _name(s: Any, person_id: str) -> str:
    person = s.roster.person(person_id) if person_id else None
    return person["name"] if person is not None else ""


def list_checkins(vault: Any, args: argparse.Namespace) -> Rows:
    from branchtool.records.checkin import CHECKIN, expand
    from branchtool.records.fields import FieldDef

    s = _services(vault)
    day = _day(getattr(args, "date", None), s.health.today())
    rows = []
    for person in s.health.active_people():
        doc = s.health.day(day).get(person.id)
        if doc is not None:
            rows.append({**_public(CHECKIN, expand(doc), ("person",)),
                         "person_name": person["name"], "at": doc.get("at", "")})
    name = FieldDef("person_name", width=8, record="checkin")
    return (name, *CHECKIN.columns), rows


def list_contacts(vault: Any, args: argparse.Namespace) -> Rows:
    from branchtool.records.contact import CONTACT

    s = _services(vault)
    today = _day(getattr(args, "date", None), s.health.today())
    docs = s.contacts.all() if args.all else s.contacts.active_on(today)
    rows = [{**_public(CONTACT, d, ("person",)), "name": s.contacts.name(d),
             "extensions": len(d.get("extensions", []))} for d in docs]
    return CONTACT.columns, rows


def list_notices(vault: Any, args: argparse.Namespace) -> Rows:
    from branchtool.records.notice import NOTICE

    s = _services(vault)
    today = _day(getattr(args, "date", None), s.health.today())
    docs = s.notices.all() if args.all else s.notices.current(today)
    rows = []
    for doc in docs:
        coverage = s.notices.coverage(doc["id"])
        row = {k: v for k, v in _public(NOTICE, doc).items() if k != "text"}
        row.update(expected=coverage.expected, relayed=coverage.relayed,
                   acknowledged=coverage.acknowledged)
        rows.append(row)
    return NOTICE.columns, rows


def list_relays(vault: Any, args: argparse.Namespace) -> Rows:
    from branchtool.records.fields import FieldDef
    from branchtool.records.notice import RELAY

    s = _services(vault)
    today = _day(getattr(args, "date", None), s.health.today())
    notices = s.notices.all() if args.all else s.notices.current(today)
    rows = []
    for notice in notices:
        relays = s.notices.relays(notice["id"])
        for person in s.notices.audience(notice["id"]):
            doc = relays.get(person.id) or {"id": "", **{f.key: "" for f in RELAY.fields}}
            rows.append({**_public(RELAY, doc), "notice": notice["id"],
                         "notice_title": notice["title"], "person": person.id,
                         "person_name": person["name"]})
    columns = (FieldDef("notice_title", width=16, record="relay"),
               FieldDef("person_name", width=8, record="relay"), *RELAY.columns)
    return columns, rows


def _date_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--date", help=i18n.t("cli.list.watch.date"))


Lister = Callable[[Any, argparse.Namespace], Rows]
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

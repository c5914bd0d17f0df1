"""Inbox files, both ways: the office composes and sends
(``branchtool office notice add|task add|settings-proposal|send|notices``),
the branch imports (``branchtool inbox import FILE|DIR``) and decides the
office's settings proposals (``branchtool inbox proposals|accept|decline``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import orjson

from branchtool import i18n
from branchtool.cli.common import import_command, json_option, office_service, open_session
from branchtool.errors import UserError


def _codes(value: str | None) -> list[str] | None:
    return [c for c in value.split(",") if c.strip()] if value else None


def _print_json(value: Any) -> None:
    sys.stdout.write(orjson.dumps(value, option=orjson.OPT_SORT_KEYS
                                  | orjson.OPT_INDENT_2).decode() + "\n")


# -- the office ---------------------------------------------------------------------------
def register_office(actions: Any) -> None:
    """Called by ``office_cmds.register`` with the ``office`` subcommands."""
    notice = actions.add_parser("notice", help=i18n.t("cli.inbox.notice.help"))
    n_actions = notice.add_subparsers(dest="notice_command", metavar="ACTION", required=True)
    add = n_actions.add_parser("add", help=i18n.t("cli.inbox.notice.add.help"))
    add.add_argument("--title", required=True, help=i18n.t("cli.inbox.title"))
    body = add.add_mutually_exclusive_group(required=True)
    body.add_argument("--body-file", type=Path, metavar="FILE",
                      help=i18n.t("cli.inbox.notice.body_file"))
    body.add_argument("--body", help=i18n.t("cli.inbox.notice.body"))
    add.add_argument("--due", help=i18n.t("cli.inbox.notice.due"))
    add.add_argument("--issued", help=i18n.t("cli.inbox.issued"))
    add.add_argument("--number", default="", help=i18n.t("cli.inbox.notice.number"))
    add.add_argument("--ack", action="store_true", help=i18n.t("cli.inbox.notice.ack"))
    add.add_argument("--everyone", action="store_true", help=i18n.t("cli.inbox.notice.everyone"))
    add.add_argument("--attach", type=Path, action="append", metavar="FILE",
                     help=i18n.t("cli.inbox.notice.attach"))
    add.add_argument("--to", metavar="CODE,...", help=i18n.t("cli.inbox.to"))
    add.set_defaults(handler=cmd_notice_add)

    task = actions.add_parser("task", help=i18n.t("cli.inbox.task.help"))
    t_actions = task.add_subparsers(dest="task_command", metavar="ACTION", required=True)
    tadd = t_actions.add_parser("add", help=i18n.t("cli.inbox.task.add.help"))
    tadd.add_argument("--title", required=True, help=i18n.t("cli.inbox.title"))
    tadd.add_argument("--due", required=True, help=i18n.t("cli.inbox.task.due"))
    tadd.add_argument("--description", default="", help=i18n.t("cli.inbox.task.description"))
    tadd.add_argument("--report", default="", help=i18n.t("cli.inbox.task.report"))
    tadd.add_argument("--issued", help=i18n.t("cli.inbox.issued"))
    tadd.add_argument("--to", metavar="CODE,...", help=i18n.t("cli.inbox.to"))
    tadd.set_defaults(handler=cmd_task_add)

    propose = actions.add_parser("propose", help=i18n.t("cli.inbox.propose.help"))
    propose.add_argument("--fever-threshold", metavar="37.3")
    propose.add_argument("--missing-days", type=int, metavar="N")
    propose.add_argument("--checkin-deadline", metavar="HH:MM")
    propose.add_argument("--report-deadline", metavar="HH:MM")
    propose.add_argument("--content", metavar="GROUP,...", help=i18n.t("cli.inbox.propose.content"))
    propose.add_argument("--to", metavar="CODE,...", help=i18n.t("cli.inbox.to"))
    propose.set_defaults(handler=cmd_propose)

    send = actions.add_parser("send", help=i18n.t("cli.inbox.send.help"))
    send.add_argument("--out", type=Path, required=True, help=i18n.t("cli.inbox.send.out"))
    send.add_argument("--to", metavar="CODE,...", help=i18n.t("cli.inbox.to"))
    send.add_argument("--again", metavar="CODE", help=i18n.t("cli.inbox.send.again"))
    send.add_argument("--code", metavar="CODE", help=i18n.t("cli.inbox.send.code"))
    send.set_defaults(handler=cmd_send)

    notices = actions.add_parser("notices", help=i18n.t("cli.inbox.notices.help"))
    json_option(notices, "cli.office.json")
    notices.add_argument("--date", help=i18n.t("cli.office.date"))
    notices.set_defaults(handler=cmd_notices)


def _outbox(args: argparse.Namespace) -> Any:
    return office_service(args)


def _day(value: str | None) -> Any:
    from branchtool.cli.bundle_cmds import parse_day

    return parse_day(value) if value else None


def cmd_notice_add(args: argparse.Namespace) -> int:
    from branchtool.inbox.outbox import read_attachment, read_body

    text = read_body(args.body_file) if args.body_file else args.body
    attachments = [read_attachment(p) for p in args.attach or ()]
    with _outbox(args) as office:
        item = office.outbox.add_notice(
            title=args.title, text=text, due=_day(args.due), issued_on=_day(args.issued),
            number=args.number, ack=args.ack, attachments=attachments,
            audience="everyone" if args.everyone else "members", to=_codes(args.to))
    print(i18n.t("cli.inbox.notice.added", title=item["title"], id=item["id"]))
    return 0


def cmd_task_add(args: argparse.Namespace) -> int:
    with _outbox(args) as office:
        item = office.outbox.add_task(title=args.title, due=_day(args.due),
                                      description=args.description, report=args.report,
                                      issued_on=_day(args.issued), to=_codes(args.to))
    print(i18n.t("cli.inbox.task.added", title=item["title"], id=item["id"]))
    return 0


def cmd_propose(args: argparse.Namespace) -> int:
    values: dict[str, Any] = {}
    for key in ("fever_threshold", "missing_days", "checkin_deadline", "report_deadline"):
        if getattr(args, key) is not None:
            values[key] = getattr(args, key)
    if args.content:
        values["content"] = _codes(args.content)
    if not values:
        raise UserError("inbox.propose.nothing")
    with _outbox(args) as office:
        item = office.outbox.add_settings(values, to=_codes(args.to))
    print(i18n.t("cli.inbox.propose.added", id=item["id"]))
    return 0


def cmd_send(args: argparse.Namespace) -> int:
    with _outbox(args) as office:
        outbox = office.outbox
        if args.code:
            outbox.set_code(args.code)
        if args.again:
            print(outbox.resend(args.out, args.again))
            return 0
        written = outbox.send(args.out, _codes(args.to))
    for sent in written:
        print(i18n.t("cli.inbox.send.line", path=str(sent.path), code=sent.branch,
                     sequence=sent.sequence, items=sent.items))
    if not written:
        print(i18n.t("cli.inbox.send.none"), file=sys.stderr)
    return 0


def cmd_notices(args: argparse.Namespace) -> int:
    with _outbox(args) as office:
        notices, tasks = office.outbox.coverage(day=_day(args.date))
        pending = {c: len(items) for c, items in office.outbox.pending().items()}
    if args.json:
        _print_json({"notices": notices, "tasks": tasks, "pending": pending})
        return 0
    from branchtool.inbox.present import coverage_lines

    for line in coverage_lines(notices, tasks, pending):
        print(line)
    return 0


# -- the branch ---------------------------------------------------------------------------
def register(sub: Any) -> None:
    inbox = sub.add_parser("inbox", help=i18n.t("cli.inbox.help"))
    actions = inbox.add_subparsers(dest="inbox_command", metavar="ACTION", required=True)
    import_command(actions, cmd_import, catalog="cli.inbox.import", metavar="FILE|DIR",
                   json_key="cli.office.json")
    proposals = actions.add_parser("proposals", help=i18n.t("cli.inbox.proposals.help"))
    json_option(proposals, "cli.office.json")
    proposals.set_defaults(handler=cmd_proposals)
    for name in ("accept", "decline"):
        decide = actions.add_parser(name, help=i18n.t(f"cli.inbox.{name}.help"))
        decide.add_argument("id", metavar="ID")
        decide.set_defaults(handler=cmd_decide, accept=name == "accept")


def cmd_import(args: argparse.Namespace) -> int:
    from branchtool.inbox.receive import REJECTED, InboxService

    with open_session(args) as session:
        results = InboxService(session).import_paths(args.paths)
    for result in results:
        if args.json:
            print(orjson.dumps(result.to_json()).decode())
        else:
            who = f"#{result.sequence}" if result.sequence else "—"
            print(i18n.t("cli.inbox.import.line", file=result.file.name, who=who,
                         verdict=i18n.t(f"inbox.verdict.{result.verdict}"),
                         message=result.message()))
    if not results:
        print(i18n.t("cli.inbox.import.none"), file=sys.stderr)
    return 1 if any(r.verdict == REJECTED and r.reason != "replayed" for r in results) else 0


def cmd_proposals(args: argparse.Namespace) -> int:
    from branchtool.inbox.present import proposal_line
    from branchtool.inbox.receive import InboxService

    with open_session(args) as session:
        proposals = InboxService(session).proposals()
    if args.json:
        _print_json([{"id": p["id"], "values": p["values"], "office": p["office"],
                      "issued_on": p["issued_on"]} for p in proposals])
        return 0
    for proposal in proposals:
        print(proposal_line(proposal))
    if not proposals:
        print(i18n.t("cli.inbox.proposals.none"))
    return 0


def cmd_decide(args: argparse.Namespace) -> int:
    from branchtool.inbox.receive import InboxService

    with open_session(args) as session:
        InboxService(session).decide(args.id, args.accept)
    print(i18n.t("cli.inbox.accepted" if args.accept else "cli.inbox.declined"))
    return 0

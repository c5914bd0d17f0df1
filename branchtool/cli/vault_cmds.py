"""Vault commands: init, passwd, keys show/export/rotate/rotation,
vault check/backups/restore/compact."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from branchtool import contact, i18n, passphrase
from branchtool.branch_code import branch_code_problem
from branchtool.cli.common import open_session, reading, vault_dir
from branchtool.cli.output import progress
from branchtool.errors import KeyedError, StoredDataError, UserError
from branchtool.keyfiles import (
    BRANCH_FORMAT,
    OFFICE_FORMAT,
    KeyFile,
    fingerprint,
    read_office_key,
)
from branchtool.session import Session
from storage.fsio import DEFAULT_IO


def register(sub: Any) -> None:
    init = sub.add_parser("init", help=i18n.t("cli.init.help"))
    init.add_argument("--branch-code", required=True, help=i18n.t("cli.init.branch_code"))
    init.add_argument("--branch-name", required=True, help=i18n.t("cli.init.branch_name"))
    init.add_argument("--office-key", type=Path, help=i18n.t("cli.init.office_key"))
    init.add_argument("--secretary", default="", help=i18n.t("cli.init.secretary"))
    init.add_argument("--phone", default="", help=i18n.t("cli.init.phone"))
    init.set_defaults(handler=cmd_init)

    passwd = sub.add_parser("passwd", help=i18n.t("cli.passwd.help"))
    passwd.set_defaults(handler=cmd_passwd)

    keys = sub.add_parser("keys", help=i18n.t("cli.keys.help"))
    keys_sub = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    keys_sub.add_parser("show", help=i18n.t("cli.keys.show.help")).set_defaults(
        handler=cmd_keys_show)
    keys_export = keys_sub.add_parser("export", help=i18n.t("cli.keys.export.help"))
    keys_export.add_argument("--out", type=Path, required=True,
                             help=i18n.t("cli.keys.export.out"))
    keys_export.set_defaults(handler=cmd_keys_export)
    keys_rotate = keys_sub.add_parser("rotate", help=i18n.t("keys.cli.rotate.help"))
    keys_rotate.add_argument("--out", type=Path, required=True,
                             help=i18n.t("keys.cli.rotate.out"))
    keys_rotate.add_argument("--yes", action="store_true", help=i18n.t("keys.cli.yes"))
    keys_rotate.set_defaults(handler=cmd_keys_rotate)
    keys_rotation = keys_sub.add_parser("rotation", help=i18n.t("keys.cli.rotation.help"))
    keys_rotation.add_argument("--out", type=Path, help=i18n.t("keys.cli.rotation.out"))
    keys_rotation.add_argument("--number", type=int, help=i18n.t("keys.cli.rotation.number"))
    keys_rotation.set_defaults(handler=cmd_keys_rotation)

    vault = sub.add_parser("vault", help=i18n.t("cli.vault.help"))
    vault_sub = vault.add_subparsers(dest="vault_command", metavar="ACTION", required=True)
    vault_sub.add_parser("check", help=i18n.t("cli.vault.check.help")).set_defaults(
        handler=cmd_vault_check)
    vault_sub.add_parser("backups", help=i18n.t("cli.vault.backups.help")).set_defaults(
        handler=cmd_vault_backups)
    restore = vault_sub.add_parser("restore", help=i18n.t("cli.vault.restore.help"))
    restore.add_argument("--backup", help=i18n.t("cli.vault.restore.backup"))
    restore.set_defaults(handler=cmd_vault_restore)
    vault_sub.add_parser("compact", help=i18n.t("cli.vault.compact.help")).set_defaults(
        handler=cmd_vault_compact)


def cmd_init(args: argparse.Namespace) -> int:
    path = vault_dir(args)
    code = args.branch_code.strip()
    problem = branch_code_problem(code)
    if problem:
        raise UserError(problem, code=code)
    office = read_office_key(args.office_key) if args.office_key else None
    secretary = contact.clean(args.secretary, args.phone)
    if Session(path).exists():
        raise UserError("cli.init.exists", path=str(path))
    secret = passphrase.new(args)
    session = Session(path)
    try:
        session.create(code, args.branch_name.strip(), secret, check_passphrase=False)
        if office is not None:
            session.bundles.set_office_key(office)
        if secretary:
            contact.save(session, secretary)  # an encrypted setting, like the office key
    finally:
        session.lock()
    print(i18n.t("cli.init.done", path=str(path)))
    return 0


def cmd_passwd(args: argparse.Namespace) -> int:
    session = open_session(args, load=False)
    try:
        new = passphrase.new(args, env_name="BRANCHTOOL_NEW_PASSPHRASE")
        session.change_passphrase(new)
    finally:
        session.lock()
    print(i18n.t("cli.passwd.done"))
    return 0


def cmd_keys_show(args: argparse.Namespace) -> int:
    """The vault's keys, once unlocked: vault.json alone is not trusted (an
    edit would show someone else's key as this branch's). An office vault
    names the office."""
    session = open_session(args, load=False)
    vault = session.vault
    try:
        info = vault.info
        who = (i18n.t("keys.office_name"), str(info.get("office_name", ""))) \
            if vault.kind == "office" else \
            (i18n.t("keys.branch"), f"{info.get('branch_code', '')} {info.get('branch_name', '')}")
        rows = [
            (i18n.t("keys.kind"), i18n.t(f"keys.kind.{vault.kind}")),
            who,
            (i18n.t("keys.age_recipient"), vault.recipient),
            (i18n.t("keys.minisign_key_id"), vault.signing_key_id),
            (i18n.t("keys.minisign_public_key"),
             vault.signing_public_key.strip().splitlines()[-1]),
            (i18n.t("keys.fingerprint"),
             fingerprint(vault.recipient, vault.signing_public_key)),
        ]
        office = vault.setting("office")  # bundles.export.OFFICE_SETTING
    finally:
        session.lock()
    if office:
        rows.append((i18n.t("keys.office"), f"{office['name']} "
                     f"({fingerprint(office['recipient'], office['minisign_public_key'])})"))
    for label, value in rows:
        print(f"{label}: {value}")
    return 0


def cmd_keys_export(args: argparse.Namespace) -> int:
    """The branch's public key file for enrolment at the office, with the
    secretary to phone. It needs the passphrase: the keys come from the
    authenticated vault, never from vault.json alone (an edited copy would
    enrol someone else's key), and the name and phone are encrypted."""
    session = open_session(args, load=False)
    vault = session.vault
    try:
        info = vault.info
        key = KeyFile(format=BRANCH_FORMAT if vault.kind == "branch" else OFFICE_FORMAT,
                      name=info.get("branch_name") or info.get("office_name", ""),
                      code=info.get("branch_code", ""), recipient=vault.recipient,
                      minisign_public_key=vault.signing_public_key)
        secretary = contact.read(vault) if vault.kind == "branch" else None
    finally:
        session.lock()
    if secretary:
        key = replace(key, secretary=secretary.name, phone=secretary.phone)
    elif secretary is not None:  # a branch that has not said whom to phone
        print(i18n.t("cli.keys.export.no_contact"), file=sys.stderr)
    try:
        DEFAULT_IO.write_atomic(args.out, key.to_bytes())
    except OSError:
        raise UserError("cli.keys.write_failed", path=str(args.out)) from None
    print(i18n.t("cli.keys.export.done", path=str(args.out), fingerprint=key.fingerprint))
    return 0


def _confirm(args: argparse.Namespace, question_key: str) -> None:
    if getattr(args, "yes", False):
        return
    if not sys.stdin.isatty():
        raise UserError("keys.confirm_needed")
    answer = input(i18n.t(question_key) + " [y/N] ").strip().lower()
    if answer not in i18n.t("keys.yes_words").split(","):
        raise UserError("keys.not_confirmed")


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    """A new signing key, and the statement the office applies to trust it."""
    from branchtool import keys_rotation

    session = open_session(args, load=False)
    vault = session.vault
    try:
        old = keys_rotation.check_can_rotate(vault)
        keys_rotation.check_out(args.out)
        print(i18n.t("keys.rotate.explain", code=old.code, name=old.name))
        print(i18n.t("keys.rotate.old", fingerprint=old.fingerprint))
        before = len(keys_rotation.rotations(vault))
        if before:
            print(i18n.t("keys.rotate.earlier", count=before))
        _confirm(args, "keys.rotate.confirm")
        done = keys_rotation.rotate(vault)
        if not keys_rotation.write_statement(args.out, done.statement):
            raise UserError("keys.rotate.not_written", path=str(args.out))
    finally:
        session.lock()
    print(i18n.t("keys.rotate.done", fingerprint=done.new_fingerprint, path=str(args.out)))
    print(i18n.t("keys.rotate.next", name=args.out.name))
    return 0


def cmd_keys_rotation(args: argparse.Namespace) -> int:
    """List the rotations kept in the vault, or write one's statement again."""
    from branchtool import keys_rotation

    session = open_session(args, load=False)
    vault = session.vault
    try:
        if args.out is None:
            done = keys_rotation.rotations(vault)
            if not done:
                print(i18n.t("keys.rotation.none"))
            for number, doc in enumerate(done, 1):
                print(i18n.t("keys.rotation.row", number=number, time=doc["time"],
                             old=doc["old_fingerprint"], new=doc["new_fingerprint"]))
            return 0
        data = keys_rotation.statement(vault, args.number)
    finally:
        session.lock()
    try:
        DEFAULT_IO.write_atomic(args.out, data)
    except OSError:
        raise UserError("cli.keys.write_failed", path=str(args.out)) from None
    print(i18n.t("keys.rotation.written", path=str(args.out)))
    return 0


def cmd_vault_check(args: argparse.Namespace) -> int:
    try:
        with reading(args) as session, \
                progress(i18n.t("cli.progress.check"), i18n.t("cli.progress.steps")) as step:
            problems = session.check(step)
    except StoredDataError as exc:
        if not exc.corrupt:
            raise
        _print_corrupt(args, exc)
        return 2
    if problems:
        for problem in problems:
            print(i18n.t("cli.vault.check.problem", problem=problem), file=sys.stderr)
        return 2
    print(i18n.t("cli.vault.check.ok"))
    return 0


def _print_corrupt(args: argparse.Namespace, exc: KeyedError) -> None:
    print(i18n.t("cli.error_prefix", message=i18n.t(exc.key, **exc.params)), file=sys.stderr)
    backup = Session(vault_dir(args)).latest_backup()
    if backup:
        print(i18n.t("cli.vault.offer_backup", backup=backup), file=sys.stderr)


def cmd_vault_backups(args: argparse.Namespace) -> int:
    backups = Session(vault_dir(args)).backups()
    if not backups:
        print(i18n.t("cli.vault.backups.none"))
    for name in backups:
        print(name)
    return 0


def cmd_vault_restore(args: argparse.Namespace) -> int:
    aside = Session(vault_dir(args)).restore_backup(args.backup)
    print(i18n.t("cli.vault.restore.done", aside=str(aside)))
    return 0


def cmd_vault_compact(args: argparse.Namespace) -> int:
    session = open_session(args, load=False)
    try:
        session.compact()
    finally:
        session.lock(compact=False)
    print(i18n.t("cli.vault.compact.done"))
    return 0

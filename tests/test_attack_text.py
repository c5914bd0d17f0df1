"""Issue 13, text and errors: what escape codes and markup in files can do to
what people read, and what a bad passphrase file or a damaged month does.

- finding 7: a key file whose name hides the fingerprint is refused; a name
  with markup is shown literally, the fingerprint in its own widget; bundle
  file names and survey cells reach neither the terminal nor the app's
  screen as escape codes;
- finding 11: an empty or undecodable passphrase (file or environment) is one
  sentence; any unexpected error is one sentence, exit 1, no traceback and no
  data; a month found damaged while the app runs locks it, names the file and
  offers the backup — the app does not crash;
- Windows (WINDOWS.md items 6–8): a held file is retried, an interrupted
  restore is finished, stdout is UTF-8, a closed pipe's EINVAL ends quietly,
  passphrase files in UTF-16 or GBK or with cmd's trailing space work.
"""

from __future__ import annotations

import datetime as dt
import errno
import io
import os
import re
import sys
from pathlib import Path

import pytest
from fixtures_app import PASSPHRASE, make_app, settle
from textual.geometry import Region

from branchtool import demo, i18n
from branchtool.cli import main, use_utf8_on_windows
from branchtool.errors import UserError
from branchtool.keyfiles import BRANCH_FORMAT, OFFICE_FORMAT, KeyFile, parse_key_file
from branchtool.session import Session
from storage import age, fsio, minisign
from storage.fsio import FileIO
from storage.vault import Vault
from tests.officekit import OFFICE_PASSPHRASE, Clock, make_office

ESC = "\x1b"
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _key_file(path: Path, name: str, kind: str = BRANCH_FORMAT, code: str = "C3") -> KeyFile:
    _, recipient = age.generate_identity()
    _, public = minisign.generate_keypair()
    key = KeyFile(kind, name, recipient, public, code=code)
    path.write_bytes(key.to_bytes())
    return key


# -- finding 7: text from a file is shown as text ----------------------------------------------
HIDING_NAMES = [
    # an ESC sequence: conceal the rest, draw a fake fingerprint after it
    "第三党支部\x1b[8m",
    "第三党支部\x1b[2K\rFingerprint: 0000-0000-0000-0000-0000-0000-0000-0000",
    "第三党支部\nFingerprint: 0000-0000-0000-0000-0000-0000-0000-0000",  # a fake line
    "第三党支部\u202eFEDC",  # right-to-left override
    "\x9b2J第三党支部",  # C1 control sequence introducer
]


@pytest.mark.parametrize("name", HIDING_NAMES)
def test_a_key_file_whose_name_holds_control_characters_is_refused(tmp_path: Path,
                                                                   name: str) -> None:
    path = tmp_path / "C3.pub"
    _key_file(path, name)
    with pytest.raises(UserError) as caught:
        parse_key_file(path.read_bytes(), BRANCH_FORMAT)
    assert caught.value.key == "keyfile.bad_name"
    office_pub = tmp_path / "office.pub"
    _key_file(office_pub, name, OFFICE_FORMAT, code="")
    with pytest.raises(UserError):
        parse_key_file(office_pub.read_bytes(), OFFICE_FORMAT)


def test_enrolling_such_a_key_by_cli_prints_no_escape_code(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    office = make_office(tmp_path / "office", Clock())
    office.vault.close()
    path = tmp_path / "C3.pub"
    _key_file(path, HIDING_NAMES[1])
    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", OFFICE_PASSPHRASE)
    code = main(["--lang", "en", "--data-dir", str(tmp_path / "office"), "office", "trust",
                 str(path), "--yes"])
    out, err = capsys.readouterr()
    assert code != 0
    assert ESC not in out + err and "\r" not in out + err
    assert err.count("\n") == 1


def test_bundle_file_names_reach_the_terminal_spelled_out(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A stick's file named with an OSC title change and a screen clear."""
    office = make_office(tmp_path / "office", Clock())
    office.vault.close()
    usb = tmp_path / "usb"
    usb.mkdir()
    hostile = usb / "A1-\x1b]0;pwned\x07\x1b[2J\x1b[31m-x.bundle.age"
    hostile.write_bytes(b"not an age file")
    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", OFFICE_PASSPHRASE)
    for extra in ([], ["--json"]):
        code = main(["--lang", "en", "--data-dir", str(tmp_path / "office"), "office",
                     "import", *extra, str(usb)])
        out, err = capsys.readouterr()
        assert code == 1
        assert not RAW_CONTROL.search(out + err), repr(out)
        assert "pwned" in out  # the name is shown, spelled out


def _rendered_text(app: object) -> str:
    """Every line the app's current screen draws (after the line filters),
    as the terminal would receive its text."""
    screen = app.screen  # type: ignore[attr-defined]
    texts = []
    for widget in screen.walk_children(with_self=False):
        if not widget.region.area or not widget.display:
            continue
        for strip in widget.render_lines(Region(0, 0, widget.region.width,
                                                widget.region.height)):
            texts.append("".join(segment.text for segment in strip))
    return "\n".join(texts)


async def test_escape_codes_in_a_survey_name_never_reach_the_screen(tmp_path: Path) -> None:
    session = Session(tmp_path / "v", work_factor=10)
    session.create("A1", "第一党支部", PASSPHRASE, check_passphrase=False)
    session.roster.add({"name": "张三\x1b[2J\x1b]0;pwned\x07", "category": "student",
                        "stage": "league"})
    session.roster.add({"name": "[@click=app.quit]李四[/]", "category": "student",
                        "stage": "league"})
    app = make_app(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        from screens.main import SECTIONS

        index = [sid for sid, _, _ in SECTIONS].index("roster") + 1
        await pilot.press(f"alt+{index}")
        await settle(app, pilot)
        await pilot.pause()
        drawn = _rendered_text(app)
        assert "张三" in drawn and "[2J" in drawn  # shown, without its ESC
        assert ESC not in drawn and "\x07" not in drawn
        assert "[@click…" in drawn  # markup shown as typed (the column cuts the rest, with …)
    session.lock()


async def test_enrolment_shows_a_markup_name_literally_and_the_fingerprint_apart(
        tmp_path: Path) -> None:
    """A name may not carry control characters, but it may carry brackets:
    they are shown as typed, and cannot colour the real fingerprint away."""
    from screens.confirm import ConfirmScreen
    from screens.office_trust import TrustPane

    office = make_office(tmp_path / "office", Clock())
    office.vault.close()
    fake = "0000-0000-0000-0000-0000-0000-0000-0000"
    name = f"第三党支部 [$background on $background]指纹 {fake}[/]"
    key = _key_file(tmp_path / "C3.pub", name)
    session = Session(tmp_path / "office", work_factor=10)
    session.unlock(OFFICE_PASSPHRASE)
    from screens.app import BranchApp

    app = BranchApp(session, today=lambda: dt.date(2026, 11, 20))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("alt+3")
        await pilot.pause()
        app.screen.query_one(TrustPane)._enrol_file(tmp_path / "C3.pub")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        question = str(app.screen.query_one(".dialog-text").render())
        assert "[$background on $background]" in question  # literally
        shown_fp = str(app.screen.query_one("#confirm-fingerprint-0").render())
        assert key.fingerprint in shown_fp and fake not in shown_fp
        await pilot.click("#no")
    session.lock()


# -- finding 11: errors are sentences ---------------------------------------------------------
@pytest.fixture
def vault(tmp_path: Path) -> Path:
    path = tmp_path / "v"
    session = Session(path, work_factor=10)
    session.create("A1", "第一党支部", "pässwörd 口令", check_passphrase=False)
    session.lock()
    return path


def _run(vault: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--lang", "en", "--data-dir", str(vault), *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("content", "key"), [
    (b"", "cli.passphrase_file_empty"),
    (b"\r\n", "cli.passphrase_file_empty"),
    (b"\x80\x81secret\xff\xfe\x00", "cli.passphrase_file_encoding"),
])
def test_a_bad_passphrase_file_is_one_sentence(
        vault: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, content: bytes, key: str) -> None:
    monkeypatch.delenv("BRANCHTOOL_PASSPHRASE", raising=False)
    pw = tmp_path / "pw.txt"
    pw.write_bytes(content)
    code, out, err = _run(vault, capsys, "--passphrase-file", str(pw), "vault", "check")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.strip().endswith(i18n.catalog("en")[key].split("{")[0].strip()[-20:]) or \
        i18n.catalog("en")[key][:20] in err
    assert "\\x80" not in err and "0x80" not in err and "secret" not in err


def test_an_empty_passphrase_in_the_environment_is_one_sentence(
        vault: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", "")
    code, _, err = _run(vault, capsys, "vault", "check")
    assert code == 1 and err.count("\n") == 1 and "BRANCHTOOL_PASSPHRASE" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("data", [
    "pässwörd 口令".encode("utf-16"),  # PowerShell 5.1 `>`: UTF-16 with a BOM
    "pässwörd 口令\r\n".encode("utf-16"),
    "pässwörd 口令".encode("gb18030"),  # Notepad's "ANSI" on a Chinese system (GBK/GB 18030)
    "pässwörd 口令 \r\n".encode(),  # cmd: echo pässwörd 口令 > pw.txt
    b"\xef\xbb\xbf" + "pässwörd 口令\n".encode(),  # Notepad's UTF-8 with a BOM
])
def test_passphrase_files_as_windows_writes_them(
        vault: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.delenv("BRANCHTOOL_PASSPHRASE", raising=False)
    pw = tmp_path / "pw.txt"
    pw.write_bytes(data)
    code, _, err = _run(vault, capsys, "--passphrase-file", str(pw), "vault", "check")
    assert code == 0, err


def test_an_unexpected_error_is_one_sentence_without_data(
        vault: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from branchtool.cli import vault_cmds

    def broken(args: object) -> int:
        raise RuntimeError("张三 110105199003070123 13800138000")

    monkeypatch.setattr(vault_cmds, "cmd_keys_show", broken)
    monkeypatch.delenv("BRANCHTOOL_DEBUG", raising=False)
    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", "pässwörd 口令")
    code, _, err = _run(vault, capsys, "keys", "show")
    assert code == 1
    assert err.count("\n") == 1 and "RuntimeError" in err
    assert "张三" not in err and "1101051990" not in err and "Traceback" not in err


def _month_snapshot(path: Path, month: str) -> Path:
    [snapshot] = sorted((path / "data").glob(f"checkins@{month}.*.snap.age"))
    return snapshot


async def test_a_month_found_damaged_while_the_app_runs_locks_it_and_offers_the_backup(
        tmp_path: Path) -> None:
    from screens.day_sheet import CheckinsPane
    from screens.unlock import UnlockScreen
    from tests.healthkit import open_watch

    path = tmp_path / "v"
    today = dt.date(2024, 6, 1)
    session = demo.build(path, people=6, days=40, today=today, work_factor=10)
    session.vault.compact()
    session.vault.compact()  # a backup set that holds the months
    session.lock()
    damaged = _month_snapshot(path, "2024-05")
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0x01
    damaged.write_bytes(bytes(data))
    session = Session(path, work_factor=10)
    session.unlock(demo.PASSPHRASE)  # the latest month only: May is read lazily
    app = make_app(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        pane = (await open_watch(app, pilot, "checkins")).pane("checkins")
        assert isinstance(pane, CheckinsPane)
        pane.day = dt.date(2024, 5, 20)  # as the [ key would, 12 days back
        pane.reload_data()
        await settle(app, pilot)
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen)
        assert not session.unlocked
        message = str(app.screen.query_one("#unlock-message").render())
        assert damaged.name in message.replace("\n", "")
        assert app.screen.offered_backup  # Ctrl+R restores it
        assert app.is_running
    assert app.return_code in (None, 0)


# -- Windows: held files, interrupted restores, UTF-8, closed pipes -----------------------------
def test_a_file_held_by_another_program_is_retried(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"n": 0}
    real = os.replace

    def held(src: object, dst: object) -> None:
        calls["n"] += 1
        if calls["n"] < 4:
            error = PermissionError(errno.EACCES, "in use")
            error.winerror = 32  # type: ignore[attr-defined]
            raise error
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(fsio.os, "replace", held)
    monkeypatch.setattr(fsio.time, "sleep", lambda s: None)
    FileIO().write_atomic(tmp_path / "f", b"data")
    assert (tmp_path / "f").read_bytes() == b"data" and calls["n"] == 4

    def always(src: object, dst: object) -> None:
        error = PermissionError(errno.EACCES, "in use")
        error.winerror = 5  # type: ignore[attr-defined]
        raise error

    monkeypatch.setattr(fsio.os, "replace", always)
    with pytest.raises(PermissionError):
        FileIO().write_atomic(tmp_path / "g", b"data")
    assert not list(tmp_path.glob(".g.*.tmp"))  # the temp file is gone


def test_a_restore_interrupted_between_its_renames_is_finished_at_unlock(vault: Path) -> None:
    with Vault.open(vault, "pässwörd 口令") as v:
        v.partition("roster").insert({"name": "王五"})
        v.compact()
    backup = Vault.backups(vault)[0]
    # what a failed second rename leaves: data/ moved aside, the copy not yet in place
    import shutil

    shutil.copytree(backup, vault / "data.restoring")
    os.replace(vault / "data", vault / "data.replaced-x")
    session = Session(vault, work_factor=10)
    session.unlock("pässwörd 口令")
    assert (vault / "data").is_dir() and not (vault / "data.restoring").exists()
    session.lock()


def test_a_vault_file_that_cannot_be_read_is_one_sentence(
        vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from storage import store

    def held(self: object, path: Path) -> bytes:
        error = PermissionError(errno.EACCES, "in use")
        error.winerror = 32  # type: ignore[attr-defined]
        raise error

    monkeypatch.setattr(store.FileIO, "read_bytes", held)
    with pytest.raises(UserError) as caught:
        Session(vault, work_factor=10).unlock("pässwörd 口令")
    assert caught.value.key == "storage.unreadable"


def test_windows_output_is_utf8_and_a_closed_pipe_ends_quietly(
        vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.TextIOWrapper(io.BytesIO(), encoding="cp936")
    err = io.TextIOWrapper(io.BytesIO(), encoding="cp936")
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(sys, "platform", "win32")
    use_utf8_on_windows()
    assert sys.stdout.encoding == "utf-8" and sys.stderr.encoding == "utf-8"
    print("𠇔")  # a rare character cp936 cannot encode

    class ClosedPipe(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError(errno.EINVAL, "Invalid argument")

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    monkeypatch.setenv("BRANCHTOOL_PASSPHRASE", "pässwörd 口令")
    assert main(["--lang", "en", "--data-dir", str(vault), "keys", "show"]) == 0

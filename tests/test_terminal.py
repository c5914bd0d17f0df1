"""branchtool in a real terminal: the program itself (``python -m branchtool``)
under tmux at 80x24, typed at as a person would, the screen read back.

A secretary creates the branch vault in the form (the office's key file from
the USB stick in its last field), imports the roster from a CSV, marks the
day's check-ins on the day sheet, writes the bundle onto the stick and her
branch's key file beside it; the office, set up with ``office init`` and
``office trust`` (the fingerprint compared with the one the secretary's screen
showed), opens its vault, imports the stick and sees the branch reported.

The Pilot tests at the end hold the keys this run found broken (without tmux).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures_app import TODAY, chinese, make_app, settle, until  # noqa: F401  (fixtures)
from textual.widgets import Input, Select, TabbedContent

from branchtool.session import Session
from tests.bundlekit import make_office_keys
from tests.tmuxkit import Terminal, tmux_path

REPO_ROOT = Path(__file__).resolve().parent.parent
BRANCH_PASS = "correct horse battery"
OFFICE_PASS = "office staple 2026"
OFFICE_NAME = "计算机学院党委办公室"
BRANCH_CODE = "CS01"
BRANCH_NAME = "计算机系第一党支部"
FINGERPRINT = r"[0-9A-F]{4}(?:-[0-9A-F]{4}){7}"
ROSTER_CSV = (
    "姓名,性别,人员类别,政治面貌,党小组\n"
    "张三,男,教工,正式党员,第一党小组\n"
    "李四,女,学生,预备党员,第一党小组\n"
    "王五,男,学生,共青团员,第二党小组\n"
)

needs_tmux = pytest.mark.skipif(
    tmux_path() is None or sys.platform == "win32",
    reason="tmux is not installed (./test.sh installs it from Debian); "
           "the real-terminal test needs it")


# -- the terminal run -------------------------------------------------------------------------
@pytest.fixture
def workdir() -> Iterator[Path]:
    """A short folder (paths are typed, and must fit the inputs at 80 columns)."""
    path = Path(tempfile.mkdtemp(prefix="bt-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def clean_env(workdir: Path) -> dict[str, str]:
    """The program's environment: no vault, passphrase or language from the
    caller's, no enclosing tmux; the repository on the path."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("BRANCHTOOL_") and k not in ("TMUX", "TMUX_PANE")}
    env.update(PYTHONPATH=str(REPO_ROOT), HOME=str(workdir), LANG="C.UTF-8", LC_ALL="C.UTF-8")
    return env


def cli(workdir: Path, *args: str, passphrase: str) -> str:
    """``branchtool ARGS`` headless; its output (it must succeed)."""
    env = clean_env(workdir) | {"BRANCHTOOL_PASSPHRASE": passphrase}
    done = subprocess.run([sys.executable, "-m", "branchtool", *args], cwd=workdir, env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, f"branchtool {' '.join(args)}: {done.stderr}{done.stdout}"
    return done.stdout


def start(workdir: Path, vault: Path) -> Terminal:
    """The app on ``vault`` in a new 80x24 terminal."""
    env = {"TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
           "PYTHONPATH": str(REPO_ROOT), "HOME": str(workdir)}
    return Terminal([sys.executable, "-m", "branchtool", "--data-dir", str(vault)],
                    cwd=workdir, env=env, width=80, height=24, workdir=workdir)


def fill(term: Terminal, text: str, shown: str | None = None) -> None:
    """Type into the focused input, wait until it shows, press Enter and
    wait until the focus (the terminal's cursor) has gone to the next row."""
    term.type(text)
    if shown is not None:
        term.wait_for(shown)
    before = term.cursor()
    term.press("Enter")
    term.wait_cursor_moved(before)


def replace_input(term: Terminal, row: str, text: str) -> None:
    """Press End until the cursor shows at the end of the input on the row
    showing ``row`` (an input that has just taken the focus shows its text
    selected, without the cursor), clear it with Ctrl+U and wait until the
    cursor is back at its start, type ``text`` and wait until it shows.

    (Waiting matters: Ctrl+U is a binding, handled after the key has bubbled
    up to the app, and letters typed in the same instant would get there
    first and be deleted with the rest.)"""
    term.press_until_cursor_on(row, "End")
    end = term.cursor()
    term.press("C-u")
    term.wait_until(lambda _: term.cursor()[0] < end[0], f"the input on {row!r} cleared")
    term.type(text)
    term.wait_for(text)


@needs_tmux
def test_a_secretary_and_the_office_at_the_terminal(workdir: Path) -> None:
    began = time.monotonic()
    usb = workdir / "usb"
    usb.mkdir()
    (workdir / "roster.csv").write_text(ROSTER_CSV, encoding="utf-8-sig")
    branch_vault, office_vault = workdir / "branch", workdir / "office"

    # The office sets up first and hands out office.pub (on the stick).
    out = cli(workdir, "--data-dir", str(office_vault), "office", "init",
              "--name", OFFICE_NAME, "--out", str(usb), passphrase=OFFICE_PASS)
    office_print = re.search(FINGERPRINT, out)
    assert office_print and (usb / "office.pub").is_file()

    term = start(workdir, branch_vault)
    try:
        # -- first start: the creation form, field by field with Enter ----------------------
        term.wait_for("新建支部保险库", "支部代码")
        fill(term, BRANCH_CODE, shown=BRANCH_CODE)
        fill(term, BRANCH_NAME, shown=BRANCH_NAME)
        dots = "•" * len(BRANCH_PASS)
        fill(term, BRANCH_PASS, shown=dots)
        term.type(BRANCH_PASS)
        term.wait_until(lambda s: s.count(dots) >= 2, "the repeated passphrase")
        before = term.cursor()
        term.press("Enter")
        term.wait_cursor_moved(before)
        term.type(str(usb / "office.pub"))
        term.wait_for("office.pub")
        term.press("Enter")  # the last field: create
        # the main screen, its list with the focus (its keys in the footer)
        term.wait_for(f"支部工作台 · {BRANCH_NAME}", "花名册", "在册 0 人", "⏎ 查看")

        # -- the roster from a spreadsheet (Ctrl+O) -----------------------------------------
        term.press("C-o")
        term.wait_for("从表格导入花名册")
        term.type(str(workdir / "roster.csv"))
        term.wait_for("roster.csv")
        term.press("Enter")
        term.wait_for("可新增 3 人", "张三", "王五")
        term.press("C-s")
        term.wait_for("导入完成：新增 3 人", "在册 3 人", "李四")

        # A search by pinyin initials, then on through the sections (Ctrl+PageDown).
        term.press("C-f")
        term.wait_cursor_on("搜索：")
        term.type("zs")
        term.wait_for("1 人 / 在册 3 人", "张三")
        term.press("C-u")
        term.wait_for("3 人 / 在册 3 人")
        # Each section takes the focus as it shows: its keys are in the footer.
        for signature, keys in (("按姓名查找帮扶对象", "v 走访"), ("按任务名称查找", "^b 每人一项"),
                                ("按党员姓名", "m 个人页"), ("疫情概况", "⏎ 查看")):
            term.press("C-NPage")
            term.wait_for(signature, keys)
        # -- the day sheet: Space marks one normal, a marks the rest -------------------------
        term.press("2")
        term.wait_for("应报 3  已报 0  未报 3", "space 正常", "a 其余正常")
        term.press("Space")
        term.wait_for("应报 3  已报 1  未报 2")
        term.press("a")
        term.wait_for("尚未打卡的 2 人全部登记为正常？")
        term.press("Tab", "Enter")  # No has the focus: Tab to Yes
        term.wait_for("应报 3  已报 3  未报 0", "全部已报。")

        # -- the bundle onto the stick: Ctrl+PageDown twice, the folder, Ctrl+W -----------
        term.press("C-NPage")
        term.wait_for("疫情防控日报", "^d 存为 Word")  # the reports section
        term.press("C-NPage")
        term.wait_for("写入文件夹", "^w 写入上报文件", OFFICE_NAME)
        assert office_print.group(0) in term.last  # the office key the form set
        replace_input(term, "写入文件夹", str(usb))  # the folder has the focus on arrival
        # at 24 rows the whole form and the preview's summary show without scrolling
        term.wait_for("上报内容", "确认无误后按")
        term.press("C-w")  # not "delete a word" in the input (regression)
        term.wait_for("上报文件已写入")
        [bundle] = usb.glob(f"{BRANCH_CODE}-*.bundle.age")

        # -- the branch's key for the office, from the command palette ----------------------
        term.press("C-p")
        term.wait_for("搜索命令")  # keys typed before the palette is up would be lost
        term.type("导出本支部")
        term.wait_for("导出本支部公钥文件，交党委办公室登记")
        term.press("Enter")
        dialog = term.wait_for("导出本支部公钥", "路径（")
        branch_print = re.search(FINGERPRINT, dialog)
        assert branch_print, dialog
        replace_input(term, f"{BRANCH_CODE}.pub", str(usb / f"{BRANCH_CODE}.pub"))
        term.press("Enter")
        term.wait_for("公钥文件已写入")

        # A second start on the same vault: the whole sentence why not, over two
        # lines of the unlock box (it was cut to one line: regression).
        second = start(workdir, branch_vault)
        try:
            second.wait_for("口令", f"{BRANCH_NAME}（{BRANCH_CODE}）")
            second.type(BRANCH_PASS)
            second.wait_for(dots)
            second.press("Enter")
            # where the sentence breaks depends on the process number's digits
            second.wait_until(lambda screen: "保险库正被另一个程序使用" in screen
                              and "请先关闭它。" in re.sub(r"[\s█]", "", screen),
                              "the lock sentence, whole over two lines")
            second.press("C-q")
            assert second.wait_exit() == 0
        finally:
            second.close()
        term.press("C-q")
        assert term.wait_exit() == 0
    finally:
        term.close()

    # The office enrols the branch, reading out the fingerprint the secretary saw.
    out = cli(workdir, "--data-dir", str(office_vault), "office", "trust",
              str(usb / f"{BRANCH_CODE}.pub"), "--yes", passphrase=OFFICE_PASS)
    assert branch_print.group(0) in out and f"{BRANCH_CODE} 已登记" in out

    term = start(workdir, office_vault)
    try:
        # the office's name, not "（）" (regression), under the office's title
        term.wait_for("党委办公室", "口令", OFFICE_NAME)
        term.type(OFFICE_PASS)
        term.wait_for("•" * len(OFFICE_PASS))
        term.press("Enter")
        # the dashboard, its table with the focus (its keys in the footer)
        term.wait_for(f"党委办公室 · {OFFICE_NAME}", "截止", BRANCH_CODE, "未报", "⏎ 查看")

        # -- import the stick: Ctrl+PageDown to the import section, the folder, Ctrl+S ----
        term.press("C-NPage")  # (Alt+2 does not reach the app in tmux or xterm)
        term.wait_for("所有文件先全部校验再写入", "^s 导入")
        term.type(str(usb))
        term.wait_for(str(usb))
        term.press("C-s")  # was Ctrl+I, which a terminal sends as Tab (regression)
        term.wait_for("接收 1 个，已导入过 0 个，拒收 0 个", bundle.name[:20])

        # -- the dashboard: the branch has reported; Enter opens it ------------------------
        term.press("C-PPage")
        # the table's own key in the footer: it has the focus, so Enter reaches it
        dashboard = term.wait_for("1 个支部中 1 个已报", "⏎ 查看")
        row = next(line for line in dashboard.splitlines() if BRANCH_CODE in line)
        assert "零报告" in row and "未报" not in row, dashboard
        term.press("Enter")
        term.wait_for(f"{BRANCH_CODE} {BRANCH_NAME}", branch_print.group(0))
        term.press("Escape")
        term.wait_for("1 个支部中 1 个已报")
        term.press("C-q")
        assert term.wait_exit() == 0
    finally:
        term.close()
    assert time.monotonic() - began < 90


# -- the same keys without a terminal (Pilot) ------------------------------------------------------
@pytest.fixture
def branch(tmp_path: Path) -> Iterator[Session]:
    from branchtool import demo

    s = demo.build(tmp_path / "demo", people=12, seed=3, today=TODAY, work_factor=10)
    yield s
    s.lock()


async def test_sections_change_with_ctrl_pagedown_from_a_focused_filter(branch: Session) -> None:
    """A hidden widget that kept the focus handed it to a sibling (Textual),
    which brought its section straight back."""
    app = make_app(branch)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.screen.query_one("#filter-category", Select).focus()
        await pilot.pause()
        await pilot.press("ctrl+pagedown")
        await settle(app, pilot)
        assert app.screen.query_one(TabbedContent).active == "section-care"


async def test_the_bundle_section_takes_the_focus_and_ctrl_w_writes(
        branch: Session, tmp_path: Path) -> None:
    office = make_office_keys()
    branch.bundles.set_office_key(office.key)
    app = make_app(branch)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.screen.action_section("bundle")
        await settle(app, pilot)
        await pilot.pause()
        folder = app.screen.query_one("#bundle-folder", Input)
        await until(pilot, lambda: app.focused is folder)
        folder.value = str(tmp_path)
        await settle(app, pilot)
        await pilot.press("ctrl+w")  # Input's "delete a word" must not take it
        await settle(app, pilot)
        assert folder.value == str(tmp_path)
        assert list(tmp_path.glob("*.bundle.age"))


async def test_the_office_steps_through_its_sections_and_imports_with_ctrl_s(
        tmp_path: Path) -> None:
    from branchtool.office.create import create_office
    from screens.office_import import OfficeImportPane

    vault, _ = create_office(tmp_path / "office", OFFICE_NAME, "office pass 1", work_factor=10)
    vault.close()
    session = Session(tmp_path / "office", work_factor=10)
    session.unlock("office pass 1")
    app = make_app(session)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            await pilot.press("ctrl+pagedown")
            await settle(app, pilot)
            assert app.screen.query_one(TabbedContent).active == "office-section-import"
            pane = app.screen.query_one(OfficeImportPane)
            paths = pane.query_one("#office-import-paths", Input)
            await until(pilot, lambda: app.focused is paths)
            assert "ctrl+i" not in pane._bindings.key_to_bindings
            app.focused.value = str(tmp_path / ("a-long-folder-name" * 5))  # scrolls sideways
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            assert str(pane.query_one("#office-import-summary").render())
            await pilot.press("ctrl+pageup")
            await settle(app, pilot)
            assert app.screen.query_one(TabbedContent).active == "office-section-dashboard"
    finally:
        session.lock()

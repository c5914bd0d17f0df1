"""Install branchtool from this offline kit, with no network.

Run by install.sh (macOS, Linux) and install.ps1 / install.bat (Windows) once
they have found a Python 3.11-3.13; it can also be run by hand:
``python3 install.py`` (``py install.py`` on Windows).

What it does, in order, stopping at the first problem with one plain sentence:

1. checks this Python (3.11-3.13, 64-bit, not the Microsoft Store build);
2. checks every file of the kit against SHA256SUMS (a copy damaged on the
   stick, or a wheel slipped into ``wheels/``, stops it);
3. makes a fresh virtual environment in ``~/.branchtool/venv``
   (``%USERPROFILE%\\.branchtool\\venv``), with pip taken from the kit;
4. installs branchtool from ``wheels/`` only (``pip install --no-index
   --find-links``), ignoring any pip configuration on the machine;
5. puts a launcher where the user starts programs: ``~/.local/bin/branchtool``
   (plus a menu entry on Linux and ``branchtool.command`` on a Mac's desktop),
   or on Windows ``branchtool.cmd`` on the user's PATH and a Start-menu and
   desktop shortcut that open Windows Terminal when it is installed.

The vault (the encrypted data) is never touched: it lives elsewhere
(``branchtool`` shows where), so installing again or removing
``~/.branchtool`` loses no record.

Standard library only; it must run on any Python the kit supports.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

SUPPORTED = ((3, 11), (3, 13))  # the kit carries wheels for these CPythons, inclusive
INSTALL_DIR_NAME = ".branchtool"
# Files an operating system or a file manager drops on a stick by itself.
JUNK = {".DS_Store", "Thumbs.db", "desktop.ini", ".Trashes", ".fseventsd",
        ".Spotlight-V100", "System Volume Information", "$RECYCLE.BIN"}
NOT_SUMMED = {"SHA256SUMS", "SHA256SUMS.minisig"}

MESSAGES = {
    "python_old": ("这个 Python 是 {version}，branchtool 需要 Python 3.11、3.12 或 3.13。",
                   "This Python is {version}; branchtool needs Python 3.11, 3.12 or 3.13."),
    "python_32bit": ("这个 Python 是 32 位的（{machine}），安装包只带 64 位的组件。"
                     "请装 64 位的 Python（python.org 的 “Windows installer (64-bit)”）。",
                     "This Python is 32-bit ({machine}); the kit only carries 64-bit parts. "
                     "Install the 64-bit Python (python.org's \"Windows installer (64-bit)\")."),
    "python_arch": ("这台电脑的 Python 是 {machine} 版，安装包里没有它用的组件（Windows 只带 "
                    "x86-64，macOS 带 arm64 和 x86-64，Linux 带 x86-64 和 aarch64）。",
                    "This Python is built for {machine}, which the kit does not carry parts for "
                    "(Windows: x86-64; macOS: arm64 and x86-64; Linux: x86-64 and aarch64)."),
    "python_store": ("这是微软应用商店（Microsoft Store）的 Python：它把数据悄悄改存到别处，"
                     "“复制数据文件夹”会复制不到东西，重置应用还可能删掉数据。"
                     "请改用 python.org 的 Windows 安装程序（见 安装说明.txt）。",
                     "This is the Microsoft Store Python: it silently stores data somewhere "
                     "else, so copying the data folder copies nothing, and resetting the app "
                     "may delete it. Use the python.org Windows installer instead (see "
                     "INSTALL.txt)."),
    "no_sums": ("安装包里没有 SHA256SUMS 文件，无法确认文件完好。请重新复制整个安装包。",
                "The kit has no SHA256SUMS file, so its files cannot be checked. Copy the "
                "whole kit again."),
    "bad_sums_line": ("SHA256SUMS 第 {line} 行看不懂。请重新复制整个安装包。",
                      "Line {line} of SHA256SUMS cannot be read. Copy the whole kit again."),
    "missing": ("安装包缺少文件 {name}。请重新复制整个安装包。",
                "The kit is missing {name}. Copy the whole kit again."),
    "damaged": ("文件 {name} 和 SHA256SUMS 对不上（复制时损坏或被改过）。请重新复制整个安装包。",
                "{name} does not match SHA256SUMS (damaged while copying, or changed). "
                "Copy the whole kit again."),
    "unlisted": ("wheels 文件夹里有不在 SHA256SUMS 中的文件 {name}，为安全起见不安装。"
                 "请重新复制整个安装包。",
                 "wheels/ holds {name}, which SHA256SUMS does not list; nothing is installed, "
                 "to be safe. Copy the whole kit again."),
    "no_wheel": ("wheels 文件夹里要有且只有一个 branchtool 的 .whl 文件。请重新复制整个安装包。",
                 "wheels/ must hold exactly one branchtool .whl file. Copy the whole kit again."),
    "checked": ("安装包完好：{count} 个文件与 SHA256SUMS 一致。",
                "The kit is intact: {count} files match SHA256SUMS."),
    "venv": ("正在建立程序文件夹 {path} ……", "Making the program folder {path} ..."),
    "venv_busy": ("旧的程序文件夹 {path} 删不掉：branchtool 可能还开着。请先关掉它再安装。",
                  "The old program folder {path} cannot be removed: branchtool may still be "
                  "running. Close it, then install again."),
    "venv_failed": ("建立程序文件夹失败：{detail}", "Could not make the program folder: {detail}"),
    "installing": ("正在安装 branchtool {version}（不联网）……",
                   "Installing branchtool {version} (no network) ..."),
    "pip_failed": ("安装失败（pip 的说明在上面）。安装包可能缺少这台电脑用的组件。",
                   "The installation failed (pip's explanation is above). The kit may lack "
                   "parts for this computer."),
    "smoke_failed": ("装好了，但 branchtool 启动不了：{detail}",
                     "Installed, but branchtool does not start: {detail}"),
    "launcher": ("启动命令：{path}", "Launcher: {path}"),
    "launcher_kept": ("{path} 已经是别的文件，没有覆盖它；请用完整路径启动：{target}",
                      "{path} is another file and was left alone; start branchtool by its "
                      "full path: {target}"),
    "path_hint": ("{folder} 还不在 PATH 里。把下面这行加到 {rc} 的末尾，再开一个新终端：",
                  "{folder} is not on your PATH yet. Add this line to the end of {rc}, then "
                  "open a new terminal:"),
    "menu": ("应用菜单里加了 branchtool。", "Added branchtool to the applications menu."),
    "mac_desktop": ("桌面上放了 branchtool.command，双击就能打开。",
                    "Put branchtool.command on the desktop: double-click it to start."),
    "win_path": ("{folder} 已加入你的 PATH：新开的终端里可以直接输入 branchtool。",
                 "Added {folder} to your PATH: in a new terminal, type branchtool."),
    "win_shortcuts": ("开始菜单和桌面上加了 “branchtool” 快捷方式"
                      "（装了 Windows Terminal 时在其中打开）。",
                      "Added \"branchtool\" shortcuts to the Start menu and the desktop (they "
                      "open in Windows Terminal when it is installed)."),
    "win_shortcuts_failed": ("没能建立快捷方式（{detail}）；可以直接运行 {path}。",
                             "Could not make the shortcuts ({detail}); run {path} directly."),
    "done": ("完成。branchtool {version} 已装在 {path}。", "Done. branchtool {version} is in "
             "{path}."),
    "next": ("试用：branchtool demo（演示数据，口令 demo）；正式使用：branchtool。"
             "数据另存在用户数据文件夹里，重新安装或删除程序文件夹都不会丢数据。",
             "Try it: branchtool demo (synthetic data, passphrase demo); for real: "
             "branchtool. The data lives in the user data folder: installing again or "
             "removing the program folder loses nothing."),
}


def _language() -> int:
    """0 for Chinese, 1 for English: Chinese unless the system says another
    language, or the console cannot show Chinese at all."""
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        "中文".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return 1
    if sys.platform == "win32":
        try:
            import ctypes

            langid = ctypes.windll.kernel32.GetUserDefaultUILanguage()  # type: ignore[attr-defined]
            return 0 if langid & 0x3FF == 0x04 else 1  # LANG_CHINESE
        except (AttributeError, OSError):
            return 0
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            # C, C.UTF-8, POSIX: nothing said about the language
            return 0 if value.startswith(("zh", "C", "POSIX")) else 1
    return 0


LANG = _language()


def say(key: str, **params: object) -> str:
    text = MESSAGES[key][LANG].format(**params)
    print(text, flush=True)
    return text


class InstallError(Exception):
    """A problem the user can fix; its message is already in their language."""

    def __init__(self, key: str, **params: object) -> None:
        self.key = key
        super().__init__(MESSAGES[key][LANG].format(**params))


# -- 1. this Python ------------------------------------------------------------------------
def python_problem(version: tuple[int, int] | None = None, *, executable: str | None = None,
                   machine: str | None = None, bits: int | None = None,
                   windows: bool | None = None) -> InstallError | None:
    """Why this Python cannot run the kit's wheels, or None. The arguments
    default to the running interpreter (tests pass others)."""
    version = version or sys.version_info[:2]
    executable = executable if executable is not None else sys.executable
    machine = (machine if machine is not None else platform.machine()).lower()
    bits = bits or (64 if sys.maxsize > 2**32 else 32)
    windows = sys.platform == "win32" if windows is None else windows
    if not SUPPORTED[0] <= version <= SUPPORTED[1]:
        return InstallError("python_old", version="{}.{}".format(*version))
    if bits != 64:
        return InstallError("python_32bit", machine=machine)
    known = ("amd64", "x86_64") if windows else ("amd64", "x86_64", "arm64", "aarch64")
    if machine not in known:
        return InstallError("python_arch", machine=machine)
    if windows and "\\windowsapps\\" in executable.lower():
        return InstallError("python_store")
    return None


# -- 2. the kit's own files -----------------------------------------------------------------
def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_SUM_LINE = re.compile(r"([0-9a-f]{64}) [ *](.+)")


def read_sums(kit: Path) -> dict[str, str]:
    """SHA256SUMS as {relative posix path: hex digest}, in sha256sum's format."""
    try:
        text = (kit / "SHA256SUMS").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InstallError("no_sums") from None
    sums: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        match = _SUM_LINE.fullmatch(line.rstrip("\r"))
        name = match.group(2) if match else ""
        parts = name.split("/")
        if not match or name.startswith("/") or ".." in parts or "\\" in name:
            raise InstallError("bad_sums_line", line=number)
        sums[name] = match.group(1)
    return sums


def verify_kit(kit: Path) -> dict[str, str]:
    """Check every file SHA256SUMS lists, and that ``wheels/`` holds no wheel
    it does not list (pip would take any wheel it finds there)."""
    sums = read_sums(kit)
    for name, digest in sorted(sums.items()):
        path = kit.joinpath(*name.split("/"))
        if not path.is_file():
            raise InstallError("missing", name=name)
        if sha256(path) != digest:
            raise InstallError("damaged", name=name)
    wheels = kit / "wheels"
    for path in sorted(wheels.iterdir()) if wheels.is_dir() else []:
        if path.name in JUNK or path.name.startswith("._"):
            continue  # macOS' AppleDouble files on a FAT stick, Windows' thumbnails
        if f"wheels/{path.name}" not in sums:
            raise InstallError("unlisted", name=f"wheels/{path.name}")
    return sums


def kit_version(kit: Path) -> str:
    found = [p for p in (kit / "wheels").glob("branchtool-*.whl") if not p.name.startswith("._")]
    if len(found) != 1:
        raise InstallError("no_wheel")
    return found[0].name.split("-")[1]


# -- 3. and 4. the program folder -------------------------------------------------------------
def install_dir(home: Path) -> Path:
    return home / INSTALL_DIR_NAME


def venv_python(venv: Path, windows: bool) -> Path:
    return venv / ("Scripts/python.exe" if windows else "bin/python")


def venv_command(venv: Path, windows: bool) -> Path:
    return venv / ("Scripts/branchtool.exe" if windows else "bin/branchtool")


def pip_env() -> dict[str, str]:
    """The environment pip runs in: no PIP_* variable and no configuration
    file of this machine's may add an index, a find-links folder or a
    constraint (``PIP_CONFIG_FILE=os.devnull`` loads no file at all)."""
    env = {k: v for k, v in os.environ.items()
           if not k.upper().startswith("PIP_") and k.upper() not in ("PYTHONPATH", "PYTHONHOME")}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PYTHONNOUSERSITE"] = "1"
    return env


def _run(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in argv], env=pip_env(), text=True,  # type: ignore[call-overload]
                          encoding="utf-8", errors="replace", check=False, **kwargs)


def make_venv(venv: Path, kit: Path, windows: bool) -> None:
    """A fresh venv with the kit's pip. ``--without-pip`` and pip run from its
    own wheel: Debian and Ubuntu ship Python without ensurepip unless
    python3-venv is installed, which an offline machine cannot fetch."""
    say("venv", path=venv)
    if venv.exists():
        try:
            shutil.rmtree(venv)
        except OSError:
            raise InstallError("venv_busy", path=venv) from None
    venv.parent.mkdir(parents=True, exist_ok=True)
    done = _run([sys.executable, "-m", "venv", "--without-pip", venv],
                capture_output=True)
    if done.returncode != 0:
        raise InstallError("venv_failed", detail=(done.stderr or done.stdout).strip()[-500:])
    pips = sorted((kit / "wheels").glob("pip-*.whl"))
    if not pips:
        raise InstallError("missing", name="wheels/pip-*.whl")
    pip_wheel = pips[-1]
    done = _run([venv_python(venv, windows), f"{pip_wheel}/pip", "install", "--isolated",
                 "--no-index", "--find-links", kit / "wheels", "--no-cache-dir",
                 "--disable-pip-version-check", "--quiet", pip_wheel])
    if done.returncode != 0:
        raise InstallError("venv_failed", detail="pip")


def pip_install(venv: Path, kit: Path, version: str, windows: bool) -> None:
    say("installing", version=version)
    done = _run([venv_python(venv, windows), "-m", "pip", "install", "--isolated",
                 "--no-index", "--find-links", kit / "wheels", "--only-binary", ":all:",
                 "--no-cache-dir", "--disable-pip-version-check", "--no-warn-script-location",
                 "--quiet", f"branchtool=={version}"])
    if done.returncode != 0:
        raise InstallError("pip_failed")


def smoke_test(venv: Path, windows: bool) -> None:
    done = _run([venv_command(venv, windows), "--help"], capture_output=True)
    if done.returncode != 0:
        raise InstallError("smoke_failed", detail=(done.stderr or done.stdout).strip()[-500:])


# -- 5. launchers ------------------------------------------------------------------------------
def posix_launcher(home: Path, venv: Path, *, path_env: str | None = None,
                   macos: bool | None = None) -> list[str]:
    """``~/.local/bin/branchtool`` -> the venv's command; returns what was said."""
    said: list[str] = []
    target = venv_command(venv, windows=False)
    bin_dir = home / ".local" / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    link = bin_dir / "branchtool"
    if link.is_symlink() or not link.exists():
        if link.is_symlink():
            link.unlink()
        link.symlink_to(target)
        said.append(say("launcher", path=link))
    else:
        said.append(say("launcher_kept", path=link, target=target))
    path_env = os.environ.get("PATH", "") if path_env is None else path_env
    folders = {os.path.normpath(os.path.expanduser(p)) for p in path_env.split(os.pathsep) if p}
    macos = sys.platform == "darwin" if macos is None else macos
    if os.path.normpath(str(bin_dir)) not in folders:
        shell = os.path.basename(os.environ.get("SHELL", ""))
        rc = "~/.zshrc" if shell == "zsh" or (macos and not shell) else "~/.bashrc"
        said.append(say("path_hint", folder=bin_dir, rc=rc))
        line = 'export PATH="$HOME/.local/bin:$PATH"'
        print("    " + line)
        said.append(line)
    if macos:
        desktop = home / "Desktop"
        if desktop.is_dir():
            command = desktop / "branchtool.command"
            command.write_text(f'#!/bin/sh\nexec "{target}"\n', encoding="utf-8")
            command.chmod(0o755)
            said.append(say("mac_desktop"))
    else:
        apps = home / ".local" / "share" / "applications"
        apps.mkdir(parents=True, exist_ok=True)
        (apps / "branchtool.desktop").write_text(desktop_entry(target), encoding="utf-8")
        said.append(say("menu"))
    return said


def desktop_entry(target: Path) -> str:
    """A freedesktop menu entry that runs branchtool in a terminal."""
    quoted = '"' + str(target).replace("\\", "\\\\").replace('"', '\\"') + '"'
    return ("[Desktop Entry]\nType=Application\nName=branchtool\nName[zh_CN]=党支部工作台\n"
            "Comment=Encrypted workbench for a Party branch secretary\n"
            f"Exec={quoted}\nTerminal=true\nCategories=Office;\n")


WINDOWS_LAUNCHER = r"""@echo off
rem branchtool launcher, written by the offline kit's installer.
rem Started from the Start menu or the desktop (no arguments, not yet in
rem Windows Terminal), it reopens itself in Windows Terminal when that is
rem installed: the old console window draws borders crooked with Chinese fonts.
setlocal
set "BT=%~dp0..\venv\Scripts\branchtool.exe"
if not exist "%BT%" (
  echo branchtool is not installed here any more: run install.bat from the kit again.
  pause
  exit /b 1
)
if "%~1"=="" if not defined WT_SESSION (
  where wt.exe >nul 2>nul && (
    start "" wt.exe --title branchtool "%BT%"
    exit /b 0
  )
)
"%BT%" %*
set "RC=%ERRORLEVEL%"
if "%~1"=="" if not "%RC%"=="0" pause
exit /b %RC%
"""


def windows_launcher_text() -> str:
    return WINDOWS_LAUNCHER.replace("\r\n", "\n").replace("\n", "\r\n")


def path_with(folder: str, current: str) -> str | None:
    """The user's PATH value with ``folder`` added at the end, or None when it
    is already there (compared without case and trailing backslashes, as
    Windows does). ``current`` is the raw registry value: %VARIABLES% stay."""
    def norm(p: str) -> str:
        return os.path.normcase(p.strip().strip('"').rstrip("\\/")).lower()

    parts = [p for p in current.split(";") if p.strip()]
    if any(norm(p) == norm(folder) for p in parts):
        return None
    return ";".join([*parts, folder])


def add_to_user_path(folder: Path) -> bool:  # pragma: no cover - Windows only
    """Append ``folder`` to HKCU\\Environment\\Path, keeping the value's type
    (REG_EXPAND_SZ keeps %USERPROFILE%-style entries working), then tell
    running programs the environment changed."""
    import ctypes
    import winreg

    with winreg.OpenKey(winreg.HKEY_CURRENT_USER, "Environment", 0,
                        winreg.KEY_READ | winreg.KEY_WRITE) as key:
        try:
            current, kind = winreg.QueryValueEx(key, "Path")
        except FileNotFoundError:
            current, kind = "", winreg.REG_EXPAND_SZ
        new = path_with(str(folder), current if isinstance(current, str) else "")
        if new is None:
            return False
        winreg.SetValueEx(key, "Path", 0, kind if kind in (winreg.REG_SZ, winreg.REG_EXPAND_SZ)
                          else winreg.REG_EXPAND_SZ, new)
    HWND_BROADCAST, WM_SETTINGCHANGE, SMTO_ABORTIFHUNG = 0xFFFF, 0x001A, 0x0002
    result = ctypes.c_ulong()
    ctypes.windll.user32.SendMessageTimeoutW(  # type: ignore[attr-defined]
        HWND_BROADCAST, WM_SETTINGCHANGE, 0, "Environment", SMTO_ABORTIFHUNG, 5000,
        ctypes.byref(result))
    return True


def shortcut_script(launcher: Path, home: Path) -> str:
    """PowerShell that puts a "branchtool" shortcut in the Start menu and on the
    desktop (wherever Windows keeps them, OneDrive-redirected desktops too)."""
    def ps(value: object) -> str:
        return "'" + str(value).replace("'", "''") + "'"

    return "\n".join([
        "$ErrorActionPreference = 'Stop'",
        "$shell = New-Object -ComObject WScript.Shell",
        "foreach ($folder in @([Environment]::GetFolderPath('Programs'), "
        "[Environment]::GetFolderPath('Desktop'))) {",
        "  if (-not $folder) { continue }",
        "  $link = $shell.CreateShortcut((Join-Path $folder 'branchtool.lnk'))",
        f"  $link.TargetPath = {ps(launcher)}",
        f"  $link.WorkingDirectory = {ps(home)}",
        "  $link.Description = 'branchtool'",
        "  $link.IconLocation = \"$env:SystemRoot\\System32\\imageres.dll,1\"",
        "  $link.Save()",
        "}",
    ])


def windows_launcher(home: Path, *, shortcuts: bool = True) -> list[str]:  # pragma: no cover
    said: list[str] = []
    bin_dir = install_dir(home) / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    launcher = bin_dir / "branchtool.cmd"
    launcher.write_bytes(windows_launcher_text().encode("ascii"))
    said.append(say("launcher", path=launcher))
    try:
        if add_to_user_path(bin_dir):
            said.append(say("win_path", folder=bin_dir))
    except OSError as exc:
        print(exc)
    if shortcuts:
        script = shortcut_script(launcher, home)
        encoded = base64.b64encode(script.encode("utf-16-le")).decode("ascii")
        done = subprocess.run(["powershell.exe", "-NoProfile", "-NonInteractive",
                               "-ExecutionPolicy", "Bypass", "-EncodedCommand", encoded],
                              capture_output=True, text=True, errors="replace", check=False)
        if done.returncode == 0:
            said.append(say("win_shortcuts"))
        else:
            said.append(say("win_shortcuts_failed", detail=(done.stderr or "").strip()[-200:],
                            path=launcher))
    return said


# -- all of it -----------------------------------------------------------------------------------
def install(kit: Path, home: Path, *, allow_store_python: bool = False,
            shortcuts: bool = True) -> Path:
    windows = sys.platform == "win32"
    problem = python_problem()
    if problem is not None and not (allow_store_python and problem.key == "python_store"):
        raise problem
    sums = verify_kit(kit)
    say("checked", count=len(sums))
    version = kit_version(kit)
    venv = install_dir(home) / "venv"
    make_venv(venv, kit, windows)
    pip_install(venv, kit, version, windows)
    smoke_test(venv, windows)
    if windows:  # pragma: no cover - Windows only
        windows_launcher(home, shortcuts=shortcuts)
    else:
        posix_launcher(home, venv)
    say("done", version=version, path=install_dir(home))
    say("next")
    return venv


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    parser = argparse.ArgumentParser(description="Install branchtool from this offline kit.")
    parser.add_argument("--home", type=Path, default=Path.home(),
                        help="install under this folder instead of the user's home")
    parser.add_argument("--no-shortcuts", action="store_true",
                        help="Windows: no Start-menu or desktop shortcut")
    parser.add_argument("--allow-store-python", action="store_true",
                        help="install with the Microsoft Store Python all the same")
    parser.add_argument("--check-only", action="store_true",
                        help="only check the kit's files against SHA256SUMS")
    args = parser.parse_args(argv)
    kit = Path(__file__).resolve().parent
    try:
        if args.check_only:
            say("checked", count=len(verify_kit(kit)))
            return 0
        install(kit, args.home, allow_store_python=args.allow_store_python,
                shortcuts=not args.no_shortcuts)
    except InstallError as exc:
        print(exc, file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

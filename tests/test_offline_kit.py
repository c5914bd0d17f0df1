"""Issue 20: the offline kit (scripts/make-offline-kit) and its installer.

The marked tests build a kit for this machine's platform and Python only (the
full kit is 15 targets and ~130 MiB; the script run by hand makes it), then
install from it with the kit's own install.sh — ``pip install --no-index
--find-links`` into a fresh venv, with no network where this machine can
take it away (``unshare -n``) — and run the demo headless. The unmarked ones
check the pieces that decide what a kit holds and what the installer trusts:
the per-target closure with markers evaluated for the target, SHA256SUMS, the
Windows launcher and PATH entry.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from kitkit import fake_wheel, install_module, make_kit_module
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

ROOT = Path(__file__).resolve().parent.parent
POSIX_ONLY = pytest.mark.skipif(sys.platform == "win32",
                                reason="install.sh is the macOS/Linux installer")


# -- what a kit must hold, per target ---------------------------------------------------------
@pytest.fixture
def kit_module():  # type: ignore[no-untyped-def]
    return make_kit_module()


def _target(kit_module, name: str):  # type: ignore[no-untyped-def]
    return next(t for t in kit_module.TARGETS if t.name == name)


def test_the_closure_is_walked_with_each_targets_markers(kit_module, tmp_path: Path) -> None:
    """pip download evaluates markers for the machine it runs on; the kit's
    check walks the requirements as each target's pip would."""
    fake_wheel(tmp_path, "app-1.0-py3-none-any.whl", requires=(
        "core>=2", "winonly; sys_platform == 'win32'", "extraed[fast]",
        "legacy; python_version < '3.12'", "newer"))
    fake_wheel(tmp_path, "core-2.0-cp311-abi3-win_amd64.whl")
    fake_wheel(tmp_path, "core-2.0-cp311-abi3-manylinux2014_x86_64.whl")
    fake_wheel(tmp_path, "core-1.0-py3-none-any.whl")  # too old for core>=2
    fake_wheel(tmp_path, "extraed-1.0-py3-none-any.whl", requires=("speedup; extra == 'fast'",))
    fake_wheel(tmp_path, "legacy-1.0-py3-none-any.whl")
    fake_wheel(tmp_path, "newer-2.0-py3-none-any.whl", requires_python=">=3.12")
    fake_wheel(tmp_path, "newer-1.0-py3-none-any.whl", requires=("gone",))
    wheels = [kit_module.Wheel.of(p) for p in sorted(tmp_path.glob("*.whl"))]

    def missing(target: str, python: str) -> list[str]:
        t = _target(kit_module, target)
        return sorted(r.name for r in kit_module.missing_for(
            wheels, "app==1.0", t.tags(python), t.environment(python)))

    # speedup: only through the [fast] extra; gone: newer 1.0 is what 3.11 gets
    assert missing("linux-x86_64", "3.11") == ["gone", "speedup"]
    assert missing("linux-x86_64", "3.12") == ["speedup"]  # abi3 core fits, legacy not needed
    assert missing("windows-x86_64", "3.13") == ["speedup", "winonly"]
    assert missing("macos-arm64", "3.12") == ["core", "speedup"]  # no macOS core wheel
    fake_wheel(tmp_path, "speedup-1.0-py3-none-any.whl")
    fake_wheel(tmp_path, "winonly-1.0-py3-none-any.whl")
    fake_wheel(tmp_path, "gone-1.0-py3-none-any.whl")
    wheels = [kit_module.Wheel.of(p) for p in sorted(tmp_path.glob("*.whl"))]
    assert missing("windows-x86_64", "3.11") == []
    assert missing("linux-x86_64", "3.11") == []
    assert missing("macos-arm64", "3.12") == ["core"]


def test_the_targets_are_the_issues(kit_module) -> None:
    names = {t.name for t in kit_module.TARGETS}
    assert names == {"windows-x86_64", "macos-arm64", "macos-x86_64", "linux-x86_64",
                     "linux-aarch64"}
    assert kit_module.PYTHONS == ("3.11", "3.12", "3.13")
    mac = _target(kit_module, "macos-x86_64").tags("3.12")
    # pip widens a macOS platform to older releases and universal2 builds
    assert any(t.platform == "macosx_10_9_universal2" and t.abi == "abi3" for t in mac)


def test_the_kit_refuses_a_folder_in_use_and_a_missing_key(kit_module, tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(kit_module.KitError, match="not an empty folder"):
        kit_module.make_kit(tmp_path / "full", wheel=tmp_path / "x.whl")
    with pytest.raises(kit_module.KitError, match="is not a file"):
        kit_module.make_kit(tmp_path / "new", minisign_key=tmp_path / "no-such.key")
    assert not (tmp_path / "new").exists()


@pytest.mark.interop
def test_sha256sums_signed_with_minisign_verify_with_both_tools(
        kit_module, tmp_path: Path, minisign_bin: str) -> None:
    kit = tmp_path / "kit"
    (kit / "wheels").mkdir(parents=True)
    (kit / "wheels" / "a-1.0-py3-none-any.whl").write_bytes(b"wheel bytes")
    (kit / "安装说明.txt").write_text("说明\n", encoding="utf-8")
    names = kit_module.write_sums(kit)
    assert names == ["wheels/a-1.0-py3-none-any.whl", "安装说明.txt"]
    subprocess.run([minisign_bin, "-G", "-W", "-p", str(tmp_path / "kit.pub"),
                    "-s", str(tmp_path / "kit.key")], check=True, capture_output=True)
    kit_module.sign(kit, tmp_path / "kit.key", "9.9.9")
    assert not list(kit.rglob("*.key"))  # the secret key never goes into the kit
    done = subprocess.run([minisign_bin, "-Vm", str(kit / "SHA256SUMS"),
                           "-p", str(tmp_path / "kit.pub")], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert "branchtool offline kit 9.9.9" in done.stdout
    from storage import minisign

    public = (tmp_path / "kit.pub").read_text(encoding="utf-8")
    signature = (kit / "SHA256SUMS.minisig").read_text(encoding="utf-8")
    assert "9.9.9" in minisign.verify((kit / "SHA256SUMS").read_bytes(), signature, public)
    if shutil.which("sha256sum"):
        check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=kit, capture_output=True,
                               check=False)
        assert check.returncode == 0
    (kit / "SHA256SUMS").write_text((kit / "SHA256SUMS").read_text(encoding="utf-8")
                                    .replace("wheels/a", "wheels/b"), encoding="utf-8")
    with pytest.raises(minisign.MinisignError):
        minisign.verify((kit / "SHA256SUMS").read_bytes(), signature, public)


# -- the installer's own checks ----------------------------------------------------------------
@pytest.fixture
def inst():  # type: ignore[no-untyped-def]
    return install_module()


def test_the_installer_names_each_python_it_cannot_use(inst) -> None:
    ok = {"executable": r"C:\Users\a\AppData\Local\Programs\Python\Python312\python.exe",
          "machine": "AMD64", "bits": 64, "windows": True}
    assert inst.python_problem((3, 12), **ok) is None
    assert inst.python_problem((3, 10), **ok).key == "python_old"
    assert inst.python_problem((3, 14), **ok).key == "python_old"
    assert inst.python_problem((3, 12), **{**ok, "bits": 32}).key == "python_32bit"
    assert inst.python_problem((3, 12), **{**ok, "machine": "ARM64"}).key == "python_arch"
    store = (r"C:\Users\a\AppData\Local\Microsoft\WindowsApps"
             r"\PythonSoftwareFoundation.Python.3.12_qbz5n2kfra8p0\python.exe")
    assert inst.python_problem((3, 12), **{**ok, "executable": store}).key == "python_store"
    assert inst.python_problem((3, 13), executable="/usr/bin/python3", machine="aarch64",
                               bits=64, windows=False) is None


def _small_kit(tmp_path: Path) -> Path:
    kit = tmp_path / "kit"
    (kit / "wheels").mkdir(parents=True)
    (kit / "wheels" / "branchtool-1.2.3-py3-none-any.whl").write_bytes(b"bt")
    (kit / "wheels" / "pip-26.0-py3-none-any.whl").write_bytes(b"pip")
    (kit / "INSTALL.txt").write_text("read me\n", encoding="utf-8")
    make_kit_module().write_sums(kit)
    return kit


def test_the_installer_checks_every_file_and_every_wheel(inst, tmp_path: Path) -> None:
    kit = _small_kit(tmp_path)
    assert len(inst.verify_kit(kit)) == 3
    assert inst.kit_version(kit) == "1.2.3"
    # what a stick picks up by itself does not stop it
    (kit / "wheels" / "._branchtool-1.2.3-py3-none-any.whl").write_bytes(b"apple double")
    (kit / "wheels" / "Thumbs.db").write_bytes(b"")
    (kit / "desktop.ini").write_bytes(b"")
    assert len(inst.verify_kit(kit)) == 3
    # a wheel nobody listed would be taken by pip: refused
    (kit / "wheels" / "evil-1.0-py3-none-any.whl").write_bytes(b"evil")
    with pytest.raises(inst.InstallError) as caught:
        inst.verify_kit(kit)
    assert caught.value.key == "unlisted" and "evil-1.0" in str(caught.value)
    (kit / "wheels" / "evil-1.0-py3-none-any.whl").unlink()
    (kit / "wheels" / "pip-26.0-py3-none-any.whl").write_bytes(b"pip!")
    with pytest.raises(inst.InstallError) as caught:
        inst.verify_kit(kit)
    assert caught.value.key == "damaged" and "pip-26.0" in str(caught.value)
    (kit / "INSTALL.txt").unlink()
    (kit / "wheels" / "pip-26.0-py3-none-any.whl").write_bytes(b"pip")
    with pytest.raises(inst.InstallError) as caught:
        inst.verify_kit(kit)
    assert caught.value.key == "missing"


@pytest.mark.parametrize("line", [
    "0" * 64 + "  ../../etc/passwd",
    "0" * 64 + "  /etc/passwd",
    "0" * 64 + "  wheels\\..\\x.whl",
    "not a checksum line",
    "0" * 63 + "  short.txt",
])
def test_sha256sums_naming_anything_outside_the_kit_is_refused(inst, tmp_path: Path,
                                                               line: str) -> None:
    (tmp_path / "SHA256SUMS").write_text(line + "\n", encoding="utf-8")
    with pytest.raises(inst.InstallError) as caught:
        inst.read_sums(tmp_path)
    assert caught.value.key == "bad_sums_line"


def test_no_sha256sums_no_install(inst, tmp_path: Path) -> None:
    with pytest.raises(inst.InstallError) as caught:
        inst.verify_kit(tmp_path)
    assert caught.value.key == "no_sums"


def test_the_pip_environment_drops_this_machines_pip_settings(inst, monkeypatch) -> None:
    monkeypatch.setenv("PIP_FIND_LINKS", "/somewhere")
    monkeypatch.setenv("PIP_INDEX_URL", "https://example.invalid/simple")
    monkeypatch.setenv("PYTHONPATH", "/checkout")
    env = inst.pip_env()
    assert not [k for k in env if k.startswith("PIP_") and k != "PIP_CONFIG_FILE"]
    assert env["PIP_CONFIG_FILE"] == os.devnull and "PYTHONPATH" not in env


def test_the_windows_launcher_is_ascii_crlf_and_prefers_windows_terminal(inst) -> None:
    text = inst.windows_launcher_text()
    data = text.encode("ascii")  # cmd reads .cmd files in the console's code page
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert "WT_SESSION" in text and "wt.exe" in text
    assert r"%~dp0..\venv\Scripts\branchtool.exe" in text  # no user name written into it


def test_the_users_path_gets_the_folder_once(inst) -> None:
    folder = r"C:\Users\张三\.branchtool\bin"
    assert inst.path_with(folder, "") == folder
    assert inst.path_with(folder, r"%USERPROFILE%\bin;C:\Tools") == \
        r"%USERPROFILE%\bin;C:\Tools;" + folder  # %VARIABLES% are kept as they are
    assert inst.path_with(folder, r"C:\Tools;c:\users\张三\.branchtool\BIN\;") is None
    assert inst.path_with(folder, r"C:\Tools;;") == r"C:\Tools;" + folder


def test_the_shortcut_script_quotes_any_user_folder(inst) -> None:
    home = Path("C:/Users/O'Brien 张")
    script = inst.shortcut_script(home / ".branchtool" / "bin" / "branchtool.cmd", home)
    assert "'C:/Users/O''Brien 张/.branchtool/bin/branchtool.cmd'" in script
    assert "GetFolderPath('Programs')" in script and "GetFolderPath('Desktop')" in script


def test_the_menu_entry_quotes_the_command(inst) -> None:
    entry = inst.desktop_entry(Path('/home/a "b"/.branchtool/venv/bin/branchtool'))
    assert 'Exec="/home/a \\"b\\"/.branchtool/venv/bin/branchtool"' in entry
    assert "Terminal=true" in entry


@POSIX_ONLY
def test_the_posix_launcher_links_and_says_how_to_reach_it(inst, tmp_path: Path) -> None:
    venv = tmp_path / ".branchtool" / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "branchtool").write_text("#!/bin/sh\n", encoding="utf-8")
    said = inst.posix_launcher(tmp_path, venv, path_env="/usr/bin", macos=False)
    link = tmp_path / ".local" / "bin" / "branchtool"
    assert link.resolve() == (venv / "bin" / "branchtool").resolve()
    assert any('export PATH="$HOME/.local/bin:$PATH"' in s for s in said)
    assert (tmp_path / ".local" / "share" / "applications" / "branchtool.desktop").is_file()
    # again, with the folder on PATH: the link is replaced, no hint
    said = inst.posix_launcher(tmp_path, venv, path_env=str(link.parent), macos=False)
    assert not any("export PATH" in s for s in said)
    # someone else's file there is left alone
    link.unlink()
    link.write_text("mine\n", encoding="utf-8")
    inst.posix_launcher(tmp_path, venv, path_env=str(link.parent), macos=False)
    assert link.read_text(encoding="utf-8") == "mine\n"
    mac = tmp_path / "mac"
    (mac / "Desktop").mkdir(parents=True)
    inst.posix_launcher(mac, venv, path_env="", macos=True)
    command = mac / "Desktop" / "branchtool.command"
    assert os.access(command, os.X_OK) and str(venv / "bin" / "branchtool") in command.read_text(
        encoding="utf-8")


# -- a real kit for this machine, installed with no network ---------------------------------------
@pytest.fixture(scope="session")
def kit(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("kit") / "branchtool-kit"
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "make-offline-kit"), str(dest),
                           "--wheel", str(wheel), "--current-platform-only"],
                          capture_output=True, text=True, check=False, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    return dest


def _no_network_prefix() -> list[str]:
    """``unshare -n`` when this machine lets us drop the network, else nothing."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True,
                                  check=False).returncode == 0:
        return [unshare, "-n"]
    return []


def _user_env(home: Path, tmp_path: Path) -> dict[str, str]:
    """A user whose home is ``home``, with a hostile pip setup the installer
    must ignore: a constraint no kit satisfies and an index that is not there."""
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("textual==0.1.0\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "BRANCHTOOL_HOME", "XDG_DATA_HOME")}
    env.update(HOME=str(home), PIP_CONSTRAINT=str(constraints),
               PIP_INDEX_URL="http://127.0.0.1:9/simple", PIP_FIND_LINKS=str(tmp_path),
               LANG="zh_CN.UTF-8")
    return env


@pytest.mark.packaging
def test_the_kit_holds_every_file_in_the_form_each_system_reads(kit: Path) -> None:
    files = sorted(p.relative_to(kit).as_posix() for p in kit.rglob("*") if p.is_file())
    listed = sorted(line.split("  ", 1)[1] for line in
                    (kit / "SHA256SUMS").read_text(encoding="utf-8").splitlines())
    assert listed == [f for f in files if f != "SHA256SUMS"]
    assert {"install.bat", "install.ps1", "install.sh", "install.py", "INSTALL.txt",
            "安装说明.txt"} <= set(files)
    wheels = [f for f in files if f.startswith("wheels/")]
    for name in ("branchtool-", "textual-8.2.8", "cryptography-", "orjson-", "pip-",
                 "python_calamine-", "olefile-"):
        assert any(f.startswith("wheels/" + name) for f in wheels), name
    # every dependency pyproject.toml declares, whoever adds one later
    names = {canonicalize_name(parse_wheel_filename(Path(f).name)[0]) for f in wheels}
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = {canonicalize_name(Requirement(r).name)
              for r in declared["project"]["dependencies"]}
    assert wanted - names == set()
    if shutil.which("sha256sum"):
        assert subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=kit,
                              check=False).returncode == 0
    bat = (kit / "install.bat").read_bytes()
    assert bat.isascii() and b"\r\n" in bat and b"\n" not in bat.replace(b"\r\n", b"")
    for name in ("install.ps1", "INSTALL.txt", "安装说明.txt"):
        data = (kit / name).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf"), name  # PowerShell 5.1 and old Notepad
        assert b"\n" not in data.replace(b"\r\n", b""), name
        assert b"@VERSION@" not in data and b"@TARGETS@" not in data
    for name in ("install.sh", "install.py"):
        assert b"\r" not in (kit / name).read_bytes()
    assert os.access(kit / "install.sh", os.X_OK)
    guide = (kit / "安装说明.txt").read_text(encoding="utf-8-sig")
    assert "python.org" in guide and "应用商店" in guide and "minisign -Vm SHA256SUMS" in guide


@pytest.mark.packaging
@POSIX_ONLY
def test_the_kit_installs_with_no_network_and_runs_the_demo(kit: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = _user_env(home, tmp_path)
    offline = _no_network_prefix()
    done = subprocess.run([*offline, "sh", str(kit / "install.sh")], env=env, cwd=tmp_path,
                          capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "安装包完好" in done.stdout and "完成" in done.stdout
    launcher = home / ".local" / "bin" / "branchtool"
    venv = home / ".branchtool" / "venv"
    assert launcher.resolve() == (venv / "bin" / "branchtool").resolve()
    helped = subprocess.run([*offline, str(launcher), "--help"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, check=False)
    assert helped.returncode == 0 and "党支部工作台" in helped.stdout
    demo = subprocess.run([*offline, str(launcher), "demo", "--no-open"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, check=False, timeout=300)
    assert demo.returncode == 0, demo.stderr
    vault = home / ".local" / "share" / "branchtool" / "demo"
    assert (vault / "vault.json").is_file()
    where = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "import branchtool, textual; print(branchtool.__file__, "
                            "textual.__version__)"], env=env, cwd=tmp_path,
                           capture_output=True, text=True, check=True)
    path, version = where.stdout.split()
    assert Path(path).is_relative_to(venv) and version == "8.2.8"
    # installing again (an upgrade) makes a new program folder; the data stays
    again = subprocess.run([*offline, "sh", str(kit / "install.sh")], env=env, cwd=tmp_path,
                           capture_output=True, text=True, check=False, timeout=600)
    assert again.returncode == 0, again.stderr
    reopened = subprocess.run([str(launcher), "demo", "--no-open"], env=env, cwd=tmp_path,
                              capture_output=True, text=True, check=False, timeout=300)
    assert reopened.returncode == 0 and "演示保险库" in reopened.stdout


@pytest.mark.packaging
@POSIX_ONLY
def test_a_damaged_or_padded_kit_installs_nothing(kit: Path, tmp_path: Path) -> None:
    copy = tmp_path / "kit"
    shutil.copytree(kit, copy)
    home = tmp_path / "home"
    home.mkdir()
    env = _user_env(home, tmp_path)
    [textual] = (copy / "wheels").glob("textual-*.whl")
    data = bytearray(textual.read_bytes())
    data[len(data) // 2] ^= 0x01
    textual.write_bytes(bytes(data))
    done = subprocess.run(["sh", str(copy / "install.sh")], env=env, capture_output=True,
                          text=True, check=False, timeout=120)
    assert done.returncode == 1
    assert f"wheels/{textual.name}" in done.stderr and "重新复制" in done.stderr
    assert not (home / ".branchtool").exists()
    shutil.copy2(kit / "wheels" / textual.name, textual)
    shutil.copy2(textual, copy / "wheels" / "textual-99.0-py3-none-any.whl")
    done = subprocess.run(["sh", str(copy / "install.sh")], env=env, capture_output=True,
                          text=True, check=False, timeout=120)
    assert done.returncode == 1 and "textual-99.0" in done.stderr
    assert not (home / ".branchtool").exists()

"""What the computer branchtool runs on may get wrong for it, said plainly.

- Microsoft Store Python (WINDOWS.md item 3): it redirects writes under
  ``AppData\\Local`` into its own package folder, so the vault is not where
  the path says, copying "the vault folder" copies nothing and resetting the
  Store app may delete it. Recognised by ``WindowsApps`` in the interpreter's
  path; the vault path is shown through ``os.path.realpath``.
- OneDrive (item 10): a vault in a synced folder forks its journal across
  laptops and may be a cloud-only placeholder when offline; a plaintext
  export there is uploaded. Recognised by the ``OneDrive*`` variables Windows
  sets to the synced folders.
- The old console window, conhost (item 1): with a Chinese font it draws box
  and block characters two columns wide. Windows Terminal sets ``WT_SESSION``;
  other modern terminals set ``TERM_PROGRAM``.

Every check takes the environment, platform and interpreter path as
arguments (defaulting to this process's), so the Windows answers are tested
on any machine.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import PureWindowsPath

from branchtool import i18n

ONEDRIVE_VARIABLES = ("OneDrive", "OneDriveCommercial", "OneDriveConsumer")


def _env(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


def _platform(platform: str | None) -> str:
    return sys.platform if platform is None else platform


def is_store_python(executable: str | None = None, platform: str | None = None) -> bool:
    executable = sys.executable if executable is None else executable
    return _platform(platform) == "win32" and "\\windowsapps\\" in executable.lower()


def is_legacy_console(env: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """Probably the old console window: Windows, and no sign of Windows
    Terminal or of another terminal that names itself."""
    env = _env(env)
    return (_platform(platform) == "win32" and not env.get("WT_SESSION")
            and not env.get("TERM_PROGRAM"))


def _same_or_inside(path: str, folder: str, windows: bool) -> bool:
    if windows:  # case-insensitive, either slash
        p, f = PureWindowsPath(path), PureWindowsPath(folder)
        parts, base = [s.casefold() for s in p.parts], [s.casefold() for s in f.parts]
    else:
        parts, base = list(os.path.normpath(path).split(os.sep)), \
            list(os.path.normpath(folder).split(os.sep))
    return len(base) > 0 and parts[:len(base)] == base


def onedrive_folder(path: str | os.PathLike[str], env: Mapping[str, str] | None = None,
                    platform: str | None = None) -> str | None:
    """The OneDrive folder ``path`` is in (or is), or None."""
    env = _env(env)
    windows = _platform(platform) == "win32"
    absolute = os.fspath(path) if not windows else str(PureWindowsPath(os.fspath(path)))
    if not windows:
        absolute = os.path.abspath(absolute)
    for name in ONEDRIVE_VARIABLES:
        folder = env.get(name, "").strip().strip('"')
        if folder and _same_or_inside(absolute, folder, windows):
            return folder
    return None


def shown_path(path: str | os.PathLike[str], platform: str | None = None) -> str:
    """A vault path as Explorer would find it: on Windows the final path
    (``realpath``: Store Python's redirection, junctions), elsewhere as given."""
    if _platform(platform) == "win32":
        return os.path.realpath(path)
    return os.fspath(path)


def startup_warnings(vault: str | os.PathLike[str], *, env: Mapping[str, str] | None = None,
                     platform: str | None = None, executable: str | None = None) -> list[str]:
    """The warnings to show once when the app starts, in the user's language."""
    warnings: list[str] = []
    if is_store_python(executable, platform):
        warnings.append(i18n.t("platform.store_python", path=shown_path(vault, platform)))
    folder = onedrive_folder(vault, env, platform)
    if folder:
        warnings.append(i18n.t("platform.vault_in_onedrive", path=os.fspath(vault),
                               folder=folder))
    if is_legacy_console(env, platform):
        warnings.append(i18n.t("platform.legacy_console"))
    return warnings


def plaintext_export_warning(path: str | os.PathLike[str], *,
                             env: Mapping[str, str] | None = None,
                             platform: str | None = None) -> str | None:
    """The sentence to show before a readable (unencrypted) file is written
    into a synced folder, or None."""
    folder = onedrive_folder(path, env, platform)
    return i18n.t("platform.export_in_onedrive", folder=folder) if folder else None


def warn_if_synced(path: str | os.PathLike[str]) -> None:
    """The command line's form of ``plaintext_export_warning``: a line on
    stderr after the file is written (a script has no one to ask first)."""
    warning = plaintext_export_warning(path)
    if warning:
        print(i18n.t("platform.warning_prefix", message=warning), file=sys.stderr)

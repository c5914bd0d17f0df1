"""Chinese input on Windows: keep the punctuation an input method types with
Shift (WINDOWS.md item 2).

Textual 8.2.8's Windows driver reads console key events and drops every one
whose virtual-key code is 0 while a modifier is held, taking them for a bare
Shift or Ctrl. Microsoft Pinyin delivers ``？！：（）《》“”`` exactly that way
(VK 0, Shift held, the character in ``UnicodeChar``), so they never reached
the app (Textualize/textual#6667; the fix, PR #6689, is in no release yet).

Narrowly: the driver looks ``ReadConsoleInputW`` up on its module's
``KERNEL32`` each time its input thread starts. ``keep_ime_characters`` puts
a stand-in there that calls the real function and then, for key-down events
with VK 0 that *carry a character*, clears the modifier state (the only thing
the driver's filter and nothing else reads), so the driver keeps them. Bare
modifier events (no character) are left alone and still dropped. Everything
else the module does with ``KERNEL32`` goes to the real one.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

KEY_EVENT = 0x0001


class _Kernel32:
    """``KERNEL32`` with ``ReadConsoleInputW`` wrapped; the rest passes through."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def ReadConsoleInputW(self, handle: Any, records: Any, length: Any,
                          count: Any) -> Any:
        result = self._real.ReadConsoleInputW(handle, records, length, count)
        keep_characters(_target(records), _target(count).value)
        return result


def _target(argument: Any) -> Any:
    """The object behind a ``ctypes.byref``, or the object itself."""
    return getattr(argument, "_obj", argument)


def keep_characters(records: Any, count: int) -> int:
    """Clear the modifier state of the first ``count`` key-down records that
    have VK 0 and a character; returns how many were changed."""
    changed = 0
    for index in range(count):
        record = records[index]
        if record.EventType != KEY_EVENT:
            continue
        key = record.Event.KeyEvent
        if (key.bKeyDown and key.wVirtualKeyCode == 0 and key.dwControlKeyState
                and key.uChar.UnicodeChar not in ("", "\x00")):
            key.dwControlKeyState = 0
            changed += 1
    return changed


def keep_ime_characters(win32: ModuleType | None = None) -> bool:
    """Install the stand-in on ``textual.drivers.win32`` (or the module given);
    False where there is no such driver (not Windows). Safe to call twice."""
    if win32 is None:
        if sys.platform != "win32":
            return False
        from textual.drivers import win32 as module  # pragma: no cover - Windows only

        win32 = module  # pragma: no cover
    if not isinstance(win32.KERNEL32, _Kernel32):
        win32.KERNEL32 = _Kernel32(win32.KERNEL32)
    return True

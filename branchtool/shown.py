"""Text that came from a file or a person, made safe to show.

A name in a key file, a bundle's file name, a survey cell or a branch's name
in a bundle is data, never instructions to the terminal: an ESC sequence in
it could redraw the screen (hide a fingerprint, fake a line), a newline could
add a line that looks like the program's own, a right-to-left override could
reverse what follows. So wherever such text is shown — the CLI and the app —
its control characters are spelled out (``\\x1b``, ``\\n``, ``\\u202e``).
The app also turns Textual markup off for such text (``screens.plain``).
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and the invisible characters that reorder or break
# lines: bidirectional embeddings/overrides/isolates and marks, the line and
# paragraph separators.
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
                    "\u2066-\u2069]")
UNSAFE_KEEP_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028"
                               "\u2029\u202a-\u202e\u2066-\u2069]")


def _spell(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text: object, *, lines: bool = False) -> str:
    """``text`` with every control character spelled out; ``lines``: keep
    line breaks and tabs (a note shown over several lines)."""
    value = str(text)
    return (UNSAFE_KEEP_LINES if lines else UNSAFE).sub(_spell, value)


def spelled_for_output(text: str) -> str:
    """What the CLI writes: line feeds and tabs kept, every other control
    character as ``\\uXXXX`` (valid inside a JSON string too)."""
    return UNSAFE_KEEP_LINES.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def has_unsafe(text: str) -> bool:
    """Whether ``text`` holds a character ``shown`` would spell out."""
    return bool(UNSAFE.search(text))

"""What an import made of one file: the office's of a bundle
(``office.importer.FileResult``) and a branch's of an inbox file
(``inbox.receive.InboxResult``) both start with these."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class FileVerdict:
    file: Path
    verdict: str
    reason: str | None = None  # a refusal's reason (a catalog key's last part)
    params: dict[str, Any] = field(default_factory=dict)  # the reason's message values

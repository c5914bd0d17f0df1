"""Fixtures for inbox files: an office with two enrolled demo branches, and
the office's notice and task sent to them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from branchtool.inbox.outbox import OfficeOutbox
from branchtool.office.service import OfficeService
from branchtool.session import Session
from tests.officekit import TODAY, Clock, enrol, make_branch, make_office

NOTICE_TEXT = "各支部要迅速将通知精神传达到全体党员，并采取适当形式进行督导检查。"


@dataclass
class Loop:
    root: Path
    clock: Clock
    office: OfficeService
    a: Session
    b: Session
    stick: Path

    @property
    def outbox(self) -> OfficeOutbox:
        return self.office.outbox


def build(root: Path, *, people: int = 12) -> Loop:
    clock = Clock()
    office = make_office(root / "office", clock)
    a = make_branch(root / "a", "CS01", "计算机系教工支部", office, people=people, seed=1)
    b = make_branch(root / "b", "MA02", "数学系学生支部", office, people=people, seed=2)
    enrol(office, a)
    enrol(office, b)
    stick = root / "stick"
    stick.mkdir()
    return Loop(root, clock, office, a, b, stick)


def compose(loop: Loop) -> tuple[dict, dict]:
    notice = loop.outbox.add_notice(
        title="关于做好疫情防控工作的通知", text=NOTICE_TEXT, number="院党组〔2020〕3号",
        due=TODAY.replace(day=25), ack=True)
    task = loop.outbox.add_task(title="报送先进典型事迹", due=TODAY.replace(day=27),
                                report="每个支部报送一至两名党员的事迹材料")
    return notice, task


def close(loop: Loop) -> None:
    for session in (loop.a, loop.b):
        session.lock()
    loop.office.vault.close()

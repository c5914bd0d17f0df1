"""What the export screens show and do, without the screens: the content to
choose from, the preview in words (counts per section, the content left out,
the fields withheld, the reports), the outbox as
rows, the branch's key file written out, the period typed as two dates.

Headless, so the CLI and the tests use the same words as the app.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from branchtool import i18n
from branchtool.bundles.export import Preview, describe_period
from branchtool.bundles.kinds import groups, kinds
from branchtool.errors import UserError
from branchtool.keyfiles import KeyFile
from branchtool.period import Period

if TYPE_CHECKING:
    from branchtool.session import Session

KB, MB = 1024, 1024 * 1024


@dataclass(frozen=True)
class SectionLine:
    """One kind of record in a bundle: how many, what is left out of them."""

    name: str
    label: str
    count: int
    sent: int  # records carried (0 at the counts level)
    withheld: tuple[str, ...]  # field labels


@dataclass(frozen=True)
class PreviewView:
    sequence: int
    office: str
    period: str
    redaction: str
    sections: list[SectionLine]
    reports: list[tuple[str, int]]  # (label, how many)
    history_entries: int
    left_out: list[str] = field(default_factory=list)  # content groups not sent
    deeds_to_report: int = 0


@dataclass(frozen=True)
class OutboxRow:
    sequence: int
    time: str
    file: str
    size: str
    sha256: str
    period: str
    redaction: str
    received: str


def redaction_label(redaction: str) -> str:
    return i18n.t(f"export_ui.redaction.{redaction}")


def field_label(record: Any, key: str) -> str:
    if record is not None and key in record.by_key:
        return record.field(key).label
    return i18n.t(f"export_ui.field.{key}")


def content_choices() -> list[tuple[str, str]]:
    """(name, label) of every content group, as the export screen lists them."""
    return [(group.name, i18n.t(group.label_key)) for group in groups()]


def describe(preview: Preview) -> PreviewView:
    by_name = {kind.name: kind for kind in kinds()}
    sections = []
    for name, count in preview.counts.items():
        kind = by_name[name]
        withheld = preview.withheld.get(name, ())
        sections.append(SectionLine(
            name, i18n.t(kind.label_key), count,
            0 if preview.redaction == "counts" else count,
            tuple(field_label(kind.record, key) for key in withheld)))
    from branchtool.bundles import providers

    labels = dict(providers.report_names())
    per_kind = Counter(name.split("/")[0] for name in preview.reports)
    reports = [(i18n.t(labels[kind]), n) for kind, n in per_kind.items()]
    left_out = [i18n.t(group.label_key) for group in preview.content.left_out()] \
        if preview.content is not None else []
    return PreviewView(preview.sequence, preview.office_name, describe_period(preview.period),
                       preview.redaction, sections, reports, preview.history_entries,
                       left_out, preview.deeds_to_report)


def human_size(size: int) -> str:
    if size >= MB:
        return i18n.t("export_ui.size.mb", n=f"{size / MB:.1f}")
    if size >= KB:
        return i18n.t("export_ui.size.kb", n=f"{size / KB:.1f}")
    return i18n.t("export_ui.size.bytes", n=size)


def _local_time(stamp: str) -> str:
    return i18n.format_stamp(stamp) if stamp else ""


def outbox_rows(session: Session) -> list[OutboxRow]:
    """Every bundle sent, the latest first."""
    rows = []
    for sent in reversed(session.bundles.outbox()):
        period = Period(dt.date.fromisoformat(sent["period"]["from"]),
                        dt.date.fromisoformat(sent["period"]["to"]))
        received = sent.get("received")
        rows.append(OutboxRow(
            sent["sequence"], _local_time(sent.get("created", "")), sent["file"],
            human_size(sent["size"]), sent["sha256"], describe_period(period),
            redaction_label(sent["redaction"]),
            _local_time(received.get("time") or "") or i18n.t("export_ui.outbox.yes")
            if received else i18n.t("export_ui.outbox.no")))
    return rows


def parse_day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UserError("export_ui.bad_date") from None


def parse_period(start: str, end: str) -> Period:
    period = Period(parse_day(start), parse_day(end))
    if period.start > period.end:
        raise UserError("export.bad_period")
    return period


def write_branch_key(session: Session, path: Path) -> KeyFile:
    """The branch's public key file, for enrolment at the office (atomic)."""
    from storage.fsio import DEFAULT_IO

    key = session.bundles.branch_key()
    path = Path(path)
    if not path.parent.is_dir():
        raise UserError("export.no_folder", path=str(path.parent))
    try:
        DEFAULT_IO.write_atomic(path, key.to_bytes())
    except OSError:
        raise UserError("cli.keys.write_failed", path=str(path)) from None
    return key


def default_key_name(session: Session) -> str:
    return f"{session.info().get('branch_code', 'branch')}.pub"

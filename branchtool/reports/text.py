"""Numbers, dates and periods as a report writes them, the Chinese way in
zh-CN (2026年11月20日（星期五）, 一、二、三、 for sections, 98.5%, 1,200.00 元)."""

from __future__ import annotations

import datetime as dt

from branchtool import i18n, money
from branchtool.reports.document import Amount, Cell, Share


def chinese_numeral(n: int) -> str:
    """1..99 as Chinese numerals: 一, 十, 十二, 二十, 二十三 (the digits and
    "ten" come from the catalog, ``report.numeral.*``)."""
    if not 0 < n < 100:
        return str(n)
    digits, ten = i18n.t("report.numeral.digits"), i18n.t("report.numeral.ten")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return digits[ones]
    head = "" if tens == 1 else digits[tens]
    return head + ten + (digits[ones] if ones else "")


def ordinal(n: int) -> str:
    """A section's number: 一 in zh-CN, 1 in English."""
    return chinese_numeral(n) if i18n.language() == "zh-CN" else str(n)


def section_title(n: int, title: str) -> str:
    return i18n.t("report.section_title", n=ordinal(n), title=title)


def number(n: int) -> str:
    return f"{n:,}"


def share(value: Share) -> str:
    return i18n.t("report.percent", value=f"{value.ratio * 100:.1f}")


def amount(value: Amount) -> str:
    return money.display(value.value)


def cell(value: Cell) -> str:
    """A table cell as text."""
    if isinstance(value, bool):  # pragma: no cover - never put in a table
        raise TypeError("bool cell")
    if isinstance(value, int):
        return number(value)
    if isinstance(value, Amount):
        return amount(value)
    if isinstance(value, Share):
        return share(value)
    return value


def day(value: dt.date) -> str:
    return i18n.format_date(value)


def day_with_weekday(value: dt.date) -> str:
    return i18n.t("report.day_weekday", day=day(value),
                  weekday=i18n.t(f"report.weekday.{value.isoweekday()}"))


def short_day(value: dt.date) -> str:
    """A day in a table of days: 11月20日 / 11-20."""
    return i18n.t("report.short_day", month=value.month, day=value.day,
                  mm=f"{value.month:02d}", dd=f"{value.day:02d}")


def period(start: dt.date, end: dt.date) -> str:
    """From ``start`` to ``end``; zh-CN leaves out what the end repeats
    (2026年11月14日至20日, 2026年11月28日至12月4日)."""
    if start == end:
        return day(start)
    params = {"year": end.year, "month": end.month, "day": end.day, "full": day(end)}
    if start.year != end.year:
        tail = day(end)
    elif start.month != end.month:
        tail = i18n.t("report.period.tail_month", **params)
    else:
        tail = i18n.t("report.period.tail_day", **params)
    return i18n.t("report.period", start=day(start), end=tail)


def join(items: list[str]) -> str:
    return i18n.t("list.separator").join(items)

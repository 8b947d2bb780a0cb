"""Dates and times the way the office writes them (issue 12): 2026年12月7日, 2026年12月7日 12:30, and periods
such as 2026年12月7日至9日 — no "T", no leading zeros, one style on every screen, form and export.

Every other date formatter in the project (core.lifecycle.format_day, core.forms_context.cn_date…,
services.drawing_view.office_date…, services.assessments.cn_date_text) delegates here. Pure: no Streamlit,
no store.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

# a date or a date-time as the store and the forms hold them: 2026-12-07, 2026-12-07T12:30[:00[.ffffff]][+08:00]
ISO_TEXT = re.compile(r"^\s*\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?)?\s*$")


def _parse(value: Any) -> date | datetime | None:
    """A date, a datetime (kept as such) or None when `value` is neither nor ISO text for one."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return value
    if isinstance(value, str) and ISO_TEXT.match(value):
        raw = value.strip()
        try:
            if len(raw) == 10:
                return date.fromisoformat(raw)
            return datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def as_day(value: Any) -> date | None:
    """The day of a date, a datetime or ISO text; None for anything else."""
    parsed = _parse(value)
    if isinstance(parsed, datetime):
        return parsed.date()
    return parsed


def _fallback(value: Any) -> str:
    """What is shown for a value that is not a date: nothing for None/"" , else the text as it is."""
    if value is None:
        return ""
    return str(value).strip()


def office_date(value: Any) -> str:
    """2026年12月7日 for a date, a datetime (its day) or ISO text; "" for None; other text as it is."""
    day = as_day(value)
    if day is None:
        return _fallback(value)
    return f"{day.year}年{day.month}月{day.day}日"


def office_datetime(value: Any, *, seconds: bool = False) -> str:
    """2026年12月7日 12:30 for a datetime or ISO date-time text (seconds only when asked for); a bare date as
    office_date; "" for None; other text as it is."""
    parsed = _parse(value)
    if parsed is None:
        return _fallback(value)
    if not isinstance(parsed, datetime):
        return office_date(parsed)
    clock = f"{parsed:%H:%M:%S}" if seconds else f"{parsed:%H:%M}"
    return f"{office_date(parsed)} {clock}"


def office_period(start: Any, end: Any) -> str:
    """2026年12月7日至9日 / 2026年12月7日至2027年1月2日 / 2026年11月30日至12月2日; one day (or no end):
    2026年12月7日."""
    first, last = office_date(start), office_date(end)
    if not end or first == last:
        return first
    a, b = as_day(start), as_day(end)
    if a is None or b is None:
        return f"{first}至{last}"
    if a.year == b.year and a.month == b.month:
        return f"{first}至{b.day}日"
    if a.year == b.year:
        return f"{first}至{b.month}月{b.day}日"
    return f"{first}至{last}"


_ISO_PERIOD = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*(?:至|~|－|-{1,2})\s*(\d{4}-\d{2}-\d{2})\s*$")


def office_text(value: Any) -> Any:
    """Any cell value for a table on screen: dates and date-times in the office style, a period written
    "2026-12-07 至 2026-12-09" as 2026年12月7日至9日, the rest unchanged."""
    if isinstance(value, (date, datetime)) or (isinstance(value, str) and ISO_TEXT.match(value)):
        return office_datetime(value)
    if isinstance(value, str) and (period := _ISO_PERIOD.match(value)):
        if as_day(period[1]) and as_day(period[2]):
            return office_period(period[1], period[2])
    return value


_ISO_IN_TEXT = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?)?(?!\d)")


def office_dates_in(text: Any) -> Any:
    """Every ISO date (or date-time) inside a text written the office's way: "新增：2026-06-05 起" →
    "新增：2026年6月5日 起". Non-text values and text without a real date are returned as they are."""
    if not isinstance(text, str):
        return text

    def one(m: re.Match) -> str:
        day = as_day(m[1])
        if day is None:
            return m[0]
        return office_date(day) + (f" {m[2]}" if m[2] else "")

    return _ISO_IN_TEXT.sub(one, text)

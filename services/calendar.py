"""工作日历 — 国家法定节假日与调休安排（JC 第十七条“3个工作日内”，JC-V1）。

核心（core/workdays.py、core/evaluation.py）只接受一个 `is_workday(day) -> bool`；这里把维护中的 `chinesecalendar`
库（国务院办公厅每年公布的放假和调休安排，如 2025 年国庆中秋 10-01 至 10-08 放假、09-28 周日和 10-11 周六上班）
适配成这个函数。库尚未收录的年份（它抛 NotImplementedError，例如新一年的安排公布之前）退回周一至周五，
`fallback_notice` 给页面一句提醒（“2027年节假日安排尚未收录，按周一至周五计算”）；升级库即可收录新年份。
"""
from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Iterable

import chinese_calendar

from core.workdays import monday_to_friday

__all__ = ["is_workday", "is_year_known", "known_years", "fallback_years", "fallback_notice", "holiday_name",
           "library_version"]

# English names the library gives each holiday → the names in the State Council's notice.
_HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def _day(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


@lru_cache(maxsize=None)
def is_year_known(year: int) -> bool:
    """库是否收录了该年的放假和调休安排。"""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
        return True
    except NotImplementedError:
        return False


def known_years() -> tuple[int, int]:
    """库收录的第一年和最后一年，如 (2004, 2026)。"""
    years = [d.year for d in chinese_calendar.holidays]
    return min(years), max(years)


def is_workday(day: date) -> bool:
    """该日是否上班：法定节假日放假、调休的周末上班；库未收录的年份按周一至周五。"""
    day = _day(day)
    if not is_year_known(day.year):
        return monday_to_friday(day)
    return bool(chinese_calendar.is_workday(day))


def holiday_name(day: date) -> str | None:
    """放假或调休上班所属的节日（“国庆节”“春节”…）；普通日子或未收录年份为 None。"""
    day = _day(day)
    if not is_year_known(day.year):
        return None
    _off, name = chinese_calendar.get_holiday_detail(day)
    return _HOLIDAY_NAMES.get(name, name) if name else None


def fallback_years(days: Iterable[date]) -> tuple[int, ...]:
    """这些日期所在年份中库未收录的年份（按周一至周五计算的年份），从小到大。"""
    return tuple(sorted({_day(d).year for d in days if d is not None and not is_year_known(_day(d).year)}))


def fallback_notice(*days: date) -> str | None:
    """计算用到的日期（如任务结束日和期限）落在未收录年份时给页面的提醒；都已收录时为 None。

    例：fallback_notice(date(2026, 12, 30), date(2027, 1, 4)) → “2027年节假日安排尚未收录，按周一至周五计算”。
    """
    years = fallback_years(days)
    if not years:
        return None
    return f"{'、'.join(f'{y}年' for y in years)}节假日安排尚未收录，按周一至周五计算"


def library_version() -> str:
    """所用 chinesecalendar 的版本（页面可显示“节假日数据：chinesecalendar 1.11.0，收录至2026年”）。"""
    return str(getattr(chinese_calendar, "__version__", "unknown"))

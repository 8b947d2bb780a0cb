"""国家法定节假日与调休（services/calendar.py 适配 chinesecalendar 库）与评价期限 — JC-V1, X-V1.

用真实的库数据：2025 年国庆中秋（10-01 至 10-08 放假，09-28 周日、10-11 周六上班）、2026 年春节（02-15 至 02-23
放假，02-14 周六、02-28 周六上班）、普通周末，以及库尚未收录的年份退回周一至周五并给出提醒。
"""
from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from core.evaluation import evaluation_deadline, overdue
from core.workdays import add_working_days, deadline
from services import calendar
from tests.factories import real_policies

POLICIES = real_policies()
JC = POLICIES["jincheng-2026"]
YQ = POLICIES["yangquan-2024"]
FIRST_KNOWN, LAST_KNOWN = calendar.known_years()
UNKNOWN_YEAR = LAST_KNOWN + 1


def test_the_library_knows_the_years_the_policies_are_used_in():
    assert FIRST_KNOWN <= 2024 and LAST_KNOWN >= 2026
    assert calendar.is_year_known(2025) and not calendar.is_year_known(UNKNOWN_YEAR)
    assert calendar.library_version() == chinese_calendar.__version__


@pytest.mark.parametrize("day,worked", [
    ("2025-09-27", False),  # ordinary Saturday
    ("2025-09-28", True),   # Sunday worked in lieu (调休上班)
    ("2025-09-30", True),
    ("2025-10-01", False), ("2025-10-06", False), ("2025-10-08", False),
    ("2025-10-09", True), ("2025-10-10", True),
    ("2025-10-11", True),   # Saturday worked in lieu
    ("2025-10-12", False),
])
def test_national_day_2025_follows_the_official_arrangement(day, worked):
    assert calendar.is_workday(date.fromisoformat(day)) is worked


def test_jc_v1_deadline_across_national_day_counts_the_make_up_saturday():
    """Ends Tue 2025-09-30 → 10-09 (1), 10-10 (2), Sat 10-11 (3, 调休上班)."""
    assert deadline(date(2025, 9, 30), JC, calendar.is_workday) == date(2025, 10, 11)
    assert calendar.holiday_name(date(2025, 10, 11)) == "国庆节"
    assert calendar.fallback_notice(date(2025, 9, 30), date(2025, 10, 11)) is None


def test_jc_v1_a_task_ending_on_the_make_up_sunday_before_national_day():
    """Ends Sun 2025-09-28 (worked) → 09-29 (1), 09-30 (2), then the holiday, 10-09 (3)."""
    assert deadline(date(2025, 9, 28), JC, calendar.is_workday) == date(2025, 10, 9)


def test_jc_v1_deadline_across_spring_festival_2026():
    """Ends Fri 2026-02-13 → Sat 02-14 worked (1), 02-15..02-23 off, 02-24 (2), 02-25 (3)."""
    assert calendar.is_workday(date(2026, 2, 14)) and not calendar.is_workday(date(2026, 2, 23))
    assert deadline(date(2026, 2, 13), JC, calendar.is_workday) == date(2026, 2, 25)
    assert add_working_days(date(2026, 2, 24), 3, calendar.is_workday) == date(2026, 2, 27)
    assert calendar.is_workday(date(2026, 2, 28))  # Saturday worked in lieu
    assert calendar.holiday_name(date(2026, 2, 16)) == "春节"


def test_jc_v1_deadline_over_an_ordinary_weekend():
    assert deadline(date(2026, 6, 5), JC, calendar.is_workday) == date(2026, 6, 10)  # Fri → Mon, Tue, Wed
    assert calendar.holiday_name(date(2026, 6, 6)) is None


def test_yq_v1_two_calendar_days_ignore_the_holiday():
    assert deadline(date(2025, 9, 30), YQ, calendar.is_workday) == date(2025, 10, 2)


def test_a_year_the_library_does_not_know_falls_back_to_monday_to_friday():
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(UNKNOWN_YEAR, 1, 4))
    week = [date(UNKNOWN_YEAR, 3, 1) + timedelta(days=i) for i in range(7)]
    assert [calendar.is_workday(d) for d in week] == [d.weekday() < 5 for d in week]
    assert calendar.is_workday(date(UNKNOWN_YEAR, 1, 1)) is (date(UNKNOWN_YEAR, 1, 1).weekday() < 5)  # 元旦 unknown
    assert calendar.holiday_name(date(UNKNOWN_YEAR, 1, 1)) is None


def test_the_fallback_is_reported_so_a_page_can_warn():
    end = date(LAST_KNOWN, 12, 30)
    due = evaluation_deadline(end, JC, calendar.is_workday)
    assert due.year == UNKNOWN_YEAR
    assert calendar.fallback_years([end, due]) == (UNKNOWN_YEAR,)
    assert calendar.fallback_notice(end, due) == f"{UNKNOWN_YEAR}年节假日安排尚未收录，按周一至周五计算"
    assert calendar.fallback_notice(date(2026, 6, 5)) is None


def test_x_v1_overdue_uses_the_official_calendar():
    tasks = [{"request_id": 1, "end": "2025-09-30", "evaluated": False}]
    assert overdue(tasks, date(2025, 10, 11), JC, calendar.is_workday) == []  # the Saturday is still in time
    rows = overdue(tasks, date(2025, 10, 13), JC, calendar.is_workday)
    assert [(r["deadline"], r["days_overdue"]) for r in rows] == [("2025-10-11", 2)]

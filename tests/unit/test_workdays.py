"""工作日与评价期限（core/workdays.py）— JC-V1（第十七条 3个工作日）、YQ-V1（第二十三条(一)1(1) 2日）。

核心不认识节假日：测试传入一个小日历（周一至周五，外加几天放假、几天调休上班），看期限怎样数。
真实的国家节假日安排见 tests/integration/test_calendar.py。
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.errors import DomainError
from core.workdays import (
    MAX_NON_WORKING_RUN,
    add_working_days,
    deadline,
    deadline_rule_text,
    monday_to_friday,
)
from tests.factories import real_policies

POLICIES = real_policies()
JC = POLICIES["jincheng-2026"]
YQ = POLICIES["yangquan-2024"]


def calendar(off: tuple[str, ...] = (), on: tuple[str, ...] = ()):
    """Monday–Friday, minus the `off` days, plus the make-up `on` days (ISO strings)."""
    off_days = {date.fromisoformat(d) for d in off}
    on_days = {date.fromisoformat(d) for d in on}

    def is_workday(day: date) -> bool:
        if day in on_days:
            return True
        return day.weekday() < 5 and day not in off_days
    return is_workday


# A made-up holiday shaped like 2025's National Day: 10-01..10-08 off, Sunday 09-28 and Saturday 10-11 worked.
NATIONAL_DAY = calendar(off=tuple(f"2025-10-0{d}" for d in range(1, 9)), on=("2025-09-28", "2025-10-11"))


def test_monday_to_friday_is_the_fallback_week():
    week = [date(2026, 6, 1) + timedelta(days=i) for i in range(7)]  # Monday..Sunday
    assert [monday_to_friday(d) for d in week] == [True] * 5 + [False] * 2


def test_zero_working_days_is_the_same_day():
    assert add_working_days(date(2026, 6, 6), 0, monday_to_friday) == date(2026, 6, 6)


def test_the_start_day_itself_is_not_counted():
    assert add_working_days(date(2026, 6, 1), 1, monday_to_friday) == date(2026, 6, 2)


def test_working_days_skip_a_weekend():
    # Thursday + 3 working days → Fri, Mon, Tue
    assert add_working_days(date(2026, 6, 4), 3, monday_to_friday) == date(2026, 6, 9)


def test_a_task_ending_on_saturday_counts_from_monday():
    assert add_working_days(date(2026, 6, 6), 1, monday_to_friday) == date(2026, 6, 8)


def test_working_days_skip_holidays_and_count_make_up_saturdays():
    assert add_working_days(date(2025, 9, 30), 1, NATIONAL_DAY) == date(2025, 10, 9)
    assert add_working_days(date(2025, 9, 30), 3, NATIONAL_DAY) == date(2025, 10, 11)  # Saturday, worked
    assert add_working_days(date(2025, 9, 26), 1, NATIONAL_DAY) == date(2025, 9, 28)  # Sunday, worked


@pytest.mark.parametrize("n", [-1, 1.5, True, "3"])
def test_a_negative_or_non_integer_count_is_refused(n):
    with pytest.raises(DomainError, match="工作日天数"):
        add_working_days(date(2026, 6, 1), n, monday_to_friday)


def test_a_calendar_without_working_days_stops_with_a_chinese_error():
    with pytest.raises(DomainError, match=f"连续{MAX_NON_WORKING_RUN}天没有工作日"):
        add_working_days(date(2026, 6, 1), 1, lambda d: False)


def test_jc_v1_deadline_is_the_third_working_day_after_the_end():
    assert deadline(date(2025, 9, 30), JC, NATIONAL_DAY) == date(2025, 10, 11)
    assert deadline(date(2026, 6, 5), JC, monday_to_friday) == date(2026, 6, 10)  # Friday → Wednesday


def test_yq_v1_deadline_is_two_calendar_days_even_across_a_holiday():
    assert deadline(date(2025, 9, 30), YQ, NATIONAL_DAY) == date(2025, 10, 2)
    assert deadline(date(2026, 6, 5), YQ, monday_to_friday) == date(2026, 6, 7)  # Friday → Sunday


def test_yq_calendar_deadline_never_asks_the_calendar():
    def boom(day):
        raise AssertionError("a calendar-day deadline must not need working days")
    assert deadline(date(2026, 6, 5), YQ, boom) == date(2026, 6, 7)


def test_deadline_rule_text_names_the_unit_and_the_source():
    assert deadline_rule_text(JC).startswith("任务结束后3个工作日内（")
    assert "第十七条" in deadline_rule_text(JC)
    assert deadline_rule_text(YQ).startswith("任务结束后2日内（")

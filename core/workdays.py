"""工作日与评价期限 — JC-V1（第十七条：服务工作结束后3个工作日内报送）、YQ-V1（第二十三条(一)1(1)：2日内交回）。

期限怎样数由策略档案 [evaluations] 的 deadline_days / deadline_unit 决定：working_days 按国家法定节假日和调休安排数
工作日（JC），calendar_days 数自然日（YQ）。哪一天是工作日不在这里判断 —— 核心保持纯净（只用标准库），由调用方传入
`is_workday(day) -> bool`（services/calendar.py 用维护中的 chinesecalendar 库；没有数据的年份退回周一至周五）。
期限从任务结束日的次日起算，结束日当天不计：2025-09-30（周二）结束，国庆中秋 10-01 至 10-08 放假，
第1个工作日是 10-09、第2个 10-10、第3个是 10-11（周六调休上班），所以期限是 2025-10-11。
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Callable

from core.errors import DomainError

__all__ = ["IsWorkday", "monday_to_friday", "add_working_days", "deadline", "deadline_rule_text",
           "MAX_NON_WORKING_RUN"]

IsWorkday = Callable[[date], bool]

# The longest run of days off in China's calendar is 9 (e.g. Spring Festival 2026: 02-15..02-23). A calendar that
# reports no working day for this long is broken; stop instead of looping for ever.
MAX_NON_WORKING_RUN = 60


def monday_to_friday(day: date) -> bool:
    """周一至周五为工作日 —— 没有法定节假日数据时的退回办法。"""
    return day.weekday() < 5


def add_working_days(day: date, n: int, is_workday: IsWorkday) -> date:
    """`day` 之后的第 n 个工作日（`day` 本身不计；n = 0 返回 `day`）。

    n 为负数时抛 DomainError；is_workday 连续 MAX_NON_WORKING_RUN 天都说不是工作日时也抛 DomainError（日历有误）。
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise DomainError(f"工作日天数应为不小于0的整数，当前为“{n}”")
    current, left, idle = day, n, 0
    while left:
        current += timedelta(days=1)
        if is_workday(current):
            left -= 1
            idle = 0
        else:
            idle += 1
            if idle >= MAX_NON_WORKING_RUN:
                raise DomainError(f"{day.isoformat()} 之后连续{MAX_NON_WORKING_RUN}天没有工作日，工作日历有误")
    return current


def deadline(end_day: date, policy: Any, is_workday: IsWorkday) -> date:
    """任务在 `end_day` 结束后，评价（JC 附件8 连同附件7；YQ 附表五）应交回的最后一天。

    working_days：结束日之后第 deadline_days 个工作日（JC 3）；calendar_days：结束日加 deadline_days 天（YQ 2）。
    """
    ev = policy.evaluations
    if ev.deadline_unit == "working_days":
        return add_working_days(end_day, int(ev.deadline_days), is_workday)
    return end_day + timedelta(days=int(ev.deadline_days))


def deadline_rule_text(policy: Any) -> str:
    """“任务结束后3个工作日内（第十四条(一)；第十七条；附件8）”，供页面说明期限的依据。"""
    ev = policy.evaluations
    unit = "个工作日" if ev.deadline_unit == "working_days" else "日"
    return f"任务结束后{ev.deadline_days}{unit}内（{ev.source}）"

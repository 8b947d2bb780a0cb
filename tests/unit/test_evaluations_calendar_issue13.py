"""Issue 13 “The official calendar” (JC-V1 第十七条“3个工作日内”): the evaluation deadline and its overdue list use the
years an admin entered (services.calendar.rules(ctx)), not only the library. THE DATES ARE FICTIONAL TEST DATA."""
from datetime import date

from services import calendar, evaluations
from tests.conftest import ADMIN
from tests.unit.test_evaluations_service import DEPT, at, dispatched, finish, pool


def test_jc_v1_deadline_uses_an_entered_2027_fictional_holiday_issue13(ctx, clock):
    """Ends Thu 2026-12-31. Monday–Friday: 01-01 (1), 01-04 (2), 01-05 (3) with the fallback warning; with a
    fictional holiday on Fri 2027-01-01 entered: 01-04, 01-05, 01-06, no warning."""
    if calendar.is_year_known(2027):  # pragma: no cover — a newer chinesecalendar: pick a later fictional year
        return
    pool(ctx, 3)
    rid = dispatched(ctx, clock, start="2026-12-29", end="2026-12-31")
    at(clock, 2027, 1, 4)
    finish(ctx, rid)
    pending = evaluations.pending_evaluations(ctx, DEPT)
    assert [(p["deadline"], p["calendar_note"]) for p in pending] == [
        ("2027-01-05", "2027年节假日安排尚未收录，按周一至周五计算")]
    calendar.save_year(ctx, ADMIN, 2027, holidays=[(date(2027, 1, 1), "测试假日（虚构）")], notice="测试通知（虚构）")
    pending = evaluations.pending_evaluations(ctx, DEPT)
    assert [(p["deadline"], p["calendar_note"]) for p in pending] == [("2027-01-06", "")]
    at(clock, 2027, 1, 6)
    assert evaluations.overdue_evaluations(ctx, DEPT) == []
    at(clock, 2027, 1, 7)
    assert [(r["deadline"], r["days_overdue"]) for r in evaluations.overdue_evaluations(ctx, DEPT)] == [
        ("2027-01-06", 1)]

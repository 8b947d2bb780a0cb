"""Issue 13 “The official calendar” (JC-V1 第十七条“3个工作日内”, X-L1 audit): an admin enters a year's holidays and
make-up working days from the State Council's notice for a year chinesecalendar does not know; the entry is
validated, audited, and used by every deadline; the library still wins for its years; a year neither knows falls
back to Monday–Friday with the warning; from 1 December the admin's home page is told next year is missing.

ALL DATES BELOW ARE FICTIONAL TEST DATA (“测试假日（虚构）”), not any real State Council arrangement: they only need
to be a weekday / a weekend in a year the library does not know (2027 and later with chinesecalendar 1.11.0)."""
from datetime import date, datetime

import pytest

from core.errors import PermissionDenied, ValidationError
from core.workdays import deadline
from services import calendar
from tests.conftest import ADMIN, LEADER, OFFICE
from tests.factories import real_policies

FAKE_HOLIDAY = "测试假日（虚构）"
FAKE_MAKEUP = "测试调休（虚构）"
FAKE_NOTICE = "测试通知（虚构，非国务院办公厅通知）"
JC = real_policies()["jincheng-2026"]  # 3 working days after the task (第十七条)


@pytest.fixture(autouse=True)
def library_stops_at_2026():
    """These tests need 2027 and 2028 unknown to the library (true of chinesecalendar 1.11.0)."""
    if calendar.is_year_known(2027) or calendar.is_year_known(2028):
        pytest.skip("chinesecalendar now covers 2027: pick later fictional years")  # pragma: no cover


def fake_2027(ctx, **changes):
    args = dict(holidays=[(date(2027, 1, 1), FAKE_HOLIDAY)], makeup_days=[(date(2027, 1, 9), FAKE_MAKEUP)],
                notice=FAKE_NOTICE, document_number="测试〔2026〕0号")
    args.update(changes)
    return calendar.save_year(ctx, ADMIN, 2027, **args)


def errors_of(call) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        call()
    return [msg for _, msg in caught.value.errors]


# --- validation ---------------------------------------------------------------------------------------------
def test_calendar_entry_refuses_a_date_given_twice_issue13_JC_V1(ctx):
    found = errors_of(lambda: fake_2027(ctx, holidays=[(date(2027, 1, 1), FAKE_HOLIDAY)],
                                        makeup_days=[(date(2027, 1, 1), FAKE_MAKEUP)]))
    assert any("2027-01-01 已在放假日期第1行中填写过" in m for m in found), found
    found = errors_of(lambda: fake_2027(ctx, holidays=[(date(2027, 1, 1), FAKE_HOLIDAY), ("2027-01-01", "又一次")]))
    assert any("同一日期只能填写一次" in m for m in found), found
    assert calendar.year_record(ctx, 2027) is None


def test_calendar_entry_refuses_a_makeup_day_on_a_weekday_issue13_JC_V1(ctx):
    found = errors_of(lambda: fake_2027(ctx, makeup_days=[(date(2027, 1, 4), FAKE_MAKEUP)]))  # a Monday
    assert found == ["调休上班日第1行：2027-01-04 是周一，本来就上班；调休上班日应为周六或周日"]


def test_calendar_entry_refuses_a_holiday_on_a_weekend_issue13_JC_V1(ctx):
    """The issue: “a holiday on a working day” — a weekend is a day off already; only the Monday–Friday days off
    of the notice are entered."""
    found = errors_of(lambda: fake_2027(ctx, holidays=[(date(2027, 1, 3), FAKE_HOLIDAY)]))  # a Sunday
    assert found == ["放假日期第1行：2027-01-03 是周日，本来就休息；只需录入放假的工作日（周一至周五）"]


def test_calendar_entry_refuses_a_date_outside_the_year_issue13_JC_V1(ctx):
    found = errors_of(lambda: fake_2027(ctx, holidays=[(date(2028, 1, 3), FAKE_HOLIDAY)]))
    assert "放假日期第1行：2028-01-03 不在2027年内" in found


def test_calendar_entry_needs_names_short_and_without_control_characters_issue13_JC_V1(ctx):
    found = errors_of(lambda: fake_2027(ctx, holidays=[(date(2027, 1, 1), "  ")],
                                        makeup_days=[(date(2027, 1, 9), "测试\u202e调休")], notice=""))
    assert found == ["请填写放假日期第1行的节日名称", "调休上班日第1行的节日名称含有不可见的控制字符或换行，请删除后重新输入",
                     "请填写通知标题"]
    found = errors_of(lambda: fake_2027(ctx, holidays=[(date(2027, 1, 1), "测" * (calendar.NAME_MAX + 1))]))
    assert found == [f"放假日期第1行的节日名称不能超过{calendar.NAME_MAX}字，当前{calendar.NAME_MAX + 1}字"]
    found = errors_of(lambda: fake_2027(ctx, holidays=[]))
    assert found[0].startswith("请至少填写一个放假日期")


def test_calendar_entry_lists_every_error_at_once_and_writes_nothing_issue13_JC_V1(ctx):
    found = errors_of(lambda: fake_2027(ctx, holidays=[(date(2027, 1, 2), ""), (None, FAKE_HOLIDAY)],
                                        makeup_days=[(date(2027, 1, 5), FAKE_MAKEUP)], notice=""))
    assert len(found) == 5, found
    assert ctx.store.audit.entries(collection=calendar.CALENDAR_YEARS) == []


def test_calendar_entry_refuses_a_year_the_library_knows_issue13_JC_V1(ctx):
    found = errors_of(lambda: calendar.save_year(ctx, ADMIN, 2026, holidays=[(date(2026, 3, 2), FAKE_HOLIDAY)],
                                                 notice=FAKE_NOTICE))
    assert found == ["2026年的安排已由程序随附的国务院节假日安排数据收录，以其为准，无需录入"]


# --- role, audit, corrections -----------------------------------------------------------------------------------
@pytest.mark.parametrize("who", [OFFICE, LEADER])
def test_calendar_entry_is_for_the_admin_only_issue13(ctx, who):
    with pytest.raises(PermissionDenied):
        calendar.save_year(ctx, who, 2027, holidays=[(date(2027, 1, 1), FAKE_HOLIDAY)], notice=FAKE_NOTICE)
    with pytest.raises(PermissionDenied):
        calendar.list_years(ctx, who)
    fake_2027(ctx)
    with pytest.raises(PermissionDenied):
        calendar.delete_year(ctx, who, 2027, "误录")
    assert calendar.year_record(ctx, 2027) is not None
    assert calendar.missing_next_year_notice(ctx, who) is None


def test_calendar_entry_correction_keeps_history_and_every_write_is_audited_issue13_X_L1(ctx, clock):
    clock.now = datetime(2026, 12, 3, 10)
    saved = fake_2027(ctx)
    assert saved["entered_on"] == "2026-12-03" and saved["entered_by"] == "admin"
    assert saved["holidays"] == [{"date": "2027-01-01", "name": FAKE_HOLIDAY}]
    with pytest.raises(ValidationError, match="请填写更正原因"):
        fake_2027(ctx, holidays=[(date(2027, 1, 1), FAKE_HOLIDAY), (date(2027, 1, 4), FAKE_HOLIDAY)])
    clock.now = datetime(2026, 12, 5, 10)
    corrected = fake_2027(ctx, holidays=[(date(2027, 1, 4), FAKE_HOLIDAY), (date(2027, 1, 1), FAKE_HOLIDAY)],
                          reason="按通知补录1月4日")
    assert [d["date"] for d in corrected["holidays"]] == ["2027-01-01", "2027-01-04"]
    assert corrected["history"] == [{"holidays": [{"date": "2027-01-01", "name": FAKE_HOLIDAY}],
                                     "makeup_days": [{"date": "2027-01-09", "name": FAKE_MAKEUP}],
                                     "notice": FAKE_NOTICE, "document_number": "测试〔2026〕0号",
                                     "entered_on": "2026-12-03", "entered_by": "admin",
                                     "replaced_on": "2026-12-05", "replaced_by": "admin", "reason": "按通知补录1月4日"}]
    assert fake_2027(ctx, holidays=[(date(2027, 1, 1), FAKE_HOLIDAY), (date(2027, 1, 4), FAKE_HOLIDAY)],
                     reason="再存一次") == corrected  # unchanged: nothing written
    calendar.delete_year(ctx, ADMIN, 2027, "误录年份")
    actions = [e["action"] for e in ctx.store.audit.entries(collection=calendar.CALENDAR_YEARS)]
    assert actions == ["录入2027年节假日安排", "更正2027年节假日安排：按通知补录1月4日", "删除2027年节假日安排：误录年份"]
    assert calendar.year_record(ctx, 2027) is None
    with pytest.raises(ValidationError, match="请填写删除原因"):
        calendar.delete_year(ctx, ADMIN, 2027, " ")


def test_calendar_years_listed_with_library_range_and_entered_notice_issue13(ctx):
    fake_2027(ctx)
    rows = calendar.list_years(ctx, ADMIN)
    assert rows[0]["source"] == "国务院节假日安排数据（随程序提供）"
    assert rows[0]["years"].endswith("—2026年")
    wanted = {"year": 2027, "source": "录入", "notice": FAKE_NOTICE, "holidays": 1, "makeup_days": 1, "corrections": 0}
    assert {k: rows[1][k] for k in wanted} == wanted


# --- the rules every deadline uses ------------------------------------------------------------------------------
def test_entered_2027_moves_the_evaluation_deadline_across_a_fictional_holiday_issue13_JC_V1(ctx):
    """A task ends Thursday 2026-12-31. Monday–Friday: 01-01, 01-04, 01-05 → 2027-01-05. With a fictional
    holiday on Friday 2027-01-01 entered: 01-04, 01-05, 01-06 → 2027-01-06, and no fallback warning."""
    end = date(2026, 12, 31)
    before = calendar.rules(ctx)
    assert deadline(end, JC, before.is_workday) == date(2027, 1, 5)
    assert before.fallback_notice(end, date(2027, 1, 5)) == "2027年节假日安排尚未收录，按周一至周五计算"
    fake_2027(ctx)
    after = calendar.rules(ctx)
    assert after is not before  # rebuilt for the new version of the collection
    assert deadline(end, JC, after.is_workday) == date(2027, 1, 6)
    assert after.fallback_notice(end, date(2027, 1, 6)) is None
    assert after.holiday_name(date(2027, 1, 1)) == FAKE_HOLIDAY and after.is_workday(date(2027, 1, 1)) is False
    # the fictional make-up Saturday counts as a working day: a task ending Friday 01-08 → 01-09, 01-11, 01-12
    assert after.is_workday(date(2027, 1, 9)) is True and after.holiday_name(date(2027, 1, 9)) == FAKE_MAKEUP
    assert deadline(date(2027, 1, 8), JC, after.is_workday) == date(2027, 1, 12)
    assert calendar.rules(ctx) is after  # shared until the collection changes
    assert "另录入2027年" in after.source_text()
    assert (before.last_known_year(), after.last_known_year()) == (2026, 2027)  # 服务评价's “至…年”
    # the module-level functions are unchanged: library + Monday–Friday
    assert calendar.is_workday(date(2027, 1, 1)) is True


def test_library_data_wins_over_an_entry_for_a_year_it_knows_issue13_JC_V1(ctx):
    """A year entered before a library upgrade started covering it: the library's data is used. The record is
    written straight into the store (the service refuses known years)."""
    ctx.store.collection(calendar.CALENDAR_YEARS).insert(
        {"year": 2026, "holidays": [{"date": "2026-03-02", "name": FAKE_HOLIDAY}],
         "makeup_days": [{"date": "2026-10-03", "name": FAKE_MAKEUP}], "notice": FAKE_NOTICE},
        actor="test", action="测试数据", unique=())
    rules = calendar.rules(ctx)
    assert rules.source(2026) == "library"
    assert rules.is_workday(date(2026, 3, 2)) is calendar.is_workday(date(2026, 3, 2)) is True
    assert rules.is_workday(date(2026, 10, 3)) is False  # the library: 国庆节 holiday
    assert rules.holiday_name(date(2026, 10, 1)) == calendar.holiday_name(date(2026, 10, 1)) == "国庆节"
    assert calendar.list_years(ctx, ADMIN)[1]["source"] == "录入（库已收录，以库为准）"


def test_a_year_neither_knows_falls_back_to_monday_to_friday_with_the_warning_issue13_JC_V1(ctx):
    fake_2027(ctx)
    rules = calendar.rules(ctx)
    assert rules.source(2028) == "fallback"
    assert [rules.is_workday(date(2028, 1, d)) for d in (1, 2, 3)] == [False, False, True]  # Sat, Sun, Mon
    assert rules.holiday_name(date(2028, 1, 3)) is None
    assert rules.fallback_notice(date(2027, 12, 31), date(2028, 1, 5)) == "2028年节假日安排尚未收录，按周一至周五计算"


# --- the admin's home page ---------------------------------------------------------------------------------------
def test_home_notice_of_next_years_missing_arrangement_from_1_december_issue13(ctx, clock):
    clock.now = datetime(2026, 11, 30, 23, 59)
    assert calendar.missing_next_year_notice(ctx, ADMIN) is None
    clock.now = datetime(2026, 12, 1, 0, 0)
    notice = calendar.missing_next_year_notice(ctx, ADMIN)
    assert notice.startswith("2027年节假日安排尚未收录：国务院办公厅公布《关于2027年部分节假日安排的通知》后")
    assert "节假日安排”页录入" in notice
    assert calendar.missing_next_year_notice(ctx, OFFICE) is None
    fake_2027(ctx)
    assert calendar.missing_next_year_notice(ctx, ADMIN) is None
    clock.now = datetime(2028, 2, 1, 9)  # a year that started without its arrangement is named at once
    assert calendar.missing_next_year_notice(ctx, ADMIN).startswith("2028年节假日安排尚未收录")

"""AppTest, issue 13 “The official calendar” (JC-V1 第十七条 working days): the admin's 节假日安排 page lists the
library's years and the entered ones with their notice, enters or corrects a year (tables of date + name keyed by
the year), shows every validation error at once in Chinese, and is registered for the admin only.

ALL DATES ARE FICTIONAL TEST DATA (“测试假日（虚构）”), not a real State Council arrangement."""
from datetime import date

from core import vocab
from services import calendar
from services.context import build_context
from tests.app.conftest import click, logged_in, shown, texts
from tests.app.test_app_page_sweep import pages_for
from tests.conftest import ADMIN

PAGE = "pages/calendar.py"
FAKE_NOTICE = "测试通知（虚构）**粗体** [链接](http://example.com)"


def test_calendar_page_is_registered_for_the_admin_only_issue13():
    assert PAGE in pages_for(vocab.ROLE_ADMIN)
    for role in (vocab.ROLE_OFFICE, vocab.ROLE_DEPARTMENT, vocab.ROLE_LEADER):
        assert PAGE not in pages_for(role), role
    admin = pages_for(vocab.ROLE_ADMIN)
    assert admin.index("pages/settings.py") < admin.index(PAGE) < admin.index("pages/account.py")


def test_calendar_page_lists_library_and_entered_years_and_shows_the_entered_rows_issue13_JC_V1(app_ctx, data_dir):
    calendar.save_year(app_ctx, ADMIN, 2027, holidays=[(date(2027, 1, 1), "测试假日（虚构）")],
                       makeup_days=[(date(2027, 1, 9), "测试调休（虚构）")], notice=FAKE_NOTICE)
    at = logged_in(page=PAGE)
    assert not at.exception
    assert "节假日安排" in [t.value for t in at.title]
    table = at.dataframe[0].value
    assert list(table["年份"]) == ["2004—2026年", "2027年"]
    assert table["通知"][1] == FAKE_NOTICE  # user text in a table, never Markdown
    assert "另录入2027年" in texts(at)
    at.number_input(key="calendar_year").set_value(2027).run()
    holidays, makeup = (frame.value for frame in at.dataframe[1:3])  # the two st.data_editor tables of 2027
    assert [(str(d), n) for d, n in zip(holidays["日期"], holidays["节日名称"])] == [("2027-01-01", "测试假日（虚构）")]
    assert [(str(d), n) for d, n in zip(makeup["日期"], makeup["节日名称"])] == [("2027-01-09", "测试调休（虚构）")]
    assert at.text_input(key="calendar_notice_2027").value == FAKE_NOTICE
    assert "保存更正" in [b.label for b in at.button]


def test_calendar_page_shows_every_error_at_once_and_saves_nothing_issue13_JC_V1(app_ctx, data_dir):
    at = logged_in(page=PAGE)
    at.number_input(key="calendar_year").set_value(2027).run()
    click(at, "保存")  # empty tables, empty notice title
    assert not at.exception
    shown = texts(at)
    assert "有 2 处需要修改" in shown
    assert "请至少填写一个放假日期" in shown and "请填写通知标题" in shown
    assert calendar.year_record(build_context(data_dir), 2027) is None


def test_calendar_page_corrects_an_entered_year_with_a_reason_issue13_X_L1(app_ctx, data_dir):
    calendar.save_year(app_ctx, ADMIN, 2027, holidays=[(date(2027, 1, 1), "测试假日（虚构）")], notice="测试通知（虚构）")
    at = logged_in(page=PAGE)
    at.number_input(key="calendar_year").set_value(2027).run()
    at.text_input(key="calendar_notice_2027").input("测试通知（虚构，更正）")
    click(at, "保存更正")
    assert "请填写更正原因" in texts(at)
    at.text_input(key="calendar_reason_2027").input("标题抄错")
    click(at, "保存更正")
    assert not at.exception
    record = calendar.year_record(build_context(data_dir), 2027)
    assert record["notice"] == "测试通知（虚构，更正）"
    assert record["holidays"] == [{"date": "2027-01-01", "name": "测试假日（虚构）"}]  # the table came back as stored
    assert record["history"][0]["reason"] == "标题抄错"
    assert "更正记录（1 次）" in " ".join(e.label for e in at.expander)


def test_calendar_page_says_a_library_year_needs_no_entry_issue13(app_ctx):
    at = logged_in(page=PAGE)
    at.number_input(key="calendar_year").set_value(2026).run()
    assert not at.exception
    assert "2026年的安排已由程序随附的国务院节假日安排数据收录" in texts(at)
    assert "保存" not in [b.label for b in at.button]


def test_the_admins_home_page_says_when_the_arrangement_is_missing_issue13(app_ctx, data_dir, monkeypatch):
    """首页 shows services.calendar.missing_next_year_notice's line (its dates are the service's tests), literally."""
    from tests.factories import make_expert, seed_expert
    from tests.conftest import OFFICE
    from services import settings

    seed_expert(app_ctx, OFFICE, make_expert(settings.active_policy(app_ctx), state="在库"))
    line = "请录入2027年的节假日安排 **测试** [链接](http://127.0.0.1:9/x)"
    monkeypatch.setattr(calendar, "missing_next_year_notice",
                        lambda ctx, actor: line if actor.role == vocab.ROLE_ADMIN else None)
    at = logged_in()
    assert not at.exception
    assert line in [shown(w.value) for w in at.warning]
    office = logged_in(vocab.ROLE_OFFICE)
    assert line not in [shown(w.value) for w in office.warning]

"""Issue 13 “The official calendar” in Chromium: the admin's 节假日安排 page (系统 section) enters a year the
library does not know through the tables (date + name, keyed by the year), refuses a make-up day on a weekday with
a Chinese message and saves nothing, then saves the corrected entry; a later correction of a name typed into the
table is saved with its reason and audited (JC-V1 working days; X-L1). Screenshots: /tmp/issue13_calendar_*.png.

ALL DATES ARE FICTIONAL TEST DATA (“测试假日（虚构）”), not a real State Council arrangement."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from services import calendar
from services.context import build_context
from tests.e2e.conftest import setup_admin, wait_idle
from tests.e2e.test_e2e_issue11_sessions import wait_signed_in
from tests.e2e.test_e2e_issue12_daily import open_page

pytestmark = pytest.mark.e2e
ROW = 35  # the grid's header and row height, in pixels


def cell(page, grid, row: int, column: float) -> None:
    """Click the cell of `row` (0 = first; the row after the last one adds a row) at `column` (a fraction of the
    grid's width: 0.25 日期, 0.75 节日名称)."""
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + box["width"] * column, box["y"] + ROW * (row + 1) + ROW // 2)
    page.wait_for_timeout(400)


def type_date(page, grid, row: int, iso: str) -> None:
    cell(page, grid, row, 0.25)  # a new row opens the date editor at once; an existing one on Enter
    picker = page.get_by_test_id("date-picker-cell")
    if picker.count() == 0:
        page.keyboard.press("Escape")  # an editor left open by the last entry: close it, then open this cell's
        cell(page, grid, row, 0.25)
        page.keyboard.press("Enter")
    picker.fill(iso, timeout=10_000)
    page.keyboard.press("Enter")
    page.wait_for_timeout(400)


def type_name(page, grid, row: int, text: str) -> None:
    cell(page, grid, row, 0.75)
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    page.wait_for_timeout(400)


def test_e2e_calendar_page_enters_validates_and_corrects_a_year_issue13_jc_v1(server, page):
    url, data_dir = server
    setup_admin(page, url)
    wait_signed_in(page)
    open_page(page, "节假日安排")
    expect(page.get_by_test_id("stDataFrame").first).to_contain_text("2004—2026年")
    page.screenshot(path="/tmp/issue13_calendar_top.png")  # title, sources, (from 1 December) the missing-year line
    expect(page.get_by_role("spinbutton", name="年份")).to_have_value("2027")  # the first year the library lacks
    holidays, makeup = page.get_by_test_id("stDataFrame").nth(1), page.get_by_test_id("stDataFrame").nth(2)
    type_date(page, holidays, 0, "2027-01-01")
    type_name(page, holidays, 0, "测试假日（虚构）")
    type_date(page, makeup, 0, "2027-01-04")  # a Monday: refused
    type_name(page, makeup, 0, "测试调休（虚构）")
    page.get_by_role("textbox", name="通知标题").fill("测试通知（虚构）")
    page.get_by_role("button", name="保存", exact=True).click()
    wait_idle(page)
    expect(page.get_by_text("调休上班日第1行：2027-01-04 是周一，本来就上班；调休上班日应为周六或周日")).to_be_visible()
    page.screenshot(path="/tmp/issue13_calendar_refused.png", full_page=True)
    assert calendar.year_record(build_context(data_dir), 2027) is None
    type_date(page, makeup, 0, "2027-01-09")  # the table keeps what was typed: only the date is changed
    page.get_by_role("button", name="保存", exact=True).click()
    wait_idle(page)
    expect(page.get_by_text("已保存2027年节假日安排")).to_be_visible(timeout=15_000)
    saved = calendar.year_record(build_context(data_dir), 2027)
    assert (saved["holidays"], saved["makeup_days"], saved["notice"]) == (
        [{"date": "2027-01-01", "name": "测试假日（虚构）"}], [{"date": "2027-01-09", "name": "测试调休（虚构）"}],
        "测试通知（虚构）")
    # the year is listed with its notice; correct the holiday's name in the table, with a reason
    expect(page.get_by_test_id("stDataFrame").first).to_contain_text("测试通知（虚构）")
    year = page.get_by_role("spinbutton", name="年份")
    year.fill("2027")
    year.press("Enter")
    wait_idle(page)
    holidays = page.get_by_test_id("stDataFrame").nth(1)
    expect(holidays).to_contain_text("测试假日（虚构）")
    page.screenshot(path="/tmp/issue13_calendar_page.png", full_page=True)
    type_name(page, holidays, 0, "测试假日（虚构，更正）")
    page.get_by_role("textbox", name="更正原因").fill("名称抄错")
    page.get_by_role("button", name="保存更正").click()
    wait_idle(page)
    expect(page.get_by_text("已保存2027年节假日安排")).to_be_visible(timeout=15_000)
    page.screenshot(path="/tmp/issue13_calendar_saved.png", full_page=True)
    saved = calendar.year_record(build_context(data_dir), 2027)
    assert saved["holidays"] == [{"date": "2027-01-01", "name": "测试假日（虚构，更正）"}]
    assert saved["history"][0]["reason"] == "名称抄错"
    actions = [e["action"] for e in build_context(data_dir).store.audit.entries(collection="calendar_years")]
    assert actions == ["录入2027年节假日安排", "更正2027年节假日安排：名称抄错"]

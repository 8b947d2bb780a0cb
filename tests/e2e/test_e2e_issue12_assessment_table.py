"""Issue 12 “年度考核” in Chromium with the 晋城 demo pool: the whole list as one table. A cleared rating in one row
refuses the whole save, names the expert and the column above the table and in the row's 问题 cell, and keeps the
other edit typed in the same row; choosing the rating again saves the row as a correction (audited
“更正履职考核”) — JC-Y1. Screenshots: test-artifacts/issue12_assessment_table_*.png."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from services import assessments
from services.context import build_context
from tests.e2e.conftest import ARTIFACTS, wait_idle
from tests.e2e.test_e2e_issue11_sessions import login
from tests.e2e.test_e2e_issue12_daily import open_page, seed_demo

pytestmark = pytest.mark.e2e

FIRST_ITEM = 7  # columns right of 姓名 before the first item: 状态, 本年度服务情况, 本年度服务项目, 自评×3, then the item
NOTE = 8        # from the first item to 考核意见说明: 5 more items, 考核结论, 解聘情形, 考核意见说明


def go_to_cell(page, grid, row: int, right: int) -> None:
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 30, box["y"] + 35 + 17)  # 姓名 of the first row
    page.wait_for_timeout(500)
    for _ in range(row):
        page.keyboard.press("ArrowDown")
    for _ in range(right):
        page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)


def test_e2e_assessment_table_all_or_nothing_then_correction_issue12_jc_y1(server, page):
    url, data_dir = server
    seed_demo(data_dir)
    ctx = build_context(data_dir)
    rows = assessments.table_rows(ctx, assessments.default_year(ctx))
    row = next((i for i, r in enumerate(rows) if r[assessments.COL_STATUS] == "已考核"), None)
    assert row is not None, "the demo pool should have last year's assessment done"
    name, expert_id = rows[row][assessments.COL_NAME], rows[row][assessments.COL_ID]
    item = ctx.store.collection("assessments").search(lambda a: a["expert_id"] == expert_id)[0]
    login(page, url)
    open_page(page, "年度考核")
    grid = page.get_by_test_id("stDataFrame").first
    grid.scroll_into_view_if_needed()
    go_to_cell(page, grid, row, FIRST_ITEM)
    page.keyboard.press("Delete")  # clear the first item's rating
    page.wait_for_timeout(300)
    for _ in range(NOTE):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    page.keyboard.type("表格中补充的说明")
    page.keyboard.press("Enter")
    page.wait_for_timeout(500)
    page.get_by_role("button", name="保存表格", exact=True).click()
    wait_idle(page)
    expect(page.get_by_text("表格未保存：1行有问题，共1处")).to_be_visible(timeout=15_000)
    listed = page.get_by_test_id("stDataFrame").first  # the list above the table
    expect(listed).to_contain_text(name)
    ARTIFACTS.mkdir(exist_ok=True)
    page.get_by_text("表格未保存").first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "issue12_assessment_table_refused.png"))
    assert ctx.store.collection("assessments").get(item["id"]) == item  # nothing written
    # the clerk picks the rating again in the same row (the note typed before is still there) and saves
    grid = page.get_by_test_id("stDataFrame").nth(1)
    go_to_cell(page, grid, row, FIRST_ITEM + 1)  # the 问题 column now stands after 姓名
    page.keyboard.press("Enter")
    page.get_by_role("option", name="良", exact=True).click()
    page.wait_for_timeout(500)
    page.get_by_role("button", name="保存表格", exact=True).click()
    wait_idle(page)
    expect(page.get_by_text("已保存考核表格：更正1人")).to_be_visible(timeout=15_000)
    page.screenshot(path=str(ARTIFACTS / "issue12_assessment_table_saved.png"))
    saved = build_context(data_dir).store.collection("assessments").get(item["id"])
    first_item = next(iter(saved["item_ratings"]))
    assert (saved["note"], saved["item_ratings"][first_item]) == ("表格中补充的说明", "良")
    assert saved["corrected_from"]["conclusion"] == item["conclusion"]
    audit = build_context(data_dir).store.audit.entries(collection="assessments", record_id=item["id"])
    assert audit[-1]["action"] == "更正履职考核"

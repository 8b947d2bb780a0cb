"""Issue 12 (daily use — the busiest jobs) in Chromium, with the 晋城 demo pool and its year of tasks:

- 服务评价 → 表格下载: choosing a task (and building its form) keeps the 表格下载 tab open — the tab is not reset to
  服务评价 by the rerun the choice causes.
- 入库申报: one click on 提交申报 shows every problem at once — field errors, the registered ID number and the
  廉政承诺书 tick — each under its field and listed under the buttons; the registered name the message quotes
  (Markdown image syntax pointing at a listener) is shown literally and nothing is fetched.
- 首页 / 劳务报酬: the charts' names are drawn whole (no “…”).

Screenshots go to test-artifacts/issue12_*.png.
"""
from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from services import experts, users
from services.context import build_context
from tests.conftest import ADMIN
from tests.e2e.conftest import ARTIFACTS, wait_idle
from tests.e2e.test_e2e_hostile_text import listener  # noqa: F401 — the fixture
from tests.e2e.test_e2e_issue11_sessions import login
from tests.factories import make_expert, seed_expert, valid_id_number

pytestmark = pytest.mark.e2e

POLICY_ID = "jincheng-2026"
WORD_JOINER = "\u2060"  # md_escape puts one inside http:// (invisible on screen)


def seed_demo(data_dir) -> None:
    ctx = build_context(data_dir)
    users.create_first_admin(ctx, username="admin", display_name="管理员甲", password="abc12345",
                             confirm="abc12345", policy_id=POLICY_ID)
    experts.load_demo(ctx, ADMIN)


def open_page(page, name: str) -> None:
    wait_idle(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True).click()
    page.get_by_role("heading", name=name).first.wait_for()
    wait_idle(page)


def selected_tab(page) -> str:
    return page.locator('[role="tab"][aria-selected="true"]').inner_text().strip()


def pick_option(page, box, index: int) -> str:
    """Open the selectbox `box` and choose its option number `index`; returns the option's text."""
    for _ in range(4):
        box.click()
        option = page.get_by_role("option").nth(index)
        try:
            option.wait_for(timeout=5_000)
            text = option.inner_text().strip()
            option.click()
            return text
        except Exception:
            page.keyboard.press("Escape")
            page.wait_for_timeout(500)
    raise AssertionError("the list of tasks did not open")


def test_e2e_service_download_tab_keeps_place_issue12(server, page):
    url, data_dir = server
    seed_demo(data_dir)
    login(page, url)
    open_page(page, "服务评价")
    page.get_by_role("tab", name="表格下载").click()
    wait_idle(page)
    assert selected_tab(page) == "表格下载"
    box = page.locator(".st-key-service_forms_task")
    for index in (2, 1, 3):  # choose a task, another, a third: each choice reruns the page
        chosen = pick_option(page, box, index)
        wait_idle(page)
        assert selected_tab(page) == "表格下载", f"after choosing {chosen!r} the page showed {selected_tab(page)!r}"
        expect(box.get_by_role("combobox")).to_have_value(chosen)
        panel = page.locator('[role="tabpanel"]:visible')
        expect(panel.get_by_role("button", name="生成服务质量登记表（附件8）")).to_be_visible()
    page.get_by_role("button", name="生成服务质量登记表（附件8）").click()  # building the form reruns too
    wait_idle(page)
    assert selected_tab(page) == "表格下载"
    expect(page.get_by_role("button", name="下载服务质量登记表（附件8）")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "issue12_service_download_tab.png"))

    # an action in another tab: 登记完成 puts its success message above the tabs, and the office stays in 登记完成
    page.get_by_role("tab", name="登记完成").click()
    wait_idle(page)
    panel = page.locator('[role="tabpanel"]:visible')
    panel.locator("textarea").first.fill("现场核查，形成核查意见")
    panel.get_by_role("button", name="登记完成").click()
    expect(page.get_by_text("已登记任务完成")).to_be_visible(timeout=30_000)
    wait_idle(page)
    assert selected_tab(page) == "登记完成"


def test_e2e_intake_shows_every_error_at_once_literally_issue12(server, page, listener):  # noqa: F811
    url, data_dir = server
    port, hits = listener
    seed_demo(data_dir)
    ctx = build_context(data_dir)
    hostile = f"![x](http://127.0.0.1:{port}/x)"  # 30 characters with a 5-digit port: fits 姓名
    number = valid_id_number(date(1971, 5, 6), "女", seq=418)
    seed_expert(ctx, ADMIN, make_expert(ctx.policies[POLICY_ID], name=hostile, id_number=number, gender="女",
                                        birth_date="1971-05-06", state="在库", unit="测试单位"))
    login(page, url)
    open_page(page, "入库申报")
    page.get_by_role("textbox", name="姓名 *").fill("欧阳" + "长" * 29)  # 31 characters: 姓名 allows 30
    page.get_by_role("textbox", name="身份证号 *").fill(number)
    page.get_by_role("textbox", name="身份证号 *").press("Tab")
    wait_idle(page)
    page.get_by_role("button", name="提交申报").click()
    wait_idle(page)
    summary = page.get_by_test_id("stAlertContentError").filter(has_text="处需要修改")
    expect(summary).to_have_count(1)
    listed = summary.inner_text().replace(WORD_JOINER, "")
    for expected in ("姓名不能超过30字", "移动电话为必填项", "单位全称为必填项",
                     f"身份证号已在专家库中：{hostile}（在库）", "廉政承诺书：请确认申报人已签署廉政承诺书（附件3）"):
        assert expected in listed, listed
    # each also under its own field: the name's message right after the name input, the pledge's under the tick
    expect(page.get_by_test_id("stAlertContentError").filter(has_text="姓名不能超过30字")).to_have_count(2)
    expect(page.get_by_test_id("stAlertContentError").filter(
        has_text="请确认申报人已签署廉政承诺书（附件3）")).to_have_count(2)
    assert page.locator(f'img[src*="127.0.0.1:{port}"], a[href*="127.0.0.1:{port}"]').count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    summary.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "issue12_intake_errors.png"))
    page.get_by_role("textbox", name="姓名 *").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "issue12_intake_errors_top.png"))
    page.wait_for_timeout(500)
    assert hits == []


def test_e2e_charts_draw_full_names_issue12(server, page):
    """The budget chart of 劳务报酬 draws each department's whole name as an axis label (Vega-Lite's default cut
    at 180 px drew “市应急管理局危…”)."""
    url, data_dir = server
    seed_demo(data_dir)
    login(page, url)
    open_page(page, "劳务报酬")
    chart = page.get_by_test_id("stVegaLiteChart").first
    chart.scroll_into_view_if_needed()
    labels = chart.locator("svg text")  # Streamlit draws Vega-Lite charts as SVG: the labels are in the DOM
    labels.first.wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_timeout(1000)
    chart.screenshot(path=str(ARTIFACTS / "issue12_fees_chart.png"))
    drawn = [t.strip() for t in labels.all_text_contents()]
    assert "市应急管理局危险化学品安全监督管理科" in drawn, drawn
    assert not [t for t in drawn if "…" in t], drawn  # Vega writes its cut labels with “…”
    assert "60,000.00" in drawn, drawn  # the value axis in the one money format

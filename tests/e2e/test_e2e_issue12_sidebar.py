"""Issue 12 (daily use): the sidebar lists every page a role may use, grouped by job under Chinese headings, with no
English "View 10 more" / "View less" button (an admin has 20 pages, more than Streamlit shows collapsed); under
晋城 the admin is not shown 使用审批 (the 领导 signs there, so it would always be empty)."""
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import setup_admin, wait_idle
from tests.e2e.test_e2e_issue11_sessions import wait_signed_in

pytestmark = pytest.mark.e2e


def test_issue12_the_admin_sidebar_lists_every_page_in_chinese_with_no_view_more_button(server, page):
    """Also test_sidebar_groups_pages_by_job_issue12 in the browser: every group open, pages under their job."""
    url, _ = server
    setup_admin(page, url)
    wait_signed_in(page)
    wait_idle(page)
    nav = page.locator('[data-testid="stSidebarNav"]')
    text = nav.inner_text()
    for title in ("首页", "专家库", "抽取委派", "服务评价", "用户管理", "系统设置", "修改密码"):
        assert title in text
    assert "View" not in text and "more" not in text and "less" not in text
    headings = [h.inner_text().strip() for h in nav.get_by_test_id("stNavSectionHeader").all()]
    assert headings == ["概览", "入库与聘任", "使用与抽取", "评价与考核", "报酬与预算", "政策", "系统"]
    order = ["概览", "首页", "专家库", "入库与聘任", "入库申报", "解聘清退", "使用与抽取", "使用申请", "抽取委派",
             "评价与考核", "服务评价", "年度考核", "专家培训", "报酬与预算", "劳务报酬", "政策", "政策规则", "政策推演",
             "系统", "用户管理", "系统设置", "节假日安排", "修改密码"]
    assert [text.index(t) for t in order] == sorted(text.index(t) for t in order), text
    assert "使用审批" not in text  # 晋城: the 领导 signs requests, never the admin
    for title in order[1:3] + order[4:6] + order[7:9]:  # every page visible, no group folded away
        expect(nav.get_by_role("link", name=title, exact=True)).to_be_visible()
    page.screenshot(path="/tmp/issue12_sidebar_admin.png")

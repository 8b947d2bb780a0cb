"""Issue 12 (daily use, language): the sidebar lists every page a role may use, with no English "View 10 more" /
"View less" button (an admin has 20 pages, more than Streamlit shows collapsed)."""
import pytest

from tests.e2e.conftest import wait_idle
from tests.e2e.test_e2e_issue11_sessions import wait_signed_in

pytestmark = pytest.mark.e2e


def test_issue12_the_admin_sidebar_lists_every_page_in_chinese_with_no_view_more_button(server, page):
    url, _ = server
    page.goto(url)
    page.get_by_text("初始设置").first.wait_for()
    page.get_by_role("textbox", name="管理员用户名").fill("admin")
    page.get_by_role("textbox", name="管理员姓名").fill("管理员甲")
    page.get_by_role("textbox", name="密码（至少8位，含字母和数字）").fill("abc12345")
    page.get_by_role("textbox", name="再次输入密码").fill("abc12345")
    page.get_by_role("button", name="创建管理员并进入系统").click()
    wait_signed_in(page)
    wait_idle(page)
    nav = page.locator('[data-testid="stSidebarNav"]')
    text = nav.inner_text()
    for title in ("首页", "专家库", "抽取委派", "服务评价", "用户管理", "系统设置", "修改密码"):
        assert title in text
    assert "View" not in text and "more" not in text and "less" not in text

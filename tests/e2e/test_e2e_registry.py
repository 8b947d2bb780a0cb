"""End to end in Chromium: first-run setup → login → load demo pool → filter the registry → export Excel and
check the download → log out (issue 2 §8)."""
import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.conftest import download, setup_admin

pytestmark = pytest.mark.e2e


def test_first_run_to_excel_export_in_a_real_browser(server, page, tmp_path):
    url, _ = server
    setup_admin(page, url)  # first-run setup
    page.get_by_role("button", name="退出登录").click()
    # login
    page.get_by_role("heading", name="专家库 · 登录").wait_for()
    page.get_by_role("textbox", name="用户名", exact=True).fill("admin")
    page.get_by_role("textbox", name="密码", exact=True).fill("abc12345")
    page.get_by_role("button", name="登录", exact=True).click()
    # demo pool
    page.get_by_role("button", name="加载演示数据").click()
    page.get_by_text("当前专家库含演示数据").wait_for()
    # registry, filtered
    page.get_by_role("link", name="专家库", exact=True).click()
    caption = page.get_by_text("点击表格左侧选中一行可查看详情")
    caption.wait_for()
    before = caption.inner_text()
    page.get_by_role("textbox", name="姓名/单位/职称").fill("煤")
    page.get_by_role("textbox", name="姓名/单位/职称").press("Enter")
    expect(caption).not_to_have_text(before, timeout=30_000)
    count = int(caption.inner_text().split("共 ")[1].split(" 人")[0])
    assert 0 < count < 240
    # export and check the download
    data = download(page, "导出当前筛选结果（Excel）", tmp_path / "export.xlsx")
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    headers = rows[0]
    assert "姓名" in headers and "身份证号" in headers
    assert len(rows) - 1 == count
    id_col = headers.index("身份证号")
    assert all(isinstance(r[id_col], str) and len(r[id_col]) == 18 for r in rows[1:])
    # log out
    page.get_by_role("button", name="退出登录").click()
    page.get_by_role("heading", name="专家库 · 登录").wait_for()

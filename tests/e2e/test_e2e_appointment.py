"""End to end in Chromium (issue 3): enter an application → see eligibility → score it → recommend → approve →
run the notice → appoint → download 附件2 and 附件4 and check them."""
import io
from datetime import date

import pytest
from docx import Document
from playwright.sync_api import expect

from tests.e2e.conftest import download
from tests.factories import valid_id_number

pytestmark = pytest.mark.e2e


def choose(page, label: str, option: str) -> None:
    """Pick `option` in the Streamlit selectbox or multiselect labelled `label` (a rerun caused by the previous
    input may close the list as it opens, so try again)."""
    for attempt in range(4):
        page.get_by_label(label, exact=True).click()
        choice = page.get_by_role("option", name=option).first
        try:
            choice.wait_for(timeout=5_000)
            choice.click()
            return
        except Exception:
            page.keyboard.press("Escape")
            page.wait_for_timeout(500)
    raise AssertionError(f"could not choose {option} in {label}")


def type_date(page, label: str, day: date) -> None:
    """Streamlit's date field is a group of year/month/day segments: focus the first and type the digits."""
    field = page.get_by_role("group", name=label, exact=True)
    field.get_by_role("spinbutton").first.click()
    page.keyboard.type(day.strftime("%Y%m%d"))
    page.keyboard.press("Escape")  # close the calendar that opened over the form


def section(page, name: str) -> None:
    page.get_by_role("radiogroup", name="办理环节").get_by_text(name, exact=True).click()


def nav(page, name: str) -> None:
    page.get_by_role("link", name=name, exact=True).click()
    page.get_by_role("heading", name=name).first.wait_for()


def test_an_application_from_intake_to_appointment_with_its_forms(server, page, tmp_path):
    url, _ = server
    page.goto(url)
    page.get_by_role("textbox", name="管理员用户名").fill("admin")
    page.get_by_role("textbox", name="管理员姓名").fill("管理员甲")
    page.get_by_role("textbox", name="密码（至少8位，含字母和数字）").fill("abc12345")
    page.get_by_role("textbox", name="再次输入密码").fill("abc12345")
    page.get_by_role("button", name="创建管理员并进入系统").click()
    page.get_by_role("button", name="退出登录").wait_for()

    # 入库申报
    nav(page, "入库申报")
    page.get_by_role("textbox", name="姓名 *").fill("韩立新")
    page.get_by_role("textbox", name="身份证号 *").fill(valid_id_number(date(1975, 3, 9), "男", "140502"))
    page.get_by_role("textbox", name="移动电话 *").fill("13903561234")
    page.get_by_role("textbox", name="单位全称 *").fill("晋城市煤矿安全技术服务中心")
    choose(page, "在岗情况 *", "在岗")
    choose(page, "最高学历 *", "本科")
    choose(page, "职称等级 *", "副高级")
    years = page.get_by_role("spinbutton", name="从事本专业年限 *")
    years.fill("22")
    years.press("Enter")
    choose(page, "申报行业领域及专业 *", "1.3 矿井通风与瓦斯防治（煤矿）")
    page.keyboard.press("Escape")
    page.get_by_text("申报人已签署《廉政承诺书》（附件3）").click()
    page.get_by_role("radiogroup", name="身体健康，能够正常参加专家活动").get_by_text("是", exact=True).click()
    expect(page.get_by_text("结论：符合")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="提交申报").click()
    expect(page.get_by_text("已提交申报：韩立新")).to_be_visible(timeout=30_000)

    # 条件审核
    nav(page, "条件审核")
    for label, points in (("专家外出服务条件情况", 9), ("进入专家库动机情况", 8), ("外出参加安全技术服务情况", 3),
                          ("专业知识掌握情况", 16), ("从事专业工作成效情况", 15)):
        box = page.get_by_role("spinbutton", name=label).first
        box.fill(str(points))
        box.press("Enter")
    page.get_by_role("textbox", name="审核意见", exact=True).fill("材料真实，专业能力强，同意推荐")
    expect(page.get_by_text("达到及格线")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="提交审核结果").click()
    expect(page.get_by_text("已提交：韩立新")).to_be_visible(timeout=30_000)

    # 推荐 → 拟定名单 → 审议 → 公示 → 聘任
    nav(page, "推荐与聘任")
    choose(page, "审核通过、待推荐的人员", "韩立新")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="列入推荐汇总表").click()
    expect(page.get_by_text("已推荐 1 人")).to_be_visible(timeout=30_000)
    section(page, "拟定名单")
    choose(page, "列入名单的人员", "韩立新")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="建立名单").click()
    expect(page.get_by_text("已建立名单")).to_be_visible(timeout=30_000)
    section(page, "名单办理")
    type_date(page, "会议日期", date(2026, 6, 28))
    page.get_by_role("button", name="记录会议结果").click()
    expect(page.get_by_text("已记录会议结果")).to_be_visible(timeout=30_000)
    type_date(page, "公示开始日期", date(2026, 7, 1))
    page.get_by_role("button", name="开始公示").click()
    expect(page.get_by_text("公示期：2026年7月1日至5日")).to_be_visible(timeout=30_000)
    type_date(page, "聘任日期", date(2026, 7, 6))
    page.get_by_role("button", name="聘任并生成聘书编号").click()
    expect(page.get_by_text("已于 2026年7月6日 聘任 1 人")).to_be_visible(timeout=30_000)

    # 附件2 and 附件4 from the review page
    nav(page, "条件审核")
    page.get_by_role("tab", name="已审核（表格下载）").click()
    docs = {}
    for title in ("申报表", "条件审核意见表"):
        data = download(page, f"下载{title}（Word）", tmp_path / f"{title}.docx")
        docs[title] = "\n".join(cell.text for table in Document(io.BytesIO(data)).tables
                                for row in table.rows for cell in row.cells)
    assert "韩立新" in docs["申报表"] and "晋城市煤矿安全技术服务中心" in docs["申报表"]
    assert "韩立新" in docs["条件审核意见表"]
    for points in ("16", "15"):
        assert points in docs["条件审核意见表"]
    assert "材料真实，专业能力强，同意推荐" in docs["条件审核意见表"]

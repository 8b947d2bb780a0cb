"""End to end in Chromium (issue 4): a department requests → the leader approves → the office draws → the first
expert declines → the next in order is invited and accepts → 附件7 and the draw record are downloaded and checked."""
import io

import pytest
from docx import Document
from playwright.sync_api import expect

from core import vocab
from services import experts, fees, users
from services.context import build_context
from tests.conftest import ADMIN
from tests.e2e.conftest import download
from tests.e2e.test_e2e_appointment import choose, nav, type_date
from tests.factories import make_expert, seed_expert

pytestmark = pytest.mark.e2e
SPEC = "1.3"


def seed(data_dir):
    ctx = build_context(data_dir)
    users.create_first_admin(ctx, username="admin", display_name="管理员甲", password="abc12345", confirm="abc12345",
                             policy_id="jincheng-2026")
    users.create_user(ctx, ADMIN, username="dept", display_name="科室丙", role=vocab.ROLE_DEPARTMENT,
                      department="煤矿安全监管综合科", password="abc12345", confirm="abc12345")
    users.create_user(ctx, ADMIN, username="leader", display_name="分管领导丁", role=vocab.ROLE_LEADER,
                      password="abc12345", confirm="abc12345")
    policy = ctx.policies["jincheng-2026"]
    fees.set_budget(ctx, ADMIN, "煤矿安全监管综合科", 2026, 1_000_000)  # JC 第十八条: approval needs a budget
    names = ["甲一", "乙二", "丙三", "丁四"]
    for i, name in enumerate(names):
        seed_expert(ctx, ADMIN, make_expert(policy, name=f"专家{name}", specialties=[SPEC], state="在库",
                                                      term_start="2025-01-01", term_end="2028-12-31", unit=f"单位{i}"))


def login(page, url, username):
    page.goto(url)
    page.get_by_role("textbox", name="用户名", exact=True).fill(username)
    page.get_by_role("textbox", name="密码", exact=True).fill("abc12345")
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_role("button", name="退出登录").wait_for()


def logout(page):
    page.get_by_role("button", name="退出登录").click()
    page.get_by_role("heading", name="专家库 · 登录").wait_for()


def test_request_approve_draw_decline_accept_and_print(server, page, tmp_path):
    url, data_dir = server
    seed(data_dir)
    from datetime import date

    login(page, url, "dept")
    nav(page, "使用申请")
    page.get_by_role("textbox", name="使用事项（主要工作内容）*").fill("矿井通风系统专项检查")
    type_date(page, "开始日期 *", date(2026, 12, 1))
    type_date(page, "结束日期 *", date(2026, 12, 2))
    page.get_by_role("textbox", name="任务对象单位（被检查企业等，每行一个，用于回避）").fill("某煤业公司")
    choose(page, "所需专业 *", "1.3 矿井通风与瓦斯防治")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_text("申请已提交")).to_be_visible(timeout=30_000)
    logout(page)

    login(page, url, "leader")
    nav(page, "使用审批")
    page.get_by_role("button", name="同意", exact=True).click()  # beside 不同意 and 退回修改
    expect(page.get_by_text("已审批")).to_be_visible(timeout=30_000)
    logout(page)

    login(page, url, "admin")
    nav(page, "抽取委派")
    page.get_by_role("button", name="随机抽取").click()
    expect(page.get_by_text("已抽取并发出邀请")).to_be_visible(timeout=30_000)
    first_form = page.get_by_test_id("stForm").filter(has_text="第1位")
    first_form.get_by_role("radiogroup", name="答复").get_by_text("拒绝", exact=True).click()
    first_form.get_by_role("textbox", name="拒绝理由").fill("在外地出差")
    first_form.get_by_role("radiogroup", name="理由是否正当").get_by_text("正当", exact=True).click()
    first_form.get_by_role("button", name="记录答复").click()
    expect(page.get_by_text("拒绝", exact=False).filter(has_text="已记录答复")).to_be_visible(timeout=30_000)
    # one expert is needed, so exactly one open invitation remains once the page has re-rendered: the 2nd in order
    expect(page.get_by_text("第1位")).to_have_count(0, timeout=30_000)
    expect(page.get_by_role("button", name="记录答复")).to_have_count(1, timeout=30_000)
    expect(page.get_by_text("第2位")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="记录答复").click()  # 接受 is the default answer
    expect(page.get_by_text("已记录答复").filter(has_text="接受")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("button", name="记录答复")).to_have_count(0, timeout=30_000)  # nobody left to answer
    page.get_by_role("button", name="复核本次抽取").click()
    expect(page.get_by_text("复核一致")).to_be_visible(timeout=30_000)

    texts = {}
    for title in ("服务派遣审批单（附件7）", "抽取记录单"):
        doc = Document(io.BytesIO(download(page, f"下载{title}", tmp_path / f"{title}.docx")))
        texts[title] = "\n".join([p.text for p in doc.paragraphs]
                                 + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    ctx = build_context(data_dir)
    assignments = ctx.store.collection("assignments").all()
    declined = next(a for a in assignments if a["status"] == "已拒绝")
    accepted = next(a for a in assignments if a["status"] == "已接受")
    name_of = {e["id"]: e["name"] for e in ctx.store.collection("experts").all()}
    assert name_of[accepted["expert_id"]] in texts["服务派遣审批单（附件7）"]
    assert "矿井通风系统专项检查" in texts["服务派遣审批单（附件7）"]
    assert name_of[declined["expert_id"]] in texts["抽取记录单"] and "在外地出差" in texts["抽取记录单"]
    seed_value = ctx.store.collection("draws").all()[0]["result"]["seed"]
    assert seed_value[:8] in texts["抽取记录单"].replace(" ", "")

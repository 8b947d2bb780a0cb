"""End to end in Chromium (issue 5; JC-V1, JC-F1, JC-F4, X-V1): under the Jincheng profile, with a 10,000 元 budget
for the using department and a JC request already approved by a leader, drawn and accepted by two experts (seeded
through the real services, the clock set before the task), the admin opens 服务评价, records the task as finished
with 2 working days per expert (of the 3-day span), evaluates it (优 with a reason, 良; meaningful items), downloads
服务质量登记表（附件8） and finds names and ratings in it; then in 劳务报酬 sees 2 × 2 × 300 = 1,200.00, the budget
report with 1,200.00 committed (the actual fee replaces the 1,800.00 estimate once the days are in) and 8,800.00
left, records the payment, sees 1,200.00 paid and 8,800.00 left, and downloads the 劳务报酬结算表 (Word) with the amounts and their working."""
import io
import re
from datetime import date, datetime, timedelta

import pytest
from docx import Document
from playwright.sync_api import expect

from core import vocab
from services import dispatch, experts, fees, users
from services.context import User, build_context
from tests.conftest import ADMIN
from tests.e2e.conftest import download, wait_idle
from tests.factories import make_expert, seed_expert

pytestmark = pytest.mark.e2e

POLICY_ID = "jincheng-2026"
DEPT = "煤矿安全监管综合科"
SPEC = "1.3"
MATTER = "矿井通风系统专项检查"
BUDGET = 10_000
LEADER = User("leader", "分管领导丁", vocab.ROLE_LEADER)


class Clock:
    """A settable clock for seeding: the request is filed, approved and drawn ten days before the task."""

    def __init__(self, when: datetime):
        self.when = when

    def __call__(self) -> datetime:
        return self.when


def task_dates(today: date) -> tuple[date, date]:
    """A 3-day task that ended yesterday (so it can be finished and evaluated in time), inside one year."""
    end = today - timedelta(days=1)
    if (end - timedelta(days=2)).year != end.year:
        end = date(end.year - 1, 12, 31)
    return end - timedelta(days=2), end


def seed(data_dir, start: date, end: date) -> int:
    clock = Clock(datetime.combine(start - timedelta(days=10), datetime.min.time()).replace(hour=9))
    ctx = build_context(data_dir, clock=clock)
    users.create_first_admin(ctx, username="admin", display_name="管理员甲", password="abc12345", confirm="abc12345",
                             policy_id=POLICY_ID)
    users.create_user(ctx, ADMIN, username="leader", display_name="分管领导丁", role=vocab.ROLE_LEADER,
                      password="abc12345", confirm="abc12345")
    policy = ctx.policies[POLICY_ID]
    fees.set_budget(ctx, ADMIN, DEPT, start.year, BUDGET, "年度专家劳务报酬预算")
    for i, name in enumerate(["甲一", "乙二", "丙三", "丁四"]):
        seed_expert(ctx, ADMIN, make_expert(policy, name=f"专家{name}", specialties=[SPEC], state="在库",
                                                      term_start="2025-01-01", term_end="2028-12-31",
                                                      unit=f"测试单位{i}", is_public_servant=False))
    request_id, _ = dispatch.file_request(ctx, ADMIN, {
        "department": DEPT, "contact": "张三", "contact_phone": "13900000000", "matter": MATTER,
        "task_type": policy.drawing.task_types[0], "target_enterprises": ["某煤业公司"], "place": "泽州县",
        "outside_city": False, "start": start.isoformat(), "end": end.isoformat(),
        "needs": [{"specialty": SPEC, "count": 2}], "min_title_level": None, "mode": "抽取", "emergency": False,
        "external_experts": []})
    dispatch.approve(ctx, LEADER, request_id, "同意")
    dispatch.draw(ctx, ADMIN, request_id)
    for a in dispatch.assignments_of(ctx, request_id):
        if a["status"] == "邀请中":
            dispatch.answer(ctx, ADMIN, a["id"], accepted=True, channel="电话")
    req = dispatch.request(ctx, request_id)
    assert req["status"] == "已委派" and req["estimated_fee"] == "1800.00", req  # 2 experts × 3 days × 300
    return request_id


def login(page, url) -> None:
    page.goto(url)
    page.get_by_role("textbox", name="用户名", exact=True).fill("admin")
    page.get_by_role("textbox", name="密码", exact=True).fill("abc12345")
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_role("button", name="退出登录").wait_for()


def open_page(page, name: str) -> None:
    wait_idle(page)
    nav = page.get_by_test_id("stSidebarNav")
    link = nav.get_by_role("link", name=name, exact=True)
    if not link.is_visible():
        nav.get_by_role("button", name=re.compile(r"^View( \d+)? more$")).click()
    link.click()
    page.get_by_role("heading", name=name).first.wait_for()
    wait_idle(page)


def keyed(page, key: str):
    """The element container Streamlit marks with the widget key (class st-key-<key>)."""
    return page.locator(f".st-key-{key}")


def budget_cells(page):
    """The cells of the department's row in the budget report. Glide data grid keeps an accessible copy of the
    visible cells as a table inside its canvas (never rendered, so matched as hidden, compared by text)."""
    grid = page.locator("table[role=grid]").filter(
        has=page.get_by_role("columnheader", name="已承诺", exact=True, include_hidden=True))
    row = grid.locator("tr[role=row]").filter(
        has=page.get_by_role("gridcell", name=DEPT, exact=True, include_hidden=True))
    return row.locator("td[role=gridcell]")


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    return "\n".join([p.text for p in doc.paragraphs]
                     + ["\t".join(c.text.strip() for c in r.cells) for t in doc.tables for r in t.rows])


def test_finish_evaluate_print_fees_budget_and_statement_jc_v1_jc_f1_jc_f4_x_v1(server, page, tmp_path):
    url, data_dir = server
    start, end = task_dates(date.today())
    request_id = seed(data_dir, start, end)
    ctx = build_context(data_dir)
    people = {a["id"]: a["expert_id"] for a in dispatch.assignments_of(ctx, request_id) if a["status"] == "已接受"}
    name_of = {e["id"]: e["name"] for e in ctx.store.collection("experts").all()}
    first, second = (people[aid] for aid in sorted(people))

    login(page, url)
    expect(page.get_by_test_id("stSidebar").get_by_text("当前政策： 晋城市")).to_be_visible()

    # 服务评价 → 登记完成: 2 of the 3 days for each expert
    open_page(page, "服务评价")
    page.get_by_role("tab", name="登记完成").click()
    for aid in people:
        days = keyed(page, f"service_days_{aid}").get_by_role("spinbutton")
        expect(days).to_have_value("3")  # the task's span is the default
        days.fill("2")
        days.press("Tab")
    keyed(page, f"service_summary_{request_id}").locator("textarea").fill("检查主通风机和瓦斯抽采系统，发现隐患3处")
    page.get_by_role("button", name="登记完成").click()
    expect(page.get_by_text("已登记任务完成")).to_be_visible(timeout=30_000)
    wait_idle(page)

    # 服务评价: pending (not overdue: the deadline is 3 working days after the end), 优 needs a reason
    page.get_by_role("tab", name="服务评价").click()
    expect(page.get_by_text("待评价 1 项")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("有 1 项评价或表格逾期未交")).to_have_count(0)
    keyed(page, f"service_overall_{request_id}_{first}").get_by_text("优", exact=True).click()
    keyed(page, f"service_reason_{request_id}_{first}").locator("input").fill("现场发现主扇风机重大隐患并提出整改方案")
    keyed(page, f"service_overall_{request_id}_{second}").get_by_text("良", exact=True).click()
    keyed(page, f"service_items_{request_id}").locator("textarea").fill("发现主扇风机隐患\n提出瓦斯抽采整改方案")
    page.get_by_role("button", name="保存评价").click()
    expect(page.get_by_text("已保存评价")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("（逾期报送）")).to_have_count(0)
    wait_idle(page)

    saved = build_context(data_dir).store.collection("evaluations").all()
    assert len(saved) == 1 and saved[0]["late"] is False
    assert {r["expert_id"]: r["overall"] for r in saved[0]["ratings"]} == {first: "优", second: "良"}
    assert [a.get("days_worked") for a in dispatch.assignments_of(build_context(data_dir), request_id)
            if a["status"] == "已完成"] == [2, 2]

    # 表格下载: 附件8 with both names, their days, the ratings ticked under each name, the reason and the items
    page.get_by_role("tab", name="表格下载").click()
    doc = Document(io.BytesIO(download(page, "下载服务质量登记表（附件8）", tmp_path / "fj8.docx")))
    rows = [[c.text.strip() for c in r.cells] for t in doc.tables for r in t.rows]
    fj8 = "\n".join([p.text for p in doc.paragraphs] + ["\t".join(r) for r in rows])
    assert "专家服务质量登记表" in fj8 and "附件8" in fj8
    assert MATTER in fj8 and DEPT in fj8
    assert f"实际工作天数：{name_of[first]}2天、{name_of[second]}2天" in fj8
    names = next(r for r in rows if "专家姓名" in r)
    ratings = next(r for r in rows if "服务评价" in r)
    overall = next(r for r in rows if r[0].replace(" ", "") == "8.对专家工作的总体评价")
    for expert_id, rating in ((first, "优"), (second, "良")):
        col = names.index(name_of[expert_id])
        assert ratings[col] == rating and f"{rating}☑" in overall[col], (names, ratings, overall)
    assert f"{name_of[first]}：现场发现主扇风机重大隐患并提出整改方案" in fj8
    assert "1.发现主扇风机隐患\n2.提出瓦斯抽采整改方案" in fj8

    # 劳务报酬: 2 experts × 2 days × 300 = 1,200.00; the budget holds that actual fee (not the 1,800.00 estimate) until paid
    open_page(page, "劳务报酬")
    if start.year != date.today().year:
        year = page.get_by_role("spinbutton", name="年度")
        year.fill(str(start.year))
        year.press("Enter")
        wait_idle(page)
    expect(page.get_by_test_id("stMetric").filter(has_text="合计（元）")).to_contain_text("1,200.00", timeout=30_000)
    expect(page.get_by_test_id("stMetric").filter(has_text="专家人数")).to_contain_text("2")
    # 预算执行情况: 预算, 已承诺 (the actual fee, down from the 1,800.00 estimate: 2 × 3 days × 300), 已支付, 剩余
    expect(budget_cells(page)).to_have_text([DEPT, "10,000.00", "1,200.00", "0.00", "8,800.00", "年度专家劳务报酬预算"],
                                            timeout=30_000)

    # 支付登记: paid replaces committed, 10,000 − 1,200 = 8,800.00 left
    page.get_by_role("textbox", name="报销凭证号（或支付说明）").fill("财报-2026-001")
    page.get_by_role("button", name="登记已支付").click()
    expect(page.get_by_text(f"已登记支付：{request_id}号 1,200.00 元")).to_be_visible(timeout=30_000)
    wait_idle(page)
    expect(budget_cells(page)).to_have_text([DEPT, "10,000.00", "0.00", "1,200.00", "8,800.00", "年度专家劳务报酬预算"],
                                            timeout=30_000)
    status = fees.budget_status_of(build_context(data_dir), DEPT, start.year)
    assert (str(status.budget), str(status.committed), str(status.paid), str(status.left)) == \
        ("10000.00", "0.00", "1200.00", "8800.00")

    # 劳务报酬结算表（Word）: the task 4 paid days → 1,200.00 (大写 too), and one line per expert with its working
    doc = Document(io.BytesIO(download(page, "下载劳务报酬结算表（Word）", tmp_path / "fees.docx")))
    rows = [[c.text.strip() for c in r.cells] for t in doc.tables for r in t.rows]
    statement = "\n".join([p.text for p in doc.paragraphs] + ["\t".join(r) for r in rows])
    assert "劳务报酬结算表" in statement and "壹仟贰佰元整（¥1,200.00）" in statement
    task_row = next(r for r in rows if r[0] == "1" and r[1] == MATTER)
    assert task_row[3:] == ["2", "1", "4", "4", "1,200.00", "0.00", "0.00", "1,200.00"], task_row
    working = "2天 × 300.00元 = 600.00元"  # JC 第十六条(一): 300元/人/工作日 × 2 days
    lines = {r[3]: r for r in rows if len(r) == 12 and r[1] == str(request_id)}
    assert set(lines) == {name_of[first], name_of[second]}, rows
    for line in lines.values():
        assert line[6:11] == ["2", "2", "300.00", line[9], "600.00"] and line[11].startswith(working), line

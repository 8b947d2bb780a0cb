"""End to end in Chromium (issue 10 §1, §2, §6; JC-V1, JC-D1): the office paths that used to corrupt a record.

Seeded through the real services under 晋城: two finished tasks (A and B), each with its own 主要工作事项记录 typed
when it was finished, and a third task whose two slots are both accepted. In the browser the admin
- opens 服务评价 on task A, types text into A's 主要工作事项记录, switches to task B without saving, rates B and
  saves: B's stored record holds B's own summary, never A's typed text (§1);
- opens 抽取委派 on the fully staffed task: no 重新抽取 is offered and the page says every specialty is full, and
  the task still has exactly two experts (§2);
- builds every form offered there and downloads each three times: every click delivers a Word file that opens
  and names the task (§6).
"""
import io
from datetime import date, datetime, timedelta

import pytest
from docx import Document
from playwright.sync_api import expect

from core import vocab
from services import dispatch, evaluations, fees, users
from services.context import User, build_context
from tests.conftest import ADMIN
from tests.e2e.conftest import download, wait_idle
from tests.e2e.test_e2e_service_fees import Clock, keyed, login, open_page
from tests.factories import make_expert, seed_expert

pytestmark = pytest.mark.e2e

POLICY_ID = "jincheng-2026"
DEPT = "煤矿安全监管综合科"
SPEC = "1.3"
LEADER = User("leader", "分管领导丁", vocab.ROLE_LEADER)
SUMMARY = {"A": "甲任务：检查了主通风机和局部通风", "B": "乙任务：核查了瓦斯抽采系统"}


def _file(ctx, policy, matter: str, start: date, end: date) -> int:
    request_id, _ = dispatch.file_request(ctx, ADMIN, {
        "department": DEPT, "contact": "张三", "contact_phone": "13900000000", "matter": matter,
        "task_type": policy.drawing.task_types[0], "target_enterprises": ["某煤业公司"], "place": "泽州县",
        "outside_city": False, "start": start.isoformat(), "end": end.isoformat(),
        "needs": [{"specialty": SPEC, "count": 2}], "min_title_level": None, "mode": "抽取", "emergency": False,
        "external_experts": []})
    dispatch.approve(ctx, LEADER, request_id, "同意")
    dispatch.draw(ctx, ADMIN, request_id)
    for a in dispatch.assignments_of(ctx, request_id):
        if a["status"] == "邀请中":
            dispatch.answer(ctx, ADMIN, a["id"], accepted=True, channel="电话")
    assert dispatch.request(ctx, request_id)["status"] == "已委派"
    return request_id


def seed(data_dir, today: date) -> dict[str, int]:
    start, end = today - timedelta(days=30), today - timedelta(days=29)  # two past days, before the office finishes
    clock = Clock(datetime.combine(start - timedelta(days=10), datetime.min.time()).replace(hour=9))
    ctx = build_context(data_dir, clock=clock)
    users.create_first_admin(ctx, username="admin", display_name="管理员甲", password="abc12345", confirm="abc12345",
                             policy_id=POLICY_ID)
    users.create_user(ctx, ADMIN, username="leader", display_name="分管领导丁", role=vocab.ROLE_LEADER,
                      password="abc12345", confirm="abc12345")
    policy = ctx.policies[POLICY_ID]
    fees.set_budget(ctx, ADMIN, DEPT, start.year, 50_000, "年度专家劳务报酬预算")
    if (start + timedelta(days=8)).year != start.year:
        fees.set_budget(ctx, ADMIN, DEPT, start.year + 1, 50_000, "年度专家劳务报酬预算")
    for i in range(8):
        seed_expert(ctx, ADMIN, make_expert(policy, name=f"专家{'甲乙丙丁戊己庚辛'[i]}", specialties=[SPEC], state="在库",
                                            term_start="2025-01-01", term_end="2028-12-31", unit=f"测试单位{i}",
                                            is_public_servant=False))
    ids = {}
    for label, gap in (("A", 0), ("B", 3), ("C", 6)):
        ids[label] = _file(ctx, policy, f"{label}任务 通风专项检查", start + timedelta(days=gap),
                           end + timedelta(days=gap))
    clock.when = datetime.combine(today - timedelta(days=1), datetime.min.time()).replace(hour=9)
    for label in ("A", "B"):
        days = {a["id"]: 1 for a in dispatch.assignments_of(ctx, ids[label]) if a["status"] == "已接受"}
        evaluations.complete_task(ctx, ADMIN, ids[label], days=days, work_summary=SUMMARY[label])
    return ids


def choose(page, label: str, option: str) -> None:
    """Pick the option starting with `option` in the selectbox labelled `label` (a rerun may close the list as it
    opens, so try again)."""
    for _ in range(4):
        wait_idle(page)
        page.get_by_label(label, exact=True).click()
        choice = page.get_by_role("option").filter(has_text=option).first
        try:
            choice.wait_for(timeout=5_000)
            choice.click()
            wait_idle(page)
            return
        except Exception:
            page.keyboard.press("Escape")
            page.wait_for_timeout(500)
    raise AssertionError(f"could not choose {option} in {label}")


def test_switching_tasks_redraw_on_a_staffed_task_and_every_download_three_times(server, page, tmp_path):
    url, data_dir = server
    ids = seed(data_dir, date.today())
    login(page, url)

    # §1 — text typed for task A never reaches task B
    open_page(page, "服务评价")
    page.get_by_role("tab", name="服务评价").click()
    choose(page, "评价的任务", f"{ids['A']}号 ")
    record_a = keyed(page, f"service_work_record_{ids['A']}").locator("textarea")
    expect(record_a).to_have_value(SUMMARY["A"])
    record_a.fill("只属于甲任务的临时文字")
    choose(page, "评价的任务", f"{ids['B']}号 ")
    record_b = keyed(page, f"service_work_record_{ids['B']}").locator("textarea")
    expect(record_b).to_have_value(SUMMARY["B"])
    ctx = build_context(data_dir)
    for p in evaluations.participants(ctx, ids["B"]):
        keyed(page, f"service_overall_{ids['B']}_{p['expert_id']}").get_by_text("良", exact=True).click()
    keyed(page, f"service_items_{ids['B']}").locator("textarea").fill("核查瓦斯抽采系统")
    page.get_by_role("button", name="保存评价").click()
    wait_idle(page)
    expect(page.get_by_text("已保存评价").first).to_be_visible()
    saved = evaluations.evaluation_of(build_context(data_dir), ids["B"])
    assert saved["work_record"] == SUMMARY["B"]
    assert evaluations.evaluation_of(build_context(data_dir), ids["A"]) is None

    # §2 — a fully staffed task offers no re-draw and stays at two experts
    open_page(page, "抽取委派")
    choose(page, "使用申请", f"{ids['C']}号 ")
    expect(page.get_by_text("各专业均已满员，无需重新抽取").first).to_be_visible()
    expect(page.get_by_role("button", name="重新抽取")).to_have_count(0)
    staffed = [a for a in dispatch.assignments_of(build_context(data_dir), ids["C"])
               if a["status"] in ("邀请中", "已接受")]
    assert len(staffed) == 2

    # §6 — every form on 抽取委派, three clicks each, every click a real Word file of this task
    titles = [title for title, _, _ in dispatch.forms_for(build_context(data_dir), ids["C"])]
    assert titles, "抽取委派 offers no form"
    for title in titles:
        data = download(page, f"下载{title}", tmp_path / f"{title}.docx", clicks=3)
        doc = Document(io.BytesIO(data))
        text = "\n".join([p.text for p in doc.paragraphs]
                         + [c.text for t in doc.tables for r in t.rows for c in r.cells])
        assert "C任务" in text or str(ids["C"]) in text, title
        assert "{{" not in text and "{%" not in text

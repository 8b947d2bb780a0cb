"""Issue 12 (the busiest jobs, 抽取委派) in Chromium, on the 晋城 demo pool with a request filed, approved and drawn
through the services: each invited expert's card shows the full mobile number and the invitation text to copy
into WeChat (task, dates as the office writes them, place, contact, reply deadline), in a code block — Markdown
image syntax pointing at a listener and <b> in the request's matter, place and contact are shown literally and
nothing is fetched; the exclusions are summed by rule, the real ones first and 专业不符 as one count.

Screenshots go to test-artifacts/issue12_drawing_*.png.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from core.dispatch import task_type_choices
from services import dispatch, experts, fees, users
from services.context import build_context
from tests.conftest import ADMIN, LEADER
from tests.e2e.conftest import ARTIFACTS, wait_idle
from tests.e2e.test_e2e_hostile_text import listener  # noqa: F401 — the fixture
from tests.e2e.test_e2e_issue11_sessions import login

pytestmark = pytest.mark.e2e

POLICY_ID = "jincheng-2026"
DEPARTMENT = "煤矿安全监管综合科"
WORD_JOINER = "\u2060"


def seed(data_dir, port: int) -> dict:
    """The demo pool, then one request with hostile text for 2 experts of a specialty with enough free experts."""
    ctx = build_context(data_dir)
    users.create_first_admin(ctx, username="admin", display_name="管理员甲", password="abc12345",
                             confirm="abc12345", policy_id=POLICY_ID)
    experts.load_demo(ctx, ADMIN)
    policy = ctx.policies[POLICY_ID]
    start = ctx.today() + timedelta(days=20)
    fees.set_budget(ctx, ADMIN, DEPARTMENT, start.year, 5_000_000)
    counts: dict[str, int] = {}
    for e in experts.active_experts(ctx):
        if e.get("state") == "在库":
            for code in e.get("specialties") or ():
                counts[code] = counts.get(code, 0) + 1
    code = max(counts, key=counts.get)
    hostile = {"matter": f"<b>粗体</b>专项检查 ![x](http://127.0.0.1:{port}/m)",
               "place": f"![x](http://127.0.0.1:{port}/p) 某矿<b>", "contact": "张三<b>"}
    request_id = dispatch.file_request(ctx, ADMIN, {
        "department": DEPARTMENT, "contact_phone": "13512345678", "task_type": task_type_choices(policy)[0],
        "target_enterprises": ["某煤业公司"], "start": start.isoformat(), "end": (start + timedelta(days=2)).isoformat(),
        "needs": [{"specialty": code, "count": 2}], "mode": "抽取", **hostile})[0]
    dispatch.approve(ctx, LEADER, request_id, "同意")
    dispatch.draw(ctx, ADMIN, request_id)
    invited = [a for a in dispatch.assignments_of(ctx, request_id) if a["status"] == "邀请中"]
    mobiles = {e["id"]: e["mobile"] for e in experts.active_experts(ctx)}
    return {"request_id": request_id, "hostile": hostile, "start": start, "code": code,
            "mobiles": [mobiles[a["expert_id"]] for a in invited],
            "label": policy.taxonomy.specialty_label(code)}


def test_drawing_card_shows_full_mobile_and_invitation_text_in_the_browser_issue12(server, page, listener):  # noqa: F811
    url, data_dir = server
    port, hits = listener
    seeded = seed(data_dir, port)
    login(page, url)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="抽取委派", exact=True).click()
    page.get_by_role("heading", name="抽取委派").first.wait_for()
    wait_idle(page)
    cards = page.locator('[class*="st-key-drawing_card_"]')
    expect(cards).to_have_count(2)
    start = seeded["start"]
    for card, mobile in zip(cards.all(), seeded["mobiles"]):
        text = card.inner_text().replace(WORD_JOINER, "")
        assert f"手机：{mobile}" in text and "*" not in mobile
        code = card.get_by_test_id("stCode").inner_text()
        assert f"作为{seeded['label']}专业专家" in code
        assert f"任务：{DEPARTMENT}　{seeded['hostile']['matter']}" in code
        assert f"时间：{start.year}年{start.month}月{start.day}日至" in code
        assert f"地点：{seeded['hostile']['place']}" in code
        assert f"联系人：{seeded['hostile']['contact']} 13512345678" in code
        day_before = start - timedelta(days=1)
        assert f"请于{day_before.year}年{day_before.month}月{day_before.day}日前回复能否参加" in code
        assert card.locator("b, img").count() == 0  # the <b> and the image are text, not markup
    assert page.locator(f'img[src*="127.0.0.1:{port}"], a[href*="127.0.0.1:{port}"]').count() == 0
    summary = page.get_by_text("排除：", exact=False).first.inner_text()
    assert summary.startswith("排除：") and "只计人数" in summary
    assert summary.split("只计人数")[1].split("、")[-1].split("：")[-1].startswith("专业不符")  # 专业不符 last
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "issue12_drawing_page.png"), full_page=True)
    cards.first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "issue12_drawing_card.png"))
    page.wait_for_timeout(500)
    assert hits == []

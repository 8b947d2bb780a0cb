"""AppTest (issue 12, daily use): the sidebar groups a role's pages by job and shows a role only what it uses —
使用审批 only where the active profile gives that role requests to sign (晋城: the 领导; 阳泉: the 专家管理办公室) —
and 抽取委派 shows each invited expert as a card with the full mobile number and a ready invitation text (task,
dates as the office writes them, place, contact, reply deadline; specialty by name), shown literally whatever the
request holds; the exclusions are summed by rule with the real ones first and 专业不符 as one count."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import streamlit as st

from core import vocab
from core.dispatch import task_type_choices
from core.drawing import RECORD_FORMAT
from services import dispatch, drawing_view, fees, settings, users
from services.context import build_context
from tests.app.conftest import logged_in, texts
from tests.conftest import ADMIN, DEPARTMENT, LEADER, OFFICE
from tests.factories import make_expert, real_policies, seed_expert

JC, YQ = "jincheng-2026", "yangquan-2024"
HOSTILE_MATTER = "<b>粗体</b>检查 ![x](http://127.0.0.1:9/x)"
HOSTILE_PLACE = "![x](http://127.0.0.1:9/x) 某矿 <b>"
HOSTILE_CONTACT = "张三<b>"


@pytest.fixture
def nav(monkeypatch):
    """The sections and page titles app.py passes to st.navigation on each run."""
    seen: dict[str, list[str]] = {}
    real = st.navigation

    def recording(pages, *args, **kwargs):
        seen.clear()
        groups = pages.items() if isinstance(pages, dict) else [("", pages)]
        seen.update({section: [p.title for p in found] for section, found in groups})
        return real(pages, *args, **kwargs)

    monkeypatch.setattr(st, "navigation", recording)
    return seen


def profile_ctx(data_dir, policy_id: str):
    ctx = build_context(data_dir)
    users.create_first_admin(ctx, username="admin", display_name="管理员甲", password="abc12345",
                             confirm="abc12345", policy_id=policy_id)
    return ctx


def titles(seen: dict) -> list[str]:
    return [title for found in seen.values() for title in found]


def test_sidebar_groups_pages_by_job_issue12(data_dir, nav):
    profile_ctx(data_dir, JC)
    at = logged_in(vocab.ROLE_ADMIN)
    assert not at.exception
    assert nav == {"概览": ["首页", "专家库"],
                   "入库与聘任": ["入库申报", "条件审核", "推荐与聘任", "专家录入", "批量导入", "解聘清退"],
                   "使用与抽取": ["使用申请", "抽取委派"],
                   "评价与考核": ["服务评价", "年度考核", "专家培训"],
                   "报酬与预算": ["劳务报酬"],
                   "政策": ["政策规则", "政策推演"],
                   "系统": ["用户管理", "系统设置", "节假日安排", "修改密码"]}
    at = logged_in(vocab.ROLE_DEPARTMENT, department="煤矿安全监管综合科")
    assert not at.exception
    assert nav == {"概览": ["首页", "专家库"], "使用与抽取": ["使用申请"], "评价与考核": ["服务评价"],
                   "报酬与预算": ["劳务报酬"], "政策": ["政策规则"], "系统": ["修改密码"]}  # no empty group


@pytest.mark.parametrize("policy_id, signers, not_signers", [
    (JC, [vocab.ROLE_LEADER], [vocab.ROLE_OFFICE, vocab.ROLE_ADMIN, vocab.ROLE_DEPARTMENT]),
    (YQ, [vocab.ROLE_OFFICE, vocab.ROLE_ADMIN], [vocab.ROLE_LEADER, vocab.ROLE_DEPARTMENT])])
def test_yq_leader_sees_no_empty_approvals_page_issue12(data_dir, nav, policy_id, signers, not_signers):
    """使用审批 is listed for the roles that sign requests under the active profile, and only for them."""
    profile_ctx(data_dir, policy_id)
    for role in signers + not_signers:
        at = logged_in(role, department="煤矿安全监管综合科" if role == vocab.ROLE_DEPARTMENT else "")
        assert not at.exception
        assert ("使用审批" in titles(nav)) == (role in signers), (policy_id, role, nav)
        if role == vocab.ROLE_LEADER and policy_id == YQ:  # 阳泉's 领导: nothing to sign or draw, no empty group
            assert "使用与抽取" not in nav and titles(nav) == ["首页", "专家库", "劳务报酬", "政策规则", "政策推演",
                                                                "修改密码"], nav


@pytest.mark.parametrize("policy_id", [JC, YQ])
def test_the_hidden_approvals_page_would_always_be_empty_issue12(ctx, policy_id):
    """The rule behind the sidebar: a request of 1 and one of 11 experts (JC 附件7 注3: 10 or more → 主要领导) reach
    only the roles approves_requests names (services.dispatch.awaiting_approval)."""
    settings.set_active_policy(ctx, ADMIN, policy_id)
    policy = settings.active_policy(ctx)
    fees.set_budget(ctx, OFFICE, DEPARTMENT.department, 2026, 10_000_000)
    code = policy.taxonomy.all_specialty_codes()[0]
    for i in range(12):
        seed_expert(ctx, OFFICE, make_expert(policy, name=f"池{i}", specialties=[code], state="在库",
                                             term_start="2025-01-01", term_end="2028-12-31", unit=f"单位{i}"))
    base = {"department": DEPARTMENT.department, "contact": "张三", "matter": "专项检查",
            "task_type": task_type_choices(policy)[0], "start": "2026-12-10", "end": "2026-12-11", "mode": "抽取"}
    for count in (1, 11):
        dispatch.file_request(ctx, DEPARTMENT, dict(base, matter=f"专项检查{count}",
                                                    needs=[{"specialty": code, "count": count}]))
    roles = {vocab.ROLE_LEADER: LEADER, vocab.ROLE_OFFICE: OFFICE, vocab.ROLE_ADMIN: ADMIN,
             vocab.ROLE_DEPARTMENT: DEPARTMENT}
    for role, actor in roles.items():
        assert bool(dispatch.awaiting_approval(ctx, actor)) == drawing_view.approves_requests(policy, role), role


def drawn(ctx, *, place=HOSTILE_PLACE, contact=HOSTILE_CONTACT, matter=HOSTILE_MATTER, start=None
          ) -> tuple[int, int, str]:
    """A JC request for 2 experts of 1.3 (one pool expert works at the task's enterprise: 回避; two have another
    specialty: 专业不符), approved and drawn; returns (request id, draw id, specialty code)."""
    fees.set_budget(ctx, OFFICE, "煤矿安全监管综合科", 2026, 1_000_000)
    policy = settings.active_policy(ctx)
    for i, (spec, unit) in enumerate([("1.3", "某煤业"), ("1.3", "某单位1"), ("1.3", "某单位2"), ("1.1", "某单位3"),
                                      ("1.1", "某单位4")]):
        seed_expert(ctx, OFFICE, make_expert(policy, name=f"池{i}", specialties=[spec], state="在库",
                                             mobile=f"1390000000{i}", term_start="2025-01-01",
                                             term_end="2028-12-31", unit=unit))
    request_id = dispatch.file_request(ctx, OFFICE, {
        "department": "煤矿安全监管综合科", "contact": contact, "contact_phone": "13512345678", "matter": matter,
        "place": place, "task_type": policy.drawing.task_types[0], "target_enterprises": ["某煤业"],
        "start": start.isoformat(), "end": (start + timedelta(days=2)).isoformat(),
        "needs": [{"specialty": "1.3", "count": 2}], "mode": "抽取"})[0]
    dispatch.approve(ctx, LEADER, request_id, "同意")
    return request_id, dispatch.draw(ctx, OFFICE, request_id), "1.3"


def test_drawing_card_shows_full_mobile_and_invitation_text_issue12(app_ctx):
    start = app_ctx.today() + timedelta(days=20)
    request_id, draw_id, code = drawn(app_ctx, start=start)
    invited = [a for a in dispatch.assignments_of(app_ctx, request_id) if a["status"] == "邀请中"]
    assert len(invited) == 2
    at = logged_in(vocab.ROLE_OFFICE, page="pages/drawing.py")
    assert not at.exception
    label = settings.active_policy(app_ctx).taxonomy.specialty_label(code)
    shown = [t.value for t in at.text]
    mobiles = {e["id"]: e["mobile"] for e in app_ctx.store.collection("experts").all()}
    for a in invited:
        assert f"手机：{mobiles[a['expert_id']]}" in shown  # in full, no 139****0001
    codes = [c.value for c in at.code]
    assert len(codes) == 2
    for text in codes:
        assert f"{label}专业专家" in text and f"参加以下工作：\n任务：煤矿安全监管综合科　{HOSTILE_MATTER}" in text
        assert f"时间：{office(start)}至" in text
        assert f"地点：{HOSTILE_PLACE}" in text  # literally: st.code is never Markdown
        assert f"联系人：{HOSTILE_CONTACT} 13512345678" in text
        assert text.endswith(f"请于{office(start - timedelta(days=1))}前回复能否参加，谢谢！")  # the day before
    names = {e["id"]: e["name"] for e in app_ctx.store.collection("experts").all()}
    assert {c.split("专家：")[0] for c in codes} == {names[a["expert_id"]] for a in invited}
    masked = drawing_view.invitation_cards(app_ctx, LEADER, request_id)  # a role that may not see it in full
    assert all("****" in c["mobile"] and not c["mobile_in_full"] for c in masked)
    rendered = texts(at)
    assert "<b>" not in rendered.replace(HOSTILE_MATTER, "")  # the matter is shown in plain text, never as HTML
    assert "rotation-seeded-v1" not in rendered and start.isoformat() not in rendered


def test_drawing_lists_real_exclusions_first_and_collapses_wrong_specialty_issue12(app_ctx):
    request_id, draw_id, _ = drawn(app_ctx, place="某矿", contact="张三", matter="通风专项检查",
                                   start=app_ctx.today() + timedelta(days=20))
    at = logged_in(vocab.ROLE_ADMIN, page="pages/drawing.py")
    assert not at.exception
    line = next(t.value for t in at.text if t.value.startswith("排除："))
    assert line == "排除：回避（与任务对象同一单位）1人；只计人数（非本次所需专业或人数较多）：专业不符2人"
    rules = next(d.value for d in at.dataframe if "排除规则" in d.value.columns)
    assert list(rules["排除规则"]) == ["与任务对象同一单位", "专业不符"] and list(rules["人数"]) == [1, 2]


def test_exclusion_rules_put_avoidance_busy_suspended_declined_before_the_rest_issue12():
    stored = {"exclusion_summary": [
        {"rule": rule, "count": n, "listed": k} for rule, n, k in (
            ("not_in_term", 40, 0), ("suspended", 2, 2), ("wrong_specialty", 233, 0), ("below_title", 3, 3),
            ("same_employer", 1, 1), ("busy", 4, 4), ("declined", 1, 1))]}
    rules = drawing_view.exclusion_rules(_compact(stored))
    assert [r["rule"] for r in rules] == ["same_employer", "busy", "suspended", "declined", "below_title",
                                          "not_in_term", "wrong_specialty"]
    assert drawing_view.exclusion_line(rules) == (
        "排除：回避（与任务对象同一单位）1人、同期已有其他任务4人、暂停使用2人、已拒绝本次委派1人、职称低于要求3人；"
        "只计人数（非本次所需专业或人数较多）：不在聘期/未聘任40人、专业不符233人")


def _compact(summary: dict) -> dict:
    """A compact stored draw result carrying only an exclusion summary (core.drawing.DrawResult.from_dict)."""
    base = {"request_id": 1, "policy_id": JC, "method_version": "rotation-seeded-v1", "seed": "00" * 16,
            "drawn_at": "2026-12-07T09:00:00", "eligible_hash": {}, "exclusions": [], "orders": {},
            "use_counts": {}, "format": RECORD_FORMAT, "exclusion_digest": "0" * 64}
    return dict(base, **summary)


def office(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def test_invitation_asks_for_an_answer_the_day_before_or_at_once_issue12():
    policy = real_policies()[JC]
    req = {"department": "科", "matter": "检查", "start": "2026-12-10", "end": "2026-12-10", "place": "", "contact": ""}
    text = drawing_view.invitation_text(req, policy, expert_name="甲", specialty="1.3", today=date(2026, 12, 7))
    assert text.splitlines()[-1] == "请于2026年12月9日前回复能否参加，谢谢！" and "地点" not in text and "联系人" not in text
    assert "时间：2026年12月10日\n" in text and policy.taxonomy.specialty_label("1.3") in text
    for today in (date(2026, 12, 9), date(2026, 12, 10)):  # an emergency: no deadline already come
        text = drawing_view.invitation_text(req, policy, expert_name="甲", specialty="1.3", today=today)
        assert text.splitlines()[-1] == "请尽快回复能否参加，谢谢！"


def test_office_dates_are_written_as_the_office_writes_them_issue12():
    assert drawing_view.office_date("2026-12-07") == "2026年12月7日"
    assert drawing_view.office_datetime("2026-12-07T12:30:05") == "2026年12月7日 12:30"
    assert drawing_view.office_period("2026-12-30", "2027-01-02") == "2026年12月30日至2027年1月2日"
    assert drawing_view.office_period("2026-12-07", "2026-12-07") == "2026年12月7日"

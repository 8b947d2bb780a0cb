"""Issue 10 items 2, 5 and 11 (dispatch): staffing never over the request, request withdrawal and the three approval
decisions with their history, double submissions, and the guards at the dispatch services' door (role + ownership,
whitelisted, normalised, length-limited input; a refused call changes no byte of any data file).

JC-D1, JC-D2, YQ-D1, YQ-D2, YQ-D5, X-D2.
"""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from core import vocab
from core.dispatch import outcome_lines, plan_invitations, staffed_assignments, staffing
from core.errors import DuplicateError, PermissionDenied, ValidationError
from core.text import clean_phone, clean_text
from services import dispatch, fees, settings
from services.context import User
from tests.conftest import ADMIN, LEADER, OFFICE
from tests.factories import make_expert, seed_expert

DEPT = User("dept", "科室丙", vocab.ROLE_DEPARTMENT, "煤矿安全监管综合科")
OTHER_DEPT = User("dept2", "科室丁", vocab.ROLE_DEPARTMENT, "危险化学品安全监督管理科")
SPEC, SPEC2 = "1.3", "1.1"


@pytest.fixture(autouse=True)
def budget(ctx):
    fees.set_budget(ctx, OFFICE, DEPT.department, 2026, 1_000_000)


def pool(ctx, n=6, spec=SPEC, tag=""):
    policy = settings.active_policy(ctx)
    return [seed_expert(ctx, OFFICE, make_expert(policy, specialties=[spec], state="在库", term_start="2025-01-01",
                                                 term_end="2027-12-31", unit=f"某单位{spec}{tag}{i}"))
            for i in range(n)]


def form(ctx, count=2, **extra):
    data = {"department": "", "contact": "张三", "contact_phone": "13900000000", "matter": "煤矿通风系统专项检查",
            "task_type": settings.active_policy(ctx).drawing.task_types[0], "target_enterprises": ["某煤业公司"],
            "place": "泽州县", "outside_city": False, "start": "2026-12-01", "end": "2026-12-03",
            "needs": [{"specialty": SPEC, "count": count}], "min_title_level": None, "mode": "抽取",
            "emergency": False, "external_experts": []}
    data.update(extra)
    return data


def ask(ctx, count=2, actor=DEPT, **extra):
    return dispatch.file_request(ctx, actor, form(ctx, count, **extra))[0]


def approved(ctx, count=2, **extra):
    request_id = ask(ctx, count, **extra)
    dispatch.approve(ctx, LEADER, request_id, "同意")
    return request_id


def accept_all(ctx, request_id):
    for a in dispatch.assignments_of(ctx, request_id):
        if a["status"] == "邀请中":
            dispatch.answer(ctx, OFFICE, a["id"], accepted=True, channel="电话")


def snapshot(ctx) -> dict:
    """Every byte of every data file of a disk store (or the whole in-memory store)."""
    folder = ctx.store.data_dir
    if folder is None:
        return {name: ctx.store.collection(name).all() for name in
                ("requests", "assignments", "draws", "proposals", "experts", "budgets")}
    return {str(p): p.read_bytes() for p in sorted(Path(folder).rglob("*")) if p.is_file()}


# --- item 2: a re-draw only fills open slots ---------------------------------------------------------------------
def test_redraw_never_invites_more_than_requested(disk_ctx):
    """All slots accepted → 重新抽取 is refused in Chinese and writes nothing (issue 10 item 2)."""
    ctx = disk_ctx
    fees.set_budget(ctx, OFFICE, DEPT.department, 2026, 1_000_000)
    pool(ctx, 6)
    pool(ctx, 5, SPEC2)
    request_id = approved(ctx, needs=[{"specialty": SPEC, "count": 2}, {"specialty": SPEC2, "count": 1}])
    dispatch.draw(ctx, OFFICE, request_id)
    accept_all(ctx, request_id)
    assert dispatch.request(ctx, request_id)["status"] == "已委派"
    before = snapshot(ctx)
    with pytest.raises(ValidationError, match="各专业均已满员，无需重新抽取"):
        dispatch.draw(ctx, OFFICE, request_id, reason="再抽一次")
    assert snapshot(ctx) == before
    live = [a for a in dispatch.assignments_of(ctx, request_id) if a["status"] in ("邀请中", "已接受")]
    assert len(live) == 3


def test_redraw_fills_only_the_open_slots_and_reports_each_specialty(ctx):
    """One specialty full, the other one short after a decline: the re-draw invites only into the short one."""
    pool(ctx, 3)
    pool(ctx, 1, SPEC2)
    request_id = approved(ctx, needs=[{"specialty": SPEC, "count": 2}, {"specialty": SPEC2, "count": 1}])
    dispatch.draw(ctx, OFFICE, request_id)
    accept_all(ctx, request_id)
    only = next(a for a in dispatch.assignments_of(ctx, request_id) if a["specialty"] == SPEC2)
    dispatch.replace_expert(ctx, OFFICE, only["id"], "突发疾病")
    assert dispatch.request(ctx, request_id)["shortages"] == [SPEC2]
    newcomer = pool(ctx, 1, SPEC2, tag="新")[0]
    dispatch.approve(ctx, LEADER, request_id, "同意调整")
    draw_id = dispatch.draw(ctx, OFFICE, request_id, reason="库内新增专家")
    rows = {r["specialty"]: r for r in dispatch.staffing_of(ctx, request_id)}
    assert rows[SPEC] == {"specialty": SPEC, "requested": 2, "accepted": 2, "pending": 0, "open": 0}
    assert rows[SPEC2]["pending"] == 1 and rows[SPEC2]["open"] == 0
    invited = [a for a in dispatch.assignments_of(ctx, request_id) if a.get("draw_id") == draw_id]
    assert [a["expert_id"] for a in invited] == [newcomer]
    outcome = {r["specialty"]: r for r in dispatch.draw_outcome(ctx, draw_id)}
    assert outcome[SPEC]["invite"] == [] and outcome[SPEC2]["short"] == 0
    assert dispatch.request(ctx, request_id)["shortages"] == []


def test_redraw_outcome_never_says_invited_and_no_expert_for_the_same_specialty():
    """Each specialty gets exactly one line: full, filled, or short — never “已发出邀请” beside “无可用专家”."""
    needs = [{"specialty": "a", "count": 3}, {"specialty": "b", "count": 2}, {"specialty": "c", "count": 2}]
    held = [{"id": i, "expert_id": i, "specialty": "a", "status": "已接受"} for i in range(3)]
    plan = plan_invitations(needs, {"a": [0, 1, 2, 9], "b": [20, 21], "c": [30]}, held)
    lines = outcome_lines(plan, str)
    assert [kind for kind, _ in lines] == ["ok", "ok", "short"]
    assert "已满员" in lines[0][1] and "已发出邀请" in lines[1][1] and "仍缺1人" in lines[2][1]
    assert not any("已发出邀请" in text and "无可用专家" in text for _, text in lines)
    assert [i for i, _ in plan[0]["invite"]] == []


def test_plan_never_reinvites_a_decliner_or_a_released_expert():
    needs = [{"specialty": "a", "count": 2}]
    held = [{"id": 1, "expert_id": 1, "specialty": "a", "status": "已拒绝"},
            {"id": 2, "expert_id": 2, "specialty": "a", "status": "已取消"},
            {"id": 3, "expert_id": 3, "specialty": "a", "status": "邀请中"}]
    plan = plan_invitations(needs, {"a": [1, 2, 3, 4, 5]}, held)
    assert plan[0]["invite"] == [(4, 4)] and plan[0]["open"] == 1


def _forge_surplus(ctx, request_id):
    """An extra invitation as the old re-draw made them (data from before the slot rule)."""
    spare = next(e for e in ctx.store.collection("experts").all()
                 if e["id"] not in {a["expert_id"] for a in dispatch.assignments_of(ctx, request_id)})
    return ctx.store.collection("assignments").insert(
        {"request_id": request_id, "expert_id": spare["id"], "policy_id": "jincheng-2026", "specialty": SPEC,
         "draw_id": None, "position": 9, "start": "2026-12-01", "end": "2026-12-03", "status": "邀请中",
         "invited_on": "2026-11-25"}, actor="test", action="旧数据")


def test_accepting_when_the_specialty_is_full_is_refused_and_nothing_written(disk_ctx):
    """answer(): an acceptance that would take a specialty over the request is refused (not silently kept)."""
    ctx = disk_ctx
    fees.set_budget(ctx, OFFICE, DEPT.department, 2026, 1_000_000)
    pool(ctx, 6)
    request_id = approved(ctx, 2)
    dispatch.draw(ctx, OFFICE, request_id)
    accept_all(ctx, request_id)
    surplus = _forge_surplus(ctx, request_id)
    before = snapshot(ctx)
    with pytest.raises(ValidationError, match="超出申请人数"):
        dispatch.answer(ctx, OFFICE, surplus, accepted=True, channel="电话")
    assert snapshot(ctx) == before
    # releasing the surplus invitation invites nobody and asks for no new approval (it was never dispatched)
    req = dispatch.replace_expert(ctx, OFFICE, surplus, "超出申请人数的邀请")
    assert req["status"] == "已委派" and req["approval"] is not None
    assert sum(a["status"] == "邀请中" for a in dispatch.assignments_of(ctx, request_id)) == 0


def test_dispatch_form_never_lists_more_experts_than_requested(ctx, monkeypatch):
    """附件7 names at most the requested number per specialty, even over data holding a surplus acceptance."""
    from services import forms_service

    pool(ctx, 6)
    request_id = approved(ctx, 3)
    dispatch.draw(ctx, OFFICE, request_id)
    accept_all(ctx, request_id)
    surplus = _forge_surplus(ctx, request_id)
    ctx.store.collection("assignments").update(surplus, {"status": "已接受"}, actor="test", action="旧数据")
    seen = {}
    monkeypatch.setattr(forms_service, "dispatch_approval_form",
                        lambda req, accepted, policy: seen.setdefault("n", len(accepted)) and ("", b""))
    build = next(b for title, _, b in dispatch.forms_for(ctx, request_id) if "附件7" in title)
    build()
    assert seen["n"] == 3


def test_staffed_assignments_caps_each_specialty_at_the_request():
    needs = [{"specialty": "a", "count": 1}]
    rows = [{"id": i, "expert_id": i, "specialty": "a", "status": "已接受"} for i in (5, 2)]
    assert [a["id"] for a in staffed_assignments(needs, rows)] == [2]
    assert staffing(needs, rows)[0] == {"specialty": "a", "requested": 1, "accepted": 2, "pending": 0, "open": 0}


def test_a_released_expert_is_not_invited_again(ctx):
    pool(ctx, 6)
    request_id = approved(ctx, 2)
    dispatch.draw(ctx, OFFICE, request_id)
    first = dispatch.assignments_of(ctx, request_id)[0]
    dispatch.replace_expert(ctx, OFFICE, first["id"], "时间冲突")
    live = [a["expert_id"] for a in dispatch.assignments_of(ctx, request_id) if a["status"] == "邀请中"]
    assert first["expert_id"] not in live and len(live) == 2


def yq_direct(ctx, count=1):
    settings.set_active_policy(ctx, ADMIN, "yangquan-2024", confirmed=True)
    policy = settings.active_policy(ctx)
    spec = policy.taxonomy.all_specialty_codes()[0]
    ids = [seed_expert(ctx, OFFICE, make_expert(policy, specialties=[spec], state="在库", term_start="2025-01-01",
                                                term_end="2027-12-31", unit=f"单位{i}")) for i in range(4)]
    request_id = dispatch.file_request(ctx, OFFICE, {
        "department": "安监科", "contact": "李四", "matter": "标准化定级现场核查", "task_type": "安全生产",
        "start": "2026-12-08", "end": "2026-12-08", "needs": [{"specialty": spec, "count": count}], "mode": "选派",
        "direct_reason": "3", "emergency": False})[0]
    dispatch.approve(ctx, OFFICE, request_id, "同意")
    return request_id, spec, ids


def test_select_directly_never_exceeds_the_open_slots(ctx):
    request_id, spec, ids = yq_direct(ctx, 1)
    with pytest.raises(ValidationError, match="须选派1人"):
        dispatch.select_directly(ctx, OFFICE, request_id, {spec: ids[:2]})
    with pytest.raises(ValidationError, match="不是本申请所需的专业"):
        dispatch.select_directly(ctx, OFFICE, request_id, {spec: [ids[0]], "9.9": [ids[1]]})
    dispatch.select_directly(ctx, OFFICE, request_id, {spec: [ids[0]]})
    with pytest.raises(ValidationError, match="均已满员"):
        dispatch.select_directly(ctx, OFFICE, request_id, {spec: [ids[1]]})
    assert [a["expert_id"] for a in dispatch.assignments_of(ctx, request_id)] == [ids[0]]


def test_select_directly_refuses_the_same_expert_twice(ctx):
    request_id, spec, ids = yq_direct(ctx, 2)
    with pytest.raises(ValidationError, match="重复"):
        dispatch.select_directly(ctx, OFFICE, request_id, {spec: [ids[0], ids[0]]})
    assert dispatch.assignments_of(ctx, request_id) == []


# --- item 5: double submission, withdrawal, the three approval decisions ------------------------------------------
def test_same_submission_token_files_a_request_once(ctx):
    pool(ctx)
    token = dispatch.new_submission_token()
    first, _ = dispatch.file_request(ctx, DEPT, form(ctx), token=token)
    with pytest.raises(DuplicateError, match=f"#{first}") as refused:
        dispatch.file_request(ctx, DEPT, form(ctx, matter="改了内容也是同一次提交"), token=token)
    assert refused.value.existing_id == first
    assert len(ctx.store.collection("requests").all()) == 1


def test_identical_request_from_the_same_user_within_ten_minutes_is_a_double_submission(ctx, clock):
    pool(ctx)
    first = ask(ctx)
    with pytest.raises(DuplicateError, match=f"#{first}"):
        ask(ctx)
    ask(ctx, actor=User("dept3", "科室戊", vocab.ROLE_DEPARTMENT, DEPT.department))  # a colleague's own request
    clock.now = clock.now + timedelta(minutes=11)
    ask(ctx)
    assert len(ctx.store.collection("requests").all()) == 3


def test_a_withdrawn_request_can_be_filed_again_at_once(ctx):
    pool(ctx)
    first = ask(ctx)
    dispatch.withdraw(ctx, DEPT, first, "日期填错")
    assert ask(ctx) != first


def test_requester_withdraws_own_request_with_a_reason_kept_in_history(ctx):
    pool(ctx)
    request_id = approved(ctx)
    dispatch.draw(ctx, OFFICE, request_id)
    assert [r["id"] for r in dispatch.withdrawable(ctx, DEPT)] == [request_id]
    with pytest.raises(ValidationError, match="撤回理由"):
        dispatch.withdraw(ctx, DEPT, request_id, "  ")
    saved = dispatch.withdraw(ctx, DEPT, request_id, "任务取消")
    assert saved["status"] == "已撤回" and saved["withdraw_reason"] == "任务取消"
    assert [h["action"] for h in saved["history"]] == ["提交申请", "同意", "撤回"]
    assert saved["history"][-1]["reason"] == "任务取消" and saved["history"][-1]["by"] == DEPT.display_name
    assert {a["status"] for a in dispatch.assignments_of(ctx, request_id)} == {"已取消"}
    with pytest.raises(ValidationError, match="已撤回"):
        dispatch.draw(ctx, OFFICE, request_id, reason="再抽")


@pytest.mark.parametrize("who, error", [(LEADER, PermissionDenied), (OTHER_DEPT, PermissionDenied)])
def test_withdraw_is_refused_to_a_leader_and_to_another_department(disk_ctx, who, error):
    ctx = disk_ctx
    fees.set_budget(ctx, OFFICE, DEPT.department, 2026, 1_000_000)
    pool(ctx)
    request_id = ask(ctx)
    before = snapshot(ctx)
    with pytest.raises(error):
        dispatch.withdraw(ctx, who, request_id, "不想要了")
    assert snapshot(ctx) == before
    assert dispatch.withdrawable(ctx, who) == []


def test_a_dispatched_request_cannot_be_withdrawn(ctx):
    pool(ctx)
    request_id = approved(ctx)
    dispatch.draw(ctx, OFFICE, request_id)
    accept_all(ctx, request_id)
    with pytest.raises(ValidationError, match="不能撤回"):
        dispatch.withdraw(ctx, OFFICE, request_id, "任务取消")
    assert dispatch.request(ctx, request_id)["status"] == "已委派"


def test_disagree_is_final_and_needs_a_reason(ctx):
    pool(ctx)
    request_id = ask(ctx)
    with pytest.raises(ValidationError, match="不同意的理由"):
        dispatch.reject(ctx, LEADER, request_id, "")
    saved = dispatch.reject(ctx, LEADER, request_id, "本月预算已用于其他任务")
    assert saved["status"] == "不同意" and saved["history"][-1]["action"] == "不同意"
    assert saved["history"][-1]["reason"] == "本月预算已用于其他任务"
    assert dispatch.awaiting_approval(ctx, LEADER) == []
    with pytest.raises(ValidationError):
        dispatch.approve(ctx, LEADER, request_id, "同意")
    with pytest.raises(ValidationError):
        dispatch.withdraw(ctx, DEPT, request_id, "撤回")


def test_return_for_changes_then_the_requester_resubmits_through_the_same_checks(ctx):
    pool(ctx, 12)
    request_id = ask(ctx)
    with pytest.raises(ValidationError, match="退回修改的理由"):
        dispatch.return_for_changes(ctx, LEADER, request_id, "")
    dispatch.return_for_changes(ctx, LEADER, request_id, "请补充被检查企业名单")
    assert dispatch.request(ctx, request_id)["status"] == "退回修改"
    assert [r["id"] for r in dispatch.returned_for_changes(ctx, DEPT)] == [request_id]
    assert dispatch.returned_for_changes(ctx, OTHER_DEPT) == []
    with pytest.raises(PermissionDenied):
        dispatch.resubmit(ctx, OTHER_DEPT, request_id, form(ctx))
    with pytest.raises(ValidationError, match="结束"):
        dispatch.resubmit(ctx, DEPT, request_id, form(ctx, end="2026-11-30"))
    with pytest.raises(ValidationError, match="不接受的字段"):
        dispatch.resubmit(ctx, DEPT, request_id, dict(form(ctx), approval={"level": "主要领导"}))
    saved, _ = dispatch.resubmit(ctx, DEPT, request_id, form(ctx, count=10, target_enterprises=["甲公司", "乙公司"]))
    assert saved["status"] == "待审批" and saved["required_level"] == "主要领导"  # the level is decided again
    assert saved["target_enterprises"] == ["甲公司", "乙公司"] and saved["approval"] is None
    assert [h["action"] for h in saved["history"]] == ["提交申请", "退回修改", "重新提交"]
    dispatch.approve(ctx, LEADER, request_id, "同意")


def test_a_drawn_request_cannot_be_returned_for_changes(ctx):
    pool(ctx)
    request_id = ask(ctx, emergency=True)
    dispatch.draw(ctx, OFFICE, request_id)
    with pytest.raises(ValidationError, match="不能退回修改"):
        dispatch.return_for_changes(ctx, LEADER, request_id, "请修改")


def test_who_approves_is_unchanged_jc_leader_yq_office_jc_d2_yq_d2(ctx):
    pool(ctx)
    request_id = ask(ctx)
    for who in (DEPT, OFFICE, ADMIN):
        for decide in (dispatch.approve, dispatch.reject, dispatch.return_for_changes):
            with pytest.raises(PermissionDenied):
                decide(ctx, who, request_id, "理由")
    settings.set_active_policy(ctx, ADMIN, "yangquan-2024", confirmed=True)
    request_id, _, _ = yq_direct(ctx, 1)
    assert dispatch.request(ctx, request_id)["approval"]["role"] == vocab.ROLE_OFFICE
    other = dispatch.file_request(ctx, OFFICE, {
        "department": "安监科", "contact": "李四", "matter": "另一项核查", "task_type": "安全生产",
        "start": "2026-12-09", "end": "2026-12-09", "needs": [{"specialty": dispatch.request(ctx, request_id)["needs"][0]
                                                              ["specialty"], "count": 1}], "mode": "抽取"})[0]
    with pytest.raises(PermissionDenied):
        dispatch.approve(ctx, LEADER, other, "同意")


# --- item 11: guards at the service door -------------------------------------------------------------------------
def test_file_request_refuses_extra_keys_such_as_paid_and_approvals(disk_ctx):
    ctx = disk_ctx
    fees.set_budget(ctx, OFFICE, DEPT.department, 2026, 1_000_000)
    pool(ctx)
    before = snapshot(ctx)
    forged = dict(form(ctx), paid={"on": "2026-11-01"}, approvals=[{"by": "伪造"}], status="已完成")
    with pytest.raises(ValidationError, match="不接受的字段：approvals、paid、status"):
        dispatch.file_request(ctx, DEPT, forged)
    with pytest.raises(ValidationError, match="is_demo"):
        dispatch.file_request(ctx, DEPT, dict(form(ctx), is_demo=True))  # a department cannot mark demo data
    assert snapshot(ctx) == before


@pytest.mark.parametrize("field, value, message", [
    ("matter", "检" * 5_000_000, "使用事项不能超过500个字"),
    ("matter", "检查\x00企业", "控制字符"),
    ("contact", "张\u202e三", "文字方向控制字符"),
    ("contact", "张\u200b三", "零宽字符"),
    ("contact", "张三\n李四", "换行"),
    ("contact_phone", "1390000000", "11位手机号"),
    ("contact_phone", "١٣٩٠٠٠٠٠٠٠٠", "半角数字"),
    ("contact_phone", "23900000000", "11位手机号"),
    ("place", "地" * 101, "工作地点不能超过100个字"),
    ("target_enterprises", ["企"] * 51, "最多50个"),
    ("needs", [{"specialty": SPEC, "count": 1, "paid": True}], "格式不正确"),
    ("needs", [{"specialty": SPEC, "count": True}], "整数"),
    ("emergency", "true", "是"),
    ("external_experts", [{"name": "甲", "salary": 1}], "格式不正确"),
])
def test_file_request_input_is_whitelisted_length_limited_and_clean(ctx, field, value, message):
    pool(ctx)
    with pytest.raises(ValidationError, match=message):
        dispatch.file_request(ctx, DEPT, form(ctx, **{field: value}))
    assert ctx.store.collection("requests").all() == []


def test_file_request_normalises_text_and_phones(ctx):
    pool(ctx)
    decomposed = "e\u0301"  # é typed as e + combining accent
    request_id = ask(ctx, contact=f"  张{decomposed}  ", contact_phone="１３９００００００００",
                     matter="第一行\r\n第二行")
    saved = dispatch.request(ctx, request_id)
    assert saved["contact"] == "张\u00e9" and saved["contact_phone"] == "13900000000"
    assert saved["matter"] == "第一行\n第二行"
    landline = ask(ctx, contact_phone="0356-2021234", matter="另一项")
    assert dispatch.request(ctx, landline)["contact_phone"] == "0356-2021234"


def test_core_text_helpers_refuse_invisible_characters_and_foreign_digits():
    assert clean_text("  Ａ ", field_label="姓名", max_len=5) == "Ａ"
    assert clean_text(None, field_label="备注", max_len=5) == ""
    with pytest.raises(ValidationError, match="应为文字"):
        clean_text(12, field_label="姓名", max_len=5)
    with pytest.raises(ValidationError, match="请填写姓名"):
        clean_text(" ", field_label="姓名", max_len=5, required=True)
    assert clean_text("a\tb\nc", field_label="说明", max_len=9, multiline=True) == "a\tb\nc"
    for bad in ("\ufeff张三", "张\u2066三", "张\x1b三"):
        with pytest.raises(ValidationError):
            clean_text(bad, field_label="姓名", max_len=9)
    assert clean_phone("138-1234-5678") == "13812345678"
    assert clean_phone("", required=False) == ""
    with pytest.raises(ValidationError):
        clean_phone("０３５６２０２１２３４")  # a landline needs its 区号-号码 hyphen


def _drawn(ctx):
    pool(ctx)
    request_id = approved(ctx)
    dispatch.draw(ctx, OFFICE, request_id)
    return request_id


@pytest.mark.parametrize("who", [LEADER, DEPT])
@pytest.mark.parametrize("call", ["draw", "answer", "replace_expert", "select_directly", "handle_proposal"])
def test_office_services_refuse_other_roles_and_write_nothing(disk_ctx, who, call):
    ctx = disk_ctx
    fees.set_budget(ctx, OFFICE, DEPT.department, 2026, 1_000_000)
    request_id = _drawn(ctx)
    first = dispatch.assignments_of(ctx, request_id)[0]["id"]
    calls = {
        "draw": lambda: dispatch.draw(ctx, who, request_id, reason="再抽"),
        "answer": lambda: dispatch.answer(ctx, who, first, accepted=True, channel="电话"),
        "replace_expert": lambda: dispatch.replace_expert(ctx, who, first, "调整"),
        "select_directly": lambda: dispatch.select_directly(ctx, who, request_id, {}),
        "handle_proposal": lambda: dispatch.handle_proposal(ctx, who, 1, open_case=True, note="立案"),
    }
    before = snapshot(ctx)
    with pytest.raises(PermissionDenied):
        calls[call]()
    assert snapshot(ctx) == before


def test_department_cannot_approve_and_leader_cannot_file(disk_ctx):
    ctx = disk_ctx
    fees.set_budget(ctx, OFFICE, DEPT.department, 2026, 1_000_000)
    pool(ctx)
    request_id = ask(ctx)
    before = snapshot(ctx)
    with pytest.raises(PermissionDenied):
        dispatch.approve(ctx, DEPT, request_id, "同意")
    with pytest.raises(PermissionDenied):
        dispatch.file_request(ctx, LEADER, form(ctx))
    with pytest.raises(PermissionDenied):
        dispatch.resubmit(ctx, LEADER, request_id, form(ctx))
    assert snapshot(ctx) == before


def test_answer_refuses_an_unknown_channel_and_an_over_long_reason(ctx):
    request_id = _drawn(ctx)
    first = dispatch.assignments_of(ctx, request_id)[0]["id"]
    with pytest.raises(ValidationError, match="联系方式"):
        dispatch.answer(ctx, OFFICE, first, accepted=True, channel="<script>")
    with pytest.raises(ValidationError, match="拒绝理由不能超过500个字"):
        dispatch.answer(ctx, OFFICE, first, accepted=False, channel="电话", reason="忙" * 501, justified=True)
    assert dispatch.assignments_of(ctx, request_id)[0]["status"] == "邀请中"


def test_resubmit_changes_only_the_fields_given_and_recounts_the_days(ctx):
    pool(ctx)
    request_id = ask(ctx)
    dispatch.return_for_changes(ctx, LEADER, request_id, "日期有误")
    saved, _ = dispatch.resubmit(ctx, DEPT, request_id, {"start": "2026-12-05", "end": "2026-12-06"})
    assert (saved["start"], saved["end"], saved["days"]) == ("2026-12-05", "2026-12-06", 2)
    assert saved["matter"] == "煤矿通风系统专项检查" and saved["contact_phone"] == "13900000000"


def test_a_request_sent_back_does_not_block_filing_the_same_content_again(ctx):
    pool(ctx)
    first = ask(ctx)
    dispatch.return_for_changes(ctx, LEADER, first, "请重新填写")
    assert ask(ctx) != first


def test_jc_f1_f2_an_outside_expert_carries_only_yes_no_flags_for_cross_city_and_public_servant():
    """JC 第十六条(一)(二) read 市外专家 / 公职人员 of an expert from outside the pool (第十一条): the request form
    records them as true/false; any other value is refused."""
    from core.dispatch import _clean_externals

    row = {"name": "王教授", "unit": "太原理工大学", "title": "教授", "title_level": "正高级", "reason": "专业急需"}
    [clean] = _clean_externals([dict(row, is_out_of_city=True)])
    assert clean["is_out_of_city"] is True and clean["is_public_servant"] is False
    with pytest.raises(ValidationError, match="只能是"):
        _clean_externals([dict(row, is_public_servant="yes")])

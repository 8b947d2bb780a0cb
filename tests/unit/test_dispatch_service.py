"""使用申请 → 审批 → 抽取 → 邀请/答复 → 委派, and decline proposals — through the services on an in-memory store.

JC-D1, JC-D2, JC-D3, JC-D4, YQ-D1, YQ-D2, YQ-D3, YQ-D4, YQ-D5, X-D1, X-D2.
"""
import pytest

from core import vocab
from core.errors import DomainError, PermissionDenied, ValidationError
from services import dispatch, experts, fees, settings
from services.context import User
from tests.conftest import ADMIN, LEADER, OFFICE
from tests.factories import make_expert, seed_expert

DEPT = User("dept", "科室丙", vocab.ROLE_DEPARTMENT, "煤矿安全监管综合科")
SPEC = "1.3"


@pytest.fixture(autouse=True)
def budget(ctx):
    """JC 第十八条: approval needs a budget for the department and year (JC-F4)."""
    fees.set_budget(ctx, OFFICE, DEPT.department, 2026, 1_000_000)


def pool(ctx, n=6, **overrides):
    policy = settings.active_policy(ctx)
    return [seed_expert(ctx, OFFICE, make_expert(policy, specialties=[SPEC], state="在库",
                                                           term_start="2025-01-01", term_end="2027-12-31",
                                                           unit=f"某单位{i}", **overrides)) for i in range(n)]


def ask(ctx, count=2, actor=DEPT, **extra):
    data = {"department": "", "contact": "张三", "contact_phone": "13900000000", "matter": "煤矿通风系统专项检查",
            "task_type": settings.active_policy(ctx).drawing.task_types[0], "target_enterprises": ["某煤业公司"],
            "place": "泽州县", "outside_city": False, "start": "2026-12-01", "end": "2026-12-03",
            "needs": [{"specialty": SPEC, "count": count}], "min_title_level": None, "mode": "抽取",
            "emergency": False, "external_experts": []}
    data.update(extra)
    return dispatch.file_request(ctx, actor, data)[0]


def test_a_department_files_for_its_own_department_yq_d5(ctx):
    pool(ctx)
    request_id = ask(ctx)
    req = dispatch.request(ctx, request_id)
    assert req["department"] == "煤矿安全监管综合科" and req["status"] == "待审批" and req["days"] == 3


@pytest.mark.parametrize("overrides, message", [
    ({"end": "2026-11-30"}, "结束"),
    ({"needs": [{"specialty": SPEC, "count": 0}]}, "人数"),
    ({"needs": [{"specialty": "9.9", "count": 1}]}, "9.9"),
    ({"needs": [{"specialty": SPEC, "count": 7}]}, "仅6人"),
])
def test_bad_requests_are_refused_in_chinese_and_nothing_saved(ctx, overrides, message):
    pool(ctx)
    with pytest.raises(ValidationError, match=message):
        ask(ctx, **overrides)
    assert ctx.store.collection("requests").all() == []


def test_no_draw_before_approval_unless_emergency_jc_d2(ctx):
    pool(ctx)
    request_id = ask(ctx)
    with pytest.raises(DomainError, match="尚未审批"):
        dispatch.draw(ctx, OFFICE, request_id)
    urgent = ask(ctx, emergency=True)
    dispatch.draw(ctx, OFFICE, urgent)
    assert dispatch.request(ctx, urgent)["status"] == "待补批"
    dispatch.approve(ctx, LEADER, urgent, "同意（补批）")
    assert dispatch.request(ctx, urgent)["approval"]["after_the_fact"] is True


def test_ten_experts_need_the_main_leader_jc_d2(ctx):
    pool(ctx, 12)
    request_id = ask(ctx, count=10)
    assert dispatch.request(ctx, request_id)["required_level"] == "主要领导"
    with pytest.raises(PermissionDenied):
        dispatch.approve(ctx, DEPT, request_id, "同意")
    dispatch.approve(ctx, LEADER, request_id, "同意")
    assert dispatch.request(ctx, request_id)["approval"]["level"] == "主要领导"


def test_an_external_expert_below_senior_is_refused_jc_d2(ctx):
    pool(ctx)
    with pytest.raises(ValidationError, match="高级"):
        ask(ctx, external_experts=[{"name": "外聘甲", "unit": "太原某院", "title": "工程师", "title_level": "中级",
                                    "reason": "专业稀缺"}])


def approved(ctx, count=2, **extra):
    request_id = ask(ctx, count=count, **extra)
    dispatch.approve(ctx, LEADER, request_id, "同意")
    return request_id


def test_a_draw_invites_the_first_of_the_committed_order_and_is_recorded_x_d2(ctx):
    pool(ctx)
    request_id = approved(ctx)
    draw_id = dispatch.draw(ctx, OFFICE, request_id)
    record = ctx.store.collection("draws").get(draw_id)
    order = record["result"]["orders"][SPEC]
    invited = [a["expert_id"] for a in dispatch.assignments_of(ctx, request_id)]
    assert invited == order[:2] and len(record["result"]["seed"]) >= 16
    assert dispatch.verify(ctx, draw_id)[0] is True


def test_a_decline_moves_to_the_next_in_order_without_a_reshuffle_yq_d1(ctx):
    pool(ctx)
    request_id = approved(ctx)
    dispatch.draw(ctx, OFFICE, request_id)
    order = dispatch.latest_draw(ctx, request_id)["result"]["orders"][SPEC]
    first = dispatch.assignments_of(ctx, request_id)[0]
    dispatch.answer(ctx, OFFICE, first["id"], accepted=False, channel="电话", reason="出差", justified=True)
    invited = [a["expert_id"] for a in dispatch.assignments_of(ctx, request_id) if a["status"] != "已拒绝"]
    assert invited == [order[1], order[2]]
    assert len(dispatch.draws_of(ctx, request_id)) == 1


def test_all_accepted_means_dispatched_and_on_the_experts_record(ctx):
    pool(ctx)
    request_id = approved(ctx)
    dispatch.draw(ctx, OFFICE, request_id)
    for a in dispatch.assignments_of(ctx, request_id):
        dispatch.answer(ctx, OFFICE, a["id"], accepted=True, channel="微信")
    assert dispatch.request(ctx, request_id)["status"] == "已委派"
    first = dispatch.assignments_of(ctx, request_id)[0]["expert_id"]
    assert [t["matter"] for t in dispatch.tasks_of(ctx, first)] == ["煤矿通风系统专项检查"]


def test_a_decline_needs_a_reason_and_a_judgement(ctx):
    pool(ctx)
    request_id = approved(ctx)
    dispatch.draw(ctx, OFFICE, request_id)
    first = dispatch.assignments_of(ctx, request_id)[0]
    with pytest.raises(ValidationError, match="拒绝理由"):
        dispatch.answer(ctx, OFFICE, first["id"], accepted=False, channel="电话", reason="", justified=False)


def test_running_out_of_experts_tells_the_requester_to_adjust(ctx):
    pool(ctx, 2)
    request_id = approved(ctx, count=2)
    dispatch.draw(ctx, OFFICE, request_id)
    first = dispatch.assignments_of(ctx, request_id)[0]
    dispatch.answer(ctx, OFFICE, first["id"], accepted=False, channel="电话", reason="生病", justified=True)
    assert dispatch.request(ctx, request_id)["shortages"] == [SPEC]


def test_a_new_draw_needs_a_reason_and_both_stay_visible(ctx):
    """A re-draw fills the slot a decline left open once the pool has someone new; both draws stay on record."""
    pool(ctx, 2)
    request_id = approved(ctx)
    dispatch.draw(ctx, OFFICE, request_id)
    first = dispatch.assignments_of(ctx, request_id)[0]
    dispatch.answer(ctx, OFFICE, first["id"], accepted=False, channel="电话", reason="生病", justified=True)
    newcomer = pool(ctx, 1)[0]
    with pytest.raises(ValidationError, match="理由"):
        dispatch.draw(ctx, OFFICE, request_id)
    dispatch.draw(ctx, OFFICE, request_id, reason="库内新增专家，补足人数")
    assert [d["seq"] for d in dispatch.draws_of(ctx, request_id)] == [1, 2]
    invited = [a["expert_id"] for a in dispatch.assignments_of(ctx, request_id) if a["status"] == "邀请中"]
    assert newcomer in invited and len(invited) == 2
    assert dispatch.request(ctx, request_id)["shortages"] == []


def test_same_employer_is_excluded_with_its_reason_jc_d3(ctx):
    ids = pool(ctx, 4)
    experts.update_expert(ctx, OFFICE, ids[0], {"unit": "某煤业公司"})
    request_id = approved(ctx)
    dispatch.draw(ctx, OFFICE, request_id)
    result = dispatch.latest_draw(ctx, request_id)["result"]
    assert ids[0] not in result["orders"][SPEC]
    assert any(x["expert_id"] == ids[0] and x["rule"] == "same_employer" for x in result["exclusions"])


def test_two_unjustified_declines_in_a_year_raise_a_proposal_not_a_dismissal_jc_d4(ctx):
    ids = pool(ctx, 3)
    for n in range(2):
        request_id = approved(ctx, count=3, matter=f"煤矿通风系统专项检查（第{n + 1}批）")
        dispatch.draw(ctx, OFFICE, request_id)
        target = next(a for a in dispatch.assignments_of(ctx, request_id) if a["expert_id"] == ids[0])
        dispatch.answer(ctx, OFFICE, target["id"], accepted=False, channel="电话", reason="不想去", justified=False)
    pending = dispatch.proposals(ctx)
    assert [p["expert_id"] for p in pending] == [ids[0]] and pending[0]["reason_number"] == 4
    assert ctx.store.collection("experts").get(ids[0])["state"] == "在库"
    case_id = dispatch.handle_proposal(ctx, OFFICE, pending[0]["id"], open_case=True, note="核实属实")
    assert case_id and ctx.store.collection("experts").get(ids[0])["state"] == "暂停"


def test_yangquan_three_declines_in_a_row_raise_a_proposal_yq_d4(ctx):
    settings.set_active_policy(ctx, ADMIN, "yangquan-2024", confirmed=True)
    SPEC_YQ = settings.active_policy(ctx).taxonomy.all_specialty_codes()[0]
    policy = settings.active_policy(ctx)
    ids = [seed_expert(ctx, OFFICE, make_expert(policy, specialties=[SPEC_YQ], state="在库",
                                                          term_start="2025-01-01", term_end="2027-12-31",
                                                          unit=f"单位{i}")) for i in range(3)]
    for n in range(3):
        request_id = dispatch.file_request(ctx, OFFICE, {
            "department": "安监科", "contact": "李四", "matter": f"安全检查{n}", "task_type": "安全生产",
            "target_enterprises": [], "start": f"2026-12-0{n + 1}", "end": f"2026-12-0{n + 1}",
            "needs": [{"specialty": SPEC_YQ, "count": 3}], "mode": "抽取", "emergency": False})[0]
        dispatch.approve(ctx, OFFICE, request_id, "同意")
        dispatch.draw(ctx, OFFICE, request_id)
        target = next(a for a in dispatch.assignments_of(ctx, request_id) if a["expert_id"] == ids[0])
        dispatch.answer(ctx, OFFICE, target["id"], accepted=False, channel="微信", reason="有事", justified=True)
    assert [p["reason_number"] for p in dispatch.proposals(ctx)] == [11]


def test_only_the_office_draws(ctx):
    pool(ctx)
    request_id = approved(ctx)
    with pytest.raises(PermissionDenied):
        dispatch.draw(ctx, DEPT, request_id)


def test_the_dispatch_forms_render_from_a_real_draw_jc_d2_x_d2(ctx):
    import io

    from docx import Document

    pool(ctx)
    request_id = approved(ctx)
    dispatch.draw(ctx, OFFICE, request_id)
    for a in dispatch.assignments_of(ctx, request_id):
        dispatch.answer(ctx, OFFICE, a["id"], accepted=True, channel="电话")
    forms = {title: build() for title, _, build in dispatch.forms_for(ctx, request_id)}
    assert set(forms) == {"服务派遣审批单（附件7）", "抽取记录单"}
    record = "\\n".join(c.text for t in Document(io.BytesIO(forms["抽取记录单"])).tables for r in t.rows for c in r.cells)
    seed = dispatch.latest_draw(ctx, request_id)["result"]["seed"]
    assert seed in record.replace(" ", "").replace("\\n", "") or seed[:8] in record


def test_changing_a_dispatched_expert_needs_approval_again_in_jincheng_jc_d2(ctx):
    pool(ctx)
    request_id = approved(ctx)
    dispatch.draw(ctx, OFFICE, request_id)
    for a in dispatch.assignments_of(ctx, request_id):
        dispatch.answer(ctx, OFFICE, a["id"], accepted=True, channel="电话")
    first = dispatch.assignments_of(ctx, request_id)[0]
    req = dispatch.replace_expert(ctx, OFFICE, first["id"], "该专家突发疾病")
    assert req["status"] == "待审批" and req["approval"] is None
    assert [r["id"] for r in dispatch.awaiting_approval(ctx, LEADER)] == [request_id]
    dispatch.approve(ctx, LEADER, request_id, "同意调整")
    assert len(dispatch.request(ctx, request_id)["approvals"]) == 2


def test_yangquan_direct_selection_only_from_eligible_experts_yq_d2(ctx):
    settings.set_active_policy(ctx, ADMIN, "yangquan-2024", confirmed=True)
    policy = settings.active_policy(ctx)
    spec = policy.taxonomy.all_specialty_codes()[0]
    ids = [seed_expert(ctx, OFFICE, make_expert(policy, specialties=[spec], state="在库",
                                                          term_start="2025-01-01", term_end="2027-12-31",
                                                          unit=f"单位{i}")) for i in range(3)]
    experts.update_expert(ctx, OFFICE, ids[2], {"unit": "被查企业甲"})
    request_id = dispatch.file_request(ctx, OFFICE, {
        "department": "安监科", "contact": "李四", "matter": "标准化定级现场核查", "task_type": "安全生产",
        "target_enterprises": ["被查企业甲"], "start": "2026-12-08", "end": "2026-12-08",
        "needs": [{"specialty": spec, "count": 1}], "mode": "选派", "direct_reason": "3", "emergency": False})[0]
    dispatch.approve(ctx, OFFICE, request_id, "同意")
    eligible, _ = dispatch.eligible_for_selection(ctx, request_id)
    assert ids[2] not in eligible[spec]
    with pytest.raises(ValidationError, match="不在可选名单"):
        dispatch.select_directly(ctx, OFFICE, request_id, {spec: [ids[2]]})
    dispatch.select_directly(ctx, OFFICE, request_id, {spec: [ids[0]]})
    assert [a["expert_id"] for a in dispatch.assignments_of(ctx, request_id)] == [ids[0]]


def test_a_declared_unavailable_period_excludes_the_expert_from_the_draw_x_d1(ctx):
    from datetime import date

    ids = pool(ctx, 4)
    experts.declare_unavailable(ctx, OFFICE, ids[1], date(2026, 11, 30), date(2026, 12, 5), "住院")
    request_id = approved(ctx)
    dispatch.draw(ctx, OFFICE, request_id)
    result = dispatch.latest_draw(ctx, request_id)["result"]
    assert ids[1] not in result["orders"][SPEC]
    assert any(x["expert_id"] == ids[1] and x["rule"] == "unavailable" for x in result["exclusions"])


def test_an_unavailable_period_ending_before_it_starts_is_refused(ctx):
    from datetime import date

    ids = pool(ctx, 1)
    with pytest.raises(ValidationError, match="结束日期"):
        experts.declare_unavailable(ctx, OFFICE, ids[0], date(2026, 12, 5), date(2026, 12, 1), "出差")
    assert ctx.store.collection("experts").get(ids[0]).get("unavailable") is None


def test_a_department_user_sees_its_requests_whatever_whitespace_the_names_carry_yq_d5(ctx):
    """Requests, evaluations, fees and budgets compare department names the same way (core.dispatch.same_department)."""
    pool(ctx)
    request_id = ask(ctx)
    spaced = User("dept2", "科室丙", vocab.ROLE_DEPARTMENT, " " + DEPT.department + " ")
    assert [r["id"] for r in dispatch.requests(ctx, spaced)] == [request_id]

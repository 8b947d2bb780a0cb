"""年度考核 through the services on an in-memory store: due list, pre-fill, save/correct, the dismissal proposal,
bad input saving nothing, the results list and Excel — JC-Y1, YQ-Y1."""
import io

import pytest
from openpyxl import load_workbook

from core.errors import PermissionDenied, ValidationError
from services import assessments, dispatch, experts, settings, training
from tests.conftest import ADMIN, DEPARTMENT, LEADER, OFFICE
from tests.factories import make_expert, seed_expert

SPEC = "1.3"


def pool(ctx, n=3, **kw):
    policy = settings.active_policy(ctx)
    spec = kw.pop("spec", SPEC)
    return [seed_expert(ctx, OFFICE, make_expert(policy, specialties=[spec], state="在库",
                                                           term_start="2025-01-01", term_end="2027-12-31",
                                                           unit=f"某单位{i}", **kw)) for i in range(n)]


def task(ctx, expert_id, start, *, status="已完成", rating=None, **kw):
    """A hand-made dispatched task (request + assignment [+ evaluation]) of the active profile."""
    pid = settings.active_policy(ctx).id
    rid = ctx.store.collection("requests").insert(
        {"policy_id": pid, "matter": kw.pop("matter", "专项检查"), "department": "煤矿科", "start": start, "end": start,
         "status": "已完成" if status == "已完成" else "已委派"}, actor="t", action="t")
    aid = ctx.store.collection("assignments").insert(
        {"policy_id": pid, "request_id": rid, "expert_id": expert_id, "status": status, "start": start, "end": start,
         "days_worked": 1, **kw}, actor="t", action="t")
    if rating:
        ctx.store.collection("evaluations").insert(
            {"policy_id": pid, "request_id": rid, "ratings": [{"expert_id": expert_id, "overall": rating}]},
            actor="t", action="t")
    return aid


def jc_data(ctx, expert_id, year=2026, conclusion="continue", **kw):
    pre = assessments.prefill(ctx, expert_id, year)
    a = settings.active_policy(ctx).assessment
    data = {"item_ratings": {item: "良" for item in a.items}, "conclusion": conclusion,
            "self_evaluation": {"items": ["发现重大隐患2处", "提出整改建议"], "comment": "认真",
                                "service_ratings": {str(t["assignment_id"]): "良" for t in pre["services"]["tasks"]}}}
    data.update(kw)
    return data


def test_every_pool_expert_is_due_and_overdue_after_june_jc_y1(ctx):
    ids = pool(ctx)
    rows = assessments.due_list(ctx, 2026)
    assert [r["expert_id"] for r in rows] == ids
    assert all(r["status"] == "未考核" and r["overdue"] for r in rows)  # today is 2026-11-25, deadline 2026-06-30
    assert assessments.period(ctx, 2026)["past_deadline"] is True


def test_prefill_gathers_the_years_tasks_ratings_and_trainings_jc_y1(ctx):
    first, second, _ = pool(ctx)
    task(ctx, first, "2025-10-09", rating="优", matter="通风检查")
    task(ctx, first, "2026-03-02", status="已拒绝", answered_on="2026-03-01", decline_justified=False)
    task(ctx, second, "2025-10-09")
    training.record_session(ctx, OFFICE, {"title": "法规宣贯", "held_on": "2026-01-10", "hours": 4,
                                          "attendees": [first]})
    pre = assessments.prefill(ctx, first, 2026)
    s = pre["services"]
    assert [t["matter"] for t in s["tasks"]] == ["通风检查"] and s["tasks"][0]["rating"] == "优"
    assert (s["declined"], s["declined_unjustified"], s["trainings_attended"]) == (1, 1, 1)
    assert "无正当理由1次" in pre["summary"]


def test_saving_an_assessment_marks_the_expert_assessed_and_a_correction_replaces_it(ctx):
    first = pool(ctx)[0]
    task(ctx, first, "2025-10-09", rating="良")
    aid = assessments.save(ctx, OFFICE, first, 2026, jc_data(ctx, first))
    row = next(r for r in assessments.due_list(ctx, 2026) if r["expert_id"] == first)
    assert row["status"] == "已考核" and row["conclusion"] == "继续使用" and not row["overdue"]
    again = assessments.save(ctx, OFFICE, first, 2026, jc_data(ctx, first, conclusion="observe", note="再观察"))
    assert again == aid and len(ctx.store.collection("assessments").all()) == 1
    saved = assessments.get(ctx, first, 2026)
    assert saved["conclusion_label"] == "继续观察使用" and saved["corrected_from"]["conclusion"] == "continue"
    actions = [e["action"] for e in ctx.store.audit.entries(collection="assessments")]
    assert actions == ["履职考核", "更正履职考核"]


def test_a_dismissal_conclusion_raises_exactly_one_proposal_jc_y1(ctx):
    first = pool(ctx)[0]
    assessments.save(ctx, OFFICE, first, 2026, jc_data(ctx, first, conclusion="dismiss", note="能力较差"))
    assessments.save(ctx, OFFICE, first, 2026, jc_data(ctx, first, conclusion="dismiss", note="更正说明"))
    found = ctx.store.collection("proposals").all()
    assert len(found) == 1
    p = found[0]
    assert (p["source"], p["reason_number"], p["status"], p["expert_id"]) == ("年度考核", 3, "待处理", first)
    assert "建议解聘" in p["text"] and "能力较差" in p["text"]
    assert [x["id"] for x in dispatch.proposals(ctx)] == [p["id"]]  # shown on the dismissal page


def test_no_second_open_proposal_when_one_exists_already(ctx):
    first = pool(ctx)[0]
    ctx.store.collection("proposals").insert({"expert_id": first, "policy_id": "jincheng-2026", "status": "待处理",
                                              "source": "拒绝委派", "reason_number": 4, "text": "两次拒绝"},
                                             actor="t", action="t")
    assessments.save(ctx, OFFICE, first, 2026, jc_data(ctx, first, conclusion="dismiss"))
    assert [p["source"] for p in ctx.store.collection("proposals").all()] == ["拒绝委派"]


def test_correcting_a_dismissal_conclusion_withdraws_its_open_proposal(ctx):
    first = pool(ctx)[0]
    assessments.save(ctx, OFFICE, first, 2026, jc_data(ctx, first, conclusion="dismiss"))
    assessments.save(ctx, OFFICE, first, 2026, jc_data(ctx, first, conclusion="observe"))
    assert [p["status"] for p in ctx.store.collection("proposals").all()] == ["已撤回"]
    assert dispatch.proposals(ctx) == []


@pytest.mark.parametrize("change, message", [
    (lambda d: d["item_ratings"].update({"专家服务专业能力情况": "优秀"}), "不在优、良、中、差之内"),
    (lambda d: d["item_ratings"].pop("专家服务廉洁自律情况"), "专家服务廉洁自律情况"),
    (lambda d: d["self_evaluation"].update(items=[f"业绩{i}" for i in range(6)]), "最多列5项"),
    (lambda d: d.update(conclusion=None), "请选择考核结论"),
])
def test_bad_input_is_refused_in_chinese_and_nothing_saved_jc_y1(ctx, change, message):
    first = pool(ctx)[0]
    data = jc_data(ctx, first)
    change(data)
    with pytest.raises(ValidationError, match=message):
        assessments.save(ctx, OFFICE, first, 2026, data)
    assert ctx.store.collection("assessments").all() == []
    assert ctx.store.collection("proposals").all() == []


def test_a_failed_correction_keeps_the_saved_assessment(ctx):
    first = pool(ctx)[0]
    assessments.save(ctx, OFFICE, first, 2026, jc_data(ctx, first))
    bad = jc_data(ctx, first, conclusion="dismiss")
    bad["item_ratings"]["专家服务态度及诚信情况"] = "甲"
    with pytest.raises(ValidationError):
        assessments.save(ctx, OFFICE, first, 2026, bad)
    assert assessments.get(ctx, first, 2026)["conclusion"] == "continue"
    assert ctx.store.collection("proposals").all() == []


def test_only_the_office_assesses(ctx):
    first = pool(ctx)[0]
    for actor in (DEPARTMENT, LEADER):
        with pytest.raises(PermissionDenied):
            assessments.save(ctx, actor, first, 2026, jc_data(ctx, first))
    assessments.save(ctx, ADMIN, first, 2026, jc_data(ctx, first))


def test_an_expert_out_of_the_pool_is_not_assessed(ctx):
    policy = settings.active_policy(ctx)
    gone = experts.create_expert(ctx, OFFICE, make_expert(policy, specialties=[SPEC], state="申请中"))
    with pytest.raises(ValidationError, match="不在2026年度履职考核范围内"):
        assessments.save(ctx, OFFICE, gone, 2026, jc_data(ctx, gone))


def test_yq_evaluates_only_the_experts_dispatched_in_the_year_and_lists_results_yq_y1(ctx):
    settings.set_active_policy(ctx, ADMIN, "yangquan-2024")
    first, second, third = pool(ctx, spec=settings.active_policy(ctx).taxonomy.all_specialty_codes()[0])
    task(ctx, first, "2025-08-01", rating="一般")
    task(ctx, second, "2026-02-01", status="已拒绝", answered_on="2026-01-30", decline_justified=True)
    assert [r["expert_id"] for r in assessments.due_list(ctx, 2026)] == [first]
    with pytest.raises(ValidationError, match="不在2026年度考评范围内"):
        assessments.save(ctx, OFFICE, second, 2026, {})
    items = settings.active_policy(ctx).assessment.items
    data = {"item_ratings": {i: "良好" for i in items}, "conclusion": "remove", "note": "不能胜任"}
    assessments.save(ctx, OFFICE, first, 2026, data)
    assert ctx.store.collection("proposals").all()[0]["reason_number"] == 9
    lines = assessments.results(ctx, 2026)
    assert [r["line"]["conclusion"] for r in lines] == ["提出清退意见"]
    assert "出勤：良好" in lines[0]["line"]["ratings"] and lines[0]["line"]["evaluation"] == "一般1"


def test_the_results_excel_has_a_column_per_item_and_keeps_formulas_as_text(ctx):
    first = pool(ctx)[0]
    assessments.save(ctx, OFFICE, first, 2026, jc_data(ctx, first, note="=SUM(A1)"))
    name, data = assessments.results_xlsx(ctx, 2026)
    assert name.endswith(".xlsx") and "履职考核" in name
    ws = load_workbook(io.BytesIO(data)).active
    header = [c.value for c in ws[1]]
    assert "专家服务态度及诚信情况" in header and header[-3:] == ["考核结论", "考核意见说明", "考核日期"]
    row = [c.value for c in ws[2]]
    assert row[header.index("考核意见说明")] == "=SUM(A1)" and ws.cell(2, header.index("考核意见说明") + 1).data_type == "s"


def test_a_task_dispatched_through_the_real_flow_is_prefilled(ctx):
    ids = pool(ctx, 4)
    rid = dispatch.file_request(ctx, OFFICE, {
        "department": "煤矿安全监管综合科", "contact": "张三", "matter": "通风系统专项检查",
        "task_type": settings.active_policy(ctx).drawing.task_types[0], "target_enterprises": ["某煤业"],
        "start": "2026-12-01", "end": "2026-12-02", "needs": [{"specialty": SPEC, "count": 1}], "mode": "抽取",
        "emergency": True})[0]  # drawn before approval: this test does not depend on the budget check at approval
    dispatch.draw(ctx, OFFICE, rid)
    invited = dispatch.assignments_of(ctx, rid)[0]
    dispatch.answer(ctx, OFFICE, invited["id"], accepted=True, channel="电话")
    services = assessments.prefill(ctx, invited["expert_id"], 2027)["services"]
    assert [(t["matter"], t["days"]) for t in services["tasks"]] == [("通风系统专项检查", 2)]
    assert invited["expert_id"] in ids

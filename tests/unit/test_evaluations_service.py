"""任务完成 → 服务评价 → 年度后果、逾期清单、工作记录卡、帮扶 — through services/evaluations.py on an in-memory store.

JC-V1, YQ-V1, YQ-V2, X-V1. Tasks are made by the real request → approve → draw → accept flow; the clock is moved
to file before the task and to finish after it. Bad input: a Chinese error and nothing saved.
"""
from datetime import date, datetime, timedelta

import pytest

from core import vocab
from core.errors import DomainError, PermissionDenied, ValidationError
from services import dispatch, evaluations, experts, settings
from services.context import User
from tests.conftest import ADMIN, LEADER, OFFICE
from tests.factories import make_expert, seed_expert

DEPT = User("dept", "科室丙", vocab.ROLE_DEPARTMENT, "煤矿安全监管综合科")
OTHER_DEPT = User("dept2", "科室丁", vocab.ROLE_DEPARTMENT, "危险化学品安全监督管理科")


def at(clock, y, m, d):
    clock.now = datetime(y, m, d, 10, 0, 0)


def use_yq(ctx):
    settings.set_active_policy(ctx, ADMIN, "yangquan-2024", confirmed=True)


def pool(ctx, n):
    policy = settings.active_policy(ctx)
    spec = policy.taxonomy.all_specialty_codes()[0]
    return [seed_expert(ctx, OFFICE, make_expert(policy, specialties=[spec], state="在库",
                                                           term_start="2025-01-01", term_end="2028-12-31",
                                                           unit=f"某单位{i}")) for i in range(n)]


def make_dispatched(ctx, clock, *, start="2026-12-01", end="2026-12-03", count=2, department="煤矿安全监管综合科",
                    matter="煤矿通风系统专项检查"):
    """A dispatched task (已委派) of the first `count` experts of the active profile, stored as the request → approve →
    draw → accept flow leaves it (tests/unit/test_dispatch_service.py covers that flow; approval there now also
    checks the budget, which is not what these tests are about). The clock is set ten days before the start."""
    policy = settings.active_policy(ctx)
    spec = policy.taxonomy.all_specialty_codes()[0]
    filed = date.fromisoformat(start) - timedelta(days=10)
    at(clock, filed.year, filed.month, filed.day)
    pool_ids = sorted(e["id"] for e in ctx.store.collection("experts").search(lambda e: e.get("policy_id") == policy.id))
    assert len(pool_ids) >= count, "create the pool first"
    request_id = ctx.store.collection("requests").insert({
        "policy_id": policy.id, "department": department, "contact": "张三", "contact_phone": "13900000000",
        "matter": matter, "task_type": policy.drawing.task_types[0], "target_enterprises": ["某煤业公司"],
        "place": "泽州县", "outside_city": False, "start": start, "end": end,
        "days": (date.fromisoformat(end) - date.fromisoformat(start)).days + 1,
        "needs": [{"specialty": spec, "count": count}], "mode": "抽取", "emergency": False, "external_experts": [],
        "filed_on": filed.isoformat(), "filed_by": "office", "required_level": "分管领导", "required_reason": "",
        "approval": {"by": "领导丁", "username": "leader", "role": "领导", "level": "分管领导",
                     "on": filed.isoformat(), "opinion": "同意", "after_the_fact": False},
        "status": "已委派"}, actor="office", action="测试：已委派的任务")
    for i, expert_id in enumerate(pool_ids[:count]):
        ctx.store.collection("assignments").insert({
            "request_id": request_id, "expert_id": expert_id, "policy_id": policy.id, "specialty": spec,
            "draw_id": None, "position": i + 1, "start": start, "end": end, "status": "已接受",
            "invited_on": filed.isoformat(), "answered_on": filed.isoformat(), "answer_channel": "电话",
            "decline_reason": "", "decline_justified": None}, actor="office", action="测试：专家接受委派")
    return request_id


def dispatched(ctx, clock, start="2026-12-01", end="2026-12-03", count=2, department="煤矿安全监管综合科"):
    """A dispatched task (已委派) of the first `count` experts of the active profile, stored as the draw-and-dispatch
    flow leaves it (tests/unit/test_dispatch_service.py covers that flow); the clock is set to ten days before."""
    return make_dispatched(ctx, clock, start=start, end=end, count=count, department=department)


def accepted(ctx, request_id):
    return [a for a in dispatch.assignments_of(ctx, request_id) if a["status"] in ("已接受", "已完成")]


def finish(ctx, request_id, days=None):
    rows = accepted(ctx, request_id)
    return evaluations.complete_task(ctx, OFFICE, request_id, days=days or {a["id"]: 1 for a in rows},
                                     work_summary="检查通风系统，发现隐患3处")


def snapshot(ctx, *names):
    return {n: ctx.store.collection(n).all() for n in names}


def jc_data(ctx, request_id, overalls=None, remark="现场发现重大隐患并提出整改方案", items=("发现主扇风机隐患",)):
    people = evaluations.participants(ctx, request_id)
    overalls = overalls or ["良"] * len(people)
    return {"ratings": [{"expert_id": p["expert_id"], "overall": o,
                         "indicators": {"1": "是", "2": "好", "3": "好", "4": "好", "5": "是", "6": "是", "7": "是"},
                         "reason": remark if o == "优" else ""} for p, o in zip(people, overalls)],
            "meaningful_items": list(items)}


def yq_data(ctx, request_id, overalls, reason="未按时到岗，检查不细"):
    people = evaluations.participants(ctx, request_id)
    return {"ratings": [{"expert_id": p["expert_id"], "overall": o, "reason": reason if o in ("一般", "较差") else ""}
                        for p, o in zip(people, overalls)]}


# --- task completion ---------------------------------------------------------------------------------------------
def test_the_office_finishes_a_task_with_each_experts_days(ctx, clock):
    pool(ctx, 3)
    rid = dispatched(ctx, clock)
    at(clock, 2026, 12, 3)
    rows = accepted(ctx, rid)
    saved = evaluations.complete_task(ctx, OFFICE, rid, days={rows[0]["id"]: 3, str(rows[1]["id"]): "2"},
                                      work_summary="检查通风")
    assert saved["status"] == "已完成" and saved["completed_on"] == "2026-12-03" and saved["work_summary"] == "检查通风"
    assert [(a["status"], a["days_worked"]) for a in accepted(ctx, rid)] == [("已完成", 3), ("已完成", 2)]


@pytest.mark.parametrize("bad, message", [(0, "至少1天"), (-1, "至少1天"), (1.5, "正整数"), (4, "超过"), ("两天", "正整数")])
def test_zero_negative_fractional_or_too_many_days_are_refused_naming_the_expert_and_nothing_saved(ctx, clock, bad,
                                                                                                  message):
    pool(ctx, 3)
    rid = dispatched(ctx, clock)
    at(clock, 2026, 12, 4)
    rows = accepted(ctx, rid)
    name = evaluations.participants(ctx, rid)[1]["name"]
    before = snapshot(ctx, "requests", "assignments")
    with pytest.raises(ValidationError) as info:
        evaluations.complete_task(ctx, OFFICE, rid, days={rows[0]["id"]: 2, rows[1]["id"]: bad}, work_summary="检查")
    assert any(name in m and message in m for _, m in info.value.errors)
    assert snapshot(ctx, "requests", "assignments") == before


def test_a_task_not_yet_ended_or_not_dispatched_cannot_be_finished(ctx, clock):
    pool(ctx, 3)
    rid = dispatched(ctx, clock)
    at(clock, 2026, 12, 2)
    with pytest.raises(DomainError, match="尚未结束"):
        finish(ctx, rid)
    at(clock, 2026, 11, 20)
    other = dispatch.file_request(ctx, OFFICE, {
        "department": "科", "contact": "张三", "matter": "检查", "task_type": settings.active_policy(ctx).drawing.task_types[0],
        "start": "2026-12-01", "end": "2026-12-01", "mode": "抽取",
        "needs": [{"specialty": settings.active_policy(ctx).taxonomy.all_specialty_codes()[0], "count": 1}],
        "emergency": False})[0]
    at(clock, 2026, 12, 5)
    with pytest.raises(DomainError, match="已委派"):
        evaluations.complete_task(ctx, OFFICE, other, days={}, work_summary="x")
    assert dispatch.request(ctx, other)["status"] == "待审批"


def test_every_expert_needs_days_and_a_work_record_and_a_department_may_not_finish(ctx, clock):
    pool(ctx, 3)
    rid = dispatched(ctx, clock)
    at(clock, 2026, 12, 4)
    rows = accepted(ctx, rid)
    with pytest.raises(ValidationError) as info:
        evaluations.complete_task(ctx, OFFICE, rid, days={rows[0]["id"]: 1}, work_summary=" ")
    assert {k for k, _ in info.value.errors} == {f"days.{rows[1]['id']}", "work_summary"}
    with pytest.raises(PermissionDenied):
        evaluations.complete_task(ctx, DEPT, rid, days={a["id"]: 1 for a in rows}, work_summary="x")
    assert dispatch.request(ctx, rid)["status"] == "已委派"


# --- JC-V1 evaluation ----------------------------------------------------------------------------------------------
def test_jc_v1_the_using_department_evaluates_its_finished_task_on_time(ctx, clock):
    pool(ctx, 3)
    rid = dispatched(ctx, clock)
    at(clock, 2026, 12, 4)
    finish(ctx, rid)
    saved = evaluations.evaluate(ctx, DEPT, rid, jc_data(ctx, rid, ["优", "良"]))
    assert saved["form_id"] == "jc_fj8" and saved["late"] is False and saved["deadline"] == "2026-12-08"
    assert saved["ratings"][0]["overall"] == "优" and saved["ratings"][0]["indicators"]["8"] == "优"
    assert saved["ratings"][0]["reason"] == "现场发现重大隐患并提出整改方案"
    assert saved["work_record"] == "检查通风系统，发现隐患3处" and saved["meaningful_items"] == ["发现主扇风机隐患"]
    assert saved["consequences"] == []


def test_jc_v1_evaluating_an_unfinished_task_is_refused_and_nothing_saved(ctx, clock):
    pool(ctx, 3)
    rid = dispatched(ctx, clock)
    at(clock, 2026, 12, 4)
    with pytest.raises(DomainError, match="尚未登记完成"):
        evaluations.evaluate(ctx, DEPT, rid, jc_data(ctx, rid))
    assert ctx.store.collection("evaluations").all() == []


def test_jc_v1_excellent_without_a_reason_is_refused_and_nothing_saved(ctx, clock):
    pool(ctx, 3)
    rid = dispatched(ctx, clock)
    at(clock, 2026, 12, 4)
    finish(ctx, rid)
    with pytest.raises(ValidationError, match="备注"):
        evaluations.evaluate(ctx, DEPT, rid, jc_data(ctx, rid, ["优", "良"], remark=""))
    assert ctx.store.collection("evaluations").all() == []


def test_jc_v1_three_experts_may_not_all_be_rated_good_but_two_may(ctx, clock):
    pool(ctx, 4)
    rid = dispatched(ctx, clock, count=3)
    at(clock, 2026, 12, 4)
    finish(ctx, rid)
    with pytest.raises(ValidationError, match="不得全部评价为“良”"):
        evaluations.evaluate(ctx, DEPT, rid, jc_data(ctx, rid, ["良", "良", "良"]))
    assert ctx.store.collection("evaluations").all() == []
    assert evaluations.evaluate(ctx, DEPT, rid, jc_data(ctx, rid, ["良", "良", "一般"]))["id"]
    two = dispatched(ctx, clock, count=2)
    at(clock, 2026, 12, 4)
    finish(ctx, two)
    assert evaluations.evaluate(ctx, DEPT, two, jc_data(ctx, two, ["良", "良"]))["id"]


@pytest.mark.parametrize("overall", ["很好", "优秀", ""])
def test_jc_v1_a_rating_outside_the_scale_is_refused_and_nothing_saved(ctx, clock, overall):
    pool(ctx, 3)
    rid = dispatched(ctx, clock)
    at(clock, 2026, 12, 4)
    finish(ctx, rid)
    data = jc_data(ctx, rid)
    data["ratings"][0]["overall"] = overall
    with pytest.raises(ValidationError, match="优、良、一般、较差"):
        evaluations.evaluate(ctx, DEPT, rid, data)
    assert ctx.store.collection("evaluations").all() == []


def test_jc_v1_meaningful_items_must_be_one_to_three_and_every_expert_rated(ctx, clock):
    pool(ctx, 3)
    rid = dispatched(ctx, clock)
    at(clock, 2026, 12, 4)
    finish(ctx, rid)
    with pytest.raises(ValidationError, match="1–3项"):
        evaluations.evaluate(ctx, DEPT, rid, jc_data(ctx, rid, items=()))
    data = jc_data(ctx, rid)
    data["ratings"].pop()
    with pytest.raises(ValidationError, match="未评价"):
        evaluations.evaluate(ctx, DEPT, rid, data)
    assert ctx.store.collection("evaluations").all() == []


def test_jc_v1_another_department_may_not_evaluate_but_spaces_in_the_name_do_not_matter(ctx, clock):
    pool(ctx, 3)
    rid = dispatched(ctx, clock)
    at(clock, 2026, 12, 4)
    finish(ctx, rid)
    with pytest.raises(PermissionDenied, match="本科室"):
        evaluations.evaluate(ctx, OTHER_DEPT, rid, jc_data(ctx, rid))
    spaced = User("dept3", "科室戊", vocab.ROLE_DEPARTMENT, " 煤矿安全 监管综合科 ")
    assert evaluations.evaluate(ctx, spaced, rid, jc_data(ctx, rid))["id"]
    with pytest.raises(PermissionDenied):
        evaluations.evaluate(ctx, LEADER, rid, jc_data(ctx, rid))


def test_jc_v1_a_correction_replaces_the_one_evaluation_and_is_audited(ctx, clock):
    pool(ctx, 3)
    rid = dispatched(ctx, clock)
    at(clock, 2026, 12, 4)
    finish(ctx, rid)
    first = evaluations.evaluate(ctx, DEPT, rid, jc_data(ctx, rid, ["良", "良"]))
    second = evaluations.evaluate(ctx, OFFICE, rid, jc_data(ctx, rid, ["优", "良"]))
    assert second["id"] == first["id"] and len(ctx.store.collection("evaluations").all()) == 1
    assert second["ratings"][0]["overall"] == "优" and second["corrections"][0]["by"] == "office"
    actions = [e["action"] for e in ctx.store.audit.entries(collection="evaluations")]
    assert actions == ["服务评价", "更正服务评价"]


def test_jc_v1_x_v1_deadline_is_three_working_days_across_the_2026_national_day_holiday(ctx, clock):
    """Ends Wed 2026-09-30; 10-01..10-07 off, 10-08 (1), 10-09 (2), Sat 10-10 is a make-up working day (3)."""
    pool(ctx, 3)
    rid = dispatched(ctx, clock, start="2026-09-28", end="2026-09-30")
    at(clock, 2026, 10, 8)
    finish(ctx, rid)
    pending = evaluations.pending_evaluations(ctx, DEPT)
    assert [(p["request_id"], p["deadline"], p["overdue"]) for p in pending] == [(rid, "2026-10-10", False)]
    at(clock, 2026, 10, 10)
    assert evaluations.overdue_evaluations(ctx, DEPT) == []
    at(clock, 2026, 10, 12)
    late = evaluations.overdue_evaluations(ctx, DEPT)
    assert [(r["request_id"], r["deadline"], r["days_overdue"]) for r in late] == [(rid, "2026-10-10", 2)]
    assert "附件8" in late[0]["kind"]
    assert evaluations.overdue_evaluations(ctx, OTHER_DEPT) == []
    saved = evaluations.evaluate(ctx, DEPT, rid, jc_data(ctx, rid))
    assert saved["late"] is True and evaluations.overdue_evaluations(ctx, DEPT) == []


# --- YQ-V1 / YQ-V2 ---------------------------------------------------------------------------------------------
def test_yq_v1_ratings_general_or_poor_need_a_written_explanation_and_nothing_saved(ctx, clock):
    use_yq(ctx)
    pool(ctx, 3)
    rid = dispatched(ctx, clock)
    at(clock, 2026, 12, 4)
    finish(ctx, rid)
    with pytest.raises(ValidationError, match="书面说明"):
        evaluations.evaluate(ctx, OFFICE, rid, yq_data(ctx, rid, ["一般", "良好"], reason=""))
    with pytest.raises(ValidationError, match="优秀、良好、一般、较差"):
        evaluations.evaluate(ctx, OFFICE, rid, yq_data(ctx, rid, ["优", "良好"]))
    assert snapshot(ctx, "evaluations", "events", "proposals") == {"evaluations": [], "events": [], "proposals": []}
    saved = evaluations.evaluate(ctx, OFFICE, rid, yq_data(ctx, rid, ["优秀", "良好"]))
    assert saved["form_id"] == "yq_fb5" and saved["deadline"] == "2026-12-05"


def _yq_task(ctx, clock, start, end, rating_of):
    """A finished YQ task evaluated on its end day; rating_of(position, expert_id) gives each rating."""
    rid = dispatched(ctx, clock, start=start, end=end)
    y, m, d = (int(x) for x in end.split("-"))
    at(clock, y, m, d)
    finish(ctx, rid)
    people = evaluations.participants(ctx, rid)
    data = yq_data(ctx, rid, [rating_of(i, p["expert_id"]) for i, p in enumerate(people)])
    return rid, evaluations.evaluate(ctx, OFFICE, rid, data)


def first_general(i, _eid):
    return "一般" if i == 0 else "良好"


def test_yq_v2_first_general_in_a_year_records_a_talk_and_the_second_raises_a_proposal(ctx, clock):
    use_yq(ctx)
    pool(ctx, 2)
    _, first = _yq_task(ctx, clock, "2026-03-02", "2026-03-03", first_general)
    target = first["ratings"][0]["expert_id"]
    assert [c["action"] for c in first["consequences"]] == ["提醒谈话"]
    talks = ctx.store.collection("events").all()
    assert [(t["kind"], t["expert_id"], t["evaluation_id"], t["source"]) for t in talks] == [
        ("提醒谈话", target, first["id"], "服务评价")]
    assert "首次" in talks[0]["note"]
    _, second = _yq_task(ctx, clock, "2026-05-04", "2026-05-05", lambda i, e: "较差" if e == target else "良好")
    proposals = ctx.store.collection("proposals").all()
    assert [(p["expert_id"], p["source"], p["reason_number"], p["status"]) for p in proposals] == [
        (target, "服务评价", 3, "待处理")]
    assert len(ctx.store.collection("events").all()) == 1
    assert second["consequences"][0]["action"] == "调整退出建议"


def test_yq_v2_re_saving_the_same_evaluation_adds_no_second_talk_or_proposal(ctx, clock):
    use_yq(ctx)
    pool(ctx, 2)
    rid, first = _yq_task(ctx, clock, "2026-03-02", "2026-03-03", first_general)
    evaluations.evaluate(ctx, OFFICE, rid, yq_data(ctx, rid, ["一般", "良好"]))
    evaluations.evaluate(ctx, OFFICE, rid, yq_data(ctx, rid, ["一般", "良好"], reason="更正：迟到半小时"))
    assert len(ctx.store.collection("events").all()) == 1
    assert ctx.store.collection("proposals").all() == []


def test_yq_v2_a_general_in_the_previous_year_does_not_count(ctx, clock):
    use_yq(ctx)
    pool(ctx, 2)
    _, old = _yq_task(ctx, clock, "2025-12-01", "2025-12-02", first_general)
    target = old["ratings"][0]["expert_id"]
    _, new = _yq_task(ctx, clock, "2026-02-02", "2026-02-03", lambda i, e: "一般" if e == target else "良好")
    assert [c["action"] for c in new["consequences"]] == ["提醒谈话"], new["consequences"]
    assert len(ctx.store.collection("events").all()) == 2, new["consequences"][0]["outcome"]
    assert ctx.store.collection("proposals").all() == []


def test_yq_v2_a_department_evaluation_still_records_the_talk_for_the_office(ctx, clock):
    use_yq(ctx)
    pool(ctx, 2)
    rid = dispatched(ctx, clock, department="煤矿安全监管综合科")
    at(clock, 2026, 12, 4)
    finish(ctx, rid)
    saved = evaluations.evaluate(ctx, DEPT, rid, yq_data(ctx, rid, ["较差", "良好"]))
    assert saved["consequences"][0]["outcome"] == "已记录提醒谈话"
    assert ctx.store.collection("events").all()[0]["by"] == "system"


# --- YQ 附表六 and X-V1 overdue forms ---------------------------------------------------------------------------
def test_yq_v1_x_v1_unreturned_work_cards_are_overdue_forms_until_recorded(ctx, clock):
    use_yq(ctx)
    pool(ctx, 2)
    rid = dispatched(ctx, clock)
    at(clock, 2026, 12, 3)
    finish(ctx, rid)
    evaluations.evaluate(ctx, OFFICE, rid, yq_data(ctx, rid, ["优秀", "良好"]))
    at(clock, 2026, 12, 5)
    assert evaluations.overdue_evaluations(ctx, OFFICE) == []
    at(clock, 2026, 12, 7)
    late = evaluations.overdue_evaluations(ctx, OFFICE)
    assert [(r["kind"], r["deadline"], r["days_overdue"]) for r in late] == [("工作记录卡（附表六）", "2026-12-05", 2)] * 2
    first = accepted(ctx, rid)[0]
    card_id = evaluations.record_work_card(ctx, OFFICE, first["id"], {"matter": "通风检查", "situation": "检查3处\n发现隐患",
                                                                      "returned_on": "2026-12-06"})
    assert len(evaluations.overdue_evaluations(ctx, OFFICE)) == 1
    assert evaluations.record_work_card(ctx, OFFICE, first["id"], {"matter": "通风检查", "situation": "更正",
                                                                   "returned_on": "2026-12-06"}) == card_id
    assert ctx.store.collection("work_records").get(card_id)["situation"] == "更正"


def test_yq_v1_a_work_card_needs_its_fields_and_a_finished_task_and_nothing_saved(ctx, clock):
    use_yq(ctx)
    pool(ctx, 2)
    rid = dispatched(ctx, clock)
    at(clock, 2026, 12, 3)
    first = accepted(ctx, rid)[0]
    with pytest.raises(DomainError, match="尚未登记完成"):
        evaluations.record_work_card(ctx, OFFICE, first["id"], {"matter": "a", "situation": "b", "returned_on": "2026-12-03"})
    finish(ctx, rid)
    with pytest.raises(ValidationError) as info:
        evaluations.record_work_card(ctx, OFFICE, first["id"], {"matter": "", "situation": "", "returned_on": "2026-12-09"})
    assert {k for k, _ in info.value.errors} == {"matter", "situation", "returned_on"}
    assert ctx.store.collection("work_records").all() == []


def test_jc_has_no_work_card(ctx, clock):
    pool(ctx, 3)
    rid = dispatched(ctx, clock)
    at(clock, 2026, 12, 4)
    finish(ctx, rid)
    with pytest.raises(DomainError, match="工作记录卡"):
        evaluations.record_work_card(ctx, OFFICE, accepted(ctx, rid)[0]["id"], {})


# --- YQ assistance (第十五条–第十八条) ---------------------------------------------------------------------------
def test_assistance_is_recorded_and_an_urgent_report_is_flagged_until_acknowledged(ctx, clock):
    use_yq(ctx)
    pool(ctx, 2)
    rid = dispatched(ctx, clock)
    at(clock, 2026, 12, 2)
    aid = evaluations.report_urgent(ctx, DEPT, rid, "主井提升机制动失效，已责令停止作业并撤出人员")
    open_ = evaluations.urgent_reports(ctx)
    assert [(r["id"], r["enterprise"], r["matter"]) for r in open_] == [(aid, "某煤业公司", "煤矿通风系统专项检查")]
    assert evaluations.urgent_reports(ctx, user=OTHER_DEPT) == []
    with pytest.raises(ValidationError, match="采取的措施"):
        evaluations.acknowledge_urgent(ctx, OFFICE, aid, " ")
    evaluations.acknowledge_urgent(ctx, OFFICE, aid, "已通知县应急局现场核查")
    assert evaluations.urgent_reports(ctx) == [] and len(evaluations.urgent_reports(ctx, open_only=False)) == 1
    with pytest.raises(DomainError, match="已登记"):
        evaluations.acknowledge_urgent(ctx, OFFICE, aid, "再次")
    same = evaluations.record_assistance(ctx, OFFICE, rid, {
        "assistance_id": aid, "enterprise": "某煤业公司", "handed_over_on": "2026-12-02",
        "items": [{"problem": "制动闸瓦磨损", "suggestion": "更换"}, {"problem": "", "suggestion": ""}]})
    record = ctx.store.collection("assistance").get(same)
    assert same == aid and record["urgent"] is True and record["items"] == [{"problem": "制动闸瓦磨损", "suggestion": "更换"}]


def test_bad_assistance_is_refused_and_nothing_saved_and_jc_has_none(ctx, clock):
    pool(ctx, 3)
    jc_task = dispatched(ctx, clock)
    with pytest.raises(DomainError, match="帮扶"):
        evaluations.record_assistance(ctx, OFFICE, jc_task, {"enterprise": "x", "items": [{"problem": "p"}],
                                                             "handed_over_on": "2026-12-01"})
    use_yq(ctx)
    pool(ctx, 2)
    rid = dispatched(ctx, clock)
    with pytest.raises(ValidationError) as info:
        evaluations.record_assistance(ctx, OFFICE, rid, {"enterprise": "", "items": [{"problem": "", "suggestion": "改"}],
                                                         "handed_over_on": None})
    assert {k for k, _ in info.value.errors} == {"enterprise", "items.0.problem", "items", "handed_over_on"}
    with pytest.raises(ValidationError, match="报告内容"):
        evaluations.report_urgent(ctx, OFFICE, rid, "")
    with pytest.raises(PermissionDenied):
        evaluations.report_urgent(ctx, OTHER_DEPT, rid, "隐患")
    assert ctx.store.collection("assistance").all() == []


# --- forms of a task ---------------------------------------------------------------------------------------------
def test_forms_for_task_offer_the_profiles_forms(ctx, clock):
    pool(ctx, 3)
    rid = dispatched(ctx, clock)
    at(clock, 2026, 12, 4)
    finish(ctx, rid)
    assert [t for t, _, _ in evaluations.forms_for_task(ctx, rid)] == ["服务质量登记表（附件8）"]
    use_yq(ctx)
    pool(ctx, 2)
    yq = dispatched(ctx, clock)
    at(clock, 2026, 12, 4)
    finish(ctx, yq)
    evaluations.record_assistance(ctx, OFFICE, yq, {"enterprise": "某煤业公司", "items": [{"problem": "p"}],
                                                    "handed_over_on": "2026-12-03"})
    titles = [t for t, _, _ in evaluations.forms_for_task(ctx, yq)]
    assert titles[0] == "使用委派单（附表五，含评价）" and sum("附表六" in t for t in titles) == 2
    assert titles[-1] == "帮扶问题移交书·某煤业公司"
    assert all(build()[:2] == b"PK" for _, _, build in evaluations.forms_for_task(ctx, yq))


def test_sample_form_context_covers_only_this_modules_forms(ctx):
    from datetime import date
    jc, yq = ctx.policies["jincheng-2026"], ctx.policies["yangquan-2024"]
    assert evaluations.sample_form_context(jc, "jc_fj8", date(2026, 11, 25))[0]["form_id"] == "jc_fj8"
    assert evaluations.sample_form_context(yq, "yq_assistance", date(2026, 11, 25))[0]["urgent"] is True
    assert evaluations.sample_form_context(jc, "jc_fj7", date(2026, 11, 25)) is None
    assert evaluations.sample_form_context(jc, "yq_assistance", date(2026, 11, 25)) is None

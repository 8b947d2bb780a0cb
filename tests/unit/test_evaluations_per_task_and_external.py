"""服务评价 per task, and experts from outside the pool on 附件8 — JC-V1 (issue 10 items 1 and 9c).

Item 1: the evaluation of task B is built only from what is given for B and from B's own record — never from
task A's text. Item 9c: experts from outside the pool (JC 第十一条, on the request's external_experts, no
assignment record) get their days recorded at completion, are rated on 附件8 (marked 库外专家) and are paid."""
import io

import pytest
from docx import Document

from core.errors import ValidationError
from core.fees import external_key
from services import evaluations, fees
from tests.unit.test_evaluations_service import DEPT, OFFICE, accepted, at, dispatched, finish, jc_data, pool

OUTSIDER = {"name": "王教授", "unit": "太原理工大学", "title": "教授", "title_level": "正高级", "reason": "专业稀缺"}


def two_finished(ctx, clock):
    pool(ctx, 3)
    a = dispatched(ctx, clock, start="2026-12-01", end="2026-12-02")
    b = dispatched(ctx, clock, start="2026-12-03", end="2026-12-04")
    at(clock, 2026, 12, 4)
    for rid, summary in ((a, "甲任务：检查通风系统"), (b, "乙任务：检查瓦斯抽采")):
        evaluations.complete_task(ctx, OFFICE, rid, days={x["id"]: 1 for x in accepted(ctx, rid)},
                                  work_summary=summary)
    return a, b


def test_jc_v1_evaluating_b_uses_bs_own_summary_never_as(ctx, clock):
    a, b = two_finished(ctx, clock)
    evaluations.evaluate(ctx, DEPT, a, dict(jc_data(ctx, a), work_record="甲任务：改写的记录"))
    saved = evaluations.evaluate(ctx, DEPT, b, jc_data(ctx, b))          # no work_record given for B
    assert saved["work_record"] == "乙任务：检查瓦斯抽采"
    assert evaluations.evaluation_of(ctx, a)["work_record"] == "甲任务：改写的记录"
    assert "甲任务" not in str(evaluations.evaluation_of(ctx, b))


def test_jc_v1_the_fj8_of_b_is_built_from_bs_saved_record(ctx, clock):
    a, b = two_finished(ctx, clock)
    evaluations.evaluate(ctx, DEPT, a, dict(jc_data(ctx, a), work_record="甲任务：改写的记录"))
    evaluations.evaluate(ctx, DEPT, b, dict(jc_data(ctx, b), work_record="乙任务：改写的记录"))
    [(_, _, build)] = evaluations.forms_for_task(ctx, b)
    doc = Document(io.BytesIO(build()))
    text = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "乙任务：改写的记录" in text and "甲任务" not in text


def external_task(ctx, clock, externals):
    pool(ctx, 3)
    rid = dispatched(ctx, clock)
    ctx.store.collection("requests").update(rid, {"external_experts": externals}, actor="office",
                                            action="测试：经主要领导批准聘请库外专家")
    at(clock, 2026, 12, 4)
    return rid


def test_jc_v1_outside_pool_experts_take_part_with_their_days_recorded_at_completion(ctx, clock):
    rid = external_task(ctx, clock, [OUTSIDER])
    people = evaluations.participants(ctx, rid)
    assert [(p["name"], p["external"], p["assignment_id"]) for p in people][-1] == ("王教授", True, None)
    days = {x["id"]: 3 for x in accepted(ctx, rid)} | {external_key(1): 2}
    saved = evaluations.complete_task(ctx, OFFICE, rid, days=days, work_summary="检查通风系统")
    assert saved["external_days"] == {"库外1": 2}
    outsider = [p for p in evaluations.participants(ctx, rid) if p["external"]][0]
    assert (outsider["status"], outsider["days_worked"]) == ("已完成", 2)


def test_jc_v1_an_outside_pool_experts_days_are_required_and_checked(ctx, clock):
    rid = external_task(ctx, clock, [OUTSIDER])
    with pytest.raises(ValidationError) as info:
        evaluations.complete_task(ctx, OFFICE, rid, days={x["id"]: 3 for x in accepted(ctx, rid)},
                                  work_summary="检查")
    assert any("王教授（库外专家）：请填写实际工作天数" in m for _, m in info.value.errors)
    with pytest.raises(ValidationError):
        evaluations.complete_task(ctx, OFFICE, rid, days={x["id"]: 3 for x in accepted(ctx, rid)}
                                  | {external_key(1): 4}, work_summary="检查")
    assert ctx.store.collection("requests").get(rid)["status"] == "已委派"


def test_jc_v1_outside_pool_experts_are_rated_on_fj8_marked_as_such(ctx, clock):
    rid = external_task(ctx, clock, [OUTSIDER])
    evaluations.complete_task(ctx, OFFICE, rid, days={x["id"]: 3 for x in accepted(ctx, rid)} | {"库外1": 3},
                              work_summary="检查通风系统")
    data = jc_data(ctx, rid, ["优", "良", "良"])
    saved = evaluations.evaluate(ctx, DEPT, rid, data)
    outsider = saved["ratings"][-1]
    assert (outsider["expert_id"], outsider["name"], outsider["external"], outsider["unit"]) == \
        ("库外1", "王教授", True, "太原理工大学")
    [(_, _, build)] = evaluations.forms_for_task(ctx, rid)
    doc = Document(io.BytesIO(build()))
    text = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "王教授（库外专家）" in text


def test_jc_v1_an_outside_pool_expert_left_unrated_is_refused(ctx, clock):
    rid = external_task(ctx, clock, [OUTSIDER])
    evaluations.complete_task(ctx, OFFICE, rid, days={x["id"]: 3 for x in accepted(ctx, rid)} | {"库外1": 3},
                              work_summary="检查通风系统")
    data = jc_data(ctx, rid, ["良", "优", "良"])
    data["ratings"] = data["ratings"][:2]
    with pytest.raises(ValidationError, match="未评价"):
        evaluations.evaluate(ctx, DEPT, rid, data)
    assert evaluations.evaluation_of(ctx, rid) is None


def test_jc_f1_an_outside_pool_expert_is_paid_on_the_fee_statement(ctx, clock):
    rid = external_task(ctx, clock, [dict(OUTSIDER, is_out_of_city=True)])
    evaluations.complete_task(ctx, OFFICE, rid, days={x["id"]: 3 for x in accepted(ctx, rid)} | {"库外1": 2},
                              work_summary="检查通风系统")
    found = [ln for ln in fees.lines(ctx, OFFICE, 2026) if ln.external]
    assert [(ln.expert_name, ln.days, ln.amount) for ln in found] == \
        [("王教授（库外专家，太原理工大学）", 2, fees.to_money("1000.00"))]
    assert fees.statement_xlsx(ctx, OFFICE, "expert", 2026)[1][:2] == b"PK"

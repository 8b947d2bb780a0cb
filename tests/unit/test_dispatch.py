"""使用申请检查、审批层级与拒绝委派后果（core/dispatch.py）— JC-D1, JC-D2, JC-D4, YQ-D1, YQ-D2, YQ-D4, YQ-D5.

每个测试从一份合格的申请出发（晋城 2026 或阳泉 2024 的真实档案），只改一处，看 check_request 的错误或提醒、
required_approval 的审批层级、may_draw 的审批把关、decline_consequence 的解聘建议。
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from core import vocab
from core.dispatch import (
    can_approve,
    change_needs_approval,
    check_request,
    decline_consequence,
    direct_reason_choices,
    may_draw,
    pool_counts,
    required_approval,
    status_on_filing,
    task_days,
    task_type_choices,
)
from core.errors import DomainError, ValidationError
from tests.factories import make_expert, real_policies

TODAY = date(2026, 6, 15)
POLICIES = real_policies()
JC = POLICIES["jincheng-2026"]
YQ = POLICIES["yangquan-2024"]


def in_pool(policy, n: int, specialty: str = "1.3", **overrides) -> list[dict]:
    """n appointed, in-term experts (在库) of one specialty."""
    base = {"state": "在库", "term_start": "2025-01-01", "term_end": "2027-12-31", "specialties": [specialty]}
    base.update(overrides)
    return [dict(make_expert(policy, **base), id=1000 + i) for i in range(n)]


def pool_for(policy) -> list[dict]:
    """Five 在库 副高级 experts in each of 1.1 … 1.3, enough for the ordinary requests below."""
    return [e for spec in ("1.1", "1.2", "1.3") for e in in_pool(policy, 5, spec)]


def jc_request(**changes) -> dict:
    req = {
        "policy_id": JC.id, "department": "煤矿安全监督管理科", "contact": "张三", "contact_phone": "0356-1234567",
        "matter": "某煤矿通风系统监督检查", "task_type": "监督检查", "target_enterprises": ["某煤业有限公司"],
        "place": "泽州县", "outside_city": False, "start": "2026-06-20", "end": "2026-06-21", "days": 2,
        "needs": [{"specialty": "1.3", "count": 2}], "min_title_level": None, "mode": "抽取", "direct_reason": None,
        "emergency": False, "filed_on": "2026-06-15", "filed_by": "dept", "external_experts": [], "approval": None,
        "status": "待审批",
    }
    req.update(changes)
    return req


def yq_request(**changes) -> dict:
    req = jc_request(policy_id=YQ.id, department="安全生产基础科", task_type="安全生产", matter="某企业安全检查")
    req.update(changes)
    return req


def errors_of(req: dict, policy=JC, pool=None) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as info:
        check_request(req, policy, pool_for(policy) if pool is None else pool, TODAY)
    return info.value.errors


def messages(req: dict, policy=JC, pool=None) -> str:
    return "；".join(m for _, m in errors_of(req, policy, pool))


def external(level: str = "副高级", **changes) -> dict:
    x = {"name": "王五", "unit": "山西某设计研究院", "title": "高级工程师", "title_level": level,
         "reason": "本地库内无矿井通风模拟专长的专家"}
    x.update(changes)
    return x


# ---------------------------------------------------------------------------------------------------------------
# check_request: a good request — JC-D1, YQ-D1
# ---------------------------------------------------------------------------------------------------------------
def test_a_complete_jc_request_passes_with_no_warnings_jc_d1():
    assert check_request(jc_request(), JC, pool_for(JC), TODAY) == []


def test_a_complete_yq_request_filed_in_time_passes_yq_d1():
    assert check_request(yq_request(), YQ, pool_for(YQ), TODAY) == []


def test_the_days_may_be_left_out_and_are_the_inclusive_span():
    assert check_request(jc_request(days=None), JC, pool_for(JC), TODAY) == []
    assert task_days("2026-06-20", "2026-06-21") == 2
    assert task_days("2026-06-20", "2026-06-20") == 1
    assert task_days("2026-06-21", "2026-06-20") is None and task_days("x", "2026-06-20") is None


# ---------------------------------------------------------------------------------------------------------------
# check_request: every problem, in one ValidationError, naming the field — JC-D1, YQ-D1
# ---------------------------------------------------------------------------------------------------------------
def test_empty_department_matter_and_contact_are_all_listed_in_one_error():
    errs = errors_of(jc_request(department=" ", matter="", contact=None))
    assert ("department", "使用科室（单位）不能为空") in errs
    assert ("matter", "使用事项不能为空") in errs
    assert ("contact", "联系人不能为空") in errs


def test_every_bad_field_is_reported_at_once():
    errs = errors_of(jc_request(matter="", task_type="参观", end="2026-06-19",
                                needs=[{"specialty": "1.3", "count": 0}]))
    assert {k for k, _ in errs} >= {"matter", "task_type", "end", "needs"}


def test_an_unknown_jc_task_type_is_refused_with_the_list_jc_d1():
    msg = messages(jc_request(task_type="参观学习"))
    assert "任务类型“参观学习”不在可选范围内" in msg and "事故调查" in msg
    assert task_type_choices(JC) == JC.drawing.task_types


def test_a_yq_request_takes_a_usage_category_not_a_task_type_yq_d1():
    assert task_type_choices(YQ) == ("安全生产", "应急管理")
    assert check_request(yq_request(task_type="应急管理"), YQ, pool_for(YQ), TODAY) == []
    assert "使用类别“安全检查”不在可选范围内（安全生产、应急管理）" in messages(yq_request(task_type="安全检查"), YQ)


def test_a_missing_task_type_is_asked_for():
    assert ("task_type", "请选择使用类别（安全生产、应急管理）") in errors_of(yq_request(task_type=""), YQ)


def test_an_end_on_the_start_day_is_one_day():
    assert check_request(jc_request(end="2026-06-20", days=1), JC, pool_for(JC), TODAY) == []


def test_an_end_before_the_start_is_refused():
    assert ("end", "使用结束日期（2026年6月19日）早于开始日期（2026年6月20日）") in \
        errors_of(jc_request(end="2026-06-19", days=None))


def test_missing_or_unreadable_dates_are_refused():
    errs = errors_of(jc_request(start=None, end="下周", days=None))
    assert ("start", "请填写使用开始日期") in errs
    assert ("end", "使用结束日期应为日期（如 2026-06-05）") in errs


def test_days_that_differ_from_the_span_are_refused():
    assert ("days", "共计天数应为2天（2026年6月20日至2026年6月21日，含首尾），填写的是3天") in \
        errors_of(jc_request(days=3))
    assert ("days", "共计天数应为正整数，填写的是“两天”") in errors_of(jc_request(days="两天"))


@pytest.mark.parametrize("count", [0, -1])
def test_a_count_of_zero_or_less_is_refused(count):
    assert ("needs", f"第1行 1.3 矿井通风与瓦斯防治：所需专家人数应为正整数，填写的是“{count}”") in \
        errors_of(jc_request(needs=[{"specialty": "1.3", "count": count}]))


@pytest.mark.parametrize("count", [1.5, "二", None, True])
def test_a_count_that_is_not_a_whole_number_is_refused(count):
    assert "所需专家人数应为正整数" in messages(jc_request(needs=[{"specialty": "1.3", "count": count}]))


def test_a_count_of_one_is_enough():
    assert check_request(jc_request(needs=[{"specialty": "1.3", "count": 1}]), JC, pool_for(JC), TODAY) == []


def test_no_needs_at_all_is_refused():
    assert ("needs", "请至少填写一个专业及所需专家人数") in errors_of(jc_request(needs=[]))


def test_an_unknown_specialty_is_named():
    msg = messages(jc_request(needs=[{"specialty": "9.9", "count": 1}]))
    assert "第1行：专业代码“9.9”不在分类表" in msg


def test_the_same_specialty_twice_is_refused():
    msg = messages(jc_request(needs=[{"specialty": "1.3", "count": 1}, {"specialty": "1.3", "count": 1}]))
    assert "专业 1.3 矿井通风与瓦斯防治 重复填写，请合并为一行" in msg


def test_more_experts_asked_than_the_pool_holds_is_refused():
    pool = in_pool(JC, 2, "1.3")
    assert ("needs", "1.3 矿井通风与瓦斯防治：申请3人，库内在库专家仅2人") in \
        errors_of(jc_request(needs=[{"specialty": "1.3", "count": 3}]), pool=pool)
    assert check_request(jc_request(needs=[{"specialty": "1.3", "count": 2}]), JC, pool, TODAY) == []


def test_only_in_term_in_pool_experts_of_the_specialty_are_counted():
    pool = (in_pool(JC, 1, "1.3") + in_pool(JC, 1, "1.3", state="暂停") + in_pool(JC, 1, "1.3", state="解聘")
            + in_pool(JC, 1, "1.3", term_end="2026-06-19") + in_pool(JC, 1, "1.2")
            + in_pool(JC, 1, "1.3", term_start="2026-07-01", term_end="2029-06-30"))
    assert pool_counts(pool, date(2026, 6, 20)) == {"1.3": 1, "1.2": 1}
    assert "申请2人，库内在库专家仅1人" in messages(jc_request(needs=[{"specialty": "1.3", "count": 2}]), pool=pool)


def test_with_a_minimum_title_only_experts_at_that_title_are_counted():
    pool = in_pool(JC, 2, "1.3") + in_pool(JC, 2, "1.3", title_level="中级")
    req = jc_request(needs=[{"specialty": "1.3", "count": 3}], min_title_level="副高级")
    assert "1.3 矿井通风与瓦斯防治：申请3人，库内在库且职称达到副高级的专家仅2人" in messages(req, pool=pool)
    assert check_request(dict(req, min_title_level="中级"), JC, pool, TODAY) == []


def test_a_minimum_title_outside_the_vocabulary_is_refused():
    assert "最低职称要求“高级”不在职称等级中" in messages(jc_request(min_title_level="高级"))


# ---------------------------------------------------------------------------------------------------------------
# 选派 — YQ-D2 (第十四条(一)2 seven reasons), JC 第十一条 随机选取
# ---------------------------------------------------------------------------------------------------------------
def test_jc_refuses_direct_selection_citing_random_choice_jc_d1():
    errs = errors_of(jc_request(mode="选派", direct_reason="专家熟悉情况"))
    assert ("mode", "晋城市 2026办法没有直接选派的规定，专家应按“随机选取”原则从库中抽取（第十一条）") in errs
    assert direct_reason_choices(JC) == ()


def test_yq_direct_selection_needs_one_of_the_seven_reasons_yq_d2():
    assert len(direct_reason_choices(YQ)) == 7
    msg = messages(yq_request(mode="选派", direct_reason=None), YQ)
    assert "选派须写明所依据的情形（第十四条(一)2）" in msg and "（7）省应急厅和市委市政府安排的其他紧急任务" in msg


def test_yq_direct_selection_with_a_reason_not_listed_is_refused_yq_d2():
    assert "选派依据“领导点名”不是第十四条(一)2所列情形之一" in \
        messages(yq_request(mode="选派", direct_reason="领导点名"), YQ)
    assert "不是第十四条(一)2所列情形之一" in messages(yq_request(mode="选派", direct_reason="8"), YQ)


@pytest.mark.parametrize("reason", ["3", "（3）", "各行业安全生产标准化定级现场核查；", "各行业安全生产标准化定级现场核查"])
def test_yq_direct_selection_with_a_listed_reason_by_number_or_text_passes_yq_d2(reason):
    assert check_request(yq_request(mode="选派", direct_reason=reason), YQ, pool_for(YQ), TODAY) == []


def test_yq_emergency_may_select_directly_without_a_listed_reason_yq_d2():
    warnings = check_request(yq_request(mode="选派", emergency=True, direct_reason=None), YQ, pool_for(YQ), TODAY)
    assert any("先委派后补批" in w for w in warnings)


def test_an_unknown_mode_is_refused():
    assert "使用方式应为“抽取”或“选派”" in messages(jc_request(mode="指定"))


# ---------------------------------------------------------------------------------------------------------------
# 库外专家 — JC-D2 (第十一条：高级及以上、主要领导批准)
# ---------------------------------------------------------------------------------------------------------------
def test_a_jc_external_expert_at_vice_senior_title_passes_jc_d2():
    assert check_request(jc_request(external_experts=[external("副高级")]), JC, pool_for(JC), TODAY) == []
    assert check_request(jc_request(external_experts=[external("正高级")]), JC, pool_for(JC), TODAY) == []


def test_a_jc_external_expert_at_intermediate_title_is_refused_jc_d2():
    assert ("external_experts", "第1名库外专家“王五”职称等级为中级：库外专家须具有高级及以上职称（第十一条）") in \
        errors_of(jc_request(external_experts=[external("中级")]))


def test_a_jc_external_expert_needs_name_unit_title_and_reason_jc_d2():
    msg = messages(jc_request(external_experts=[external(name="", unit=" ", title="", reason=None)]))
    assert "第1名库外专家缺少姓名、工作单位、职称、使用理由" in msg
    assert "职称等级“”不在职称等级中" in messages(jc_request(external_experts=[external(title_level=None)]))


def test_yq_has_no_external_experts():
    assert ("external_experts", "阳泉市 2024办法未规定使用库外专家，只能从专家库中选取") in \
        errors_of(yq_request(external_experts=[external()]), YQ)


# ---------------------------------------------------------------------------------------------------------------
# Reminders (warnings, not errors) — YQ-D1 lead days, YQ-D5 报备, emergencies, outside the city
# ---------------------------------------------------------------------------------------------------------------
def test_yq_filed_three_days_ahead_is_in_time_yq_d1():
    assert check_request(yq_request(filed_on="2026-06-15", start="2026-06-18", end="2026-06-18", days=1),
                         YQ, pool_for(YQ), TODAY) == []


def test_yq_filed_two_days_ahead_is_flagged_yq_d1():
    warnings = check_request(yq_request(filed_on="2026-06-15", start="2026-06-17", end="2026-06-17", days=1),
                             YQ, pool_for(YQ), TODAY)
    assert len(warnings) == 1
    assert warnings[0].startswith("申请时间不足3天（第十四条(一)1(2)：应提前3天送达使用申请表；")


def test_jc_has_no_lead_days():
    assert check_request(jc_request(start="2026-06-16", end="2026-06-16", days=1), JC, pool_for(JC), TODAY) == []


def test_a_non_emergency_request_starting_in_the_past_is_flagged():
    warnings = check_request(jc_request(start="2026-06-10", end="2026-06-10", days=1), JC, pool_for(JC), TODAY)
    assert warnings == ["使用开始日期（2026年6月10日）早于今天；已先行使用的紧急任务请勾选“使用后填写”"]


def test_an_emergency_notes_approval_afterwards_and_skips_the_lead_days_yq_d2():
    warnings = check_request(yq_request(emergency=True, start="2026-06-15", end="2026-06-15", days=1),
                             YQ, pool_for(YQ), TODAY)
    assert len(warnings) == 1 and "紧急使用（先委派后补批）" in warnings[0] and "待补批" in warnings[0]
    jc_warnings = check_request(jc_request(emergency=True), JC, pool_for(JC), TODAY)
    assert any("使用后填写" in w and "附件7 注4" in w for w in jc_warnings)


def test_a_request_filed_by_a_department_is_its_report_to_the_office_yq_d5():
    warnings = check_request(yq_request(), YQ, pool_for(YQ), TODAY, filer_role=vocab.ROLE_DEPARTMENT)
    assert warnings == ["使用科室提交本申请即向阳泉市应急管理和安全生产专家管理办公室报备（第十二条、第二十五条），"
                        "由其审核、抽取后委派专家"]
    assert check_request(yq_request(filed_by_role=vocab.ROLE_DEPARTMENT), YQ, pool_for(YQ), TODAY) == warnings
    assert check_request(yq_request(), YQ, pool_for(YQ), TODAY, filer_role=vocab.ROLE_OFFICE) == []


def test_a_task_outside_the_city_is_noted():
    warnings = check_request(jc_request(outside_city=True, place="长治市"), JC, pool_for(JC), TODAY)
    assert warnings == ["任务地点在晋城市以外（长治市），请做好专家交通和后勤保障"]


# ---------------------------------------------------------------------------------------------------------------
# Approval levels — JC-D2, YQ-D2
# ---------------------------------------------------------------------------------------------------------------
def test_jc_nine_experts_need_the_leader_in_charge_jc_d2():
    req = jc_request(needs=[{"specialty": "1.1", "count": 4}, {"specialty": "1.3", "count": 5}])
    got = required_approval(req, JC)
    assert got["level"] == "分管领导"
    assert got["reason"] == "使用专家前须经市应急管理局分管领导审签同意（第十一条）"


def test_jc_ten_experts_need_the_main_leader_jc_d2():
    req = jc_request(needs=[{"specialty": "1.1", "count": 5}, {"specialty": "1.3", "count": 5}])
    got = required_approval(req, JC)
    assert got["level"] == "主要领导"
    assert got["reason"] == "单次使用专家10人以上（本次10人），须报局主要领导批准（第十一条；附件7 注3）"


def test_jc_nine_in_pool_and_one_external_make_ten_jc_d2():
    req = jc_request(needs=[{"specialty": "1.3", "count": 9}], external_experts=[external()])
    got = required_approval(req, JC)
    assert got["level"] == "主要领导" and "本次10人" in got["reason"] and "专家库之外" in got["reason"]


def test_jc_any_external_expert_needs_the_main_leader_jc_d2():
    got = required_approval(jc_request(external_experts=[external()]), JC)
    assert got == {"level": "主要领导",
                   "reason": "使用专家库之外的专家（1人），须报市应急管理局主要领导批准（第十一条；附件7 注3）"}


def test_yq_requests_are_approved_by_the_office_whatever_their_size_yq_d2():
    got = required_approval(yq_request(needs=[{"specialty": "1.3", "count": 12}]), YQ)
    assert got["level"] == "专家管理办公室"
    assert got["reason"].startswith("使用申请由阳泉市应急管理和安全生产专家管理办公室审批（第十四条(一)；附表四）")


def test_required_approval_does_not_raise_on_odd_needs():
    assert required_approval({"needs": [None, {"count": "x"}], "external_experts": "x"}, JC)["level"] == "分管领导"


@pytest.mark.parametrize("role, level, ok", [
    ("领导", "分管领导", True), ("领导", "主要领导", True), ("领导", "专家管理办公室", False),
    ("专家管理办公室", "专家管理办公室", True), ("管理员", "专家管理办公室", True),
    ("专家管理办公室", "分管领导", False), ("管理员", "主要领导", False), ("使用科室", "分管领导", False),
    ("使用科室", "专家管理办公室", False), ("领导", "局长", False),
])
def test_who_may_sign_which_level_jc_d2_yq_d2(role, level, ok):
    assert can_approve(role, level) is ok


# ---------------------------------------------------------------------------------------------------------------
# may_draw — approval before the draw; emergencies first (JC 附件7 注4, YQ 第十四条(二))
# ---------------------------------------------------------------------------------------------------------------
def approval(level: str = "分管领导") -> dict:
    return {"by": "领导丁", "role": "领导", "level": level, "on": "2026-06-16", "opinion": "同意", "after_the_fact": False}


def test_a_non_emergency_request_cannot_be_drawn_before_approval_jc_d2():
    with pytest.raises(DomainError) as info:
        may_draw(jc_request(), JC)
    assert str(info.value) == "尚未审批，不能抽取（非紧急）"


def test_an_approved_request_may_be_drawn_jc_d2():
    assert may_draw(jc_request(approval=approval(), status="已审批"), JC) is None
    assert may_draw(yq_request(approval=approval("专家管理办公室"), status="已审批"), YQ) is None


def test_an_emergency_may_be_drawn_before_approval_and_waits_for_it_yq_d2():
    req = yq_request(emergency=True)
    assert status_on_filing(req, YQ) == "待补批" and status_on_filing(yq_request(), YQ) == "待审批"
    assert may_draw(dict(req, status="待补批"), YQ) is None
    assert may_draw(jc_request(emergency=True, status="待补批"), JC) is None


def test_a_big_request_signed_only_by_the_leader_in_charge_cannot_be_drawn_jc_d2():
    req = jc_request(needs=[{"specialty": "1.3", "count": 10}], approval=approval("分管领导"), status="已审批")
    with pytest.raises(DomainError, match="本申请须经主要领导审批"):
        may_draw(req, JC)
    assert may_draw(dict(req, approval=approval("主要领导")), JC) is None


def test_a_withdrawn_request_cannot_be_drawn():
    with pytest.raises(DomainError, match="申请已撤回"):
        may_draw(jc_request(status="已撤回", emergency=True), JC)


def test_changing_a_dispatched_jc_expert_needs_approval_again_jc_d2():
    assert change_needs_approval(jc_request(approval=approval(), status="已委派"), JC) is True
    assert change_needs_approval(jc_request(), JC) is False
    assert change_needs_approval(yq_request(approval=approval("专家管理办公室"), status="已委派"), YQ) is False


# ---------------------------------------------------------------------------------------------------------------
# Decline consequences — YQ-D4 (第二十四条(十一) 连续3次), JC-D4 (第九条(四) 一年内两次无正当理由)
# ---------------------------------------------------------------------------------------------------------------
_ids = iter(range(1, 10_000))


def answer(status: str, on: date, expert_id: int = 7, justified: bool | None = None) -> dict:
    return {"id": next(_ids), "request_id": 1, "expert_id": expert_id, "policy_id": "x", "start": on.isoformat(),
            "end": on.isoformat(), "status": status, "answered_on": on.isoformat(), "answer_channel": "电话",
            "decline_reason": "外出" if status == "已拒绝" else "",
            "decline_justified": justified if status == "已拒绝" else None}


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def test_yq_two_declines_in_a_row_are_not_yet_a_case_yq_d4():
    history = [answer("已拒绝", days_ago(20), justified=True), answer("已拒绝", days_ago(10), justified=False)]
    assert decline_consequence(7, history, YQ, TODAY) is None


def test_yq_three_declines_in_a_row_propose_removal_yq_d4():
    history = [answer("已完成", days_ago(90)), answer("已拒绝", days_ago(30), justified=True),
               answer("已拒绝", days_ago(20)), answer("已拒绝", days_ago(10), justified=False)]
    got = decline_consequence(7, history, YQ, TODAY)
    assert got["reason_number"] == 11
    assert got["text"] == "连续3次无法参加委派任务（2026年5月16日、2026年5月26日、2026年6月5日）"
    assert got["assignment_ids"] == [a["id"] for a in history[1:]]
    assert YQ.dismissal.reason(got["reason_number"]).text == "专家连续3次无法参加委派任务的；"


def test_yq_an_acceptance_in_between_resets_the_count_yq_d4():
    history = [answer("已拒绝", days_ago(40)), answer("已拒绝", days_ago(30)), answer("已接受", days_ago(20)),
               answer("已拒绝", days_ago(10))]
    assert decline_consequence(7, history, YQ, TODAY) is None
    history.append(answer("已拒绝", days_ago(5)))
    assert decline_consequence(7, history, YQ, TODAY) is None
    history.append(answer("已拒绝", days_ago(1)))
    assert decline_consequence(7, history, YQ, TODAY)["text"].startswith("连续3次无法参加委派任务（2026年6月5日")


def test_yq_answers_are_ordered_by_date_not_by_list_order_yq_d4():
    history = [answer("已拒绝", days_ago(3)), answer("已拒绝", days_ago(2)), answer("已拒绝", days_ago(1)),
               answer("已接受", days_ago(0))]
    assert decline_consequence(7, history, YQ, TODAY) is None
    history[-1] = answer("已接受", days_ago(10))
    assert decline_consequence(7, history, YQ, TODAY) is not None


def test_yq_cancelled_and_open_invitations_and_other_experts_do_not_count_yq_d4():
    history = [answer("已拒绝", days_ago(30)), answer("已取消", days_ago(25)), answer("邀请中", days_ago(22)),
               answer("已接受", days_ago(21), expert_id=8), answer("已拒绝", days_ago(20)),
               answer("已拒绝", days_ago(15), expert_id=8), answer("已拒绝", days_ago(10))]
    assert decline_consequence(7, history, YQ, TODAY) is not None
    assert decline_consequence(8, history, YQ, TODAY) is None
    assert decline_consequence("7", history, YQ, TODAY) is not None


def test_jc_two_unjustified_declines_within_a_year_propose_dismissal_jc_d4():
    history = [answer("已拒绝", days_ago(364), justified=False), answer("已接受", days_ago(100)),
               answer("已拒绝", days_ago(5), justified=False)]
    got = decline_consequence(7, history, JC, TODAY)
    assert got["reason_number"] == 4
    assert got["text"] == "一年内累计2次无正当理由不接受委派（2025年6月16日、2026年6月10日）"
    assert JC.dismissal.reason(got["reason_number"]).text.startswith("一年内累计两次无正当理由不接受委派")


def test_jc_a_decline_366_days_ago_is_outside_the_year_jc_d4():
    history = [answer("已拒绝", days_ago(366), justified=False), answer("已拒绝", days_ago(5), justified=False)]
    assert decline_consequence(7, history, JC, TODAY) is None


def test_jc_justified_or_not_yet_judged_declines_do_not_count_jc_d4():
    history = [answer("已拒绝", days_ago(50), justified=True), answer("已拒绝", days_ago(40), justified=None),
               answer("已拒绝", days_ago(5), justified=False)]
    assert decline_consequence(7, history, JC, TODAY) is None
    history.append(answer("已拒绝", days_ago(1), justified=False))
    assert decline_consequence(7, history, JC, TODAY)["text"].startswith("一年内累计2次")


def test_answers_after_today_are_not_counted():
    history = [answer("已拒绝", days_ago(5), justified=False), answer("已拒绝", TODAY + timedelta(days=3),
                                                                    justified=False)]
    assert decline_consequence(7, history, JC, TODAY) is None


@pytest.mark.parametrize("history", [
    None, [], [None, "x", 3], [{"expert_id": 7, "status": "已拒绝", "answered_on": "不详"}],
    [{"expert_id": 7, "status": "已拒绝", "answered_on": None, "start": None, "id": "a"}] * 3,
    [{"status": "已拒绝"}],
])
def test_decline_consequence_never_raises_on_odd_data(history):
    for policy in (JC, YQ):
        got = decline_consequence(7, history, policy, TODAY)
        assert got is None or got["reason_number"] in (4, 11)

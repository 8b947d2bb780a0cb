"""聘任周期（core/lifecycle.py）：状态变更表、公示期、聘期与期满、旧文件过渡、资料保存期、聘书编号。

JC-L1（申报 → 审核 → 推荐 → 拟定 → 领导小组审议 → 公示5日 → 聘任三年）、JC-L2（期满自行退出、可重新申请；
第二十条 旧文件满三年退出）、JC-L3（资料保存不少于五年）、YQ-L1（第七条 审核 → 公示 → 办公会议 → 名单 → 聘书）、
X-L1（每次变更写明原因，退回是新的变更）。
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from core import vocab
from core.errors import DomainError, ValidationError
from core.expert import term_end_for
from core.lifecycle import (
    allowed_next,
    appointment_term,
    certificate_number,
    check_deletable,
    check_notice,
    expired_ids,
    legacy_term_end,
    next_certificate_seq,
    notice_over,
    notice_window,
    plan_transition,
    retention_until,
)
from core.policy import PolicyError, load_policy

POLICIES = Path(__file__).resolve().parents[2] / "policies"
JC = load_policy(POLICIES / "jincheng-2026.toml")
YQ = load_policy(POLICIES / "yangquan-2024.toml")

JC_PATH = ["申请中", "已审核", "已推荐", "拟定", "公示中", "在库"]
YQ_PATH = ["申请中", "已审核", "公示中", "拟定", "在库"]


def make_expert(id: int = 1, state: str = "在库", term_end: str | None = "2029-06-04", **over) -> dict:
    return {"id": id, "name": "张三", "state": state, "term_end": term_end, **over}


def walk(path: list[str], policy) -> list[dict]:
    return [plan_transition(a, b, policy, reason=f"{a}到{b}") for a, b in zip(path, path[1:])]


# --- state changes ----------------------------------------------------------------------------------------------
def test_jc_l1_full_path_from_application_to_the_pool_is_one_transition_per_step():
    records = walk(JC_PATH, JC)
    assert [(r["from"], r["to"]) for r in records] == list(zip(JC_PATH, JC_PATH[1:]))
    assert records[3]["action"] == "领导小组会议审议通过，开始公示"
    assert all(r["policy_id"] == "jincheng-2026" and r["reason"] for r in records)


def test_yq_l1_path_is_review_notice_office_meeting_then_appointment():
    records = walk(YQ_PATH, YQ)
    assert records[-2]["action"] == "公示无异议，市安委办办公会议审定"
    assert records[-1]["action"] == "下文执行，发放聘书"
    with pytest.raises(DomainError):  # YQ has no 已推荐 (附件5) step
        plan_transition("已审核", "已推荐", YQ, reason="推荐")


@pytest.mark.parametrize("policy", [JC, YQ], ids=["jc", "yq"])
def test_x_l1_every_change_not_in_the_flow_is_refused_naming_both_states_and_the_allowed_ones(policy):
    allowed = {(t.from_state, t.to_state) for t in policy.lifecycle.flow}
    refused = 0
    for a in vocab.EXPERT_STATES:
        for b in vocab.EXPERT_STATES:
            if a == b or (a, b) in allowed:
                continue
            with pytest.raises(DomainError) as info:
                plan_transition(a, b, policy, reason="试图跳过")
            msg = str(info.value)
            assert f"不能从“{a}”直接变为“{b}”" in msg
            nxt = allowed_next(a, policy)
            assert ("、".join(nxt) in msg) if nxt else "最终状态" in msg
            refused += 1
    assert refused > 80


def test_jc_l1_applicant_cannot_jump_straight_into_the_pool():
    with pytest.raises(DomainError) as info:
        plan_transition("申请中", "在库", JC, reason="直接入库")
    assert str(info.value) == "不能从“申请中”直接变为“在库”（晋城市 2026）；“申请中”之后只能变为：已审核、未通过"


def test_x_l1_a_change_without_a_reason_is_a_validation_error():
    for reason in ("", "   ", None):
        with pytest.raises(ValidationError) as info:
            plan_transition("在库", "暂停", JC, reason=reason)  # type: ignore[arg-type]
        assert info.value.errors == [("reason", "请填写从“在库”变为“暂停”的原因")]


def test_x_l1_going_back_is_a_new_recorded_transition_not_an_edit():
    pause = plan_transition("在库", "暂停", JC, reason="第九条情形核查中")
    resume = plan_transition("暂停", "在库", JC, reason="核查不属实")
    assert (pause["from"], pause["to"], resume["from"], resume["to"]) == ("在库", "暂停", "暂停", "在库")
    assert resume["action"] == "恢复使用" and pause["reason"] == "第九条情形核查中"


def test_unknown_and_unchanged_states_are_refused():
    with pytest.raises(DomainError, match="未知的专家状态“退休”"):
        plan_transition("在库", "退休", JC, reason="x")
    with pytest.raises(DomainError, match="已是“在库”状态"):
        plan_transition("在库", "在库", JC, reason="x")


def test_jc_l2_expired_dismissed_and_failed_experts_may_reapply_but_banned_never():
    for state in ("期满退出", "解聘", "未通过"):
        assert plan_transition(state, "申请中", JC, reason="重新申报")["action"] == "重新申请"
    assert allowed_next("清退", JC) == ()
    with pytest.raises(DomainError, match="“清退”是最终状态"):
        plan_transition("清退", "申请中", JC, reason="重新申报")


def test_yq_has_no_permanent_ban_state_and_suspended_experts_can_also_expire():
    assert "清退" not in allowed_next("在库", YQ)
    assert allowed_next("暂停", JC) == ("在库", "期满退出", "解聘", "清退")
    assert allowed_next("暂停", YQ) == ("在库", "期满退出", "解聘")


def test_the_flow_is_validated_when_the_profile_loads():
    with pytest.raises(PolicyError, match="lifecycle.flow.0.to_state.*不在词表中"):
        JC.variant({"lifecycle.flow.0.to_state": "入库"})
    with pytest.raises(PolicyError, match="不能变更为自身"):
        JC.variant({"lifecycle.flow.0.to_state": "申请中"})
    with pytest.raises(PolicyError, match="lifecycle.flow.1.*“申请中→已审核”重复"):
        JC.variant({"lifecycle.flow.1.to_state": "已审核"})
    changed = JC.variant({"lifecycle.flow.0.to_state": "已推荐"})  # a profile may route differently: data only
    assert allowed_next("申请中", changed) == ("已推荐", "未通过")


# --- public notice ----------------------------------------------------------------------------------------------
def test_jc_l1_notice_runs_five_calendar_days_counting_both_ends():
    assert notice_window(date(2026, 7, 1), JC) == (date(2026, 7, 1), date(2026, 7, 5))
    assert notice_window(date(2026, 7, 1), JC, days=7) == (date(2026, 7, 1), date(2026, 7, 7))


def test_notice_end_before_its_start_is_refused():
    with pytest.raises(ValidationError) as info:
        check_notice(date(2026, 7, 5), date(2026, 7, 1))
    assert info.value.errors == [("notice_end", "公示结束日期（2026年7月1日）不能早于开始日期（2026年7月5日）")]


def test_a_notice_shorter_than_the_profile_days_is_refused_and_exactly_five_is_enough():
    with pytest.raises(ValidationError, match="公示期不足5日（2026年7月1日至2026年7月4日，共4日）"):
        check_notice(date(2026, 7, 1), date(2026, 7, 4), JC)
    assert check_notice("2026-07-01", "2026-07-05", JC) == (date(2026, 7, 1), date(2026, 7, 5))
    assert check_notice(date(2026, 7, 1), date(2026, 7, 1)) == (date(2026, 7, 1), date(2026, 7, 1))  # no policy


def test_notice_is_over_only_the_day_after_its_last_day():
    end = date(2026, 7, 5)
    assert not notice_over(end, date(2026, 7, 5))
    assert notice_over(end, date(2026, 7, 6))


# --- term, expiry, legacy ---------------------------------------------------------------------------------------
def test_jc_l1_term_is_three_years_ending_the_day_before_the_anniversary():
    assert appointment_term(date(2026, 6, 5), JC) == (date(2026, 6, 5), date(2029, 6, 4))
    assert appointment_term(date(2028, 2, 29), YQ) == (date(2028, 2, 29), date(2031, 2, 28))
    assert appointment_term(date(2026, 6, 5), JC)[1] == term_end_for(date(2026, 6, 5), 3)


def test_jc_l2_expiry_is_detected_the_day_after_the_term_end():
    experts = [make_expert(1), make_expert(2, state="暂停"), make_expert(3, state="期满退出"),
               make_expert(4, term_end=None), make_expert(5, term_end="2030-01-01"),
               make_expert(6, state="申请中")]
    assert expired_ids(experts, date(2029, 6, 4)) == []
    assert expired_ids(experts, date(2029, 6, 5)) == [1, 2]
    assert expired_ids([make_expert(7, term_end=date(2029, 6, 4))], date(2029, 6, 5)) == [7]


def test_jc_l2_legacy_appointees_leave_three_years_after_the_original_document():
    assert legacy_term_end(date(2023, 3, 15), JC) == date(2026, 3, 14)
    assert legacy_term_end(date(2023, 3, 15), JC) == term_end_for(date(2023, 3, 15), 3)
    assert legacy_term_end(date(2023, 3, 15), YQ) is None  # YQ has no transition rule


# --- records retention ------------------------------------------------------------------------------------------
def test_jc_l3_records_cannot_be_deleted_within_five_years():
    created = date(2026, 6, 5)
    assert retention_until(created, JC) == date(2031, 6, 4)
    with pytest.raises(DomainError) as info:
        check_deletable(created, date(2031, 6, 4), JC)
    assert str(info.value) == ("申报和审核资料应保存不少于5年（晋城市 2026办法规定）：该资料建于2026年6月5日，"
                               "须保存至2031年6月4日，此前不能删除")
    check_deletable(created, date(2031, 6, 5), JC)  # allowed from the fifth anniversary


def test_yq_retention_is_a_local_five_years_and_a_profile_without_one_allows_deletion():
    assert "record_retention_years" in YQ.lifecycle.set_locally
    with pytest.raises(DomainError, match="本地设置"):
        check_deletable(date(2024, 9, 1), date(2025, 1, 1), YQ)
    none = YQ.variant({"lifecycle.record_retention_years": None})
    assert retention_until(date(2024, 9, 1), none) is None
    check_deletable(date(2024, 9, 1), date(2024, 9, 2), none)


# --- certificate numbers ----------------------------------------------------------------------------------------
def test_certificate_number_uses_the_profile_format():
    assert certificate_number(JC, 2026, 1) == "晋应急专家聘字〔2026〕第001号"
    assert certificate_number(YQ, 2025, 123) == "阳安办专家聘字〔2025〕第123号"
    assert "certificate_number_format" in JC.lifecycle.set_locally


def test_certificate_number_refuses_a_bad_year_or_sequence():
    with pytest.raises(ValidationError, match="序号应为正整数"):
        certificate_number(JC, 2026, 0)
    with pytest.raises(ValidationError, match="四位年份"):
        certificate_number(JC, 26, 1)


def test_next_certificate_sequence_continues_the_year_and_ignores_other_years_and_formats():
    used = ["晋应急专家聘字〔2026〕第007号", "晋应急专家聘字〔2026〕第002号", "晋应急专家聘字〔2025〕第099号",
            "阳安办专家聘字〔2026〕第050号", "", "手写编号"]
    assert next_certificate_seq(used, JC, 2026) == 8
    assert next_certificate_seq(used, JC, 2027) == 1
    assert next_certificate_seq(used, YQ, 2026) == 51


def test_a_certificate_format_must_name_year_and_sequence():
    with pytest.raises(PolicyError, match="certificate_number_format.*应恰好包含"):
        JC.variant({"lifecycle.certificate_number_format": "晋应急专家聘字第{seq}号"})
    with pytest.raises(PolicyError, match="certificate_number_format"):
        JC.variant({"lifecycle.certificate_number_format": "〔{year}〕第{seq:xyz}号"})


# --- one gate per state (issue 10 item 7) --------------------------------------------------------------------------
from core.lifecycle import (CORRECTION_FORBIDDEN, WORKFLOW_TARGETS, Workflow, check_gate,  # noqa: E402
                            correction_target, plan_correction, plan_workflow_transition)


@pytest.mark.parametrize("policy", [JC, YQ], ids=["JC", "YQ"])
def test_x_l1_every_step_of_the_flow_has_exactly_one_workflow_that_produces_it(policy):
    for step in policy.lifecycle.flow:
        owners = []
        for flow in Workflow:
            try:
                check_gate(flow, step.from_state, step.to_state)
            except DomainError:
                continue
            owners.append(flow)
        assert len(owners) == 1, (step.from_state, step.to_state, owners)


def test_a_workflow_cannot_produce_a_state_outside_its_table():
    with pytest.raises(DomainError, match="只能通过“解聘清退”办理"):
        check_gate(Workflow.APPOINTMENT, "在库", "清退")
    with pytest.raises(DomainError, match="条件审核"):
        check_gate(Workflow.APPOINTMENT, "申请中", "已审核")
    with pytest.raises(DomainError, match="只能把“暂停”"):
        check_gate(Workflow.DISMISSAL, "公示中", "在库")  # 恢复使用 is from 暂停 only
    with pytest.raises(DomainError, match="未知的办理事项"):
        check_gate("状态变更", "在库", "暂停")


def test_the_gate_still_applies_the_profile_flow():
    with pytest.raises(DomainError, match="不能从"):
        plan_workflow_transition("拟定", "在库", JC, workflow=Workflow.APPOINTMENT, reason="跳过公示")
    step = plan_workflow_transition("公示中", "在库", JC, workflow="推荐与聘任", reason="公示期满无异议")
    assert (step["workflow"], step["kind"]) == ("推荐与聘任", "办理")
    assert set(WORKFLOW_TARGETS) == set(Workflow)


def _with_history(*steps: tuple[str, str]) -> dict:
    return make_expert(state=steps[-1][1], transitions=[{"from": a, "to": b, "at": "2026-11-25T10:00:00"}
                                                         for a, b in steps])


def test_correction_target_is_the_state_before_the_last_step_unless_it_is_forbidden():
    assert correction_target(_with_history(("申请中", "未通过")))[0] == "申请中"
    assert correction_target(_with_history(("公示中", "在库")))[0] == "公示中"
    for before in sorted(CORRECTION_FORBIDDEN):
        target, why = correction_target(_with_history((before, "暂停" if before == "在库" else "未通过")))
        assert target is None and before in why
    assert correction_target(make_expert(state="申请中"))[0] is None
    assert correction_target(make_expert(state="在库", transitions=[{"from": None, "to": "在库", "kind": "存量登记"}]))[0] is None
    assert correction_target(make_expert(state="在库", transitions="在库"))[0] is None


@pytest.mark.parametrize("target", sorted(CORRECTION_FORBIDDEN))
def test_correction_can_never_produce_a_forbidden_state_whatever_the_history(target):
    expert = _with_history((target, "暂停"))  # even when the state before really was the forbidden one
    with pytest.raises(DomainError):
        plan_correction(expert, target, what_was_wrong="误操作，应当撤回", why="经核对原始材料确认")


def test_correction_needs_both_texts_of_at_least_ten_characters():
    expert = _with_history(("申请中", "未通过"))
    with pytest.raises(ValidationError) as caught:
        plan_correction(expert, "申请中", what_was_wrong="点错", why="")
    assert [k for k, _ in caught.value.errors] == ["what_was_wrong", "why"]
    step = plan_correction(expert, "申请中", what_was_wrong="把甲的结论点到了乙身上",
                           why="经核对审核记录，乙尚未审核")
    assert (step["kind"], step["from"], step["to"], step["corrects"]) == ("更正", "未通过", "申请中", 0)

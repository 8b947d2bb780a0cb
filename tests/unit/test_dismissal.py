"""解聘 / 清退案件（core/dismissal.py）：立案、逐步办理、公示、撤销、提醒谈话和永不录用名单。

JC-R1（第九条 十种情形，立即停止使用，提出意见 → 分管领导 → 领导小组会议 → 公示5日 → 调整文件，(五)–(九) 永不录用）、
YQ-R1（第二十四条 十二种情形，提醒谈话或调整退出，(十) 年龄超过60周岁）、X-E1（永不录用的人不能再入库）。
"""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from core.dismissal import (
    advance_case,
    banned_reason,
    expert_state_after,
    next_step,
    open_case,
    reason_choices,
    reminder_talk,
)
from core.errors import DomainError, ValidationError
from core.policy import load_policy

POLICIES = Path(__file__).resolve().parents[2] / "policies"
JC = load_policy(POLICIES / "jincheng-2026.toml")
YQ = load_policy(POLICIES / "yangquan-2024.toml")
OPENED = date(2026, 7, 1)
ID_NUMBER = "14050219800101001X"


def make_expert(**over) -> dict:
    return {"id": 7, "name": "张三", "id_number": ID_NUMBER, "state": "在库", **over}


def jc_case(reason=6, **over) -> dict:
    return open_case(make_expert(**over), reason, "2026年6月出具的评审意见与现场不符", JC, OPENED, by="李科长")


def step(case: dict, policy=JC, **kw) -> dict:
    """Do the next step a day after the previous one (the day after the notice ends when it follows the notice);
    the notice step is published that day for exactly the profile's days."""
    last = case["steps"][-1]
    on = date.fromisoformat(last.get("notice_end") or last["done_on"]) + timedelta(days=1)
    if next_step(case, policy) == policy.dismissal.notice_step and "notice_start" not in kw:
        kw.update(notice_start=on, notice_end=on + timedelta(days=policy.dismissal.notice_days - 1))
    return advance_case(case, policy, done_on=kw.pop("done_on", on), by=kw.pop("by", "办公室"),
                        note=kw.pop("note", ""), **kw)


def finish(case: dict, policy=JC) -> dict:
    while case["status"] == "进行中":
        case = step(case, policy)
    return case


# --- opening a case ---------------------------------------------------------------------------------------------
def test_jc_r1_opening_a_case_suspends_the_expert_at_once_and_records_the_first_step():
    case = jc_case()
    assert case["suspend"] is True and case["status"] == "进行中" and case["outcome"] is None
    assert case["steps"] == [{"name": "立即停止使用", "done_on": "2026-07-01", "by": "李科长", "approved": True,
                              "note": "出现第九条（六）出具虚假专家意见的情形，立即停止使用"}]
    assert (case["reason_label"], case["permanent"]) == ("第九条（六）出具虚假专家意见的", True)
    assert (case["expert_id"], case["id_number"], case["name"], case["policy_id"]) == \
        (7, ID_NUMBER, "张三", "jincheng-2026")
    assert next_step(case, JC) == "专家初审推荐牵头科室提出专家解聘意见"


def test_jc_r1_an_expert_already_suspended_is_not_suspended_again():
    assert jc_case(state="暂停")["suspend"] is False


def test_yq_r1_does_not_suspend_and_starts_from_the_using_department_feedback():
    case = open_case(make_expert(), 2, "无故不完成指派任务", YQ, OPENED, by="办公室")
    assert case["suspend"] is False
    assert [s["name"] for s in case["steps"]] == ["专家使用部门反馈专家管理办公室"]


@pytest.mark.parametrize(("policy", "valid", "invalid"), [(JC, range(1, 11), (0, 11, -1)),
                                                          (YQ, range(1, 13), (0, 13))], ids=["jc", "yq"])
def test_jc_r1_yq_r1_reason_numbers_are_checked_against_the_profile(policy, valid, invalid):
    for n in valid:
        assert open_case(make_expert(), n, "事实", policy, OPENED, by="办公室")["reason_number"] == n
    for n in invalid:
        with pytest.raises(ValidationError) as info:
            open_case(make_expert(), n, "事实", policy, OPENED, by="办公室")
        assert info.value.errors[0][0] == "reason_number"
        assert f"{policy.dismissal.article}没有第（{n}）项情形" in str(info.value)


def test_a_case_needs_evidence_and_a_person_and_lists_every_problem_at_once():
    with pytest.raises(ValidationError) as info:
        open_case(make_expert(), 11, "  ", JC, OPENED, by="")
    assert [k for k, _ in info.value.errors] == ["reason_number", "evidence", "by"]
    assert "请填写事实和证据" in str(info.value)


def test_only_experts_in_the_pool_or_suspended_can_be_dismissed():
    with pytest.raises(DomainError, match="当前为“申请中”"):
        open_case(make_expert(state="申请中"), 1, "事实", JC, OPENED, by="办公室")


def test_x_e1_bribery_under_article_14_3_is_raised_by_its_key_and_is_permanent():
    case = open_case(make_expert(), "bribery", "收受被检查单位购物卡", JC, OPENED, by="办公室")
    assert (case["reason_number"], case["reason_key"], case["permanent"]) == (0, "bribery", True)
    assert case["reason_label"].startswith("第十四条（三）")
    with pytest.raises(ValidationError, match="没有标识为“gifts”"):
        open_case(make_expert(), "gifts", "事实", JC, OPENED, by="办公室")
    assert ("bribery", case["reason_label"]) in reason_choices(JC)
    assert len(reason_choices(JC)) == 11 and len(reason_choices(YQ)) == 12


# --- the full path ----------------------------------------------------------------------------------------------
def test_jc_r1_x_e1_permanent_reason_full_path_ends_banned_and_the_person_is_on_the_ban_list():
    case = finish(jc_case(6))
    assert [s["name"] for s in case["steps"]] == list(JC.dismissal.procedure)
    assert (case["status"], case["outcome"]) == ("已完成", "清退")
    assert expert_state_after(case) == "清退"
    notice = case["steps"][4]
    assert (notice["done_on"], notice["notice_start"], notice["notice_end"]) == ("2026-07-05", "2026-07-05",
                                                                                   "2026-07-09")
    assert case["steps"][5]["done_on"] == "2026-07-10" and case["next_step"] is None
    assert banned_reason(ID_NUMBER, [case]) == "曾因第九条（六）出具虚假专家意见被清退，永不录用"
    assert banned_reason(ID_NUMBER.lower(), [case]) is not None


def test_x_e1_a_finished_bribery_case_bans_with_article_14_3_as_the_reason():
    case = finish(open_case(make_expert(), "bribery", "收受现金", JC, OPENED, by="办公室"))
    assert case["outcome"] == "清退"
    assert banned_reason(ID_NUMBER, [case]) == \
        "曾因第十四条（三）违规收受任务对象单位现金、财物或获取其他不正当利益被清退，永不录用"


def test_jc_r1_non_permanent_reason_ends_dismissed_and_does_not_ban():
    case = finish(jc_case(4))
    assert (case["status"], case["outcome"], case["permanent"]) == ("已完成", "解聘", False)
    assert banned_reason(ID_NUMBER, [case]) is None


@pytest.mark.parametrize("at", range(5))
def test_jc_r1_disagreement_at_any_step_withdraws_the_case_and_the_expert_returns_to_the_pool(at):
    case = jc_case()
    for _ in range(at):
        case = step(case)
    name = next_step(case, JC)
    withdrawn = step(case, approved=False, note="经核实情形不成立")
    assert (withdrawn["status"], withdrawn["outcome"]) == ("已撤销", None)
    assert withdrawn["steps"][-1] == {"name": name, "done_on": withdrawn["closed_on"], "by": "办公室",
                                      "approved": False, "note": "经核实情形不成立"}
    assert expert_state_after(withdrawn) == "在库"
    assert banned_reason(ID_NUMBER, [withdrawn]) is None


def test_a_disagreement_needs_a_written_reason():
    with pytest.raises(ValidationError) as info:
        step(jc_case(), approved=False)
    assert info.value.errors == [("note", "不同意“专家初审推荐牵头科室提出专家解聘意见”时请写明理由")]


def test_yq_r1_withdrawn_case_leaves_the_state_alone_because_nothing_was_suspended():
    case = open_case(make_expert(), 2, "事实", YQ, OPENED, by="办公室")
    assert expert_state_after(step(case, YQ, approved=False, note="情况不属实")) is None


def test_yq_r1_age_over_sixty_is_a_plain_reason_ending_in_dismissal_without_notice():
    case = open_case(make_expert(), 10, "年满61周岁", YQ, OPENED, by="办公室")
    assert case["reason_label"] == "第二十四条（十）年龄超过60周岁或因身体原因不能胜任专家工作的"
    case = finish(case, YQ)
    assert [s["name"] for s in case["steps"]] == list(YQ.dismissal.procedure)
    assert (case["outcome"], case["permanent"]) == ("解聘", False)
    assert all("notice_start" not in s for s in case["steps"])


# --- step validation --------------------------------------------------------------------------------------------
def test_a_step_dated_before_the_previous_one_is_refused():
    case = jc_case()
    with pytest.raises(ValidationError) as info:
        advance_case(case, JC, done_on=OPENED - timedelta(days=1), by="办公室")
    assert info.value.errors == [("done_on", "“专家初审推荐牵头科室提出专家解聘意见”的日期（2026年6月30日）"
                                             "不能早于上一步“立即停止使用”的日期（2026年7月1日）")]
    assert len(advance_case(case, JC, done_on=OPENED, by="办公室")["steps"]) == 2  # same day is fine


def at_notice() -> dict:
    case = jc_case()
    while next_step(case, JC) != JC.dismissal.notice_step:
        case = step(case)
    return case  # meeting held on 2026-07-04


def test_jc_r1_the_notice_step_needs_its_dates():
    with pytest.raises(ValidationError, match="须填写公示开始和结束日期"):
        advance_case(at_notice(), JC, done_on=date(2026, 7, 20), by="办公室")


def test_jc_r1_a_notice_shorter_than_five_days_is_refused():
    with pytest.raises(ValidationError) as info:
        advance_case(at_notice(), JC, done_on=date(2026, 7, 20), by="办公室",
                     notice_start=date(2026, 7, 5), notice_end=date(2026, 7, 8))
    assert info.value.errors == [("notice_end", "公示期不足5日（2026年7月5日至2026年7月8日，共4日）")]


def test_jc_r1_notice_dates_must_be_in_order_and_after_the_meeting():
    case = at_notice()
    with pytest.raises(ValidationError, match="不能早于开始日期"):
        advance_case(case, JC, done_on=date(2026, 7, 5), by="办公室",
                     notice_start=date(2026, 7, 10), notice_end=date(2026, 7, 6))
    with pytest.raises(ValidationError, match="公示开始日期（2026年7月3日）不能早于上一步"):
        advance_case(case, JC, done_on=date(2026, 7, 5), by="办公室",
                     notice_start=date(2026, 7, 3), notice_end=date(2026, 7, 9))


def test_jc_r1_the_notice_is_recorded_when_published_and_the_next_step_waits_until_it_is_over():
    published = advance_case(at_notice(), JC, done_on=date(2026, 7, 5), by="办公室",
                             notice_start=date(2026, 7, 5), notice_end=date(2026, 7, 9))
    assert published["steps"][-1]["notice_end"] == "2026-07-09" and published["status"] == "进行中"
    with pytest.raises(ValidationError) as info:
        advance_case(published, JC, done_on=date(2026, 7, 9), by="办公室")
    assert info.value.errors == [("done_on", "公示至2026年7月9日，公示期满无异议后（次日起）才能办理“印发专家库人员调整文件”")]
    done = advance_case(published, JC, done_on=date(2026, 7, 10), by="办公室")
    assert (done["status"], done["outcome"]) == ("已完成", "清退")


def test_a_notice_that_is_the_last_step_is_itself_recorded_only_once_it_is_over():
    short = JC.variant({"dismissal.procedure": list(JC.dismissal.procedure[:5])})
    case = jc_case()
    while next_step(case, short) != short.dismissal.notice_step:
        case = step(case, short)
    kw = dict(by="办公室", notice_start=date(2026, 7, 5), notice_end=date(2026, 7, 9))
    with pytest.raises(ValidationError, match="公示期满无异议后（次日起）才能记录"):
        advance_case(case, short, done_on=date(2026, 7, 9), **kw)
    assert advance_case(case, short, done_on=date(2026, 7, 10), **kw)["outcome"] == "清退"


def test_an_objection_during_the_notice_withdraws_the_case_before_it_ends():
    published = step(at_notice())
    withdrawn = advance_case(published, JC, done_on=date(2026, 7, 7), by="办公室", approved=False,
                             note="公示期间收到异议，经核实情形不成立")
    assert (withdrawn["status"], withdrawn["next_step"]) == ("已撤销", None)


def test_notice_dates_on_another_step_are_refused():
    with pytest.raises(ValidationError, match="不是公示步骤"):
        advance_case(jc_case(), JC, done_on=OPENED, by="办公室", notice_start=OPENED, notice_end=OPENED)


def test_advancing_returns_a_new_case_and_leaves_the_given_one_unchanged():
    case = jc_case()
    before = repr(case)
    after = step(case)
    assert repr(case) == before and len(after["steps"]) == 2


def test_a_closed_case_cannot_be_advanced_and_nor_can_one_under_another_profile():
    done = finish(jc_case())
    with pytest.raises(DomainError, match="该案件已完成，不能再办理"):
        step(done)
    assert next_step(done, JC) is None
    with pytest.raises(DomainError, match="按策略“jincheng-2026”立案"):
        advance_case(jc_case(), YQ, done_on=OPENED, by="办公室")


# --- the ban list -----------------------------------------------------------------------------------------------
def test_x_e1_only_finished_permanent_cases_ban_and_other_people_are_not_affected():
    running = jc_case(6)
    withdrawn = step(jc_case(7), approved=False, note="不属实")
    dismissed = finish(jc_case(3))
    assert banned_reason(ID_NUMBER, [running, withdrawn, dismissed]) is None
    banned = finish(jc_case(5))
    assert banned_reason(ID_NUMBER, [running, withdrawn, dismissed, banned]) == \
        "曾因第九条（五）被依法追究刑事责任被清退，永不录用"
    assert banned_reason("140502198001010028", [banned]) is None
    assert banned_reason("", [banned]) is None


# --- YQ reminder talk -------------------------------------------------------------------------------------------
def test_yq_r1_first_poor_rating_of_the_year_is_a_recorded_reminder_talk():
    event = reminder_talk(make_expert(), 3, "年度内首次被评定为一般，已谈话提醒", YQ, OPENED, "专家管理办公室")
    assert event == {"kind": "提醒谈话", "expert_id": 7, "id_number": ID_NUMBER, "name": "张三",
                     "policy_id": "yangquan-2024", "reason_number": 3,
                     "reason_label": YQ.dismissal.reason_label(3), "note": "年度内首次被评定为一般，已谈话提醒",
                     "on": "2026-07-01", "by": "专家管理办公室"}


def test_reminder_talk_needs_a_note_and_does_not_exist_in_jincheng():
    with pytest.raises(ValidationError, match="请填写谈话内容"):
        reminder_talk(make_expert(), 3, "", YQ, OPENED, "办公室")
    with pytest.raises(DomainError, match="《晋城市 2026》没有提醒谈话程序"):
        reminder_talk(make_expert(), 3, "谈话", JC, OPENED, "办公室")


def test_a_permanent_ban_reason_cannot_be_settled_with_a_reminder_talk():
    talkative = JC.variant({"dismissal.reminder_talk": True})
    with pytest.raises(DomainError, match="属于永不录用情形，不能以提醒谈话代替"):
        reminder_talk(make_expert(), 5, "谈话", talkative, OPENED, "办公室")


# --- the profile's procedure as data ----------------------------------------------------------------------------
def test_the_dismissal_procedure_is_validated_when_the_profile_loads():
    from core.policy import PolicyError

    with pytest.raises(PolicyError, match="dismissal.notice_step.*不是 procedure 中的步骤"):
        JC.variant({"dismissal.notice_step": "公示七日"})
    with pytest.raises(PolicyError, match="dismissal.notice_step.*公示步骤不能在立案时就完成"):
        JC.variant({"dismissal.steps_at_opening": 5})
    with pytest.raises(PolicyError, match="dismissal.steps_at_opening"):
        JC.variant({"dismissal.steps_at_opening": 6})
    with pytest.raises(PolicyError, match="dismissal.notice_days.*有公示步骤时应写明公示天数"):
        JC.variant({"dismissal.notice_days": None})
    assert JC.dismissal.case_steps[0] == "专家初审推荐牵头科室提出专家解聘意见"

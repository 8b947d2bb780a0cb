"""服务评价规则（core/evaluation.py）— JC-V1, YQ-V1, YQ-V2, X-V1.

每个测试从一份合格的评价出发（晋城 2026 附件8、阳泉 2024 附表五的真实档案），只改一处，看 ValidationError 列出的问题、
评价时点、期限与逾期清单、年度内较低评价的后果。工作日用周一至周五（真实节假日见 tests/integration/test_calendar.py）。
"""
from __future__ import annotations

import copy
import tomllib
from datetime import date
from pathlib import Path

import pytest

from core.errors import DomainError, ValidationError
from core.evaluation import (
    ACTION_REMINDER,
    ACTION_REMOVAL,
    check_jc_evaluation,
    check_yq_rating,
    evaluation_deadline,
    indicator_key,
    may_evaluate,
    overdue,
    yq_consequence,
)
from core.policy import PolicyError, policy_from_data
from core.workdays import monday_to_friday
from tests.factories import real_policies

POLICIES = real_policies()
JC = POLICIES["jincheng-2026"]
YQ = POLICIES["yangquan-2024"]
PROFILES = Path(__file__).resolve().parents[2] / "policies"


# --- factories ---------------------------------------------------------------------------------------------------
def jc_rating(expert_id: int = 1, overall: str = "良", remark: str = "", **indicator_changes) -> dict:
    """A complete, valid 附件8 column for one expert; indicator_changes like i2="一般" or i8=None (drop)."""
    indicators = {"1": "是", "2": "好", "3": "好", "4": "好", "5": "是", "6": "是", "7": "是", "8": overall}
    for k, v in indicator_changes.items():
        key = k.lstrip("i")
        if v is None:
            indicators.pop(key, None)
        else:
            indicators[key] = v
    return {"expert_id": expert_id, "name": f"专家{expert_id}", "indicators": indicators, "overall": overall,
            "remark": remark}


def team(*overalls: str) -> list[dict]:
    return [jc_rating(i + 1, o, remark="现场发现重大隐患并提出整改方案" if o == "优" else "")
            for i, o in enumerate(overalls)]


ITEMS = ["发现主提升机制动系统隐患并提出整改措施"]


def problems(task, ratings, items=ITEMS, policy=JC) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as info:
        check_jc_evaluation(task, ratings, items, policy)
    return info.value.errors


def keys(errs) -> list[str]:
    return [k for k, _ in errs]


# --- JC-V1: a valid register ------------------------------------------------------------------------------------
def test_jc_v1_a_complete_register_passes_and_is_returned_cleaned():
    out = check_jc_evaluation({"id": 7}, team("优", "良"), ["  事项一 ", "", "事项二"], JC)
    assert out["meaningful_items"] == ["事项一", "事项二"]
    assert [r["overall"] for r in out["ratings"]] == ["优", "良"]
    assert out["ratings"][0]["indicators"]["8"] == "优" and len(out["ratings"][0]["indicators"]) == 8


def test_jc_v1_indicator_keys_are_the_numbers_as_text():
    assert [indicator_key(i) for i in JC.evaluations.indicators] == [str(n) for n in range(1, 9)]
    assert JC.evaluations.overall_indicator == 8


def test_jc_v1_overall_indicator_may_be_left_to_the_overall_field():
    out = check_jc_evaluation({}, [jc_rating(1, "良", i8=None)], ITEMS, JC)
    assert out["ratings"][0]["indicators"]["8"] == "良"


def test_jc_v1_overall_may_come_from_indicator_8_alone():
    r = jc_rating(1, "一般")
    r["overall"] = ""
    assert check_jc_evaluation({}, [r], ITEMS, JC)["ratings"][0]["overall"] == "一般"


def test_jc_v1_integer_indicator_keys_are_accepted():
    r = jc_rating(1)
    r["indicators"] = {int(k): v for k, v in r["indicators"].items()}
    assert check_jc_evaluation({}, [r], ITEMS, JC)["ratings"][0]["indicators"]["2"] == "好"


# --- JC-V1: the scale -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", ["很好", "合格", "优秀", "A"])
def test_jc_v1_overall_rating_outside_the_scale_is_refused(bad):
    errs = problems({}, [jc_rating(1, bad, i8=None)])
    assert keys(errs) == ["ratings.0.overall"]
    assert "优、良、一般、较差" in errs[0][1] and bad in errs[0][1]


def test_jc_v1_missing_overall_is_refused():
    r = jc_rating(1, "", i8=None)
    errs = problems({}, [r])
    assert ("ratings.0.overall", "专家1：总体评价应为优、良、一般、较差之一，当前为“未填”") in errs


def test_jc_v1_indicator_value_outside_its_options_is_refused():
    errs = problems({}, [jc_rating(1, i2="很好", i5="不确定")])
    assert keys(errs) == ["ratings.0.indicators.2", "ratings.0.indicators.5"]
    assert "好、一般、不好" in errs[0][1] and "是、否" in errs[1][1]


def test_jc_v1_missing_indicator_is_refused_with_its_text():
    errs = problems({}, [jc_rating(1, i3=None)])
    assert errs == [("ratings.0.indicators.3", "专家1：缺少第3项“专家工作责任心”")]


def test_jc_v1_unknown_indicator_is_refused():
    assert keys(problems({}, [jc_rating(1, i9="是")])) == ["ratings.0.indicators.9"]


def test_jc_v1_indicator_8_disagreeing_with_overall_is_refused():
    errs = problems({}, [jc_rating(1, "良", i8="一般")])
    assert keys(errs) == ["ratings.0.indicators.8"] and "不一致" in errs[0][1]


# --- JC-V1: 优 needs its reason in 备注 (附件8 注4) ---------------------------------------------------------------
def test_jc_v1_excellent_without_a_reason_in_remarks_is_refused():
    errs = problems({}, [jc_rating(1, "优", remark="  ")])
    assert errs == [("ratings.0.remark", "专家1：总体评价为“优”，请在备注一栏说明评价理由")]


def test_jc_v1_excellent_with_a_reason_passes_and_other_ratings_need_none():
    check_jc_evaluation({}, [jc_rating(1, "优", remark="理由"), jc_rating(2, "较差"), jc_rating(3, "一般")], ITEMS, JC)


# --- JC-V1: ≥3 experts may not all be 良 (附件8 注4) ----------------------------------------------------------------
def test_jc_v1_three_experts_all_good_is_refused():
    errs = problems({}, team("良", "良", "良"))
    assert errs == [("ratings", "本项目有3名专家参与，不得全部评价为“良”（附件8 注4）")]


def test_jc_v1_four_experts_all_good_is_refused():
    assert keys(problems({}, team("良", "良", "良", "良"))) == ["ratings"]


def test_jc_v1_two_experts_both_good_is_allowed():
    check_jc_evaluation({}, team("良", "良"), ITEMS, JC)


@pytest.mark.parametrize("mix", [("良", "良", "一般"), ("优", "良", "良"), ("良", "良", "较差"), ("优", "优", "优")])
def test_jc_v1_three_experts_not_all_good_is_allowed(mix):
    check_jc_evaluation({}, team(*mix), ITEMS, JC)


# --- JC-V1: 1–3 meaningful items ----------------------------------------------------------------------------------
@pytest.mark.parametrize("items", [[], ["", "  "], ["一", "二", "三", "四"]])
def test_jc_v1_meaningful_items_outside_one_to_three_are_refused(items):
    errs = problems({}, team("良"), items)
    assert keys(errs) == ["meaningful_items"]
    assert errs[0][1] == f"专家认为提供服务有意义的事项应填写1–3项，当前为{len([i for i in items if i.strip()])}项"


@pytest.mark.parametrize("n", [1, 2, 3])
def test_jc_v1_one_to_three_meaningful_items_pass(n):
    assert len(check_jc_evaluation({}, team("良"), [f"事项{i}" for i in range(n)], JC)["meaningful_items"]) == n


# --- JC-V1: who is rated ------------------------------------------------------------------------------------------
def test_jc_v1_no_ratings_is_refused():
    assert ("ratings", "请至少评价一名专家") in problems({}, [])


def test_jc_v1_the_same_expert_twice_is_refused():
    errs = problems({}, [jc_rating(1), jc_rating(1, "一般")])
    assert keys(errs) == ["ratings.1.expert_id"]


def test_jc_v1_missing_expert_id_is_refused():
    r = jc_rating(1)
    r["expert_id"] = None
    assert keys(problems({}, [r])) == ["ratings.0.expert_id"]


def test_jc_v1_every_participant_of_the_task_must_be_rated():
    errs = problems({"expert_ids": [1, 2, 3]}, team("优", "一般"))
    assert errs == [("ratings", "还有1名参与专家未评价（专家编号 3）")]


def test_jc_v1_an_expert_outside_the_task_is_refused():
    errs = problems({"expert_ids": [1]}, team("良", "一般"))
    assert keys(errs) == ["ratings.1.expert_id"]


def test_jc_v1_every_problem_is_listed_in_one_error():
    ratings = [jc_rating(1, "优", i2="很好"), jc_rating(2, "差"), jc_rating(3, i4=None)]
    errs = problems({}, ratings, [])
    assert keys(errs) == ["ratings.0.indicators.2", "ratings.0.remark", "ratings.1.overall",
                          "ratings.2.indicators.4", "meaningful_items"]
    with pytest.raises(ValidationError) as info:
        check_jc_evaluation({}, ratings, [], JC)
    assert str(info.value).count("；") == 4


# --- YQ-V1 ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("rating", ["优秀", "良好"])
def test_yq_v1_good_ratings_need_no_explanation(rating):
    assert check_yq_rating(f" {rating} ", "", YQ) == {"rating": rating, "explanation": ""}


@pytest.mark.parametrize("rating", ["一般", "较差"])
def test_yq_v1_low_ratings_without_a_written_explanation_are_refused(rating):
    with pytest.raises(ValidationError) as info:
        check_yq_rating(rating, "   ", YQ)
    assert info.value.errors == [("explanation", f"评价为“{rating}”的，要书面说明情况")]


@pytest.mark.parametrize("rating", ["一般", "较差"])
def test_yq_v1_low_ratings_with_an_explanation_pass(rating):
    assert check_yq_rating(rating, "迟到两小时", YQ)["explanation"] == "迟到两小时"


@pytest.mark.parametrize("bad", ["优", "良", "差", "", None])
def test_yq_v1_rating_outside_the_scale_is_refused(bad):
    with pytest.raises(ValidationError) as info:
        check_yq_rating(bad, "", YQ)
    assert keys(info.value.errors) == ["rating"] and "优秀、良好、一般、较差" in str(info.value)


# --- evaluating only a finished task ------------------------------------------------------------------------------
def test_a_task_not_yet_finished_cannot_be_evaluated():
    with pytest.raises(DomainError, match="任务尚未结束，不能评价"):
        may_evaluate("2026-06-10", date(2026, 6, 9))


@pytest.mark.parametrize("today", [date(2026, 6, 10), date(2026, 6, 11), date(2026, 12, 31)])
def test_a_task_may_be_evaluated_from_its_last_day_on(today):
    assert may_evaluate(date(2026, 6, 10), today) is None


def test_a_task_without_an_end_date_cannot_be_evaluated():
    with pytest.raises(ValidationError) as info:
        may_evaluate("不详", date(2026, 6, 9))
    assert keys(info.value.errors) == ["end"]


# --- deadlines and X-V1 overdue list -----------------------------------------------------------------------------
def test_jc_v1_evaluation_deadline_is_three_working_days():
    assert evaluation_deadline("2026-06-05", JC, monday_to_friday) == date(2026, 6, 10)


def test_yq_v1_evaluation_deadline_is_two_days():
    assert evaluation_deadline("2026-06-05", YQ, monday_to_friday) == date(2026, 6, 7)


def test_x_v1_overdue_lists_unevaluated_tasks_past_their_deadline_most_overdue_first():
    tasks = [
        {"request_id": 1, "end": "2026-06-05", "evaluated": False, "department": "安全生产基础科"},  # due 06-10
        {"request_id": 2, "end": "2026-06-01", "evaluated": False},   # due 06-04
        {"request_id": 3, "end": "2026-06-01", "evaluated": True},    # done
        {"request_id": 4, "end": "2026-06-08", "evaluated": False},   # due 06-11: today is the last day
        {"request_id": 5, "end": "2026-06-12", "evaluated": False},   # not finished
        {"request_id": 6, "end": "坏数据", "evaluated": False},        # skipped
    ]
    rows = overdue(tasks, date(2026, 6, 11), JC, monday_to_friday)
    assert [(r["request_id"], r["deadline"], r["days_overdue"]) for r in rows] == \
        [(2, "2026-06-04", 7), (1, "2026-06-10", 1)]
    assert rows[1]["department"] == "安全生产基础科" and rows[1]["end"] == "2026-06-05"


def test_x_v1_the_deadline_day_itself_is_not_overdue():
    tasks = [{"request_id": 1, "end": date(2026, 6, 5), "evaluated": False}]
    assert overdue(tasks, date(2026, 6, 7), YQ, monday_to_friday) == []
    assert overdue(tasks, date(2026, 6, 8), YQ, monday_to_friday)[0]["days_overdue"] == 1


def test_x_v1_nothing_overdue_gives_an_empty_list():
    assert overdue([], date(2026, 6, 8), JC, monday_to_friday) == []


# --- YQ-V2: first and second 一般/较差 in a year -----------------------------------------------------------------
def history(*rows) -> list[dict]:
    return [{"expert_id": e, "rating": r, "on": on} for e, r, on in rows]


def test_yq_v2_no_low_rating_means_no_consequence():
    h = history((1, "优秀", "2026-03-01"), (1, "良好", "2026-04-01"), (2, "较差", "2026-04-01"))
    assert yq_consequence(1, h, date(2026, 6, 1), YQ) is None


def test_yq_v2_first_low_rating_in_a_year_is_a_reminder_talk():
    out = yq_consequence(1, history((1, "一般", "2026-03-01")), date(2026, 6, 1), YQ)
    assert out["action"] == ACTION_REMINDER == "提醒谈话"
    assert out["reason_number"] == 3 and out["occurrence"] == 1 and not out["proposes_dismissal"]
    assert out["text"] == "2026年度内首次被评为一般或较差（2026年3月1日 一般），依据第二十四条（三）：提醒谈话"


def test_yq_v2_second_low_rating_in_a_year_proposes_removal():
    h = history((1, "一般", "2026-03-01"), (1, "良好", "2026-04-01"), (1, "较差", "2026-05-06"))
    out = yq_consequence(1, h, date(2026, 6, 1), YQ)
    assert out["action"] == ACTION_REMOVAL == "调整退出建议"
    assert out["reason_number"] == 3 and out["occurrence"] == 2 and out["proposes_dismissal"]
    assert out["dates"] == ["2026-03-01", "2026-05-06"]
    assert "第2次" in out["text"] and "调整退出专家库" in out["text"]


def test_yq_v2_a_third_low_rating_still_proposes_removal():
    h = history((1, "一般", "2026-01-05"), (1, "一般", "2026-02-05"), (1, "较差", "2026-03-05"))
    assert yq_consequence(1, h, date(2026, 6, 1), YQ)["action"] == ACTION_REMOVAL


def test_yq_v2_low_ratings_in_different_years_do_not_add_up():
    h = history((1, "较差", "2025-12-31"), (1, "一般", "2026-01-01"))
    assert yq_consequence(1, h, date(2026, 6, 1), YQ)["action"] == ACTION_REMINDER
    assert yq_consequence(1, h, date(2025, 12, 31), YQ)["occurrence"] == 1


def test_yq_v2_ratings_after_today_are_not_counted():
    h = history((1, "一般", "2026-03-01"), (1, "一般", "2026-07-01"))
    assert yq_consequence(1, h, date(2026, 6, 1), YQ)["action"] == ACTION_REMINDER


def test_yq_v2_expert_ids_compare_as_text_and_odd_rows_are_skipped():
    h = history(("1", "一般", "2026-03-01"), (1, "较差", None), (1, "较差", "不详")) + ["坏行"]
    assert yq_consequence(1, h, date(2026, 6, 1), YQ)["occurrence"] == 1


def test_yq_v2_jc_has_no_automatic_step():
    h = history((1, "一般", "2026-03-01"), (1, "较差", "2026-05-06"))
    assert yq_consequence(1, h, date(2026, 6, 1), JC) is None


# --- the profile fields this module reads ------------------------------------------------------------------------
def _raw(pid: str) -> dict:
    return copy.deepcopy(tomllib.loads((PROFILES / f"{pid}.toml").read_text(encoding="utf-8")))


def test_yq_v2_profile_marks_the_second_step_as_a_removal_proposal():
    assert [(s.occurrence, s.proposes_dismissal) for s in YQ.evaluations.escalation] == [(1, False), (2, True)]


def test_overall_indicator_must_name_an_indicator_with_the_rating_scale():
    data = _raw("jincheng-2026")
    data["evaluations"]["overall_indicator"] = 2
    with pytest.raises(PolicyError, match="evaluations.overall_indicator"):
        policy_from_data(data)
    data["evaluations"]["overall_indicator"] = 9
    with pytest.raises(PolicyError, match="没有序号为 9"):
        policy_from_data(data)


def test_a_removal_step_needs_its_dismissal_reason_number():
    data = _raw("yangquan-2024")
    del data["evaluations"]["escalation_dismissal_reason_number"]
    with pytest.raises(PolicyError, match="escalation_dismissal_reason_number"):
        policy_from_data(data)

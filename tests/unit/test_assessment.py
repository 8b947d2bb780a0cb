"""年度考核 rules (core.assessment) at their edges — JC-Y1 (附件6, June, six items 优/良/中/差, self-evaluation 1–5
items, three conclusions) and YQ-Y1 (before July, the experts dispatched in the year, 优秀/良好/一般/较差)."""
from datetime import date

import pytest

from core.assessment import (assessment_year, check_assessment, default_dismissal_reason, due, summary_text,
                             who_is_due, year_summary, year_title)
from core.errors import ValidationError
from tests.factories import real_policies

POLICIES = real_policies()
JC, YQ = POLICIES["jincheng-2026"], POLICIES["yangquan-2024"]


def expert(i=1, **kw):
    return {"id": i, "name": f"专家{i}", "policy_id": kw.pop("policy_id", JC.id), "state": "在库",
            "specialties": ["1.1"], **kw}


def req(i, start, **kw):
    return {"id": i, "matter": f"任务{i}", "department": "煤矿科", "start": start, "end": start, **kw}


def asg(i, request_id, expert_id, status, start, **kw):
    return {"id": i, "request_id": request_id, "expert_id": expert_id, "status": status, "start": start,
            "end": start, "policy_id": kw.pop("policy_id", JC.id), **kw}


def rated(request_id, expert_id, overall):
    return {"request_id": request_id, "ratings": [{"expert_id": expert_id, "overall": overall, "reason": "x"}]}


def test_jc_assesses_in_june_the_twelve_months_before_jc_y1():
    p = due(JC, 2026)
    assert (p.start, p.end) == (date(2025, 6, 1), date(2026, 5, 31))
    assert (p.opens, p.deadline) == (date(2026, 6, 1), date(2026, 6, 30))
    assert "6月" in p.rule and "第十条(三)" in p.rule


def test_yq_must_finish_before_july_yq_y1():
    p = due(YQ, 2026)
    assert p.deadline == date(2026, 6, 30) and p.start == date(2025, 7, 1)
    assert "7月前" in p.rule


def test_the_page_opens_on_the_latest_assessment():
    assert assessment_year(JC, date(2026, 5, 31)) == 2025
    assert assessment_year(JC, date(2026, 6, 1)) == 2026
    assert assessment_year(YQ, date(2026, 11, 25)) == 2026
    assert year_title(JC, 2026) == "2026年度履职考核" and year_title(YQ, 2026) == "2026年度考评"


def test_jc_assesses_every_expert_of_the_pool_jc_y1():
    pool = [expert(1), expert(2, state="暂停"), expert(3, state="解聘"), expert(4, state="申请中")]
    assert [e["id"] for e in who_is_due(pool, 2026, JC)] == [1, 2]


def test_yq_assesses_only_the_experts_dispatched_in_the_period_yq_y1():
    pool = [expert(i, policy_id=YQ.id) for i in (1, 2, 3, 4)]
    assignments = [asg(1, 1, 1, "已完成", "2025-07-01"), asg(2, 2, 2, "已接受", "2026-06-30"),
                   asg(3, 3, 3, "已拒绝", "2026-01-05"), asg(4, 4, 4, "已完成", "2025-06-30")]
    assert [e["id"] for e in who_is_due(pool, 2026, YQ, assignments=assignments)] == [1, 2]


def test_the_year_summary_counts_tasks_declines_days_ratings_and_trainings_from_hand_made_records_jc_y1():
    requests = [req(1, "2025-06-01"), req(2, "2025-09-10", end="2025-09-12"), req(3, "2026-03-01"),
                req(4, "2026-04-01"), req(5, "2026-06-01"), req(6, "2025-05-31")]
    assignments = [
        asg(1, 1, 1, "已完成", "2025-06-01", days_worked=1),
        asg(2, 2, 1, "已完成", "2025-09-10", end="2025-09-12", days_worked=3),
        asg(3, 3, 1, "已拒绝", "2026-03-01", answered_on="2026-02-27", decline_justified=False, decline_reason="不想去"),
        asg(4, 4, 1, "已拒绝", "2026-04-01", answered_on="2026-03-30", decline_justified=True, decline_reason="住院"),
        asg(5, 5, 1, "已接受", "2026-06-01"),   # after the period
        asg(6, 6, 1, "已完成", "2025-05-31"),   # before the period
        asg(7, 2, 2, "已完成", "2025-09-10"),   # someone else
        asg(8, 3, 1, "已取消", "2026-03-01"),
    ]
    evaluations = [rated(1, 1, "优"), rated(2, 1, "良"), rated(2, 2, "较差")]
    trainings = [{"id": 1, "policy_id": JC.id, "title": "法规宣贯", "held_on": "2025-12-01", "attendees": [1, 2]},
                 {"id": 2, "policy_id": JC.id, "title": "案例研讨", "held_on": "2026-02-01", "attendees": [2]},
                 {"id": 3, "policy_id": JC.id, "title": "去年", "held_on": "2025-05-01", "attendees": [1]}]
    s = year_summary(expert(1), 2026, requests, assignments, evaluations, trainings, JC)
    assert [t["request_id"] for t in s["tasks"]] == [1, 2]
    assert [t["rating"] for t in s["tasks"]] == ["优", "良"]
    assert s["days"] == 4 and s["accepted"] == 2
    assert (s["declined"], s["declined_justified"], s["declined_unjustified"]) == (2, 1, 1)
    assert s["rating_counts"] == {"优": 1, "良": 1, "一般": 0, "较差": 0} and s["unrated"] == 0
    assert (s["trainings_held"], s["trainings_attended"]) == (2, 1)
    assert s["acceptance_rate"] == "50%"
    assert s["tasks"][0]["department"] == "煤矿科" and s["tasks"][0]["matter"] == "任务1"
    text = summary_text(s)
    assert "接受委派2次、拒绝2次（无正当理由1次）" in text and "服务4天" in text and "优1次" in text


def test_an_expert_without_services_has_an_empty_summary():
    s = year_summary(expert(1), 2026, [], [], [], [], JC)
    assert s["tasks"] == [] and s["acceptance_rate"] == "—" and s["days"] == 0


def good(policy=JC, services=None, **kw):
    a = policy.assessment
    data = {"item_ratings": {item: a.item_ratings[0] for item in a.items}, "conclusion": a.conclusions[0].key,
            "services": services or {"tasks": [{"assignment_id": 7, "start": "2025-09-10", "matter": "检查"}]},
            "self_evaluation": {"items": ["发现隐患3处"], "comment": "认真负责",
                                "service_ratings": {"7": "优"}} if a.self_evaluation else None}
    data.update(kw)
    return data


def test_a_complete_jc_assessment_is_accepted_jc_y1():
    clean = check_assessment(good(), JC)
    assert clean["conclusion_label"] == "继续使用" and clean["proposes_dismissal"] is False
    assert clean["self_evaluation"]["service_ratings"] == {"7": "优"}


def test_a_rating_outside_the_scale_is_refused_in_chinese_jc_y1():
    data = good()
    data["item_ratings"]["专家服务态度及诚信情况"] = "优秀"
    with pytest.raises(ValidationError, match="不在优、良、中、差之内"):
        check_assessment(data, JC)


def test_missing_items_are_each_named():
    data = good(item_ratings={"专家服务态度及诚信情况": "优"})
    with pytest.raises(ValidationError) as err:
        check_assessment(data, JC)
    assert len([m for k, m in err.value.errors if k == "item_ratings"]) == 5
    assert "专家自评符合实际情况" in err.value.message


def test_six_self_evaluation_items_are_refused_jc_y1():
    data = good()
    data["self_evaluation"]["items"] = [f"业绩{i}" for i in range(6)]
    with pytest.raises(ValidationError, match="最多列5项"):
        check_assessment(data, JC)


def test_no_self_evaluation_item_is_refused_and_every_problem_is_listed_at_once():
    data = good(conclusion="")
    data["self_evaluation"] = {"items": "", "service_ratings": {}}
    with pytest.raises(ValidationError) as err:
        check_assessment(data, JC)
    fields = {k for k, _ in err.value.errors}
    assert fields == {"conclusion", "self_evaluation.items", "self_evaluation.service_ratings"}


def test_a_service_self_rating_outside_the_scale_is_refused():
    data = good()
    data["self_evaluation"]["service_ratings"] = {"7": "较差"}
    with pytest.raises(ValidationError, match="自我评价“较差”不在优、良、中、差之内"):
        check_assessment(data, JC)


def test_an_unknown_conclusion_is_refused():
    with pytest.raises(ValidationError, match="不是履职考核的结论之一"):
        check_assessment(good(conclusion="promote"), JC)


def test_a_dismissal_conclusion_points_to_the_ability_reason_unless_another_is_chosen_jc_y1_yq_y1():
    assert default_dismissal_reason(JC) == 3 and default_dismissal_reason(YQ) == 9
    clean = check_assessment(good(conclusion="dismiss"), JC)
    assert clean["proposes_dismissal"] and clean["dismissal_reason_number"] == 3
    assert check_assessment(good(conclusion="dismiss", dismissal_reason_number="10"), JC)["dismissal_reason_number"] == 10
    with pytest.raises(ValidationError, match="第九条所列情形"):
        check_assessment(good(conclusion="dismiss", dismissal_reason_number=42), JC)


def test_yq_rates_its_six_aspects_without_a_self_evaluation_yq_y1():
    clean = check_assessment(good(YQ, conclusion="remove"), YQ)
    assert set(clean["item_ratings"]) == {"接受委派", "参加培训", "出勤", "业务能力", "发现问题及提出整改措施", "廉洁自律"}
    assert clean["self_evaluation"] is None and clean["dismissal_reason_number"] == 9
    data = good(YQ)
    data["item_ratings"]["出勤"] = "优"
    with pytest.raises(ValidationError, match="优秀、良好、一般、较差"):
        check_assessment(data, YQ)


def test_trainings_are_left_out_when_the_profile_does_not_count_them():
    variant = JC.variant({"training.counted_in_assessment": False})
    trainings = [{"id": 1, "policy_id": JC.id, "title": "法规宣贯", "held_on": "2025-12-01", "attendees": [1]}]
    s = year_summary(expert(1), 2026, [], [], [], trainings, variant)
    assert s["trainings"] == [] and s["trainings_counted"] is False and "培训" not in summary_text(s)
    assert year_summary(expert(1), 2026, [], [], [], trainings, JC)["trainings_attended"] == 1


def test_yq_counts_the_problems_and_suggestions_handed_over_on_the_experts_tasks_yq_y1():
    requests = [req(1, "2025-08-01"), req(2, "2025-09-01")]
    assignments = [asg(1, 1, 1, "已完成", "2025-08-01", policy_id=YQ.id), asg(2, 2, 2, "已完成", "2025-09-01",
                                                                            policy_id=YQ.id)]
    assistance = [{"request_id": 1, "urgent": True, "items": [{"problem": "瓦斯超限", "suggestion": "停产整改"},
                                                              {"problem": "通风不良", "suggestion": ""}]},
                  {"request_id": 2, "items": [{"problem": "别人的任务", "suggestion": "x"}]}]
    s = year_summary(expert(1, policy_id=YQ.id), 2026, requests, assignments, [], [], YQ, assistance=assistance)
    assert (s["problems_found"], s["suggestions_made"], s["urgent_reports"]) == (2, 1, 1)
    assert "移交企业问题隐患2条、整改建议1条（其中紧急停产报告1次）" in summary_text(s)

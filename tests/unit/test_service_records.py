"""任务完成天数、附表六、帮扶记录的纯规则（core/service_records.py）和附件8 分页（core/forms_service_records.py）.

JC-V1, YQ-V1, X-V1; YQ 第十六条–第十八条、第二十二条(一).
"""
from datetime import date

import pytest

from core.errors import DomainError, ValidationError
from core.dispatch import same_department
from core.forms_service_records import JC_FJ8_NOTES, jc_fj8_context, project_name
from core.service_records import (check_acknowledgement, check_assistance, check_completion, check_urgent_report,
                                  check_work_card, span_days)
from tests.factories import real_policies

JC = real_policies()["jincheng-2026"]
TODAY = date(2026, 12, 4)
REQ = {"status": "已委派", "start": "2026-12-01", "end": "2026-12-03"}
ROWS = [{"id": 11, "expert_id": 1}, {"id": 12, "expert_id": 2, "start": "2026-12-02", "end": "2026-12-03"}]
NAMES = {1: "张三", 2: "李四"}


def errors_of(fn, *args):
    with pytest.raises(ValidationError) as info:
        fn(*args)
    return info.value.errors


def test_span_days_counts_both_ends():
    assert span_days("2026-12-01", "2026-12-03") == 3 and span_days("2026-12-03", "2026-12-01") is None


def test_same_department_ignores_whitespace_but_not_emptiness():
    assert same_department(" 煤矿 科", "煤矿科") and not same_department("", "") and not same_department("甲科", "乙科")


def test_completion_returns_whole_days_per_assignment():
    out = check_completion(REQ, ROWS, {"11": "3", 12: 2}, " 检查 ", None, TODAY, NAMES)
    assert out == {"days": {11: 3, 12: 2}, "work_summary": "检查", "completed_on": "2026-12-04"}


@pytest.mark.parametrize("days, message", [
    ({11: 0, 12: 1}, "张三：实际工作天数应为正整数（至少1天），当前为“0”"),
    ({11: -2, 12: 1}, "张三：实际工作天数应为正整数"),
    ({11: 2.5, 12: 1}, "张三：实际工作天数应为正整数"),
    ({11: 1, 12: 3}, "李四：实际工作天数 3 天超过任务起止日期的 2 天"),
    ({11: 1}, "李四：请填写实际工作天数"),
    ({11: 1, 12: 1, 99: 1}, "委派记录 99 不是本任务已接受的专家"),
])
def test_bad_days_name_the_expert(days, message):
    assert any(message in m for _, m in errors_of(check_completion, REQ, ROWS, days, "x", None, TODAY, NAMES))


def test_completion_date_must_lie_between_the_task_end_and_today():
    assert errors_of(check_completion, REQ, ROWS, {11: 1, 12: 1}, "x", "2026-12-02", TODAY, NAMES) == [
        ("completed_on", "完成日期2026年12月2日早于任务结束日期2026年12月3日")]
    assert "晚于今天" in errors_of(check_completion, REQ, ROWS, {11: 1, 12: 1}, "x", "2026-12-05", TODAY, NAMES)[0][1]


def test_completion_refuses_a_task_not_dispatched_already_done_or_not_ended():
    with pytest.raises(DomainError, match="只有已委派"):
        check_completion(dict(REQ, status="已审批"), ROWS, {}, "x", None, TODAY, NAMES)
    with pytest.raises(DomainError, match="已登记完成"):
        check_completion(dict(REQ, status="已完成"), ROWS, {}, "x", None, TODAY, NAMES)
    with pytest.raises(DomainError, match="尚未结束"):
        check_completion(REQ, ROWS, {11: 1, 12: 1}, "x", None, date(2026, 12, 2), NAMES)


def test_work_card_yq_v1_fields_and_dates():
    ok = check_work_card({"matter": " 检查 ", "situation": "a\nb", "returned_on": "2026-12-04"}, "2026-12-01", TODAY)
    assert ok == {"matter": "检查", "situation": "a\nb", "returned_on": "2026-12-04"}
    errs = errors_of(check_work_card, {"matter": "", "situation": "x" * 2001, "returned_on": "2026-11-30"},
                     "2026-12-01", TODAY)
    assert [k for k, _ in errs] == ["matter", "situation", "returned_on"]
    assert "早于任务开始" in errs[2][1]
    assert errors_of(check_work_card, {"matter": "a", "situation": "b", "returned_on": "昨天"}, None, TODAY)[0][0] == \
        "returned_on"


def test_assistance_keeps_problems_drops_blank_rows_and_refuses_a_suggestion_without_a_problem():
    ok = check_assistance({"enterprise": " 某煤业 ", "handed_over_on": "2026-12-04",
                           "items": [{"problem": "隐患", "suggestion": ""}, {"problem": " ", "suggestion": " "}]}, TODAY)
    assert ok == {"enterprise": "某煤业", "items": [{"problem": "隐患", "suggestion": ""}],
                  "handed_over_on": "2026-12-04"}
    errs = errors_of(check_assistance, {"enterprise": "某", "items": [{"suggestion": "改"}],
                                        "handed_over_on": "2026-12-05"}, TODAY)
    assert [k for k, _ in errs] == ["items.0.problem", "items", "handed_over_on"]


def test_urgent_report_and_acknowledgement_need_text():
    assert check_urgent_report(" 停产撤人 ") == "停产撤人"
    with pytest.raises(ValidationError, match="报告内容"):
        check_urgent_report("")
    with pytest.raises(ValidationError, match="采取的措施"):
        check_acknowledgement(None)


# --- 附件8 pages (JC-V1): five expert columns a page ---------------------------------------------------------------
def people(n):
    return [{"id": i, "name": f"专家{i}", "days_worked": 3} for i in range(1, n + 1)]


def evaluation(n):
    return {"ratings": [{"expert_id": i, "name": f"专家{i}", "overall": "优" if i == 1 else "良",
                         "indicators": {"1": "是", "2": "一般", "8": "优" if i == 1 else "良"},
                         "reason": "理由" if i == 1 else ""} for i in range(1, n + 1)],
            "meaningful_items": ["事项一", "事项二"], "work_record": "记录", "late": True, "deadline": "2026-12-08"}


def test_jc_fj8_seven_experts_take_two_pages_of_five_columns():
    req = dict(REQ, task_type="监督检查", matter="通风检查", department="煤矿科")
    ctx = jc_fj8_context(req, evaluation(7), people(7), JC)
    assert ctx["page_count"] == 2 and [p["first"] for p in ctx["pages"]] == [True, False]
    assert [p["last"] for p in ctx["pages"]] == [False, True]
    second = ctx["pages"][1]
    assert second["names"] == {"n1": "专家6", "n2": "专家7", "n3": "", "n4": "", "n5": ""}
    assert "续表" in second["caption"] and "第6–7人" in second["caption"]
    first_rows = ctx["pages"][0]["rows"]
    assert len(first_rows) == 8 and first_rows[0]["c1"] == "是☑ 否☐" and first_rows[1]["c1"] == "好☐ 一般☑\n不好☐"
    assert first_rows[7]["c1"] == "优☑ 良☐\n一般☐ 较差☐" and second["rows"][0]["c3"] == ""
    assert ctx["remark"].startswith("专家1：理由") and "逾期报送" in ctx["remark"]
    assert ctx["meaningful_items"] == "1.事项一\n2.事项二" and ctx["notes"] == list(JC_FJ8_NOTES)
    assert ctx["project_name"] == "监督检查：通风检查" and ctx["work_days"] == "共3天（2026年12月1日至2026年12月3日）"


def test_jc_fj8_five_experts_fit_one_page_and_an_unevaluated_task_prints_blank_boxes():
    ctx = jc_fj8_context(dict(REQ, work_summary="完成时的记录"), None, people(5), JC)
    assert ctx["page_count"] == 1 and ctx["pages"][0]["caption"] == ""
    assert ctx["pages"][0]["rows"][0]["c5"] == "是☐ 否☐" and ctx["work_record"] == "完成时的记录"
    assert project_name({"matter": "只有事项"}) == "只有事项"


def test_jc_fj8_days_that_differ_from_the_span_are_named():
    ctx = jc_fj8_context(REQ, None, [{"id": 1, "name": "张三", "days_worked": 2}], JC)
    assert ctx["work_days"].endswith("实际工作天数：张三2天")

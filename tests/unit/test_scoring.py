"""条件审核评分（JC 附件4）— JC-A1 nine items at every band edge, JC-A2 the pass mark 70; YQ has no score sheet."""
from __future__ import annotations

import copy
import json
from datetime import date

import pytest

from core.errors import DomainError, ValidationError
from core.expert import validate_expert
from core.scoring import (PassException, ScoreLine, ScoreSheet, below_pass_exception, derived_items, derived_lines,
                          exception_possible, item_range, manual_help, manual_items, score_sheet)
from tests.factories import TODAY, make_expert, real_policies

POLICIES = real_policies()
pytestmark = pytest.mark.skipif("jincheng-2026" not in POLICIES, reason="policies/*.toml not available")

# The default expert (tests/factories): 本科 8 + 副高级 10 + 20 years 5 + one specialty 3 = 26 computed points.
DEFAULT_DERIVED = 26
# A middle-of-the-road review: 8 + 8 + 3 + 15 = 34 points before 工作成效.
MANUAL = {"service_conditions": 8, "motivation": 8, "service_experience": 3, "knowledge": 15, "effectiveness": 10}
SAFETY_SPECIALTY = "1.1"   # 1 煤矿 — 安全生产类
DISASTER_SPECIALTY = "5.1"  # 5 防灾减灾救灾… — 防灾、减灾、救灾类
ADMIN_SPECIALTY = "6.1"    # 6 法规、标准基础理论研究 — 综合管理类


@pytest.fixture(scope="module")
def jc():
    return POLICIES["jincheng-2026"]


@pytest.fixture(scope="module")
def yq():
    return POLICIES["yangquan-2024"]


def expert(jc, **overrides):
    return make_expert(jc, **overrides)


def line(jc, key, **overrides):
    return {ln.key: ln for ln in derived_lines(expert(jc, **overrides), jc)}[key]


def sheet(jc, manual=None, *, bonuses=None, remarks=None, **overrides):
    return score_sheet(expert(jc, **overrides), jc, manual={**MANUAL, **(manual or {})}, bonuses=bonuses,
                       remarks=remarks)


def errors_of(call) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as err:
        call()
    return err.value.errors


# --- the sheet's shape ------------------------------------------------------------------------------------------

def test_sheet_has_the_nine_items_of_annex_4_in_order_with_their_weights_jc_a1(jc):
    s = sheet(jc)
    assert [ln.key for ln in s.lines] == ["service_conditions", "education", "title", "years", "specialty_count",
                                          "motivation", "service_experience", "knowledge", "effectiveness"]
    assert [ln.weight for ln in s.lines] == [10, 10, 10, 10, 5, 10, 5, 20, 20]
    assert [ln.derived for ln in s.lines] == [False, True, True, True, True, False, False, False, False]
    assert s.lines[0].name == "专家外出服务条件情况" and s.lines[-1].name == "从事专业工作成效情况"


def test_max_score_is_100_and_110_with_every_bonus_jc_a1(jc):
    s = sheet(jc)
    assert (s.max_score, s.max_score_with_bonus) == (100, 110)


def test_manual_items_are_the_five_reviewer_items_in_sheet_order_with_their_ranges_jc_a1(jc):
    items = manual_items(jc)
    assert [it.key for it in items] == ["service_conditions", "motivation", "service_experience", "knowledge",
                                        "effectiveness"]
    assert [item_range(it) for it in items] == [(0, 10), (0, 10), (0, 5), (5, 20), (0, 20)]
    assert [it.key for it in derived_items(jc)] == ["education", "title", "years", "specialty_count"]


def test_manual_help_gives_the_range_the_bands_and_the_manual_bonus(jc):
    helps = {it.key: manual_help(it) for it in manual_items(jc)}
    assert "允许0–10分" in helps["service_conditions"]
    assert "时间充足自己即可决定外出服务：6–10分" in helps["service_conditions"]
    assert "本职岗位重要无法短时外出服务：0分" in helps["service_conditions"]
    assert "允许5–20分" in helps["knowledge"]
    assert "加分：有高危行业事故抢险救援和调查处理经验的另外加5分" in helps["effectiveness"]


# --- 学历, 职称 ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("education, points, clause", [
    ("中专及以下", 6, "中专及以下得6分"), ("大专", 7, "大专得7分"), ("本科", 8, "本科得8分"),
    ("硕士研究生", 10, "硕士研究生以上得10分"), ("博士研究生", 10, "硕士研究生以上得10分"),
])
def test_education_scores_each_level_with_the_annex_clause_jc_a1(jc, education, points, clause):
    ln = line(jc, "education", education=education)
    assert ln.points == points
    assert ln.rule == f"{education} → {points}分（附件4 第2项：{clause}）"


@pytest.mark.parametrize("level, points, clause", [
    ("中级", 6, "中级得6分"), ("副高级", 10, "高级得10分"), ("正高级", 10, "高级得10分"),
])
def test_title_scores_intermediate_6_and_senior_10_jc_a1(jc, level, points, clause):
    ln = line(jc, "title", title_level=level)
    assert (ln.points, ln.rule) == (points, f"{level} → {points}分（附件4 第3项：{clause}）")


@pytest.mark.parametrize("level", ["无", "初级"])
def test_no_title_or_a_junior_title_scores_nothing_and_says_the_annex_does_not_list_it_jc_a1(jc, level):
    ln = line(jc, "title", title_level=level)
    assert ln.points == 0
    assert ln.rule.startswith(f"{level} → 0分") and "未列此等级" in ln.rule


def test_missing_education_is_an_error_naming_the_field(jc):
    errs = errors_of(lambda: derived_lines(expert(jc, education=None), jc))
    assert errs == [("education", "最高学历未填写，无法计算“取得全日制专业学历情况”得分")]


def test_an_education_the_sheet_does_not_know_is_an_error(jc):
    errs = errors_of(lambda: derived_lines(expert(jc, education="小学"), jc))
    assert errs[0][0] == "education" and "“小学”不在" in errs[0][1]


# --- 从事年限 --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("years, points", [
    (0, 0), (10, 0), (11, 0), (12, 1), (13, 1), (14, 2), (20, 5), (29, 9), (30, 10), (31, 10), (60, 10),
])
def test_years_score_one_point_per_two_full_years_beyond_ten_up_to_ten_jc_a1(jc, years, points):
    assert line(jc, "years", years_in_field=years).points == points


def test_years_rule_text_names_the_years_and_the_step(jc):
    assert line(jc, "years", years_in_field=14).rule == \
        "从事年限14年：超出10年的部分每2年1分（超出4年），得满10分为止 → 2分（附件4 第4项）"
    assert line(jc, "years", years_in_field=10).rule == "从事年限10年：10年及以下不得分 → 0分（附件4 第4项）"
    assert line(jc, "years", years_in_field=31).rule.endswith("得满10分为止 → 10分（附件4 第4项）")


def test_missing_or_unusable_years_are_errors(jc):
    assert errors_of(lambda: derived_lines(expert(jc, years_in_field=None), jc))[0][0] == "years_in_field"
    assert "填写为“很多”" in errors_of(lambda: derived_lines(expert(jc, years_in_field="很多"), jc))[0][1]


# --- 企业安全生产系统 15 年加分 ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("enterprise_years, bonus", [(14, 0), (15, 5), (16, 5), (30, 5)])
def test_enterprise_bonus_needs_a_full_15_years_and_15_itself_qualifies_jc_a1(jc, enterprise_years, bonus):
    """“满15年以上”: 满 = a full 15 years, 以上 includes 15 (民法典第一千二百五十九条)."""
    ln = line(jc, "years", specialties=[SAFETY_SPECIALTY], enterprise_safety_years=enterprise_years)
    assert ln.bonus_points == bonus
    assert ln.points == 5  # the bonus is on top of the item's own points (20 years → 5)
    if bonus:
        assert ln.bonus_rule.startswith(f"申报专业属于安全生产类（1 煤矿），企业安全生产系统工作{enterprise_years}年，"
                                        "满15年 → 加5分")
    else:
        assert "未满15年 → 不加分" in ln.bonus_rule


@pytest.mark.parametrize("specialty", [DISASTER_SPECIALTY, ADMIN_SPECIALTY])
def test_enterprise_bonus_only_for_safety_production_sector_specialties_jc_a1(jc, specialty):
    ln = line(jc, "years", specialties=[specialty], enterprise_safety_years=25)
    assert ln.bonus_points == 0
    assert ln.bonus_rule.startswith("申报专业不属于安全生产类 → 不加分")


def test_enterprise_bonus_applies_when_any_specialty_is_in_a_safety_production_sector_jc_a1(jc):
    ln = line(jc, "years", specialties=[ADMIN_SPECIALTY, "3.1"], enterprise_safety_years=15)
    assert ln.bonus_points == 5 and "（3 化工）" in ln.bonus_rule


def test_enterprise_bonus_is_not_given_when_the_enterprise_years_are_not_stated(jc):
    ln = line(jc, "years", specialties=[SAFETY_SPECIALTY])
    assert ln.bonus_points == 0 and "未填写企业安全生产系统工作年限 → 不加分" in ln.bonus_rule


def test_enterprise_bonus_counts_even_when_the_years_item_itself_scores_nothing(jc):
    ln = line(jc, "years", years_in_field=10, specialties=[SAFETY_SPECIALTY], enterprise_safety_years=15)
    assert (ln.points, ln.bonus_points) == (0, 5)


def test_the_enterprise_bonus_cannot_be_ticked_by_the_reviewer(jc):
    errs = errors_of(lambda: sheet(jc, bonuses={"enterprise_safety_15y": True}))
    assert errs == [("enterprise_safety_15y",
                     "加分项“安全生产行业领域专家在企业安全生产系统工作满15年以上的另外加5分”由申报信息自动判断，不能人工勾选")]


# --- 申报专业数量 ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("count, points", [(1, 3), (2, 4), (3, 5), (5, 5), (6, 5)])
def test_specialty_count_scores_three_for_one_plus_one_each_up_to_five_jc_a1(jc, count, points):
    codes = [f"1.{n}" for n in range(1, count + 1)]
    ln = line(jc, "specialty_count", specialties=codes)
    assert ln.points == points
    assert ln.rule.startswith(f"申报专业{count}种：申报一种得3分，每多申报一种多得1分") and ln.rule.endswith(f"→ {points}分（附件4 第5项）")


def test_no_specialty_is_an_error(jc):
    assert errors_of(lambda: derived_lines(expert(jc, specialties=None), jc))[0][0] == "specialties"


# --- 人工打分项 ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, band", [
    (0, "本职岗位重要无法短时外出服务（0分档）"), (1, "时间允许但需监管部门协调请假（1–5分档）"),
    (5, "时间允许但需监管部门协调请假（1–5分档）"), (6, "时间充足自己即可决定外出服务（6–10分档）"),
    (10, "时间充足自己即可决定外出服务（6–10分档）"),
])
def test_service_conditions_accepts_0_to_10_and_names_the_band_jc_a1(jc, value, band):
    ln = sheet(jc, {"service_conditions": value}).line("service_conditions")
    assert ln.points == value and ln.rule == f"{band} → {value}分（附件4 第1项）"


@pytest.mark.parametrize("value", [11, -1])
def test_service_conditions_outside_0_to_10_is_refused_jc_a1(jc, value):
    assert errors_of(lambda: sheet(jc, {"service_conditions": value})) == [
        ("service_conditions", f"专家外出服务条件情况得分应在0–10分之间（填写为{value}）")]


@pytest.mark.parametrize("value, ok", [(0, True), (1, True), (5, True), (6, True), (10, True), (11, False)])
def test_motivation_accepts_0_to_10_jc_a1(jc, value, ok):
    if ok:
        assert sheet(jc, {"motivation": value}).line("motivation").points == value
    else:
        assert errors_of(lambda: sheet(jc, {"motivation": value}))[0][0] == "motivation"


@pytest.mark.parametrize("value, ok", [(0, True), (1, True), (3, True), (5, True), (6, False)])
def test_service_experience_accepts_any_whole_number_0_to_5_though_the_bands_overlap_jc_a1(jc, value, ok):
    if ok:
        assert sheet(jc, {"service_experience": value}).line("service_experience").points == value
    else:
        assert errors_of(lambda: sheet(jc, {"service_experience": value})) == [
            ("service_experience", "外出参加安全技术服务情况得分应在0–5分之间（填写为6）")]


def test_service_experience_rule_names_both_overlapping_bands_at_3_and_no_band_at_1(jc):
    three = sheet(jc, {"service_experience": 3}).line("service_experience").rule
    assert "参加过省级项目的安全技术服务（3–4分档）或参加过市级项目的安全技术服务（2–3分档） → 3分" in three
    one = sheet(jc, {"service_experience": 1}).line("service_experience").rule
    assert one.startswith("不在所列档次内，审核人酌情打分（允许0–5分） → 1分")


@pytest.mark.parametrize("value, ok", [(4, False), (5, True), (20, True), (21, False), (0, False)])
def test_knowledge_accepts_5_to_20_only_jc_a1(jc, value, ok):
    if ok:
        assert sheet(jc, {"knowledge": value}).line("knowledge").points == value
    else:
        assert errors_of(lambda: sheet(jc, {"knowledge": value})) == [
            ("knowledge", f"专业知识掌握情况得分应在5–20分之间（填写为{value}）")]


@pytest.mark.parametrize("value, ok", [(0, True), (20, True), (21, False), (25, False)])
def test_effectiveness_accepts_0_to_20_jc_a1(jc, value, ok):
    if ok:
        assert sheet(jc, {"effectiveness": value}).line("effectiveness").points == value
    else:
        assert errors_of(lambda: sheet(jc, {"effectiveness": value})) == [
            ("effectiveness", f"从事专业工作成效情况得分应在0–20分之间（填写为{value}）")]


def test_high_risk_rescue_bonus_adds_five_to_effectiveness_jc_a1(jc):
    without = sheet(jc)
    with_bonus = sheet(jc, bonuses={"high_risk_rescue": True})
    ln = with_bonus.line("effectiveness")
    assert (ln.points, ln.bonus_points, ln.total) == (10, 5, 15)
    assert ln.bonus_rule.startswith("审核人确认符合加分条件 → 加5分（附件4 第9项：有高危行业事故抢险救援和调查处理经验")
    assert with_bonus.total == without.total + 5
    assert without.line("effectiveness").bonus_points == 0
    assert "不加分" in without.line("effectiveness").bonus_rule


def test_the_rescue_bonus_is_given_even_at_the_full_20_points(jc):
    ln = sheet(jc, {"effectiveness": 20}, bonuses={"high_risk_rescue": True}).line("effectiveness")
    assert ln.total == 25


def test_integral_floats_and_digit_strings_are_accepted_as_whole_points(jc):
    s = sheet(jc, {"knowledge": 12.0, "motivation": " 7 "})
    assert (s.line("knowledge").points, s.line("motivation").points) == (12, 7)


@pytest.mark.parametrize("value", [7.5, True, "七", [7]])
def test_points_that_are_not_whole_numbers_are_refused(jc, value):
    errs = errors_of(lambda: sheet(jc, {"motivation": value}))
    assert errs[0][0] == "motivation" and "应为0–10分之间的整数" in errs[0][1]


# --- 总分与通过 ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("effectiveness, total, passed", [(9, 69, False), (10, 70, True), (11, 71, True)])
def test_total_at_69_fails_and_at_70_passes_jc_a2(jc, effectiveness, total, passed):
    s = sheet(jc, {"effectiveness": effectiveness})
    assert (s.total, s.pass_mark, s.passed) == (total, 70, passed)
    assert s.total == sum(ln.points + ln.bonus_points for ln in s.lines)


def test_a_bonus_can_lift_the_total_to_the_pass_mark_jc_a2(jc):
    s = sheet(jc, {"effectiveness": 5}, bonuses={"high_risk_rescue": True})
    assert (s.points_total, s.bonus_total, s.total, s.passed) == (65, 5, 70, True)


def test_the_best_possible_sheet_scores_110(jc):
    best = {"service_conditions": 10, "motivation": 10, "service_experience": 5, "knowledge": 20, "effectiveness": 20}
    s = sheet(jc, best, bonuses={"high_risk_rescue": True}, education="博士研究生", title_level="正高级",
              years_in_field=30, enterprise_safety_years=30, specialties=["1.1", "1.2", "1.3"])
    assert (s.points_total, s.total, s.max_score_with_bonus) == (100, 110, 110)


def test_the_lowest_possible_sheet_scores_the_floors(jc):
    low = {"service_conditions": 0, "motivation": 0, "service_experience": 0, "knowledge": 5, "effectiveness": 0}
    s = sheet(jc, low, education="中专及以下", title_level="无", years_in_field=10)
    assert s.total == 6 + 0 + 0 + 3 + 5 and not s.passed


def test_every_line_keeps_the_rule_that_produced_its_points_jc_a1(jc):
    s = sheet(jc, bonuses={"high_risk_rescue": True}, specialties=[SAFETY_SPECIALTY], enterprise_safety_years=15)
    for ln in s.lines:
        assert ln.rule and f"→ {ln.points}分" in ln.rule and "附件4" in ln.rule, ln.key
    assert all(s.line(k).bonus_rule for k in ("years", "effectiveness"))
    assert not any(s.line(k).bonus_rule for k in ("education", "knowledge"))


def test_remarks_are_kept_on_their_lines(jc):
    s = sheet(jc, remarks={"knowledge": "  熟悉煤矿安全规程  ", "education": "太原理工大学本科"})
    assert s.line("knowledge").remark == "熟悉煤矿安全规程"
    assert s.line("education").remark == "太原理工大学本科"
    assert s.line("motivation").remark == ""


def test_sheet_records_the_policy_that_produced_it(jc):
    assert sheet(jc).policy_id == "jincheng-2026"


def test_a_validated_stored_record_scores_the_same_as_the_raw_one(jc):
    raw = expert(jc, enterprise_safety_years="15", years_in_field="14")
    stored = validate_expert(raw, jc, TODAY)
    s = score_sheet(stored, jc, manual=MANUAL)
    assert (s.line("years").points, s.line("years").bonus_points) == (2, 5)


def test_scoring_changes_none_of_its_inputs(jc):
    e = expert(jc)
    manual, bonuses, remarks = dict(MANUAL), {"high_risk_rescue": True}, {"knowledge": "好"}
    before = copy.deepcopy((e, manual, bonuses, remarks))
    score_sheet(e, jc, manual=manual, bonuses=bonuses, remarks=remarks)
    assert (e, manual, bonuses, remarks) == before


# --- 一次列出全部错误 -------------------------------------------------------------------------------------------------

def test_every_bad_item_is_listed_at_once_in_sheet_order_jc_a1(jc):
    bad = {"service_conditions": 11, "service_experience": 6, "knowledge": 4, "effectiveness": 25}
    errs = errors_of(lambda: score_sheet(expert(jc), jc, manual=bad))
    assert errs == [
        ("service_conditions", "专家外出服务条件情况得分应在0–10分之间（填写为11）"),
        ("motivation", "请填写进入专家库动机情况得分（0–10分）"),
        ("service_experience", "外出参加安全技术服务情况得分应在0–5分之间（填写为6）"),
        ("knowledge", "专业知识掌握情况得分应在5–20分之间（填写为4）"),
        ("effectiveness", "从事专业工作成效情况得分应在0–20分之间（填写为25）"),
    ]


def test_an_empty_review_asks_for_each_of_the_five_items(jc):
    errs = errors_of(lambda: score_sheet(expert(jc), jc, manual={"knowledge": ""}))
    assert [k for k, _ in errs] == [it.key for it in manual_items(jc)]
    assert all(msg.startswith("请填写") for _, msg in errs)


def test_record_problems_and_reviewer_problems_come_in_one_error(jc):
    errs = errors_of(lambda: score_sheet(expert(jc, education=None), jc, manual={**MANUAL, "knowledge": 21}))
    assert [k for k, _ in errs] == ["education", "knowledge"]


def test_unknown_and_computed_keys_are_refused(jc):
    errs = errors_of(lambda: sheet(jc, {"education": 10, "bogus": 3}, bonuses={"nope": True},
                                   remarks={"missing": "x"}))
    assert errs == [
        ("education", "取得全日制专业学历情况由申报信息自动计算，不能人工打分"),
        ("bogus", "评分表中没有评分项“bogus”"),
        ("nope", "评分表中没有加分项“nope”"),
        ("missing", "评分表中没有评分项“missing”，不能填写备注"),
    ]


def test_a_bonus_that_is_not_yes_or_no_is_refused(jc):
    errs = errors_of(lambda: sheet(jc, bonuses={"high_risk_rescue": "是的"}))
    assert errs == [("high_risk_rescue", "加分项“有高危行业事故抢险救援和调查处理经验的另外加5分”应为“是”或“否”")]


def test_validation_error_message_joins_every_problem(jc):
    with pytest.raises(ValidationError) as err:
        score_sheet(expert(jc), jc, manual={**MANUAL, "knowledge": 4, "motivation": 11})
    assert "专业知识掌握情况得分应在5–20分之间" in str(err.value) and "进入专家库动机情况" in str(err.value)


# --- 存储往返 -------------------------------------------------------------------------------------------------------

def test_sheet_round_trips_through_a_json_dict_jc_a1(jc):
    s = sheet(jc, bonuses={"high_risk_rescue": True}, remarks={"knowledge": "好"},
              specialties=[SAFETY_SPECIALTY], enterprise_safety_years=16)
    d = json.loads(json.dumps(s.to_dict(), ensure_ascii=False))
    assert ScoreSheet.from_dict(d) == s
    assert set(d) >= {"policy_id", "lines", "total", "pass_mark", "passed", "max_score"}
    assert set(d["lines"][0]) == {"key", "name", "weight", "points", "derived", "rule", "bonus_points",
                                  "bonus_rule", "remark"}


def test_a_stored_sheet_without_the_optional_keys_still_loads(jc):
    d = sheet(jc).to_dict()
    del d["max_score_with_bonus"]
    for ln in d["lines"]:
        del ln["bonus_points"], ln["bonus_rule"], ln["remark"]
    s = ScoreSheet.from_dict(d)
    assert s.max_score_with_bonus == s.max_score == 100
    assert s.lines[0] == ScoreLine(**{**d["lines"][0]})


def test_an_incomplete_stored_sheet_is_a_chinese_domain_error(jc):
    d = sheet(jc).to_dict()
    del d["total"]
    with pytest.raises(DomainError, match="评分记录不完整：缺少“total”"):
        ScoreSheet.from_dict(d)


def test_asking_a_sheet_for_an_item_it_lacks_is_a_domain_error(jc):
    with pytest.raises(DomainError, match="评分表中没有评分项“nope”"):
        sheet(jc).line("nope")


# --- 阳泉：不打分 ----------------------------------------------------------------------------------------------------

def test_yangquan_has_no_score_sheet_and_says_to_use_the_three_checks_yq_a1(yq):
    e = make_expert(yq)
    for call in (lambda: score_sheet(e, yq, manual={}), lambda: manual_items(yq), lambda: derived_lines(e, yq)):
        with pytest.raises(DomainError, match="阳泉市政策不采用评分表，请使用三项审核"):
            call()


# --- 低于分数线例外通过（附件4：原则上低于70分不予审核通过）— JC-A2 ---------------------------------------------

REASON = "本专业小类在库专家不足3人，面谈中专业知识扎实，确需补充"
EXCEPTION = {"reason": REASON, "approved_by": "王分管", "approved_on": "2026-06-14"}


def low_sheet(jc):
    s = sheet(jc, {"effectiveness": 0})
    assert (s.total, s.passed) == (60, False)
    return s


def test_jc_a2_below_pass_exception_records_the_reason_and_the_approver_the_profile_names(jc):
    s = low_sheet(jc)
    assert jc.scoring.pass_mark_is_guideline and jc.scoring.below_pass_approval == "分管领导"
    assert exception_possible(s, jc)
    granted = below_pass_exception(s, jc, {**EXCEPTION, "reason": f"  {REASON}\r\n补充说明。 "}, today=TODAY,
                                   not_before=date(2026, 6, 5))
    assert granted == PassException(reason=f"{REASON}\n补充说明。", approver_role="分管领导", approved_by="王分管",
                                    approved_on=date(2026, 6, 14), score=60, pass_mark=70)
    assert PassException.from_dict(json.loads(json.dumps(granted.to_dict()))) == granted
    assert below_pass_exception(s, jc, None, today=TODAY) is None


def test_jc_a2_below_pass_exception_refuses_a_short_reason_no_approver_and_a_future_date_all_at_once(jc):
    bad = {"reason": "理由 不 足", "approved_by": " ", "approved_on": "2026-06-16"}
    found = errors_of(lambda: below_pass_exception(low_sheet(jc), jc, bad, today=TODAY))
    assert [k for k, _ in found] == ["reason", "approved_by", "approved_on"]
    assert "至少写10个字" in found[0][1] and "批准人（分管领导）姓名" in found[1][1] and "不能晚于今天" in found[2][1]


def test_jc_a2_below_pass_exception_takes_only_its_three_fields_and_limits_their_length(jc):
    s = low_sheet(jc)
    found = errors_of(lambda: below_pass_exception(s, jc, {**EXCEPTION, "approver_role": "主要领导"}, today=TODAY))
    assert found == [("approver_role", "例外通过不接受“approver_role”一项")]  # the role comes from the profile
    found = errors_of(lambda: below_pass_exception(s, jc, {**EXCEPTION, "reason": "理" * 501,
                                                           "approved_by": "王" * 31}, today=TODAY))
    assert [k for k, _ in found] == ["reason", "approved_by"]
    found = errors_of(lambda: below_pass_exception(s, jc, {**EXCEPTION, "reason": REASON + "\u202e"}, today=TODAY))
    assert "不允许" in found[0][1]
    found = errors_of(lambda: below_pass_exception(s, jc, EXCEPTION, today=TODAY, not_before=date(2026, 6, 15)))
    assert found == [("approved_on", "批准日期不能早于申报日期（2026-06-15）")]


def test_jc_a2_strict_profile_allows_no_exception(jc):
    strict = jc.variant({"scoring.pass_mark_is_guideline": False})
    s = score_sheet(expert(jc), strict, manual={**MANUAL, "effectiveness": 0})
    assert not s.passed and not exception_possible(s, strict)
    with pytest.raises(ValidationError, match="分数线70分为硬性规定，低于70分不能例外通过"):
        below_pass_exception(s, strict, EXCEPTION, today=TODAY)


def test_jc_a2_an_exception_for_a_total_that_reaches_the_mark_is_refused(jc):
    s = sheet(jc)
    assert (s.total, s.passed) == (70, True) and not exception_possible(s, jc)
    with pytest.raises(ValidationError, match="已达到70分，无需例外通过"):
        below_pass_exception(s, jc, EXCEPTION, today=TODAY)


def test_jc_a2_a_guideline_mark_must_name_who_approves_an_exception(jc):
    from core.policy import PolicyError
    with pytest.raises(PolicyError, match="below_pass_approval"):
        jc.variant({"scoring.below_pass_approval": None})
    strict = jc.variant({"scoring.pass_mark_is_guideline": False, "scoring.below_pass_approval": None})
    assert strict.scoring.below_pass_approval is None

"""资格条件审查（core/eligibility.py）的规格 — JC-E1, JC-E2, JC-E3, YQ-E1, YQ-E2, X-E1, X-E2.

每个测试从真实档案（policies/*.toml）和一个符合条件的默认专家（tests/factories.make_expert：45岁男性、本科、
副高级、注册安全工程师、20年）出发，只改一处，看那一条规则在边界两侧的结果。
"""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from core.errors import DomainError
from core.eligibility import (
    ELIGIBLE,
    FAIL,
    NOT_ELIGIBLE,
    OVERRIDE_PREFIX,
    PASS,
    PENDING,
    REVIEW,
    EligibilityResult,
    RuleResult,
    check_eligibility,
    overridable_rule_ids,
    possible_rule_ids,
)
from core.expert import validate_expert
from tests.factories import TODAY, make_expert, real_policies

POLICIES = real_policies()
JC = POLICIES["jincheng-2026"]
YQ = POLICIES["yangquan-2024"]
ALL_TRUE = {k: True for k in ("forest_fire", "flood_drought", "legal_cases", "no_criminal_record", "healthy",
                              "leadership", "frontline_commander")}


def expert(policy, **overrides) -> dict:
    """A cleaned record, as the store holds it."""
    return validate_expert(make_expert(policy, **overrides), policy, TODAY)


def check(policy, record, today: date = TODAY, **kw):
    kw.setdefault("declarations", ALL_TRUE)
    return check_eligibility(record, policy, today, **kw)


def rule(policy, record, rule_id, today: date = TODAY, **kw) -> RuleResult:
    return check(policy, record, today, **kw).rule(rule_id)


def birthday(years_ago: int, on: date = TODAY) -> str:
    """The birth date of someone whose `years_ago`-th birthday is `on`."""
    return on.replace(year=on.year - years_ago).isoformat()


DAY_BEFORE = TODAY - timedelta(days=1)


# --- the default record ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("pid,kind", [("jincheng-2026", "普通专家"), ("yangquan-2024", "普通专家")])
def test_the_default_expert_with_every_declaration_confirmed_is_eligible(pid, kind):
    policy = POLICIES[pid]
    result = check(policy, expert(policy), kind=kind)
    assert result.status == ELIGIBLE, [(r.rule_id, r.reason) for r in result.rules]


# --- age (JC-E3, YQ-E1, YQ-E2) ---------------------------------------------------------------------------------
@pytest.mark.parametrize("pid,gender,kind,limit", [
    ("yangquan-2024", "男", "普通专家", 60),
    ("yangquan-2024", "女", "普通专家", 55),
    ("yangquan-2024", "男", "特聘专家", 65),
    ("yangquan-2024", "女", "特聘专家", 65),
    ("jincheng-2026", "男", "普通专家", 65),
    ("jincheng-2026", "女", "普通专家", 65),
])
def test_age_passes_the_day_before_and_fails_on_the_birthday_after_the_limit_yq_e1_yq_e2_jc_e3(pid, gender, kind,
                                                                                              limit):
    policy = POLICIES[pid]
    record = expert(policy, gender=gender, birth_date=birthday(limit + 1))
    before = rule(policy, record, "age", DAY_BEFORE, kind=kind)
    on = rule(policy, record, "age", TODAY, kind=kind)
    assert before.status == PASS and f"{limit}周岁" in before.reason
    assert on.status == FAIL and f"{limit + 1}周岁" in on.reason and f"{limit}周岁的年龄上限" in on.reason


def test_a_yq_man_on_his_sixtieth_birthday_is_still_within_the_limit_yq_e1():
    record = expert(YQ, gender="男", birth_date=birthday(60))
    assert rule(YQ, record, "age").status == PASS


def test_a_yq_woman_of_56_fails_where_a_man_of_56_passes_yq_e1():
    woman = expert(YQ, gender="女", birth_date=birthday(56))
    man = expert(YQ, gender="男", birth_date=birthday(56))
    assert rule(YQ, woman, "age").status == FAIL
    assert rule(YQ, man, "age").status == PASS
    assert rule(YQ, woman, "age").source.startswith("第六条")


def test_the_yq_special_expert_age_rule_names_article_eight_yq_e2():
    r = rule(YQ, expert(YQ, birth_date=birthday(64)), "age", kind="特聘专家")
    assert r.status == PASS and r.source.startswith("第八条")


def test_age_and_gender_are_read_from_the_id_number_when_the_fields_are_empty():
    record = expert(YQ, gender="女", birth_date=birthday(56))
    raw = {k: v for k, v in record.items() if k not in ("gender", "birth_date")}
    assert rule(YQ, raw, "age").status == FAIL


def test_without_gender_yq_age_is_pending_but_jc_can_still_judge_it():
    raw = {"birth_date": birthday(50)}
    assert rule(YQ, raw, "age").status == REVIEW
    assert "性别" in rule(YQ, raw, "age").reason
    assert rule(JC, raw, "age").status == PASS  # JC's limit is the same for men and women


# --- title or qualification (JC-E1, YQ-E1) ---------------------------------------------------------------------
@pytest.mark.parametrize("policy", [JC, YQ], ids=["JC", "YQ"])
def test_chuji_without_a_qualification_fails_and_zhongji_passes_jc_e1_yq_e1(policy):
    low = rule(policy, expert(policy, title_level="初级", qualifications=[]), "title")
    mid = rule(policy, expert(policy, title_level="中级", qualifications=[]), "title")
    assert low.status == FAIL and "初级" in low.reason and "中级" in low.reason
    assert mid.status == PASS


@pytest.mark.parametrize("policy,qualification", [
    (JC, "注册安全工程师"), (JC, "注册安全评价师"), (JC, "律师"),
    (YQ, "注册安全工程师"), (YQ, "注册安全评价师"), (YQ, "国家职业技能一级/高级技师"),
])
def test_a_listed_qualification_stands_in_for_the_title_jc_e1_yq_e1(policy, qualification):
    r = rule(policy, expert(policy, title_level="无", qualifications=[qualification]), "title")
    assert r.status == PASS and qualification in r.reason


def test_a_senior_technician_qualification_does_not_count_in_jc_jc_e1():
    r = rule(JC, expert(JC, title_level="初级", qualifications=["国家职业技能一级/高级技师"]), "title")
    assert r.status == FAIL


def test_an_out_of_city_expert_with_zhongji_fails_in_jc_even_with_a_qualification_jc_e1():
    r = rule(JC, expert(JC, is_out_of_city=True, title_level="中级", qualifications=["注册安全工程师"]), "title")
    assert r.status == FAIL
    assert "市外专家" in r.reason and "副高级" in r.reason and "不能代替" in r.reason


@pytest.mark.parametrize("level", ["副高级", "正高级"])
def test_an_out_of_city_expert_with_a_senior_title_passes_in_jc_jc_e1(level):
    r = rule(JC, expert(JC, is_out_of_city=True, title_level=level, qualifications=[]), "title")
    assert r.status == PASS and "市外专家" in r.reason


def test_yq_has_no_out_of_city_rule_so_zhongji_passes_there_yq_e1():
    r = rule(YQ, expert(YQ, is_out_of_city=True, title_level="中级", qualifications=[]), "title")
    assert r.status == PASS


def test_a_missing_title_level_without_a_qualification_is_pending():
    raw = make_expert(JC, title_level=None, qualifications=None)
    r = rule(JC, raw, "title")
    assert r.status == REVIEW and "未填写职称等级" in r.reason


# --- years (JC-E1, YQ-E1) --------------------------------------------------------------------------------------
@pytest.mark.parametrize("policy", [JC, YQ], ids=["JC", "YQ"])
@pytest.mark.parametrize("years,status", [(9, FAIL), (10, PASS), (11, PASS)])
def test_ten_years_in_the_field_pass_and_nine_fail_jc_e1_yq_e1(policy, years, status):
    r = rule(policy, expert(policy, years_in_field=years), "years")
    assert r.status == status and f"{years}年" in r.reason


def test_missing_years_are_pending_with_the_reason():
    raw = make_expert(JC, years_in_field=None)
    r = rule(JC, raw, "years")
    assert r.status == REVIEW and r.reason == "未填写从事本专业年限"


def test_years_typed_as_text_are_read_and_nonsense_is_pending():
    assert rule(JC, make_expert(JC, years_in_field="12"), "years").status == PASS
    r = rule(JC, make_expert(JC, years_in_field="十年"), "years")
    assert r.status == REVIEW and "十年" in r.reason


# --- education (YQ-E1; JC sets none) ---------------------------------------------------------------------------
@pytest.mark.parametrize("education,status", [("中专及以下", FAIL), ("大专", PASS), ("博士研究生", PASS)])
def test_yq_needs_dazhuan_or_higher_yq_e1(education, status):
    r = rule(YQ, expert(YQ, education=education), "education")
    assert r.status == status and education in r.reason and r.source.startswith("第六条")


def test_jc_lists_education_as_not_required_so_zhongzhuan_passes():
    r = rule(JC, expert(JC, education="中专及以下"), "education")
    assert r.status == PASS and "不作要求" in r.reason and not r.overridable


def test_missing_education_is_pending_in_yq():
    r = rule(YQ, make_expert(YQ, education=None), "education")
    assert r.status == REVIEW and "未填写最高学历" in r.reason


# --- sector-specific experience (JC-E2) ------------------------------------------------------------------------
@pytest.mark.parametrize("code,key", [("5.3", "experience_forest_fire"), ("5.2", "experience_flood_drought")])
def test_forest_fire_and_flood_specialties_need_their_experience_jc_e2(code, key):
    record = expert(JC, specialties=[code])
    declared = {**ALL_TRUE}
    declared.pop(key.removeprefix("experience_"))
    pending = rule(JC, record, key, declarations=declared)
    assert pending.status == REVIEW and "需核实" in pending.reason and "经历" in pending.reason
    refused = rule(JC, record, key, declarations={**declared, key.removeprefix("experience_"): False})
    assert refused.status == FAIL
    assert rule(JC, record, key).status == PASS
    assert pending.source == "第七条(四)" and not pending.overridable


def test_an_undeclared_forest_fire_experience_leaves_the_whole_result_pending_jc_e2():
    result = check(JC, expert(JC, specialties=["5.3"]), declarations={**ALL_TRUE, "forest_fire": None})
    assert result.status == PENDING
    assert [r.rule_id for r in result.pending] == ["experience_forest_fire"]


@pytest.mark.parametrize("overrides", [{"specialties": ["6.1"]}, {"qualifications": ["律师"]}], ids=["6.1", "律师"])
def test_legal_experts_by_specialty_or_by_lawyer_qualification_need_case_experience_jc_e2(overrides):
    record = expert(JC, **overrides)
    r = rule(JC, record, "experience_legal_cases", declarations={**ALL_TRUE, "legal_cases": None})
    assert r.status == REVIEW and "法律咨询" in r.reason
    assert rule(JC, record, "experience_legal_cases", declarations={**ALL_TRUE, "legal_cases": False}).status == FAIL


def test_experience_rules_do_not_appear_for_other_specialties_jc_e2():
    ids = [r.rule_id for r in check(JC, expert(JC, specialties=["1.1"])).rules]
    assert not [i for i in ids if i.startswith("experience_")]


# --- criminal record and health (YQ-E1) ------------------------------------------------------------------------
@pytest.mark.parametrize("stated,status", [(True, PASS), (False, FAIL), (None, REVIEW)])
def test_yq_no_criminal_record_follows_the_declaration_yq_e1(stated, status):
    r = rule(YQ, expert(YQ), "no_criminal_record", declarations={**ALL_TRUE, "no_criminal_record": stated})
    assert r.status == status and not r.overridable


def test_jc_does_not_list_a_criminal_record_rule():
    assert "no_criminal_record" not in [r.rule_id for r in check(JC, expert(JC)).rules]


@pytest.mark.parametrize("policy", [JC, YQ], ids=["JC", "YQ"])
@pytest.mark.parametrize("stated,status", [(True, PASS), (False, FAIL), (None, REVIEW)])
def test_health_follows_the_declaration(policy, stated, status):
    assert rule(policy, expert(policy), "health", declarations={**ALL_TRUE, "healthy": stated}).status == status


def test_without_declarations_the_result_is_pending_not_an_error():
    result = check_eligibility(expert(YQ), YQ, TODAY)
    assert result.status == PENDING
    assert {r.rule_id for r in result.pending} == {"no_criminal_record", "health"}


# --- YQ special experts (YQ-E2) --------------------------------------------------------------------------------
def special(record, **declared):
    return rule(YQ, record, "special_path", kind="特聘专家",
                declarations={**ALL_TRUE, "leadership": None, "frontline_commander": None, **declared})


def test_a_senior_engineer_who_led_a_unit_qualifies_as_special_expert_yq_e2():
    r = special(expert(YQ, title_level="副高级"), leadership=True)
    assert r.status == PASS and "高级工程师" in r.reason


def test_a_zhongji_leader_is_not_a_senior_engineer_and_without_command_fails_yq_e2():
    r = special(expert(YQ, title_level="中级"), leadership=True, frontline_commander=False)
    assert r.status == FAIL and "不符合" in r.reason


def test_a_frontline_commander_needs_neither_education_nor_title_yq_e2():
    record = expert(YQ, title_level="无", education="中专及以下", qualifications=[])
    result = check(YQ, record, kind="特聘专家", declarations={**ALL_TRUE, "leadership": False})
    assert result.rule("special_path").status == PASS and "抢险一线指挥员" in result.rule("special_path").reason
    assert result.rule("education").status == PASS
    assert "title" not in [r.rule_id for r in result.rules]
    assert result.status == ELIGIBLE


def test_an_undeclared_path_is_pending_yq_e2():
    r = special(expert(YQ, title_level="副高级"))
    assert r.status == REVIEW and "待核实" in r.reason


def test_neither_path_fails_yq_e2():
    r = special(expert(YQ, title_level="正高级"), leadership=False, frontline_commander=False)
    assert r.status == FAIL


def test_a_special_expert_of_65_passes_and_of_66_fails_where_an_ordinary_man_of_61_fails_yq_e2():
    record = expert(YQ, birth_date=birthday(66))
    assert check(YQ, record, DAY_BEFORE, kind="特聘专家").status == ELIGIBLE
    assert check(YQ, record, TODAY, kind="特聘专家").status == NOT_ELIGIBLE
    assert check(YQ, expert(YQ, birth_date=birthday(61)), kind="特聘专家").status == ELIGIBLE


def test_jc_has_no_special_experts():
    with pytest.raises(DomainError, match="特聘专家"):
        check(JC, expert(JC), kind="特聘专家")


# --- ban list (X-E1) -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("policy", [JC, YQ], ids=["JC", "YQ"])
def test_a_banned_person_fails_x_e1(policy):
    result = check(policy, expert(policy), banned="第九条（五）被依法追究刑事责任的")
    r = result.rule("banned")
    assert r.status == FAIL and "永不录用" in r.reason and "追究刑事责任" in r.reason and not r.overridable
    assert result.status == NOT_ELIGIBLE


@pytest.mark.parametrize("policy", [JC, YQ], ids=["JC", "YQ"])
def test_the_ban_can_never_be_overridden_x_e1(policy):
    with pytest.raises(DomainError, match="永不录用"):
        check(policy, expert(policy), banned="第九条（八）收受财物", overrides={"banned": "领导同意"})


def test_jc_lists_the_ban_rule_with_its_articles_when_not_banned_x_e1():
    r = rule(JC, expert(JC), "banned")
    assert r.status == PASS and r.source == "第九条（五）至（九）；第十四条(三)"


# --- overrides (JC-E3; none in YQ) -----------------------------------------------------------------------------
def test_jc_age_override_with_a_reason_makes_the_result_eligible_jc_e3():
    record = expert(JC, birth_date=birthday(70))
    assert check(JC, record).status == NOT_ELIGIBLE
    result = check(JC, record, overrides={"age": "应急救援成果获市级部门认可"})
    r = result.rule("age")
    assert result.status == ELIGIBLE
    assert r.status == FAIL and r.overridden and r.override_reason == "应急救援成果获市级部门认可"
    assert f"{OVERRIDE_PREFIX}应急救援成果获市级部门认可" in r.reason


def test_a_failing_overridable_rule_says_it_can_be_relaxed_jc_e3():
    r = rule(JC, expert(JC, birth_date=birthday(70)), "age")
    assert r.overridable and "放宽" in r.reason and not r.overridden


@pytest.mark.parametrize("rule_id,changes", [
    ("title", {"title_level": "初级", "qualifications": []}),
    ("years", {"years_in_field": 8}),
    ("title", {"is_out_of_city": True, "title_level": "中级"}),
])
def test_jc_title_and_years_can_be_relaxed_for_outstanding_experts_jc_e1_jc_e3(rule_id, changes):
    record = expert(JC, **changes)
    assert check(JC, record).status == NOT_ELIGIBLE
    result = check(JC, record, overrides={rule_id: {"reason": "业务能力突出", "by": "office", "at": "2026-06-15"}})
    assert result.status == ELIGIBLE and result.rule(rule_id).overridden


def test_jc_override_without_a_reason_is_refused_jc_e3():
    with pytest.raises(DomainError, match="理由"):
        check(JC, expert(JC, birth_date=birthday(70)), overrides={"age": "  "})


@pytest.mark.parametrize("rule_id", ["health", "education", "experience_forest_fire"])
def test_jc_rules_outside_the_relaxation_clauses_cannot_be_overridden_jc_e3(rule_id):
    with pytest.raises(DomainError, match="不允许放宽"):
        check(JC, expert(JC), overrides={rule_id: "理由"})


@pytest.mark.parametrize("rule_id", ["age", "title", "years", "education", "no_criminal_record"])
def test_yq_refuses_every_override_yq_e1(rule_id):
    with pytest.raises(DomainError, match="阳泉") as info:
        check(YQ, expert(YQ, birth_date=birthday(61)), overrides={rule_id: "领导同意"})
    assert "不能放宽" in info.value.message


def test_an_override_of_a_rule_that_passes_changes_nothing():
    result = check(JC, expert(JC), overrides={"age": "预先放宽"})
    assert not result.rule("age").overridden and result.rule("age").status == PASS


def test_an_override_of_an_unknown_rule_is_refused():
    with pytest.raises(DomainError, match="没有规则"):
        check(JC, expert(JC), overrides={"agee": "笔误"})


def test_only_the_relaxation_clauses_are_overridable():
    assert overridable_rule_ids(JC) == ("age", "title", "years")
    assert overridable_rule_ids(YQ) == ()
    for r in check(JC, expert(JC, specialties=["5.3"])).rules:
        assert r.overridable == (r.rule_id in ("age", "title", "years"))


# --- the result as a whole (X-E2) ------------------------------------------------------------------------------
def _r(rule_id, status, overridden=False):
    return RuleResult(rule_id, rule_id, status, "理由", "第七条", True, overridden, "理由" if overridden else "")


@pytest.mark.parametrize("statuses,overall", [
    ([PASS, PASS], ELIGIBLE),
    ([PASS, REVIEW], PENDING),
    ([FAIL, REVIEW], NOT_ELIGIBLE),
    ([FAIL, PASS], NOT_ELIGIBLE),
    ([(FAIL, True), PASS], ELIGIBLE),
    ([(FAIL, True), REVIEW], PENDING),
    ([(FAIL, True), FAIL], NOT_ELIGIBLE),
    ([], ELIGIBLE),
])
def test_overall_status_is_any_unrelaxed_fail_then_any_pending_x_e2(statuses, overall):
    rules = tuple(_r(f"r{i}", *(s if isinstance(s, tuple) else (s,))) for i, s in enumerate(statuses))
    assert EligibilityResult("jincheng-2026", TODAY, rules).status == overall


RECORDS = {
    "complete": lambda p: expert(p),
    "failing": lambda p: expert(p, birth_date=birthday(70), title_level="初级", qualifications=[], years_in_field=3,
                                 education="中专及以下", specialties=[p.taxonomy.all_specialty_codes()[-1]]),
    "empty": lambda p: {},
    "typing": lambda p: {"name": "张", "id_number": "14030219", "birth_date": "1970-13-40", "years_in_field": "",
                         "title_level": "高级", "education": "研究生", "specialties": "5.3、6.1",
                         "qualifications": "律师", "is_out_of_city": "是"},
}


@pytest.mark.parametrize("record_name", list(RECORDS))
@pytest.mark.parametrize("pid,kind", [("jincheng-2026", "普通专家"), ("yangquan-2024", "普通专家"),
                                      ("yangquan-2024", "特聘专家")])
@pytest.mark.parametrize("declared", [None, ALL_TRUE], ids=["undeclared", "declared"])
def test_every_rule_has_a_status_a_chinese_reason_and_a_source_x_e2(pid, kind, record_name, declared):
    policy = POLICIES[pid]
    result = check_eligibility(RECORDS[record_name](policy), policy, TODAY, kind=kind, declarations=declared)
    assert result.policy_id == pid and result.checked_on == TODAY
    assert result.rules and result.status in (ELIGIBLE, NOT_ELIGIBLE, PENDING)
    ids = [r.rule_id for r in result.rules]
    assert len(ids) == len(set(ids)) and set(ids) <= set(possible_rule_ids(policy, kind)) | {"banned"}
    for r in result.rules:
        assert r.status in (PASS, FAIL, REVIEW)
        assert r.reason and any("\u4e00" <= ch <= "\u9fff" for ch in r.reason), r
        assert r.name and r.source and r.source.startswith("第"), r


def test_an_incomplete_record_gives_pending_rules_with_reasons_not_an_error_x_e2():
    result = check_eligibility({}, YQ, TODAY)
    assert result.status == PENDING
    assert {r.rule_id for r in result.rules} == {"age", "education", "title", "years", "no_criminal_record", "health"}
    assert all(r.status == REVIEW for r in result.rules)


def test_the_rules_follow_the_active_policy_x_e2():
    jc = [r.rule_id for r in check(JC, expert(JC)).rules]
    yq = [r.rule_id for r in check(YQ, expert(YQ)).rules]
    yq_special = [r.rule_id for r in check(YQ, expert(YQ), kind="特聘专家").rules]
    assert jc == ["banned", "age", "education", "title", "years", "health"]
    assert yq == ["age", "education", "title", "years", "no_criminal_record", "health"]
    assert yq_special == ["age", "education", "special_path", "years", "no_criminal_record", "health"]


def test_the_result_round_trips_through_json():
    result = check(JC, expert(JC, birth_date=birthday(70), specialties=["5.3"]), overrides={"age": "市级认可"},
                   declarations={**ALL_TRUE, "forest_fire": None})
    stored = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert stored["checked_on"] == TODAY.isoformat() and stored["status"] == PENDING
    again = EligibilityResult.from_dict(stored)
    assert again == result and again.status == result.status


def test_the_check_is_pure_the_same_inputs_give_the_same_result():
    record = expert(YQ)
    frozen = dict(record)
    assert check(YQ, record) == check(YQ, record)
    assert record == frozen

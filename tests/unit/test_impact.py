"""政策推演影响分析 (core.impact) on small hand-made pools where the answer is known — X-P3."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.errors import DomainError
from core.impact import (FAILED, LIFTED, PASSED, TO_ELIGIBLE, TO_INELIGIBLE, TRIGGERED, application_outcome,
                         briefing_context, impact,
                         map_specialties)
from core.scoring import score_sheet
from tests.factories import real_policies

TODAY = date(2026, 11, 25)
DECLARED = {"forest_fire": True, "flood_drought": True, "legal_cases": True, "no_criminal_record": True,
            "healthy": True, "leadership": True, "frontline_commander": True}


@pytest.fixture(scope="module")
def policies():
    return real_policies()


@pytest.fixture(scope="module")
def yq(policies):
    return policies["yangquan-2024"]


@pytest.fixture(scope="module")
def jc(policies):
    return policies["jincheng-2026"]


def expert(n: int, *, age: int = 45, gender: str = "男", spec: str = "4.1", state: str = "在库", **extra) -> dict:
    """An expert of `age` on TODAY (born 1 January), 本科 副高级 20 years, in the pool."""
    return {"id": n, "name": f"专家{n}", "gender": gender, "birth_date": f"{TODAY.year - age - 1}-12-31",
            "state": state, "expert_kind": "普通专家", "education": "本科", "title_level": "副高级",
            "qualifications": [], "years_in_field": 20, "specialties": [spec], "unit": "某煤业公司", **extra}


# --- (a) eligibility ---------------------------------------------------------------------------------------------
def test_x_p3_a_62_year_old_man_ineligible_under_yangquans_60_becomes_eligible_under_65(yq):
    variant = yq.variant({"eligibility.age_limits.0.max_age": 65})
    pool = [expert(1, age=62), expert(2, age=58), expert(3, age=62, gender="女")]
    report = impact(yq, variant, pool=pool, today=TODAY)
    assert [(f.expert_id, f.direction) for f in report.eligibility] == [(1, TO_ELIGIBLE)]
    flip = report.eligibility[0]
    assert flip.base_status == "不符合" and flip.other_status != "不符合"
    assert "超过60周岁" in flip.base_text and "62周岁" in flip.base_text
    assert report.counts()["to_eligible"] == 1 and report.counts()["to_ineligible"] == 0


def test_x_p3_lowering_jinchengs_age_cap_makes_older_experts_ineligible_with_the_reason(jc):
    variant = jc.variant({"eligibility.age_limits.0.max_age": 60})
    report = impact(jc, variant, pool=[expert(1, age=62, spec="1.1"), expert(2, age=59, spec="1.1")], today=TODAY)
    assert [(f.name, f.direction) for f in report.eligibility] == [("专家1", TO_INELIGIBLE)]
    assert "超过60周岁" in report.eligibility[0].other_text


def test_only_experts_in_the_pool_are_checked_for_eligibility(yq):
    variant = yq.variant({"eligibility.age_limits.0.max_age": 65})
    report = impact(yq, variant, pool=[expert(1, age=62, state="期满退出"), expert(2, age=62, state="暂停")],
                    today=TODAY)
    assert [f.expert_id for f in report.eligibility] == [2]
    assert report.pool_size == 1


def test_the_same_profile_changes_nothing(yq):
    pool = [expert(1, age=62), expert(2)]
    report = impact(yq, yq, pool=pool, today=TODAY)
    assert report.eligibility == () and report.unmapped == () and report.applications == ()
    assert report.consequences == () and all(q.change == "" for q in report.quota)


# --- taxonomy of another city ---------------------------------------------------------------------------------
def test_x_p3_yangquan_adopting_jinchengs_rules_lists_unmappable_experts_instead_of_crashing(yq, jc):
    mapping = map_specialties(yq.taxonomy, jc.taxonomy)
    same_name = next(c for c, t in mapping.items() if t is not None and t != c)
    missing = next(c for c, t in mapping.items() if t is None)
    pool = [expert(1, spec=same_name), expert(2, spec=missing), expert(3, spec="1.1")]
    report = impact(yq, jc, pool=pool, today=TODAY)
    assert not report.same_taxonomy
    unmapped = {u.expert_id: u.codes for u in report.unmapped}
    assert 1 not in unmapped
    assert unmapped[2] == (f"{missing} {yq.taxonomy.specialty(missing).name}",)
    # Yangquan 1.1 (地震观测与信息技术) is not Jincheng 1.1 (地质勘探、测量): codes are never matched by number
    assert mapping["1.1"] != "1.1" or yq.taxonomy.specialty("1.1").name == jc.taxonomy.specialty("1.1").name
    target_sector = jc.taxonomy.sector_of(mapping[same_name])
    row = next(q for q in report.quota if q.other is not None and q.other.code == target_sector.code
               and q.other.name == target_sector.name)
    assert row.other.count >= 1
    assert any("分类表不同" in n for n in report.notes)


# --- (b) quota ----------------------------------------------------------------------------------------------------
def test_x_p3_a_sector_goes_over_its_cap_after_a_cap_cut(jc):
    variant = jc.variant({"taxonomy.sectors.0.cap": 2})
    pool = [expert(n, spec="1.1") for n in range(1, 4)] + [expert(9, spec="1.2", state="申请中")]
    report = impact(jc, variant, pool=pool, today=TODAY)
    coal = report.quota[0]
    assert coal.label == "1 煤矿"
    assert (coal.base.count, coal.base.limit_max, coal.base_status) == (3, 80, "正常")
    assert (coal.other.count, coal.other.limit_max, coal.other_status) == (3, 2, "超出")
    assert coal.change == "变为超出"
    assert report.counts()["over_cap_other"] == 1 and report.counts()["over_cap_base"] == 0


# --- (c) applications -----------------------------------------------------------------------------------------------
def _jc_application(jc, person: dict) -> dict:
    manual = {"service_conditions": 8, "motivation": 8, "service_experience": 3, "knowledge": 15, "effectiveness": 15}
    return {"id": 7, "expert_id": person["id"], "policy_id": jc.id, "status": "已提交", "kind": "普通专家",
            "apply_date": "2026-06-10", "declarations": DECLARED, "overrides": {},
            "eligibility": {"status": "符合"}, "review": {"manual": manual, "bonuses": {}}}


def test_x_p3_an_application_flips_from_pass_to_fail_at_a_higher_pass_mark(jc):
    person = expert(1, spec="1.1", state="已审核")
    app = _jc_application(jc, person)
    total = score_sheet(person, jc, manual=app["review"]["manual"]).total
    assert total >= jc.scoring.pass_mark
    variant = jc.variant({"scoring.pass_mark": total + 1})
    report = impact(jc, variant, pool=[person], applications=[app], today=TODAY)
    assert report.applications_checked == 1
    [flip] = report.applications
    assert (flip.base.result, flip.other.result) == (PASSED, FAILED)
    assert flip.change == "通过→不通过"
    assert f"低于{total + 1}分" in flip.other.reason and flip.other.score == total


def test_jc_a2_an_exception_granted_at_review_holds_in_the_what_if_while_the_mark_stays_a_guideline(jc):
    person = expert(1, spec="1.1", state="已审核")
    app = _jc_application(jc, person)
    total = score_sheet(person, jc, manual=app["review"]["manual"]).total
    app["review"]["exception"] = {"reason": "应急救援一线指挥经验突出，急需", "approved_by": "王分管",
                                  "approved_on": "2026-06-12", "approver_role": "分管领导"}
    higher = jc.variant({"scoring.pass_mark": total + 1})
    outcome = application_outcome(app, person, higher)
    assert outcome.result == PASSED and "例外通过" in outcome.reason
    strict = jc.variant({"scoring.pass_mark": total + 1, "scoring.pass_mark_is_guideline": False})
    assert application_outcome(app, person, strict).result == FAILED


def test_applications_of_another_year_or_not_submitted_are_not_checked(jc):
    person = expert(1, spec="1.1", state="已审核")
    old = dict(_jc_application(jc, person), apply_date="2025-06-10")
    draft = dict(_jc_application(jc, person), id=8, status="草稿")
    report = impact(jc, jc.variant({"scoring.pass_mark": 99}), pool=[person], applications=[old, draft], today=TODAY)
    assert report.applications_checked == 0 and report.applications == ()


def test_an_application_turned_down_for_age_passes_under_a_higher_age_cap(yq):
    person = expert(1, age=62, state="未通过")
    app = {"id": 3, "expert_id": 1, "policy_id": yq.id, "status": "已提交", "kind": "普通专家",
           "apply_date": "2026-03-02", "declarations": DECLARED, "overrides": {},
           "eligibility": {"status": "不符合"}, "review": {"result": "不通过"}}
    report = impact(yq, yq.variant({"eligibility.age_limits.0.max_age": 65}), pool=[person], applications=[app],
                    today=TODAY)
    [flip] = report.applications
    assert flip.base.result == FAILED and "资格不符合" in flip.base.reason
    assert flip.other.result != FAILED  # eligible now; the office's review is still to be done


# --- (d) consequences ------------------------------------------------------------------------------------------------
def _declines(expert_id: int, n: int) -> list[dict]:
    return [{"id": 100 + k, "request_id": k, "expert_id": expert_id, "status": "已拒绝", "decline_justified": False,
             "answered_on": f"2026-0{k + 1}-10", "start": f"2026-0{k + 1}-12"} for k in range(n)]


def test_x_p3_a_decline_consequence_is_lifted_when_the_threshold_rises(yq):
    history = _declines(1, 3)
    variant = yq.variant({"declines.threshold": 4})
    report = impact(yq, variant, pool=[expert(1), expert(2)], assignments=history, today=TODAY)
    assert [(c.expert_id, c.kind, c.change) for c in report.consequences] == [(1, "拒绝委派", LIFTED)]
    assert "连续3次" in report.consequences[0].base_text and report.consequences[0].other_text == "无"


def test_a_decline_consequence_is_triggered_when_the_threshold_falls(jc):
    history = _declines(1, 1)
    report = impact(jc, jc.variant({"declines.threshold": 1}), pool=[expert(1, spec="1.1")], assignments=history,
                    today=TODAY)
    assert [(c.expert_id, c.change) for c in report.consequences] == [(1, TRIGGERED)]


def test_an_evaluation_consequence_changes_when_the_second_step_moves_to_the_third_rating_yq_v2(yq):
    evaluations = [{"id": k, "filed_on": f"2026-0{k + 3}-01", "ratings": [{"expert_id": 1, "overall": "一般"}]}
                   for k in range(2)]
    variant = yq.variant({"evaluations.escalation.1.occurrence": 3})
    report = impact(yq, variant, pool=[expert(1)], evaluations=evaluations, today=TODAY)
    [change] = report.consequences
    assert change.kind == "服务评价" and change.change == "处理改变"
    assert "调整退出" in change.base_text and "提醒谈话" in change.other_text


def test_yangquan_rating_consequences_are_lifted_under_jinchengs_rules(yq, jc):
    evaluations = [{"id": 1, "filed_on": "2026-05-01", "ratings": [{"expert_id": 1, "overall": "较差"}]}]
    report = impact(yq, jc, pool=[expert(1)], evaluations=evaluations, today=TODAY)
    assert [(c.kind, c.change) for c in report.consequences] == [("服务评价", LIFTED)]


# --- (e) fees --------------------------------------------------------------------------------------------------------
def _task(rid: int, department: str, start: str, end: str, expert_id: int = 1) -> tuple[dict, dict]:
    request = {"id": rid, "department": department, "matter": f"任务{rid}", "start": start, "end": end,
               "outside_city": False, "status": "已委派"}
    assignment = {"id": rid, "request_id": rid, "expert_id": expert_id, "status": "已完成", "start": start, "end": end}
    return request, assignment


def test_x_p3_fee_totals_at_a_350_yuan_day_rate_where_yangquan_sets_none(yq):
    r1, a1 = _task(1, "煤矿科", "2026-03-02", "2026-03-03")
    r2, a2 = _task(2, "化工科", "2026-04-01", "2026-04-01")
    variant = yq.variant({"fees.rate_versions.0.daily_rate": 350})
    report = impact(yq, variant, pool=[expert(1)], requests=[r1, r2], assignments=[a1, a2], today=TODAY,
                    period=2026)
    fees = report.fees
    assert not fees.base.available and "本地设置" in fees.base.message
    assert fees.other.available and fees.other.total == Decimal("1050.00")
    assert {r.department: r.other for r in fees.rows} == {"化工科": Decimal("350.00"), "煤矿科": Decimal("700.00")}
    assert fees.difference is None
    assert dict(report.summary)["劳务报酬合计（现行）"] == "无法计算"
    assert dict(report.summary)["劳务报酬合计（推演）"] == "1,050.00元"


def test_fees_outside_the_period_are_left_out_and_the_difference_is_signed(jc):
    r1, a1 = _task(1, "煤矿科", "2026-07-01", "2026-07-02")
    r2, a2 = _task(2, "煤矿科", "2026-12-01", "2026-12-01")
    variant = jc.variant({"fees.rate_versions.0.daily_rate": 350})
    report = impact(jc, variant, pool=[expert(1, spec="1.1")], requests=[r1, r2], assignments=[a1, a2], today=TODAY,
                    period=(date(2026, 7, 1), date(2026, 7, 31)))
    assert report.fees.base.total == Decimal("600.00") and report.fees.other.total == Decimal("700.00")
    assert report.fees.difference == Decimal("100.00")


def test_a_period_ending_before_it_starts_is_refused(jc):
    with pytest.raises(DomainError, match="早于"):
        impact(jc, jc, pool=[], today=TODAY, period=(date(2026, 7, 1), date(2026, 6, 1)))


# --- the briefing context ----------------------------------------------------------------------------------------
def test_the_briefing_context_carries_the_changes_summary_and_every_part(yq):
    variant = yq.variant({"eligibility.age_limits.0.max_age": 65})
    report = impact(yq, variant, pool=[expert(1, age=62)], today=TODAY, base_name="现行", other_name="推演")
    ctx = briefing_context(report, changes=[{"label": "年龄上限", "old": "60", "new": "65"}], author="办公室乙",
                           made_on=TODAY)
    assert ctx["title"] == "政策调整影响分析" and ctx["made_on"] == "2026年11月25日" and ctx["author"] == "办公室乙"
    assert ctx["changes"] == [{"index": 1, "label": "年龄上限", "old": "60", "new": "65"}]
    assert ctx["flips"][0]["direction"] == TO_ELIGIBLE and ctx["flips_note"] == ""
    assert ctx["unmapped_note"] == "（没有专业无法对应的专家）"
    assert ctx["fee_total_base"] == "0.00" and ctx["fee_note"] == "（没有期间内的劳务报酬）"
    assert {"item": "资格变为符合", "value": "1人"} in ctx["summary"]


def test_an_age_relaxation_granted_under_jincheng_no_longer_counts_under_yangquans_rules(jc, yq):
    """JC 第七条(六) allows relaxing the age limit; Yangquan allows no relaxation (JC-E3)."""
    from core.impact import application_outcome

    person = expert(1, age=67, spec="1.1", state="已审核")
    app = dict(_jc_application(jc, person), overrides={"age": {"reason": "市级以上行业部门认可的专业人才"}})
    assert application_outcome(app, person, jc).eligibility != "不符合"
    under_yq = application_outcome(app, person, yq)
    assert under_yq.result == FAILED and "不允许放宽年龄，原放宽不再有效" in under_yq.reason


def test_a_special_expert_is_checked_as_an_ordinary_one_where_the_profile_has_no_special_experts(jc, yq):
    from core.impact import application_outcome

    person = expert(1, age=50, state="申请中", expert_kind="特聘专家")
    app = {"id": 1, "expert_id": 1, "status": "已提交", "kind": "特聘专家", "apply_date": "2026-05-01",
           "declarations": DECLARED, "overrides": {}, "review": {}}
    outcome = application_outcome(app, person, jc)
    assert "没有“特聘专家”类型，按普通专家审查" in outcome.reason

"""The profile read out as Chinese sections with sources (X-P1, issue 6 §1): generated from the model, complete."""
from __future__ import annotations

from datetime import date

import pytest

from core.policy_doc import CHANGED_MARK, LOCAL_MARK, SECTION_ORDER, policy_sections, profile_doc_context
from core.policy_edit import diff, leaf_fields, make_variant, pattern_of
from tests.factories import real_policies

POLICIES = real_policies()
JC = POLICIES["jincheng-2026"]
YQ = POLICIES["yangquan-2024"]


def titles(policy):
    return [s.title for s in policy_sections(policy)]


def test_x_p1_every_leaf_field_of_the_model_appears_in_the_reading_of_one_profile_or_the_other():
    """Nothing is hand-written per field, so nothing can be left out: every leaf field of the model is shown
    (as a row, a section's source/notes, or an item's 出处) for at least one of the two profiles."""
    shown = {pattern_of(path) for policy in (JC, YQ) for s in policy_sections(policy) for path in s.covered}
    assert set(leaf_fields()) - shown == set()


@pytest.mark.parametrize("policy", [JC, YQ], ids=["jc", "yq"])
def test_x_p1_sections_come_in_reading_order_each_with_its_source(policy):
    sections = policy_sections(policy)
    keys = [s.key for s in sections]
    assert keys == [k for k in SECTION_ORDER if k in keys]
    assert keys[:3] == ["", "taxonomy", "eligibility"]
    assert {"drawing", "declines", "evaluations", "deadlines", "assessment", "dismissal", "fees", "forms"} <= set(keys)
    for s in sections:
        assert s.title and s.source, s.key
        assert s.rows, s.key
    by_key = {s.key: s for s in sections}
    assert by_key["taxonomy"].source == policy.taxonomy.source
    assert by_key["fees"].source == policy.fees.source


def test_yq_age_limits_read_in_plain_chinese_with_their_articles():
    rows = {r.param: r for s in policy_sections(YQ) if s.key == "eligibility" for r in s.rows}
    male = rows["年龄上限「普通专家·男」 › 年龄上限"]
    assert male.value == "60"
    assert male.mark == "出处：第六条6：实际年龄不超过60周岁"
    assert rows["是否要求没有违法犯罪记录"].value == "是"
    assert rows["可放宽年龄限制的条件原文"].value == "未规定"


def test_jc_taxonomy_shows_caps_and_lists_specialties_on_one_row():
    taxonomy = next(s for s in policy_sections(JC) if s.key == "taxonomy")
    rows = {r.param: r.value for r in taxonomy.rows}
    coal = JC.taxonomy.sectors[0]
    assert rows[f"行业领域「{coal.code} {coal.name}」 › 入选人数控制"] == str(coal.cap)
    listing = rows[f"行业领域「{coal.code} {coal.name}」 › 本行业领域下的专业"]
    assert listing.startswith(f"{coal.specialties[0].code} {coal.specialties[0].name}；")
    assert listing.count("；") == len(coal.specialties) - 1
    assert rows["全市推荐专家总数上限"] == str(JC.taxonomy.pool_cap)


def test_values_the_seed_left_open_are_marked_set_locally():
    lifecycle = next(s for s in policy_sections(YQ) if s.key == "lifecycle")
    marks = {r.param: r.mark for r in lifecycle.rows}
    assert marks["公示天数"] == LOCAL_MARK
    assert "公示天数" in lifecycle.local
    fees = next(s for s in policy_sections(YQ) if s.key == "fees")
    rate_rows = [r for r in fees.rows if "报酬标准的各个版本" in r.param]
    assert rate_rows and all(r.mark == LOCAL_MARK for r in rate_rows)  # the rate version says set_locally = true


def test_scoring_sheet_items_and_bands_are_shown_for_jc_and_absent_for_yq():
    scoring = next(s for s in policy_sections(JC) if s.key == "scoring")
    params = [r.param for r in scoring.rows]
    assert "审核通过分数线" in params
    assert any("评分项「" in p and "打分档次「第1档」" in p for p in params)
    assert "scoring" not in [s.key for s in policy_sections(YQ)]


def test_deadlines_are_gathered_with_their_sections():
    deadlines = next(s for s in policy_sections(YQ) if s.key == "deadlines")
    rows = {r.param: r.value for r in deadlines.rows}
    assert rows["每次服务的评价 › 任务结束后交回评价的期限"] == str(YQ.evaluations.deadline_days)
    assert rows["每次服务的评价 › 期限单位"].startswith("自然日")
    assert rows["抽取、审批与委派 › 申请须提前的天数"] == "3"


def test_a_variant_marks_its_changed_rows_with_the_old_value():
    variant = make_variant(YQ, {"eligibility.age_limits.0.max_age": 65})
    changed = {r.path: r.old for r in diff(YQ, variant)}
    rows = [r for s in policy_sections(variant, changed=changed) for r in s.rows if r.mark.startswith(CHANGED_MARK)]
    assert [(r.param, r.value, r.mark) for r in rows] == [
        ("年龄上限「普通专家·男」 › 年龄上限", "65", "变体修改（原为 60）")]


def test_the_word_context_numbers_the_sections_and_names_the_profile():
    context = profile_doc_context(JC, printed_on=date(2026, 11, 25))
    assert context["title"] == "政策规则说明"
    assert context["printed_on"] == "2026年11月25日"
    assert context["sections"][0]["heading"] == "一、基本信息"
    assert context["sections"][1]["heading"].startswith("二、")
    assert JC.document_number in context["subtitle"]
    assert "正在使用" in context["variant_line"]
    variant_context = profile_doc_context(YQ, printed_on=date(2026, 11, 25), variant={
        "name": "男65", "base_name": "阳泉市 2024", "changes": {"x": 1}, "author": "办公室乙",
        "created": "2026-11-25T10:00:00", "note": "试算"})
    assert "策略变体“男65”" in variant_context["variant_line"] and "试算" in variant_context["variant_line"]

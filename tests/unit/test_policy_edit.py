"""The variant editor's parameter list, value parsing, validation and diff (X-P3, issue 6 §2)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pydantic import BaseModel
from typing import get_args

from core.policy import Policy, PolicyError, iter_field_docs
from core.policy_edit import (diff, editable_parameters, label_for_path, leaf_fields, make_variant, parameter_map,
                              parse_value, pattern_of)
from tests.factories import real_policies

POLICIES = real_policies()
JC = POLICIES["jincheng-2026"]
YQ = POLICIES["yangquan-2024"]
YQ_MALE_AGE = "eligibility.age_limits.0.max_age"


def model_leaf_patterns() -> set[str]:
    """Leaf fields of every model reachable from Policy, per core.policy.iter_field_docs (the model's own list)."""
    docs = [d.path for d in iter_field_docs()]
    return {p for p in docs if not any(o.startswith(p + ".") or o.startswith(p + "[].") for o in docs)}


def test_x_p3_every_leaf_field_of_the_profile_model_can_be_changed_in_the_editor():
    """The editor cannot fall behind the model: every leaf of every model reachable from Policy appears in the
    parameter list of at least one real profile (YQ has no scoring sheet, JC no 技术帮扶)."""
    assert model_leaf_patterns() == set(leaf_fields())
    reachable = {pattern_of(p.path) for policy in (JC, YQ) for p in editable_parameters(policy)}
    assert set(leaf_fields()) - reachable == set()


@pytest.mark.parametrize("policy", [JC, YQ], ids=["jc", "yq"])
def test_x_p3_every_leaf_of_each_profile_is_an_editable_parameter_with_its_current_value(policy: Policy):
    params = editable_parameters(policy)
    data = policy.model_dump()
    assert len(params) > 500
    assert len({p.path for p in params}) == len(params)
    for p in params:
        node = data
        for part in p.path.split("."):
            node = node[int(part)] if isinstance(node, (list, tuple)) else node[part]
        assert node == p.value, p.path
        assert p.label and "None" not in p.label
        assert p.kind in ("int", "bool", "text", "date", "money", "choice", "list")
    assert len(params) == count_leaves(policy)


def _holds_model(annotation) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_holds_model(a) for a in get_args(annotation))


def count_leaves(model: BaseModel) -> int:
    """Leaves of a profile counted independently of the editor: a part (model or list of models) contributes
    its own leaves, an absent optional part none, everything else one."""
    total = 0
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        if not _holds_model(info.annotation):
            total += 1
        elif isinstance(value, BaseModel):
            total += count_leaves(value)
        elif isinstance(value, tuple):
            total += sum(count_leaves(v) for v in value)
    return total


def test_x_p3_each_parameter_can_be_set_through_policy_variant():
    """Every listed path is a path Policy.variant accepts: setting each to its own value gives the same profile."""
    for policy in (JC, YQ):
        same = policy.variant({p.path: p.value for p in editable_parameters(policy)})
        assert same == policy


def test_labels_name_the_section_the_item_and_the_field():
    params = parameter_map(YQ)
    assert params[YQ_MALE_AGE].label == "选聘条件 › 年龄上限「普通专家·男」 › 年龄上限"
    assert params[YQ_MALE_AGE].kind == "int" and params[YQ_MALE_AGE].minimum == 1
    jc = parameter_map(JC)
    assert jc["taxonomy.sectors.0.cap"].label.endswith("行业领域「1 煤矿」 › 入选人数控制")
    assert jc["scoring.items.2.weight"].label == "条件审核评分表 › 评分项「职称」 › 得分权重 = 本项满分"
    assert "第2档" in jc["scoring.items.0.bands.1.min_points"].label
    assert jc["eligibility.min_title_level"].kind == "choice"
    assert "副高级" in jc["eligibility.min_title_level"].choices
    assert jc["declines.counting"].choices == ("consecutive", "within_window")
    assert jc["fees.rate_versions.0.daily_rate"].kind == "money"
    assert jc["effective_date"].kind == "date" and jc["effective_date"].label.startswith("基本信息")
    assert jc["routes"].kind == "list"


def test_parse_value_reads_typed_input_and_refuses_wrong_types_in_chinese():
    params = parameter_map(JC)
    assert parse_value(params["taxonomy.sectors.0.cap"], " 90 ") == 90
    assert parse_value(params["taxonomy.sectors.0.cap"], "") is None  # optional: 未规定
    assert parse_value(params["fees.rate_versions.0.daily_rate"], "350") == Decimal("350.00")
    assert parse_value(params["effective_date"], "2027-01-01") == date(2027, 1, 1)
    assert parse_value(params["trial"], "否") is False
    assert parse_value(params["routes"], "单位推荐\n\n个人自荐\n") == ("单位推荐", "个人自荐")
    with pytest.raises(PolicyError, match="入选人数控制：应为整数"):
        parse_value(params["taxonomy.sectors.0.cap"], "八十")
    with pytest.raises(PolicyError, match="金额最多两位小数"):
        parse_value(params["fees.rate_versions.0.daily_rate"], "300.123")
    with pytest.raises(PolicyError, match="应为日期"):
        parse_value(params["effective_date"], "明年")
    with pytest.raises(PolicyError, match="最低专业技术职称等级：应为"):
        parse_value(params["eligibility.min_title_level"], "高级")
    with pytest.raises(PolicyError, match="不能为空"):
        parse_value(params["lifecycle.term_years"], "")


def test_x_p3_make_variant_changes_only_what_was_asked_and_leaves_the_base_alone():
    variant = make_variant(YQ, {YQ_MALE_AGE: 65})
    assert variant.eligibility.max_age("男") == 65
    assert variant.eligibility.max_age("女") == 55
    assert YQ.eligibility.max_age("男") == 60
    rows = diff(YQ, variant)
    assert [(r.path, r.label, r.old, r.new) for r in rows] == [
        (YQ_MALE_AGE, "选聘条件 › 年龄上限「普通专家·男」 › 年龄上限", "60", "65")]


@pytest.mark.parametrize("base, changes, path, words", [
    (JC, {"taxonomy.sectors.0.cap": -5}, "taxonomy.sectors.0.cap", "行业领域「1 煤矿」 › 入选人数控制：应为正整数"),
    (JC, {"scoring.pass_mark": 150}, "scoring.pass_mark", "条件审核评分表 › 审核通过分数线：分数线 150 高于满分 100"),
    (JC, {"scoring.items.0.bands.1.max_points": 7}, "scoring.items.0.bands.1", "重叠"),
    (JC, {"eligibility.experience_requirements.0.specialty_codes": ["99.9"]},
     "eligibility.experience_requirements.0.specialty_codes.0", "分类表中没有专业代码“99.9”"),
    (JC, {"taxonomy.sectors.0.specialties.0.code": "2.1"}, "taxonomy.sectors.0.specialties.0.code",
     "应以所属行业领域代码“1.”开头"),
    (YQ, {"lifecycle.notice_days": 0}, "lifecycle.notice_days", "公示、聘任、聘期 › 公示天数：应为正整数"),
])
def test_bad_values_give_a_chinese_error_naming_the_parameter(base, changes, path, words):
    """A negative cap, a pass mark above the maximum score, overlapping bands, an unknown specialty code."""
    with pytest.raises(PolicyError) as caught:
        make_variant(base, changes)
    assert words in caught.value.message
    assert caught.value.problems[0][0] == path
    assert "有误" in caught.value.message


def test_overlapping_bands_are_named_by_the_item_and_band():
    with pytest.raises(PolicyError) as caught:
        make_variant(JC, {"scoring.items.0.bands.1.max_points": 7})
    assert f"评分项「{JC.scoring.items[0].short_name}」" in caught.value.message
    assert "打分档次「第2档」" in caught.value.message


def test_an_unknown_parameter_is_refused():
    with pytest.raises(PolicyError, match="没有参数 eligibility.age_cap"):
        make_variant(YQ, {"eligibility.age_cap": 65})


def test_a_whole_part_can_be_adopted_from_the_other_profile_and_is_validated_in_context():
    """“What if Yangquan adopted Jincheng's decline rule”: a whole part is a valid change, checked like the rest."""
    variant = make_variant(YQ, {"declines": JC.declines.model_dump()})
    assert variant.declines == JC.declines
    rows = diff(YQ, variant)
    assert rows and all(r.path.startswith("declines.") for r in rows)
    assert {r.path: r.new for r in rows}["declines.threshold"] == "2"
    # Jincheng's scoring sheet names its form 附件4, which Yangquan's forms list does not have
    with pytest.raises(PolicyError, match="条件审核评分表 › 条件审核意见表表单 id：表单“jc_fj4”不在 forms 中"):
        make_variant(YQ, {"scoring": JC.scoring.model_dump()})


def test_x_p3_diff_of_the_two_cities_lists_what_differs_matching_lists_by_code():
    rows = diff(YQ, JC)
    by_path = {r.path: r for r in rows}
    assert by_path["id"].old == "yangquan-2024" and by_path["id"].new == "jincheng-2026"
    assert by_path["declines.threshold"].old == "3" and by_path["declines.threshold"].new == "2"
    assert by_path["declines.counting"].old.startswith("连续次数")
    # forms: no form id in common → each side listed once (新增 / 删除), not compared position by position
    added = [r for r in rows if r.path.startswith("forms.") and r.new.startswith("新增")]
    removed = [r for r in rows if r.path.startswith("forms.") and r.old.startswith("删除")]
    assert len(added) == len([f for f in JC.forms if f.id not in {g.id for g in YQ.forms}])
    assert len(removed) == len([f for f in YQ.forms if f.id not in {g.id for g in JC.forms}])
    # the optional part only YQ has is one row
    assert by_path["assistance"].new == "（无）"
    assert by_path["scoring"].old == "（无）"
    assert diff(JC, JC) == []


def test_label_for_path_covers_parts_and_leaves():
    assert label_for_path(JC, "scoring.items.2") == "条件审核评分表 › 评分项「职称」"
    assert label_for_path(JC, "name") == "基本信息 › 办法全称"
    assert label_for_path(JC, "eligibility.nonexistent") == "选聘条件 › nonexistent"

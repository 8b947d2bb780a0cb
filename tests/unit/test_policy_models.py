"""策略模型（core/policy.py）的规格：字段都有说明、模型冻结且拒绝未知字段、校验器把错误指到字段 — X-P1, X-P2.

每个测试从真实的晋城 2026 档案数据出发（policies/jincheng-2026.toml 解析成的 dict），只改一处，看校验结果。
"""
from __future__ import annotations

import copy
import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import get_args

import pytest
from pydantic import BaseModel

from core import vocab
from core.policy import (
    Policy,
    PolicyError,
    UnknownCodeError,
    iter_field_docs,
    policy_from_data,
)

POLICIES = Path(__file__).resolve().parents[2] / "policies"
_RAW: dict[str, dict] = {}


def raw(pid: str = "jincheng-2026") -> dict:
    """A fresh, mutable copy of a shipped profile's parsed TOML."""
    if pid not in _RAW:
        _RAW[pid] = tomllib.loads((POLICIES / f"{pid}.toml").read_text(encoding="utf-8"))
    return copy.deepcopy(_RAW[pid])


def problem(data: dict, label: str = "测试.toml") -> PolicyError:
    with pytest.raises(PolicyError) as info:
        policy_from_data(data, label)
    return info.value


def scoring_item(data: dict, key: str) -> dict:
    return next(it for it in data["scoring"]["items"] if it["key"] == key)


def _all_models(model: type[BaseModel], seen: set | None = None) -> set[type[BaseModel]]:
    seen = set() if seen is None else seen
    if model in seen:
        return seen
    seen.add(model)

    def walk(ann):
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            _all_models(ann, seen)
        for a in get_args(ann):
            walk(a)

    for f in model.model_fields.values():
        walk(f.annotation)
    return seen


# --- the model tree ---------------------------------------------------------------------------------------------
def test_every_field_of_every_policy_model_has_a_description_x_p1():
    models = _all_models(Policy)
    assert len(models) > 30
    missing = [f"{m.__name__}.{name}" for m in models for name, f in m.model_fields.items()
               if not (f.description and f.description.strip())]
    assert missing == []


def test_every_policy_model_is_frozen_and_forbids_unknown_fields():
    for m in _all_models(Policy):
        assert m.model_config.get("extra") == "forbid", m.__name__
        assert m.model_config.get("frozen") is True, m.__name__


def test_field_docs_walk_the_whole_tree_with_paths():
    docs = {d.path: d.description for d in iter_field_docs()}
    assert "taxonomy.sectors[].cap" in docs
    assert "scoring.items[].bands[].min_points" in docs
    assert "fees.rate_versions[].daily_rate" in docs
    assert all(d for d in docs.values())


def test_a_loaded_policy_cannot_be_changed_in_place():
    p = policy_from_data(raw())
    with pytest.raises(Exception):
        p.taxonomy.pool_cap = 300  # type: ignore[misc]
    assert isinstance(p.taxonomy.sectors, tuple)


# --- X-P2: errors name the field --------------------------------------------------------------------------------
def test_misspelt_field_is_reported_as_unknown_field_with_its_path_x_p2():
    data = raw()
    data["taxonomy"]["pool_capp"] = 260
    err = problem(data)
    assert "测试.toml" in str(err)
    assert "taxonomy.pool_capp" in str(err)
    assert "未知字段（可能拼写错误）" in str(err)


def test_missing_required_field_is_reported_with_its_path_x_p2():
    data = raw()
    del data["lifecycle"]["term_years"]
    err = problem(data)
    assert "字段 lifecycle.term_years：缺少必填字段" in str(err)
    assert err.problems == [("lifecycle.term_years", "缺少必填字段")]


def test_wrong_type_is_reported_in_chinese_x_p2():
    data = raw()
    data["taxonomy"]["sectors"][0]["cap"] = "八十"
    err = problem(data)
    assert "taxonomy.sectors.0.cap" in str(err)
    assert "类型不正确" in str(err)


def test_a_quoted_number_is_not_silently_accepted_as_a_cap():
    data = raw()
    data["taxonomy"]["sectors"][0]["cap"] = "80"
    assert "类型不正确" in str(problem(data))


def test_negative_cap_is_refused_naming_file_and_field_x_p2():
    data = raw()
    data["taxonomy"]["sectors"][0]["cap"] = -5
    err = problem(data, "policies/x.toml")
    assert str(err) == "策略文件 policies/x.toml 有误：字段 taxonomy.sectors.0.cap：应为正整数"


def test_overlapping_bands_are_refused_x_p2():
    data = raw()
    scoring_item(data, "service_conditions")["bands"][1]["max_points"] = 7  # 1–7 overlaps 6–10
    err = problem(data)
    assert "scoring.items.0.bands.1" in str(err)
    assert "重叠" in str(err)


def test_band_outside_the_item_range_is_refused():
    data = raw()
    scoring_item(data, "knowledge")["bands"] = [{"min_points": 0, "max_points": 25, "label": "太宽"}]
    err = problem(data)
    assert "scoring.items.7.bands.0" in str(err)


def test_pass_mark_above_the_maximum_score_is_refused_x_p2():
    data = raw()
    data["scoring"]["pass_mark"] = 101
    err = problem(data)
    assert "字段 scoring.pass_mark：分数线 101 高于满分 100" in str(err)


def test_scoring_weights_must_sum_to_the_total_jc_a1():
    data = raw()
    scoring_item(data, "motivation")["weight"] = 11
    assert "各项权重之和为 101，应为 100" in str(problem(data))


def test_level_points_must_cover_every_vocabulary_level():
    data = raw()
    item = scoring_item(data, "education")
    item["level_points"] = [lp for lp in item["level_points"] if lp["level"] != "大专"]
    assert "缺少等级：大专" in str(problem(data))


def test_specialty_code_must_start_with_its_sector_code():
    data = raw()
    data["taxonomy"]["sectors"][1]["specialties"][0]["code"] = "9.1"
    err = problem(data)
    assert "taxonomy.sectors.1.specialties.0.code" in str(err)
    assert "应以所属行业领域代码“2.”开头" in str(err)


def test_duplicate_specialty_code_is_refused():
    data = raw()
    data["taxonomy"]["sectors"][0]["specialties"][1]["code"] = "1.1"
    assert "专业代码 1.1 重复" in str(problem(data))


def test_values_outside_the_vocabularies_are_refused():
    cases = [
        (("eligibility", "min_title_level"), "高级", "eligibility.min_title_level"),
        (("eligibility", "min_education"), "研究生", "eligibility.min_education"),
    ]
    for (section, key), value, path in cases:
        data = raw()
        data[section][key] = value
        err = problem(data)
        assert path in str(err) and "不在词表中" in str(err)
    data = raw()
    data["routes"] = ["单位推荐", "个人自荐", "网上报名"]
    assert "routes.2" in str(problem(data))
    data = raw()
    data["eligibility"]["qualifications"] = ["注册安全工程师", "建造师"]
    assert "eligibility.qualifications.1" in str(problem(data))
    data = raw()
    data["expert_kinds"] = ["普通专家", "顾问专家"]
    assert "expert_kinds.1" in str(problem(data))


def test_set_locally_may_only_name_fields_of_its_section():
    data = raw()
    data["drawing"]["set_locally"] = ["rotation_days"]
    assert "drawing.set_locally.0" in str(problem(data))


def test_form_references_must_exist():
    data = raw()
    data["drawing"]["request_form_id"] = "jc_fj9"
    assert "字段 drawing.request_form_id：表单“jc_fj9”不在 forms 中" in str(problem(data))


def test_experience_rules_must_point_at_real_specialties():
    data = raw()
    data["eligibility"]["experience_requirements"][0]["specialty_codes"] = ["5.99"]
    assert "eligibility.experience_requirements.0.specialty_codes.0" in str(problem(data))


def test_rate_versions_must_be_in_date_order_and_fixed_rates_need_an_amount():
    data = raw()
    data["fees"]["rate_versions"].append(dict(data["fees"]["rate_versions"][0]))
    assert "fees.rate_versions.1.effective_from" in str(problem(data))
    data = raw()
    del data["fees"]["rate_versions"][0]["daily_rate"]
    assert "fees.rate_versions.0.daily_rate" in str(problem(data))


def test_every_kind_and_gender_needs_an_age_limit():
    data = raw("yangquan-2024")
    data["eligibility"]["age_limits"] = [a for a in data["eligibility"]["age_limits"] if a.get("gender") != "女"]
    assert "缺少“普通专家”（女）的年龄上限" in str(problem(data))


def test_several_problems_are_all_listed():
    data = raw()
    data["taxonomy"]["pool_capp"] = 1
    del data["lifecycle"]["notice_days"]
    err = problem(data)
    assert {f for f, _ in err.problems} == {"taxonomy.pool_capp", "lifecycle.notice_days"}


# --- contract helpers -------------------------------------------------------------------------------------------
def test_max_age_by_gender_and_kind_yq_e1_yq_e2_jc_e3():
    yq = policy_from_data(raw("yangquan-2024")).eligibility
    jc = policy_from_data(raw()).eligibility
    assert (yq.max_age("男"), yq.max_age("女"), yq.max_age("男", "特聘专家"), yq.max_age("女", "特聘专家")) == \
        (60, 55, 65, 65)
    assert (jc.max_age("男"), jc.max_age("女")) == (65, 65)
    with pytest.raises(PolicyError):
        jc.max_age("男", "特聘专家")
    with pytest.raises(PolicyError):
        jc.max_age("未知")


def test_taxonomy_lookups_x_t1():
    tax = policy_from_data(raw()).taxonomy
    assert tax.sector_of("1.1").name == "煤矿"
    assert tax.specialty("3.13").name == "烟花爆竹"
    assert tax.specialty_label("1.1") == "1.1 地质勘探、测量"
    assert tax.all_specialty_codes()[:3] == ("1.1", "1.2", "1.3")
    assert tax.category_of("5.3") == "防灾、减灾、救灾类"
    assert tax.has_specialty("8.9") and not tax.has_specialty("8.10")


def test_unknown_code_is_a_keyerror_with_a_chinese_message():
    tax = policy_from_data(raw()).taxonomy
    with pytest.raises(KeyError) as info:
        tax.specialty("9.9")
    assert isinstance(info.value, UnknownCodeError) and isinstance(info.value, PolicyError)
    assert str(info.value) == "分类表《晋城市安全生产和应急管理专家类别划分表》中没有专业代码“9.9”"
    with pytest.raises(UnknownCodeError):
        tax.sector_of("")


def test_taxonomy_lookups_are_fast():
    import time

    tax = policy_from_data(raw("yangquan-2024")).taxonomy
    codes = tax.all_specialty_codes()
    start = time.perf_counter()
    for _ in range(200):
        for c in codes:
            tax.sector_of(c)
    assert time.perf_counter() - start < 0.5  # 30k lookups; dict-based this takes a few ms


def test_fee_rate_on_a_day_picks_the_latest_version_jc_f1():
    data = raw()
    data["fees"]["rate_versions"].append({"effective_from": date(2027, 1, 1), "daily_rate": 320,
                                          "cross_city_lodging": 180, "cross_city_meals": 60,
                                          "set_locally": False, "source": "差旅费标准调整"})
    fees = policy_from_data(data).fees
    assert fees.rate_on(date(2026, 5, 1)) is None
    assert fees.rate_on(date(2026, 6, 5)).daily_rate == Decimal("300")
    assert fees.rate_on(date(2027, 3, 1)).daily_rate == Decimal("320")


def test_variant_changes_one_value_and_revalidates_x_p3():
    yq = policy_from_data(raw("yangquan-2024"))
    i = next(n for n, a in enumerate(yq.eligibility.age_limits) if a.gender == "男")
    older = yq.variant({f"eligibility.age_limits.{i}.max_age": 65})
    assert older.eligibility.max_age("男") == 65 and yq.eligibility.max_age("男") == 60
    assert older.taxonomy.sector_of("11.3").code == "11"  # caches rebuilt
    with pytest.raises(PolicyError) as info:
        yq.variant({f"eligibility.age_limits.{i}.max_age": 0}, label="推演")
    assert "策略文件 推演 有误：字段 eligibility.age_limits.0.max_age" in str(info.value)
    with pytest.raises(PolicyError):
        yq.variant({"eligibility.no_such_field.x": 1})


def test_dismissal_reason_labels_and_permanent_bans_jc_r1_x_e1():
    d = policy_from_data(raw()).dismissal
    assert d.permanent_ban_numbers == (5, 6, 7, 8, 9)
    assert d.reason_label(5) == "第九条（五）被依法追究刑事责任的"


def test_vocabulary_values_used_by_the_profiles_exist():
    for pid in ("jincheng-2026", "yangquan-2024"):
        p = policy_from_data(raw(pid))
        assert set(p.routes) <= set(vocab.ROUTES)
        assert set(p.expert_kinds) <= set(vocab.EXPERT_KINDS)
        assert p.eligibility.min_title_level in vocab.TITLE_LEVELS

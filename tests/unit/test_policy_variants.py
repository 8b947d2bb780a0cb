"""Saved policy variants (X-P3): validated by the profile models, named, authored, never touching policies/*.toml."""
from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest

from core.errors import DuplicateError, NotFoundError, PermissionDenied, ValidationError
from core.policy import PolicyError
from services import policy_variants
from services.context import POLICY_DIR
from tests.conftest import DEPARTMENT, LEADER, OFFICE

YQ = "yangquan-2024"
JC = "jincheng-2026"
MALE_AGE = "eligibility.age_limits.0.max_age"


def hashes() -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(POLICY_DIR.glob("*.toml"))}


def stored(ctx) -> list[dict]:
    return ctx.store.collection(policy_variants.COLLECTION).all()


def test_x_p3_a_variant_of_yangquan_with_age_cap_65_is_saved_with_name_author_date_and_note(ctx):
    before = hashes()
    variant_id = policy_variants.save_variant(ctx, OFFICE, YQ, "阳泉·男65", "试算放宽年龄", {MALE_AGE: "65"})
    doc = policy_variants.get(ctx, variant_id)
    assert doc["base_id"] == YQ and doc["name"] == "阳泉·男65" and doc["note"] == "试算放宽年龄"
    assert doc["author"] == OFFICE.display_name and doc["created"] == "2026-11-25T10:00:00"
    assert doc["changes"] == {MALE_AGE: 65}
    policy = policy_variants.load_variant(ctx, variant_id)
    assert policy.eligibility.max_age("男") == 65
    assert ctx.policies[YQ].eligibility.max_age("男") == 60  # the loaded base is unchanged
    assert hashes() == before  # and so are the files
    assert [e["action"] for e in ctx.store.audit.entries(collection=policy_variants.COLLECTION)] == ["保存政策变体"]


def test_money_and_dates_are_stored_as_text_and_read_back_typed(ctx):
    variant_id = policy_variants.save_variant(ctx, LEADER, JC, "日费350", "", {
        "fees.rate_versions.0.daily_rate": "350", "lifecycle.application_month": 7})
    doc = policy_variants.get(ctx, variant_id)
    assert doc["changes"]["fees.rate_versions.0.daily_rate"] == "350.00"
    policy = policy_variants.load_variant(ctx, variant_id)
    assert policy.fees.rate_versions[0].daily_rate == Decimal("350.00")
    assert policy.lifecycle.application_month == 7


@pytest.mark.parametrize("base, changes, words", [
    (JC, {"taxonomy.sectors.0.cap": -5}, "入选人数控制：应为正整数"),
    (JC, {"scoring.pass_mark": 150}, "审核通过分数线：分数线 150 高于满分 100"),
    (JC, {"scoring.items.0.bands.1.max_points": 7}, "重叠"),
    (JC, {"eligibility.experience_requirements.0.specialty_codes": "99.9"}, "分类表中没有专业代码“99.9”"),
    (YQ, {MALE_AGE: "六十五"}, "年龄上限：应为整数"),
])
def test_bad_input_gives_a_chinese_error_naming_the_parameter_and_saves_nothing(ctx, base, changes, words):
    before = hashes()
    with pytest.raises(PolicyError) as caught:
        policy_variants.save_variant(ctx, OFFICE, base, "坏变体", "", changes)
    assert words in caught.value.message
    assert stored(ctx) == []
    assert hashes() == before


def test_a_name_is_required_and_unique(ctx):
    with pytest.raises(ValidationError, match="请填写变体名称"):
        policy_variants.save_variant(ctx, OFFICE, YQ, "  ", "", {MALE_AGE: 65})
    policy_variants.save_variant(ctx, OFFICE, YQ, "男65", "", {MALE_AGE: 65})
    with pytest.raises(DuplicateError, match="已有名为“男65”的政策变体"):
        policy_variants.save_variant(ctx, OFFICE, JC, " 男 65 ", "", {"lifecycle.notice_days": 7})
    assert len(stored(ctx)) == 1


def test_a_variant_must_change_something_and_start_from_a_known_profile(ctx):
    with pytest.raises(ValidationError, match="没有修改任何参数"):
        policy_variants.save_variant(ctx, OFFICE, YQ, "同原样", "", {MALE_AGE: 60})
    with pytest.raises(ValidationError, match="没有名为“beijing”的基础策略"):
        policy_variants.save_variant(ctx, OFFICE, "beijing", "外地", "", {MALE_AGE: 65})
    with pytest.raises(PolicyError, match="没有参数 eligibility.age_cap"):
        policy_variants.save_variant(ctx, OFFICE, YQ, "错路径", "", {"eligibility.age_cap": 65})
    assert stored(ctx) == []


def test_only_users_who_may_make_variants_save_or_delete_them(ctx):
    with pytest.raises(PermissionDenied):
        policy_variants.save_variant(ctx, DEPARTMENT, YQ, "科室的", "", {MALE_AGE: 65})
    variant_id = policy_variants.save_variant(ctx, LEADER, YQ, "领导的", "", {MALE_AGE: 65})
    with pytest.raises(PermissionDenied):
        policy_variants.delete(ctx, DEPARTMENT, variant_id)
    assert len(stored(ctx)) == 1


def test_list_duplicate_and_delete(ctx):
    first = policy_variants.save_variant(ctx, OFFICE, YQ, "男65", "说明", {MALE_AGE: 65})
    copy = policy_variants.duplicate(ctx, OFFICE, first)
    again = policy_variants.duplicate(ctx, OFFICE, first)
    listed = policy_variants.list_variants(ctx)
    assert {v["name"] for v in listed} == {"男65", "男65（副本）", "男65（副本2）"}
    assert all(v["base_name"] == "阳泉市 2024" and v["change_count"] == 1 for v in listed)
    assert policy_variants.get(ctx, copy)["derived_from"] == first
    policy_variants.delete(ctx, OFFICE, again)
    with pytest.raises(NotFoundError, match="找不到编号为"):
        policy_variants.get(ctx, again)
    assert len(stored(ctx)) == 2


def test_profile_choices_and_resolve_cover_base_profiles_and_variants(ctx):
    variant_id = policy_variants.save_variant(ctx, OFFICE, YQ, "男65", "", {MALE_AGE: 65})
    choices = policy_variants.profile_choices(ctx)
    ref = f"variant:{variant_id}"
    assert choices[ref] == "变体：男65（基于 阳泉市 2024）"
    assert JC in choices and YQ in choices
    assert policy_variants.resolve(ctx, ref).eligibility.max_age("男") == 65
    assert policy_variants.resolve(ctx, JC) is ctx.policies[JC]
    base_id, typed = policy_variants.base_of(ctx, ref)
    assert (base_id, typed) == (YQ, {MALE_AGE: 65})
    with pytest.raises(NotFoundError):
        policy_variants.resolve(ctx, "variant:999")


def test_sample_form_context_answers_only_for_the_profile_document(ctx):
    policy = ctx.policies[JC]
    assert policy_variants.sample_form_context(policy, "jc_fj2", ctx.today()) is None
    context, images = policy_variants.sample_form_context(policy, "jc_policy_profile", ctx.today())
    assert context["title"] == "政策规则说明" and images == {}

"""政策推演 service (services.impact): gathers the active profile's records, compares with a variant or the other
city's profile, and never writes anything — X-P3."""
from __future__ import annotations

import hashlib
from datetime import date

import pytest

from core.errors import PermissionDenied, ValidationError
from core.impact import TO_ELIGIBLE
from services import experts, impact, policy_variants, settings
from tests.conftest import ADMIN, DEPARTMENT, LEADER, OFFICE
from tests.factories import make_expert, seed_expert

YQ, JC = "yangquan-2024", "jincheng-2026"
AGE65 = {"eligibility.age_limits.0.max_age": 65}


def yangquan_pool(ctx) -> list[int]:
    """Yangquan active; one man of 62 (past the cap of 60) and one of 45, both in the pool, and a finished task."""
    settings.set_active_policy(ctx, ADMIN, YQ)
    policy = settings.active_policy(ctx)
    ids = [seed_expert(ctx, OFFICE, make_expert(policy, name=name, birth_date=birth, gender="男",
                                                          state="在库", term_start="2025-01-01",
                                                          term_end="2027-12-31"))
           for name, birth in (("老张", "1964-03-01"), ("小李", "1981-03-12"))]
    requests = ctx.store.collection("requests")
    rid = requests.insert({"policy_id": YQ, "department": "煤矿科", "matter": "检查 & <复查>", "start": "2026-03-02",
                           "end": "2026-03-03", "outside_city": False, "status": "已委派"}, actor="t", action="测试",
                          unique=())
    ctx.store.collection("assignments").insert({"request_id": rid, "expert_id": ids[1], "policy_id": YQ,
                                                "status": "已完成", "start": "2026-03-02", "end": "2026-03-03"},
                                               actor="t", action="测试", unique=())
    return ids


def save_age65(ctx) -> str:
    vid = policy_variants.save_variant(ctx, OFFICE, YQ, "男性年龄上限65", "试算", AGE65)
    return f"variant:{vid}"


def test_x_p3_the_variant_age_cap_65_of_yangquan_shows_the_62_year_old_becoming_eligible(ctx):
    old, _young = yangquan_pool(ctx)
    key = save_age65(ctx)
    assert key in impact.comparison_choices(ctx)
    result = impact.compute(ctx, OFFICE, key, period=2026)
    report = result.report
    assert [(f.expert_id, f.direction) for f in report.eligibility] == [(old, TO_ELIGIBLE)]
    assert report.base_name == "现行：阳泉市 2024" and "男性年龄上限65" in report.other_name
    assert [(c.old, c.new) for c in result.changes] == [("60", "65")]
    assert report.pool_size == 2


def test_the_active_profile_is_not_offered_as_its_own_comparison(ctx):
    settings.set_active_policy(ctx, ADMIN, YQ)
    choices = impact.comparison_choices(ctx)
    assert YQ not in choices and JC in choices


def test_yangquan_compared_with_jinchengs_rules_runs_on_its_pool(ctx):
    yangquan_pool(ctx)
    result = impact.compute(ctx, LEADER, JC)
    assert result.period == (date(2026, 1, 1), date(2026, 11, 25))  # this year so far by default
    assert not result.report.same_taxonomy
    assert result.report.fees.other.available  # Jincheng has a rate; Yangquan's is set locally
    assert not result.report.fees.base.available


def test_an_unknown_comparison_is_refused_in_chinese(ctx):
    with pytest.raises(ValidationError, match="请选择"):
        impact.compute(ctx, OFFICE, "variant:999")


def test_a_using_department_may_not_run_a_what_if(ctx):
    with pytest.raises(PermissionDenied, match="政策推演"):
        impact.compute(ctx, DEPARTMENT, YQ)


def _snapshot(folder) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.endswith(".lock")}


def test_x_p3_nothing_in_the_real_records_changes_when_a_variant_is_applied(disk_ctx, tmp_path):
    """Every collection file is byte-identical after computing and downloading the impact; the audit log gains only
    the line of each Excel download (personal data exported, issue 11 §2 / 个人信息保护法)."""
    yangquan_pool(disk_ctx)
    key = save_age65(disk_ctx)
    folder = tmp_path / "data"
    before = _snapshot(folder)
    audit_before = (folder / "audit.jsonl").read_bytes()
    audit_lines = len(disk_ctx.store.audit.entries())
    for comparison in (key, JC):
        result = impact.compute(disk_ctx, OFFICE, comparison, period=2026)
        impact.briefing(disk_ctx, OFFICE, result)
        impact.excel(disk_ctx, OFFICE, result)
    after = _snapshot(folder)
    assert {k: v for k, v in after.items() if k != "audit.jsonl"} == \
        {k: v for k, v in before.items() if k != "audit.jsonl"}
    assert (folder / "audit.jsonl").read_bytes().startswith(audit_before)
    added = disk_ctx.store.audit.entries()[audit_lines:]
    assert [e["action"] for e in added] == ["导出政策推演明细（Excel）"] * 2
    assert disk_ctx.store.audit.verify().ok


def test_the_file_names_say_what_was_compared_and_when(ctx):
    yangquan_pool(ctx)
    result = impact.compute(ctx, OFFICE, save_age65(ctx))
    name, data = impact.briefing(ctx, OFFICE, result)
    assert name == "政策调整影响分析_变体：男性年龄上限65（基于 阳泉市 2024）_20261125.docx"
    assert data[:2] == b"PK"
    xname, xdata = impact.excel(ctx, OFFICE, result)
    assert xname.endswith(".xlsx") and xdata[:2] == b"PK"

"""Sweeping admin actions (issue 10 item 4): switching the policy profile, restoring a backup and deleting
applications past their retention period each show what will change first and need an explicit confirmation;
pages name profiles in Chinese (X-P1)."""
from __future__ import annotations

import pytest

from core.errors import PermissionDenied, ValidationError
from services import admin, applications, experts, settings
from tests.conftest import ADMIN, OFFICE
from tests.factories import make_expert, seed_expert


def jc_expert(ctx, **overrides):
    return seed_expert(ctx, OFFICE, make_expert(ctx.policies["jincheng-2026"], **overrides))


# --- 切换当前政策 --------------------------------------------------------------------------------------------------

def test_the_switch_plan_counts_what_is_kept_and_what_changes_x_p1(ctx):
    jc_expert(ctx)
    jc_expert(ctx)
    plan = settings.switch_plan(ctx, ADMIN, "yangquan-2024")
    assert (plan.current, plan.target, plan.experts_hidden, plan.experts_shown) == ("晋城市 2026", "阳泉市 2024", 2, 0)
    assert ("专家", 2) in plan.kept and plan.needs_confirmation
    assert any("附件2" in line and "附表一" in line for line in plan.changes)
    assert any("阳安办发〔2024〕64号" in line for line in plan.changes)


def test_switching_with_records_needs_confirmation_and_nothing_changes_without_it_x_p1(ctx):
    jc_expert(ctx)
    with pytest.raises(ValidationError, match="勾选确认"):
        settings.set_active_policy(ctx, ADMIN, "yangquan-2024")
    assert settings.active_policy_id(ctx) == "jincheng-2026"
    settings.set_active_policy(ctx, ADMIN, "yangquan-2024", confirmed=True)
    assert settings.active_policy_id(ctx) == "yangquan-2024"
    audit = [e for e in ctx.store.audit.entries() if e["action"] == "切换当前政策（已确认）"]
    assert audit and audit[-1]["after"]["kept"] == {"专家": 1} and audit[-1]["after"]["from"] == "晋城市 2026"


def test_on_an_empty_installation_there_is_nothing_to_confirm(ctx):
    settings.set_active_policy(ctx, ADMIN, "yangquan-2024")
    assert settings.active_policy_id(ctx) == "yangquan-2024"


def test_only_an_admin_sees_the_switch_plan_or_switches(ctx):
    with pytest.raises(PermissionDenied):
        settings.switch_plan(ctx, OFFICE, "yangquan-2024")
    with pytest.raises(PermissionDenied):
        settings.set_active_policy(ctx, OFFICE, "yangquan-2024", confirmed=True)


def test_records_under_another_profile_are_named_in_chinese_never_by_id_x_p1(ctx):
    jc_expert(ctx)
    settings.set_active_policy(ctx, ADMIN, "yangquan-2024", confirmed=True)
    text = settings.elsewhere_text(ctx)
    assert "1 条专家记录属于“晋城市 2026”" in text and "jincheng-2026" not in text
    assert experts.home_view(ctx, ADMIN).empty
    assert settings.elsewhere_text(ctx, {"gone-2020": 3}).count("系统中已没有的政策文件") == 1


# --- 恢复备份 -----------------------------------------------------------------------------------------------------

def test_the_restore_plan_compares_the_backup_with_now_and_restore_needs_confirmation(disk_ctx):
    jc_expert(disk_ctx)
    taken = admin.backup_now(disk_ctx, ADMIN)
    jc_expert(disk_ctx)
    plan = admin.restore_plan(disk_ctx, ADMIN, taken.name)
    row = next(r for r in plan.rows if r.collection == "experts")
    assert (plan.name, plan.reason, row.label, row.in_backup, row.now) == (taken.name, "手动备份", "专家", 1, 2)
    assert row in plan.changed
    with pytest.raises(ValidationError):
        admin.restore_backup(disk_ctx, ADMIN, taken.name, confirmed=False)
    assert len(disk_ctx.store.collection("experts").all()) == 2
    admin.restore_backup(disk_ctx, ADMIN, taken.name, confirmed=True)
    assert len(disk_ctx.store.collection("experts").all()) == 1


def test_only_an_admin_sees_a_restore_plan(disk_ctx):
    taken = admin.backup_now(disk_ctx, ADMIN)
    with pytest.raises(PermissionDenied):
        admin.restore_plan(disk_ctx, OFFICE, taken.name)


# --- 申报资料保存期 -------------------------------------------------------------------------------------------------

def old_application(ctx, created="2015-03-01T09:00:00"):
    expert_id = jc_expert(ctx)
    return ctx.store.collection("applications").insert(
        {"policy_id": "jincheng-2026", "status": "已提交", "expert_id": expert_id, "created_at": created},
        actor="t", action="入库申报", unique=())


def test_purging_past_retention_needs_confirmation_of_the_very_list_shown_jc_l3(ctx):
    first = old_application(ctx)
    with pytest.raises(ValidationError, match="勾选确认"):
        applications.purge_past_retention(ctx, ADMIN, expected_ids=[first])
    second = old_application(ctx)  # appeared after the admin looked at the list
    with pytest.raises(ValidationError, match="有变化"):
        applications.purge_past_retention(ctx, ADMIN, confirmed=True, expected_ids=[first])
    assert len(applications.past_retention(ctx)) == 2
    with pytest.raises(PermissionDenied):
        applications.purge_past_retention(ctx, OFFICE, confirmed=True, expected_ids=[first, second])
    assert applications.purge_past_retention(ctx, ADMIN, confirmed=True, expected_ids=[second, first]) == 2
    assert applications.past_retention(ctx) == []

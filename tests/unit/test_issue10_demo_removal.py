"""删除全部演示数据 (issue 10 item 3): a pure plan lists what would go and what blocks it; the service deletes only
that plan, only when confirmed, never while a real record uses a demo expert, and never on a stale plan."""
from __future__ import annotations

import pytest

from core.demo_removal import plan_removal
from core.errors import PermissionDenied, ValidationError
from services import demo_history, dispatch, experts, fees, settings, training
from tests.conftest import ADMIN, LEADER, OFFICE
from tests.factories import make_expert, seed_expert

DEPT = "市应急管理局危险化学品安全监督管理科"


def demo_pool(ctx):
    experts.load_demo(ctx, ADMIN, history=False)
    return [e for e in experts.active_experts(ctx) if e.get("is_demo")]


def busiest_specialty(ctx):
    counts: dict[str, int] = {}
    for e in experts.active_experts(ctx):
        if e["state"] == "在库" and (e.get("term_start") or "9999") <= "2026-12-01":
            for code in e.get("specialties") or ():
                counts[code] = counts.get(code, 0) + 1
    return max(counts, key=counts.get)


def real_request_drawn_from_the_pool(ctx, count=2):
    """A REAL request (no demo mark) of a real department, approved and drawn — from the demo pool."""
    fees.set_budget(ctx, OFFICE, DEPT, 2026, 1_000_000)
    request_id, _ = dispatch.file_request(ctx, OFFICE, {
        "department": DEPT, "contact": "李四", "contact_phone": "13900000001", "matter": "某化工厂真实检查任务",
        "task_type": settings.active_policy(ctx).drawing.task_types[0], "target_enterprises": ["某化工公司"],
        "place": "泽州县", "outside_city": False, "start": "2026-12-01", "end": "2026-12-02",
        "needs": [{"specialty": busiest_specialty(ctx), "count": count}], "min_title_level": None, "mode": "抽取",
        "emergency": False, "external_experts": []})
    dispatch.approve(ctx, LEADER, request_id, "同意")
    dispatch.draw(ctx, OFFICE, request_id)
    return request_id


def remove(ctx):
    plan = demo_history.removal_plan(ctx, ADMIN)
    return demo_history.remove_demo(ctx, ADMIN, confirmed=True, fingerprint=plan.fingerprint)


def test_the_plan_lists_every_demo_record_per_collection_and_deletes_nothing(ctx):
    pool = demo_pool(ctx)
    before = ctx.store.audit.entries()
    plan = demo_history.removal_plan(ctx, ADMIN)
    assert plan.ok and plan.removals["experts"] == tuple(sorted(e["id"] for e in pool))
    assert ("experts", "演示专家", len(pool)) in plan.counts()
    assert len(experts.active_experts(ctx)) == len(pool) and ctx.store.audit.entries() == before


def test_removal_without_confirmation_is_refused_and_nothing_is_deleted(ctx):
    pool = demo_pool(ctx)
    plan = demo_history.removal_plan(ctx, ADMIN)
    with pytest.raises(ValidationError, match="我已了解将删除以上记录"):
        demo_history.remove_demo(ctx, ADMIN, confirmed=False, fingerprint=plan.fingerprint)
    assert len(experts.active_experts(ctx)) == len(pool)


def test_only_an_admin_sees_the_plan_or_removes(ctx):
    demo_pool(ctx)
    with pytest.raises(PermissionDenied):
        demo_history.removal_plan(ctx, OFFICE)
    with pytest.raises(PermissionDenied):
        demo_history.remove_demo(ctx, OFFICE, confirmed=True, fingerprint="x")


def test_a_stale_plan_is_refused_when_the_data_changed_after_it_was_shown(ctx):
    pool = demo_pool(ctx)
    shown = demo_history.removal_plan(ctx, ADMIN)
    added = experts.create_expert(ctx, OFFICE, make_expert(settings.active_policy(ctx), name="新演示"))
    ctx.store.collection("experts").update(added, {"is_demo": True}, actor="t", action="标记")  # one more goes
    with pytest.raises(ValidationError, match="重新核对"):
        demo_history.remove_demo(ctx, ADMIN, confirmed=True, fingerprint=shown.fingerprint)
    assert len(experts.active_experts(ctx)) == len(pool) + 1
    with pytest.raises(ValidationError, match="重新核对"):
        demo_history.remove_demo(ctx, ADMIN, confirmed=True, fingerprint=None)


def test_a_real_request_drawn_with_demo_experts_blocks_removal_and_is_listed(ctx):
    """Regression (issue 10): removal used to leave the real request inviting deleted experts — 抽取委派 showed a
    TypeError and an invitation card titled None, 劳务报酬 said 找不到专家 #105."""
    pool = demo_pool(ctx)
    request_id = real_request_drawn_from_the_pool(ctx)
    plan = demo_history.removal_plan(ctx, ADMIN)
    assert not plan.ok
    texts = [b.text for b in plan.blockers]
    invited = [a for a in dispatch.assignments_of(ctx, request_id)]
    name = next(e["name"] for e in pool if e["id"] == invited[0]["expert_id"])
    assert any(f"使用申请 #{request_id}（非演示" in t and name in t and "演示专家" in t for t in texts)
    with pytest.raises(ValidationError) as refused:
        demo_history.remove_demo(ctx, ADMIN, confirmed=True, fingerprint=plan.fingerprint)
    assert f"使用申请 #{request_id}" in str(refused.value) and "真实（非演示）记录" in str(refused.value)
    assert len(experts.active_experts(ctx)) == len(pool)
    assert len(dispatch.assignments_of(ctx, request_id)) == len(invited)


def test_a_real_training_with_demo_attendees_blocks_until_attendance_is_corrected(ctx):
    pool = demo_pool(ctx)
    real = seed_expert(ctx, OFFICE, make_expert(settings.active_policy(ctx), name="真实专家", state="在库",
                                                term_start="2025-01-01", term_end="2027-12-31"))
    demo_in_pool = next(e["id"] for e in pool if e["state"] == "在库")
    session = training.record_session(ctx, OFFICE, {"title": "年度培训", "held_on": "2026-11-20", "hours": 4,
                                                     "organizer": "办公室", "content": "法规宣贯",
                                                     "attendees": [real, demo_in_pool]})
    plan = demo_history.removal_plan(ctx, ADMIN)
    assert [b.record_id for b in plan.blockers if b.collection == "trainings"] == [session]
    training.set_attendance(ctx, OFFICE, session, [real])
    removed = remove(ctx)
    assert removed["experts"] == len(pool)
    assert [e["name"] for e in experts.active_experts(ctx)] == ["真实专家"]
    assert ctx.store.collection("trainings").get(session)["attendees"] == [real]


def test_removal_is_audited_with_the_confirmed_plan(ctx):
    pool = demo_pool(ctx)
    plan = demo_history.removal_plan(ctx, ADMIN)
    remove(ctx)
    entries = ctx.store.audit.entries()
    assert sum(e["action"] == "删除演示数据" for e in entries) >= len(pool)
    summary = [e for e in entries if e["action"] == "删除演示数据（已确认清单）"]
    assert summary and summary[-1]["after"]["fingerprint"] == plan.fingerprint
    assert not experts.has_demo(ctx)


def test_removal_on_disk_takes_a_backup_first(disk_ctx):
    demo_pool(disk_ctx)
    remove(disk_ctx)
    assert any(b.reason == "删除演示数据前自动备份" for b in disk_ctx.store.backups.list())


# --- the pure plan ---------------------------------------------------------------------------------------------

def test_plan_takes_records_about_a_demo_expert_only_and_counts_them_as_such():
    data = {"experts": [{"id": 1, "name": "甲", "is_demo": True}, {"id": 2, "name": "乙"}],
            "dismissals": [{"id": 5, "expert_id": 1}, {"id": 6, "expert_id": 2}],
            "assessments": [{"id": 7, "expert_id": 1}]}
    plan = plan_removal(data)
    assert plan.ok and plan.removals == {"dismissals": (5,), "assessments": (7,), "experts": (1,)}
    assert plan.subject_only == {"dismissals": 1, "assessments": 1}


def test_plan_blocks_an_open_real_draw_ranking_demo_experts_but_not_a_closed_one():
    base = {"experts": [{"id": 1, "name": "甲", "is_demo": True}],
            "draws": [{"id": 3, "request_id": 9, "seq": 1, "result": {"orders": {"1.1": [1]}}}]}
    open_ = plan_removal(dict(base, requests=[{"id": 9, "status": "已委派", "matter": "真实任务"}]))
    closed = plan_removal(dict(base, requests=[{"id": 9, "status": "已完成", "matter": "真实任务"}]))
    assert [b.collection for b in open_.blockers] == ["draws"] and closed.ok


def test_plan_never_deletes_from_an_unknown_collection_but_blocks_on_it():
    plan = plan_removal({"experts": [{"id": 1, "name": "甲", "is_demo": True}],
                         "new_things": [{"id": 4, "expert_ids": [1]}]})
    assert "new_things" not in plan.removals and "集合 new_things 的记录 #4" in plan.blockers[0].text


def test_plan_fingerprint_changes_with_what_would_be_deleted():
    one = plan_removal({"experts": [{"id": 1, "is_demo": True}]})
    two = plan_removal({"experts": [{"id": 1, "is_demo": True}, {"id": 2, "is_demo": True}]})
    assert one.fingerprint != two.fingerprint
    assert one.fingerprint == plan_removal({"experts": [{"id": 1, "is_demo": True}]}).fingerprint

"""Issue 12 — 演示数据像一个运转良好的办公室: the invented year is mostly complete (one or two items overdue per
profile so the lists have something to show), last year's assessment is done (one expert left for the 未考核
list), specialties hold 3–5 experts where the policy asks it, and loading reports its steps for a progress bar."""
from __future__ import annotations

import pytest

from core.registry import pool_summary
from services import assessments, demo_history, evaluations, experts, settings
from services.context import build_context
from tests.conftest import ADMIN, FIXED_NOW, OFFICE


def loaded(policy_id: str, steps: list | None = None):
    ctx = build_context(None, clock=lambda: FIXED_NOW)
    settings.set_active_policy(ctx, ADMIN, policy_id)
    demo_history.load_demo_with_progress(ctx, ADMIN, (lambda share, text: steps.append((share, text)))
                                         if steps is not None else None)
    return ctx


@pytest.fixture(scope="module", params=["jincheng-2026", "yangquan-2024"])
def demo(request):
    steps: list = []
    return request.param, loaded(request.param, steps), steps


def test_demo_year_is_mostly_complete_with_one_or_two_overdue_items_issue12(demo):
    _, ctx, _ = demo
    late = evaluations.overdue_evaluations(ctx, OFFICE)
    assert 1 <= len(late) <= 2, [(r["kind"], r.get("expert")) for r in late]
    assert len(evaluations.tasks_to_finish(ctx, OFFICE)) <= 2
    requests = ctx.store.collection("requests").all()
    assert sum(r["status"] == "已完成" for r in requests) >= len(requests) - 3


def test_demo_last_years_assessment_is_recorded_with_one_expert_left_issue12(demo):
    _, ctx, _ = demo
    year = assessments.default_year(ctx)
    assert assessments.period(ctx, year)["past_deadline"]
    rows = assessments.due_list(ctx, year)
    assert len(rows) >= 10
    assert sum(r["overdue"] for r in rows) == 1  # one left, so the 未考核 list has something to show
    saved = assessments.results(ctx, year)
    assert len(saved) == len(rows) - 1
    assert all(not r["proposes_dismissal"] and r["assessed_on"] <= assessments.period(ctx, year)["deadline"].isoformat()
               for r in saved)


def test_demo_assessment_is_what_the_assessment_service_would_store_issue12(demo):
    """The demo writes a year's assessments in one write; re-saving one through assessments.save (a correction)
    with the same entry must give the same record."""
    _, ctx, _ = demo
    year = assessments.default_year(ctx)
    record = assessments.results(ctx, year)[0]
    entry = {k: record[k] for k in ("item_ratings", "item_notes", "conclusion", "self_evaluation",
                                     "dismissal_reason_number", "note")}
    ctx2 = demo_history._at(ctx, ctx.today())
    assessments.save(ctx2, OFFICE, record["expert_id"], year, entry)
    again = assessments.get(ctx, record["expert_id"], year)
    ignore = {"id", "assessed_on", "assessed_by", "corrected_from", "line", "created_at", "updated_at"}
    assert {k: v for k, v in again.items() if k not in ignore} == {k: v for k, v in record.items() if k not in ignore}


@pytest.mark.parametrize("seed", [experts.DEMO_SEED, 1, 2])
def test_demo_specialties_are_mostly_within_3_to_5_issue12(seed):
    """JC 第十条(二): 3–5 experts per specialty (阳泉 sets no range); counted as the registry counts them (在库 and
    暂停), so the 专业名额 tab shows them 正常."""
    ctx = build_context(None, clock=lambda: FIXED_NOW)
    settings.set_active_policy(ctx, ADMIN, "jincheng-2026")
    experts.load_demo(ctx, ADMIN, seed=seed, history=False)
    policy = ctx.policies["jincheng-2026"]
    summary = pool_summary(experts.active_experts(ctx), policy.taxonomy)
    outside = [(r.code, r.count) for r in summary.specialties if r.status != "正常"]
    assert len(outside) <= len(summary.specialties) // 20, outside
    assert len(experts.active_experts(ctx)) >= 230


def test_demo_loading_reports_its_steps_for_a_progress_bar_issue12(demo):
    _, _, steps = demo
    shares = [share for share, _ in steps]
    assert len(steps) >= 10 and shares == sorted(shares) and shares[0] == 0.0 and shares[-1] == 1.0
    assert all(0.0 <= s <= 1.0 for s in shares)
    assert all(text and text.isascii() is False for _, text in steps)  # Chinese, for the office


def test_removing_the_demo_removes_its_assessments_too_issue12():
    ctx = loaded("jincheng-2026")
    plan = demo_history.removal_plan(ctx, ADMIN)
    assert plan.ok and dict((name, n) for name, _, n in plan.counts())["assessments"] >= 200
    experts.remove_demo(ctx, ADMIN, confirmed=True, fingerprint=plan.fingerprint)
    assert ctx.store.collection("assessments").all() == []

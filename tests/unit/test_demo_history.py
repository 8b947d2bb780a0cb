"""演示业务记录: the demo pool comes with a year of invented use made through the real services — consistent with
the rules (draws replay, fees come from the rates and stay inside the budgets, YQ consequences appear), a task
left open and one left unevaluated for the queues — and a confirmed removal plan takes all of it."""
from __future__ import annotations

import pytest

from services import demo_history, dispatch, evaluations, experts, fees, settings
from services.context import build_context
from services.demo_history import DEMO_BUDGET
from tests.conftest import ADMIN, FIXED_NOW, OFFICE

HISTORY = ("requests", "assignments", "draws", "evaluations", "budgets", "trainings", "proposals", "events")


def loaded(policy_id: str):
    ctx = build_context(None, clock=lambda: FIXED_NOW)
    settings.set_active_policy(ctx, ADMIN, policy_id)
    experts.load_demo(ctx, ADMIN)
    return ctx


@pytest.fixture(scope="module")
def jc():
    return loaded("jincheng-2026")


@pytest.fixture(scope="module")
def yq():
    return loaded("yangquan-2024")


@pytest.fixture(params=["jc", "yq"])
def demo_ctx(request):
    """Read-only tests share one loaded demo per profile (loading one takes a few seconds)."""
    return request.getfixturevalue(request.param)


def test_the_demo_history_is_made_by_the_services_and_every_draw_replays(demo_ctx):
    requests = demo_ctx.store.collection("requests").all()
    assert len(requests) >= 25 and all(r["is_demo"] and r["matter"].startswith("〔演示〕") for r in requests)
    assert sum(r["status"] == "已完成" for r in requests) >= 20
    draws = demo_ctx.store.collection("draws").all()
    assert draws and all(dispatch.verify(demo_ctx, d["id"])[0] for d in draws[:10])
    assert demo_ctx.store.collection("evaluations").all()
    assert demo_ctx.store.collection("trainings").all()


def test_demo_queues_have_a_task_to_finish_and_an_overdue_evaluation_x_v1(demo_ctx):
    assert evaluations.tasks_to_finish(demo_ctx, OFFICE)
    assert evaluations.overdue_evaluations(demo_ctx, OFFICE)


def test_jc_demo_fees_stay_within_each_departments_budget_jc_f4(jc):
    rows = fees.budget_report(jc, jc.today().year)
    assert rows and all(r.status.left >= 0 for r in rows if r.has_budget)
    assert any(r.status.paid > 0 for r in rows)
    assert all(r.status.budget == DEMO_BUDGET for r in rows if r.has_budget)


def test_yq_demo_shows_a_reminder_talk_and_a_removal_proposal_yq_v2(yq):
    assert any(e["kind"] == "提醒谈话" for e in yq.store.collection("events").all())
    assert any(p["source"] == "服务评价" for p in yq.store.collection("proposals").all())


@pytest.mark.parametrize("policy_id", ["jincheng-2026", "yangquan-2024"])
def test_removing_the_demo_removes_its_whole_history(policy_id):
    ctx = loaded(policy_id)
    plan = demo_history.removal_plan(ctx, ADMIN)
    assert plan.ok and {name for name, _, _ in plan.counts()} >= {"experts", "requests", "assignments", "draws"}
    experts.remove_demo(ctx, ADMIN, confirmed=True, fingerprint=plan.fingerprint)
    for name in HISTORY:
        assert ctx.store.collection(name).all() == [], name
    assert not experts.has_demo(ctx)

"""Issue 17: the pool a draw and a request check read is one list per version of the experts file, shared by every
task and session (services.dispatch._pool, core.drawing.SharedPool), so a task no longer copies 3,000 experts twice.

What must hold: nothing that reads it changes it — after a year of demo history made through the services (every
request checked, drawn, answered, finished, evaluated, paid), the shared pool still equals a fresh read of the file,
and its snapshot and hash equal a fresh computation; a draw on the shared pool records exactly what a draw on a
plain copy records; a write to the experts file gives the next draw a new pool.
"""
from __future__ import annotations

import copy

import pytest

from core.drawing import SharedPool, _id_key, _pool_entry, pool_snapshot_hash
from core.drawing import draw as run_draw
from services import conditions, dispatch, experts, settings
from services.context import build_context
from tests.conftest import ADMIN, FIXED_NOW

PROFILES = ("yangquan-2024", "jincheng-2026")


@pytest.fixture(scope="module", params=PROFILES)
def loaded(request, tmp_path_factory):
    ctx = build_context(tmp_path_factory.mktemp("shared") / "data", clock=lambda: FIXED_NOW)
    settings.set_active_policy(ctx, ADMIN, request.param)
    experts.load_demo(ctx, ADMIN)  # the pool and a year of history, through the services
    return ctx, ctx.policies[request.param]


def _fresh(ctx, policy) -> list[dict]:
    return ctx.store.collection("experts").search(lambda d: d.get("policy_id") == policy.id)


def test_issue17_the_shared_pool_is_unchanged_by_a_year_of_tasks(loaded):
    """…and by the pages that read it (首页's figures and notices, 解聘清退's proposals, the registry's list)."""
    ctx, policy = loaded
    experts.home_view(ctx, ADMIN, 3650)
    conditions.home_notices(ctx, ADMIN)
    conditions.proposals(ctx, ADMIN)
    for e in experts.active_experts(ctx):
        e["name"] = "改过的副本"  # a caller's copy: the shared records never see it
    shared = ctx.store.collection("experts").shared(("pool", policy.id), lambda rows: None)
    assert isinstance(shared, SharedPool) and len(shared) > 0  # the one the tasks used
    assert list(shared) == _fresh(ctx, policy)
    drawn = [key for key in shared._memo if key[0] == "entries"]
    assert drawn  # the year's draws read their snapshot from it
    for key in drawn:
        entries = shared._memo[key]
        expected = sorted((_pool_entry(x, key[1]) for x in _fresh(ctx, policy)), key=_id_key)
        assert entries == expected
        assert pool_snapshot_hash({"experts": entries}) == pool_snapshot_hash({"experts": expected})


def test_issue17_a_draw_on_the_shared_pool_records_what_a_draw_on_a_copy_records(loaded):
    ctx, policy = loaded
    reqs = ctx.store.collection("requests").find("policy_id", policy.id)
    assert reqs
    history = ctx.store.collection("assignments").find("policy_id", policy.id)
    pool = _fresh(ctx, policy)
    for req in reqs[:5]:
        at = FIXED_NOW.isoformat()
        on_shared = run_draw(req, SharedPool(copy.deepcopy(pool)), history, policy, seed="s1", drawn_at=at)
        on_list = run_draw(req, copy.deepcopy(pool), history, policy, seed="s1", drawn_at=at)
        assert on_shared.to_record() == on_list.to_record()
        assert on_shared.to_dict() == on_list.to_dict()


def test_issue17_a_change_to_the_experts_file_gives_the_next_draw_a_new_pool(loaded):
    ctx, policy = loaded
    before = dispatch._pool(ctx, policy)
    target = before[0]
    ctx.store.collection("experts").update(target["id"], {"phone": "13900000000"}, actor="t", action="修改")
    after = dispatch._pool(ctx, policy)
    assert after is not before
    assert next(e for e in after if e["id"] == target["id"])["phone"] == "13900000000"
    assert next(e for e in before if e["id"] == target["id"]).get("phone") != "13900000000"


def test_issue17_a_draw_reads_by_index_exactly_what_it_would_read_from_all_the_history(loaded):
    """X-D2 replay and the rotation rule: the assignments found by index (experts of the needed specialties ending
    from the rotation window's first day on, and the request's own) give the same draw — order, use counts,
    exclusions and the history lines kept for replay — as the whole history of the profile."""
    ctx, policy = loaded
    everything = ctx.store.collection("assignments").find("policy_id", policy.id)
    pool = dispatch._pool(ctx, policy)
    reqs = ctx.store.collection("requests").find("policy_id", policy.id)
    checked = 0
    for req in reqs:
        at = FIXED_NOW.isoformat()
        try:
            full = run_draw(req, list(pool), everything, policy, seed="s2", drawn_at=at)
        except Exception:  # a request a draw refuses (no needs …) is refused either way
            continue
        indexed = run_draw(req, pool, dispatch._draw_history(ctx, policy, req, pool), policy, seed="s2", drawn_at=at)
        assert indexed.to_dict() == full.to_dict(), req["id"]
        checked += 1
    assert checked >= 5


def test_issue17_expert_names_are_those_of_the_well_formed_records_and_a_fresh_dict(loaded):
    ctx, _ = loaded
    names = experts.expert_names(ctx)
    assert names == {e["id"]: e["name"] for e in experts.active_experts(ctx)}
    names.clear()
    assert experts.expert_names(ctx)


def test_issue17_the_annual_assessment_reads_the_period_and_counts_what_all_the_history_gives(loaded):
    """JC-Y1 / YQ-Y1: who is due and each expert's year (services, declines, ratings, training) from the assignments
    ending or answered from the period's first day on equal what every assignment ever kept gives."""
    from core.assessment import who_is_due, year_summary
    from services import assessments

    ctx, policy = loaded
    everything = [a for a in ctx.store.collection("assignments").all() if a.get("policy_id") in (None, policy.id)]
    pool = _fresh(ctx, policy)
    requests, evaluations = ctx.store.collection("requests").all(), ctx.store.collection("evaluations").all()
    trainings, assistance = ctx.store.collection("trainings").all(), ctx.store.collection("assistance").all()
    checked = 0
    for year in (FIXED_NOW.year - 1, FIXED_NOW.year, FIXED_NOW.year + 1):
        bounded = assessments._assignments(ctx, policy, year)
        assert who_is_due(pool, year, policy, assignments=bounded) == who_is_due(pool, year, policy,
                                                                                  assignments=everything)
        active = [e for e in pool if any(a.get("expert_id") == e["id"] for a in everything)][:12]
        got = assessments._summaries(ctx, policy, active, year)
        for e in active:
            assert got[e["id"]] == year_summary(e, year, requests, everything, evaluations, trainings, policy,
                                                assistance=assistance), (year, e["id"])
            checked += 1
    assert checked >= 12

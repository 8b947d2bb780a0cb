"""专家库的共享视图 (issue 17) — one read-only list per version of the experts file, shared by every task, page and
session of the process.

Copying 3,000 expert records cost more than what the draw, the request check or 首页 did with them, and they did it
on every task and every page run. These views are built once per version of `experts.json` (the store's per-version
memo: a write to any expert gives the next caller a new view) and handed out without a copy, so the callers must
never change them or the records in them: the draw and the request check (services.dispatch), the condition
re-check and the group-role flags (services.conditions) and the home page's figures (services.experts.home_view)
only read. A caller that needs a record to change, keep or show takes a copy (`copy.deepcopy`, or the
repository's `get_many`). tests/integration/test_shared_pool_issue17.py checks that a year of tasks leaves them as
a fresh read of the file gives them.
"""
from __future__ import annotations

from core import vocab
from core.drawing import SharedPool
from core.expert import record_problems
from services.context import AppContext

EXPERTS = "experts"


def shared_pool(ctx: AppContext, policy_id: str) -> SharedPool:
    """Every expert record made under `policy_id` (as stored), by id. Read-only."""
    return ctx.store.collection(EXPERTS).shared(
        ("pool", policy_id), lambda rows: SharedPool(d for d in rows if d.get("policy_id") == policy_id))


def well_formed(ctx: AppContext, policy_id: str) -> tuple[dict, ...]:
    """The records of `shared_pool` with no structural problem (services.experts.malformed lists the others).
    Read-only."""
    pool = shared_pool(ctx, policy_id)
    return pool.memo("well_formed", lambda: tuple(d for d in pool
                                                  if not record_problems(d, vocab.EXPERT_STATES)))

"""Property (issue 17, X-D2): for any pool and history (the strategies of test_draw_record_compact_replay) and any
sequence of pool changes — one expert edited, suspended, added — each draw's pool snapshot kept in pieces is rebuilt
exactly (same entries, same SHA-256 as the whole snapshot), the compact record replays identically from the rebuilt
snapshot and gives back the same full exclusion list as the full computation; a snapshot seen before adds nothing,
and a change of one expert adds one piece."""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.drawing import draw, full_exclusions, pool_snapshot_hash, replay
from services import pool_snapshots
from services.context import AppContext, User
from store import open_store
from tests.property.test_draw_record_compact_replay import EXAMPLES, POLICIES, cases

ACTOR = User("office", "办公室乙", "专家管理办公室")
YQ = POLICIES["yangquan-2024"]


def _as_stored(value):
    return json.loads(json.dumps(value, ensure_ascii=False))


def change(pool: list[dict], kind: str, k: int) -> list[dict]:
    pool = [dict(x) for x in pool]
    x = pool[k % len(pool)]
    if kind == "title":
        x["title_level"] = "正高级" if x.get("title_level") != "正高级" else "中级"
    elif kind == "state":
        x["state"] = "暂停" if x.get("state") == "在库" else "在库"
    elif kind == "unit":
        x["unit"] = "阳泉某煤业有限公司" if x.get("unit") != "阳泉某煤业有限公司" else "太原理工大学"
    else:
        pool.append(dict(x, id=max(e["id"] for e in pool) + 1, name="新增专家"))
    return pool


def pieces_count(ctx) -> int:
    return sum(d["count"] for d in pool_snapshots.pieces(ctx).all() if d["kind"] == "pieces")


@settings(max_examples=max(10, EXAMPLES // 2), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.lists(st.tuples(st.sampled_from(("title", "state", "unit", "add")), st.integers(0, 200)),
                         max_size=4))
def test_x_d2_a_draw_replays_identically_from_its_snapshot_kept_in_pieces(case, changes):
    pool, history, request, seed = case
    ctx = AppContext(store=open_store(None), policies=POLICIES)
    pools = [pool]
    for kind, k in changes:
        pools.append(change(pools[-1], kind, k))
    seen: set[str] = set()
    for n, current in enumerate(pools):
        full = draw(request, current, history, YQ, seed=seed, drawn_at="2026-06-12T09:30:00")
        record, snapshot = full.to_record()
        record = _as_stored(record)
        before = pieces_count(ctx)
        digest = pool_snapshots.keep(ctx, ACTOR, snapshot, record["inputs"]["pool_snapshot"])
        added = pieces_count(ctx) - before
        if digest in seen:
            assert added == 0
        elif n:
            assert added <= 1  # one expert changed (or added): at most one new piece
        seen.add(digest)
        rebuilt = pool_snapshots.load(ctx, digest)
        assert rebuilt["experts"] == _as_stored(snapshot)["experts"] and pool_snapshot_hash(rebuilt) == digest
        ok, message = replay(record, rebuilt)
        assert ok, message
        assert full_exclusions(record, rebuilt) == full.exclusions
    for digest in seen:  # every earlier snapshot still rebuilds after the later ones were kept
        assert pool_snapshot_hash(pool_snapshots.load(ctx, digest)) == digest

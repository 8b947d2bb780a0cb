"""Property (issue 17, X-D1, X-D2): for any pool — varied specialties, states, terms, titles, 回避 by unit or declared
relation, declared unavailability — and any history of other tasks and declines, the compact draw record and its
pool snapshot, as the store keeps them (JSON), replay to the same complete orders and give back the same full
exclusion list (who, rule, reason) as the full computation; the record names exactly the rules a person must see."""
from __future__ import annotations

import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.drawing import (CAPPED_RULES, COUNTED_ONLY_RULES, NAMED_LIMIT, DrawResult, draw, full_exclusions,
                          pool_snapshot_hash, replay)
from tests.factories import real_policies

POLICIES = real_policies()
EXAMPLES = {"dev": 40, "ci": 100, "long": 1000}.get(os.environ.get("HYPOTHESIS_PROFILE") or "ci", 100)
SPECIALTIES = ("1.1", "1.2", "2.1")
TARGET = "阳泉某煤业有限公司"
UNITS = ("太原理工大学", TARGET, "阳泉某煤业", "某化工有限公司")
DAYS = ("2026-06-10", "2026-06-14", "2026-06-15", "2026-06-16", "2026-06-17", "2026-06-20")


@st.composite
def experts(draw_, eid: int) -> dict:
    start = draw_(st.sampled_from(("2024-01-01", "2026-06-16", None)))
    end = draw_(st.sampled_from(("2027-12-31", "2026-06-16", "2026-06-20", None)))
    record = {"id": eid, "name": f"专家{eid}",
              "state": draw_(st.sampled_from(("在库",) * 6 + ("暂停", "解聘", "清退", "期满退出", "申请中", ""))),
              "specialties": draw_(st.lists(st.sampled_from(SPECIALTIES), max_size=2, unique=True)),
              "title_level": draw_(st.sampled_from(("初级", "中级", "副高级", "正高级", None))),
              "unit": draw_(st.sampled_from(UNITS)),
              "related_enterprises": draw_(st.lists(st.sampled_from((TARGET, "别的公司")), max_size=1)),
              "unavailable": draw_(st.lists(st.builds(lambda s, e: {"start": s, "end": max(s, e), "reason": "出差"},
                                                      st.sampled_from(DAYS), st.sampled_from(DAYS)), max_size=1)),
              "birth_date": draw_(st.sampled_from(("1950-03-01", "1975-05-05", "1990-01-01"))),
              "gender": draw_(st.sampled_from(("男", "女"))), "expert_kind": "普通专家",
              "id_number": f"1403021980{eid:08d}", "mobile": f"139{eid:08d}"}
    if start:
        record["term_start"] = start
    if end:
        record["term_end"] = end
    return record


@st.composite
def cases(draw_):
    n = draw_(st.integers(1, 40))
    pool = [draw_(experts(eid)) for eid in range(1, n + 1)]
    if draw_(st.booleans()):  # sometimes many out of term, across the named limit
        pool += [{"id": 100 + k, "name": f"期满{k}", "state": "期满退出", "specialties": ["1.1"]}
                 for k in range(draw_(st.integers(20, 40)))]
    history = []
    for k in range(draw_(st.integers(0, 25))):
        start = draw_(st.sampled_from(DAYS))
        history.append({"id": k + 1, "request_id": draw_(st.sampled_from((7, 8, 100))),
                        "expert_id": draw_(st.integers(1, n)), "policy_id": "yangquan-2024", "start": start,
                        "end": max(start, draw_(st.sampled_from(DAYS))),
                        "status": draw_(st.sampled_from(("已完成", "已接受", "邀请中", "已拒绝", "已取消"))),
                        "answered_on": "2026-06-12", "decline_reason": draw_(st.sampled_from(("", "外出")))})
    needs = draw_(st.lists(st.sampled_from(SPECIALTIES), min_size=1, max_size=2, unique=True))
    request = {"id": 100, "policy_id": "yangquan-2024", "start": "2026-06-15", "end": "2026-06-17",
               "needs": [{"specialty": c, "count": 1} for c in needs],
               "min_title_level": draw_(st.sampled_from((None, "中级", "副高级"))),
               "target_enterprises": draw_(st.sampled_from(([TARGET], [], ["某化工有限公司"])))}
    return pool, history, request, draw_(st.text("0123456789abcdef", min_size=8, max_size=8))


def _as_stored(value):
    return json.loads(json.dumps(value, ensure_ascii=False))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_x_d2_a_compacted_draw_record_replays_to_the_same_order_and_full_exclusion_list(case):
    pool, history, request, seed = case
    policy = POLICIES["yangquan-2024"]
    full = draw(request, pool, history, policy, seed=seed, drawn_at="2026-06-12T09:30:00")
    record, snapshot = full.to_record()
    record, snapshot = _as_stored(record), _as_stored(snapshot)
    assert record["inputs"]["pool_snapshot"] == pool_snapshot_hash(snapshot)

    ok, message = replay(record, snapshot)
    assert ok, message
    assert replay(_as_stored(full.to_dict()))[0]  # the full form of the same draw replays too
    again = DrawResult.from_dict(record)
    assert again.orders == full.orders and again.use_counts == full.use_counts
    assert full_exclusions(record, snapshot) == full.exclusions

    needed = {n["specialty"] for n in request["needs"]}
    specialties = {x["id"]: set(x.get("specialties") or ()) for x in pool}
    relevant = [x for x in full.exclusions if specialties.get(x.expert_id, set()) & needed
                and x.rule not in COUNTED_ONLY_RULES]
    per_rule = {r: sum(1 for x in relevant if x.rule == r) for r in {x.rule for x in relevant}}
    expected = tuple(x for x in relevant if x.rule not in CAPPED_RULES or per_rule[x.rule] <= NAMED_LIMIT)
    assert again.exclusions == expected  # named: the experts of the needed specialties, never 专业不符
    assert again.exclusion_counts() == full.exclusion_counts() and record["exclusion_total"] == len(full.exclusions)
    text = json.dumps(snapshot, ensure_ascii=False)
    assert "1403021980" not in text and '"mobile"' not in text

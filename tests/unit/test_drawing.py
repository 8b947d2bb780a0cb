"""随机抽取 — core/drawing.py: the exclusion ledger (X-D1), 回避 (JC-D3, YQ-D3), rotation and seeded random order
(JC-D1 随机选取、轮换使用、技术优先), and replay/verification of a stored draw (X-D2); plus hypothesis properties."""
from __future__ import annotations

import json
import random
from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.drawing import (
    EXCLUSION_RULES, METHOD_VERSION, DrawParams, DrawResult, Exclusion, draw, eligible_list_hash, replay,
    same_organisation, verify,
)
from core.errors import DomainError
from tests.factories import make_expert, real_policies

POLICIES = real_policies()
JC = POLICIES["jincheng-2026"]
YQ = POLICIES["yangquan-2024"]
SEED = "0f3c9a2e7b6d41c8a5e2f1d0c9b8a7e6"
DRAWN_AT = "2026-06-12T09:30:00"
TARGET = "晋城某煤业有限公司"


# --- small factories: only the fields the draw reads -------------------------------------------------------------
def expert(eid: int, **kw) -> dict:
    record = {"id": eid, "name": f"专家{eid}", "state": "在库", "term_start": "2025-01-01", "term_end": "2027-12-31",
              "specialties": ["1.1"], "title_level": "副高级", "unit": "太原理工大学", "related_enterprises": [],
              "unavailable": []}
    record.update(kw)
    return record


def request(**kw) -> dict:
    req = {"id": 100, "policy_id": JC.id, "start": "2026-06-15", "end": "2026-06-17", "days": 3,
           "needs": [{"specialty": "1.1", "count": 2}], "min_title_level": None, "target_enterprises": [TARGET]}
    req.update(kw)
    return req


def assignment(eid: int, request_id: int, start: str, end: str | None = None, status: str = "已接受", **kw) -> dict:
    return {"id": kw.pop("id", None) or hash((eid, request_id, start, status)) % 10**9, "request_id": request_id,
            "expert_id": eid, "policy_id": JC.id, "start": start, "end": end or start, "status": status, **kw}


def run(pool, history=(), req=None, policy=JC, seed=SEED):
    return draw(req or request(), pool, list(history), policy, seed=seed, drawn_at=DRAWN_AT)


def rule_of(result, eid):
    found = [x for x in result.exclusions if x.expert_id == eid]
    assert len(found) <= 1
    return found[0].rule if found else None


def reason_of(result, eid):
    return next(x.reason for x in result.exclusions if x.expert_id == eid)


def eligible_ids(result):
    return {i for order in result.orders.values() for i in order}


# --- the ledger (X-D1) -------------------------------------------------------------------------------------------
def test_x_d1_the_ledger_lists_every_non_eligible_expert_once_with_its_first_rule_and_the_order_the_rest():
    pool = [
        expert(1),                                                           # eligible
        expert(2, state="申请中"),                                           # not_in_term (未聘任)
        expert(3, state="暂停"),                                             # suspended
        expert(4, state="解聘"),                                             # dismissed
        expert(5, specialties=["2.1"]),                                      # wrong_specialty
        expert(6, title_level="初级"),                                       # below_title
        expert(7, unit=TARGET),                                              # same_employer
        expert(8, related_enterprises=["晋城某煤业"]),                        # related_enterprise
        expert(9),                                                           # busy
        expert(10, unavailable=[{"start": "2026-06-16", "end": "2026-06-20", "reason": "出国"}]),  # unavailable
        expert(11),                                                          # declined
        expert(12, state="暂停", unit=TARGET, specialties=["2.1"]),          # several rules: the first wins
        expert(13, birth_date="1959-01-01", title_level="初级"),            # conditions (67) before below_title
    ]
    history = [assignment(9, 7, "2026-06-17", "2026-06-18", "邀请中"),
               assignment(11, 100, "2026-06-15", "2026-06-17", "已拒绝", answered_on="2026-06-13", decline_reason="住院")]
    result = run(pool, history, request(min_title_level="中级"))
    expected = {2: "not_in_term", 3: "suspended", 4: "dismissed", 5: "wrong_specialty", 6: "below_title",
                7: "same_employer", 8: "related_enterprise", 9: "busy", 10: "unavailable", 11: "declined",
                12: "suspended", 13: "conditions"}
    assert {x.expert_id: x.rule for x in result.exclusions} == expected
    assert [x.expert_id for x in result.exclusions] == sorted(expected)  # each once, by id
    assert result.orders == {"1.1": (1,)}
    assert set(expected) | eligible_ids(result) == {x["id"] for x in pool}
    assert {x.rule for x in result.exclusions} == set(EXCLUSION_RULES)
    assert all(x.reason and x.label == EXCLUSION_RULES[x.rule] for x in result.exclusions)
    assert result.exclusions[0].name == "专家2"


def test_x_d1_exclusion_rules_are_in_the_order_of_the_contract():
    assert list(EXCLUSION_RULES) == ["not_in_term", "suspended", "dismissed", "wrong_specialty", "conditions",
                                     "below_title", "same_employer", "related_enterprise", "busy", "unavailable",
                                     "declined"]
    assert EXCLUSION_RULES["same_employer"] == "与任务对象同一单位"


@pytest.mark.parametrize("state, rule, words", [
    ("暂停", "suspended", "暂停"), ("解聘", "dismissed", "解聘"), ("清退", "dismissed", "清退"),
    ("期满退出", "not_in_term", "聘期已满"), ("申请中", "not_in_term", "尚未聘任"), ("公示中", "not_in_term", "公示中"),
    ("拟定", "not_in_term", "尚未聘任"), ("未通过", "not_in_term", "未通过"),
])
def test_x_d1_only_experts_in_state_在库_can_be_drawn(state, rule, words):
    result = run([expert(1, state=state)])
    assert rule_of(result, 1) == rule
    assert words in reason_of(result, 1)


def test_x_d1_a_term_ending_the_day_before_the_task_ends_excludes_but_ending_on_its_last_day_does_not():
    result = run([expert(1, term_end="2026-06-16"), expert(2, term_end="2026-06-17")])
    assert rule_of(result, 1) == "not_in_term"
    assert reason_of(result, 1) == "聘期至2026年6月16日结束，早于任务结束日2026年6月17日"
    assert result.orders["1.1"] == (2,)


def test_x_d1_a_term_starting_after_the_task_starts_excludes_but_starting_on_its_first_day_does_not():
    result = run([expert(1, term_start="2026-06-16"), expert(2, term_start="2026-06-15")])
    assert rule_of(result, 1) == "not_in_term"
    assert "晚于任务开始日2026年6月15日" in reason_of(result, 1)
    assert result.orders["1.1"] == (2,)


def test_jc_d1_an_expert_without_any_needed_specialty_is_excluded_with_both_lists_named():
    result = run([expert(1, specialties=["1.2", "2.1"])], req=request(needs=[{"specialty": "1.1", "count": 1},
                                                                             {"specialty": "1.3", "count": 1}]))
    assert rule_of(result, 1) == "wrong_specialty"
    assert reason_of(result, 1) == "所报专业 1.2、2.1 均不是本次所需专业 1.1、1.3"


def test_jc_d1_technical_priority_keeps_the_minimum_title_and_above_and_excludes_the_rest():
    pool = [expert(1, title_level="中级"), expert(2, title_level="初级"), expert(3, title_level="正高级"),
            expert(4, title_level=None)]
    result = run(pool, req=request(min_title_level="中级"))
    assert set(result.orders["1.1"]) == {1, 3}
    assert reason_of(result, 2) == "职称等级“初级”低于本次要求的“中级”（技术优先）"
    assert rule_of(result, 4) == "below_title"
    assert set(run(pool).orders["1.1"]) == {1, 2, 3, 4}  # no minimum asked: title does not matter


# --- 回避 (JC-D3, YQ-D3) ------------------------------------------------------------------------------------------
def test_jc_d3_same_employer_as_the_target_is_excluded_naming_the_target_and_the_article():
    result = run([expert(1, unit=TARGET)])
    assert rule_of(result, 1) == "same_employer"
    assert reason_of(result, 1) == f"与任务对象“{TARGET}”同一单位（{JC.drawing.conflict.source} 回避）"
    assert "第十四条(二)" in reason_of(result, 1)


@pytest.mark.parametrize("unit, named", [("晋城某煤业", True), ("晋城某煤业有限公司第二分公司", True),
                                         ("ＡＢＣ晋城某煤业有限公司", True), ("晋城某煤业 有限公司", False),
                                         ("晋城某煤业有限公司　", False)])
def test_jc_d3_a_unit_containing_or_contained_in_the_target_name_is_the_same_employer(unit, named):
    result = run([expert(1, unit=unit)])
    assert rule_of(result, 1) == "same_employer"
    assert (f"所在单位“{unit.strip()}”" in reason_of(result, 1)) is named  # named when it differs beyond spacing


def test_jc_d3_full_width_letters_and_spaces_are_normalised_before_comparing_names():
    assert same_organisation("ＡＢＣ 能源（集团）", "abc能源(集团)")
    assert same_organisation("晋城某煤业", "晋城某煤业有限公司")
    assert not same_organisation("煤业", "晋城某煤业有限公司")  # too short to mean one organisation
    assert not same_organisation("", TARGET) and not same_organisation(None, TARGET)


def test_jc_d3_an_unrelated_unit_is_not_excluded():
    result = run([expert(1, unit="晋城另一煤业有限公司"), expert(2, unit="某大学")])
    assert result.exclusions == ()


def test_jc_d3_a_declared_related_enterprise_matching_a_target_is_excluded():
    pool = [expert(1, related_enterprises=["某设计院", "晋城某煤业"]), expert(2, related_enterprises=["某设计院"])]
    result = run(pool, req=request(target_enterprises=["某化工厂", TARGET]))
    assert rule_of(result, 1) == "related_enterprise"
    assert reason_of(result, 1).startswith(f"申报的关联企业“晋城某煤业”即任务对象“{TARGET}”")
    assert result.orders["1.1"] == (2,)


def test_yq_d3_yangquan_excludes_the_same_employer_citing_its_own_rule():
    req = request(policy_id=YQ.id, target_enterprises=["阳泉某化工有限公司"])
    result = run([expert(1, unit="阳泉某化工有限公司"), expert(2)], req=req, policy=YQ)
    assert rule_of(result, 1) == "same_employer"
    assert YQ.drawing.conflict.source in reason_of(result, 1)
    assert result.policy_id == YQ.id


def test_jc_d3_conflict_rules_apply_only_where_the_profile_enables_them():
    relaxed = JC.variant({"drawing.conflict.exclude_same_employer": False,
                          "drawing.conflict.exclude_declared_relations": False})
    pool = [expert(1, unit=TARGET), expert(2, related_enterprises=[TARGET])]
    assert run(pool, policy=relaxed).exclusions == ()
    assert {x.rule for x in run(pool).exclusions} == {"same_employer", "related_enterprise"}


def test_jc_d3_a_request_without_target_enterprises_excludes_nobody_for_conflict():
    result = run([expert(1, unit=TARGET)], req=request(target_enterprises=[]))
    assert result.orders["1.1"] == (1,)


# --- dates: another task, declared unavailability, declines (X-D1) ------------------------------------------------
@pytest.mark.parametrize("start, end, busy", [
    ("2026-06-10", "2026-06-15", True),    # ends on the task's first day: overlaps
    ("2026-06-17", "2026-06-20", True),    # starts on the task's last day: overlaps
    ("2026-06-01", "2026-06-30", True),    # covers the task
    ("2026-06-10", "2026-06-14", False),   # ends the day before: adjacent, free
    ("2026-06-18", "2026-06-19", False),   # starts the day after: adjacent, free
])
def test_x_d1_another_task_on_overlapping_dates_excludes_but_an_adjacent_one_does_not(start, end, busy):
    result = run([expert(1)], [assignment(1, 7, start, end, "已接受")])
    assert (rule_of(result, 1) == "busy") is busy
    if busy:
        assert reason_of(result, 1).startswith("同期已有其他任务：申请第7号")


@pytest.mark.parametrize("status, busy", [("邀请中", True), ("已接受", True), ("已拒绝", False), ("已取消", False),
                                          ("已完成", False)])
def test_x_d1_only_open_invitations_and_acceptances_of_another_request_hold_the_dates(status, busy):
    result = run([expert(1)], [assignment(1, 7, "2026-06-16", "2026-06-16", status)])
    assert (rule_of(result, 1) == "busy") is busy


def test_x_d1_an_invitation_to_this_same_request_does_not_make_the_expert_busy():
    result = run([expert(1)], [assignment(1, 100, "2026-06-15", "2026-06-17", "邀请中")])
    assert result.orders["1.1"] == (1,)


@pytest.mark.parametrize("start, end, excluded", [
    ("2026-06-17", "2026-07-01", True), ("2026-06-01", "2026-06-15", True),
    ("2026-06-01", "2026-06-14", False), ("2026-06-18", "2026-06-30", False),
])
def test_x_d1_a_declared_unavailable_period_overlapping_the_task_excludes(start, end, excluded):
    result = run([expert(1, unavailable=[{"start": start, "end": end, "reason": "外地培训"}])])
    assert (rule_of(result, 1) == "unavailable") is excluded
    if excluded:
        assert "外地培训" in reason_of(result, 1)


def test_x_d1_having_declined_this_request_excludes_but_declining_another_does_not():
    history = [assignment(1, 100, "2026-06-15", "2026-06-17", "已拒绝", answered_on="2026-06-13", decline_reason="出差"),
               assignment(2, 99, "2026-06-15", "2026-06-17", "已拒绝")]
    result = run([expert(1), expert(2)], history)
    assert rule_of(result, 1) == "declined"
    assert reason_of(result, 1) == "已拒绝本次委派（2026年6月13日答复，出差）"
    assert result.orders["1.1"] == (2,)


def test_x_d1_the_first_rule_wins_busy_before_declined_and_title_before_conflict():
    history = [assignment(1, 7, "2026-06-16", status="已接受"), assignment(1, 100, "2026-06-15", status="已拒绝")]
    result = run([expert(1), expert(2, title_level="初级", unit=TARGET)], history, request(min_title_level="中级"))
    assert rule_of(result, 1) == "busy"
    assert rule_of(result, 2) == "below_title"


# --- the order: complete, rotation, seeded ties (JC-D1) ------------------------------------------------------------
def test_jc_d1_the_order_is_complete_per_specialty_and_an_expert_of_two_needed_specialties_is_in_both():
    pool = [expert(1, specialties=["1.1", "1.3"]), expert(2, specialties=["1.1"]), expert(3, specialties=["1.3"]),
            expert(4, specialties=["1.3"], state="暂停")]
    result = run(pool, req=request(needs=[{"specialty": "1.1", "count": 1}, {"specialty": "1.3", "count": 1}]))
    assert set(result.orders["1.1"]) == {1, 2}
    assert set(result.orders["1.3"]) == {1, 3}
    assert list(result.orders) == ["1.1", "1.3"]
    assert set(result.use_counts) == {"1", "2", "3"}


def test_jc_d1_rotation_puts_fewer_uses_in_the_window_first():
    pool = [expert(i) for i in range(1, 5)]
    history = [assignment(1, 1, "2026-05-01"), assignment(1, 2, "2026-04-01", status="已完成"),
               assignment(2, 3, "2026-03-01", status="已完成"),
               assignment(3, 4, "2026-02-01", status="已拒绝"), assignment(3, 5, "2026-02-01", status="已取消")]
    result = run(pool, history)
    assert result.use_counts == {"1": 2, "2": 1, "3": 0, "4": 0}
    assert set(result.orders["1.1"][:2]) == {3, 4}
    assert result.orders["1.1"][2:] == (2, 1)


def test_jc_d1_uses_count_only_inside_the_rotation_window_before_the_start():
    window = JC.drawing.rotation_window_days
    first_day = (date(2026, 6, 15) - timedelta(days=window)).isoformat()
    day_before = (date(2026, 6, 15) - timedelta(days=window + 1)).isoformat()
    history = [assignment(1, 1, first_day, status="已完成"), assignment(2, 2, day_before, status="已完成"),
               assignment(3, 3, "2026-06-15", "2026-06-15", status="已接受", id=5)]
    result = run([expert(1), expert(2), expert(3, specialties=["1.1"])], history,
                 request(end="2026-06-15"))
    assert result.use_counts["1"] == 1
    assert result.use_counts["2"] == 0
    assert rule_of(result, 3) == "busy"  # same day, another request: busy, and not a past use


def test_jc_d1_the_same_seed_gives_the_same_draw_whatever_the_input_order():
    pool = [expert(i, specialties=["1.1", "1.2"]) for i in range(1, 21)]
    history = [assignment(i, 50 + i, "2026-01-05") for i in range(1, 21, 3)]
    req = request(needs=[{"specialty": "1.1", "count": 2}, {"specialty": "1.2", "count": 1}])
    a = run(pool, history, req)
    b = run(list(reversed(pool)), list(reversed(history)), req)
    assert a == b
    assert a.to_dict()["orders"] == b.to_dict()["orders"]


def test_jc_d1_different_seeds_give_different_orders_of_tied_experts():
    pool = [expert(i) for i in range(1, 11)]
    orders = {run(pool, seed=s).orders["1.1"] for s in ("seed-a", "seed-b", "seed-c")}
    assert len(orders) == 3
    assert all(sorted(o) == list(range(1, 11)) for o in orders)


def test_jc_d1_each_specialty_has_its_own_random_tie_order():
    pool = [expert(i, specialties=["1.1", "1.2"]) for i in range(1, 11)]
    result = run(pool, req=request(needs=[{"specialty": "1.1", "count": 1}, {"specialty": "1.2", "count": 1}]))
    assert result.orders["1.1"] != result.orders["1.2"]


def test_x_d2_the_documented_method_reproduces_the_order_by_hand():
    """Anyone can recompute an order: ids ascending, one Random(f"{seed}:{specialty}").random() each, then sort by
    (uses, that number)."""
    pool = [expert(i) for i in (3, 8, 15, 21, 40)]
    history = [assignment(8, 1, "2026-03-01")]
    result = run(pool, history)
    rng = random.Random(f"{SEED}:1.1")
    keys = {i: ({8: 1}.get(i, 0), rng.random()) for i in (3, 8, 15, 21, 40)}
    assert result.orders["1.1"] == tuple(sorted(keys, key=keys.__getitem__))


@pytest.mark.parametrize("seed", ["a1", "b2", "c3"])
def test_jc_d1_a_year_of_weekly_draws_spreads_use_evenly_within_one(seed):
    """52 weekly requests for 2 of 9 always-available experts, each invitee accepts: max − min uses ≤ 1."""
    pool = [expert(i) for i in range(1, 10)]
    history: list[dict] = []
    for week in range(52):
        start = (date(2026, 1, 5) + timedelta(weeks=week)).isoformat()
        req = request(id=1000 + week, start=start, end=start)
        result = draw(req, pool, history, JC, seed=f"{seed}-{week}", drawn_at=start)
        for eid in result.orders["1.1"][:2]:
            history.append(assignment(eid, req["id"], start, start, "已接受", id=len(history) + 1))
    uses = Counter(a["expert_id"] for a in history)
    assert sum(uses.values()) == 104
    assert max(uses.values()) - min(uses[i] for i in range(1, 10)) <= 1


def test_yq_d1_an_empty_order_is_a_valid_result_for_a_specialty_nobody_can_serve():
    result = run([expert(1, specialties=["1.1"])],
                 req=request(needs=[{"specialty": "1.1", "count": 1}, {"specialty": "1.5", "count": 2}]))
    assert result.orders["1.5"] == ()
    assert result.eligible_hash["1.5"] == eligible_list_hash("1.5", [])
    assert result.orders["1.1"] == (1,)


# --- no re-roll (YQ-D1, JC-D1) --------------------------------------------------------------------------------------
def test_x_d2_a_decline_moves_to_the_next_expert_of_the_committed_order_without_a_second_draw():
    pool = [expert(i) for i in range(1, 8)]
    result = run(pool)
    stored = json.loads(json.dumps(result.to_dict()))
    order = stored["orders"]["1.1"]
    invited = order[:2]
    # the first invitee declines: the office invites order[2] — read off the record, nothing is drawn again
    after = [assignment(invited[0], 100, "2026-06-15", "2026-06-17", "已拒绝"),
             assignment(invited[1], 100, "2026-06-15", "2026-06-17", "已接受")]
    replacement = next(i for i in order if i not in invited)
    assert replacement == order[2]
    assert replay(stored)[0]  # the committed record still proves itself after the decline
    assert run(pool, after).orders["1.1"] != tuple(order)  # a fresh draw would differ: hence no re-rolls


# --- records and verification (X-D2) ----------------------------------------------------------------------------------
def test_x_d2_the_record_holds_seed_method_hash_and_order_and_survives_json():
    result = run([expert(i) for i in range(1, 6)] + [expert(9, state="暂停")])
    data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert data["seed"] == SEED and data["method_version"] == METHOD_VERSION == "rotation-seeded-v1"
    assert data["drawn_at"] == DRAWN_AT and data["request_id"] == 100 and data["policy_id"] == JC.id
    assert data["exclusions"][0] == {"expert_id": 9, "name": "专家9", "rule": "suspended", "label": "暂停使用",
                                     "reason": "暂停使用期间不参加抽取（状态“暂停”）"}
    assert DrawResult.from_dict(data) == result
    counts = [(i, result.use_counts[str(i)]) for i in result.orders["1.1"]]
    assert data["eligible_hash"]["1.1"] == eligible_list_hash("1.1", counts)
    assert len(data["eligible_hash"]["1.1"]) == 64


def test_x_d2_the_snapshot_keeps_only_what_the_draw_read():
    pool = [make_expert(JC, id=1, state="在库", term_start="2025-01-01", term_end="2027-12-31"),
            make_expert(JC, id=2, state="申请中"), expert(3)]
    history = [assignment(3, 1, "2024-01-01", status="已完成"), assignment(1, 5, "2026-02-01", status="已完成"),
               assignment(42, 6, "2026-02-01", status="已完成")]
    result = run(pool, history)
    assert set(result.orders["1.1"]) == {1, 3}
    snap = result.inputs
    text = json.dumps(snap, ensure_ascii=False)
    assert pool[0]["id_number"] not in text and pool[0]["mobile"] not in text
    assert snap["pool"][1] == {"id": 2, "name": pool[1]["name"], "state": "申请中",  # + specialties: issue 17
                               "specialties": pool[1]["specialties"]}
    assert [a["expert_id"] for a in snap["history"]] == [1]  # outside the window or not in the pool: not read
    assert snap["params"]["rotation_window_days"] == JC.drawing.rotation_window_days


def test_x_d2_replaying_the_stored_record_confirms_it():
    pool = [expert(i, specialties=["1.1", "1.2"]) for i in range(1, 9)] + [expert(20, unit=TARGET)]
    history = [assignment(2, 1, "2026-02-01"), assignment(5, 100, "2026-06-15", status="已拒绝")]
    req = request(needs=[{"specialty": "1.1", "count": 2}, {"specialty": "1.2", "count": 1}])
    stored = json.loads(json.dumps(run(pool, history, req).to_dict()))
    ok, message = replay(stored)
    assert ok and message.startswith("复核一致")
    ok, message = verify(stored, req, pool, history, JC)
    assert ok and message.startswith("复核一致")


def test_x_d2_verify_detects_a_changed_pool_and_names_who_differs():
    pool = [expert(i) for i in range(1, 8)]
    stored = run(pool).to_dict()
    ok, message = verify(stored, request(), pool + [expert(30, name="新来的")], [], JC)
    assert not ok and "候选名单与抽取时不一致" in message and "新增 新来的（30号）" in message
    ok, message = verify(stored, request(), pool[1:], [], JC)
    assert not ok and "减少 专家1（1号）" in message


def test_x_d2_verify_detects_a_changed_history_as_a_changed_use_count():
    pool = [expert(i) for i in range(1, 8)]
    stored = run(pool).to_dict()
    ok, message = verify(stored, request(), pool, [assignment(4, 9, "2026-05-01")], JC)
    assert not ok and "使用次数变化 专家4（4号）" in message


def test_x_d2_verify_detects_a_changed_seed_as_a_different_order():
    pool = [expert(i) for i in range(1, 11)]
    stored = run(pool).to_dict()
    stored["seed"] = "another-seed"
    ok, message = verify(stored, request(), pool, [], JC)
    assert not ok and "排序不一致（专业 1.1）" in message and "候选名单" not in message
    assert not replay(stored)[0]


def test_x_d2_verify_detects_an_edited_order_or_count_in_the_record():
    pool = [expert(i) for i in range(1, 6)]
    stored = run(pool).to_dict()
    swapped = dict(stored, orders={"1.1": list(reversed(stored["orders"]["1.1"]))})
    ok, message = verify(swapped, request(), pool, [], JC)
    assert not ok and "排序不一致" in message
    recounted = dict(stored, use_counts={**stored["use_counts"], "3": 5})
    ok, message = verify(recounted, request(), pool, [], JC)
    assert not ok and "记录的名单与其校验值不符" in message


def test_x_d2_verify_refuses_another_method_version():
    stored = run([expert(1)]).to_dict()
    stored["method_version"] = "rotation-seeded-v0"
    ok, message = verify(stored, request(), [expert(1)], [], JC)
    assert not ok and message.startswith("方法版本不同")


def test_x_d2_verify_reports_a_changed_exclusion_rule():
    pool = [expert(1), expert(2, state="暂停")]
    stored = run(pool).to_dict()
    ok, message = verify(stored, request(), [expert(1), expert(2, state="解聘")], [], JC)
    assert not ok and "排除记录与抽取时不一致" in message and "已解聘/清退" in message


def test_x_d2_replay_without_a_snapshot_says_so():
    stored = draw(request(), [expert(1)], [], JC, seed=SEED, drawn_at=DRAWN_AT, keep_inputs=False).to_dict()
    assert "inputs" not in stored
    assert replay(stored) == (False, "记录中没有保存抽取时的输入，无法复算")


# --- bad input --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("changes, words", [
    ({"end": "2026-06-10"}, "早于开始日期"), ({"start": "不是日期"}, "日期无效"), ({"needs": []}, "所需专业"),
    ({"min_title_level": "高级"}, "不是职称等级"), ({"policy_id": "yangquan-2024"}, "不能按策略"),
])
def test_a_request_the_draw_cannot_serve_raises_a_chinese_error(changes, words):
    with pytest.raises(DomainError, match=words):
        run([expert(1)], req=request(**changes))


def test_a_pool_with_an_id_twice_or_a_missing_seed_is_refused():
    with pytest.raises(DomainError, match="出现两次"):
        run([expert(1), expert(1)])
    with pytest.raises(DomainError, match="随机种子"):
        run([expert(1)], seed="")


def test_an_exclusion_is_frozen():
    x = Exclusion(1, "甲", "busy", "原因")
    with pytest.raises(AttributeError):
        x.rule = "declined"  # type: ignore[misc]
    assert x == Exclusion(1, "甲", "busy", "原因") and x.label == "同期已有其他任务"


# --- properties (hypothesis) ---------------------------------------------------------------------------------------------
CODES = ("1.1", "1.2", "1.3")
UNITS = ("晋城某煤业有限公司", "晋城某煤业", "太原理工大学", "晋城某化工有限公司", "某设计院")
BASE = date(2026, 6, 1)
days = st.integers(min_value=-40, max_value=40).map(lambda n: (BASE + timedelta(days=n)).isoformat())


@st.composite
def periods(draw_, with_reason=False):
    a, b = sorted((draw_(days), draw_(days)))
    out = {"start": a, "end": b}
    if with_reason:
        out["reason"] = draw_(st.sampled_from(("", "出差", "住院")))
    return out


@st.composite
def pools(draw_):
    n = draw_(st.integers(min_value=0, max_value=14))
    ids = draw_(st.lists(st.integers(min_value=1, max_value=60), min_size=n, max_size=n, unique=True))
    out = []
    for eid in ids:
        term = draw_(periods())
        out.append({
            "id": eid, "name": f"专家{eid}",
            "state": draw_(st.sampled_from(("在库",) * 12 + ("暂停", "解聘", "申请中", "期满退出"))),
            "term_start": draw_(st.sampled_from((term["start"],) + ("2024-01-01",) * 5)),
            "term_end": draw_(st.sampled_from((term["end"],) + ("2028-12-31",) * 5)),
            "specialties": draw_(st.lists(st.sampled_from(CODES), min_size=0, max_size=3, unique=True)),
            "title_level": draw_(st.sampled_from(("无", "初级", "中级", "副高级", "正高级"))),
            "unit": draw_(st.sampled_from(UNITS)),
            "related_enterprises": draw_(st.lists(st.sampled_from(UNITS), max_size=1)),
            "unavailable": draw_(st.lists(periods(with_reason=True), max_size=1)),
        })
    return out


@st.composite
def histories(draw_, ids):
    out = []
    for k in range(draw_(st.integers(min_value=0, max_value=25))):
        p = draw_(periods())
        out.append({"id": k + 1, "request_id": draw_(st.sampled_from((100, 7, 8))),
                    "expert_id": draw_(st.sampled_from(ids)) if ids else 1, "start": p["start"], "end": p["end"],
                    "status": draw_(st.sampled_from(("邀请中", "已接受", "已拒绝", "已完成", "已取消")))})
    return out


@st.composite
def scenarios(draw_):
    pool = draw_(pools())
    history = draw_(histories([x["id"] for x in pool]))
    when = draw_(periods())
    needs = draw_(st.lists(st.sampled_from(CODES[:2]), min_size=1, max_size=2, unique=True))
    req = {"id": 100, "policy_id": "prop-test", "start": when["start"], "end": when["end"],
           "needs": [{"specialty": c, "count": 1} for c in needs],
           "min_title_level": draw_(st.sampled_from((None, None, "中级", "副高级"))),
           "target_enterprises": draw_(st.lists(st.sampled_from(UNITS), max_size=2))}
    params = DrawParams("prop-test", draw_(st.sampled_from((30, 365))), draw_(st.booleans()), draw_(st.booleans()),
                        "测试条款")
    return req, pool, history, params, draw_(st.text(min_size=1, max_size=8))


PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(scenarios())
def test_x_d1_property_a_draw_never_orders_an_excluded_expert_and_accounts_for_everyone(scenario):
    req, pool, history, params, seed = scenario
    result = draw(req, pool, history, params, seed=seed, drawn_at="t")
    excluded = [x.expert_id for x in result.exclusions]
    assert len(excluded) == len(set(excluded))
    ordered = eligible_ids(result)
    assert not ordered & set(excluded)
    assert ordered | set(excluded) == {x["id"] for x in pool}
    by_id = {x["id"]: x for x in pool}
    for sp, order in result.orders.items():
        assert len(order) == len(set(order))
        assert set(order) == {i for i in ordered if sp in by_id[i]["specialties"]}  # complete
        uses = [result.use_counts[str(i)] for i in order]
        assert uses == sorted(uses)  # rotation: fewer uses first
    for x in result.exclusions:
        if x.rule in ("busy", "unavailable", "declined", "same_employer", "related_enterprise", "below_title"):
            assert by_id[x.expert_id]["state"] == "在库"


@PROPERTY_SETTINGS
@given(scenarios())
def test_x_d2_property_replay_always_matches_and_input_order_does_not_matter(scenario):
    req, pool, history, params, seed = scenario
    result = draw(req, pool, history, params, seed=seed, drawn_at="t")
    stored = json.loads(json.dumps(result.to_dict()))
    ok, message = replay(stored)
    assert ok, message
    ok, message = verify(stored, req, pool, history, params)
    assert ok, message
    shuffled = draw(req, list(reversed(pool)), list(reversed(history)), params, seed=seed, drawn_at="t")
    assert shuffled == result

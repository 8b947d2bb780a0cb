"""Compact draw records (issue 17) — a draw record in proportion to what the draw decided, not to the pool: each
exclusion rule with its count, by name only the exclusions a person must see (X-D1: 回避 JC-D3/YQ-D3, busy,
unavailable, declined, suspended, conditions, out of term while few — never 专业不符), the pool snapshot kept once
per distinct content under its SHA-256, and the draw still replays exactly from record + snapshot (X-D2)."""
from __future__ import annotations

import json

import pytest

from core.drawing import (NAMED_LIMIT, RECORD_FORMAT, DrawResult, draw, exclusion_digest, full_exclusions,
                          pool_snapshot_hash, replay)
from core.errors import DomainError
from services import dispatch, fees, settings
from tests.conftest import DEPARTMENT, OFFICE
from tests.factories import make_expert, real_policies, seed_expert

POLICIES = real_policies()
JC = POLICIES["jincheng-2026"]
DRAWN_AT = "2026-06-12T09:30:00"
TARGET = "晋城某煤业有限公司"


def expert(eid: int, **kw) -> dict:
    record = {"id": eid, "name": f"专家{eid}", "state": "在库", "term_start": "2025-01-01", "term_end": "2027-12-31",
              "specialties": ["1.1"], "title_level": "副高级", "unit": "太原理工大学", "related_enterprises": [],
              "unavailable": [], "id_number": f"14050219800101{eid:04d}", "mobile": f"139{eid:08d}"}
    record.update(kw)
    return record


def request(**kw) -> dict:
    req = {"id": 100, "policy_id": JC.id, "start": "2026-06-15", "end": "2026-06-17",
           "needs": [{"specialty": "1.1", "count": 2}], "min_title_level": None, "target_enterprises": [TARGET]}
    req.update(kw)
    return req


def every_rule_pool() -> tuple[list[dict], list[dict]]:
    """A pool where every rule fires, and many experts of other specialties and out of term."""
    pool = [expert(1), expert(2), expert(3, state="暂停"), expert(4, state="解聘"), expert(5, unit=TARGET),
            expert(6, related_enterprises=[TARGET]), expert(7), expert(8),
            expert(9, unavailable=[{"start": "2026-06-16", "end": "2026-06-16", "reason": "出差"}]),
            expert(10, title_level="初级"), expert(11, birth_date="1950-01-01", gender="男"),
            expert(12, state="暂停", specialties=["2.1"])]                                       # suspended, not 1.1
    pool += [expert(100 + n, specialties=["2.1"]) for n in range(60)]                         # 专业不符
    pool += [expert(200 + n, term_end="2026-06-16") for n in range(NAMED_LIMIT + 5)]            # 不在聘期, many
    history = [{"id": 1, "request_id": 55, "expert_id": 7, "start": "2026-06-16", "end": "2026-06-16",
                "status": "已接受"},
               {"id": 2, "request_id": 100, "expert_id": 8, "start": "2026-06-15", "end": "2026-06-17",
                "status": "已拒绝", "answered_on": "2026-06-13", "decline_reason": "外出"}]
    return pool, history


def full_draw(pool, history, req=None, **kw):
    return draw(req or request(min_title_level="中级"), pool, history, JC, seed="s", drawn_at=DRAWN_AT, **kw)


def stored(result: DrawResult) -> tuple[dict, dict]:
    record, snapshot = result.to_record()
    return json.loads(json.dumps(record, ensure_ascii=False)), json.loads(json.dumps(snapshot, ensure_ascii=False))


# --- what the record keeps --------------------------------------------------------------------------------------
def test_x_d1_compact_record_names_the_exclusions_a_person_must_see_and_counts_wrong_specialty():
    pool, history = every_rule_pool()
    result = full_draw(pool, history)
    record, snap = stored(result)
    assert record["format"] == RECORD_FORMAT
    named = {x["expert_id"]: x["rule"] for x in record["exclusions"]}
    assert named == {3: "suspended", 4: "dismissed", 5: "same_employer", 6: "related_enterprise", 7: "busy",
                     8: "declined", 9: "unavailable", 10: "below_title", 11: "conditions"}
    assert all(x["reason"] and x["name"] for x in record["exclusions"])
    counts = {row["rule"]: (row["count"], row["listed"]) for row in record["exclusion_summary"]}
    assert counts["wrong_specialty"] == (60, 0)
    assert counts["not_in_term"] == (NAMED_LIMIT + 5, 0)  # a long list even among the 1.1 experts: counted
    assert counts["suspended"] == (2, 1)  # 专家12 is of another specialty: counted, not named
    assert counts["same_employer"] == (1, 1)
    assert record["exclusion_total"] == len(result.exclusions)
    assert record["exclusion_digest"] == exclusion_digest(result.exclusions)
    assert "pool" not in record["inputs"] and record["inputs"]["pool_snapshot"] == pool_snapshot_hash(snap)


def test_x_d1_out_of_term_is_named_while_few():
    pool = [expert(1), expert(2, term_end="2026-06-16"), expert(3, state="期满退出")]
    record, _ = stored(full_draw(pool, []))
    assert {x["expert_id"]: x["rule"] for x in record["exclusions"]} == {2: "not_in_term", 3: "not_in_term"}


def test_x_d2_compact_record_keeps_orders_counts_and_hashes_of_the_full_result():
    pool, history = every_rule_pool()
    result = full_draw(pool, history)
    again = DrawResult.from_dict(stored(result)[0])
    for name in ("request_id", "policy_id", "method_version", "seed", "drawn_at", "eligible_hash", "orders",
                 "use_counts"):
        assert getattr(again, name) == getattr(result, name), name
    assert again.exclusions == tuple(x for x in result.exclusions
                                     if x.rule not in ("wrong_specialty", "not_in_term") and x.expert_id != 12)
    assert again.compact and again.exclusion_counts() == result.exclusion_counts()


def test_x_d2_pool_snapshot_holds_no_id_number_or_phone_and_is_the_same_for_another_request():
    pool, history = every_rule_pool()
    _, snap = stored(full_draw(pool, history))
    text = json.dumps(snap, ensure_ascii=False)
    assert "14050219800101" not in text and "13900000001" not in text
    _, other = stored(full_draw(list(reversed(pool)), [], req=request(id=101, needs=[{"specialty": "2.1", "count": 1}])))
    assert pool_snapshot_hash(other) == pool_snapshot_hash(snap)  # shared by draws that saw the same pool


# --- replay and the full list -----------------------------------------------------------------------------------
def test_x_d2_compact_record_replays_from_its_snapshot_and_says_so():
    pool, history = every_rule_pool()
    record, snap = stored(full_draw(pool, history))
    ok, message = replay(record, snap)
    assert ok, message
    assert "复核一致" in message and "抽取快照" in message and "排除" in message


def test_x_d2_full_exclusion_list_is_recomputed_from_the_snapshot():
    pool, history = every_rule_pool()
    result = full_draw(pool, history)
    record, snap = stored(result)
    assert full_exclusions(record, snap) == result.exclusions  # who, rule and reason, in id order


def test_x_d2_replay_without_the_snapshot_says_it_is_missing():
    record, _ = stored(full_draw(*every_rule_pool()))
    ok, message = replay(record)
    assert not ok and "找不到本次抽取的专家名单快照" in message
    with pytest.raises(DomainError, match="找不到本次抽取的专家名单快照"):
        full_exclusions(record)


def test_x_d2_a_changed_snapshot_does_not_replay():
    pool, history = every_rule_pool()
    record, snap = stored(full_draw(pool, history))
    snap["experts"][0]["specialties"] = ["2.1"]
    ok, message = replay(record, snap)
    assert not ok and "快照可能被改动" in message


def test_x_d2_a_changed_summary_or_listed_exclusion_does_not_verify():
    pool, history = every_rule_pool()
    record, snap = stored(full_draw(pool, history))
    fewer = json.loads(json.dumps(record))
    fewer["exclusion_summary"] = [dict(row, count=row["count"] - 1) if row["rule"] == "wrong_specialty" else row
                                  for row in fewer["exclusion_summary"]]
    ok, message = replay(fewer, snap)
    assert not ok and "“专业不符”记录为59人，复算为60人" in message
    moved = json.loads(json.dumps(record))
    moved["exclusions"] = [x for x in moved["exclusions"] if x["expert_id"] != 7]
    ok, message = replay(moved, snap)
    assert not ok and "专家7（7号）复算为“同期已有其他任务”" in message
    swapped = json.loads(json.dumps(record))
    swapped["exclusion_digest"] = "0" * 64
    ok, message = replay(swapped, snap)
    assert not ok and "逐人排除名单的校验值不同" in message


def test_x_d2_a_full_record_still_replays_and_lists_everyone():
    pool, history = every_rule_pool()
    result = full_draw(pool, history)
    old = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert "pool" in old["inputs"] and len(old["exclusions"]) == len(result.exclusions)
    assert replay(old)[0]
    assert full_exclusions(old) == result.exclusions


# --- through the services ---------------------------------------------------------------------------------------
def _pool(ctx, n, **kw):
    policy = settings.active_policy(ctx)
    code = policy.taxonomy.all_specialty_codes()[0]
    return code, [seed_expert(ctx, OFFICE, make_expert(policy, specialties=[code], state="在库", term_start="2025-01-01",
                                                      term_end="2027-12-31", unit=f"某单位{i}", **kw))
                  for i in range(n)]


def _ask(ctx, code, start="2026-12-01", end="2026-12-03", target="某单位0"):
    data = {"department": DEPARTMENT.department, "contact": "张三", "contact_phone": "13900000000", "matter": "专项检查",
            "task_type": settings.active_policy(ctx).drawing.task_types[0], "target_enterprises": [target],
            "place": "泽州县", "outside_city": False, "start": start, "end": end,
            "needs": [{"specialty": code, "count": 1}], "min_title_level": None, "mode": "抽取",
            "emergency": True, "external_experts": []}
    return dispatch.file_request(ctx, OFFICE, data)[0]


def test_x_d2_draws_of_the_same_pool_share_one_snapshot_and_verify_through_the_service(ctx):
    fees.set_budget(ctx, OFFICE, DEPARTMENT.department, 2026, 1_000_000)
    code, ids = _pool(ctx, 5)
    first = dispatch.draw(ctx, OFFICE, _ask(ctx, code))
    second = dispatch.draw(ctx, OFFICE, _ask(ctx, code, start="2026-12-10", end="2026-12-11", target="某单位1"))
    snapshots = ctx.store.collection(dispatch.POOL_SNAPSHOTS).all()
    assert len(snapshots) == 1 and snapshots[0]["count"] == 5
    for draw_id in (first, second):
        record = ctx.store.collection("draws").get(draw_id)["result"]
        assert record["inputs"]["pool_snapshot"] == snapshots[0]["hash"]
        ok, message = dispatch.verify(ctx, draw_id)
        assert ok, message
    everyone = dispatch.all_exclusions(ctx, first)
    assert [(x["expert_id"], x["rule"]) for x in everyone] == [(ids[0], "same_employer")]
    assert dispatch.exclusion_summary(ctx.store.collection("draws").get(first)["result"]) == [
        {"rule": "same_employer", "label": "与任务对象同一单位", "count": 1, "listed": 1}]


def test_x_d2_the_snapshots_audit_line_carries_its_hash_not_the_pool(ctx):
    fees.set_budget(ctx, OFFICE, DEPARTMENT.department, 2026, 1_000_000)
    code, _ = _pool(ctx, 3)
    dispatch.draw(ctx, OFFICE, _ask(ctx, code))
    [line] = ctx.store.audit.entries(collection=dispatch.POOL_SNAPSHOTS)  # the manifest: hash, size, chunk ids
    assert "experts" not in line["after"] and len(line["after"]["hash"]) == 64
    assert line["after"]["count"] == 3
    packs = [e["after"] for e in ctx.store.audit.entries(collection="pool_pieces") if e["after"]["kind"] == "pieces"]
    assert [(isinstance(p["experts"], str), p["count"]) for p in packs] == [(True, 3)]  # never the entries


def test_x_d2_a_missing_snapshot_is_reported_by_the_service_not_raised(ctx):
    fees.set_budget(ctx, OFFICE, DEPARTMENT.department, 2026, 1_000_000)
    code, _ = _pool(ctx, 3)
    draw_id = dispatch.draw(ctx, OFFICE, _ask(ctx, code))
    snap = ctx.store.collection(dispatch.POOL_SNAPSHOTS).all()[0]
    ctx.store.collection(dispatch.POOL_SNAPSHOTS).delete(snap["id"], actor="t", action="t")
    ok, message = dispatch.verify(ctx, draw_id)
    assert not ok and "找不到本次抽取的专家名单快照" in message
    with pytest.raises(DomainError):
        dispatch.all_exclusions(ctx, draw_id)


# --- the 抽取记录单 (X-D2: the record prints as a form) ------------------------------------------------------------
@pytest.mark.parametrize("form", ["compact", "full"])
def test_x_d2_draw_record_form_lists_exclusions_by_name_except_wrong_specialty_which_is_one_count_line(form):
    from core.forms_context import draw_record_context

    pool, history = every_rule_pool()
    result = full_draw(pool, history)
    data = stored(result)[0] if form == "compact" else json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    context = draw_record_context(request(min_title_level="中级"), data, {}, [], JC, drawn_by="办公室乙")
    rows = context["exclusions"]
    named = [f"专家{i}" for i in range(3, 12)] + ([] if form == "compact" else ["专家12"])
    assert [r["name"] for r in rows if r["index"] != ""] == named
    assert [r["index"] for r in rows[:len(named)]] == list(range(1, len(named) + 1))
    counted = [(r["rule_key"], r["name"]) for r in rows if r["index"] == ""]
    if form == "compact":
        assert counted == [("not_in_term", f"{NAMED_LIMIT + 5}人"), ("suspended", "另1人"), ("wrong_specialty", "60人")]
    else:  # a full record knows no specialty of the excluded: named by rule, the suspended of 2.1 too
        assert counted == [("not_in_term", f"{NAMED_LIMIT + 5}人"), ("wrong_specialty", "60人")]
    assert "查看全部排除" in rows[-1]["reason"]
    assert context["exclusion_count"] == len(result.exclusions)

"""条件变化 (issue 10 item 8) — core/conditions.py and services/conditions.py: experts who no longer meet a condition
that changes with time are excluded from draws with the reason (X-D1) and listed as proposals for the dismissal
workflow (JC 第九条(二) JC-R1; YQ 第二十四条(十) YQ-R1), with the age limits of the profile (YQ 第六条6 YQ-E1,
第八条 YQ-E2; JC 第七条(六) JC-E3, relaxation respected); JC sectors without 组长/副组长 are flagged (JC-T3)."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings as hsettings
from hypothesis import strategies as st

from core.conditions import (RULE_AGE, RULE_TERM_ENDED, ConditionParams, condition_snapshot, group_role_gaps,
                             time_conditions)
from core.drawing import DrawParams, draw, replay, verify
from core.errors import PermissionDenied, ValidationError
from services import applications as apps
from services import conditions, dismissals, dispatch, fees, settings
from tests.conftest import ADMIN, DEPARTMENT, OFFICE
from tests.factories import make_expert, real_policies

POLICIES = real_policies()
JC = POLICIES["jincheng-2026"]
YQ = POLICIES["yangquan-2024"]
DAY = date(2026, 11, 25)            # the conftest clock's day
DRAWN_AT = "2026-11-25T10:00:00"


def born(age: int, on: date = DAY) -> str:
    """A birth date making someone exactly `age` (周岁) on `on`."""
    return date(on.year - age, on.month, on.day).isoformat()


def person(policy, eid: int, age: int, gender: str = "男", **kw) -> dict:
    fields = dict(birth_date=born(age), gender=gender, state="在库", term_start="2025-01-01", term_end="2027-12-31")
    record = make_expert(policy, **dict(fields, **kw))
    record.update(id=eid, name=f"专家{eid}")
    return record


def req_for(policy, **kw) -> dict:
    code = policy.taxonomy.all_specialty_codes()[0]
    out = {"id": 7, "policy_id": policy.id, "start": "2026-11-30", "end": "2026-12-01",
           "needs": [{"specialty": code, "count": 1}], "min_title_level": None, "target_enterprises": []}
    out.update(kw)
    return out


def exclusion(result, eid):
    found = [x for x in result.exclusions if x.expert_id == eid]
    return found[0] if found else None


# --- the rules (core) ------------------------------------------------------------------------------------------
def test_yq_e1_yq_r1_a_man_of_66_and_a_woman_of_58_in_the_pool_are_excluded_from_the_draw_with_the_reason():
    pool = [person(YQ, 1, 66, "男"), person(YQ, 2, 58, "女"), person(YQ, 3, 60, "男"), person(YQ, 4, 55, "女")]
    result = draw(req_for(YQ), pool, [], YQ, seed="s", drawn_at=DRAWN_AT)
    man, woman = exclusion(result, 1), exclusion(result, 2)
    assert man.rule == woman.rule == "conditions" and man.label == "不再符合聘任条件"
    assert "年龄66周岁，超过男性普通专家60周岁的年龄上限（第六条6：实际年龄不超过60周岁）" in man.reason
    assert "年龄58周岁，超过女性普通专家55周岁的年龄上限（第六条6：女性不超55周岁）" in woman.reason
    assert "第二十四条（十）" in man.reason and "清退建议" in man.reason
    assert set(result.orders[req_for(YQ)["needs"][0]["specialty"]]) == {3, 4}  # at the limit: still in


def test_yq_e2_a_special_expert_may_serve_to_65_but_not_beyond():
    young, old = person(YQ, 1, 65, expert_kind="特聘专家"), person(YQ, 2, 66, "女", expert_kind="特聘专家")
    assert time_conditions(young, YQ, DAY) == []
    [finding] = time_conditions(old, YQ, DAY)
    assert finding.rule == RULE_AGE and "超过特聘专家65周岁的年龄上限（第八条：年龄不超过65周岁）" in finding.reason
    assert (finding.reason_number, finding.proposes_dismissal) == (10, True)


def test_age_counts_full_years_the_day_before_the_birthday_the_expert_is_still_younger():
    turning = make_expert(YQ, birth_date=date(1966, 11, 26).isoformat(), gender="男")
    assert time_conditions(turning, YQ, DAY) == []                          # 59 until tomorrow
    assert [f.rule for f in time_conditions(turning, YQ, date(2027, 11, 26))] == [RULE_AGE]   # 61 then


@pytest.mark.parametrize("birth, over", [("1962-02-28", True), ("1962-03-01", False), ("1962-02-27", True)])
def test_jc_e3_on_29_february_the_age_is_counted_in_full_years_also_through_the_quick_check(birth, over):
    x = {"id": 1, "name": "甲", "birth_date": birth, "gender": "男"}
    assert bool(time_conditions(x, JC, date(2028, 2, 29))) is over
    y = {"id": 2, "name": "乙", "id_number": make_expert(JC, birth_date=birth, gender="男")["id_number"]}
    assert bool(time_conditions(y, JC, date(2028, 2, 29))) is over  # read off the ID number: the full path


def test_an_unknown_gender_is_excluded_only_when_over_every_limit_and_no_birth_date_excludes_nobody():
    unknown = {"id": 1, "name": "甲", "birth_date": born(58)}
    assert time_conditions(unknown, YQ, DAY) == []  # 58: over the women's 55, under the men's 60 — cannot tell
    assert [f.rule for f in time_conditions(dict(unknown, birth_date=born(61)), YQ, DAY)] == [RULE_AGE]
    assert time_conditions({"id": 2, "name": "乙"}, YQ, DAY) == []


def test_jc_e3_jc_r1_over_65_without_a_relaxation_is_excluded_citing_article_9_2():
    pool = [person(JC, 1, 66), person(JC, 2, 70, age_relaxation="应急领域工作成果取得市级以上部门认可")]
    result = draw(req_for(JC), pool, [], JC, seed="s", drawn_at=DRAWN_AT)
    x = exclusion(result, 1)
    assert x.rule == "conditions"
    assert "超过普通专家65周岁的年龄上限（第七条(六)：年龄一般不超过65周岁），入库时未记录放宽年龄限制" in x.reason
    assert "第九条（二）不再符合本办法第七条中规定的专家聘任条件的情形，应提出解聘退出建议" in x.reason
    assert exclusion(result, 2) is None and 2 in result.orders[req_for(JC)["needs"][0]["specialty"]]


def test_yq_r1_a_relaxation_counts_only_where_the_profile_allows_it():
    relaxed = person(YQ, 1, 62, age_relaxation="办公室认为可以")
    assert [f.rule for f in time_conditions(relaxed, YQ, DAY)] == [RULE_AGE]


def test_x_d1_a_term_ended_before_the_draw_date_excludes_even_for_a_task_already_past():
    # an emergency used first and recorded afterwards: the task is over, the term ended after it but before today
    ended = person(JC, 1, 50, term_end="2026-11-20")
    result = draw(req_for(JC, start="2026-11-10", end="2026-11-12"), [ended], [], JC, seed="s", drawn_at=DRAWN_AT)
    x = exclusion(result, 1)
    assert x.rule == "not_in_term" and "聘期已于2026年11月20日届满" in x.reason
    [finding] = time_conditions(ended, JC, DAY)
    assert finding.rule == RULE_TERM_ENDED and not finding.proposes_dismissal
    assert time_conditions(person(JC, 2, 50, term_end=DAY.isoformat()), JC, DAY) == []  # its last day still counts


def test_x_d2_a_draw_under_the_time_conditions_replays_from_its_snapshot_without_the_id_number():
    pool = [person(YQ, 1, 66), person(YQ, 2, 40, "女"), person(YQ, 3, 50, expert_kind="特聘专家")]
    result = draw(req_for(YQ), pool, [], YQ, seed="s", drawn_at=DRAWN_AT)
    stored = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    ok, message = replay(stored)
    assert ok, message
    text = json.dumps(stored["inputs"], ensure_ascii=False)
    assert all(x["id_number"] not in text for x in pool)
    assert stored["inputs"]["today"] == "2026-11-25" and stored["inputs"]["params"]["conditions"]["reason_number"] == 10
    assert stored["inputs"]["pool"][0]["birth_date"] == pool[0]["birth_date"]


# Made by the draw as it was before this rule (git HEAD core/drawing.py): the man of 66 (id 1) was drawn then.
OLD_RECORD = json.loads("""{"request_id": 7, "policy_id": "yangquan-2024", "method_version": "rotation-seeded-v1",
"seed": "old-seed", "drawn_at": "2026-11-25T10:00:00",
"eligible_hash": {"1.1": "1d5c85b8475c36fef86e0a9868e5f9f309dbd56c9fcbcbd36d04a987bb44da8d"},
"exclusions": [{"expert_id": 3, "name": "丙", "rule": "suspended", "label": "暂停使用",
"reason": "暂停使用期间不参加抽取（状态“暂停”）"}], "orders": {"1.1": [2, 1]}, "use_counts": {"1": 0, "2": 0},
"inputs": {"request": {"id": 7, "policy_id": "yangquan-2024", "start": "2026-11-30", "end": "2026-12-01",
"needs": [{"specialty": "1.1", "count": 1}], "min_title_level": null, "target_enterprises": []},
"pool": [{"id": 1, "name": "甲", "state": "在库", "term_start": "2025-01-01", "term_end": "2027-12-31",
"specialties": ["1.1"], "title_level": "副高级", "unit": "某设计院"},
{"id": 2, "name": "乙", "state": "在库", "term_start": "2025-01-01", "term_end": "2027-12-31",
"specialties": ["1.1"], "title_level": "中级", "unit": "某研究所"}, {"id": 3, "name": "丙", "state": "暂停"}],
"history": [], "params": {"policy_id": "yangquan-2024", "rotation_window_days": 365, "exclude_same_employer": true,
"exclude_declared_relations": true, "conflict_source": "附表一 专家承诺；第二十四条(一)"}}}""")


def test_x_d2_a_draw_stored_before_the_time_conditions_still_replays_under_its_own_rules():
    ok, message = replay(OLD_RECORD)
    assert ok, message
    # against today's rules and records the same inputs would now exclude the man of 66: verify names it
    pool = [dict(x, birth_date="1960-03-01", gender="男") if x["id"] == 1 else x for x in OLD_RECORD["inputs"]["pool"]]
    ok, message = verify(OLD_RECORD, OLD_RECORD["inputs"]["request"], pool, [], YQ)
    assert not ok and "甲（1号）复算为“不再符合聘任条件”" in message


def test_condition_params_survive_json_and_a_draw_without_a_date_is_refused_when_they_apply():
    p = ConditionParams.from_policy(JC)
    assert ConditionParams.from_dict(json.loads(json.dumps(p.to_dict()))) == p
    assert DrawParams.from_dict(DrawParams.from_policy(JC).to_dict()) == DrawParams.from_policy(JC)
    with pytest.raises(Exception, match="抽取日期"):
        draw(req_for(JC), [person(JC, 1, 40)], [], JC, seed="s", drawn_at="t")
    assert draw(req_for(JC), [person(JC, 1, 40)], [], JC, seed="s", drawn_at="t", today=DAY).orders


@st.composite
def aged_pools(draw_):
    ids = draw_(st.lists(st.integers(min_value=1, max_value=80), min_size=0, max_size=15, unique=True))
    out = []
    for eid in ids:
        birth = date(1950, 1, 1) + timedelta(days=draw_(st.integers(min_value=0, max_value=365 * 45)))
        record = {"id": eid, "name": f"专家{eid}", "state": draw_(st.sampled_from(("在库",) * 6 + ("暂停",))),
                  "term_start": "2024-01-01", "term_end": (DAY + timedelta(days=draw_(st.integers(-60, 60)))).isoformat(),
                  "specialties": ["1.1"], "title_level": "副高级", "unit": "某设计院",
                  "birth_date": draw_(st.sampled_from((birth.isoformat(), None))),
                  "gender": draw_(st.sampled_from(("男", "女", None))),
                  "expert_kind": draw_(st.sampled_from(("普通专家", "特聘专家", None))),
                  "age_relaxation": draw_(st.sampled_from(("", "", "成果经市级部门认可")))}
        out.append({k: v for k, v in record.items() if v is not None})
    return out


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(aged_pools(), st.sampled_from(("jincheng-2026", "yangquan-2024")),
       st.integers(min_value=-30, max_value=30), st.integers(min_value=0, max_value=400))
def test_x_d1_property_no_drawn_expert_fails_a_time_condition_on_the_draw_date(pool, pid, start_in, today_in):
    policy = POLICIES[pid]
    today = date(2026, 1, 1) + timedelta(days=today_in)
    start = today + timedelta(days=start_in)
    req = req_for(policy, start=start.isoformat(), end=(start + timedelta(days=2)).isoformat())
    result = draw(req, pool, [], policy, seed="p", drawn_at=f"{today.isoformat()}T08:00:00")
    by_id = {x["id"]: x for x in pool}
    for order in result.orders.values():
        for eid in order:
            assert time_conditions(by_id[eid], policy, today) == []
    for x in result.exclusions:  # and each expert excluded for a condition does fail one, with that reason
        if x.rule == "conditions":
            assert x.reason in [f.reason for f in time_conditions(by_id[x.expert_id], policy, today)]
    ok, message = replay(json.loads(json.dumps(result.to_dict(), ensure_ascii=False)))
    assert ok, message


def test_x_d2_a_malformed_stored_birth_date_falls_back_to_the_id_number_in_the_check_and_in_the_replay():
    x = person(YQ, 1, 30)
    x["id_number"] = make_expert(YQ, birth_date="1950-01-01", gender="男")["id_number"]
    x["birth_date"] = "1990-13-01"  # not a date: the ID number decides (age 76)
    result = draw(req_for(YQ), [x], [], YQ, seed="s", drawn_at=DRAWN_AT)
    assert exclusion(result, 1).rule == "conditions"
    ok, message = replay(json.loads(json.dumps(result.to_dict(), ensure_ascii=False)))
    assert ok, message


def test_the_snapshot_of_the_conditions_reads_birth_and_gender_off_the_id_number_but_keeps_neither_it():
    x = make_expert(YQ, birth_date="1960-03-01", gender="女")
    x.pop("birth_date", None)
    x.pop("gender", None)
    assert condition_snapshot(x) == {"birth_date": "1960-03-01", "gender": "女", "expert_kind": "普通专家"}


# --- JC-T3 group roles -----------------------------------------------------------------------------------------
def members(code: str, n: int, **kw) -> list[dict]:
    return [{"id": i, "name": f"专家{i}", "state": "在库", "specialties": [code], **kw} for i in range(n)]


def test_jc_t3_a_sector_without_a_leader_or_with_30_experts_and_no_deputy_is_flagged():
    sectors = JC.taxonomy.sectors
    a, b, c = (s.specialties[0].code for s in sectors[:3])
    pool = members(a, 3)                                                          # no 组长
    pool += [dict(x, id=100 + x["id"]) for x in members(b, 30)]                    # 30, 组长, no 副组长
    pool[3]["group_role"] = "组长"
    pool += [dict(x, id=200 + x["id"]) for x in members(c, 29)]                    # 29, 组长: no deputy needed
    pool[33]["group_role"] = "组长"
    flags = group_role_gaps(pool, JC.taxonomy)
    assert "专家3人，未设组长（第十条(一)：每个行业设立组长1名）" in flags[0]["problem"]
    assert [f["sector"] for f in flags] == [sectors[0].code, sectors[1].code]
    assert "专家30人，达到30人，未设副组长（第十条(一)：行业专家数量在30人以上的设副组长1-2名）" in flags[1]["problem"]
    pool[4]["group_role"] = "副组长"
    assert [f["sector"] for f in group_role_gaps(pool, JC.taxonomy)] == [sectors[0].code]


def test_jc_t3_yangquan_has_no_group_roles_and_experts_out_of_the_pool_do_not_count():
    code = YQ.taxonomy.all_specialty_codes()[0]
    assert group_role_gaps(members(code, 40), YQ.taxonomy) == []
    assert group_role_gaps(members(JC.taxonomy.all_specialty_codes()[0], 3, state="解聘"), JC.taxonomy) == []


# --- the service: computed proposals, acted on through the dismissal workflow ----------------------------------
def add(ctx, policy, age, gender="男", **kw) -> int:
    fields = dict(birth_date=born(age), gender=gender, state="在库", term_start="2025-01-01", term_end="2027-12-31",
                  policy_id=policy.id)
    record = make_expert(policy, **dict(fields, **kw))
    return ctx.store.collection("experts").insert(record, actor="t", action="t")


def use_yq(ctx):
    settings.set_active_policy(ctx, ADMIN, "yangquan-2024")
    return settings.active_policy(ctx)


def test_yq_r1_proposals_list_the_reason_and_article_and_disappear_once_a_case_is_raised(ctx):
    policy = use_yq(ctx)
    man, woman, fine = add(ctx, policy, 66), add(ctx, policy, 58, "女"), add(ctx, policy, 45)
    found = conditions.proposals(ctx, OFFICE)
    assert [p["expert_id"] for p in found] == [man, woman]
    assert found[0]["reason_label"].startswith("第二十四条（十）年龄超过60周岁") and found[0]["reason_number"] == 10
    assert "第六条6" in found[0]["reason"] and found[0]["checked_on"] == "2026-11-25"
    case_id = conditions.raise_case(ctx, OFFICE, man)
    case = ctx.store.collection("dismissals").get(case_id)
    assert case["reason_number"] == 10 and case["expert_id"] == man and "条件变化" in case["evidence"]
    assert [p["expert_id"] for p in conditions.proposals(ctx, OFFICE)] == [woman]
    with pytest.raises(ValidationError, match="没有条件变化"):
        conditions.raise_case(ctx, OFFICE, man)
    with pytest.raises(ValidationError, match="没有条件变化"):
        conditions.raise_case(ctx, OFFICE, fine)


def test_jc_r1_the_case_is_raised_under_article_9_2_and_the_expert_suspended_at_once(ctx):
    old = add(ctx, settings.active_policy(ctx), 67)
    [proposal] = conditions.proposals(ctx, OFFICE)
    assert proposal["reason_label"].startswith("第九条（二）")
    case_id = conditions.raise_case(ctx, OFFICE, old)
    assert ctx.store.collection("dismissals").get(case_id)["reason_number"] == 2
    assert ctx.store.collection("experts").get(old)["state"] == "暂停"
    assert conditions.proposals(ctx, OFFICE) == []
    assert dismissals.cases(ctx, "进行中")[0]["expert_id"] == old


def test_jc_e3_an_expert_appointed_with_a_recorded_age_relaxation_is_neither_proposed_nor_excluded(ctx):
    policy = settings.active_policy(ctx)
    form = make_expert(policy, birth_date=born(66), gender="男")
    form.pop("route", None)
    form.pop("expert_kind", None)
    expert_id, app_id = apps.submit(ctx, OFFICE, form, {"kind": "普通专家", "route": "个人自荐", "pledge_signed": True,
                                                         "pledge_date": "2026-06-05", "declarations": {"healthy": True}})
    apps.override_rule(ctx, OFFICE, app_id, "age", "应急领域工作成果取得市级以上部门认可")
    # appointed (the appointment round itself is covered by the applications tests)
    ctx.store.collection("experts").update(expert_id, {"state": "在库", "term_start": "2026-07-01",
                                                       "term_end": "2029-06-30"}, actor="t", action="t")
    plain = add(ctx, policy, 66)
    assert [p["expert_id"] for p in conditions.proposals(ctx, OFFICE)] == [plain]
    [relaxed] = conditions.with_relaxations(ctx, [ctx.store.collection("experts").get(expert_id)])
    assert relaxed["age_relaxation"] == "应急领域工作成果取得市级以上部门认可"
    code = policy.taxonomy.all_specialty_codes()[0]
    result = draw(req_for(policy, needs=[{"specialty": code, "count": 1}]),
                  conditions.with_relaxations(ctx, ctx.store.collection("experts").all()), [], policy,
                  seed="s", drawn_at=DRAWN_AT)
    assert exclusion(result, expert_id) is None and exclusion(result, plain).rule == "conditions"


def test_x_d1_a_draw_through_the_service_excludes_an_ended_term_before_expire_terms_runs_and_an_over_age_expert(ctx):
    policy = settings.active_policy(ctx)
    code = policy.taxonomy.all_specialty_codes()[0]
    fees.set_budget(ctx, OFFICE, DEPARTMENT.department, 2026, 1_000_000)
    ok = [add(ctx, policy, 45, specialties=[code], unit=f"单位{i}") for i in range(3)]
    ended = add(ctx, policy, 45, specialties=[code], term_end="2026-11-20", unit="单位x")
    old = add(ctx, policy, 66, specialties=[code], unit="单位y")
    data = {"department": DEPARTMENT.department, "contact": "张三", "contact_phone": "13900000000", "matter": "专项检查",
            "task_type": policy.drawing.task_types[0], "target_enterprises": ["某煤业公司"], "place": "泽州县",
            "outside_city": False, "start": "2026-12-01", "end": "2026-12-03",
            "needs": [{"specialty": code, "count": 1}], "min_title_level": None, "mode": "抽取", "emergency": True,
            "external_experts": []}
    request_id = dispatch.file_request(ctx, OFFICE, data)[0]
    dispatch.draw(ctx, OFFICE, request_id)
    record = dispatch.latest_draw(ctx, request_id)["result"]
    rules = {x["expert_id"]: x["rule"] for x in record["exclusions"]}
    assert rules[ended] == "not_in_term" and rules[old] == "conditions"
    assert set(record["orders"][code]) == set(ok)
    assert dispatch.verify_replay(record, ctx)[0]  # a compact record replays from its pool snapshot


def test_computing_proposals_writes_nothing_and_needs_the_office(ctx):
    policy = use_yq(ctx)
    add(ctx, policy, 66)
    before = (ctx.store.audit.entries(), ctx.store.collection("experts").all())
    assert conditions.proposals(ctx, OFFICE) and conditions.findings(ctx, OFFICE)
    assert (ctx.store.audit.entries(), ctx.store.collection("experts").all()) == before
    with pytest.raises(PermissionDenied):
        conditions.proposals(ctx, DEPARTMENT)
    with pytest.raises(PermissionDenied):
        conditions.raise_case(ctx, DEPARTMENT, 1)


def test_jc_t3_the_service_flags_sectors_of_the_active_profile(ctx):
    policy = settings.active_policy(ctx)
    add(ctx, policy, 45)
    leader = add(ctx, policy, 45, group_role="组长")
    add(ctx, policy, 46, group_role="组长")
    flags = conditions.group_role_flags(ctx, DEPARTMENT)
    sector = policy.taxonomy.sector_of(policy.taxonomy.all_specialty_codes()[0]).name
    assert flags == [f"{sector}：组长应为1名，现有2名"]
    ctx.store.collection("experts").update(leader, {"group_role": ""}, actor="t", action="t")
    ctx.store.collection("experts").update(leader + 1, {"group_role": ""}, actor="t", action="t")
    assert [f.split("：")[0] for f in conditions.group_role_flags(ctx, DEPARTMENT)] == [sector]
    assert "未设组长" in conditions.group_role_flags(ctx, DEPARTMENT)[0]

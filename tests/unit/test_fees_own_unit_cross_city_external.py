"""劳务报酬：本单位、市外专家来我市、库外专家（core/fees.py）— JC-F1, JC-F2, JC-F3 (issue 10 item 9).

(a) JC 第十六条(二)：公职人员从事本单位业务不领取 —— 局的科室就是局：“晋城市应急管理局”的公职人员为
    “市应急管理局危险化学品安全监督管理科”做的事是本单位业务；县、区和别的市的应急管理局、市里别的局不是。
(b) 第十六条(一)：跨市包括“市外专家来我市” —— 市外专家（档案 is_out_of_city）在市内服务，每天另加住宿150、伙食50，
    2天 = 300×2 + (150+50)×2 = 1,000.00。
(c) 第十一条：库外专家没有委派记录，由申请的 external_experts 得出报酬行（按姓名和单位标识，没有专家编号）。
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from core.fees import (REASON_OVERLAP, REASON_PUBLIC_SERVANT, bureau_of, estimate_request_fee, external_key,
                       fee_lines, is_own_unit, same_unit, statement_by_expert)
from tests.factories import real_policies

POLICIES = real_policies()
JC = POLICIES["jincheng-2026"]
YQ = POLICIES["yangquan-2024"]
D = Decimal
CITY = JC.city


def request(rid=1, start="2026-07-06", end="2026-07-07", **changes) -> dict:
    req = {"id": rid, "policy_id": JC.id, "department": "市应急管理局危险化学品安全监督管理科", "matter": f"检查{rid}",
           "outside_city": False, "start": start, "end": end, "status": "已完成",
           "needs": [{"specialty": "3.1", "count": 1}], "external_experts": []}
    req.update(changes)
    return req


def expert(eid=7, **changes) -> dict:
    x = {"id": eid, "name": f"专家{eid}", "unit": "晋城市应急管理局", "is_public_servant": True,
         "is_out_of_city": False}
    x.update(changes)
    return x


def line_for(req, exp, policy=JC):
    [line] = fee_lines([{"id": 1, "request_id": req["id"], "expert_id": exp["id"], "status": "已完成"}], [req], [exp],
                       policy)
    return line


# --- (a) 本单位：科室是局的一部分 ------------------------------------------------------------------------------------
@pytest.mark.parametrize("unit, department", [
    ("晋城市应急管理局", "市应急管理局危险化学品安全监督管理科"),
    ("晋城市应急管理局", "晋城市应急管理局安全技术科"),
    ("市应急管理局", "晋城市应急局煤矿安全监管综合科"),
    ("晋城市 应急局", "市应急管理局应急指挥中心"),
    ("山西省晋城市应急管理局", "市应急管理局"),
    ("晋城市应急管理局", "煤矿安全监督管理科"),          # a bare section is one of the city bureau's own
    ("晋城市阳城县应急管理局", "阳城县应急管理局执法队"),
    ("晋城市城区应急管理局", "城区应急管理局安全股"),
])
def test_jc_f2_a_section_of_the_bureau_is_the_bureau(unit, department):
    assert same_unit(unit, department, CITY)


@pytest.mark.parametrize("unit, department", [
    ("晋城市应急管理局", "阳城县应急管理局"),              # a county bureau is another unit
    ("阳城县应急管理局", "市应急管理局危险化学品安全监督管理科"),
    ("晋城市应急管理局", "泽州县应急管理局安全股"),
    ("晋城市应急管理局", "高平市应急管理局"),              # a county-level city of Jincheng
    ("晋城市城区应急管理局", "晋城市应急管理局"),
    ("晋城市应急管理局", "阳泉市应急管理局危险化学品安全监督管理科"),
    ("晋城市应急管理局", "晋城市住房和城乡建设局"),
    ("晋城市应急管理局", "晋城市消防救援支队"),
    ("晋城市应急管理局", "晋城市融媒体中心"),
    ("", "市应急管理局危险化学品安全监督管理科"),
    ("晋城市应急管理局", ""),
])
def test_jc_f2_other_bureaus_are_not_the_same_unit(unit, department):
    assert not same_unit(unit, department, CITY)


def test_jc_f2_bureau_of_names_the_bureau_a_section_belongs_to():
    assert bureau_of("晋城市应急管理局危险化学品安全监督管理科", CITY) == "市应急管理局"
    assert bureau_of("晋城应急局", CITY) == "市应急管理局"
    assert bureau_of("山西某煤业有限公司", CITY) == "山西某煤业有限公司"


def test_jc_f2_a_public_servant_of_the_bureau_is_unpaid_for_a_section_of_the_bureau():
    """The issue's case: 18 demo lines of 晋城市应急管理局 servants for 市应急管理局…科 were paid."""
    line = line_for(request(), expert())
    assert (line.days, line.amount, line.unpaid_reason) == (0, D("0.00"), REASON_PUBLIC_SERVANT)


def test_jc_f2_a_public_servant_of_a_county_bureau_is_paid_for_the_city_bureau():
    line = line_for(request(), expert(unit="阳城县应急管理局"))
    assert (line.days, line.amount, line.unpaid_reason) == (2, D("600.00"), None)


def test_jc_f2_someone_of_the_bureau_who_is_not_a_public_servant_is_paid():
    assert line_for(request(), expert(is_public_servant=False)).amount == D("600.00")


def test_jc_f2_own_unit_needs_the_city_to_fold_the_city_name():
    x = expert()
    assert is_own_unit(x, request(), CITY)
    assert not is_own_unit(x, request(department="阳城县应急管理局"), CITY)


def test_yq_has_no_own_unit_rule_so_a_yangquan_bureau_servant_is_paid_yq_f1():
    yq = YQ.variant({"fees.rate_versions.0.daily_rate": 300, "fees.rate_versions.0.cross_city_lodging": 150,
                     "fees.rate_versions.0.cross_city_meals": 50}, label="测试标准")
    req = request(policy_id=YQ.id, start=str(yq.fees.rate_versions[0].effective_from),
                  end=str(yq.fees.rate_versions[0].effective_from))
    line = line_for(req, expert(unit="阳泉市应急管理局"), yq)
    assert line.amount == D("300.00") and line.unpaid_reason is None


# --- (b) 市外专家来我市 ---------------------------------------------------------------------------------------------
def test_jc_f1_an_expert_from_outside_the_city_serving_here_gets_lodging_and_meals():
    """第十六条(一)：市外专家来我市 is cross-city; 每人每工作日 +150 住宿 +50 伙食 → 2 days = 1,000.00."""
    line = line_for(request(), expert(unit="太原理工大学", is_public_servant=False, is_out_of_city=True))
    assert line.outside_city is True
    assert (line.labour, line.lodging, line.meals, line.amount) == (D("600.00"), D("300.00"), D("100.00"),
                                                                    D("1000.00"))
    assert "跨市住宿 2天 × 150.00元" in line.working and "市外专家来我市" in line.working
    assert line.cross_city_basis == "市外专家来我市"


def test_jc_f1_an_expert_from_outside_the_city_is_marked_by_the_import_text_too():
    line = line_for(request(), expert(unit="太原理工大学", is_public_servant=False, is_out_of_city="是"))
    assert line.amount == D("1000.00")


def test_jc_f1_a_local_expert_serving_locally_gets_no_travel_extras():
    line = line_for(request(), expert(unit="山西某煤业有限公司", is_public_servant=False))
    assert (line.outside_city, line.lodging, line.meals, line.amount) == (False, D("0.00"), D("0.00"), D("600.00"))


def test_jc_f1_an_outside_expert_on_a_task_outside_the_city_is_paid_cross_city_once():
    line = line_for(request(outside_city=True), expert(unit="太原理工大学", is_public_servant=False,
                                                       is_out_of_city=True))
    assert line.amount == D("1000.00") and line.cross_city_basis == ""


# --- (c) 库外专家 -------------------------------------------------------------------------------------------------
OUTSIDER = {"name": "王教授", "unit": "太原理工大学", "title": "教授", "title_level": "正高级", "reason": "专业稀缺"}


def test_jc_f1_an_expert_from_outside_the_pool_gets_a_fee_line_named_by_name_and_unit():
    req = request(external_experts=[OUTSIDER], department="煤矿安全监管综合科")
    [line] = fee_lines([], [req], [], JC)
    assert (line.external, line.expert_id, line.assignment_id) == (True, None, None)
    assert line.expert_name == "王教授（库外专家，太原理工大学）" and line.expert_unit == "太原理工大学"
    assert (line.days, line.amount) == (2, D("600.00"))


def test_jc_f1_an_outside_pool_expert_uses_the_days_recorded_at_completion_and_cross_city_when_flagged():
    req = request(external_experts=[dict(OUTSIDER, is_out_of_city=True)], external_days={external_key(1): 1})
    [line] = fee_lines([], [req], [], JC)
    assert (line.days, line.amount) == (1, D("500.00"))


def test_jc_f1_outside_pool_experts_count_only_once_the_task_is_dispatched():
    for status in ("待审批", "已审批", "已撤回"):
        assert fee_lines([], [request(status=status, external_experts=[OUTSIDER])], [], JC) == []
    assert len(fee_lines([], [request(status="已委派", external_experts=[OUTSIDER])], [], JC)) == 1


def test_jc_f3_an_outside_pool_expert_on_two_tasks_the_same_day_is_paid_once_and_listed_once_by_expert():
    reqs = [request(1, external_experts=[OUTSIDER]), request(2, external_experts=[dict(OUTSIDER, unit="太原理工大学 ")])]
    lines = fee_lines([], reqs, [], JC)
    assert [(ln.request_id, ln.amount) for ln in lines] == [(1, D("600.00")), (2, D("0.00"))]
    assert lines[1].unpaid_reason == REASON_OVERLAP
    stmt = statement_by_expert(lines)
    assert [(r.label, r.amount) for r in stmt.rows] == [("王教授（库外专家，太原理工大学）", D("600.00"))]
    assert stmt.total.experts == 1


def test_jc_f1_two_outside_pool_experts_with_the_same_name_but_other_units_are_two_people():
    other = dict(OUTSIDER, unit="中国矿业大学")
    lines = fee_lines([], [request(1, external_experts=[OUTSIDER]), request(2, external_experts=[other])], [], JC)
    assert [ln.amount for ln in lines] == [D("600.00"), D("600.00")]
    assert statement_by_expert(lines).total.experts == 2


def test_jc_f1_pool_and_outside_pool_experts_are_both_paid_on_one_task():
    req = request(external_experts=[OUTSIDER])
    lines = fee_lines([{"id": 1, "request_id": 1, "expert_id": 7, "status": "已完成"}], [req],
                      [expert(is_public_servant=False)], JC)
    assert sorted((ln.external, ln.amount) for ln in lines) == [(False, D("600.00")), (True, D("600.00"))]


def test_jc_f4_the_estimate_prices_an_outside_pool_expert_from_outside_the_city_cross_city():
    req = request(status="待审批", external_experts=[dict(OUTSIDER, is_out_of_city=True)])
    # 1 pool expert × 2 days × 300 + the outsider 2 × (300 + 150 + 50)
    assert estimate_request_fee(req, None, JC) == D("1600.00")

"""劳务报酬与预算（core/fees.py）— JC-F1, JC-F2, JC-F3, JC-F4, YQ-F1.

每个测试用真实的晋城 2026 / 阳泉 2024 档案，一两条委派、一两项申请、一位专家，看报酬行的天数、金额、所用标准版本、
算式和不发放的原因；明细表合计；预算的剩余与拒绝。调标准的情形用 `with_rates` 在晋城档案上加一个新版本。
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.errors import DomainError
from core.fees import (
    BudgetStatus,
    FeeError,
    REASON_OVERLAP,
    REASON_PUBLIC_SERVANT,
    budget_status,
    check_budget,
    check_budget_amount,
    check_days_worked,
    estimate_request_fee,
    fee_lines,
    is_own_unit,
    money,
    period_of,
    statement_by_department,
    statement_by_expert,
    statement_by_task,
    to_money,
    yuan,
)
from core.policy import policy_from_data
from tests.factories import real_policies

POLICIES = real_policies()
JC = POLICIES["jincheng-2026"]
YQ = POLICIES["yangquan-2024"]
D = Decimal


def with_rates(policy, *versions: dict):
    """The policy with extra rate versions appended to [fees] (validated like a profile file)."""
    data = policy.model_dump()
    extra = [dict({"set_locally": False, "source": "测试：差旅费标准调整", "note": None,
                   "cross_city_lodging": None, "cross_city_meals": None}, **v) for v in versions]
    data["fees"]["rate_versions"] = list(data["fees"]["rate_versions"]) + extra
    return policy_from_data(data)


JC_2027 = with_rates(JC, {"effective_from": date(2027, 1, 1), "daily_rate": D("320"),
                          "cross_city_lodging": D("180"), "cross_city_meals": D("60")})


def request(rid: int = 1, start: str = "2026-07-06", end: str = "2026-07-07", **changes) -> dict:
    req = {"id": rid, "policy_id": JC.id, "department": "煤矿安全监督管理科", "matter": f"某煤矿通风检查{rid}",
           "outside_city": False, "start": start, "end": end, "status": "已委派",
           "needs": [{"specialty": "1.3", "count": 2}], "external_experts": []}
    req.update(changes)
    return req


def assignment(aid: int = 1, rid: int = 1, expert_id: int = 7, status: str = "已完成", **changes) -> dict:
    a = {"id": aid, "request_id": rid, "expert_id": expert_id, "status": status}
    a.update(changes)
    return a


def expert(eid: int = 7, **changes) -> dict:
    x = {"id": eid, "name": f"专家{eid}", "unit": "山西某煤业有限公司", "is_public_servant": False}
    x.update(changes)
    return x


def lines_for(reqs, asgs, exps=None, policy=JC, **kw):
    return fee_lines(asgs, reqs, exps if exps is not None else [expert()], policy, **kw)


def one_line(req=None, asg=None, exp=None, policy=JC):
    [line] = lines_for([req or request()], [asg or assignment()], [exp or expert()], policy)
    return line


# ---------------------------------------------------------------------------------------------------------------
# money
# ---------------------------------------------------------------------------------------------------------------
def test_money_is_written_with_thousands_and_two_decimals():
    assert money(D("1500")) == "1,500.00"
    assert money(D("1234567.5")) == "1,234,567.50"
    assert money(D("0.005")) == "0.01"
    assert money(None) == "" and yuan(D("300")) == "300.00 元"


def test_amounts_are_read_from_text_and_refused_when_not_money():
    assert to_money("1,500.00元") == D("1500.00") and to_money(300) == D("300.00")
    for bad in ("abc", "1.234", None, True, float("nan")):
        with pytest.raises(DomainError):
            to_money(bad)


# ---------------------------------------------------------------------------------------------------------------
# JC-F1 天数 × 日标准；跨市另加住宿和伙食
# ---------------------------------------------------------------------------------------------------------------
def test_jc_f1_local_days_pay_300_a_day_with_the_working_shown():
    line = one_line()
    assert (line.days_worked, line.days, line.amount) == (2, 2, D("600.00"))
    assert line.day_rate == D("300.00") and line.rate_version == "2026-06-05"
    assert (line.lodging, line.meals, line.unpaid_reason) == (D("0.00"), D("0.00"), None)
    assert line.working == "2天 × 300.00元 = 600.00元（2026年6月5日起标准）"


def test_jc_f1_outside_the_city_adds_150_lodging_and_50_meals_per_day():
    line = one_line(request(outside_city=True, end="2026-07-08"))
    assert (line.labour, line.lodging, line.meals, line.amount) == (D("900.00"), D("450.00"), D("150.00"),
                                                                    D("1500.00"))
    assert "跨市住宿 3天 × 150.00元 = 450.00元" in line.working
    assert "伙食补助 3天 × 50.00元 = 150.00元" in line.working and "合计 1,500.00元" in line.working


def test_jc_f1_a_one_day_task_pays_one_day():
    assert one_line(request(end="2026-07-06")).amount == D("300.00")


def test_jc_f1_days_worked_on_the_assignment_overrides_the_span():
    line = one_line(request(end="2026-07-10"), assignment(days_worked=2))
    assert (line.days_worked, line.amount, line.end) == (2, D("600.00"), "2026-07-07")


def test_jc_f1_the_assignments_own_dates_come_before_the_requests():
    line = one_line(request(end="2026-07-10"), assignment(start="2026-07-08", end="2026-07-08"))
    assert (line.start, line.days, line.amount) == ("2026-07-08", 1, D("300.00"))


@pytest.mark.parametrize("bad", [0, -1, "0", "两天", 1.5, True])
def test_jc_f1_zero_negative_or_non_whole_days_worked_are_refused(bad):
    with pytest.raises(FeeError, match="实际工作天数应为正整数"):
        lines_for([request()], [assignment(days_worked=bad)])


def test_jc_f1_more_days_worked_than_the_span_is_refused():
    with pytest.raises(FeeError, match="实际工作天数 3 天超过任务起止日期的 2 天"):
        lines_for([request()], [assignment(days_worked=3)])
    assert check_days_worked("2", 2) == 2


def test_jc_f1_an_end_before_the_start_is_refused():
    with pytest.raises(FeeError, match="早于开始日期"):
        lines_for([request(start="2026-07-07", end="2026-07-06")], [assignment()])


def test_only_accepted_or_finished_assignments_are_paid():
    asgs = [assignment(1, expert_id=7, status="已接受"), assignment(2, expert_id=8, status="已完成")] + [
        assignment(10 + k, expert_id=20 + k, status=s) for k, s in enumerate(("邀请中", "已拒绝", "已取消"))]
    lines = lines_for([request()], asgs, [expert(7), expert(8)])
    assert [ln.expert_id for ln in lines] == [7, 8]


def test_a_day_before_the_first_rate_version_has_no_rate():
    with pytest.raises(FeeError, match="2026年6月4日没有适用的劳务报酬标准.*2026年6月5日起适用"):
        lines_for([request(start="2026-06-04", end="2026-06-05")], [assignment()])


def test_a_missing_request_or_expert_is_named_not_skipped():
    with pytest.raises(FeeError, match="使用申请 #9 不存在"):
        lines_for([request()], [assignment(rid=9)])
    with pytest.raises(FeeError, match="找不到专家 #7"):
        lines_for([request()], [assignment()], [])


# ---------------------------------------------------------------------------------------------------------------
# JC-F2 公职人员从事本单位业务不领取
# ---------------------------------------------------------------------------------------------------------------
def test_jc_f2_a_public_servant_on_own_unit_work_gets_nothing_with_the_reason():
    line = one_line(request(department="晋城市应急管理局煤矿安全监督管理科"),
                    exp=expert(unit="晋城市应急管理局", is_public_servant=True))
    assert (line.days_worked, line.days, line.amount) == (2, 0, D("0.00"))
    assert line.unpaid_reason == REASON_PUBLIC_SERVANT and line.rate_version == ""
    assert REASON_PUBLIC_SERVANT in line.working and "应发 0.00元" in line.working


def test_jc_f2_a_public_servant_on_another_units_work_is_paid():
    line = one_line(request(department="晋城市住房和城乡建设局"),
                    exp=expert(unit="晋城市应急管理局", is_public_servant=True))
    assert line.amount == D("600.00") and line.unpaid_reason is None


def test_jc_f2_own_unit_by_the_explicit_request_flag():
    line = one_line(request(department="煤矿安全监督管理科", own_unit_expert_ids=[7]),
                    exp=expert(unit="晋城市应急管理局", is_public_servant="是"))
    assert line.amount == D("0.00") and line.unpaid_reason == REASON_PUBLIC_SERVANT


def test_jc_f2_someone_not_a_public_servant_is_paid_even_for_their_own_unit():
    line = one_line(request(department="山西某煤业有限公司"), exp=expert(unit="山西某煤业有限公司"))
    assert line.amount == D("600.00")


def test_jc_f2_own_unit_matching_ignores_spaces_and_full_width_and_a_section_belongs_to_its_bureau():
    x = expert(unit="晋城市 应急管理局")
    assert is_own_unit(x, request(department="晋城市应急管理局安全技术科"))
    assert is_own_unit(x, request(department="安全技术科", unit="晋城市应急管理局"))
    assert not is_own_unit(x, request(department="煤矿安全监督管理科"))
    assert not is_own_unit(expert(unit="局"), request(department="晋城市应急管理局"))  # too short to contain


def test_jc_f2_an_unpaid_own_unit_task_does_not_use_up_the_day_for_another_task():
    reqs = [request(1, department="晋城市应急管理局"), request(2, department="晋城市自然资源局")]
    lines = lines_for(reqs, [assignment(1, 1), assignment(2, 2)], [expert(unit="晋城市应急管理局",
                                                                            is_public_servant=True)])
    assert [(ln.request_id, ln.amount) for ln in lines] == [(1, D("0.00")), (2, D("600.00"))]


# ---------------------------------------------------------------------------------------------------------------
# JC-F3 同一时间参与多项技术服务只按一项发放
# ---------------------------------------------------------------------------------------------------------------
def test_jc_f3_the_same_day_twice_is_paid_once_under_the_first_task():
    reqs = [request(1, end="2026-07-06"), request(2, end="2026-07-06")]
    first, second = lines_for(reqs, [assignment(2, 2), assignment(1, 1)])
    assert (first.request_id, first.amount, first.unpaid_reason) == (1, D("300.00"), None)
    assert (second.request_id, second.days, second.amount) == (2, 0, D("0.00"))
    assert second.unpaid_reason == REASON_OVERLAP and second.paid_under == (1,)
    assert second.unpaid_days == ("2026-07-06",) and "已在申请 #1 发放" in second.working


def test_jc_f3_partial_overlap_pays_the_shared_day_once():
    reqs = [request(1, start="2026-07-06", end="2026-07-08"), request(2, start="2026-07-08", end="2026-07-09")]
    a, b = lines_for(reqs, [assignment(1, 1), assignment(2, 2)])
    assert (a.days, a.amount) == (3, D("900.00"))
    assert (b.days_worked, b.days, b.amount, b.unpaid_days) == (2, 1, D("300.00"), ("2026-07-08",))
    assert b.unpaid_reason == REASON_OVERLAP
    assert "1天不发放（2026年7月8日）" in b.working


def test_jc_f3_the_earlier_start_wins_whatever_the_ids():
    reqs = [request(9, start="2026-07-05", end="2026-07-06"), request(1, start="2026-07-06", end="2026-07-06")]
    lines = {ln.request_id: ln for ln in lines_for(reqs, [assignment(1, 1), assignment(2, 9)])}
    assert lines[9].amount == D("600.00") and lines[1].amount == D("0.00")


def test_jc_f3_adjacent_tasks_do_not_overlap():
    reqs = [request(1, end="2026-07-07"), request(2, start="2026-07-08", end="2026-07-09")]
    assert [ln.amount for ln in lines_for(reqs, [assignment(1, 1), assignment(2, 2)])] == [D("600.00")] * 2


def test_jc_f3_different_experts_on_the_same_day_are_each_paid():
    lines = lines_for([request()], [assignment(1, expert_id=7), assignment(2, expert_id=8)], [expert(7), expert(8)])
    assert [ln.amount for ln in lines] == [D("600.00"), D("600.00")]


def test_jc_f3_a_declined_task_does_not_take_the_day():
    reqs = [request(1), request(2)]
    [line] = lines_for(reqs, [assignment(1, 1, status="已拒绝"), assignment(2, 2)])
    assert (line.request_id, line.amount) == (2, D("600.00"))


def test_yq_does_not_apply_the_jc_overlap_or_public_servant_rules_yq_f1():
    yq = with_rates(YQ, {"effective_from": date(2025, 1, 1), "daily_rate": D("500")})
    reqs = [request(1, policy_id=YQ.id, department="阳泉市应急管理局"), request(2, policy_id=YQ.id)]
    lines = lines_for(reqs, [assignment(1, 1), assignment(2, 2)], [expert(unit="阳泉市应急管理局",
                                                                            is_public_servant=True)], yq)
    assert [ln.amount for ln in lines] == [D("1000.00"), D("1000.00")]


# ---------------------------------------------------------------------------------------------------------------
# 标准版本：中途调标准分段计价；新版本加入后旧报酬照样复算
# ---------------------------------------------------------------------------------------------------------------
def test_jc_f1_a_rate_change_mid_task_splits_the_days_by_version():
    line = one_line(request(start="2026-12-30", end="2027-01-02", outside_city=True), policy=JC_2027)
    assert [(p.rate_version, p.days, p.day_rate) for p in line.parts] == [
        ("2026-06-05", 2, D("300.00")), ("2027-01-01", 2, D("320.00"))]
    assert line.amount == 2 * D("500") + 2 * D("560")
    assert line.rate_version == "2026-06-05、2027-01-01" and line.day_rate is None
    assert "（2026年6月5日起标准）" in line.working and "（2027年1月1日起标准）" in line.working
    assert "合计 2,120.00元" in line.working


def test_jc_f1_a_past_fee_reproduces_after_a_new_version_is_added():
    before = one_line(request(start="2026-11-02", end="2026-11-04", outside_city=True), policy=JC)
    after = one_line(request(start="2026-11-02", end="2026-11-04", outside_city=True), policy=JC_2027)
    assert before == after and after.amount == D("1500.00") and after.rate_version == "2026-06-05"
    assert one_line(request(start="2027-03-01", end="2027-03-01"), policy=JC_2027).amount == D("320.00")


def test_a_version_without_cross_city_amounts_refuses_an_outside_city_task():
    no_travel = with_rates(JC, {"effective_from": date(2027, 1, 1), "daily_rate": D("300")})
    assert one_line(request(start="2027-02-01", end="2027-02-01"), policy=no_travel).amount == D("300.00")
    with pytest.raises(FeeError, match="跨市住宿费和伙食补助费标准未设置"):
        one_line(request(start="2027-02-01", end="2027-02-01", outside_city=True), policy=no_travel)


# ---------------------------------------------------------------------------------------------------------------
# YQ-F1 阳泉标准由本地设置
# ---------------------------------------------------------------------------------------------------------------
def test_yq_f1_without_local_rates_the_fee_is_refused_not_left_blank():
    with pytest.raises(FeeError, match="^阳泉市劳务报酬标准由本地设置，请先在政策中填写"):
        one_line(request(policy_id=YQ.id), policy=YQ)
    with pytest.raises(FeeError, match="阳泉市劳务报酬标准由本地设置"):
        estimate_request_fee(request(policy_id=YQ.id), 2, YQ)


def test_yq_f1_once_set_locally_the_rates_are_used():
    yq = with_rates(YQ, {"effective_from": date(2026, 1, 1), "daily_rate": D("800"), "set_locally": True,
                         "note": "按实施办法由本地设置"})
    line = one_line(request(policy_id=YQ.id), policy=yq)
    assert line.amount == D("1600.00") and line.rate_version == "2026-01-01"


def test_policies_by_id_are_picked_per_request():
    yq = with_rates(YQ, {"effective_from": date(2026, 1, 1), "daily_rate": D("800")})
    reqs = [request(1), request(2, policy_id=YQ.id, start="2026-08-03", end="2026-08-03")]
    lines = lines_for(reqs, [assignment(1, 1), assignment(2, 2)], policy={JC.id: JC, YQ.id: yq})
    assert [(ln.policy_id, ln.amount) for ln in lines] == [(JC.id, D("600.00")), (YQ.id, D("800.00"))]


# ---------------------------------------------------------------------------------------------------------------
# 期间与明细表
# ---------------------------------------------------------------------------------------------------------------
def _year_of_work():
    reqs = [request(1, "2026-07-06", "2026-07-07", department="煤矿安全监督管理科"),
            request(2, "2026-07-07", "2026-07-08", department="危险化学品安全监督管理科", outside_city=True),
            request(3, "2026-12-31", "2027-01-01", department="煤矿安全监督管理科"),
            request(4, "2027-02-01", "2027-02-01", department="危险化学品安全监督管理科")]
    asgs = [assignment(1, 1, 7), assignment(2, 1, 8), assignment(3, 2, 7), assignment(4, 3, 8), assignment(5, 4, 7)]
    return reqs, asgs, [expert(7), expert(8)]


def test_a_line_belongs_to_the_period_of_its_end_day():
    reqs, asgs, exps = _year_of_work()
    y2026 = lines_for(reqs, asgs, exps, period=2026)
    y2027 = lines_for(reqs, asgs, exps, period=("2027-01-01", "2027-12-31"))
    assert [ln.assignment_id for ln in y2026] == [1, 2, 3]
    assert [ln.assignment_id for ln in y2027] == [4, 5]
    everything = lines_for(reqs, asgs, exps)
    assert sum(ln.amount for ln in y2026 + y2027) == sum(ln.amount for ln in everything)


def test_the_overlap_is_decided_before_the_period_filter():
    reqs, asgs, exps = _year_of_work()
    [line] = [ln for ln in lines_for(reqs, asgs, exps, period=2026) if ln.request_id == 2]
    assert line.days == 1 and line.paid_under == (1,)  # 7月7日 paid under request 1


def test_a_bad_period_is_refused():
    with pytest.raises(DomainError, match="早于起始日期"):
        period_of(("2026-12-31", "2026-01-01"))
    assert period_of(2026) == (date(2026, 1, 1), date(2026, 12, 31)) and period_of(None) is None


def test_statements_by_task_expert_and_department_total_the_lines():
    reqs, asgs, exps = _year_of_work()
    lines = lines_for(reqs, asgs, exps)
    by_task = statement_by_task(lines, period=2026)
    assert [(r.key, r.experts, r.days, r.amount) for r in by_task.rows] == [
        (1, 2, 4, D("1200.00")), (2, 1, 1, D("500.00"))]          # request 3 ends on 2027-01-01
    assert by_task.total.amount == D("1700.00") and by_task.total.tasks == 2 and by_task.total.label == "合计"
    assert by_task.rows[0].label == "某煤矿通风检查1"
    by_expert = statement_by_expert(lines)
    assert [(r.key, r.label, r.tasks, r.amount) for r in by_expert.rows] == [
        (7, "专家7", 3, D("1400.00")), (8, "专家8", 2, D("1200.00"))]
    by_dept = statement_by_department(lines)
    assert [(r.key, r.amount) for r in by_dept.rows] == [
        ("危险化学品安全监督管理科", D("800.00")), ("煤矿安全监督管理科", D("1800.00"))]
    assert by_dept.total.amount == by_expert.total.amount == sum(ln.amount for ln in lines)
    assert (by_dept.total.lodging, by_dept.total.meals) == (D("150.00"), D("50.00"))


def test_an_empty_statement_has_a_zero_total():
    s = statement_by_expert([], period=2026)
    assert s.rows == () and s.total.amount == D("0.00") and s.total.lines == 0


def test_a_line_and_a_row_serialise_to_plain_json_values():
    line = one_line(request(outside_city=True))
    d = line.to_dict()
    assert d["amount"] == "1000.00" and d["rate_version"] == "2026-06-05" and d["parts"][0]["day_rate"] == "300.00"
    assert statement_by_task([line]).total.to_dict()["amount"] == "1000.00"


# ---------------------------------------------------------------------------------------------------------------
# JC-F4 预算：先预算后支出，严禁无预算或超预算
# ---------------------------------------------------------------------------------------------------------------
def status(budget="3000", committed="1000", paid="500") -> BudgetStatus:
    return BudgetStatus("煤矿安全监督管理科", 2026, D(budget), D(committed), D(paid))


def test_jc_f4_the_estimate_is_experts_times_days_times_the_rate_including_travel():
    assert estimate_request_fee(request(), None, JC) == D("1200.00")            # 2 experts × 2 days × 300
    assert estimate_request_fee(request(outside_city=True), 3, JC) == D("3000.00")  # 3 × 2 × 500
    with_external = request(external_experts=[{"name": "王五"}])
    assert estimate_request_fee(with_external, None, JC) == D("1800.00")
    assert estimate_request_fee(request(start="2026-12-31", end="2027-01-01"), 1, JC_2027) == D("620.00")


def test_jc_f4_a_dispatch_exactly_using_up_the_budget_is_allowed():
    assert status().left == D("1500.00")
    check_budget(D("1500.00"), status())


def test_jc_f4_one_cent_over_the_budget_is_refused_saying_by_how_much():
    with pytest.raises(DomainError) as info:
        check_budget(D("1500.01"), status())
    assert str(info.value) == ("超出预算：预算剩余1,500.00元，本次预计1,500.01元，超出0.01元"
                               "（第十八条 严禁无预算或超预算支出）")


def test_jc_f4_no_budget_set_means_no_dispatch():
    with pytest.raises(DomainError, match="尚未设置本科室本年度的专家劳务报酬预算"):
        check_budget(D("300"), None)


def test_jc_f4_budget_status_counts_approved_unpaid_as_committed_and_paid_lines_as_paid():
    reqs = [request(1, status="已委派"),                                  # paid below
            request(2, status="已审批", estimated_fee="900.00"),           # committed, stored estimate
            request(3, status="待补批", outside_city=True),                # committed, estimated: 2 × 2 × 500
            request(4, status="待审批"), request(5, status="已撤回"),      # not yet / never approved
            request(6, status="已审批", department="危险化学品安全监督管理科"),
            request(7, "2027-01-04", "2027-01-05", status="已审批")]      # another year
    lines = lines_for(reqs, [assignment(1, 1)])
    st = budget_status("煤矿安全监督管理科", 2026, "5000", reqs, lines, JC, paid_request_ids=[1])
    assert (st.budget, st.committed, st.paid, st.left) == (D("5000.00"), D("2900.00"), D("600.00"), D("1500.00"))
    again = budget_status("煤矿安全监督管理科", 2026, "5000", reqs, lines, JC, paid_request_ids=[1],
                          exclude_request_id=3)
    assert again.committed == D("900.00")
    assert st.to_dict()["left"] == "1500.00"


def test_jc_f4_a_budget_below_what_is_committed_and_paid_is_refused():
    assert check_budget_amount("3,500", D("3500.00")) == D("3500.00")
    with pytest.raises(DomainError, match="^预算不能低于已承诺和已支付的金额：已承诺和已支付共3,500.00元"):
        check_budget_amount("3499.99", D("3500.00"))
    with pytest.raises(DomainError, match="预算不能为负数"):
        check_budget_amount("-1", D("0"))
    with pytest.raises(DomainError, match="预算应为金额"):
        check_budget_amount("很多", D("0"))

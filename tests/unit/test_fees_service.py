"""劳务报酬与预算 through the services on an in-memory store (services/fees.py, the budget check in
services/dispatch.approve) — JC-F1, JC-F2, JC-F3, JC-F4, YQ-F1.

Tasks are made the real way (申请 → 审批 → 抽取 → 接受) and then finished by writing 已完成 and the days worked, as
the service-evaluation step does. Budgets: the clock is 2026-11-25, tasks start in December 2026.
"""
from decimal import Decimal

import pytest

from core import vocab
from core.errors import DomainError, PermissionDenied, ValidationError
from core.fees import FeeError
from services import dispatch, experts, fees, settings
from services.context import User
from tests.conftest import ADMIN, LEADER, OFFICE
from tests.factories import make_expert, seed_expert

COAL = "煤矿安全监管综合科"
CHEM = "危险化学品安全监督管理科"
COAL_USER = User("coal", "科室丙", vocab.ROLE_DEPARTMENT, COAL)
CHEM_USER = User("chem", "科室戊", vocab.ROLE_DEPARTMENT, " 危险化学品 安全监督管理科")  # spaces are ignored
SPEC = "1.3"
D = Decimal


def pool(ctx, n=6):
    policy = settings.active_policy(ctx)
    return [seed_expert(ctx, OFFICE, make_expert(policy, specialties=[SPEC], state="在库",
                                                           term_start="2025-01-01", term_end="2028-12-31",
                                                           unit=f"某单位{i}")) for i in range(n)]


def ask(ctx, department=COAL, count=2, start="2026-12-01", end="2026-12-03", **extra):
    data = {"department": department, "contact": "张三", "contact_phone": "13900000000", "matter": "煤矿通风系统专项检查",
            "task_type": settings.active_policy(ctx).drawing.task_types[0], "target_enterprises": ["某煤业公司"],
            "place": "泽州县", "outside_city": False, "start": start, "end": end,
            "needs": [{"specialty": SPEC, "count": count}], "min_title_level": None, "mode": "抽取",
            "emergency": False, "external_experts": []}
    data.update(extra)
    return dispatch.file_request(ctx, OFFICE, data)[0]


def dispatched(ctx, **kw):
    request_id = ask(ctx, **kw)
    dispatch.approve(ctx, LEADER, request_id, "同意")
    dispatch.draw(ctx, OFFICE, request_id)
    for a in dispatch.assignments_of(ctx, request_id):
        dispatch.answer(ctx, OFFICE, a["id"], accepted=True, channel="电话")
    return request_id


def finish(ctx, request_id, days=None):
    """已完成 with the days worked (what services.evaluations.complete_task records)."""
    for a in dispatch.assignments_of(ctx, request_id):
        if a["status"] == "已接受":
            changes = {"status": "已完成"} if days is None else {"status": "已完成", "days_worked": days}
            ctx.store.collection("assignments").update(a["id"], changes, actor="office", action="任务完成")
    ctx.store.collection("requests").update(request_id, {"status": "已完成", "completed_on": "2026-12-04"},
                                            actor="office", action="任务完成")
    return request_id


@pytest.fixture
def budgets(ctx):
    fees.set_budget(ctx, OFFICE, COAL, 2026, 100_000)
    fees.set_budget(ctx, OFFICE, CHEM, 2026, 100_000)


# ---------------------------------------------------------------------------------------------------------------
# statements
# ---------------------------------------------------------------------------------------------------------------
def test_jc_f1_a_finished_task_pays_days_times_300_with_the_rate_version_recorded(ctx, budgets):
    pool(ctx)
    request_id = finish(ctx, dispatched(ctx))
    found = fees.lines(ctx, OFFICE, 2026)
    assert [(ln.request_id, ln.days, ln.amount) for ln in found] == [(request_id, 3, D("900.00"))] * 2
    assert all(ln.rate_version == "2026-06-05" for ln in found)
    assert "3天 × 300.00元 = 900.00元（2026年6月5日起标准）" == found[0].working


@pytest.mark.parametrize("kind", ["task", "expert", "department"])
def test_statement_totals_equal_the_sum_of_the_lines_jc_f1(ctx, budgets, kind):
    pool(ctx)
    finish(ctx, dispatched(ctx))
    finish(ctx, dispatched(ctx, department=CHEM, start="2026-12-10", end="2026-12-11"), days=1)
    found = fees.lines(ctx, OFFICE, 2026)
    stmt = fees.statement(ctx, OFFICE, kind, 2026)
    assert stmt.total.amount == sum(ln.amount for ln in found) == D("2400.00")
    assert sum(r.amount for r in stmt.rows) == stmt.total.amount
    assert stmt.total.lines == len(found) == 4


def test_a_department_sees_only_its_own_departments_fees(ctx, budgets):
    pool(ctx)
    coal = finish(ctx, dispatched(ctx))
    chem = finish(ctx, dispatched(ctx, department=CHEM, start="2026-12-10", end="2026-12-11"))
    assert {ln.request_id for ln in fees.lines(ctx, COAL_USER, 2026)} == {coal}
    assert {ln.request_id for ln in fees.lines(ctx, CHEM_USER, 2026)} == {chem}
    assert [r.key for r in fees.statement(ctx, CHEM_USER, "department", 2026).rows] == [CHEM]
    assert [r.status.department for r in fees.budget_report(ctx, 2026, CHEM_USER)] == [CHEM]


def test_a_period_takes_the_lines_ending_in_it(ctx, budgets):
    pool(ctx)
    finish(ctx, dispatched(ctx))
    assert fees.lines(ctx, OFFICE, ("2026-12-04", "2026-12-31")) == []
    assert len(fees.lines(ctx, OFFICE, ("2026-12-03", "2026-12-03"))) == 2


def test_an_unknown_statement_kind_is_refused_in_chinese(ctx):
    with pytest.raises(ValidationError, match="汇总方式"):
        fees.statement(ctx, OFFICE, "month", 2026)


def test_yq_f1_without_local_rates_every_amount_is_refused_with_a_chinese_message(ctx):
    settings.set_active_policy(ctx, ADMIN, "yangquan-2024")
    for call in (lambda: fees.lines(ctx, OFFICE, 2026), lambda: fees.statement(ctx, OFFICE, "task", 2026),
                 lambda: fees.statement_xlsx(ctx, OFFICE, "task", 2026),
                 lambda: fees.statement_docx(ctx, OFFICE, "expert", 2026)):
        with pytest.raises(FeeError, match="阳泉市劳务报酬标准由本地设置，请先在政策中填写"):
            call()
    assert "由本地设置" in fees.rates_problem(settings.active_policy(ctx), ctx.today())
    assert fees.rates_problem(ctx.policies["jincheng-2026"], ctx.today()) is None


def test_yq_approval_has_no_budget_check_yq_f1(ctx):
    settings.set_active_policy(ctx, ADMIN, "yangquan-2024")
    policy = settings.active_policy(ctx)
    spec = policy.taxonomy.all_specialty_codes()[0]
    seed_expert(ctx, OFFICE, make_expert(policy, specialties=[spec], state="在库", term_start="2025-01-01",
                                                   term_end="2027-12-31", unit="单位甲"))
    request_id = dispatch.file_request(ctx, OFFICE, {
        "department": "安监科", "contact": "李四", "matter": "安全检查", "task_type": "安全生产",
        "target_enterprises": [], "start": "2026-12-01", "end": "2026-12-01",
        "needs": [{"specialty": spec, "count": 1}], "mode": "抽取", "emergency": False})[0]
    saved = dispatch.approve(ctx, OFFICE, request_id, "同意")
    assert saved["status"] == "已审批" and "estimated_fee" not in saved


def test_only_those_who_may_view_fees_get_them(ctx):
    with pytest.raises(PermissionDenied):
        fees.lines(ctx, User("x", "某人", "专家", ""), 2026)


# ---------------------------------------------------------------------------------------------------------------
# budgets and the approval check (JC-F4)
# ---------------------------------------------------------------------------------------------------------------
def test_jc_f4_approval_stores_the_estimated_fee(ctx, budgets):
    pool(ctx)
    request_id = ask(ctx)
    saved = dispatch.approve(ctx, LEADER, request_id, "同意")
    assert saved["estimated_fee"] == "1800.00"  # 2 experts × 3 days × 300
    status = fees.budget_status_of(ctx, COAL, 2026)
    assert (status.committed, status.paid, status.left) == (D("1800.00"), D("0.00"), D("98200.00"))


def test_jc_f4_approval_beyond_the_budget_left_is_refused_saying_by_how_much_and_nothing_saved(ctx):
    pool(ctx)
    fees.set_budget(ctx, OFFICE, COAL, 2026, 1000)
    request_id = ask(ctx)
    before = ctx.store.collection("requests").get(request_id)
    with pytest.raises(DomainError) as err:
        dispatch.approve(ctx, LEADER, request_id, "同意")
    assert err.value.message == ("超出预算：预算剩余1,000.00元，本次预计1,800.00元，超出800.00元"
                                 "（第十八条 严禁无预算或超预算支出）")
    assert ctx.store.collection("requests").get(request_id) == before


def test_jc_f4_a_department_without_a_budget_cannot_be_approved(ctx):
    pool(ctx)
    request_id = ask(ctx)
    with pytest.raises(DomainError, match="尚未设置本科室本年度的专家劳务报酬预算"):
        dispatch.approve(ctx, LEADER, request_id, "同意")
    assert dispatch.request(ctx, request_id)["approval"] is None


def test_jc_f4_exactly_the_budget_left_is_allowed_and_the_next_one_refused(ctx):
    pool(ctx)
    fees.set_budget(ctx, OFFICE, COAL, 2026, 1800)
    first = ask(ctx)
    dispatch.approve(ctx, LEADER, first, "同意")
    second = ask(ctx, start="2026-12-10", end="2026-12-10")
    with pytest.raises(DomainError, match="超出600.00元"):
        dispatch.approve(ctx, LEADER, second, "同意")


def test_jc_f4_an_after_the_fact_approval_does_not_count_the_emergency_twice(ctx):
    pool(ctx)
    fees.set_budget(ctx, OFFICE, COAL, 2026, 1800)
    urgent = ask(ctx, emergency=True)
    dispatch.draw(ctx, OFFICE, urgent)
    assert dispatch.request(ctx, urgent)["status"] == "待补批"
    saved = dispatch.approve(ctx, LEADER, urgent, "同意（补批）")
    assert saved["approval"]["after_the_fact"] and saved["estimated_fee"] == "1800.00"
    assert fees.budget_status_of(ctx, COAL, 2026).left == D("0.00")


def test_jc_f4_a_budget_below_what_is_committed_is_refused_and_nothing_saved(ctx, budgets):
    pool(ctx)
    dispatch.approve(ctx, LEADER, ask(ctx), "同意")
    before = ctx.store.collection("budgets").all()
    with pytest.raises(DomainError, match="预算不能低于已承诺和已支付的金额：已承诺和已支付共1,800.00元"):
        fees.set_budget(ctx, OFFICE, COAL, 2026, 1799)
    assert ctx.store.collection("budgets").all() == before
    fees.set_budget(ctx, OFFICE, COAL, 2026, "1,800")
    assert fees.budget_record(ctx, COAL, 2026)["amount"] == "1800.00"


@pytest.mark.parametrize("amount, message", [(-1, "不能为负数"), ("一万", "应为金额"), ("12.345", "两位小数"),
                                             (None, "应为金额")])
def test_jc_f4_a_negative_or_non_number_budget_is_refused_and_nothing_saved(ctx, amount, message):
    with pytest.raises(DomainError, match=message):
        fees.set_budget(ctx, OFFICE, COAL, 2026, amount)
    assert ctx.store.collection("budgets").all() == []


@pytest.mark.parametrize("department, year, message", [("", 2026, "使用科室"), (COAL, "明年", "年度"),
                                                       (COAL, 1999, "2000")])
def test_a_budget_needs_a_department_and_a_year(ctx, department, year, message):
    with pytest.raises(ValidationError, match=message):
        fees.set_budget(ctx, OFFICE, department, year, 1000)
    assert ctx.store.collection("budgets").all() == []


def test_setting_a_budget_again_changes_the_one_record(ctx):
    fees.set_budget(ctx, OFFICE, COAL, 2026, 1000, "年初预算")
    fees.set_budget(ctx, OFFICE, " 煤矿安全 监管综合科", 2026, 5000, "追加")
    [record] = fees.budgets(ctx, 2026)
    assert (record["amount"], record["note"], record["department"]) == ("5000.00", "追加", COAL)
    assert len(ctx.store.audit.entries(collection="budgets")) == 2


def test_only_budget_managers_set_budgets_or_mark_payments(ctx):
    for who in (COAL_USER, LEADER):
        with pytest.raises(PermissionDenied):
            fees.set_budget(ctx, who, COAL, 2026, 1000)
        with pytest.raises(PermissionDenied):
            fees.mark_paid(ctx, who, 1, "凭证1")


def test_the_budget_report_shows_budget_committed_paid_and_left_per_department(ctx, budgets):
    pool(ctx)
    finish(ctx, dispatched(ctx))
    dispatch.approve(ctx, LEADER, ask(ctx, department=CHEM, start="2026-12-10", end="2026-12-10"), "同意")
    report = {r.status.department: r.to_dict() for r in fees.budget_report(ctx, 2026)}
    assert report[COAL] == {"department": COAL, "year": 2026, "budget": "100000.00", "committed": "1800.00",
                            "paid": "0.00", "left": "98200.00", "has_budget": True, "note": ""}
    assert (report[CHEM]["committed"], report[CHEM]["left"]) == ("600.00", "99400.00")


# ---------------------------------------------------------------------------------------------------------------
# payment
# ---------------------------------------------------------------------------------------------------------------
def test_mark_paid_moves_the_task_from_committed_to_paid_with_its_actual_fee(ctx, budgets):
    pool(ctx)
    request_id = finish(ctx, dispatched(ctx), days=2)
    assert [(r["id"], r["fee"]) for r in fees.payable(ctx, OFFICE)] == [(request_id, "1200.00")]
    before = fees.budget_status_of(ctx, COAL, 2026)
    assert (before.committed, before.paid) == (D("1200.00"), D("0.00"))  # the actual fee once the days are in (estimate was 1800)
    saved = fees.mark_paid(ctx, OFFICE, request_id, "财付〔2026〕12号")
    assert saved["paid"] == {"on": "2026-11-25", "by": "办公室乙", "amount": "1200.00", "voucher": "财付〔2026〕12号"}
    after = fees.budget_status_of(ctx, COAL, 2026)
    assert (after.committed, after.paid, after.left) == (D("0.00"), D("1200.00"), D("98800.00"))
    assert fees.payable(ctx, OFFICE) == [] and [r["id"] for r in fees.paid_tasks(ctx, OFFICE)] == [request_id]


def test_only_a_finished_unpaid_task_with_a_voucher_is_marked_paid(ctx, budgets):
    pool(ctx)
    open_task = dispatched(ctx)
    with pytest.raises(ValidationError, match="只有已完成的任务"):
        fees.mark_paid(ctx, OFFICE, open_task, "凭证1")
    finish(ctx, open_task)
    with pytest.raises(ValidationError, match="报销凭证号"):
        fees.mark_paid(ctx, OFFICE, open_task, "  ")
    assert "paid" not in dispatch.request(ctx, open_task)
    fees.mark_paid(ctx, OFFICE, open_task, "凭证1")
    with pytest.raises(ValidationError, match="已于2026-11-25登记支付"):
        fees.mark_paid(ctx, OFFICE, open_task, "凭证2")


def test_a_paid_amount_is_fixed_at_payment_and_not_recomputed_later(ctx, budgets):
    """The budget counts what was paid (a later change to the task records does not move money already paid)."""
    pool(ctx)
    request_id = finish(ctx, dispatched(ctx))
    fees.mark_paid(ctx, OFFICE, request_id, "凭证1")
    for a in dispatch.assignments_of(ctx, request_id):
        ctx.store.collection("assignments").update(a["id"], {"days_worked": 1}, actor="t", action="更正天数")
    assert fees.request_fee(ctx, request_id) == D("600.00")
    assert fees.budget_status_of(ctx, COAL, 2026).paid == D("1800.00")


def test_the_sample_form_context_serves_only_the_fee_statement(ctx):
    jc = ctx.policies["jincheng-2026"]
    assert fees.sample_form_context(jc, "jc_fj8", ctx.today()) is None
    context, images = fees.sample_form_context(jc, "jc_fee_statement", ctx.today())
    assert context["title"] == "晋城市安全生产和应急管理专家劳务报酬结算表" and images == {}
    yq = ctx.policies["yangquan-2024"]
    context, _ = fees.sample_form_context(yq, "yq_fee_statement", ctx.today())
    assert all(r.startswith("【示例标准，仅用于检查模板") for r in context["rates"])

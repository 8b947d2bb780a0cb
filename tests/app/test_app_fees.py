"""AppTest: 劳务报酬 page (pages/fees.py) — statement with working and downloads, budget report and editing, payment
record; a 使用科室 sees only its department; 阳泉 without local rates shows the message instead of amounts.
JC-F1, JC-F4, YQ-F1."""
from datetime import timedelta

from core import vocab
from services import dispatch, experts, fees, settings
from services.context import build_context
from tests.app.conftest import build_download, click, logged_in, offered_downloads, texts
from tests.conftest import ADMIN, LEADER, OFFICE
from tests.factories import make_expert, seed_expert

SPEC = "1.3"
COAL = "煤矿安全监管综合科"
CHEM = "危险化学品安全监督管理科"


def task_day(ctx):
    return ctx.today() + timedelta(days=3)


def other_day(ctx):
    """Another future day in the same year as task_day (a finished task no longer holds its expert's dates)."""
    later = task_day(ctx) + timedelta(days=1)
    return later if later.year == task_day(ctx).year else task_day(ctx) - timedelta(days=1)


def finished_task(ctx, department=COAL, day=None):
    """申请 → 审批 → 抽取 → 接受 → 已完成 (as the service-evaluation step records it): one expert, one day."""
    day = day or task_day(ctx)
    policy = settings.active_policy(ctx)
    if not ctx.store.collection("experts").all():
        for i in range(4):
            seed_expert(ctx, OFFICE, make_expert(policy, specialties=[SPEC], state="在库",
                                                           term_start="2025-01-01", term_end="2099-12-31",
                                                           unit=f"某单位{i}"))
    for dept in (COAL, CHEM):
        if fees.budget_record(ctx, dept, day.year) is None:
            fees.set_budget(ctx, OFFICE, dept, day.year, 100_000)
    request_id = dispatch.file_request(ctx, OFFICE, {
        "department": department, "contact": "张三", "matter": f"{department}专项检查",
        "task_type": policy.drawing.task_types[0], "target_enterprises": ["某煤业"], "start": day.isoformat(),
        "end": day.isoformat(), "needs": [{"specialty": SPEC, "count": 1}], "mode": "抽取", "emergency": False})[0]
    dispatch.approve(ctx, LEADER, request_id, "同意")
    dispatch.draw(ctx, OFFICE, request_id)
    for a in dispatch.assignments_of(ctx, request_id):
        dispatch.answer(ctx, OFFICE, a["id"], accepted=True, channel="电话")
        ctx.store.collection("assignments").update(a["id"], {"status": "已完成"}, actor="t", action="任务完成")
    ctx.store.collection("requests").update(request_id, {"status": "已完成"}, actor="t", action="任务完成")
    return request_id


def table(at, column):
    """The value (a DataFrame) of the first table on the page with this column."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert found, f"no table with column {column!r}"
    return found[0]


def fees_page(ctx, role=vocab.ROLE_ADMIN, department=""):
    """The page, with the year of the tasks chosen (the default is this year)."""
    at = logged_in(role, page="pages/fees.py", department=department)
    at.number_input(key="fees_year").set_value(task_day(ctx).year).run()
    return at


def test_the_office_sees_the_statement_with_its_working_and_downloads_jc_f1(app_ctx):
    finished_task(app_ctx)
    at = fees_page(app_ctx)
    assert not at.exception
    rows = table(at, "计酬天数")
    assert list(rows["合计"]) == ["300.00", "300.00"]  # 1 expert × 1 day × 300, and the total row
    assert offered_downloads(at) == ["生成 Excel 明细", "生成劳务报酬结算表（Word）"]
    build_download(at, "下载 Excel 明细")
    build_download(at, "下载劳务报酬结算表（Word）")
    at.radio(key="fees_kind").set_value("expert").run()
    assert not at.exception and list(table(at, "计酬天数")["合计"]) == ["300.00", "300.00"]


def test_a_department_sees_only_its_own_department(app_ctx):
    finished_task(app_ctx)
    finished_task(app_ctx, department=CHEM, day=other_day(app_ctx))
    at = fees_page(app_ctx, vocab.ROLE_DEPARTMENT, department=CHEM)
    assert not at.exception
    rows = table(at, "计酬天数")
    assert list(rows.iloc[:, 0]) == [f"{CHEM}专项检查", "合计"] and list(rows["合计"]) == ["300.00", "300.00"]
    budget = table(at, "已承诺")
    assert list(budget["使用科室（单位）"]) == [CHEM]
    assert "保存预算" not in [b.label for b in at.button] and "登记已支付" not in [b.label for b in at.button]


def test_the_office_sets_a_budget_on_the_page_jc_f4(app_ctx, data_dir):
    at = fees_page(app_ctx)
    at.text_input(key="fees_budget_department").input(COAL)
    at.text_input(key="fees_budget_amount").input("50,000")
    click(at, "保存预算")
    assert not at.exception
    year = task_day(app_ctx).year
    assert fees.budget_record(build_context(data_dir), COAL, year)["amount"] == "50000.00"
    assert COAL in list(table(at, "已承诺")["使用科室（单位）"])


def test_a_budget_below_what_is_committed_is_refused_on_the_page_and_nothing_saved(app_ctx, data_dir):
    finished_task(app_ctx)  # 300 committed (estimated) under a 100,000 budget
    at = fees_page(app_ctx)
    at.text_input(key="fees_budget_department").input(COAL)
    at.text_input(key="fees_budget_amount").input("100")
    click(at, "保存预算")
    assert "预算不能低于已承诺和已支付的金额" in texts(at)
    assert fees.budget_record(build_context(data_dir), COAL, task_day(app_ctx).year)["amount"] == "100000.00"


def test_the_office_marks_a_finished_task_paid_and_the_budget_moves(app_ctx, data_dir):
    request_id = finished_task(app_ctx)
    at = fees_page(app_ctx)
    assert list(table(at, "应付（元）")["应付（元）"]) == ["300.00"]
    at.text_input(key="fees_pay_voucher").input("财付001")
    click(at, "登记已支付")
    assert not at.exception
    ctx = build_context(data_dir)
    assert ctx.store.collection("requests").get(request_id)["paid"]["amount"] == "300.00"
    status = fees.budget_status_of(ctx, COAL, task_day(ctx).year)
    assert (str(status.committed), str(status.paid)) == ("0.00", "300.00")


def test_yangquan_without_local_rates_shows_the_message_instead_of_amounts_yq_f1(app_ctx):
    settings.set_active_policy(app_ctx, ADMIN, "yangquan-2024")
    at = logged_in(page="pages/fees.py")
    assert not at.exception
    assert any("阳泉市劳务报酬标准由本地设置，请先在政策中填写" in w.value for w in at.warning)
    assert not at.get("download_button") and not offered_downloads(at)


def test_a_leader_sees_fees_and_budgets_but_cannot_change_them(app_ctx):
    finished_task(app_ctx)
    at = fees_page(app_ctx, vocab.ROLE_LEADER)
    assert not at.exception
    assert sorted(table(at, "已承诺")["使用科室（单位）"]) == sorted([COAL, CHEM])
    assert {"保存预算", "登记已支付"}.isdisjoint(b.label for b in at.button)

"""AppTest: 使用申请, 使用审批, 抽取委派 pages."""
from datetime import date

from core import vocab
from services import dispatch, experts, fees, settings
from services.context import build_context
from tests.app.conftest import click, logged_in, texts
from tests.conftest import LEADER, OFFICE
from tests.factories import make_expert

SPEC = "1.3"


def pool(ctx, n=4):
    fees.set_budget(ctx, OFFICE, "煤矿安全监管综合科", 2026, 1_000_000)  # JC 第十八条: approval needs a budget
    policy = settings.active_policy(ctx)
    return [experts.create_expert(ctx, OFFICE, make_expert(policy, specialties=[SPEC], state="在库",
                                                           term_start="2025-01-01", term_end="2028-12-31",
                                                           unit=f"某单位{i}")) for i in range(n)]


def filed(ctx, emergency=False):
    return dispatch.file_request(ctx, OFFICE, {
        "department": "煤矿安全监管综合科", "contact": "张三", "matter": "通风专项检查",
        "task_type": settings.active_policy(ctx).drawing.task_types[0], "target_enterprises": ["某煤业"],
        "start": "2026-12-01", "end": "2026-12-02", "needs": [{"specialty": SPEC, "count": 2}], "mode": "抽取",
        "emergency": emergency})[0]


def test_a_department_files_a_request_from_the_page_yq_d5(app_ctx, data_dir):
    pool(app_ctx)
    at = logged_in(vocab.ROLE_DEPARTMENT, page="pages/requests.py", department="煤矿安全监管综合科")
    assert not at.exception
    at.text_area(key="requests_matter").input("通风系统专项检查")
    at.date_input(key="requests_start").set_value(date(2026, 12, 1))
    at.date_input(key="requests_end").set_value(date(2026, 12, 2))
    at.multiselect(key="requests_specs").set_value([SPEC]).run()
    at.button(key="requests_submit").click().run()
    assert not at.exception
    saved = build_context(data_dir).store.collection("requests").all()
    assert [r["department"] for r in saved] == ["煤矿安全监管综合科"]


def test_a_request_ending_before_it_starts_is_refused_on_the_page(app_ctx, data_dir):
    pool(app_ctx)
    at = logged_in(page="pages/requests.py")
    at.text_input(key="requests_department").input("煤矿科")
    at.text_area(key="requests_matter").input("检查")
    at.date_input(key="requests_start").set_value(date(2026, 12, 3))
    at.date_input(key="requests_end").set_value(date(2026, 12, 1))
    at.multiselect(key="requests_specs").set_value([SPEC]).run()
    at.button(key="requests_submit").click().run()
    assert "结束" in texts(at)
    assert build_context(data_dir).store.collection("requests").all() == []


def test_a_leader_approves_on_the_page_jc_d2(app_ctx, data_dir):
    pool(app_ctx)
    request_id = filed(app_ctx)
    at = logged_in(vocab.ROLE_LEADER, page="pages/approvals.py")
    assert not at.exception
    click(at, "同意")
    assert build_context(data_dir).store.collection("requests").get(request_id)["approval"]["level"] == "分管领导"


def test_the_office_draws_and_records_a_decline_then_verifies_x_d2(app_ctx, data_dir):
    pool(app_ctx)
    request_id = filed(app_ctx)
    dispatch.approve(app_ctx, LEADER, request_id, "同意")
    at = logged_in(page="pages/drawing.py")
    assert not at.exception
    click(at, "随机抽取")
    assert not at.exception
    first = dispatch.assignments_of(build_context(data_dir), request_id)[0]
    at.radio(key=f"drawing_verdict_{first['id']}").set_value("拒绝")
    at.text_input(key=f"drawing_why_{first['id']}").input("外地出差")
    form_button = [b for b in at.button if b.label == "记录答复"][0]  # the first invitation's form
    form_button.click().run()
    assert not at.exception
    ctx = build_context(data_dir)
    assert [a["status"] for a in dispatch.assignments_of(ctx, request_id)] == ["已拒绝", "邀请中", "邀请中"]
    at.button(key="drawing_verify").click().run()
    assert any("复核一致" in s.value for s in at.success)


def test_the_drawing_page_offers_the_dispatch_forms(app_ctx):
    pool(app_ctx)
    request_id = filed(app_ctx)
    dispatch.approve(app_ctx, LEADER, request_id, "同意")
    dispatch.draw(app_ctx, OFFICE, request_id)
    at = logged_in(page="pages/drawing.py")
    labels = [b.label for b in at.get("download_button")]
    assert "下载服务派遣审批单（附件7）" in labels and "下载抽取记录单" in labels

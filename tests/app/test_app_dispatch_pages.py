"""AppTest: 使用申请, 使用审批, 抽取委派 pages."""
from datetime import date

from core import vocab
from services import dispatch, experts, fees, settings
from services.context import build_context
from tests.app.conftest import build_download, click, logged_in, offered_downloads, texts
from tests.conftest import ADMIN, LEADER, OFFICE
from tests.factories import make_expert, seed_expert

SPEC = "1.3"


def pool(ctx, n=4):
    fees.set_budget(ctx, OFFICE, "煤矿安全监管综合科", 2026, 1_000_000)  # JC 第十八条: approval needs a budget
    policy = settings.active_policy(ctx)
    return [seed_expert(ctx, OFFICE, make_expert(policy, specialties=[SPEC], state="在库",
                                                           term_start="2025-01-01", term_end="2028-12-31",
                                                           unit=f"某单位{i}")) for i in range(n)]


def filed(ctx, emergency=False, matter="通风专项检查"):
    return dispatch.file_request(ctx, OFFICE, {
        "department": "煤矿安全监管综合科", "contact": "张三", "matter": matter,
        "task_type": settings.active_policy(ctx).drawing.task_types[0], "target_enterprises": ["某煤业"],
        "start": "2026-12-01", "end": "2026-12-02", "needs": [{"specialty": SPEC, "count": 2}], "mode": "抽取",
        "emergency": emergency})[0]


def test_a_department_files_a_request_from_the_page_yq_d5(app_ctx, data_dir):
    pool(app_ctx)
    at = logged_in(vocab.ROLE_DEPARTMENT, page="pages/requests.py", department="煤矿安全监管综合科")
    assert not at.exception
    at.text_area(key="requests_0_matter").input("通风系统专项检查")
    at.date_input(key="requests_0_start").set_value(date(2026, 12, 1))
    at.date_input(key="requests_0_end").set_value(date(2026, 12, 2))
    at.multiselect(key="requests_0_specs").set_value([SPEC]).run()
    at.button(key="requests_submit_0").click().run()
    assert not at.exception
    saved = build_context(data_dir).store.collection("requests").all()
    assert [r["department"] for r in saved] == ["煤矿安全监管综合科"]


def test_a_request_ending_before_it_starts_is_refused_on_the_page(app_ctx, data_dir):
    pool(app_ctx)
    at = logged_in(page="pages/requests.py")
    at.text_input(key="requests_0_department").input("煤矿科")
    at.text_area(key="requests_0_matter").input("检查")
    at.date_input(key="requests_0_start").set_value(date(2026, 12, 3))
    at.date_input(key="requests_0_end").set_value(date(2026, 12, 1))
    at.multiselect(key="requests_0_specs").set_value([SPEC]).run()
    at.button(key="requests_submit_0").click().run()
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
    at.button(key=f"drawing_verify_{request_id}").click().run()
    assert any("复核一致" in s.value for s in at.success)


def test_the_drawing_page_offers_the_dispatch_forms(app_ctx):
    pool(app_ctx)
    request_id = filed(app_ctx)
    dispatch.approve(app_ctx, LEADER, request_id, "同意")
    dispatch.draw(app_ctx, OFFICE, request_id)
    at = logged_in(page="pages/drawing.py")
    for label in ("下载服务派遣审批单（附件7）", "下载抽取记录单"):
        build_download(at, label)


# --- issue 10 items 2 and 5 ---------------------------------------------------------------------------------------
def fill_new_request(at, generation=0, matter="通风系统专项检查"):
    at.text_area(key=f"requests_{generation}_matter").input(matter)
    at.date_input(key=f"requests_{generation}_start").set_value(date(2026, 12, 1))
    at.date_input(key=f"requests_{generation}_end").set_value(date(2026, 12, 2))
    at.multiselect(key=f"requests_{generation}_specs").set_value([SPEC]).run()


def test_submitting_a_request_clears_the_form_and_files_it_once(app_ctx, data_dir):
    """Issue 10 item 5: after 提交申请 the form is empty and the old submit button is gone, so a second click
    (or a rerun with the same values) cannot file the same request again."""
    pool(app_ctx)
    at = logged_in(vocab.ROLE_DEPARTMENT, page="pages/requests.py", department="煤矿安全监管综合科")
    fill_new_request(at)
    at.button(key="requests_submit_0").click().run()
    assert not at.exception
    assert at.text_area(key="requests_1_matter").value == ""
    assert not [b for b in at.button if b.key == "requests_submit_0"]
    saved = build_context(data_dir).store.collection("requests").all()
    assert len(saved) == 1 and "#%d" % saved[0]["id"] in texts(at)
    fill_new_request(at, generation=1)  # the same content again at once: a double submission, refused
    at.button(key="requests_submit_1").click().run()
    assert len(build_context(data_dir).store.collection("requests").all()) == 1
    assert "请勿重复提交" in texts(at)


def test_the_requester_withdraws_a_request_on_the_page_with_a_reason(app_ctx, data_dir):
    pool(app_ctx)
    request_id = filed(app_ctx)
    at = logged_in(vocab.ROLE_DEPARTMENT, page="pages/requests.py", department="煤矿安全监管综合科")
    at.text_area(key=f"requests_withdraw_reason_{request_id}").input("任务取消")
    click(at, "撤回申请")
    assert not at.exception
    saved = build_context(data_dir).store.collection("requests").get(request_id)
    assert saved["status"] == "已撤回" and saved["history"][-1]["reason"] == "任务取消"


def test_approval_cards_show_the_number_and_offer_three_decisions_with_reasons(app_ctx, data_dir):
    pool(app_ctx)
    first, second = filed(app_ctx), filed(app_ctx, matter="另一项检查")
    at = logged_in(vocab.ROLE_LEADER, page="pages/approvals.py")
    assert not at.exception
    shown = texts(at)
    assert f"申请编号 #{first}" in shown and f"申请编号 #{second}" in shown
    assert {"同意", "不同意", "退回修改"} <= {b.label for b in at.button}
    at.button(key=f"approvals_reject_{first}").click().run()  # no reason: refused, nothing saved
    assert "不同意的理由" in texts(at)
    assert build_context(data_dir).store.collection("requests").get(first)["status"] == "待审批"
    at.text_area(key=f"approvals_opinion_{first}").input("与上月任务重复")
    at.button(key=f"approvals_reject_{first}").click().run()
    at.text_area(key=f"approvals_opinion_{second}").input("请补充被检查企业")
    at.button(key=f"approvals_return_{second}").click().run()
    assert not at.exception
    store = build_context(data_dir).store.collection("requests")
    assert store.get(first)["status"] == "不同意" and store.get(second)["status"] == "退回修改"
    assert store.get(second)["history"][-1] == {**store.get(second)["history"][-1], "action": "退回修改",
                                                "reason": "请补充被检查企业"}


def test_a_request_sent_back_is_edited_and_resubmitted_on_the_page(app_ctx, data_dir):
    pool(app_ctx)
    request_id = filed(app_ctx)
    dispatch.return_for_changes(app_ctx, LEADER, request_id, "请补充被检查企业")
    at = logged_in(vocab.ROLE_DEPARTMENT, page="pages/requests.py", department="煤矿安全监管综合科")
    assert "请补充被检查企业" in texts(at)
    at.text_area(key=f"requests_edit_{request_id}_enterprises").input("某煤业\n某焦化厂")
    at.button(key=f"requests_resubmit_{request_id}").click().run()
    assert not at.exception
    saved = build_context(data_dir).store.collection("requests").get(request_id)
    assert saved["status"] == "待审批" and saved["target_enterprises"] == ["某煤业", "某焦化厂"]


def test_redraw_needs_confirmation_and_is_not_offered_when_every_specialty_is_full(app_ctx, data_dir):
    """Issue 10 item 2 on the page: no 重新抽取 once full; otherwise only after ticking the confirmation."""
    pool(app_ctx, 3)
    request_id = filed(app_ctx)
    dispatch.approve(app_ctx, LEADER, request_id, "同意")
    dispatch.draw(app_ctx, OFFICE, request_id)
    first, second = dispatch.assignments_of(app_ctx, request_id)
    dispatch.answer(app_ctx, OFFICE, first["id"], accepted=True, channel="电话")
    dispatch.answer(app_ctx, OFFICE, second["id"], accepted=False, channel="电话", reason="出差", justified=True)
    third = [a for a in dispatch.assignments_of(app_ctx, request_id) if a["status"] == "邀请中"][0]
    dispatch.answer(app_ctx, OFFICE, third["id"], accepted=False, channel="电话", reason="生病", justified=True)
    seed_expert(app_ctx, OFFICE, make_expert(settings.active_policy(app_ctx), specialties=[SPEC], state="在库",
                                             term_start="2025-01-01", term_end="2028-12-31", unit="新单位"))
    at = logged_in(page="pages/drawing.py")
    assert not at.exception
    at.text_input(key=f"drawing_reason_{request_id}").input("库内新增专家")
    click(at, "重新抽取")
    assert "请先勾选" in texts(at)
    assert len(dispatch.draws_of(build_context(data_dir), request_id)) == 1
    at.checkbox(key=f"drawing_redraw_confirm_{request_id}").check()
    click(at, "重新抽取")
    assert not at.exception
    ctx = build_context(data_dir)
    assert len(dispatch.draws_of(ctx, request_id)) == 2
    assert any("补足1人" in s.value for s in at.success) and not at.warning
    assert any(s.value == "已抽取并发出邀请" for s in at.success)
    last = [a for a in dispatch.assignments_of(ctx, request_id) if a["status"] == "邀请中"][0]
    dispatch.answer(ctx, OFFICE, last["id"], accepted=True, channel="电话")
    at = logged_in(page="pages/drawing.py")
    assert "各专业均已满员，无需重新抽取" in texts(at)
    assert "重新抽取" not in [b.label for b in at.button]


def test_yangquan_direct_selection_offers_only_the_open_slots_on_the_page_yq_d2(app_ctx, data_dir):
    settings.set_active_policy(app_ctx, ADMIN, "yangquan-2024", confirmed=True)
    policy = settings.active_policy(app_ctx)
    spec = policy.taxonomy.all_specialty_codes()[0]
    ids = [seed_expert(app_ctx, OFFICE, make_expert(policy, specialties=[spec], state="在库", term_start="2025-01-01",
                                                    term_end="2028-12-31", unit=f"单位{i}")) for i in range(3)]
    request_id = dispatch.file_request(app_ctx, OFFICE, {
        "department": "安监科", "contact": "李四", "matter": "标准化定级现场核查", "task_type": "安全生产",
        "start": "2026-12-08", "end": "2026-12-08", "needs": [{"specialty": spec, "count": 1}], "mode": "选派",
        "direct_reason": "3"})[0]
    dispatch.approve(app_ctx, OFFICE, request_id, "同意")
    at = logged_in(page="pages/drawing.py")
    assert not at.exception
    at.multiselect(key=f"drawing_pick_{request_id}_{spec}").set_value([ids[0]])
    click(at, "确认选派")
    assert not at.exception
    assert [a["expert_id"] for a in dispatch.assignments_of(build_context(data_dir), request_id)] == [ids[0]]
    assert "确认选派" not in [b.label for b in at.button]  # no open slot left: nothing more to select

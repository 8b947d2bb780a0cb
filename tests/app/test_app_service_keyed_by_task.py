"""AppTest: every widget of 服务评价 that edits a record is keyed by that record (issue 10 item 1, JC-V1).

Two tasks with the same experts: text typed or shown for task A never lands in task B's record when the user
switches to B and saves — neither the 主要工作事项记录 of the evaluation (which defaults to the summary typed when B
was finished) nor the summary of the finish form nor the ratings of an expert who served on both."""
from core import vocab
from services import evaluations, settings
from services.context import build_context
from tests.app.conftest import click, logged_in
from tests.conftest import OFFICE
from tests.factories import make_expert
from tests.unit.test_evaluations_service import make_dispatched

DEPT = "煤矿安全监管综合科"


class Clock:
    now = None


def two_tasks(ctx, *, finish: bool):
    """Tasks A and B of the same two experts (A first, so B is the newest and shown first)."""
    policy = settings.active_policy(ctx)
    spec = policy.taxonomy.all_specialty_codes()[0]
    for i in range(2):  # seeded as the appointment procedure leaves them (this test is about the service page)
        ctx.store.collection("experts").insert(
            dict(make_expert(policy, specialties=[spec], unit=f"某单位{i}"), policy_id=policy.id, state="在库",
                 term_start="2025-01-01", term_end="2028-12-31"), actor="office", action="测试：在库专家")
    a = make_dispatched(ctx, Clock(), start="2026-11-02", end="2026-11-03", department=DEPT, matter="甲任务：通风检查")
    b = make_dispatched(ctx, Clock(), start="2026-11-05", end="2026-11-06", department=DEPT, matter="乙任务：瓦斯检查")
    if finish:
        for rid, summary in ((a, "甲任务的工作记录"), (b, "乙任务的工作记录")):
            days = {p["assignment_id"]: 2 for p in evaluations.participants(ctx, rid)}
            evaluations.complete_task(ctx, OFFICE, rid, days=days, work_summary=summary)
    return a, b


def test_jc_v1_switching_the_task_never_saves_the_first_tasks_text_in_the_second(app_ctx, data_dir):
    a, b = two_tasks(app_ctx, finish=True)
    at = logged_in(vocab.ROLE_DEPARTMENT, page="pages/service.py", department=DEPT)
    at.selectbox(key="service_eval_task").set_value(a).run()
    assert at.text_area(key=f"service_work_record_{a}").value == "甲任务的工作记录"
    at.text_area(key=f"service_work_record_{a}").input("甲任务：改写后的记录")
    people = evaluations.participants(app_ctx, a)
    at.radio(key=f"service_overall_{a}_{people[0]['expert_id']}").set_value("优")
    at.text_input(key=f"service_reason_{a}_{people[0]['expert_id']}").input("甲任务的理由")
    at.text_area(key=f"service_items_{a}").input("甲任务的有意义事项")
    at.run()

    at.selectbox(key="service_eval_task").set_value(b).run()
    assert not at.exception
    assert at.text_area(key=f"service_work_record_{b}").value == "乙任务的工作记录"
    assert at.text_area(key=f"service_items_{b}").value == ""
    assert at.radio(key=f"service_overall_{b}_{people[0]['expert_id']}").value is None
    assert at.text_input(key=f"service_reason_{b}_{people[0]['expert_id']}").value == ""
    at.radio(key=f"service_overall_{b}_{people[0]['expert_id']}").set_value("良")
    at.radio(key=f"service_overall_{b}_{people[1]['expert_id']}").set_value("一般")
    at.text_area(key=f"service_items_{b}").input("乙任务的有意义事项")
    click(at, "保存评价")
    assert not at.exception

    ctx = build_context(data_dir)
    saved = evaluations.evaluation_of(ctx, b)
    assert saved["work_record"] == "乙任务的工作记录"
    assert saved["meaningful_items"] == ["乙任务的有意义事项"]
    assert [r["reason"] for r in saved["ratings"]] == ["", ""]
    assert evaluations.evaluation_of(ctx, a) is None
    # the 附件8 of B is built from B's saved record
    from core.forms_service_records import jc_fj8_context
    req = ctx.store.collection("requests").get(b)
    context = jc_fj8_context(req, saved, evaluations._people_for_form(ctx, b), settings.active_policy(ctx))
    assert context["work_record"] == "乙任务的工作记录" and "甲任务" not in str(context)


def test_jc_v1_the_finish_form_keeps_each_tasks_summary_apart(app_ctx, data_dir):
    a, b = two_tasks(app_ctx, finish=False)
    at = logged_in(page="pages/service.py")
    at.selectbox(key="service_finish_task").set_value(a).run()
    at.text_area(key=f"service_summary_{a}").input("甲任务的工作记录")
    at.run()
    at.selectbox(key="service_finish_task").set_value(b).run()
    assert at.text_area(key=f"service_summary_{b}").value == ""
    at.text_area(key=f"service_summary_{b}").input("乙任务的工作记录")
    click(at, "登记完成")
    assert not at.exception
    ctx = build_context(data_dir)
    assert ctx.store.collection("requests").get(b)["work_summary"] == "乙任务的工作记录"
    assert ctx.store.collection("requests").get(a)["status"] == "已委派"

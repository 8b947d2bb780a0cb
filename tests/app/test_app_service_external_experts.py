"""AppTest: experts from outside the pool (JC 第十一条) on 服务评价 — their days are entered when the task is
finished and they are rated on 附件8 beside the pool's experts (issue 10 item 9c, JC-V1)."""
from core import vocab
from services import evaluations
from services.context import build_context
from tests.app.conftest import click, logged_in
from tests.app.test_app_service_keyed_by_task import DEPT, two_tasks

OUTSIDER = {"name": "王教授", "unit": "太原理工大学", "title": "教授", "title_level": "正高级", "reason": "专业稀缺"}


def test_jc_v1_an_outside_pool_expert_is_finished_and_rated_on_the_page(app_ctx, data_dir):
    _, rid = two_tasks(app_ctx, finish=False)
    app_ctx.store.collection("requests").update(rid, {"external_experts": [OUTSIDER]}, actor="office",
                                                action="测试：经主要领导批准聘请库外专家")
    at = logged_in(page="pages/service.py")
    at.selectbox(key="service_finish_task").set_value(rid).run()
    assert "王教授（库外专家） 实际工作天数" in [n.label for n in at.number_input]
    at.number_input(key=f"service_days_{rid}_库外1").set_value(1)
    at.text_area(key=f"service_summary_{rid}").input("乙任务的工作记录")
    click(at, "登记完成")
    assert not at.exception
    ctx = build_context(data_dir)
    assert ctx.store.collection("requests").get(rid)["external_days"] == {"库外1": 1}

    dept = logged_in(vocab.ROLE_DEPARTMENT, page="pages/service.py", department=DEPT)
    dept.selectbox(key="service_eval_task").set_value(rid).run()
    assert any("王教授（库外专家，太原理工大学）" in t.value for t in dept.text)
    for p, overall in zip(evaluations.participants(ctx, rid), ("良", "良", "优")):
        dept.radio(key=f"service_overall_{rid}_{p['expert_id']}").set_value(overall)
    dept.text_input(key=f"service_reason_{rid}_库外1").input("提出关键整改方案")
    dept.text_area(key=f"service_items_{rid}").input("提出整改方案")
    click(dept, "保存评价")
    assert not dept.exception
    saved = evaluations.evaluation_of(build_context(data_dir), rid)
    assert [(r["expert_id"], r["overall"]) for r in saved["ratings"]][-1] == ("库外1", "优")

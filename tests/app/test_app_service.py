"""AppTest: 服务评价 page (pages/service.py) and the overdue list on 首页 — finish a task with each expert's days,
evaluate it (JC 附件8 / YQ 附表五), a refused rating shown in Chinese with nothing saved, YQ 附表六 and 技术帮扶,
downloads, and X-V1's overdue evaluations and forms with their deadlines. Tasks lie in early November 2026, before
the real clock the app runs on."""
from core import vocab
from services import evaluations, experts, settings
from services.context import build_context
from tests.app.conftest import build_download, click, logged_in, offered_downloads, texts
from tests.conftest import ADMIN, OFFICE
from tests.factories import make_expert, seed_expert
from tests.unit.test_evaluations_service import make_dispatched

DEPT_NAME = "煤矿安全监管综合科"
START, END = "2026-11-02", "2026-11-04"  # JC deadline: 3 working days → 2026-11-09


class Clock:
    now = None


def task(ctx, count=2):
    policy = settings.active_policy(ctx)
    spec = policy.taxonomy.all_specialty_codes()[0]
    for i in range(count):
        seed_expert(ctx, OFFICE, make_expert(policy, specialties=[spec], state="在库", term_start="2025-01-01",
                                                       term_end="2028-12-31", unit=f"某单位{i}"))
    return make_dispatched(ctx, Clock(), start=START, end=END, count=count, department=DEPT_NAME)


def finished(ctx, count=2):
    rid = task(ctx, count)
    evaluations.complete_task(ctx, OFFICE, rid, days={p["assignment_id"]: 3 for p in evaluations.participants(ctx, rid)},
                              work_summary="检查通风系统")
    return rid


def test_the_office_finishes_a_task_with_days_per_expert(app_ctx, data_dir):
    rid = task(app_ctx)
    at = logged_in(page="pages/service.py")
    assert not at.exception
    at.text_area(key=f"service_summary_{rid}").input("检查通风系统")
    people = evaluations.participants(app_ctx, rid)
    at.number_input(key=f"service_days_{people[0]['assignment_id']}").set_value(2)
    click(at, "登记完成")
    assert not at.exception
    ctx = build_context(data_dir)
    assert ctx.store.collection("requests").get(rid)["status"] == "已完成"
    assert [p["days_worked"] for p in evaluations.participants(ctx, rid)] == [2, 3]


def test_zero_days_are_refused_on_the_page_and_nothing_saved(app_ctx, data_dir):
    rid = task(app_ctx)
    at = logged_in(page="pages/service.py")
    at.text_area(key=f"service_summary_{rid}").input("检查")
    first = evaluations.participants(app_ctx, rid)[0]
    at.number_input(key=f"service_days_{first['assignment_id']}").set_value(0)
    click(at, "登记完成")
    assert not at.exception
    assert f"{first['name']}：实际工作天数应为正整数" in texts(at)
    assert build_context(data_dir).store.collection("requests").get(rid)["status"] == "已委派"


def test_a_department_evaluates_its_task_jc_v1(app_ctx, data_dir):
    rid = finished(app_ctx)
    at = logged_in(vocab.ROLE_DEPARTMENT, page="pages/service.py", department=DEPT_NAME)
    assert not at.exception
    assert "登记完成" not in [b.label for b in at.button]
    people = evaluations.participants(app_ctx, rid)
    at.radio(key=f"service_overall_{rid}_{people[0]['expert_id']}").set_value("优")
    at.radio(key=f"service_overall_{rid}_{people[1]['expert_id']}").set_value("良")
    at.text_input(key=f"service_reason_{rid}_{people[0]['expert_id']}").input("发现重大隐患")
    at.text_area(key=f"service_items_{rid}").input("发现主扇风机隐患")
    click(at, "保存评价")
    assert not at.exception
    saved = evaluations.evaluation_of(build_context(data_dir), rid)
    assert [r["overall"] for r in saved["ratings"]] == ["优", "良"] and saved["late"] is True
    assert saved["ratings"][0]["indicators"]["2"] == "好"


def test_excellent_without_a_reason_is_refused_on_the_page_jc_v1(app_ctx, data_dir):
    rid = finished(app_ctx)
    at = logged_in(vocab.ROLE_DEPARTMENT, page="pages/service.py", department=DEPT_NAME)
    for p in evaluations.participants(app_ctx, rid):
        at.radio(key=f"service_overall_{rid}_{p['expert_id']}").set_value("优")
    at.text_area(key=f"service_items_{rid}").input("事项")
    click(at, "保存评价")
    assert not at.exception
    assert "备注" in texts(at)
    assert evaluations.evaluation_of(build_context(data_dir), rid) is None


def test_another_department_sees_neither_the_task_nor_its_overdue_entry_x_v1(app_ctx):
    finished(app_ctx)
    at = logged_in(vocab.ROLE_DEPARTMENT, page="pages/service.py", department="危险化学品安全监督管理科")
    assert not at.exception
    assert "没有已完成的任务" in texts(at) and "逾期未交" not in texts(at)


def test_home_lists_overdue_evaluations_with_their_deadline_x_v1(app_ctx):
    rid = finished(app_ctx)
    at = logged_in()
    assert not at.exception
    assert "逾期未交" in texts(at)
    frame = at.dataframe[0].value
    assert list(frame["期限"]) == ["2026年11月9日"] and list(frame["任务"]) == [f"{rid}号 煤矿通风系统专项检查"]
    own = logged_in(vocab.ROLE_DEPARTMENT, department=DEPT_NAME)
    assert "逾期未交" in texts(own)
    other = logged_in(vocab.ROLE_DEPARTMENT, department="危险化学品安全监督管理科")
    assert "逾期未交" not in texts(other)


def test_the_office_downloads_the_forms_of_a_finished_task(app_ctx):
    finished(app_ctx)
    at = logged_in(page="pages/service.py")
    assert not at.exception
    assert offered_downloads(at) == ["生成服务质量登记表（附件8）"]
    build_download(at, "下载服务质量登记表（附件8）")


def yq(ctx):
    settings.set_active_policy(ctx, ADMIN, "yangquan-2024")


def test_yangquan_rating_work_card_and_assistance_on_the_page_yq_v1(app_ctx, data_dir):
    yq(app_ctx)
    rid = finished(app_ctx)
    at = logged_in(page="pages/service.py")
    assert not at.exception
    people = evaluations.participants(app_ctx, rid)
    at.radio(key=f"service_overall_{rid}_{people[0]['expert_id']}").set_value("较差")
    at.radio(key=f"service_overall_{rid}_{people[1]['expert_id']}").set_value("良好")
    click(at, "保存评价")
    assert "书面说明" in texts(at)
    at.text_input(key=f"service_reason_{rid}_{people[0]['expert_id']}").input("未按时到岗")
    click(at, "保存评价")
    assert not at.exception
    ctx = build_context(data_dir)
    assert [r["overall"] for r in evaluations.evaluation_of(ctx, rid)["ratings"]] == ["较差", "良好"]
    assert [e["kind"] for e in ctx.store.collection("events").all()] == ["提醒谈话"]
    at.text_area(key=f"service_card_situation_{people[0]['assignment_id']}").input("检查3处")
    click(at, "登记工作记录卡")
    assert not at.exception
    assert len(build_context(data_dir).store.collection("work_records").all()) == 1
    at.text_area(key=f"service_help_problems_{rid}").input("风门失修\n瓦斯探头失效")
    at.text_area(key=f"service_help_suggestions_{rid}").input("修复\n更换")
    click(at, "登记帮扶记录")
    assert not at.exception
    record = build_context(data_dir).store.collection("assistance").all()[0]
    assert record["items"] == [{"problem": "风门失修", "suggestion": "修复"}, {"problem": "瓦斯探头失效", "suggestion": "更换"}]
    labels = offered_downloads(at)
    assert "生成使用委派单（附表五，含评价）" in labels and "生成帮扶问题移交书·某煤业公司" in labels


def test_a_stop_work_report_is_flagged_on_home_until_the_office_acts(app_ctx, data_dir):
    yq(app_ctx)
    rid = task(app_ctx)
    dept = logged_in(vocab.ROLE_DEPARTMENT, page="pages/service.py", department=DEPT_NAME)
    assert not dept.exception
    dept.text_area(key=f"service_urgent_content_{rid}").input("主井提升机制动失效，已责令停止作业并撤出人员")
    click(dept, "报告市安委办")
    assert not dept.exception
    home = logged_in()
    assert "停产撤人报告待处理" in texts(home)
    at = logged_in(page="pages/service.py")
    aid = evaluations.urgent_reports(build_context(data_dir))[0]["id"]
    at.text_input(key=f"service_ack_action_{aid}").input("已通知县应急局现场核查")
    click(at, "登记处理措施")
    assert not at.exception
    assert evaluations.urgent_reports(build_context(data_dir)) == []
    assert "停产撤人报告待处理" not in texts(logged_in())
    assert rid

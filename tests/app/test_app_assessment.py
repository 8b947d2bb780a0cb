"""AppTest: the 年度考核 and 专家培训 pages (JC-Y1, YQ-Y1; JC 第十三条, YQ 第二十一条)."""
from datetime import date

from services import experts, settings, training
from services.context import build_context
from tests.app.conftest import click, logged_in, texts
from tests.conftest import ADMIN, OFFICE
from tests.factories import make_expert, seed_expert

YEAR = 2026


def pool(ctx, n=2):
    policy = settings.active_policy(ctx)
    spec = policy.taxonomy.all_specialty_codes()[0]
    return [seed_expert(ctx, OFFICE, make_expert(policy, specialties=[spec], state="在库", name=f"专家{i}",
                                                           term_start="2025-01-01", term_end="2027-12-31"))
            for i in range(n)]


def task(ctx, expert_id, start="2025-10-09"):
    pid = settings.active_policy(ctx).id
    rid = ctx.store.collection("requests").insert({"policy_id": pid, "matter": "通风专项检查", "department": "煤矿科",
                                                   "start": start, "end": start, "status": "已完成",
                                                   "required_level": "分管领导", "required_reason": "",
                                                   "approval": {"level": "分管领导", "on": start}},
                                                  actor="t", action="t")
    return ctx.store.collection("assignments").insert({"policy_id": pid, "request_id": rid, "expert_id": expert_id,
                                                       "status": "已完成", "start": start, "end": start,
                                                       "days_worked": 1}, actor="t", action="t")


def open_assessment(expert_id):
    at = logged_in(page="pages/assessment.py")
    assert not at.exception
    at.number_input(key="assessment_year").set_value(YEAR).run()
    at.selectbox(key="assessment_expert").set_value(expert_id).run()
    assert not at.exception
    return at


def test_the_page_lists_who_is_due_with_the_rule_jc_y1(app_ctx):
    pool(app_ctx)
    at = logged_in(page="pages/assessment.py")
    assert not at.exception
    at.number_input(key="assessment_year").set_value(YEAR).run()
    shown = texts(at)
    assert "年度考核" in shown and "每年6月组织履职考核" in shown and "尚有2人未考核" in shown
    assert len(at.dataframe) >= 1


def test_the_office_assesses_an_expert_from_the_prefilled_services_jc_y1(app_ctx, data_dir):
    first, _ = pool(app_ctx)
    aid = task(app_ctx, first)
    at = open_assessment(first)
    k = f"{first}_{YEAR}"
    assert "通风专项检查" in at.dataframe[1].value.to_string()  # [0] is the due list
    at.text_area(key=f"assessment_self_items_{k}").input("发现隐患3处\n提出整改建议")
    at.selectbox(key=f"assessment_self_rating_{k}_{aid}").set_value("良")
    for i in range(6):
        at.selectbox(key=f"assessment_item_{k}_{i}").set_value("良")
    at.radio(key=f"assessment_conclusion_{k}").set_value("dismiss")
    click(at, "保存考核")
    assert not at.exception
    ctx = build_context(data_dir)
    saved = ctx.store.collection("assessments").all()
    assert [(s["expert_id"], s["conclusion"]) for s in saved] == [(first, "dismiss")]
    assert [p["source"] for p in ctx.store.collection("proposals").all()] == ["年度考核"]


def test_missing_ratings_are_shown_in_chinese_and_nothing_is_saved(app_ctx, data_dir):
    first, _ = pool(app_ctx)
    at = open_assessment(first)
    at.radio(key=f"assessment_conclusion_{first}_{YEAR}").set_value("continue")
    click(at, "保存考核")
    assert not at.exception
    assert "请评定考核项目" in texts(at) and "专家自评应列出1–5项" in texts(at)
    assert build_context(data_dir).store.collection("assessments").all() == []


def test_the_yq_page_evaluates_only_dispatched_experts_yq_y1(app_ctx, data_dir):
    settings.set_active_policy(app_ctx, ADMIN, "yangquan-2024")
    first, _ = pool(app_ctx)
    task(app_ctx, first, "2025-08-01")
    at = logged_in(page="pages/assessment.py")
    at.number_input(key="assessment_year").set_value(YEAR).run()
    assert not at.exception
    assert "考评期间内接受过委派的专家" in texts(at)
    assert list(at.dataframe[0].value["姓名"]) == ["专家0"]
    at.selectbox(key="assessment_expert").set_value(first).run()
    k = f"{first}_{YEAR}"
    assert not at.exception and not [w for w in at.text_area if w.key.startswith("assessment_self")]
    for i in range(6):
        at.selectbox(key=f"assessment_item_{k}_{i}").set_value("良好")
    at.radio(key=f"assessment_conclusion_{k}").set_value("continue")
    click(at, "保存考核")
    assert not at.exception
    assert [a["conclusion_label"] for a in build_context(data_dir).store.collection("assessments").all()] == ["继续聘用"]


def test_the_training_page_warns_when_no_session_was_held_and_records_one(app_ctx, data_dir):
    first, second = pool(app_ctx)
    at = logged_in(page="pages/training.py")
    assert not at.exception
    assert "要求每年至少组织1次专题培训" in texts(at)
    at.text_input(key="training_title").input("新《安全生产法》宣贯")
    at.date_input(key="training_held_on").set_value(date.today())
    at.number_input(key="training_hours").set_value(3.0)
    at.multiselect(key="training_attendees").set_value([first, second])
    click(at, "登记培训")
    assert not at.exception
    saved = build_context(data_dir).store.collection("trainings").all()
    assert [(t["title"], t["attendees"]) for t in saved] == [("新《安全生产法》宣贯", [first, second])]


def test_a_session_without_a_title_is_refused_on_the_page(app_ctx, data_dir):
    at = logged_in(page="pages/training.py")
    at.date_input(key="training_held_on").set_value(date.today())
    at.number_input(key="training_hours").set_value(2.0)
    click(at, "登记培训")
    assert "请填写培训名称" in texts(at)
    assert build_context(data_dir).store.collection("trainings").all() == []


def test_attendance_is_corrected_on_the_page(app_ctx, data_dir):
    first, second = pool(app_ctx)
    tid = training.record_session(app_ctx, OFFICE, {"title": "案例研讨", "held_on": date.today(), "hours": 2,
                                                    "attendees": [first]})
    at = logged_in(page="pages/training.py")
    at.multiselect(key=f"training_people_{tid}").set_value([second])
    click(at, "保存参训人员")
    assert not at.exception
    assert build_context(data_dir).store.collection("trainings").get(tid)["attendees"] == [second]

"""AppTest: 入库申报, 条件审核, 推荐与聘任, 解聘清退 pages."""
from datetime import date

from services import applications as apps
from services import settings
from services.context import build_context
from tests.app.conftest import build_download, click, logged_in, offered_downloads, texts
from tests.conftest import OFFICE
from tests.factories import make_expert, valid_id_number

P = "intake_new_"


def fill_intake(at, **values):
    """The 入库申报 form filled as a valid application; `name`, `id_number`, `mobile`, `pledge=False` change it."""
    at.text_input(key=P + "name").input(values.get("name", "赵申报"))
    at.text_input(key=P + "id_number").input(values.get("id_number") or valid_id_number(date(1976, 4, 8), "男"))
    at.text_input(key=P + "mobile").input(values.get("mobile", "13912345678"))
    at.text_input(key=P + "unit").input("晋城市安全技术服务中心")
    at.selectbox(key=P + "employment_status").set_value("在岗")
    at.selectbox(key=P + "education").set_value("本科")
    at.selectbox(key=P + "title_level").set_value("副高级")
    at.number_input(key=P + "years_in_field").set_value(20)
    at.multiselect(key=P + "specialties").set_value(["1.2"])
    if values.get("pledge", True):
        at.checkbox(key=P + "pledge").check()
    return at.run()


def test_the_intake_page_shows_eligibility_as_the_user_types_x_e2(app_ctx):
    at = logged_in(page="pages/intake.py")
    assert not at.exception
    at = fill_intake(at)
    assert not at.exception
    shown = texts(at)
    assert "资格预审" in shown and "结论" in shown


def test_the_intake_page_submits_an_application(app_ctx, data_dir):
    at = fill_intake(logged_in(page="pages/intake.py"))
    at.button(key="intake_submit").click().run()
    assert not at.exception
    waiting = apps.submitted(build_context(data_dir))
    assert [e["name"] for e, _ in waiting] == ["赵申报"]


def test_the_intake_page_refuses_a_bad_id_in_chinese_and_saves_nothing_x_i1(app_ctx, data_dir):
    good = valid_id_number(date(1976, 4, 8), "男")
    at = fill_intake(logged_in(page="pages/intake.py"), id_number=good[:-1] + ("0" if good[-1] != "0" else "1"))
    at.button(key="intake_submit").click().run()
    assert "校验" in texts(at)
    assert apps.submitted(build_context(data_dir)) == []


def test_the_intake_page_saves_a_draft_with_just_a_name(app_ctx, data_dir):
    at = logged_in(page="pages/intake.py")
    at.text_input(key=P + "name").input("草稿人").run()
    at.button(key="intake_save_draft").click().run()
    assert not at.exception
    assert [d["form"]["name"] for d in apps.drafts(build_context(data_dir))] == ["草稿人"]


def submitted_app(ctx):
    form = make_expert(settings.active_policy(ctx))
    form.pop("route"), form.pop("expert_kind")
    return apps.submit(ctx, OFFICE, form, {"kind": "普通专家", "route": "个人自荐", "pledge_signed": True,
                                           "declarations": {"healthy": True}})


def test_the_review_page_scores_and_passes_an_application_jc_a1(app_ctx, data_dir):
    expert_id, app_id = submitted_app(app_ctx)
    at = logged_in(page="pages/review.py")
    assert not at.exception
    for key, value in {"service_conditions": 10, "motivation": 10, "service_experience": 5, "knowledge": 20,
                       "effectiveness": 20}.items():
        at.number_input(key=f"review_{app_id}_{key}").set_value(value)
    at.text_area(key=f"review_{app_id}_opinion").input("同意推荐")
    at.run()
    assert "总得分" in texts(at)
    at.button(key="review_submit").click().run()
    assert not at.exception
    assert build_context(data_dir).store.collection("experts").get(expert_id)["state"] == "已审核"


def test_the_review_page_refuses_points_below_the_band_in_chinese_jc_a1(app_ctx, data_dir):
    expert_id, app_id = submitted_app(app_ctx)
    at = logged_in(page="pages/review.py")
    for key, value in {"service_conditions": 10, "motivation": 10, "service_experience": 5, "knowledge": 4,
                       "effectiveness": 20}.items():
        at.number_input(key=f"review_{app_id}_{key}").set_value(value)
    at.text_area(key=f"review_{app_id}_opinion").input("同意")
    at.run()
    at.button(key="review_submit").click().run()
    assert "专业知识" in texts(at)
    assert build_context(data_dir).store.collection("experts").get(expert_id)["state"] == "申请中"


LOW = {"service_conditions": 0, "motivation": 0, "service_experience": 0, "knowledge": 5, "effectiveness": 0}


def low_scored(app_id):
    at = logged_in(page="pages/review.py")
    for key, value in LOW.items():
        at.number_input(key=f"review_{app_id}_{key}").set_value(value)
    at.text_area(key=f"review_{app_id}_opinion").input("得分偏低，但本专业小类专家不足")
    return at.run()


def test_the_review_page_offers_a_below_pass_exception_keyed_by_the_application_jc_a2(app_ctx, data_dir):
    expert_id, app_id = submitted_app(app_ctx)
    at = low_scored(app_id)
    assert not at.exception
    assert [e.label for e in at.expander if "例外通过" in e.label] == ["低于70分例外通过"]
    at.checkbox(key=f"review_{app_id}_exc_use").check()
    at.text_area(key=f"review_{app_id}_exc_reason").input("本专业小类在库专家不足3人，面谈中专业知识扎实")
    at.text_input(key=f"review_{app_id}_exc_by").input("王分管")
    at.run()
    at.button(key="review_submit").click().run()
    assert not at.exception
    ctx = build_context(data_dir)
    assert ctx.store.collection("experts").get(expert_id)["state"] == "已审核"
    stored = apps.application(ctx, app_id)["review"]["exception"]
    assert (stored["approver_role"], stored["approved_by"]) == ("分管领导", "王分管")


def test_the_review_page_fails_a_low_score_unless_the_exception_is_ticked_jc_a2(app_ctx, data_dir):
    expert_id, app_id = submitted_app(app_ctx)
    at = low_scored(app_id)
    at.text_area(key=f"review_{app_id}_exc_reason").input("写了理由但未勾选例外通过，不应通过")
    at.run()
    at.button(key="review_submit").click().run()
    assert not at.exception
    assert build_context(data_dir).store.collection("experts").get(expert_id)["state"] == "未通过"


def test_the_review_page_refuses_an_exception_without_a_reason_in_chinese_jc_a2(app_ctx, data_dir):
    expert_id, app_id = submitted_app(app_ctx)
    at = low_scored(app_id)
    at.checkbox(key=f"review_{app_id}_exc_use").check()
    at.text_input(key=f"review_{app_id}_exc_by").input("王分管")
    at.run()
    at.button(key="review_submit").click().run()
    assert "请填写例外通过理由" in texts(at)
    assert build_context(data_dir).store.collection("experts").get(expert_id)["state"] == "申请中"


def test_the_appointment_page_renders_with_no_rounds(app_ctx):
    at = logged_in(page="pages/appointment.py")
    assert not at.exception
    assert "推荐与聘任" in texts(at)


def test_the_dismissal_page_renders_its_tabs(app_ctx):
    at = logged_in(page="pages/dismissal.py")
    assert not at.exception
    assert "解聘清退" in texts(at)


FULL = {"service_conditions": 10, "motivation": 10, "service_experience": 5, "knowledge": 20, "effectiveness": 20}


def recommended(ctx, n=2):
    ids = []
    for _ in range(n):
        expert_id, app_id = submitted_app(ctx)
        apps.review_scored(ctx, OFFICE, app_id, manual=FULL, opinion="同意")
        ids.append(expert_id)
    apps.recommend(ctx, OFFICE, ids)
    return ids


def test_the_appointment_page_builds_the_draft_list_jc_a3(app_ctx, data_dir):
    ids = recommended(app_ctx)
    at = logged_in(page="pages/appointment.py")
    assert not at.exception
    assert any("附件5" in label for label in offered_downloads(at))
    at.radio(key="appointment_section").set_value("拟定名单").run()
    at.multiselect(key="appointment_round_ids").set_value(ids)
    click(at, "建立名单")
    assert not at.exception
    states = {e["state"] for e in build_context(data_dir).store.collection("experts").all()}
    assert states == {"拟定"}


def test_the_appointment_page_appoints_after_the_notice_jc_l1(app_ctx, data_dir):
    ids = recommended(app_ctx)
    round_id = apps.open_round(app_ctx, OFFICE, ids, "2026年度")
    apps.record_meeting(app_ctx, OFFICE, round_id, meeting_date=date(2026, 6, 28), decisions={i: True for i in ids})
    apps.start_notice(app_ctx, OFFICE, round_id, start=date(2026, 7, 1))
    at = logged_in(page="pages/appointment.py")
    at.radio(key="appointment_section").set_value("名单办理").run()
    assert "公示期：2026年7月1日至5日" in texts(at)  # issue 12: the office way of writing dates
    at.date_input(key="appointment_day").set_value(date(2026, 7, 6))
    click(at, "聘任并生成聘书编号")
    assert not at.exception
    experts = build_context(data_dir).store.collection("experts").all()
    assert {e["state"] for e in experts} == {"在库"} and all(e["certificate_no"] for e in experts)


def test_the_appointment_page_refuses_a_meeting_without_a_date(app_ctx, data_dir):
    ids = recommended(app_ctx, 1)
    apps.open_round(app_ctx, OFFICE, ids, "2026年度")
    at = logged_in(page="pages/appointment.py")
    at.radio(key="appointment_section").set_value("名单办理").run()
    click(at, "记录会议结果")
    assert "请填写会议日期" in texts(at)


def test_the_dismissal_page_raises_a_case_and_suspends_the_expert_jc_r1(app_ctx, data_dir):
    ctx = app_ctx
    ids = recommended(ctx, 1)
    round_id = apps.open_round(ctx, OFFICE, ids, "2026年度")
    apps.record_meeting(ctx, OFFICE, round_id, meeting_date=date(2026, 6, 28), decisions={ids[0]: True})
    apps.start_notice(ctx, OFFICE, round_id, start=date(2026, 7, 1))
    apps.appoint(ctx, OFFICE, round_id, appointed_on=date(2026, 7, 6))
    at = logged_in(page="pages/dismissal.py")
    at.selectbox(key="dismissal_expert").set_value(ids[0])
    at.selectbox(key="dismissal_reason").set_value(4)
    at.text_area(key="dismissal_evidence").input("一年内两次无正当理由不接受委派")
    click(at, "提出解聘")
    assert not at.exception
    assert build_context(data_dir).store.collection("experts").get(ids[0])["state"] == "暂停"


def test_the_dismissal_page_needs_evidence_in_chinese(app_ctx):
    at = logged_in(page="pages/dismissal.py")
    click(at, "提出解聘")
    assert "请选择专家" in texts(at)

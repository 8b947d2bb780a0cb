"""入库申报 → 条件审核 → 推荐 → 拟定 → 审议 → 公示 → 聘任, and 解聘 — through the services on an in-memory store.

JC-I1, JC-I2, X-E1, JC-E3, JC-A1, JC-A2, JC-A3, JC-L1, JC-L2, JC-L3, YQ-A1, YQ-L1, X-L1, JC-R1, YQ-R1.
"""
from datetime import date, timedelta

import pytest

from core.errors import DomainError, DuplicateError, PermissionDenied, ValidationError
from services import applications as apps
from services import dismissals, lifecycle, settings
from services.context import SYSTEM
from tests.conftest import ADMIN, OFFICE
from tests.factories import make_expert

FULL_MARKS = {"service_conditions": 10, "motivation": 10, "service_experience": 5, "knowledge": 20,
              "effectiveness": 20}


def form_for(ctx, **overrides):
    policy = settings.active_policy(ctx)
    form = make_expert(policy, **overrides)
    form.pop("route", None)
    form.pop("expert_kind", None)
    return form


def jc_app(**extra):
    return {"kind": "普通专家", "route": "个人自荐", "pledge_signed": True, "pledge_date": "2026-06-05",
            "declarations": {"healthy": True, **extra}}


def manual_keys(ctx):
    from core.scoring import manual_items
    return {item.key: item.weight for item in manual_items(settings.active_policy(ctx))}


def submit(ctx, **overrides):
    return apps.submit(ctx, OFFICE, form_for(ctx, **overrides), jc_app())


def test_a_submitted_application_stores_its_eligibility_and_the_person_is_applying_jc_i1(ctx):
    expert_id, app_id = submit(ctx, name="申请人甲")
    app = apps.application(ctx, app_id)
    assert app["status"] == "已提交" and app["eligibility"]["rules"]
    assert ctx.store.collection("experts").get(expert_id)["state"] == "申请中"


def test_an_application_outside_june_is_accepted_but_flagged_jc_i2(ctx):
    _, app_id = submit(ctx, apply_date="2026-11-25")
    assert apps.application(ctx, app_id)["outside_window"] is True
    _, app_id = submit(ctx, apply_date="2026-06-10")
    assert apps.application(ctx, app_id)["outside_window"] is False


def test_a_jc_application_needs_the_signed_integrity_pledge_jc_i1(ctx):
    with pytest.raises(ValidationError, match="廉政承诺书"):
        apps.submit(ctx, OFFICE, form_for(ctx), dict(jc_app(), pledge_signed=False))
    assert ctx.store.collection("experts").all() == []


def test_a_draft_needs_only_a_name_and_is_completed_later(ctx):
    draft_id = apps.save_draft(ctx, OFFICE, {"name": "草稿人"}, jc_app())
    assert [d["id"] for d in apps.drafts(ctx)] == [draft_id]
    with pytest.raises(ValidationError, match="姓名"):
        apps.save_draft(ctx, OFFICE, {"name": ""}, jc_app())
    expert_id, app_id = apps.submit(ctx, OFFICE, form_for(ctx, name="草稿人"), jc_app(), app_id=draft_id)
    assert app_id == draft_id and apps.drafts(ctx) == []


def test_a_duplicate_id_number_points_to_the_existing_record(ctx):
    form = form_for(ctx)
    expert_id, _ = apps.submit(ctx, OFFICE, form, jc_app())
    with pytest.raises(DuplicateError) as err:
        apps.submit(ctx, OFFICE, form_for(ctx, id_number=form["id_number"]), jc_app())
    assert err.value.existing_id == expert_id


def test_a_photo_that_is_not_an_image_is_refused_and_nothing_saved(ctx):
    with pytest.raises(ValidationError, match="照片"):
        apps.submit(ctx, OFFICE, form_for(ctx), jc_app(), photo=(b"%PDF-1.4 not a photo", "scan.pdf"))
    assert ctx.store.collection("experts").all() == []


def test_a_photo_over_the_limit_is_refused(ctx):
    big = b"\x89PNG\r\n\x1a\n" + b"0" * 2_200_000
    with pytest.raises(ValidationError, match="不能超过"):
        apps.submit(ctx, OFFICE, form_for(ctx), jc_app(), photo=(big, "big.png"))


def test_a_photo_is_kept_with_the_expert(ctx):
    png = _png()
    expert_id, _ = apps.submit(ctx, OFFICE, form_for(ctx), jc_app(), photo=(png, "me.png"))
    assert apps.photo_of(ctx, expert_id) == png


def _png() -> bytes:
    """A real 2×3-pixel PNG (the forms check that a photo parses as an image)."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + b"\xff\xff\xff" * 2 for _ in range(3))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 3, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def review_pass(ctx, app_id, **marks):
    return apps.review_scored(ctx, OFFICE, app_id, manual={**FULL_MARKS, **marks}, opinion="同意推荐")


def test_scoring_at_the_pass_mark_moves_the_applicant_to_reviewed_jc_a2(ctx):
    expert_id, app_id = submit(ctx)
    review = review_pass(ctx, app_id)
    assert review["sheet"]["passed"]
    assert ctx.store.collection("experts").get(expert_id)["state"] == "已审核"


def test_a_score_below_seventy_does_not_pass_jc_a2(ctx):
    expert_id, app_id = submit(ctx, years_in_field=10)
    review = apps.review_scored(ctx, OFFICE, app_id, manual={"service_conditions": 0, "motivation": 0,
                                                              "service_experience": 0, "knowledge": 5,
                                                              "effectiveness": 0}, opinion="得分不足")
    assert not review["sheet"]["passed"]
    assert ctx.store.collection("experts").get(expert_id)["state"] == "未通过"


LOW_MARKS = {"service_conditions": 0, "motivation": 0, "service_experience": 0, "knowledge": 5, "effectiveness": 0}
EXCEPTION = {"reason": "本专业小类在库专家不足3人，面谈中专业知识扎实，确需补充", "approved_by": "王分管",
             "approved_on": "2026-11-20"}


def review_low(ctx, app_id, **kw):
    return apps.review_scored(ctx, OFFICE, app_id, manual=LOW_MARKS, opinion="得分不足，但专业稀缺", **kw)


def test_jc_a2_below_pass_mark_fails_without_exception(ctx):
    expert_id, app_id = submit(ctx, years_in_field=10)
    review = review_low(ctx, app_id)
    assert (review["sheet"]["total"], review["sheet"]["passed"], review["exception"]) == (26, False, None)
    expert = ctx.store.collection("experts").get(expert_id)
    assert expert["state"] == "未通过" and "低于70分，不予审核通过" in expert["transitions"][-1]["reason"]


def test_jc_a2_below_pass_mark_passes_with_reason_and_approval_printed_on_附件4(ctx):
    import io

    import docx

    from services import forms_service
    expert_id, app_id = submit(ctx, years_in_field=10)
    review = review_low(ctx, app_id, exception=EXCEPTION)
    assert not review["sheet"]["passed"]  # the score itself still says below the mark
    assert review["exception"] == {"reason": EXCEPTION["reason"], "approver_role": "分管领导", "approved_by": "王分管",
                                   "approved_on": "2026-11-20", "score": 26, "pass_mark": 70}
    assert apps.application(ctx, app_id)["review"]["exception"] == review["exception"]
    expert = ctx.store.collection("experts").get(expert_id)
    assert expert["state"] == "已审核"
    assert "经分管领导王分管批准例外通过" in expert["transitions"][-1]["reason"]
    audit = ctx.store.audit.entries(collection="applications", record_id=app_id)
    assert audit[-1]["action"] == "条件审核评分（低于70分例外通过）" and audit[-1]["actor"] == "office"
    assert audit[-1]["after"]["review"]["exception"]["reason"] == EXCEPTION["reason"]
    data = forms_service.review_sheet_form(expert, apps.application(ctx, app_id), settings.active_policy(ctx))[1]
    table = docx.Document(io.BytesIO(data)).tables[0]
    opinion = table.rows[-1].cells[1].text
    assert f"低于70分例外通过理由：{EXCEPTION['reason']}" in opinion
    assert "批准人：分管领导　王分管　　批准日期：2026年11月20日" in opinion
    assert table.rows[-2].cells[6].text == "低于70分，经分管领导批准例外通过"


def test_jc_a2_below_pass_mark_strict_profile_allows_no_exception(ctx):
    jc = settings.active_policy(ctx)
    ctx.policies[jc.id] = jc.variant({"scoring.pass_mark_is_guideline": False})
    expert_id, app_id = submit(ctx, years_in_field=10)
    with pytest.raises(ValidationError, match="硬性规定，低于70分不能例外通过"):
        review_low(ctx, app_id, exception=EXCEPTION)
    assert apps.application(ctx, app_id)["review"] is None
    assert ctx.store.collection("experts").get(expert_id)["state"] == "申请中"
    review_low(ctx, app_id)
    assert ctx.store.collection("experts").get(expert_id)["state"] == "未通过"


def test_jc_a2_an_exception_is_refused_at_the_mark_with_a_bad_reason_or_for_an_ineligible_applicant(ctx):
    expert_id, app_id = submit(ctx)
    with pytest.raises(ValidationError, match="无需例外通过"):
        apps.review_scored(ctx, OFFICE, app_id, manual=FULL_MARKS, opinion="同意", exception=EXCEPTION)
    with pytest.raises(ValidationError, match="至少写10个字"):
        review_low(ctx, app_id, exception={**EXCEPTION, "reason": "专业稀缺"})
    with pytest.raises(ValidationError, match="不接受“approver_role”"):
        review_low(ctx, app_id, exception={**EXCEPTION, "approver_role": "主要领导"})
    old_id, old_app = submit(ctx, birth_date=date(1958, 3, 1), years_in_field=10)  # over age, not overridden
    with pytest.raises(ValidationError, match="资格条件不符合"):
        review_low(ctx, old_app, exception=EXCEPTION)
    for eid, aid in ((expert_id, app_id), (old_id, old_app)):
        assert apps.application(ctx, aid)["review"] is None
        assert ctx.store.collection("experts").get(eid)["state"] == "申请中"


def test_review_opinion_and_remarks_are_cleaned_and_length_limited(ctx):
    _, app_id = submit(ctx)
    with pytest.raises(ValidationError) as err:
        apps.review_scored(ctx, OFFICE, app_id, manual={**FULL_MARKS, "knowledge": 4}, opinion="  ")
    assert [k for k, _ in err.value.errors] == ["knowledge", "opinion"]  # both problems in one message
    with pytest.raises(ValidationError, match="审核意见不能超过1000个字"):
        apps.review_scored(ctx, OFFICE, app_id, manual=FULL_MARKS, opinion="同" * 1001)
    with pytest.raises(ValidationError, match="备注不能超过200个字"):
        apps.review_scored(ctx, OFFICE, app_id, manual=FULL_MARKS, opinion="同意", remarks={"motivation": "好" * 201})
    review = apps.review_scored(ctx, OFFICE, app_id, manual=FULL_MARKS, opinion=" 同意\r\n推荐 ",
                                remarks={"motivation": " 动机端正 "})
    assert review["opinion"] == "同意\n推荐"
    assert next(ln for ln in review["sheet"]["lines"] if ln["key"] == "motivation")["remark"] == "动机端正"


def test_manual_points_outside_their_band_are_refused_and_nothing_saved_jc_a1(ctx):
    expert_id, app_id = submit(ctx)
    with pytest.raises(ValidationError, match="专业知识"):
        review_pass(ctx, app_id, knowledge=4)
    assert apps.application(ctx, app_id)["review"] is None
    assert ctx.store.collection("experts").get(expert_id)["state"] == "申请中"


def test_an_over_age_applicant_passes_only_by_a_recorded_override_jc_e3(ctx):
    expert_id, app_id = submit(ctx, birth_date=date(1958, 3, 1))  # 68 on the fixed clock
    app = apps.application(ctx, app_id)
    age = next(r for r in app["eligibility"]["rules"] if r["status"] == "不通过")
    with pytest.raises(ValidationError, match="理由"):
        apps.override_rule(ctx, OFFICE, app_id, age["rule_id"], "  ")
    apps.override_rule(ctx, OFFICE, app_id, age["rule_id"], "应急领域工作成果取得市级以上部门认可")
    app = apps.application(ctx, app_id)
    assert app["eligibility"]["rules"] and all(r["status"] != "不通过" or r["overridden"]
                                               for r in app["eligibility"]["rules"])
    audit = ctx.store.audit.entries(collection="applications", record_id=app_id)
    assert any(age["rule_id"] in e["action"] and e["actor"] == "office" for e in audit)


def jc_to_notice(ctx, n=2, start=date(2026, 7, 1)):
    ids = []
    for _ in range(n):
        expert_id, app_id = submit(ctx)
        review_pass(ctx, app_id)
        ids.append(expert_id)
    apps.recommend(ctx, OFFICE, ids)
    round_id = apps.open_round(ctx, OFFICE, ids, "2026年度")
    apps.record_meeting(ctx, OFFICE, round_id, meeting_date=date(2026, 6, 28), decisions={i: True for i in ids})
    apps.start_notice(ctx, OFFICE, round_id, start=start)
    return ids, round_id


def test_the_full_jincheng_path_ends_in_a_three_year_appointment_jc_l1_x_l1(ctx):
    ids, round_id = jc_to_notice(ctx)
    rnd = ctx.store.collection("rounds").get(round_id)
    assert rnd["notice"] == {"start": "2026-07-01", "end": "2026-07-05"}
    assert apps.appoint(ctx, OFFICE, round_id, appointed_on=date(2026, 7, 6)) == 2
    expert = ctx.store.collection("experts").get(ids[0])
    assert expert["state"] == "在库" and expert["term_start"] == "2026-07-06" and expert["term_end"] == "2029-07-05"
    assert expert["certificate_no"]
    assert [t["to"] for t in expert["transitions"]] == ["已审核", "已推荐", "拟定", "公示中", "在库"]
    assert all(t["by"] == "office" and t["reason"] for t in expert["transitions"])
    other = ctx.store.collection("experts").get(ids[1])
    assert other["certificate_no"] != expert["certificate_no"]


def test_appointment_before_the_notice_ends_is_refused_jc_l1(ctx):
    ids, round_id = jc_to_notice(ctx)
    with pytest.raises(ValidationError, match="公示期满"):
        apps.appoint(ctx, OFFICE, round_id, appointed_on=date(2026, 7, 5))


def test_a_decision_without_a_meeting_date_is_refused(ctx):
    expert_id, app_id = submit(ctx)
    review_pass(ctx, app_id)
    apps.recommend(ctx, OFFICE, [expert_id])
    round_id = apps.open_round(ctx, OFFICE, [expert_id], "2026年度")
    with pytest.raises(ValidationError, match="会议日期"):
        apps.record_meeting(ctx, OFFICE, round_id, meeting_date=None, decisions={expert_id: True})


def test_a_notice_ending_before_it_starts_is_refused(ctx):
    expert_id, app_id = submit(ctx)
    review_pass(ctx, app_id)
    apps.recommend(ctx, OFFICE, [expert_id])
    round_id = apps.open_round(ctx, OFFICE, [expert_id], "2026年度")
    apps.record_meeting(ctx, OFFICE, round_id, meeting_date=date(2026, 6, 28), decisions={expert_id: True})
    with pytest.raises(ValidationError):
        apps.start_notice(ctx, OFFICE, round_id, start=date(2026, 7, 5), end=date(2026, 7, 1))
    assert ctx.store.collection("experts").get(expert_id)["state"] == "拟定"


def test_someone_who_did_not_pass_cannot_be_put_on_the_list(ctx):
    expert_id, _ = submit(ctx)
    with pytest.raises(ValidationError, match="已推荐"):
        apps.open_round(ctx, OFFICE, [expert_id], "2026年度")


def test_an_upheld_objection_removes_the_candidate(ctx):
    ids, round_id = jc_to_notice(ctx)
    apps.add_objection(ctx, OFFICE, round_id, ids[0], "群众反映其职称证书存疑")
    with pytest.raises(ValidationError, match="未处理的公示异议"):
        apps.appoint(ctx, OFFICE, round_id, appointed_on=date(2026, 7, 6))
    apps.resolve_objection(ctx, OFFICE, round_id, 0, upheld=True, note="经核查属实")
    assert apps.appoint(ctx, OFFICE, round_id, appointed_on=date(2026, 7, 6)) == 1
    assert ctx.store.collection("experts").get(ids[0])["state"] == "未通过"


def test_a_term_that_has_passed_ends_by_itself_and_the_expert_may_reapply_jc_l2(ctx, clock):
    ids, round_id = jc_to_notice(ctx, n=1)
    apps.appoint(ctx, OFFICE, round_id, appointed_on=date(2026, 7, 6))
    clock.now = clock.now.replace(year=2029, month=7, day=6)
    assert lifecycle.expire_terms(ctx) == 1
    expert = ctx.store.collection("experts").get(ids[0])
    assert expert["state"] == "期满退出"
    apps.submit(ctx, OFFICE, form_for(ctx, id_number=expert["id_number"], name=expert["name"]), jc_app())
    assert ctx.store.collection("experts").get(ids[0])["state"] == "申请中"


def test_the_yangquan_path_is_review_notice_meeting_appointment_yq_l1_yq_a1(ctx):
    settings.set_active_policy(ctx, ADMIN, "yangquan-2024")
    expert_id, app_id = apps.submit(ctx, OFFICE, form_for(ctx), {"kind": "普通专家", "route": "个人自荐",
                                                                   "declarations": {"no_criminal_record": True,
                                                                                    "healthy": True}})
    with pytest.raises(ValidationError, match="须完成"):
        apps.review_checked(ctx, OFFICE, app_id, checks={"materials_authentic": True}, opinion="好", result="通过")
    apps.review_checked(ctx, OFFICE, app_id, checks={k: True for k, _ in apps.REVIEW_CHECKS}, opinion="符合条件",
                        result="通过")
    round_id = apps.open_round(ctx, OFFICE, [expert_id], "2026年度")
    apps.start_notice(ctx, OFFICE, round_id, start=date(2026, 7, 1))
    apps.record_meeting(ctx, OFFICE, round_id, meeting_date=date(2026, 7, 8), decisions={expert_id: True})
    assert apps.appoint(ctx, OFFICE, round_id, appointed_on=date(2026, 7, 10)) == 1
    states = [t["to"] for t in ctx.store.collection("experts").get(expert_id)["transitions"]]
    assert states == ["已审核", "公示中", "拟定", "在库"]


def appointed_expert(ctx):
    ids, round_id = jc_to_notice(ctx, n=1)
    apps.appoint(ctx, OFFICE, round_id, appointed_on=date(2026, 7, 6))
    return ids[0]


def finish_case(ctx, case_id, day=date(2026, 11, 26)):
    def current():
        return next(c for c in dismissals.cases(ctx) if c["id"] == case_id)
    case = current()
    while case["status"] == "进行中":
        kwargs, done_on = {}, day
        if case["next_is_notice"]:  # the notice step is recorded once the notice has run out
            kwargs, done_on = {"notice_start": day, "notice_end": day + timedelta(days=4)}, day + timedelta(days=5)
        dismissals.advance(ctx, OFFICE, case_id, done_on=done_on, note="同意", **kwargs)
        day += timedelta(days=6)
        case = current()
    return case


def test_raising_a_reason_suspends_the_expert_at_once_jc_r1(ctx):
    expert_id = appointed_expert(ctx)
    dismissals.raise_case(ctx, OFFICE, expert_id, 4, "一年内两次无正当理由不接受委派")
    assert ctx.store.collection("experts").get(expert_id)["state"] == "暂停"


def test_a_permanent_reason_ends_in_qingtui_and_bars_reapplication_jc_r1_x_e1(ctx):
    expert_id = appointed_expert(ctx)
    case_id = dismissals.raise_case(ctx, OFFICE, expert_id, 6, "出具虚假专家意见，经调查属实")
    case = finish_case(ctx, case_id)
    expert = ctx.store.collection("experts").get(expert_id)
    assert case["outcome"] == "清退" and expert["state"] == "清退"
    assert apps.ban_reason(ctx, expert["id_number"])
    with pytest.raises(DomainError, match="不能申报"):
        apps.submit(ctx, OFFICE, form_for(ctx, id_number=expert["id_number"]), jc_app())


def test_a_withdrawn_case_restores_the_expert(ctx):
    expert_id = appointed_expert(ctx)
    case_id = dismissals.raise_case(ctx, OFFICE, expert_id, 3, "能力不足")
    dismissals.advance(ctx, OFFICE, case_id, done_on=date(2026, 11, 26), note="经核实不属实", approved=False)
    assert ctx.store.collection("experts").get(expert_id)["state"] == "在库"


def test_a_second_case_for_the_same_expert_can_be_raised_after_the_first_was_withdrawn_jc_r1(ctx):
    """A case carries the expert's id_number (for the ban list); it must not be treated as a unique key."""
    expert_id = appointed_expert(ctx)
    first = dismissals.raise_case(ctx, OFFICE, expert_id, 3, "能力不足")
    dismissals.advance(ctx, OFFICE, first, done_on=date(2026, 11, 26), note="经核实不属实", approved=False)
    second = dismissals.raise_case(ctx, OFFICE, expert_id, 4, "一年内两次无正当理由不接受委派")
    assert second != first and len(dismissals.cases(ctx)) == 2


def test_an_expert_may_have_more_than_one_reminder_talk_yq_r1(ctx):
    settings.set_active_policy(ctx, ADMIN, "yangquan-2024")
    policy = settings.active_policy(ctx)
    expert_id = ctx.store.collection("experts").insert(
        dict(make_expert(policy), policy_id=policy.id, state="在库"), actor="t", action="t")
    dismissals.record_reminder_talk(ctx, OFFICE, expert_id, 3, "首次被评为一般")
    dismissals.record_reminder_talk(ctx, OFFICE, expert_id, 2, "不服从安排")
    assert len(dismissals.events_of(ctx, expert_id)) == 2


def test_a_state_cannot_jump_and_a_reason_is_required_x_l1(ctx):
    expert_id, _ = submit(ctx)
    with pytest.raises(DomainError):
        lifecycle.transition(ctx, OFFICE, expert_id, "在库", "直接入库", workflow=lifecycle.Workflow.APPOINTMENT)
    with pytest.raises(ValidationError):
        lifecycle.transition(ctx, SYSTEM, expert_id, "已审核", "", workflow=lifecycle.Workflow.REVIEW)


def test_a_submitted_application_cannot_be_deleted_within_five_years_jc_l3(ctx, clock):
    _, app_id = submit(ctx)
    with pytest.raises(DomainError, match="不少于5年"):
        apps.delete_application(ctx, ADMIN, app_id)
    clock.now = clock.now.replace(year=2031, month=11, day=25)
    apps.delete_application(ctx, ADMIN, app_id)
    assert ctx.store.collection("applications").get(app_id) is None


def test_only_an_admin_deletes_filed_records_but_the_office_may_drop_a_draft_jc_l3(ctx, clock):
    _, app_id = submit(ctx)
    clock.now = clock.now.replace(year=2032)
    with pytest.raises(PermissionDenied):
        apps.delete_application(ctx, OFFICE, app_id)
    draft_id = apps.save_draft(ctx, OFFICE, {"name": "草稿人"}, jc_app())
    apps.delete_application(ctx, OFFICE, draft_id)
    assert apps.drafts(ctx) == []

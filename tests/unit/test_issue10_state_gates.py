"""Issue 10 item 7 / issue 11: each state only through its workflow; the admin-only 更正; 存量专家登记.

X-L1 (every change recorded, going back is a new change), JC-L1/YQ-L1 (the appointment path cannot be skipped),
JC-R1 (解聘/清退 only through a case), X-E1 (the ban list), JC-E3 (relaxations recorded with a reason), JC-L2
(第二十条: the 2023 document's experts leave three years after it).
"""
import pytest

from core import vocab
from core.errors import DomainError, DuplicateError, PermissionDenied, ValidationError
from core.lifecycle import CORRECTION_FORBIDDEN, Workflow
from services import applications as apps
from services import dismissals, legacy, lifecycle, settings
from services.context import SYSTEM
from tests.conftest import ADMIN, DEPARTMENT, LEADER, OFFICE
from tests.factories import make_expert

DOC = "晋应急发〔2024〕12号"
WHAT = "审核时把另一位申请人的结论点到了这位申请人"
WHY = "经核对申报材料与审核记录，此人尚未审核，应恢复为申请中"


def register(ctx, actor=OFFICE, appointed_on="2025-03-01", document=DOC, reasons=None, **overrides):
    data = make_expert(settings.active_policy(ctx), **overrides)
    if reasons is None:
        found = legacy.preview(ctx, actor, data, document_number=document, appointed_on=appointed_on)
        reasons = {r.rule_id: "原聘任时已核实，材料在档" for r in found.needs_reason}
    return legacy.register_legacy(ctx, actor, data, document_number=document, appointed_on=appointed_on,
                                  relaxations=reasons)


def expert(ctx, expert_id):
    return ctx.store.collection("experts").get(expert_id)


def applicant(ctx):
    form = make_expert(settings.active_policy(ctx))
    form.pop("route", None)
    form.pop("expert_kind", None)
    return apps.submit(ctx, OFFICE, form, {"kind": "普通专家", "route": "个人自荐", "pledge_signed": True,
                                           "pledge_date": "2026-06-05", "declarations": {"healthy": True}})


# --- one gate per state ------------------------------------------------------------------------------------------
def test_registry_cannot_move_expert_to_清退_without_case(ctx):
    expert_id = register(ctx)
    before = expert(ctx, expert_id)
    with pytest.raises(DomainError, match="清退"):
        lifecycle.correct_state(ctx, ADMIN, expert_id, "清退", WHAT, WHY)
    for flow in (Workflow.APPOINTMENT, Workflow.REVIEW, Workflow.TERM_END, Workflow.APPLICATION):
        with pytest.raises(DomainError, match="解聘清退"):
            lifecycle.transition(ctx, ADMIN, expert_id, "清退", "直接清退", workflow=flow)
    assert expert(ctx, expert_id) == before
    assert apps.ban_reason(ctx, before["id_number"]) is None
    assert not hasattr(lifecycle, "manual_transition")


def test_registry_cannot_move_expert_to_解聘_without_case_yq(ctx):
    settings.set_active_policy(ctx, ADMIN, "yangquan-2024")
    expert_id = register(ctx, document="阳安办发〔2024〕3号")
    with pytest.raises(DomainError):
        lifecycle.correct_state(ctx, ADMIN, expert_id, "解聘", WHAT, WHY)
    with pytest.raises(DomainError, match="解聘清退"):
        lifecycle.transition(ctx, OFFICE, expert_id, "解聘", "直接解聘", workflow=Workflow.APPOINTMENT)
    assert expert(ctx, expert_id)["state"] == "在库"


def test_已审核_only_through_the_review_with_its_score_or_three_checks(ctx):
    expert_id, _ = applicant(ctx)
    for flow in (Workflow.APPOINTMENT, Workflow.DISMISSAL, Workflow.APPLICATION, "任意名称"):
        with pytest.raises(DomainError):
            lifecycle.transition(ctx, OFFICE, expert_id, "已审核", "直接审核通过", workflow=flow)
    assert expert(ctx, expert_id)["state"] == "申请中"


def test_在库_only_by_appointment_after_notice_or_by_closing_a_case(ctx):
    expert_id, _ = applicant(ctx)
    with pytest.raises(DomainError):
        lifecycle.transition(ctx, OFFICE, expert_id, "在库", "直接入库", workflow=Workflow.APPOINTMENT)
    with pytest.raises(DomainError):
        lifecycle.transition(ctx, OFFICE, expert_id, "在库", "直接入库", workflow=Workflow.DISMISSAL)
    assert expert(ctx, expert_id)["state"] == "申请中"


def test_department_actor_cannot_suspend_expert(ctx):
    expert_id = register(ctx)
    for actor in (DEPARTMENT, LEADER):
        with pytest.raises(PermissionDenied):
            lifecycle.transition(ctx, actor, expert_id, "暂停", "科室认为应停止使用", workflow=Workflow.DISMISSAL)
        with pytest.raises(PermissionDenied):
            dismissals.raise_case(ctx, actor, expert_id, 4, "一年内两次无正当理由不接受委派")
    assert expert(ctx, expert_id)["state"] == "在库"
    assert ctx.store.audit.entries(collection="experts", record_id=expert_id)[-1]["action"] == "存量专家登记"


def test_the_case_suspends_and_every_transition_names_its_workflow(ctx):
    expert_id = register(ctx)
    dismissals.raise_case(ctx, OFFICE, expert_id, 4, "一年内两次无正当理由不接受委派")
    last = lifecycle.history(ctx, expert_id)[0]
    assert (last["from"], last["to"], last["workflow"], last["kind"]) == ("在库", "暂停", "解聘清退", "办理")


# --- 更正 ---------------------------------------------------------------------------------------------------------
def test_correction_can_never_produce_在库(ctx):
    """A mistaken suspension is undone by withdrawing the case (恢复使用), never by a correction."""
    expert_id = register(ctx)
    dismissals.raise_case(ctx, OFFICE, expert_id, 3, "能力不足")
    assert lifecycle.correction_option(ctx, ADMIN, expert_id)[0] is None
    for target in sorted(CORRECTION_FORBIDDEN):
        with pytest.raises(DomainError):
            lifecycle.correct_state(ctx, ADMIN, expert_id, target, WHAT, WHY)
    assert expert(ctx, expert_id)["state"] == "暂停"


@pytest.mark.parametrize("target", vocab.EXPERT_STATES)
def test_no_correction_target_is_ever_a_forbidden_state(ctx, target):
    expert_id, _ = applicant(ctx)
    lifecycle.transition(ctx, OFFICE, expert_id, "未通过", "审核不予通过", workflow=Workflow.REVIEW)
    try:
        lifecycle.correct_state(ctx, ADMIN, expert_id, target, WHAT, WHY)
    except (DomainError, ValidationError):
        assert expert(ctx, expert_id)["state"] == "未通过"
    else:
        assert target == "申请中" and target not in CORRECTION_FORBIDDEN


def test_a_correction_undoes_the_last_step_and_records_what_was_wrong_and_why(ctx):
    expert_id, _ = applicant(ctx)
    lifecycle.transition(ctx, OFFICE, expert_id, "未通过", "审核不予通过", workflow=Workflow.REVIEW)
    assert lifecycle.correction_option(ctx, ADMIN, expert_id)[0] == "申请中"
    lifecycle.correct_state(ctx, ADMIN, expert_id, "申请中", WHAT, WHY)
    saved = expert(ctx, expert_id)
    assert saved["state"] == "申请中"
    last = saved["transitions"][-1]
    assert (last["kind"], last["from"], last["to"], last["by"]) == ("更正", "未通过", "申请中", "admin")
    assert (last["what_was_wrong"], last["why"], last["corrects"]) == (WHAT, WHY, len(saved["transitions"]) - 2)
    assert saved["transitions"][-2]["to"] == "未通过"  # the mistaken step stays on record (X-L1)
    assert ctx.store.audit.entries(collection="experts", record_id=expert_id)[-1]["action"] == "更正状态"


def test_only_an_admin_corrects_and_both_texts_are_required(ctx):
    expert_id, _ = applicant(ctx)
    lifecycle.transition(ctx, OFFICE, expert_id, "未通过", "审核不予通过", workflow=Workflow.REVIEW)
    for actor in (OFFICE, DEPARTMENT, LEADER, SYSTEM):
        with pytest.raises(PermissionDenied):
            lifecycle.correct_state(ctx, actor, expert_id, "申请中", WHAT, WHY)
    with pytest.raises(ValidationError) as caught:
        lifecycle.correct_state(ctx, ADMIN, expert_id, "申请中", "点错了", "  ")
    assert {k for k, _ in caught.value.errors} == {"what_was_wrong", "why"}
    with pytest.raises(DomainError, match="只能撤回最近一次"):
        lifecycle.correct_state(ctx, ADMIN, expert_id, "期满退出", WHAT, WHY)
    assert expert(ctx, expert_id)["state"] == "未通过"


def test_a_legacy_registration_cannot_be_corrected_away(ctx):
    expert_id = register(ctx)
    target, why = lifecycle.correction_option(ctx, ADMIN, expert_id)
    assert target is None and "存量专家登记" in why


# --- 存量专家登记 -------------------------------------------------------------------------------------------------
def test_legacy_registration_records_document_date_term_and_eligibility(ctx):
    expert_id = register(ctx, appointed_on="2025-03-01", name="存量专家甲")
    saved = expert(ctx, expert_id)
    assert (saved["state"], saved["term_start"], saved["term_end"], saved["appointed_under"]) == \
        ("在库", "2025-03-01", "2028-02-29", DOC)
    [step] = saved["transitions"]
    assert (step["kind"], step["to"], step["document_number"], step["by"]) == ("存量登记", "在库", DOC, "office")
    reg = saved["legacy_registration"]
    assert reg["document_number"] == DOC and reg["appointed_on"] == "2025-03-01"
    assert reg["eligibility"]["rules"] and reg["eligibility"]["checked_on"] == ctx.today().isoformat()
    assert ctx.store.audit.entries(collection="experts", record_id=expert_id)[0]["action"] == "存量专家登记"


def test_legacy_registration_of_an_ineligible_person_needs_a_recorded_reason_per_failing_rule(ctx):
    """The issue's 70-year-old with 中专, 初级 and 2 years: each failing rule needs a written relaxation."""
    old = dict(birth_date="1956-03-01", education="中专及以下", title_level="初级", years_in_field=2,
               qualifications=[])
    data = make_expert(settings.active_policy(ctx), **old)
    found = legacy.preview(ctx, OFFICE, data, document_number=DOC, appointed_on="2025-03-01")
    failing = {r.rule_id for r in found.needs_reason if r.status == "不通过"}
    assert {"age", "title"} <= failing
    with pytest.raises(ValidationError) as caught:
        legacy.register_legacy(ctx, OFFICE, data, document_number=DOC, appointed_on="2025-03-01", relaxations={})
    assert {k for k, _ in caught.value.errors} >= {f"relax_{r}" for r in failing}
    assert ctx.store.collection("experts").all() == []
    reasons = {r.rule_id: "原聘任文件特别批准，见档案第12页" for r in found.needs_reason}
    expert_id = legacy.register_legacy(ctx, OFFICE, data, document_number=DOC, appointed_on="2025-03-01",
                                       relaxations=reasons)
    relaxed = expert(ctx, expert_id)["legacy_registration"]["relaxations"]
    assert set(relaxed) == set(reasons) and relaxed["age"]["reason"] == "原聘任文件特别批准，见档案第12页"
    assert relaxed["age"]["status"] == "不通过" and relaxed["age"]["by"] == "office"


def test_legacy_registration_refuses_a_banned_person_x_e1(ctx):
    first = register(ctx)
    case_id = dismissals.raise_case(ctx, OFFICE, first, 6, "出具虚假专家意见，经调查属实")
    from tests.unit.test_applications_service import finish_case
    finish_case(ctx, case_id)
    number = expert(ctx, first)["id_number"]
    ctx.store.collection("experts").delete_where(lambda d: d["id"] == first, actor="t", action="t")
    with pytest.raises(DomainError, match="永不录用"):
        register(ctx, id_number=number, reasons={"banned": "请求放宽永不录用"})


def test_legacy_registration_refuses_an_ended_term_a_future_date_and_a_missing_document(ctx):
    with pytest.raises(ValidationError, match="聘期已于"):
        register(ctx, appointed_on="2020-01-01")
    with pytest.raises(ValidationError, match="不能晚于今天"):
        register(ctx, appointed_on="2027-01-01", reasons={})
    with pytest.raises(ValidationError, match="文号"):
        register(ctx, document="  ", reasons={})
    assert ctx.store.collection("experts").all() == []


def test_legacy_registration_takes_state_and_term_only_from_the_document(ctx):
    data = make_expert(settings.active_policy(ctx), state="在库", term_end="2099-12-31")
    with pytest.raises(ValidationError, match="存量专家登记按聘任文件记录"):
        legacy.register_legacy(ctx, OFFICE, data, document_number=DOC, appointed_on="2025-03-01", relaxations={})
    assert ctx.store.collection("experts").all() == []


def test_legacy_registration_under_the_2023_document_ends_three_years_after_it_jc_l2(ctx):
    expert_id = register(ctx, appointed_on="2024-01-10", document="晋市应急总指办发〔2023〕4号")
    saved = expert(ctx, expert_id)
    assert saved["term_end"] == "2027-01-09" and saved["appointed_under"] == "晋市应急总指办发[2023]4号"
    assert "第二十条" in saved["legacy_registration"]["term_basis"]


def test_only_office_and_admin_register_legacy_experts_and_a_duplicate_is_refused(ctx):
    for actor in (DEPARTMENT, LEADER):
        with pytest.raises(PermissionDenied):
            register(ctx, actor=actor, reasons={})
    expert_id = register(ctx, actor=ADMIN)
    with pytest.raises(DuplicateError):
        register(ctx, id_number=expert(ctx, expert_id)["id_number"])


def test_expire_terms_runs_as_the_system_through_its_own_gate(ctx, clock):
    expert_id = register(ctx, appointed_on="2024-01-10", document="晋市应急总指办发[2023]4号")
    clock.now = clock.now.replace(year=2027, month=1, day=10)
    assert lifecycle.expire_terms(ctx) == 1
    last = lifecycle.history(ctx, expert_id)[0]
    assert (last["to"], last["workflow"], last["by"]) == ("期满退出", "聘期届满", "system")


def test_jc_l2_terms_ending_together_leave_in_one_write_with_a_line_each_issue17(ctx, clock, monkeypatch):
    """Experts appointed together end together: 期满退出 for all of them is one write of the experts file (it was one
    whole-file write per expert), each with its transition and its own audit line; a second run finds nobody."""
    ids = [register(ctx, appointed_on="2024-01-10", document="晋市应急总指办发[2023]4号") for _ in range(3)]
    clock.now = clock.now.replace(year=2027, month=1, day=10)
    repo = ctx.store.collection("experts")
    writes = []
    real = type(repo._h.storage).write
    monkeypatch.setattr(type(repo._h.storage), "write", lambda self, data: writes.append(1) or real(self, data))
    lines = len(ctx.store.audit.entries(collection="experts"))
    assert lifecycle.expire_terms(ctx) == 3
    assert len(writes) == 1
    assert len(ctx.store.audit.entries(collection="experts")) == lines + 3
    for expert_id in ids:
        assert expert(ctx, expert_id)["state"] == "期满退出"
        assert lifecycle.history(ctx, expert_id)[0]["workflow"] == "聘期届满"
    assert lifecycle.expire_terms(ctx) == 0

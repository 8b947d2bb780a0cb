"""Issue 12 “年度考核”: the whole year's list entered as one table (services.assessments.table_rows / save_table),
pre-filled from the year's records, checked row by row with the single form's rules (core.assessment.
check_assessment), saved all or nothing — JC-Y1 (附件6, 第十条(三)), YQ-Y1 (第二十三条(一)2、(二))."""
import pytest

from core.errors import PermissionDenied, ValidationError
from services import assessments, settings, training
from services.assessments import (COL_CONCLUSION, COL_ID, COL_NOTE, COL_REASON, COL_SELF_ITEMS, COL_SELF_RATINGS,
                                  COL_SERVICES, COL_STATUS, COL_TASKS, AssessmentTableError)
from services.context import build_context
from tests.conftest import ADMIN, DEPARTMENT, LEADER, OFFICE
from tests.factories import make_expert, seed_expert
from tests.unit.test_assessment_service import task  # a hand-made dispatched task of the active profile

YEAR = 2026
SPEC = "1.3"


def pool(ctx, n=3, spec=SPEC):
    policy = settings.active_policy(ctx)
    return [seed_expert(ctx, OFFICE, make_expert(policy, specialties=[spec], state="在库", name=f"专家{'甲乙丙丁戊'[i]}",
                                                 term_start="2025-01-01", term_end="2027-12-31", unit=f"某单位{i}"))
            for i in range(n)]


def fill(row, policy, rating=None, conclusion=None, **cells):
    """A table row filled in as the clerk would: every item rated, a conclusion, JC's self-evaluation."""
    a = policy.assessment
    row = dict(row)
    for item in a.items:
        row[item] = rating or a.item_ratings[1]
    row[COL_CONCLUSION] = conclusion or a.conclusions[0].label
    if a.self_evaluation:
        row[COL_SELF_ITEMS] = "发现重大隐患2处；提出整改建议5条"
        n = len([x for x in row[COL_TASKS].split("；") if x])
        row[COL_SELF_RATINGS] = "、".join(["良"] * n)
    row.update(cells)
    return row


def stored(ctx):
    keep = ("expert_id", "year", "services", "item_ratings", "item_notes", "conclusion", "conclusion_label",
            "proposes_dismissal", "dismissal_reason_number", "self_evaluation", "note", "assessed_by")
    return [{k: a.get(k) for k in keep} for a in ctx.store.collection("assessments").all()]


def proposals(ctx):
    return [{k: p.get(k) for k in ("expert_id", "reason_number", "text", "source", "status", "assessment_id")}
            for p in ctx.store.collection("proposals").all()]


def test_table_rows_are_prefilled_from_the_years_records_issue12_jc_y1(ctx):
    """Issue 12, JC-Y1: each row carries the year's services from the dispatch, evaluation and training records —
    the same summary the single-expert form shows (prefill) — and nothing else for an expert not yet assessed."""
    first, second, third = pool(ctx)
    task(ctx, first, "2025-10-09", rating="优", matter="通风检查")
    task(ctx, first, "2026-03-02", status="已拒绝", answered_on="2026-03-01", decline_justified=False)
    task(ctx, second, "2025-07-01", matter="危化品检查")
    task(ctx, third, "2024-12-01", matter="上一年度的检查")  # outside the period (2025-06-01 – 2026-05-31)
    training.record_session(ctx, OFFICE, {"title": "法规宣贯", "held_on": "2026-01-10", "hours": 4, "attendees": [first]})
    rows = assessments.table_rows(ctx, YEAR)
    assert [r[COL_ID] for r in rows] == [first, second, third]
    for row in rows:
        assert row[COL_SERVICES] == assessments.prefill(ctx, row[COL_ID], YEAR)["summary"]
        assert row[COL_STATUS] == "未考核" and row[COL_CONCLUSION] == "" and row[COL_SELF_ITEMS] == ""
    assert "无正当理由1次" in rows[0][COL_SERVICES] and "参加培训1次" in rows[0][COL_SERVICES]
    assert rows[0][COL_TASKS] == "1. 2025年10月9日 通风检查"
    assert rows[2][COL_TASKS] == "" and "上一年度" not in rows[2][COL_SERVICES]


def test_one_bad_row_saves_nothing_and_names_the_expert_and_the_field_issue12_jc_y1(ctx):
    """Issue 12, JC-Y1: all or nothing — two good rows and one without a conclusion: nothing is written (no
    assessment, no proposal, no audit line) and the error names the expert, the row and the column, in Chinese."""
    policy = settings.active_policy(ctx)
    pool(ctx)
    rows = assessments.table_rows(ctx, YEAR)
    audit_before = len(ctx.store.audit.entries(collection="assessments"))
    table = [fill(rows[0], policy, conclusion="建议解聘"), fill(rows[1], policy, **{COL_CONCLUSION: ""}),
             fill(rows[2], policy, **{policy.assessment.items[1]: "优秀"})]
    with pytest.raises(AssessmentTableError) as caught:
        assessments.save_table(ctx, OFFICE, YEAR, table)
    problems = caught.value.problems
    assert {(p["name"], p["field"]) for p in problems} == {("专家乙", "考核结论"), ("专家丙", "专家服务专业能力情况")}
    assert "专家乙（第2行）考核结论：请选择考核结论" in caught.value.message
    assert "专家丙（第3行）专家服务专业能力情况：考核项目“专家服务专业能力情况”的评定“优秀”不在优、良、中、差之内" \
        in caught.value.message
    assert ctx.store.collection("assessments").all() == [] and ctx.store.collection("proposals").all() == []
    assert len(ctx.store.audit.entries(collection="assessments")) == audit_before


def test_every_problem_of_a_row_is_listed_at_once_issue12(ctx):
    """Issue 12: a row's problems all come back together (the self-evaluation too), each with its column."""
    policy = settings.active_policy(ctx)
    first, _, _ = pool(ctx)
    task(ctx, first, "2025-10-09")
    row = assessments.table_rows(ctx, YEAR)[0]
    bad = fill(row, policy, **{COL_SELF_ITEMS: "", COL_SELF_RATINGS: "良、优", COL_NOTE: "说" * 501})
    with pytest.raises(AssessmentTableError) as caught:
        assessments.save_table(ctx, OFFICE, YEAR, [bad])
    fields = sorted(p["field"] for p in caught.value.problems)
    assert fields == sorted([COL_SELF_ITEMS, COL_SELF_RATINGS, COL_NOTE])


def test_the_table_gives_the_same_records_as_the_single_form_row_by_row_issue12_jc_y1(clock):
    """Issue 12, JC-Y1: saving a table gives exactly the assessments and dismissal proposals that saving the same
    entries expert by expert through the single form (assessments.save) gives."""
    results = []
    for way in ("table", "single"):
        ctx = build_context(None, clock=clock)
        policy = settings.active_policy(ctx)
        first, second, third = pool(ctx)
        aid = task(ctx, first, "2025-10-09", rating="良")
        rows = assessments.table_rows(ctx, YEAR)
        table = [fill(rows[0], policy, rating="优", **{COL_NOTE: "表现突出"}),
                 fill(rows[1], policy, conclusion="建议解聘", **{COL_NOTE: "能力较差"}),
                 fill(rows[2], policy, conclusion="继续观察使用")]
        if way == "table":
            out = assessments.save_table(ctx, OFFICE, YEAR, table)
            assert (out["saved"], out["corrected"], out["unchanged"]) == (3, 0, 0)
        else:
            items = policy.assessment.items
            for expert_id, rating, conclusion, note, own in ((first, "优", "continue", "表现突出", {str(aid): "良"}),
                                                             (second, "良", "dismiss", "能力较差", {}),
                                                             (third, "良", "observe", "", {})):
                assessments.save(ctx, OFFICE, expert_id, YEAR, {
                    "item_ratings": {i: rating for i in items}, "item_notes": {}, "conclusion": conclusion,
                    "dismissal_reason_number": 3, "note": note,
                    "self_evaluation": {"items": "发现重大隐患2处\n提出整改建议5条", "comment": "",
                                        "service_ratings": own}})
        actions = [e["action"] for e in ctx.store.audit.entries(collection="assessments")]
        results.append((stored(ctx), proposals(ctx), actions))
    assert results[0] == results[1]
    assert results[0][2] == ["履职考核"] * 3 and results[0][1][0]["source"] == "年度考核"


def test_saving_the_same_table_again_writes_nothing_and_a_changed_row_is_a_correction_issue12_jc_y1(ctx):
    """Issue 12, JC-Y1 — decided: a second save of the same table is idempotent (rows equal to the saved
    assessment are skipped: no write, no audit line); a row that changed is a correction, written and audited
    “更正履职考核” exactly as the single form's correction."""
    policy = settings.active_policy(ctx)
    pool(ctx, 2)
    rows = assessments.table_rows(ctx, YEAR)
    table = [fill(r, policy) for r in rows]
    assessments.save_table(ctx, OFFICE, YEAR, table)
    audit = len(ctx.store.audit.entries(collection="assessments"))
    again = assessments.save_table(ctx, OFFICE, YEAR, table)
    assert (again["saved"], again["corrected"], again["unchanged"]) == (0, 0, 2)
    assert len(ctx.store.audit.entries(collection="assessments")) == audit
    # the table as it now shows (pre-filled from the saved records) also saves as nothing
    shown = assessments.table_rows(ctx, YEAR)
    assert [r[COL_STATUS] for r in shown] == ["已考核", "已考核"]
    assert assessments.save_table(ctx, OFFICE, YEAR, shown)["unchanged"] == 2
    shown[1][COL_CONCLUSION] = "继续观察使用"
    out = assessments.save_table(ctx, OFFICE, YEAR, shown)
    assert (out["saved"], out["corrected"]) == (0, 1)
    assert [e["action"] for e in ctx.store.audit.entries(collection="assessments")][-1] == "更正履职考核"
    saved = assessments.get(ctx, shown[1][COL_ID], YEAR)
    assert saved["conclusion"] == "observe" and saved["corrected_from"]["conclusion"] == "continue"
    assert len(ctx.store.collection("assessments").all()) == 2


def test_empty_rows_stay_unassessed_and_the_item_notes_of_the_single_form_are_kept_issue12(ctx):
    """Issue 12: rows left empty are not errors (the rest of the list is entered later); a saved assessment's
    per-item 考核情况 (entered in the single form, not shown in the table) survives a table correction."""
    policy = settings.active_policy(ctx)
    first, second, _ = pool(ctx)
    data = {"item_ratings": {i: "良" for i in policy.assessment.items}, "conclusion": "continue",
            "item_notes": {policy.assessment.items[0]: "按时到岗"},
            "self_evaluation": {"items": ["业绩一"], "comment": "", "service_ratings": {}}}
    assessments.save(ctx, OFFICE, first, YEAR, data)
    rows = assessments.table_rows(ctx, YEAR)
    rows[0][COL_NOTE] = "补充说明"
    out = assessments.save_table(ctx, OFFICE, YEAR, rows)
    assert (out["saved"], out["corrected"], out["unchanged"]) == (0, 1, 2)
    saved = assessments.get(ctx, first, YEAR)
    assert saved["note"] == "补充说明" and saved["item_notes"] == {policy.assessment.items[0]: "按时到岗"}
    assert assessments.get(ctx, second, YEAR) is None


@pytest.mark.parametrize("actor", [DEPARTMENT, LEADER], ids=["使用科室", "领导"])
def test_a_department_or_leader_is_refused_by_the_service_issue12_jc_y1(ctx, actor):
    """Issue 12, JC-Y1: the role check sits in the service — 使用科室 and 领导 cannot save the table."""
    policy = settings.active_policy(ctx)
    pool(ctx, 1)
    table = [fill(r, policy) for r in assessments.table_rows(ctx, YEAR)]
    with pytest.raises(PermissionDenied):
        assessments.save_table(ctx, actor, YEAR, table)
    assert ctx.store.collection("assessments").all() == []
    assert assessments.save_table(ctx, ADMIN, YEAR, table)["saved"] == 1


@pytest.mark.parametrize("change, message", [
    (lambda r: r.update({"state": "在库"}), "表格中没有“state”这一栏"),
    (lambda r: r.update({COL_ID: 99999}), "不在2026年度履职考核名单中"),
    (lambda r: r.update({COL_NOTE: 12}), "考核意见说明应为文字"),
    (lambda r: r.update({COL_NOTE: "a\u202eb"}), "文字方向控制字符"),
    (lambda r: r.update({COL_SELF_ITEMS: "长" * 2001}), "专家自评业绩不能超过2000个字"),
    (lambda r: r.update({COL_REASON: "（十一）随便写的"}), "解聘情形应为"),
], ids=["unknown column", "not on the list", "not text", "bidi", "too long", "reason"])
def test_the_service_whitelists_columns_and_limits_cells_issue12(ctx, change, message):
    """Issue 12: input whitelisting and limits are the service's — unknown columns, experts not on the list,
    non-text cells, invisible characters and floods are refused, naming the row; nothing saved."""
    policy = settings.active_policy(ctx)
    pool(ctx, 1)
    row = fill(assessments.table_rows(ctx, YEAR)[0], policy, conclusion="建议解聘")
    change(row)
    with pytest.raises(ValidationError, match=message):
        assessments.save_table(ctx, OFFICE, YEAR, [row])
    assert ctx.store.collection("assessments").all() == []


def test_an_expert_twice_in_the_table_is_refused_issue12(ctx):
    policy = settings.active_policy(ctx)
    pool(ctx, 1)
    row = fill(assessments.table_rows(ctx, YEAR)[0], policy)
    with pytest.raises(AssessmentTableError, match="同一位专家在表格中出现了两次"):
        assessments.save_table(ctx, OFFICE, YEAR, [row, dict(row)])
    assert ctx.store.collection("assessments").all() == []


def test_the_yq_table_lists_the_dispatched_experts_and_raises_one_removal_proposal_issue12_yq_y1(ctx):
    """Issue 12, YQ-Y1: 阳泉's table covers the experts dispatched in the year, has no self-evaluation, and a
    提出清退意见 row raises the one proposal the single form raises."""
    settings.set_active_policy(ctx, ADMIN, "yangquan-2024")
    policy = settings.active_policy(ctx)
    first, second, _ = pool(ctx, spec=policy.taxonomy.all_specialty_codes()[0])
    task(ctx, first, "2025-08-01", rating="一般")
    rows = assessments.table_rows(ctx, YEAR)
    assert [r[COL_ID] for r in rows] == [first] and COL_SELF_ITEMS not in rows[0]
    assert "使用科室评价：一般1次" in rows[0][COL_SERVICES]
    out = assessments.save_table(ctx, OFFICE, YEAR, [fill(rows[0], policy, rating="较差", conclusion="提出清退意见")])
    assert out["saved"] == 1
    assert [(p["expert_id"], p["reason_number"], p["source"]) for p in proposals(ctx)] == [(first, 9, "年度考核")]
    assert assessments.results(ctx, YEAR)[0]["line"]["conclusion"] == "提出清退意见"

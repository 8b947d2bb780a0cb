"""年度考核 forms — JC 附件6 履职考核表 and the results list (JC 考核结果汇总表 / YQ 年度考评结果) — rendered through the
services from saved records and reopened with python-docx: every field in its cell, the conclusion ticked, user
text literal (& < {{ and line breaks), no tags left; the zip of all 附件6; the sample contexts of X-W2 (JC-Y1,
YQ-Y1, JC-W1, X-W1)."""
from __future__ import annotations

import io
import zipfile
from datetime import date

import docx
import pytest

import forms
from services import assessments, experts, forms_service, settings, training
from tests.conftest import ADMIN, OFFICE
from tests.factories import make_expert, seed_expert

TRICKY = "检查 A&B 公司 <重点> {{ 不是标签 }} {% 也不是 %}\n第二行"


def _xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("word/document.xml").decode("utf-8")


def _cells(data: bytes) -> list[str]:
    d = docx.Document(io.BytesIO(data))
    return [c.text for t in d.tables for row in t.rows for c in row.cells]


def _pool(ctx, n=2):
    policy = settings.active_policy(ctx)
    spec = policy.taxonomy.all_specialty_codes()[0]
    return [seed_expert(ctx, OFFICE, make_expert(policy, specialties=[spec], state="在库", name=f"考核专家{i}",
                                                           unit=f"某&<单位>{i}", term_start="2025-01-01",
                                                           term_end="2027-12-31")) for i in range(n)]


def _task(ctx, expert_id, start, matter, rating=None):
    pid = settings.active_policy(ctx).id
    rid = ctx.store.collection("requests").insert({"policy_id": pid, "matter": matter, "department": "煤矿科",
                                                   "start": start, "end": start, "status": "已完成"},
                                                  actor="t", action="t")
    aid = ctx.store.collection("assignments").insert({"policy_id": pid, "request_id": rid, "expert_id": expert_id,
                                                      "status": "已完成", "start": start, "end": start,
                                                      "days_worked": 1}, actor="t", action="t")
    if rating:
        ctx.store.collection("evaluations").insert({"policy_id": pid, "request_id": rid,
                                                    "ratings": [{"expert_id": expert_id, "overall": rating}]},
                                                   actor="t", action="t")
    return aid


def test_jc_fj6_prints_the_services_self_evaluation_ratings_and_the_ticked_conclusion_jc_y1(disk_ctx):
    ctx = disk_ctx
    first, _ = _pool(ctx)
    aid = _task(ctx, first, "2025-10-09", TRICKY, rating="优")
    training.record_session(ctx, OFFICE, {"title": "法规<宣贯>", "held_on": "2026-01-10", "hours": 2,
                                          "attendees": [first]})
    a = settings.active_policy(ctx).assessment
    assessments.save(ctx, OFFICE, first, 2026, {
        "item_ratings": {item: "中" for item in a.items}, "item_notes": {a.items[0]: "守时 & 守信"},
        "conclusion": "observe", "note": "继续观察\n一年",
        "self_evaluation": {"items": ["业绩一 <A&B>", "业绩二 {{ x }}"], "comment": "评述\n第二行",
                            "service_ratings": {str(aid): "良"}}})
    name, data = assessments.fj6_form(ctx, first, 2026)
    assert name.startswith("附件6_晋城市安全生产和应急管理专家履职考核表_考核专家0_2026年度") and name.endswith(".docx")
    document = docx.Document(io.BytesIO(data))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "附件6" in body and "晋城市安全生产和应急管理专家履职考核表" in body
    cells = _cells(data)
    joined = "\n".join(cells)
    assert "考核专家0" in cells and "2025年10月9日" in cells
    assert "检查 A&B 公司 <重点> {{ 不是标签 }} {% 也不是 %}\n第二行（煤矿科）" in cells
    assert "参加专家培训：法规<宣贯>" in cells
    assert "1. 业绩一 <A&B>\n2. 业绩二 {{ x }}" in joined and "评述\n第二行" in joined
    # the first item's 考核结论 cell holds the annex's hint above the rating (issue 12), the other five the rating
    assert "良" in cells and cells.count("中") == 5 and "(填写“优、良、中、差”,以下同)\n中" in cells
    assert "守时 & 守信" in cells
    assert ("(专家素质作风过硬可以继续使用;专家素质作风尚可可以继续观察使用;专家能力较差或存在解聘退出情形建议解聘)"
            "\n继续观察\n一年") in cells
    assert "☐继续使用\n☑继续观察使用\n☐建议解聘" in cells
    assert "继续观察\n一年" in joined and "专家签字:" in joined and "(签字)" in joined
    assert "2025年6月1日至2026年5月31日" in joined and "使用科室评价：优1次" in joined
    xml = _xml(data)
    assert "{{" not in xml.replace("{{ 不是标签 }}", "").replace("{{ x }}", "") and "{%" not in xml.replace("{% 也不是 %}", "")


def test_a_blank_fj6_is_prefilled_before_the_assessment_and_all_come_in_one_zip(disk_ctx):
    ctx = disk_ctx
    first, second = _pool(ctx)
    _task(ctx, second, "2026-05-31", "最后一天的任务")
    _, data = assessments.fj6_form(ctx, second, 2026)
    cells = _cells(data)
    assert "最后一天的任务（煤矿科）" in cells and "2026年5月31日" in cells
    assert "☐继续使用\n☐继续观察使用\n☐建议解聘" in cells
    archive = zipfile.ZipFile(io.BytesIO(assessments.fj6_zip(ctx, 2026)))
    assert len(archive.namelist()) == 2 and all(n.endswith(".docx") for n in archive.namelist())


def test_the_jc_results_list_has_a_line_per_expert_and_the_counts_jc_y1(disk_ctx):
    ctx = disk_ctx
    first, second = _pool(ctx)
    _task(ctx, first, "2025-10-09", "检查", rating="良")
    a = settings.active_policy(ctx).assessment
    for expert_id, key in ((first, "continue"), (second, "dismiss")):
        services = assessments.prefill(ctx, expert_id, 2026)["services"]
        assessments.save(ctx, OFFICE, expert_id, 2026, {
            "item_ratings": {item: "优" for item in a.items}, "conclusion": key, "note": TRICKY,
            "self_evaluation": {"items": ["业绩"], "service_ratings": {str(t["assignment_id"]): "优"
                                                                      for t in services["tasks"]}}})
    name, data = assessments.results_form(ctx, 2026)
    assert name == "晋城市安全生产和应急管理专家履职考核结果汇总表_2026年度.docx"
    body = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "晋城市安全生产和应急管理专家履职考核结果汇总表" in body
    assert "共履职考核2人，其中继续使用1人、继续观察使用0人、建议解聘1人。" in body and "存档" in body
    cells = _cells(data)
    assert "考核专家0" in cells and "某&<单位>0" in cells and "建议解聘" in cells and TRICKY in cells
    assert "专家服务态度及诚信情况：优" in "\n".join(cells) and "良1" in cells


def test_the_yq_results_list_is_titled_from_its_profile_and_says_it_is_published_yq_y1(disk_ctx):
    ctx = disk_ctx
    settings.set_active_policy(ctx, ADMIN, "yangquan-2024")
    first, _ = _pool(ctx)
    _task(ctx, first, "2025-08-01", "检查", rating="优秀")
    items = settings.active_policy(ctx).assessment.items
    assessments.save(ctx, OFFICE, first, 2026, {"item_ratings": {i: "良好" for i in items}, "conclusion": "continue"})
    name, data = assessments.results_form(ctx, 2026)
    assert name.startswith("阳泉市应急管理和安全生产专家年度考评结果")
    body = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "阳泉市应急管理和安全生产专家年度考评结果" in body and "2026年度考评" in body and "予以公布" in body
    assert "继续聘用" in _cells(data) and "优秀1" in _cells(data)


@pytest.mark.parametrize("policy_id", ["jincheng-2026", "yangquan-2024"])
def test_the_sample_contexts_fill_the_templates_x_w2(ctx, policy_id):
    policy = ctx.policies[policy_id]
    report = {s.form_id: s for s in forms_service.template_report(policy, date(2026, 6, 15))}
    for form_id in (policy.assessment.form_id, policy.assessment.results_form_id):
        if form_id:
            assert report[form_id].supported and report[form_id].ok, report[form_id].problems
            assert not report[form_id].missing


def test_the_templates_declare_only_fields_the_contexts_supply(ctx):
    policy = ctx.policies["jincheng-2026"]
    for form_id in ("jc_fj6", "jc_assessment_results"):
        context, _ = assessments.sample_form_context(policy, form_id, date(2026, 6, 15))
        assert forms.template_fields(policy.form(form_id).template) <= set(context)

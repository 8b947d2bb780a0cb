"""服务评价与帮扶表单 — JC 附件8 服务质量登记表 (7 experts continue on a second page), YQ 附表五 with its ratings,
附表六 工作记录卡 and the 帮扶问题隐患及建议移交书 — built by services/evaluations.py from a stored task, reopened with
python-docx: fields in their cells, ☑/☐ decided in Python, 注1–4 word for word, user text with & < {{ and line
breaks literal, no tags left (JC-V1, YQ-V1, X-W1, X-W2)."""
from __future__ import annotations

import io
import zipfile
from datetime import date

import docx
import pytest

from core.forms_service_records import JC_FJ8_NOTES
from services import evaluations, experts, forms_service, settings
from tests.conftest import ADMIN, OFFICE
from tests.factories import make_expert, seed_expert
from tests.unit.test_evaluations_service import at, make_dispatched

TRICKY = "检查 A&B 公司 <重点> {{ 不是标签 }}\n第二行"


def open_docx(data: bytes):
    return docx.Document(io.BytesIO(data))


def body_xml(data: bytes) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")


def all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def no_tags_left(data: bytes) -> None:
    xml = body_xml(data)
    for literal in ("{{ 不是标签 }}", "{{ 一 }}"):  # user text, printed as typed
        xml = xml.replace(literal, "")
    assert "{%" not in xml and "{{" not in xml


def pool(ctx, n):
    policy = settings.active_policy(ctx)
    spec = policy.taxonomy.all_specialty_codes()[0]
    for i in range(n):
        seed_expert(ctx, OFFICE, make_expert(policy, specialties=[spec], state="在库", term_start="2025-01-01",
                                                       term_end="2028-12-31", unit=f"某单位{i}", name=f"专家{chr(0x4e00 + i)}"))


def finished(ctx, clock, count, **kw):
    rid = make_dispatched(ctx, clock, count=count, **kw)
    at(clock, 2026, 12, 4)
    rows = [p["assignment_id"] for p in evaluations.participants(ctx, rid)]
    evaluations.complete_task(ctx, OFFICE, rid, days={a: 3 for a in rows}, work_summary=TRICKY)
    return rid


def test_jc_fj8_with_seven_experts_continues_on_a_second_page_jc_v1(ctx, clock):
    pool(ctx, 7)
    rid = finished(ctx, clock, 7)
    people = evaluations.participants(ctx, rid)
    data = {"ratings": [{"expert_id": p["expert_id"], "overall": "优" if i == 0 else ("良" if i % 2 else "一般"),
                         "indicators": {"1": "是", "2": "好", "3": "一般", "4": "好", "5": "是", "6": "否", "7": "是"},
                         "reason": "发现 <重大> 隐患 & 提出方案" if i == 0 else ""} for i, p in enumerate(people)],
            "meaningful_items": ["事项 {{ 一 }}", "事项二\n续行"]}
    evaluations.evaluate(ctx, OFFICE, rid, data)
    name, build = next((f, b) for t, f, b in evaluations.forms_for_task(ctx, rid) if "附件8" in t)
    assert name.endswith(".docx")
    raw = build()
    document = open_docx(raw)
    assert len(document.tables) == 2  # five expert columns a page: 5 + 2
    first, second = document.tables
    names_row = [c.text for c in first.rows[3].cells]
    assert names_row[2:] == [p["name"] for p in people[:5]]
    assert [c.text for c in second.rows[1].cells][2:] == [people[5]["name"], people[6]["name"], "", "", ""]
    texts = all_text(document)
    assert "续表 第2页，共2页" in texts and "专家第6–7人" in texts
    assert "优☑ 良☐\n一般☐ 较差☐" in [c.text for c in first.rows[12].cells]  # indicator 8 of the first expert
    assert first.rows[5].cells[2].text == "是☑ 否☐" and first.rows[7].cells[3].text == "好☐ 一般☑\n不好☐"
    # the first page carries 工作天数 and the work record, the last page the items, signatures and 备注
    assert "主要工作\n事项记录" in [c.text for c in first.rows[2].cells]
    assert TRICKY in [c.text for c in first.rows[2].cells]
    assert "工作天数\n及起止时间" not in [c.text for c in second.rows[1].cells]
    assert "1.事项 {{ 一 }}\n2.事项二\n续行" in [c.text for c in second.rows[-3].cells]
    assert f"{people[0]['name']}：发现 <重大> 隐患 & 提出方案" in [c.text for c in second.rows[-1].cells]
    for note in JC_FJ8_NOTES:
        assert note in texts
    assert texts.count("注:") == 1
    assert body_xml(raw).count('w:type="page"') == 1
    no_tags_left(raw)


def test_jc_fj8_prints_blank_boxes_before_the_evaluation(ctx, clock):
    pool(ctx, 2)
    rid = finished(ctx, clock, 2)
    document = open_docx(evaluations.jc_fj8_form(ctx, rid)[1])
    assert len(document.tables) == 1
    assert document.tables[0].rows[5].cells[2].text == "是☐ 否☐"


def test_yq_fb5_prints_the_ratings_of_the_evaluation_yq_v1(ctx, clock):
    settings.set_active_policy(ctx, ADMIN, "yangquan-2024")
    pool(ctx, 2)
    rid = finished(ctx, clock, 2)
    people = evaluations.participants(ctx, rid)
    evaluations.evaluate(ctx, OFFICE, rid, {"ratings": [
        {"expert_id": people[0]["expert_id"], "overall": "优秀"},
        {"expert_id": people[1]["expert_id"], "overall": "一般", "reason": "迟到"}]})
    document = open_docx(evaluations.dispatch_slip_with_ratings(ctx, rid)[1])
    cells = [c.text for row in document.tables[0].rows for c in row.cells]
    assert "☑优秀 ☐良好 ☐一般 ☐较差" in cells and "☐优秀 ☐良好 ☑一般 ☐较差" in cells


def test_yq_fb6_work_card_prints_the_returned_card_literally_yq_v1(ctx, clock):
    settings.set_active_policy(ctx, ADMIN, "yangquan-2024")
    pool(ctx, 2)
    rid = finished(ctx, clock, 2)
    first = evaluations.participants(ctx, rid)[0]
    blank = open_docx(evaluations.work_card_form(ctx, first["assignment_id"])[1])
    assert "交回日期：　　　　年　　月　　日" in all_text(blank)
    evaluations.record_work_card(ctx, OFFICE, first["assignment_id"],
                                 {"matter": "通风检查", "situation": TRICKY, "returned_on": "2026-12-04"})
    name, raw = evaluations.work_card_form(ctx, first["assignment_id"])
    assert "附表六" in name and first["name"] in name
    document = open_docx(raw)
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells][:2] == ["姓　名", first["name"]]
    assert table.rows[1].cells[1].text == "通风检查"
    assert table.rows[2].cells[0].text == "工作情况：\n" + TRICKY
    assert "交回日期：2026年12月4日" in all_text(document) and document.paragraphs[0].text == "附表六："
    no_tags_left(raw)


def test_the_assistance_letter_lists_problems_and_the_stop_work_report(ctx, clock):
    settings.set_active_policy(ctx, ADMIN, "yangquan-2024")
    pool(ctx, 2)
    rid = make_dispatched(ctx, clock, count=2)
    at(clock, 2026, 12, 2)
    aid = evaluations.report_urgent(ctx, OFFICE, rid, "提升机制动失效 & 撤人")
    evaluations.record_assistance(ctx, OFFICE, rid, {
        "assistance_id": aid, "enterprise": "某煤业<有限>公司", "handed_over_on": "2026-12-02",
        "items": [{"problem": TRICKY, "suggestion": "更换闸瓦"}, {"problem": "风门失修"}]})
    name, raw = evaluations.assistance_form(ctx, aid)
    assert "移交书" in name
    document = open_docx(raw)
    texts = all_text(document)
    assert "某煤业<有限>公司：" in texts and "第十八条" in texts
    grid = document.tables[1]
    assert [c.text for c in grid.rows[1].cells] == ["1", TRICKY, "更换闸瓦"]
    assert [c.text for c in grid.rows[2].cells] == ["2", "风门失修", "—"]
    assert "停产撤人情况" in texts and "提升机制动失效 & 撤人" in texts and "市安委办" in texts
    assert "移交日期：2026年12月2日" in texts
    no_tags_left(raw)


def test_an_assistance_letter_without_a_stop_work_report_omits_that_section(ctx, clock):
    settings.set_active_policy(ctx, ADMIN, "yangquan-2024")
    pool(ctx, 1)
    rid = make_dispatched(ctx, clock, count=1)
    at(clock, 2026, 12, 2)
    aid = evaluations.record_assistance(ctx, OFFICE, rid, {"enterprise": "某煤业", "handed_over_on": "2026-12-02",
                                                           "items": [{"problem": "风门失修", "suggestion": "修复"}]})
    assert "停产撤人情况" not in all_text(open_docx(evaluations.assistance_form(ctx, aid)[1]))


@pytest.mark.parametrize("policy_id, form_ids", [("jincheng-2026", ("jc_fj8",)),
                                                 ("yangquan-2024", ("yq_fb6", "yq_assistance"))])
def test_the_template_report_fills_these_forms_without_problems_x_w2(ctx, policy_id, form_ids):
    report = {s.form_id: s for s in forms_service.template_report(ctx.policies[policy_id], date(2026, 11, 25))}
    for form_id in form_ids:
        status = report[form_id]
        assert status.exists and status.supported and status.ok, status.problems
        assert status.missing == ()

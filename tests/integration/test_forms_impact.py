"""政策调整影响分析: the Word briefing and the Excel workbook of a what-if, reopened and read back — X-P3."""
from __future__ import annotations

import io
import zipfile
from datetime import date

import docx
import openpyxl
import pytest

import forms
from services import impact, policy_variants, settings
from tests.conftest import ADMIN, OFFICE
from tests.factories import real_policies

YQ = "yangquan-2024"
ODD = "张三 & <李四> {{ x }}"


def _insert(ctx, name: str, doc: dict) -> int:
    return ctx.store.collection(name).insert(doc, actor="t", action="测试", unique=())


@pytest.fixture
def result(ctx):
    """Yangquan active: a 62-year-old man with an odd name (in the pool), a finished task for a department whose
    name has a line break, and the variant “age cap 60 → 65, 350 yuan a day” compared with it."""
    settings.set_active_policy(ctx, ADMIN, YQ)
    old = _insert(ctx, "experts", {"policy_id": YQ, "name": ODD, "gender": "男", "birth_date": "1964-03-01",
                                   "state": "在库", "expert_kind": "普通专家", "education": "本科",
                                   "title_level": "副高级", "years_in_field": 20, "specialties": ["4.1"],
                                   "unit": "某煤业", "id_number": "x1"})
    rid = _insert(ctx, "requests", {"policy_id": YQ, "department": "=煤矿科\n二组", "matter": "检查", "start": "2026-03-02",
                                    "end": "2026-03-03", "outside_city": False, "status": "已委派"})
    _insert(ctx, "assignments", {"request_id": rid, "expert_id": old, "policy_id": YQ, "status": "已完成",
                                 "start": "2026-03-02", "end": "2026-03-03"})
    vid = policy_variants.save_variant(ctx, OFFICE, YQ, "年龄65 & 日标准350", "note",
                                       {"eligibility.age_limits.0.max_age": 65, "fees.rate_versions.0.daily_rate": 350})
    return impact.compute(ctx, OFFICE, f"variant:{vid}", period=2026)


def test_x_p3_the_word_briefing_reopens_with_the_changes_people_fees_and_author(ctx, result):
    name, data = impact.briefing(ctx, OFFICE, result)
    assert name.endswith("_20261125.docx")
    document = docx.Document(io.BytesIO(data))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "政策调整影响分析" in body
    assert "制作人：办公室乙" in body and "日期：2026年11月25日" in body
    tables = document.tables
    info = [c.text for c in tables[0].rows[0].cells] + [c.text for c in tables[0].rows[1].cells]
    assert "现行：阳泉市 2024" in info and any("年龄65 & 日标准350" in t for t in info)
    changes = [[c.text for c in row.cells] for row in tables[1].rows[1:]]
    assert ["1", changes[0][1], "60", "65"] == changes[0] and "年龄上限" in changes[0][1]
    assert changes[1][2:] == ["未规定", "350.00 元"] and "劳务报酬" in changes[1][1]
    texts = [[c.text for c in row.cells] for t in tables for row in t.rows]
    flip = next(row for row in texts if ODD in row)
    assert "变为符合" in flip and any("超过60周岁" in cell for cell in flip)
    fee = next(row for row in texts if row and row[0].startswith("=煤矿科"))
    assert fee[0] == "=煤矿科\n二组" and fee[1] == "无法计算" and fee[2] == "700.00"
    total = next(row for row in texts if row and row[0] == "合计")
    assert total[1:] == ["无法计算", "700.00", "—"]
    assert "本地设置" in "\n".join(p.text for p in document.paragraphs)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert "{%" not in xml and "{{ c." not in xml and "{{ f." not in xml
    assert "张三 &amp; &lt;李四&gt; {{ x }}" in xml  # the user's text, literally


def test_x_p3_the_excel_workbook_has_one_sheet_per_part(ctx, result):
    name, data = impact.excel(ctx, OFFICE, result)
    assert name.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["摘要", "参数变化", "资格变化", "专业无法对应", "行业领域人数", "申报变化", "后果变化", "劳务报酬"]
    summary = {r[0]: r[1] for r in book["摘要"].iter_rows(min_row=2, values_only=True)}
    assert summary["资格变为符合"] == "1人" and summary["制作人"] == "办公室乙"
    flips = list(book["资格变化"].iter_rows(min_row=2, values_only=True))
    assert flips[0][0] == ODD and flips[0][2] == "变为符合"
    fees = book["劳务报酬"]
    first = fees.cell(2, 1)
    assert first.value == "=煤矿科\n二组" and first.data_type == "s"  # text, never a formula
    assert fees.cell(2, 3).value == 700.0
    changes = [r[1] for r in book["参数变化"].iter_rows(min_row=2, values_only=True)]
    assert "eligibility.age_limits.0.max_age" in changes


def test_the_briefing_template_renders_the_sample_of_each_profile():
    for policy in real_policies().values():
        context = impact.sample_briefing_context(policy, date(2026, 6, 15))
        data = forms.render(impact.TEMPLATE, context)
        assert not forms.check_template(impact.TEMPLATE, context)
        document = docx.Document(io.BytesIO(data))
        assert any("样例" in p.text for p in document.paragraphs)


def test_a_profile_listing_the_briefing_as_a_form_gets_its_sample_for_the_template_checks():
    """Once a profile's [[forms]] names the briefing template, services.forms_service can take its sample from
    services.impact.sample_form_context (the lead wires the module into EXTRA_SAMPLE_MODULES)."""
    from core.policy import policy_from_data

    for policy in real_policies().values():
        data = policy.model_dump()
        form_id = f"{policy.id.split('-')[0][:2]}_impact_briefing"
        data["forms"] = list(data["forms"]) + [{"id": form_id, "annex": "本地表单", "title": "政策调整影响分析",
                                                "template": impact.TEMPLATE, "source": "本地设置",
                                                "purpose": "政策推演的书面简报（X-P3）"}]
        listed = policy_from_data(data)
        context, images = impact.sample_form_context(listed, form_id, date(2026, 6, 15))
        assert images == {} and not forms.check_template(impact.TEMPLATE, context)
        assert impact.sample_form_context(listed, listed.forms[0].id, date(2026, 6, 15)) is None

"""政策规则说明 as Word (X-P1): rendered from the profile, reopened with python-docx, content checked."""
from __future__ import annotations

import io
import re
import zipfile

import docx
import pytest

import forms
from core.policy_doc import policy_sections
from services import policy_variants
from tests.conftest import OFFICE

W_TEXT = re.compile(r"\{\{|\}\}|\{%|%\}")


def reopen(data: bytes):
    return docx.Document(io.BytesIO(data))


def all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_the_template_exists_and_needs_only_what_the_context_gives():
    assert (forms.TEMPLATES_DIR / policy_variants.TEMPLATE).is_file()
    assert forms.template_fields(policy_variants.TEMPLATE) >= {"title", "subtitle", "variant_line", "sections"}


@pytest.mark.parametrize("policy_id", ["jincheng-2026", "yangquan-2024"])
def test_x_p1_the_profile_document_has_every_section_and_row_of_the_page(ctx, policy_id):
    name, data = policy_variants.profile_document(ctx, policy_id)
    assert name == f"政策规则说明_{ctx.policies[policy_id].short_name}_2026-11-25.docx"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert not W_TEXT.search(z.read("word/document.xml").decode("utf-8"))
    document = reopen(data)
    text = all_text(document)
    policy = ctx.policies[policy_id]
    assert document.paragraphs[0].text == "政策规则说明"
    assert policy.document_number in text
    sections = policy_sections(policy)
    assert len(document.tables) == len(sections)  # one table per section
    for table, section in zip(document.tables, sections):
        assert [c.text for c in table.rows[0].cells] == ["参数", "取值", "出处 / 本地设置"]
        assert len(table.rows) == 1 + len(section.rows)
        first = section.rows[0]
        assert [c.text for c in table.rows[1].cells] == [first.param, first.value, first.mark]
        assert f"、{section.title}" in text


def test_a_variant_document_marks_the_change_and_keeps_user_text_literal(ctx):
    note = "试算 & <比较> {{ x }} {% y %}\n第二行"
    variant_id = policy_variants.save_variant(ctx, OFFICE, "yangquan-2024", "男65 & <试算>", note,
                                              {"eligibility.age_limits.0.max_age": 65})
    name, data = policy_variants.profile_document(ctx, f"variant:{variant_id}")
    assert name.startswith("政策规则说明_男65 & _试算_")  # < > are not allowed in file names
    document = reopen(data)
    text = all_text(document)
    assert "策略变体“男65 & <试算>”" in text
    assert "试算 & <比较> {{ x }} {% y %}\n第二行" in text  # the line break is a real break, the tags literal
    rows = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    assert ["年龄上限「普通专家·男」 › 年龄上限", "65", "变体修改（原为 60）"] in rows

"""The printable taxonomy tables: JC 附件1《晋城市安全生产和应急管理专家类别划分表》and the YQ
《专家行业领域和专业范围分类表》, rendered from the real policy profiles and reopened with python-docx
(JC-W1, YQ-W1), user text kept literal (X-W1), template checks for staff edits (X-W2)."""
from __future__ import annotations

import importlib
import importlib.util
import io
import re
import shutil
import zipfile
from dataclasses import replace
from datetime import date

import docx
import pytest
from docx.oxml.ns import qn

import forms
from core.forms_context import cn_date, taxonomy_table_context
from forms import FormError, check_template, template_fields
from services.forms_service import taxonomy_filename, taxonomy_form, taxonomy_template
from tests.factories import FAKE_POLICY, FakeSector, FakeSpecialty, real_policies

render_module = importlib.import_module("forms.render")  # `forms.render` is the function

JC_TEMPLATE = "jc_fj1_专家类别划分表.docx"
YQ_TEMPLATE = "yq_flb_分类表.docx"
PRINTED = date(2026, 11, 25)


# --- helpers --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def policies():
    loaded = real_policies()
    assert {"jincheng-2026", "yangquan-2024"} <= set(loaded), "policies/*.toml 未能加载两个政策"
    return loaded


def reopen(data: bytes) -> docx.Document:
    return docx.Document(io.BytesIO(data))


def document_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("word/document.xml").decode("utf-8")


def rows_text(table) -> list[list[str]]:
    """Cell texts per row; a vertically merged cell reads as its first (top) cell."""
    return [[cell.text for cell in row.cells] for row in table.rows]


def cell_at(tr, column: int):
    """The <w:tc> covering grid `column` of a row (a cell may span several columns)."""
    position = 0
    for tc in tr.tc_lst:
        position += tc.grid_span
        if column < position:
            return tc
    raise IndexError(column)


def merge_starts(table, column: int) -> list[int]:
    """Row indexes where a merged block starts (or a plain cell stands) in grid `column`."""
    starts = []
    for i, row in enumerate(table._tbl.tr_lst):
        tc = cell_at(row, column)
        vmerge = tc.tcPr.find(qn("w:vMerge")) if tc.tcPr is not None else None
        if vmerge is None or vmerge.get(qn("w:val")) == "restart":
            starts.append(i)
    return starts


def render_taxonomy(policy, template: str) -> bytes:
    return forms.render(template, taxonomy_table_context(policy, printed_on=PRINTED))


def broken_template(tmp_path, monkeypatch, old: str, new: str) -> str:
    """A copy of the JC template with one tag changed, in a temporary templates folder."""
    folder = tmp_path / "templates_docx"
    folder.mkdir()
    shutil.copy(render_module.TEMPLATES_DIR / JC_TEMPLATE, folder / JC_TEMPLATE)
    document = docx.Document(folder / JC_TEMPLATE)
    changed = 0
    for t in document.element.body.iter(qn("w:t")):
        if t.text and old in t.text:
            t.text = t.text.replace(old, new)
            changed += 1
    assert changed, old
    document.save(folder / JC_TEMPLATE)
    monkeypatch.setattr(render_module, "TEMPLATES_DIR", folder)
    return JC_TEMPLATE


# --- JC 附件1 -------------------------------------------------------------------------------------------

def test_jc_w1_taxonomy_table_keeps_annex_label_title_and_header(policies):
    document = reopen(render_taxonomy(policies["jincheng-2026"], JC_TEMPLATE))
    texts = [p.text for p in document.paragraphs if p.text]
    assert texts[:2] == ["附件1", "晋城市安全生产和应急管理专家类别划分表"]
    assert len(document.tables) == 1
    assert rows_text(document.tables[0])[0] == ["专家类别", "行业领域", "专业分类", "入选人数\n控制", "备注"]


def test_jc_w1_every_specialty_sits_under_its_sector_with_cap_and_lead_department(policies):
    policy = policies["jincheng-2026"]
    table = reopen(render_taxonomy(policy, JC_TEMPLATE)).tables[0]
    by_specialty = {row[2]: row for row in rows_text(table)[1:-1]}
    assert len(by_specialty) == len(policy.taxonomy.all_specialty_codes()) == 86
    for sector in policy.taxonomy.sectors:
        for sp in sector.specialties:
            category, sector_label, _, cap, note = by_specialty[f"{sp.code} {sp.name}"]
            assert sector_label == f"{sector.code}.{sector.name}"
            assert cap == f"不超过{sector.cap}人"
            assert note == sector.lead_department
            assert category.endswith(sector.category)
    assert by_specialty["1.1 地质勘探、测量"][3] == "不超过80人"
    assert by_specialty["8.9 综合安全监督管理"][3] == "不超过20人"


def test_jc_w1_category_sector_cap_and_note_cells_are_merged_over_their_specialties(policies):
    policy = policies["jincheng-2026"]
    table = reopen(render_taxonomy(policy, JC_TEMPLATE)).tables[0]
    first_rows, row = [], 1
    for sector in policy.taxonomy.sectors:
        first_rows.append(row)
        row += len(sector.specialties)
    total_row = row
    for column in (1, 3, 4):  # 行业领域, 入选人数控制, 备注: one block per sector
        assert merge_starts(table, column) == [0, *first_rows, total_row]
    category_firsts = [first_rows[i] for i, s in enumerate(policy.taxonomy.sectors)
                       if i == 0 or s.category != policy.taxonomy.sectors[i - 1].category]
    assert merge_starts(table, 0) == [0, *category_firsts, total_row]  # 专家类别: one block per category
    assert [table.cell(r, 0).text for r in category_firsts] == ["一、安全生产类", "二、防灾、减灾、救灾类", "三、综合管理类"]


def test_jc_w1_last_row_is_the_pool_total(policies):
    table = reopen(render_taxonomy(policies["jincheng-2026"], JC_TEMPLATE)).tables[0]
    assert rows_text(table)[-1][0] == "合计"
    assert rows_text(table)[-1][3] == "不超过260人"


def test_x_w1_rendered_documents_have_no_leftover_tags_and_a_chinese_print_date(policies):
    for policy_id, template in (("jincheng-2026", JC_TEMPLATE), ("yangquan-2024", YQ_TEMPLATE)):
        data = render_taxonomy(policies[policy_id], template)
        xml = document_xml(data)
        assert "{{" not in xml and "{%" not in xml and "}}" not in xml and "%}" not in xml
        footer = reopen(data).sections[0].footer.paragraphs[0].text
        assert "打印日期：2026年11月25日" in footer
        assert policies[policy_id].document_number in footer


def test_x_w1_cell_properties_keep_schema_order_so_word_opens_without_repair(policies):
    data = render_taxonomy(policies["jincheng-2026"], JC_TEMPLATE)
    order = ["tcW", "gridSpan", "vMerge", "tcBorders", "shd", "vAlign"]
    for tcpr in reopen(data).element.body.iter(qn("w:tcPr")):
        tags = [child.tag.split("}")[1] for child in tcpr]
        assert tags == sorted(tags, key=order.index), tags


def test_x_w1_a_sector_is_kept_on_one_page(policies):
    """Rows of one 行业领域 keep with the next row; the table may break only where a new sector starts."""
    policy = policies["jincheng-2026"]
    table = reopen(render_taxonomy(policy, JC_TEMPLATE)).tables[0]
    keeps = [table.rows[i].cells[2].paragraphs[0].paragraph_format.keep_with_next for i in range(1, 14)]
    assert keeps == [True] * 12 + [None]  # 1.1 … 1.12 keep with the next; 1.13 closes 煤矿


# --- YQ 分类表 ------------------------------------------------------------------------------------------

def test_yq_w1_classification_table_lists_13_sectors_with_numbered_specialties(policies):
    policy = policies["yangquan-2024"]
    document = reopen(render_taxonomy(policy, YQ_TEMPLATE))
    assert [p.text for p in document.paragraphs if p.text] == ["专家行业领域和专业范围分类表"]
    table = document.tables[0]
    rows = rows_text(table)
    assert rows[0] == ["序号", "行业领域", "专业类别"]
    assert len(policy.taxonomy.sectors) == 13
    by_specialty = {row[2]: row for row in rows[1:]}
    assert len(by_specialty) == len(rows) - 1 == len(policy.taxonomy.all_specialty_codes())
    for sector in policy.taxonomy.sectors:
        for sp in sector.specialties:
            assert by_specialty[f"{sp.code} {sp.name}"][:2] == [sector.code, sector.name]
    eleven_three = next(row for label, row in by_specialty.items() if label.startswith("11.3 "))
    assert eleven_three[0] == "11"
    first_rows, row = [], 1
    for sector in policy.taxonomy.sectors:
        first_rows.append(row)
        row += len(sector.specialties)
    assert merge_starts(table, 0) == merge_starts(table, 1) == [0, *first_rows]


# --- X-W1 literal user text -----------------------------------------------------------------------------

def test_x_w1_markup_and_line_breaks_in_names_come_out_literally():
    tricky = "危化 & 烟花 <爆竹> {{ x }} {% if %}\n第二行"
    taxonomy = FAKE_POLICY.taxonomy
    sectors = (replace(taxonomy.sectors[0], name=tricky, lead_department="科室 A&B <甲> }}"),
               *taxonomy.sectors[1:],
               FakeSector("4", "其他", "综合管理类", 5, None, (FakeSpecialty("4.1", "x < y && z > 0"),)))
    policy = replace(FAKE_POLICY, taxonomy=replace(taxonomy, sectors=sectors))
    for template in (JC_TEMPLATE, YQ_TEMPLATE):
        data = forms.render(template, taxonomy_table_context(policy, printed_on=PRINTED))
        cells = {cell.text for row in reopen(data).tables[0].rows for cell in row.cells}
        assert "4.1 x < y && z > 0" in cells
        assert (f"1.{tricky}" if template == JC_TEMPLATE else tricky) in cells
        if template == JC_TEMPLATE:
            assert "科室 A&B <甲> }}" in cells


def test_x_w1_dates_are_written_the_chinese_way():
    assert cn_date(date(2026, 6, 5)) == "2026年6月5日"
    assert taxonomy_table_context(FAKE_POLICY, printed_on=date(2026, 12, 31))["printed_on"] == "2026年12月31日"


def test_jc_w1_context_numbers_categories_and_flags_where_each_block_starts():
    context = taxonomy_table_context(FAKE_POLICY, printed_on=PRINTED)
    assert [c["name"] for c in context["categories"]] == ["一、安全生产类", "二、综合管理类"]
    flags = [(sp["label"], sp["first_in_category"]) for c in context["categories"]
             for s in c["sectors"] for sp in s["specialties"]]
    assert [label for label, first in flags if first] == ["1.1 地质勘探、测量", "3.1 法律"]
    assert context["total_cap"] == "不超过260人"
    assert context["sectors"][0]["cap"] == "不超过80人"


# --- X-W2 template checks -------------------------------------------------------------------------------

def test_x_w2_template_fields_lists_what_each_template_needs():
    assert template_fields(JC_TEMPLATE) == {"title", "categories", "total_label", "total_cap",
                                            "document_number", "printed_on"}
    assert template_fields(YQ_TEMPLATE) == {"title", "sectors", "document_number", "printed_on"}


def test_x_w2_check_template_names_a_missing_field_in_chinese():
    context = taxonomy_table_context(FAKE_POLICY, printed_on=PRINTED)
    assert check_template(JC_TEMPLATE, context) == []
    del context["total_cap"]
    problems = check_template(JC_TEMPLATE, context)
    assert len(problems) == 1
    assert "total_cap" in problems[0] and "没有提供" in problems[0]


def test_x_w2_a_misspelt_field_in_an_edited_template_is_reported_and_refused(tmp_path, monkeypatch):
    name = broken_template(tmp_path, monkeypatch, "{{ sp.label }}", "{{ sp.lable }}")
    context = taxonomy_table_context(FAKE_POLICY, printed_on=PRINTED)
    problems = check_template(name, context)
    assert len(problems) == 1 and "「lable」" in problems[0]
    with pytest.raises(FormError, match="lable"):
        forms.render(name, context)


def test_x_w2_a_misspelt_tag_raises_form_error_in_chinese(tmp_path, monkeypatch):
    name = broken_template(tmp_path, monkeypatch, "{%tr endfor %}", "{%tr endfro %}")
    context = taxonomy_table_context(FAKE_POLICY, printed_on=PRINTED)
    with pytest.raises(FormError) as caught:
        forms.render(name, context)
    assert re.search(r"[\u4e00-\u9fff]", caught.value.message)
    assert "endfro" in caught.value.message
    assert check_template(name, context) == [caught.value.message]


def test_x_w2_a_missing_template_is_a_form_error():
    with pytest.raises(FormError, match="找不到表单模板"):
        forms.render("不存在的表.docx", {})
    with pytest.raises(FormError, match="不合法"):
        forms.render("../core/errors.py", {})


# --- services -------------------------------------------------------------------------------------------

def test_jc_w1_yq_w1_service_picks_the_policy_template_and_dates_the_file_name(policies):
    name, data = taxonomy_form(policies["jincheng-2026"], PRINTED)
    assert name == "晋城市专家类别划分表_20261125.docx"
    assert reopen(data).paragraphs[1].text == "晋城市安全生产和应急管理专家类别划分表"
    name, data = taxonomy_form(policies["yangquan-2024"], PRINTED)
    assert name == "阳泉市专家行业领域和专业范围分类表_20261125.docx"
    assert rows_text(reopen(data).tables[0])[0] == ["序号", "行业领域", "专业类别"]


def test_service_falls_back_on_the_taxonomy_shape_for_an_unknown_profile():
    flat = replace(FAKE_POLICY, id="other-2030", taxonomy=replace(FAKE_POLICY.taxonomy, categories=()))
    assert taxonomy_template(FAKE_POLICY) == JC_TEMPLATE
    assert taxonomy_template(flat) == YQ_TEMPLATE
    assert taxonomy_filename(FAKE_POLICY, PRINTED) == "测试市专家类别划分表_20261125.docx"


def test_x_w2_build_script_still_rebuilds_templates_with_the_committed_fields(tmp_path, monkeypatch):
    """templates_docx/build_templates.py is kept to rebuild the skeletons; it must not rot."""
    spec = importlib.util.spec_from_file_location("build_templates",
                                                  render_module.TEMPLATES_DIR / "build_templates.py")
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    built = builder.main(tmp_path)
    assert {JC_TEMPLATE, YQ_TEMPLATE} <= {path.name for path in built}
    committed = {path.name: template_fields(path.name) for path in built}  # every template the script makes
    monkeypatch.setattr(render_module, "TEMPLATES_DIR", tmp_path)
    assert {path.name: template_fields(path.name) for path in built} == committed

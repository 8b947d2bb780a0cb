"""劳务报酬结算表 (Word, forms jc_fee_statement / yq_fee_statement) and the statement Excel, rendered and reopened
(python-docx, openpyxl) — JC-F1, JC-F2, JC-F3, YQ-F1, X-W1: title from the profile, rows, totals with the amount in
capitals, each line's working, rate versions, basis; user text with `& < {{` and line breaks comes out literally.
"""
import io
import zipfile
from datetime import datetime, date
from decimal import Decimal

import docx
import pytest
from docx.enum.section import WD_ORIENT
from openpyxl import load_workbook

import forms
from core.fees import fee_lines, statement_by_department, statement_by_expert, statement_by_task
from core.forms_fees import cn_money_upper, fee_statement_context
from services import fees
from tests.factories import real_policies

POLICIES = real_policies()
JC = POLICIES["jincheng-2026"]
YQ = POLICIES["yangquan-2024"]
TODAY = date(2026, 12, 20)
TRICKY = "检查 & <复核> {{ x }} {% y %}\n第二行"
FORMULA = "=SUM(A1:A9)"


def data():
    reqs = [
        {"id": 1, "policy_id": JC.id, "department": "煤矿安全监督管理科", "matter": TRICKY, "outside_city": False,
         "start": "2026-12-01", "end": "2026-12-03", "status": "已完成"},
        {"id": 2, "policy_id": JC.id, "department": "危险化学品安全监督管理科", "matter": FORMULA, "outside_city": True,
         "start": "2026-12-03", "end": "2026-12-04", "status": "已完成"},
    ]
    exps = [{"id": 7, "name": "张<建>国", "unit": "某煤业公司", "is_public_servant": False},
            {"id": 8, "name": "李明", "unit": "危险化学品安全监督管理科", "is_public_servant": True},
            {"id": 9, "name": "王强", "unit": "某设计院", "is_public_servant": False}]
    asgs = [{"id": 1, "request_id": 1, "expert_id": 7, "status": "已完成"},
            {"id": 2, "request_id": 2, "expert_id": 7, "status": "已完成"},   # 12-03 already paid under #1
            {"id": 3, "request_id": 2, "expert_id": 8, "status": "已完成"},   # own unit: nothing
            {"id": 4, "request_id": 2, "expert_id": 9, "status": "已完成"}]
    return fee_lines(asgs, reqs, exps, JC)


def all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for t in document.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def rendered(stmt, found, **kw):
    data_ = fees.statement_form(stmt, found, JC, printed_on=TODAY, **kw)
    return data_, docx.Document(io.BytesIO(data_))


def test_cn_money_upper_writes_amounts_as_financial_forms_do():
    cases = {"0": "零元整", "1500": "壹仟伍佰元整", "1234.56": "壹仟贰佰叁拾肆元伍角陆分", "1050": "壹仟零伍拾元整",
             "100000": "壹拾万元整", "10005.08": "壹万零伍元零捌分", "300.5": "叁佰元伍角整", "0.07": "柒分",
             "20000300": "贰仟万零叁佰元整"}
    for amount, words in cases.items():
        assert cn_money_upper(Decimal(amount)) == words, amount


def test_jc_fee_statement_shows_rows_totals_working_and_rates_jc_f1_jc_f2_jc_f3():
    found = data()
    stmt = statement_by_task(found, period=2026)
    raw, document = rendered(stmt, found, scope="", prepared_by="办公室乙")
    text = all_text(document)
    assert "晋城市安全生产和应急管理专家劳务报酬结算表" in text
    assert "期间：2026年1月1日至2026年12月31日" in text and "汇总方式：按任务汇总" in text
    assert stmt.total.amount == Decimal("2400.00")  # 900; then 1 + 0 + 2 days × (300 + 150 + 50)
    assert "合计金额（大写）：人民币贰仟肆佰元整（¥2,400.00）" in text
    summary, working = document.tables[0], document.tables[1]
    assert [c.text for c in summary.rows[0].cells][:3] == ["序号", "使用事项（任务）", "工作日期"]
    assert [c.text for c in summary.rows[-1].cells][-1] == "2,400.00"
    assert len(working.rows) == 1 + len(found)
    cells = ["\n".join(c.text for c in row.cells) for row in working.rows[1:]]
    assert any("3天 × 300.00元 = 900.00元（2026年6月5日起标准）" in c for c in cells)
    assert any("公职人员从事本单位业务不领取劳务报酬（第十六条(二)）" in c for c in cells)
    assert any("同一时间参与多项技术服务，只按一项发放（第十六条(三)）" in c for c in cells)
    assert "2026年6月5日起：劳务报酬300.00元/人/工作日；跨市服务另加住宿费150.00元、伙食补助费50.00元" in text
    assert "《晋城市市级政府资金购买中介服务付费管理办法》" in text and "制表人：办公室乙" in text
    assert document.sections[0].orientation == WD_ORIENT.LANDSCAPE


def test_user_text_comes_out_literally_with_its_line_break_x_w1():
    found = data()
    raw, document = rendered(statement_by_task(found, period=2026), found)
    text = all_text(document)
    assert "检查 & <复核> {{ x }} {% y %}" in text and "张<建>国" in text
    first_task = document.tables[0].rows[1].cells[1]  # the header, then the rows (tag rows are gone)
    assert first_task.text == "检查 & <复核> {{ x }} {% y %}\n第二行"
    xml = zipfile.ZipFile(io.BytesIO(raw)).read("word/document.xml").decode()
    assert "{%tr" not in xml and "{{ r." not in xml and "{{ total" not in xml


@pytest.mark.parametrize("builder, label", [(statement_by_expert, "专家姓名"), (statement_by_department, "使用科室（单位）")])
def test_the_statement_by_expert_or_department_labels_its_rows(builder, label):
    found = data()
    _, document = rendered(builder(found, period=2026), found, scope="危险化学品安全监督管理科")
    assert document.tables[0].rows[0].cells[1].text == label
    assert "范围：危险化学品安全监督管理科" in all_text(document)


def test_the_statement_excel_has_rows_total_and_each_lines_working_as_text():
    found = data()
    stmt = statement_by_department(found, period=2026)
    wb = load_workbook(io.BytesIO(fees.statement_xlsx_bytes(stmt, found, JC, scope="")))
    assert wb.sheetnames == ["报酬明细", "计算过程", "说明"]
    ws = wb["报酬明细"]
    assert ws["A1"].value == "使用科室（单位）" and ws["M1"].value == "合计（元）" and ws["A1"].font.b
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == ["危险化学品安全监督管理科", "煤矿安全监督管理科", "合计"]
    assert rows[-1][12] == 2400 and ws.cell(row=2, column=13).number_format == "#,##0.00"
    assert ws.freeze_panes == "A2"
    ws2 = wb["计算过程"]
    lines = list(ws2.iter_rows(min_row=2, values_only=True))
    assert len(lines) == len(found)
    by_matter = {r[2]: r for r in lines}
    assert TRICKY in by_matter and FORMULA in by_matter
    formula_cell = next(c for c in ws2["C"] if c.value == FORMULA)
    assert formula_cell.data_type == "s"  # text, never a formula
    assert by_matter[TRICKY][16] == "3天 × 300.00元 = 900.00元（2026年6月5日起标准）"
    assert by_matter[TRICKY][11] == datetime(2026, 6, 5)  # a real date cell shown 2026年6月5日 (issue 12)
    info = {r[0]: r[1] for r in wb["说明"].iter_rows(min_row=2, values_only=True)}
    assert info["期间"] == "2026年1月1日至2026年12月31日" and "300.00元/人/工作日" in info["标准版本"]


@pytest.mark.parametrize("policy", [JC, YQ], ids=["jc", "yq"])
def test_the_fee_statement_template_renders_the_sample_of_each_profile(policy):
    form_id = policy.fees.statement_form_id
    context, images = fees.sample_form_context(policy, form_id, TODAY)
    assert forms.check_template(policy.form(form_id).template, context, images=images) == []
    document = docx.Document(io.BytesIO(forms.render(policy.form(form_id).template, context)))
    assert policy.form(form_id).title in all_text(document)


def test_an_empty_period_still_prints_a_statement_with_zero_totals():
    stmt = statement_by_task([], period=2027)
    context = fee_statement_context(stmt, [], JC, printed_on=TODAY)
    assert context["total"]["amount"] == "0.00" and context["total_upper"] == "零元整" and context["rows"] == []
    document = docx.Document(io.BytesIO(forms.render("fee_statement_劳务报酬结算表.docx", context)))
    assert "2027年1月1日至2027年12月31日" in all_text(document)

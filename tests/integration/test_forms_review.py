"""Review and summary forms — JC 附件3 廉政承诺书, 附件4 条件审核意见表 (from a real score sheet), 附件5 推荐汇总表,
YQ 附表三 汇总表 — rendered from the real profiles and reopened with python-docx (JC-W1, YQ-W1, JC-I1, JC-A1,
JC-A3, YQ-A1, X-W1)."""
from __future__ import annotations

import io
import zipfile
from datetime import date

import docx
import pytest

from core.errors import DomainError
from core.forms_context import review_sheet_context
from core.scoring import score_sheet
from forms import FormError
from services import forms_service
from tests.factories import make_expert, real_policies

TODAY = date(2026, 6, 15)
MANUAL = {"service_conditions": 8, "motivation": 8, "service_experience": 4, "knowledge": 15, "effectiveness": 16}


@pytest.fixture(scope="module")
def jc():
    return real_policies()["jincheng-2026"]


@pytest.fixture(scope="module")
def yq():
    return real_policies()["yangquan-2024"]


def reopen(data: bytes) -> docx.Document:
    return docx.Document(io.BytesIO(data))


def texts(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.text.strip()]


def no_leftover_tags(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    return not any(tag in xml for tag in ("{{", "}}", "{%", "%}"))


def reviewed(expert: dict, policy, **review) -> dict:
    sheet = score_sheet(expert, policy, manual=MANUAL, bonuses={"high_risk_rescue": True},
                        remarks={"motivation": "动机端正 & 积极 <认真>"})
    base = {"manual": MANUAL, "bonuses": {"high_risk_rescue": True}, "sheet": sheet.to_dict(),
            "opinion": "材料真实，符合条件。\n同意推荐。", "reviewer": "李审核", "reviewed_on": "2026-06-20"}
    base.update(review)
    return {"id": 3, "expert_id": 1, "policy_id": policy.id, "kind": "普通专家", "apply_date": "2026-06-05",
            "pledge_signed": True, "pledge_date": "2026-06-05", "review": base}


# --- JC 附件3 廉政承诺书 ---------------------------------------------------------------------------------

def test_jc_w1_jc_i1_pledge_has_the_six_promises_the_name_and_the_signing_date(jc):
    expert = make_expert(jc, name="赵四")
    name, data = forms_service.pledge_form(expert, {"pledge_signed": True, "pledge_date": "2026-06-05"}, jc)
    assert name == "附件3_晋城市安全生产和应急管理专家廉政承诺书_赵四.docx"
    lines = texts(reopen(data))
    assert lines[:2] == ["附件3", "晋城市安全生产和应急管理专家廉政承诺书"]
    assert lines[2].startswith("本人自愿申请加入晋城市安全生产和应急管理专家库")
    assert [line[:2] for line in lines[3:9]] == ["1.", "2.", "3.", "4.", "5.", "6."]
    assert lines[-2:] == ["承诺人：赵四", "承诺日期：2026年6月5日"]
    assert no_leftover_tags(data)


def test_jc_i1_an_unsigned_pledge_leaves_the_date_line_blank(jc):
    data = forms_service.pledge_form(make_expert(jc), {"pledge_signed": False, "pledge_date": "2026-06-05"}, jc)[1]
    assert texts(reopen(data))[-1] == "承诺日期：　　　　年　　月　　日"


def test_yq_has_no_separate_pledge_form(yq):
    with pytest.raises(FormError, match="没有单独的廉政承诺书"):
        forms_service.pledge_form(make_expert(yq), {}, yq)


# --- JC 附件4 条件审核意见表 -----------------------------------------------------------------------------

def test_jc_a1_review_sheet_shows_each_item_weight_criteria_points_and_the_rule_behind_them(jc):
    expert = make_expert(jc, name="钱五", specialties=["1.1", "1.3"], years_in_field=22, enterprise_safety_years=16)
    name, data = forms_service.review_sheet_form(expert, reviewed(expert, jc), jc)
    assert name == "附件4_晋城市安全生产和应急管理专家条件审核意见表_钱五.docx"
    document = reopen(data)
    assert texts(document)[:2] == ["附件4", "晋城市安全生产和应急管理专家条件审核意见表"]
    table = document.tables[0]
    items = jc.scoring.items
    assert len(table.rows) == 3 + len(items) + 2
    assert [table.cell(0, c).text for c in (0, 1, 3, 4)] == ["专家姓名", "钱五", "申请行业领域", "1.煤矿"]
    assert table.cell(1, 1).text == "1.1 地质勘探、测量；1.3 矿井通风与瓦斯防治"
    assert [table.cell(2, c).text for c in (0, 1, 2, 5, 6)] == ["审核项目", "得分\n权重", "评分标准", "项目\n得分", "备注"]
    rows = {table.cell(3 + i, 0).text: 3 + i for i in range(len(items))}
    assert list(rows) == [it.name for it in items]
    for item in items:
        r = rows[item.name]
        assert table.cell(r, 1).text == str(item.weight)
        assert table.cell(r, 2).text == item.criteria  # 评分标准 from the profile, word for word
    cell = lambda key, c: table.cell(rows[jc.scoring.item(key).name], c).text  # noqa: E731
    assert cell("education", 5) == "8" and cell("education", 6).startswith("本科 → 8分")
    assert cell("years", 5) == "6+5"  # 22 years: 6 points, plus the 15-year enterprise bonus
    assert "从事年限22年" in cell("years", 6) and "加5分" in cell("years", 6)
    assert "附件4 第4项" not in cell("years", 6)  # the source note is dropped: the criteria column has it
    assert cell("specialty_count", 5) == "4"
    assert cell("motivation", 5) == "8" and cell("motivation", 6) == "动机端正 & 积极 <认真>"
    assert cell("effectiveness", 5) == "16+5"
    total = table.rows[3 + len(items)]
    assert total.cells[0].text == "专家条件审核总得分(原则上低于70分不予审核通过),同时要做好本行业专家总量控制"
    assert (total.cells[5].text, total.cells[6].text) == ("89", "达到70分")  # 8+10+(6+5)+4+8+8+4+15+(16+5)
    opinion = table.cell(4 + len(items), 1).text
    assert table.cell(4 + len(items), 0).text == "审核意见"
    assert opinion.startswith("材料真实，符合条件。\n同意推荐。")
    assert "（签字）" in opinion and opinion.rstrip().endswith("2026年6月20日")
    assert no_leftover_tags(data)


def test_jc_a1_a_total_below_the_pass_mark_says_it_does_not_pass(jc):
    expert = make_expert(jc)
    low = {key: 0 for key in MANUAL} | {"knowledge": 5}
    application = reviewed(expert, jc)
    application["review"]["sheet"] = score_sheet(expert, jc, manual=low).to_dict()
    context = review_sheet_context(expert, application, jc)
    assert context["total_remark"] == "低于70分，原则上不予审核通过"


def test_jc_a2_a_pass_below_the_mark_prints_the_reason_approver_and_date_in_the_opinion_box(jc):
    expert = make_expert(jc, name="孙六")
    low = {key: 0 for key in MANUAL} | {"knowledge": 5}
    application = reviewed(expert, jc, sheet=score_sheet(expert, jc, manual=low).to_dict(), exception={
        "reason": "本专业小类在库专家不足3人 & 面谈<优秀>\n确需补充", "approver_role": "分管领导",
        "approved_by": "王分管", "approved_on": "2026-06-19", "score": 26, "pass_mark": 70})
    data = forms_service.review_sheet_form(expert, application, jc)[1]
    table = reopen(data).tables[0]
    n = len(jc.scoring.items)
    assert table.cell(3 + n, 6).text == "低于70分，经分管领导批准例外通过"
    box = [p.text for p in table.cell(4 + n, 1).paragraphs if p.text.strip()]
    assert box == ["材料真实，符合条件。\n同意推荐。",
                   "低于70分例外通过理由：本专业小类在库专家不足3人 & 面谈<优秀>\n确需补充",
                   "批准人：分管领导　王分管　　批准日期：2026年6月19日", "（签字）", "2026年6月20日"]
    assert no_leftover_tags(data)


def test_jc_a2_without_an_exception_the_opinion_box_keeps_the_annex_layout(jc):
    expert = make_expert(jc)
    plain = reopen(forms_service.review_sheet_form(expert, reviewed(expert, jc), jc)[1]).tables[0]
    cell = plain.cell(4 + len(jc.scoring.items), 1)
    assert "例外通过" not in cell.text and "批准人" not in cell.text
    # opinion, two blank lines for handwriting, （签字）, the date — as before the exception paragraphs existed
    assert [p.text for p in cell.paragraphs] == ["材料真实，符合条件。\n同意推荐。", "", "", "（签字）", "2026年6月20日"]


def test_jc_a1_before_scoring_the_sheet_prints_every_item_with_empty_points(jc):
    expert = make_expert(jc)
    data = forms_service.review_sheet_form(expert, {"review": None}, jc)[1]
    table = reopen(data).tables[0]
    n = len(jc.scoring.items)
    assert [table.cell(3 + i, 0).text for i in range(n)] == [it.name for it in jc.scoring.items]
    assert all(table.cell(3 + i, 5).text == "" for i in range(n))
    assert table.cell(4 + n, 1).text.rstrip().endswith("年　　月　　日")


def test_yq_has_no_scored_review_sheet(yq):
    with pytest.raises(DomainError, match="不按评分表审核"):
        forms_service.review_sheet_form(make_expert(yq), {}, yq)


# --- JC 附件5 推荐汇总表 / YQ 附表三 汇总表 ---------------------------------------------------------------

def test_jc_a3_summary_has_one_row_per_candidate_under_the_lead_office_and_the_signature_lines(jc):
    rows = [(make_expert(jc, name=n, specialties=s), {"kind": "普通专家"}) for n, s in
            (("甲", ["1.1"]), ("乙", ["1.2", "1.5"]), ("丙&丁", ["1.13", "3.1"]))]
    office = "市应急管理局煤矿安全监管综合科"
    name, data = forms_service.summary_form(rows, jc, TODAY, lead_office=office)
    assert name == "附件5_晋城市安全生产和应急管理专家推荐汇总表_市应急管理局煤矿安全监管综合科_20260615.docx"
    document = reopen(data)
    lines = texts(document)
    assert lines[:2] == ["附件5", "晋城市安全生产和应急管理专家推荐汇总表"]
    assert lines[2] == f"填报科室：{office}\t填报日期：2026年6月15日"
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == [
        "序号", "姓名", "性别", "身份证号", "移动电话", "单位全称", "职务职称", "毕业院校", "所学专业", "现从事专业",
        "拟申报专家类别、行业领域及专业分类"]
    assert len(table.rows) == 1 + 3
    first = [c.text for c in table.rows[1].cells]
    expert = rows[0][0]
    assert first[:6] == ["1", "甲", "男", expert["id_number"], expert["mobile"], expert["unit"]]
    assert first[6:10] == ["总工程师／高级工程师", "太原理工大学", "采矿工程", "煤矿安全"]
    assert first[10] == "安全生产类\n1.煤矿：1.1 地质勘探、测量"
    assert [c.text for c in table.rows[3].cells][:2] == ["3", "丙&丁"]
    assert table.rows[3].cells[10].text == "安全生产类\n1.煤矿：1.13 安全管理\n3.化工：3.1 石油化工"
    assert lines[-2].startswith("注：拟申报专家类别、行业领域及专业分类请务必按照附件1")
    assert lines[-1].replace("　", "") == "承办人：科室负责人：分管领导："
    assert (round(document.sections[0].page_width.mm), round(document.sections[0].page_height.mm)) == (297, 210)
    assert no_leftover_tags(data)


def test_yq_a1_summary_lists_every_applicant_with_birth_month_and_specialties(yq):
    rows = [(make_expert(yq, name=f"申请人{i}", birth_date="1980-02-03", specialties=["4.1", "4.2"]), None)
            for i in range(1, 26)]
    name, data = forms_service.summary_form(rows, yq, TODAY)
    assert name == "附表三_阳泉市应急管理和安全生产专家汇总表_20260615.docx"
    document = reopen(data)
    assert texts(document)[:3] == ["附表三：", "阳泉市应急管理和安全生产专家汇总表", "填报时间：2026年6月15日"]
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == [
        "序号", "姓　名", "性别", "出生年月", "工作单位", "职务", "毕业院校", "职称", "职业资格", "申请行业", "申请专业"]
    assert len(table.rows) == 26
    assert table.rows[0]._tr.trPr.find(docx.oxml.ns.qn("w:tblHeader")) is not None  # repeats on every page
    row = [c.text for c in table.rows[25].cells]
    assert row[:4] == ["25", "申请人25", "男", "1980年2月"]
    assert row[7:] == ["高级工程师", "注册安全工程师", "4.煤矿", "4.1 地质测量、勘探\n4.2 地下采煤"]
    assert no_leftover_tags(data)


def test_jc_a3_an_empty_summary_still_renders_its_header(jc):
    data = forms_service.recommendation_summary_form([], "某科室", jc, TODAY)[1]
    assert len(reopen(data).tables[0].rows) == 1

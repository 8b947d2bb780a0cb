"""Word forms that print clean (issue 12), compared with the annexes: each form is rendered through the app's
templates, reopened with python-docx for its structure (boxes in every expert column of JC 附件8, the annex's own
texts of JC 附件6, cantSplit / keep-with-next round the signature blocks, no-wrap on the ID column), and — where
LibreOffice and poppler are installed (CI installs them) — converted to PDF and checked page by page: 注1–4 of
附件8 on page 1 with five experts or fewer, no signature or date block alone on a page, an ID number and the blank
date lines on one line. Without soffice the PDF half of each test is skipped, the structural half still runs.
The annex texts below are copied from the seed annexes (JC 附件1–8, YQ 附表一–六); tests never read the seeds."""
from __future__ import annotations

import copy
import io
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Length

import forms
from core.forms_assessment import fj6_context
from core.forms_context import notice_list_context, pledge_context, recommendation_summary_context, \
    request_form_context
from core.forms_service_records import JC_FJ8_NOTES, jc_fj8_context
from services import fees, forms_service, impact
from tests.factories import make_expert, real_policies

POLICIES = real_policies()
JC = POLICIES["jincheng-2026"]
YQ = POLICIES["yangquan-2024"]
TODAY = date(2026, 12, 7)
HAVE_PDF_TOOLS = all(shutil.which(tool) for tool in ("soffice", "pdfinfo", "pdftotext"))
needs_soffice = pytest.mark.skipif(not HAVE_PDF_TOOLS, reason="LibreOffice (soffice) or poppler not installed")

# 附件8: the boxes of each indicator as the annex prints them in every one of the five expert columns
FJ8_BOXES = {
    "1": "是☐ 否☐", "2": "好☐ 一般☐\n不好☐", "3": "好☐ 一般☐\n不好☐", "4": "好☐ 一般☐\n不好☐", "5": "是☐ 否☐",
    "6": "是☐ 否☐", "7": "是☐ 否☐", "8": "优☐ 良☐\n一般☐ 较差☐",
}
# 附件6, word for word from the annex (ASCII brackets, comma and semicolons as printed)
FJ6_RATING_HINT = "(填写“优、良、中、差”,以下同)"
FJ6_OPINION_HINT = "(专家素质作风过硬可以继续使用;专家素质作风尚可可以继续观察使用;专家能力较差或存在解聘退出情形建议解聘)"
ID_WITH_X = "14050219760518123X"


# ---------------------------------------------------------------- helpers

def reopen(data: bytes):
    return docx.Document(io.BytesIO(data))


def to_pdf(data: bytes, tmp_path: Path, name: str) -> Path:
    source = tmp_path / f"{name}.docx"
    source.write_bytes(data)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / f"{name}.pdf"
    assert pdf.is_file(), f"LibreOffice did not convert {name}"
    return pdf


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def page_text(pdf: Path, page: int, *, layout: bool = False) -> str:
    args = ["pdftotext", "-f", str(page), "-l", str(page)] + (["-layout"] if layout else []) + [str(pdf), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def keeps_with_next(paragraph) -> bool:
    return paragraph.paragraph_format.keep_with_next is True


def cant_split(row) -> bool:
    tr_pr = row._tr.trPr
    return tr_pr is not None and tr_pr.find(qn("w:cantSplit")) is not None


def fj8(n: int, *, evaluated: bool = True) -> bytes:
    request = dict(forms_service.sample_request(JC), status="已完成", work_summary="检查企业重大危险源管理和特殊作业票证。")
    people = [{"id": i, "name": f"专家{chr(0x4e00 + i)}", "days_worked": 3} for i in range(1, n + 1)]
    evaluation = None
    if evaluated and people:
        evaluation = {"ratings": [{"expert_id": p["id"], "overall": "优" if i == 0 else "良",
                                   "indicators": {str(ind.number): ind.options[0] for ind in JC.evaluations.indicators},
                                   "reason": "发现重大隐患并提出整改方案" if i == 0 else ""}
                                  for i, p in enumerate(people)],
                      "meaningful_items": ["发现储罐区安全阀未定期校验并提出整改方案"], "work_record": request["work_summary"]}
    context = jc_fj8_context(request, evaluation, people, JC, printed_on=TODAY)
    return forms.render(JC.form("jc_fj8").template, context)


def indicator_rows(table) -> dict[str, list[str]]:
    """{"1": [five expert-column texts], …} of one 附件8 page."""
    out = {}
    for row in table.rows:
        label = row.cells[0].text
        match = re.match(r"^(\d)\.(?:对)?专家", label)
        if match:
            out[match.group(1)] = [c.text for c in row.cells[2:7]]
    return out


# ---------------------------------------------------------------- JC 附件8

@pytest.mark.parametrize("served, evaluated", [(0, False), (2, False), (2, True), (5, True)])
def test_jc_fj8_boxes_in_all_five_columns_issue12(served, evaluated):
    """附件8 prints 是☐否☐ / 好☐一般☐不好☐ / 优☐良☐一般☐较差☐ in all five expert columns: on the blank form, and in the
    columns no expert fills when fewer than five served; served experts' columns keep their ticks."""
    document = reopen(fj8(served, evaluated=evaluated))
    assert len(document.tables) == 1
    rows = indicator_rows(document.tables[0])
    assert sorted(rows) == list(FJ8_BOXES)
    for number, boxes in FJ8_BOXES.items():
        columns = rows[number]
        assert len(columns) == 5
        for i, text in enumerate(columns):
            if i < served and evaluated:  # the first option ticked, the others left open
                assert "☑" in text and text.replace("☑", "☐", 1) == boxes, (number, i, text)
            else:
                assert text == boxes, (number, i, text)


def test_jc_fj8_continuation_page_prints_boxes_in_its_empty_columns_issue12():
    """Seven experts: page 2 holds experts 6–7 and, like the annex, open boxes in its three remaining columns."""
    document = reopen(fj8(7))
    assert len(document.tables) == 2
    second = indicator_rows(document.tables[1])
    for number, boxes in FJ8_BOXES.items():
        assert all("☑" in text for text in second[number][:2])
        assert second[number][2:] == [boxes] * 3


def test_jc_fj8_notes_keep_with_the_remark_row_issue12():
    """注1–4 are kept together and with the 备注 row above them, so they never fall alone onto a page."""
    document = reopen(fj8(2))
    remark = next(row for row in document.tables[0].rows if row.cells[0].text == "备注")
    assert all(keeps_with_next(p) for cell in remark.cells for p in cell.paragraphs)
    body = [p for p in document.paragraphs if p.text]
    notes = [p for p in body if p.text in JC_FJ8_NOTES]
    assert [p.text for p in notes] == list(JC_FJ8_NOTES)
    assert all(keeps_with_next(p) for p in notes[:-1])
    assert keeps_with_next(next(p for p in body if p.text == "注:"))


@needs_soffice
@pytest.mark.parametrize("served, evaluated", [(0, False), (2, True), (5, True)])
def test_jc_fj8_notes_stay_on_page_one_with_five_experts_or_fewer_issue12(tmp_path, served, evaluated):
    pdf = to_pdf(fj8(served, evaluated=evaluated), tmp_path, f"fj8_{served}")
    assert page_count(pdf) == 1
    first = squeeze(page_text(pdf, 1))
    assert squeeze(JC_FJ8_NOTES[3]) in first and squeeze(JC_FJ8_NOTES[0]) in first


@needs_soffice
def test_jc_fj8_with_seven_experts_prints_the_notes_on_its_last_page_issue12(tmp_path):
    pdf = to_pdf(fj8(7), tmp_path, "fj8_7")
    assert page_count(pdf) == 2
    assert squeeze(JC_FJ8_NOTES[3]) in squeeze(page_text(pdf, 2))


# ---------------------------------------------------------------- JC 附件6

def _fj6(note: str = "继续观察一年") -> tuple[dict, bytes]:
    legal = next(s for s in JC.taxonomy.sectors if "、" in s.name)  # 法规、标准基础理论研究
    legal_code = next(c for c in JC.taxonomy.all_specialty_codes() if JC.taxonomy.sector_of(c).name == legal.name)
    expert = {"id": 1, "name": "张建国", "specialties": ["1.1", "1.2", legal_code]}
    a = JC.assessment
    record = {"year": 2026, "item_ratings": {item: "良" for item in a.items}, "conclusion": "observe", "note": note,
              "assessed_on": "2026-06-20"}
    context = fj6_context(expert, record, JC, printed_on=TODAY)
    return context, forms.render(JC.form("jc_fj6").template, context)


def _cells(document) -> list[str]:
    return [c.text for t in document.tables for row in t.rows for c in row.cells]


def test_jc_fj6_keeps_the_annex_rating_hint_and_opinion_parenthetical_issue12():
    """附件6: "(填写“优、良、中、差”,以下同)" in the first item's 考核结论 cell (only there), the 评估意见 parenthetical
    as printed in its 考核情况 cell, and the conclusion ticked in 考核结论."""
    _, data = _fj6()
    document = reopen(data)
    cells = _cells(document)
    rows = {row.cells[1].text: row for row in document.tables[0].rows}
    first_item = rows[JC.assessment.items[0]]
    assert first_item.cells[4].text == FJ6_RATING_HINT + "\n良"
    for item in JC.assessment.items[1:]:
        assert rows[item].cells[4].text == "良"
    assert sum(FJ6_RATING_HINT in c for c in set(cells)) == 1
    opinion = rows["牵头科室考核评估意见"]
    assert opinion.cells[3].text == FJ6_OPINION_HINT + "\n继续观察一年"
    assert opinion.cells[4].text == "☐继续使用\n☑继续观察使用\n☐建议解聘"
    assert "服务质量自我评价\n(优、良、中、差)" in cells and "考核结论" in cells


def test_jc_fj6_joins_several_specialties_unambiguously_issue12():
    """Names that hold "、" themselves (“1.1 地质勘探、测量”, “法规、标准基础理论研究”) are joined with "；"."""
    context, data = _fj6()
    labels = [JC.taxonomy.specialty_label(c) for c in ("1.1", "1.2")]
    assert "、" in labels[0]
    assert context["specialties"].split("；")[:2] == labels and context["specialties"].count("；") == 2
    assert context["sectors"].split("；") == ["煤矿", "法规、标准基础理论研究"]
    rows = {row.cells[0].text: row for row in reopen(data).tables[0].rows}
    assert rows["服务专业类别"].cells[1].text == context["specialties"]
    assert rows["专家姓名"].cells[3].text == "煤矿；法规、标准基础理论研究"


# ---------------------------------------------------------------- signature and date blocks

def _fee_statement() -> bytes:
    context, _ = fees.sample_form_context(JC, JC.fees.statement_form_id, TODAY)
    return forms.render(JC.form(JC.fees.statement_form_id).template, context)


def _notice(n: int) -> bytes:
    rows = [(make_expert(JC, name=f"候选人{i}", unit="晋城市某某煤业有限责任公司" if i % 3 else "某公司"),
             {"kind": "普通专家"}) for i in range(1, n + 1)]
    context = notice_list_context(rows, JC, date(2026, 7, 1), date(2026, 7, 5))
    return forms.render(forms_service.NOTICE_TEMPLATE, context)


def _impact(fee_rows: int = 0) -> bytes:
    context = copy.deepcopy(impact.sample_briefing_context(JC, TODAY))
    context["fee_rows"] = [{"department": f"科室{i}", "base": "100.00", "other": "120.00", "difference": "20.00"}
                           for i in range(fee_rows)]
    return forms.render(impact.TEMPLATE, context)


def test_fee_statement_signatures_share_an_unsplittable_block_with_the_notes_issue12():
    document = reopen(_fee_statement())
    block = next(t for t in document.tables if "专家管理办公室审核（签字）" in t.cell(0, 0).text)
    assert len(block.rows) == 1 and cant_split(block.rows[0])
    text = block.cell(0, 0).text
    assert text.startswith("说明：") and "制表人：办公室乙" in text and "使用科室（单位）负责人（签字）" in text


def test_notice_closing_text_keeps_together_down_to_the_date_issue12():
    document = reopen(_notice(30))
    body = [p for p in document.paragraphs if p.text]
    start = next(i for i, p in enumerate(body) if p.text.startswith("公示时间："))
    closing = body[start:]
    assert closing[-2].text == "晋城市应急管理局" and closing[-1].text == "2026年7月1日"
    assert all(keeps_with_next(p) for p in closing[:-1]) and not keeps_with_next(closing[-1])


@pytest.mark.parametrize("fee_rows", [0, 3])
def test_impact_briefing_signature_keeps_with_the_fee_table_issue12(fee_rows):
    document = reopen(_impact(fee_rows))
    fee_table = next(t for t in document.tables if t.cell(0, 0).text == "使用科室")
    assert len(fee_table.rows) == fee_rows + 2
    assert all(keeps_with_next(p) for row in fee_table.rows for c in row.cells for p in c.paragraphs)
    body = [p for p in document.paragraphs if p.text]
    assert body[-1].text.startswith("制作人：办公室乙") and keeps_with_next(body[-2])


def _last_page(pdf: Path) -> str:
    return squeeze(page_text(pdf, page_count(pdf)))


@needs_soffice
def test_no_signature_or_date_block_alone_on_a_page_issue12(tmp_path):
    """Rendered through LibreOffice, the page with the signatures also holds the text or rows before them (before
    issue 12 the fee sample, the impact sample and the notice with 36–44 names each ended on a page holding only
    the signature or date lines)."""
    fee = to_pdf(_fee_statement(), tmp_path, "fee")
    last = _last_page(fee)
    assert "专家管理办公室审核（签字）" in last and "说明：" in last and "制表人" in last
    brief = to_pdf(_impact(0), tmp_path, "impact")
    last = _last_page(brief)
    assert "制作人" in last and "合计" in last and "七、劳务报酬" in last
    for n in (36, 40, 44):
        notice = to_pdf(_notice(n), tmp_path, f"notice{n}")
        last = _last_page(notice)
        assert "晋城市应急管理局2026年7月1日" in last and "公示时间" in last and "联系电话" in last, n


# ---------------------------------------------------------------- ID numbers and blank date lines

def _summary() -> bytes:
    expert = dict(forms_service.sample_expert(JC), id_number=ID_WITH_X)
    context = recommendation_summary_context([(expert, None)] * 3, "煤矿安全监督管理科", JC, TODAY)
    return forms.render(JC.form("jc_fj5").template, context)


def test_jc_fj5_id_column_is_wide_enough_and_never_wraps_issue12():
    table = reopen(_summary()).tables[0]
    assert table.cell(0, 3).text == "身份证号"
    assert table.columns[3].width.cm >= 3.4
    for row in table.rows[1:]:
        cell = row.cells[3]
        assert cell.text == ID_WITH_X
        assert cell._tc.tcPr.find(qn("w:noWrap")) is not None


def _blank_pledge() -> bytes:
    context = pledge_context(forms_service.sample_expert(JC), {"pledge_signed": False}, JC)
    return forms.render(JC.form("jc_fj3").template, context)


def _blank_request() -> bytes:
    request = dict(forms_service.sample_request(YQ), start=None, end=None, days=None)
    return forms.render(YQ.form("yq_fb4").template, request_form_context(request, YQ))


def test_blank_date_lines_have_room_for_one_line_issue12():
    """附件3: 承诺日期 indented so 16 characters of 三号 fit (≥ 9.2 cm left); 附表四: the 使用时间 cell holds the 30
    characters of 小四 of the blank period (≥ 12.8 cm inside its margins)."""
    pledge = reopen(_blank_pledge())
    day = next(p for p in pledge.paragraphs if p.text.startswith("承诺日期："))
    assert day.text == "承诺日期：　　　　年　　月　　日"
    section = pledge.sections[0]
    room = Length(section.page_width - section.left_margin - section.right_margin - day.paragraph_format.left_indent)
    assert room.cm >= 16 * 16 / 72 * 2.54 + 0.2
    table = reopen(_blank_request()).tables[0]
    period = next(row for row in table.rows if row.cells[0].text == "使用时间")
    assert period.cells[1].text == "　　　　年　　月　　日至　　　　年　　月　　日，共计　　天。"
    margins = table._tbl.tblPr.find(qn("w:tblCellMar"))
    side = sum(int(margins.find(qn(f"w:{edge}")).get(qn("w:w"))) for edge in ("left", "right")) / 567
    value_width = sum(table.columns[i].width.cm for i in range(1, 4))
    assert value_width - side >= 30 * 12 / 72 * 2.54 + 0.1


@needs_soffice
def test_id_numbers_and_blank_date_lines_print_on_one_line_issue12(tmp_path):
    summary = to_pdf(_summary(), tmp_path, "fj5")
    lines = page_text(summary, 1, layout=True).splitlines()
    assert sum(ID_WITH_X in line for line in lines) == 3
    pledge = to_pdf(_blank_pledge(), tmp_path, "fj3")
    line = next(l for l in page_text(pledge, 1, layout=True).splitlines() if "承诺日期" in l)
    assert re.search(r"承诺日期：\s+年\s+月\s+日", line), line
    request = to_pdf(_blank_request(), tmp_path, "fb4")
    line = next(l for l in page_text(request, 1, layout=True).splitlines() if "日至" in l)
    assert re.search(r"年\s+月\s+日至\s+年\s+月\s+日，共计\s+天。", line), line

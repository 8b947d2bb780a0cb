"""The two forms no annex draws — the 拟定名单 public notice and the 聘书 (one page per expert, batch-printable) —
and many forms at once in a zip with progress (JC-W1, YQ-W1, X-W1; JC 第八条(三), YQ 第七条(二)3/5)."""
from __future__ import annotations

import io
import zipfile
from datetime import date

import docx
import pytest

from core.errors import DomainError
from core.forms_context import notice_list_context
from services import forms_service
from tests.factories import make_expert, real_policies

START, END = date(2026, 7, 1), date(2026, 7, 5)


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


def candidates(policy, n: int):
    return [(make_expert(policy, name=f"候选人{i}"), {"kind": "普通专家"}) for i in range(1, n + 1)]


# --- 拟定名单公示 ----------------------------------------------------------------------------------------

def test_jc_w1_notice_names_the_policy_period_candidates_objection_line_issuer_and_date(jc):
    rows = candidates(jc, 3)
    name, data = forms_service.notice_form(rows, jc, START, END, contact="0356-2021234")
    assert name == "晋城市安全生产和应急管理专家库拟定名单公示_20260701.docx"
    document = reopen(data)
    lines = texts(document)
    assert lines[0] == "晋城市安全生产和应急管理专家库拟定名单公示"
    assert "《晋城市安全生产和应急管理专家使用管理办法(试行)》（晋市应急安技发[2026]63号）" in lines[1]
    assert "经专家管理工作领导小组会议审议通过" in lines[1] and "拟将以下3名同志列入晋城市安全生产和应急管理专家库" in lines[1]
    assert lines[2].startswith("公示时间：2026年7月1日至2026年7月5日（共5日）。")
    assert "向专家管理工作领导小组办公室反映" in lines[3]
    assert lines[4] == "联系电话：0356-2021234"
    assert lines[-2:] == ["晋城市应急管理局", "2026年7月1日"]
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["序号", "姓名", "性别", "工作单位", "职务职称", "行业领域及专业"]
    assert [[c.text for c in row.cells][:2] for row in table.rows[1:]] == [["1", "候选人1"], ["2", "候选人2"],
                                                                          ["3", "候选人3"]]
    assert table.rows[1].cells[5].text == "安全生产类\n1.煤矿：1.1 地质勘探、测量"
    body = "\n".join(lines) + "\n".join(c.text for row in table.rows for c in row.cells)
    assert rows[0][0]["id_number"] not in body and rows[0][0]["mobile"] not in body  # a public notice


def test_yq_w1_notice_comes_before_the_office_meeting_decides(yq):
    document = reopen(forms_service.notice_form(candidates(yq, 2), yq, START, date(2026, 7, 7))[1])
    lines = texts(document)
    assert lines[0] == "阳泉市应急管理和安全生产专家拟入库名单公示"
    assert "经阳泉市应急管理和安全生产专家管理办公室资格审核" in lines[1]
    assert "（共7日）" in lines[2] and lines[2].endswith("提交市安委办办公会议审定。")
    assert lines[-2] == "阳泉市安全生产委员会办公室"
    assert lines[4].startswith("联系电话：")  # left for the office to write in


def test_x_w1_a_notice_ending_before_it_starts_is_refused(jc):
    with pytest.raises(DomainError, match="公示结束日期（2026年6月30日）早于开始日期（2026年7月1日）"):
        notice_list_context([], jc, START, date(2026, 6, 30))


# --- 聘书 ------------------------------------------------------------------------------------------------

def test_jc_w1_certificate_states_name_category_sector_specialties_term_number_issuer_and_date(jc):
    expert = make_expert(jc, name="孙六", specialties=["5.3", "5.7"])
    name, data = forms_service.certificate_form(expert, jc, "晋应急专聘〔2026〕第007号", date(2026, 7, 6),
                                                date(2029, 7, 5), date(2026, 7, 6))
    assert name == "聘书_孙六_晋应急专聘〔2026〕第007号.docx"
    document = reopen(data)
    lines = [t.replace("　", "") for t in texts(document)]
    assert lines == [
        "聘书", "兹聘请孙六同志为晋城市安全生产和应急管理专家库专家。", "专家类别：防灾、减灾、救灾类",
        "行业领域：5.防灾减灾救灾应急处置与救援风险评估应急预案管理", "专业分类：5.3 森林草原防灭火；5.7 应急处置与救援",
        "聘期：三年（2026年7月6日至2029年7月5日）", "晋城市应急管理局", "2026年7月6日", "证书编号：晋应急专聘〔2026〕第007号"]
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)


def test_yq_w1_certificate_has_no_category_line_and_is_issued_by_the_safety_committee_office(yq):
    data = forms_service.certificate_form(make_expert(yq, name="周七"), yq, "阳安专聘〔2026〕第001号",
                                          date(2026, 9, 1), date(2029, 8, 31), date(2026, 9, 1))[1]
    lines = [t.replace("　", "") for t in texts(reopen(data))]
    assert not any(line.startswith("专家类别") for line in lines)
    assert "阳泉市安全生产委员会办公室" in lines


def test_jc_w1_batch_certificates_are_one_document_with_a_page_per_expert(jc):
    experts = [make_expert(jc, name=f"专家{i}") for i in range(1, 6)]
    items = [(e, f"晋应急专聘〔2026〕第{i:03d}号", date(2026, 7, 6), date(2029, 7, 5)) for i, e in enumerate(experts, 1)]
    name, data = forms_service.certificates_form(items, jc, date(2026, 7, 6))
    assert name == "聘书_5人_20260706.docx"
    document = reopen(data)
    titles = [p for p in document.paragraphs if p.text.replace("　", "") == "聘书"]
    assert len(titles) == 5 and all(p.paragraph_format.page_break_before for p in titles)
    body = "\n".join(texts(document))
    assert all(f"兹聘请专家{i}同志" in body for i in range(1, 6))
    assert "晋应急专聘〔2026〕第005号" in body
    with pytest.raises(DomainError, match="没有要打印的聘书"):
        forms_service.certificates_form([], jc, date(2026, 7, 6))


# --- many forms in one zip -------------------------------------------------------------------------------

def test_x_w1_zip_of_n_forms_has_n_entries_and_reports_progress(jc):
    rows = [(make_expert(jc, name="同名" if i < 3 else f"专家{i}"), {"kind": "普通专家"}) for i in range(6)]
    seen = []
    data = forms_service.application_forms_zip(rows, jc, progress=lambda done, total: seen.append((done, total)))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        assert len(names) == 6 and len(set(names)) == 6
        assert "附件2_晋城市安全生产和应急管理专家申报表_同名(2).docx" in names
        for n in names:  # every entry is a complete Word file
            assert reopen(z.read(n)).tables[0].cell(0, 0).text == "姓名"
    assert seen == [(i, 6) for i in range(1, 7)]


def test_x_w1_zip_takes_ready_files_and_functions_alike():
    data = forms_service.zip_forms([("a.docx", b"1"), lambda: ("b/c?.docx", b"2")])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.namelist() == ["a.docx", "b_c_.docx"]
    assert forms_service.safe_filename('a/b:c*?"<>|') == "a_b_c_"
    assert forms_service.zip_forms([]) and zipfile.ZipFile(io.BytesIO(forms_service.zip_forms([]))).namelist() == []


def test_jc_a1_review_sheets_and_certificates_come_as_zips_too(jc):
    experts = [make_expert(jc) for _ in range(3)]
    sheets = forms_service.review_sheets_zip([(e, {"review": None}) for e in experts], jc)
    certificates = forms_service.certificates_zip(
        [(e, f"No.{i}", date(2026, 7, 6), date(2029, 7, 5)) for i, e in enumerate(experts)], jc, date(2026, 7, 6))
    for data in (sheets, certificates):
        assert len(zipfile.ZipFile(io.BytesIO(data)).namelist()) == 3

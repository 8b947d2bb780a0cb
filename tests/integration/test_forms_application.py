"""The application forms — JC 附件2 申报表, YQ 附表一 入库申请表, YQ 附表二 特聘专家推荐表 — rendered from the
real profiles and reopened with python-docx: fields in their cells, merged cells as the annex draws them,
☑/☐, the 1-inch photo or its placeholder, notes and signature lines, A4 and the East-Asian font, user
text kept literal with real line breaks (JC-W1, YQ-W1, JC-I1, YQ-I1, X-W1)."""
from __future__ import annotations

import io
import struct
import zipfile
import zlib
from datetime import date

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm

import forms
from core.errors import ValidationError
from core.forms_context import application_form_context
from forms import FormError
from services import forms_service
from tests.factories import make_expert, real_policies

TODAY = date(2026, 6, 15)
TRICKY = "A&B <甲> {{ x }} {% if %}\n第二行\r\n第三行"


@pytest.fixture(scope="module")
def policies():
    loaded = real_policies()
    assert {"jincheng-2026", "yangquan-2024"} <= set(loaded)
    return loaded


@pytest.fixture(scope="module")
def jc(policies):
    return policies["jincheng-2026"]


@pytest.fixture(scope="module")
def yq(policies):
    return policies["yangquan-2024"]


def png(width: int, height: int) -> bytes:
    """A real (grey) PNG picture of the given size, without an imaging library."""
    raw = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def application(policy, **overrides) -> dict:
    base = {"id": 7, "expert_id": 1, "policy_id": policy.id, "status": "已提交", "kind": "普通专家",
            "route": policy.routes[0], "apply_date": TODAY.isoformat(), "pledge_signed": True,
            "pledge_date": TODAY.isoformat(), "special": None, "review": None, "has_photo": False}
    base.update(overrides)
    return base


def reopen(data: bytes) -> docx.Document:
    return docx.Document(io.BytesIO(data))


def document_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("word/document.xml").decode("utf-8")


def texts(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.text.strip()]


def render(expert, app, policy, photo=None) -> bytes:
    return forms_service.application_form(expert, app, policy, photo=photo)[1]


# --- JC 附件2 --------------------------------------------------------------------------------------------

def test_jc_w1_jc_i1_application_form_keeps_annex_title_and_puts_each_field_in_its_cell(jc):
    expert = make_expert(jc, name="王建华", gender="男", birth_date="1976-05-18", specialties=["1.1", "1.3"],
                         work_phone="0356-2021234", home_phone="0356-2025678", mobile="13903561234",
                         unit_phone="0356-2021000", fax="0356-2021001", years_in_field=22, current_field="煤矿安全")
    expert.pop("id_number")
    expert["id_number"] = "140502197605181231"
    name, data = forms_service.application_form(expert, application(jc), jc)
    assert name == "附件2_晋城市安全生产和应急管理专家申报表_王建华.docx"
    document = reopen(data)
    paragraphs = texts(document)
    assert paragraphs[:2] == ["附件2", "晋城市安全生产和应急管理专家申报表"]
    assert paragraphs[2].startswith("申报专家类别：安全生产类") and paragraphs[2].endswith("填报日期：2026年6月15日")
    table = document.tables[0]
    assert len(table.rows) == 16
    cell = lambda r, c: table.cell(r, c).text  # noqa: E731
    assert [cell(0, c) for c in range(6)] == ["姓名", "王建华", "性别", "男", "出生年月", "1976年5月"]
    assert [cell(1, c) for c in range(6)] == ["工作电话", "0356-2021234", "住宅电话", "0356-2025678", "移动电话",
                                              "13903561234"]
    assert (cell(2, 0), cell(2, 1), cell(2, 3)) == ("身份证号", "140502197605181231", "在岗情况")
    assert cell(3, 1) == expert["unit"]
    assert (cell(4, 1), cell(4, 4), cell(4, 5)) == (expert["unit_address"], "邮政编码", expert["postcode"])
    assert (cell(5, 4), cell(5, 5)) == ("职务(职称)", "总工程师／高级工程师")
    assert (cell(6, 5), cell(7, 1), cell(7, 3), cell(7, 5)) == (expert["email"], "太原理工大学", "本科", "注册安全工程师")
    assert (cell(8, 1), cell(8, 2), cell(8, 4)) == ("采矿工程", "现从事行业(专业)及年限", "煤矿安全，22年")
    assert cell(9, 0) == "申报专家行业领域及专业分类：\n1.煤矿：1.1 地质勘探、测量；1.3 矿井通风与瓦斯防治"


def test_jc_w1_photo_spans_four_rows_and_long_texts_span_the_value_columns(jc):
    table = reopen(render(make_expert(jc), application(jc), jc)).tables[0]
    photo = table.cell(0, 6)._tc
    assert all(table.cell(r, 6)._tc is photo for r in range(4))
    assert table.cell(4, 6)._tc is not photo
    for row in range(10, 16):  # 简历, 著作, 奖励, 业绩, 承诺, 推荐单位意见
        assert table.cell(row, 1)._tc is table.cell(row, 6)._tc
        assert table.cell(row, 0)._tc is not table.cell(row, 1)._tc
    assert table.cell(9, 0)._tc is table.cell(9, 6)._tc  # 申报专家行业领域及专业分类 spans the row
    assert table.cell(2, 1)._tc is table.cell(2, 2)._tc  # 身份证号 spans two columns, as in the annex


def test_jc_w1_labels_notes_and_signature_lines_of_the_annex_are_kept(jc):
    document = reopen(render(make_expert(jc), application(jc), jc))
    table = document.tables[0]
    first_column = [table.cell(r, 0).text for r in range(10, 16)]
    assert first_column == ["主要专业学历\n和工作简历", "发明、著作、学术论文情况\n(何时、何地出版或发表)", "受过何种奖励",
                            "安全生产或应急管理相关工作主要业绩及研究成果", "专家申报\n承诺", "推荐单位\n意见"]
    pledge = table.cell(14, 1).text
    assert pledge.startswith("本人自愿加入晋城市安全生产和应急管理专家库")
    assert "(请在对上述文字认真理解的基础上认真抄写在下方并签字确认)" in pledge
    assert "签名：" in pledge and pledge.rstrip().endswith("年　　月　　日")
    assert "（公章）" in table.cell(15, 1).text
    notes = texts(document)[-2:]
    assert notes[0] == "说明：1.职业资格指注册安全工程师、注册安全评价师;"
    assert notes[1].startswith("2.“申报专家类别”") and "附件1《晋城市安全生产和应急管理专家类别划分表》" in notes[1]


@pytest.mark.parametrize("status, other, expected", [
    ("在岗", "", "在岗☑ 退休☐ 其他："),
    ("退休", "", "在岗☐ 退休☑ 其他："),
    ("其他", "返聘顾问", "在岗☐ 退休☐ 其他：返聘顾问"),
])
def test_x_w1_employment_check_boxes_are_decided_from_the_record(jc, status, other, expected):
    expert = make_expert(jc, employment_status=status, employment_other=other or None)
    table = reopen(render(expert, application(jc), jc)).tables[0]
    assert table.cell(2, 4).text == expected


def test_jc_i1_specialties_in_several_sectors_are_listed_per_sector_with_their_category(jc):
    expert = make_expert(jc, specialties=["3.1", "1.1", "1.13"])
    document = reopen(render(expert, application(jc), jc))
    assert texts(document)[2].startswith("申报专家类别：安全生产类\t")
    assert document.tables[0].cell(9, 0).text.splitlines()[1:] == [
        "1.煤矿：1.1 地质勘探、测量；1.13 安全管理", "3.化工：3.1 石油化工"]
    context = application_form_context(make_expert(jc, specialties=["1.1", "6.1"]), None, jc)
    assert context["category"] == "安全生产类、综合管理类"


def test_jc_i1_specialty_labels_can_come_from_a_caller_supplied_function(jc):
    context = application_form_context(make_expert(jc, specialties=["1.1"]), None, jc,
                                       specialty_label=lambda code: f"〈{code}〉")
    assert context["specialty_lines"] == "1.煤矿：〈1.1〉"


def test_x_w1_an_unknown_date_prints_the_blank_date_line(jc):
    expert = make_expert(jc, apply_date=None)
    document = reopen(render(expert, application(jc, apply_date=None), jc))
    assert texts(document)[2].endswith("填报日期：　　　　年　　月　　日")


# --- the photo -------------------------------------------------------------------------------------------

def _photo_cell_xml(data: bytes) -> str:
    document = reopen(data)
    return document.tables[0].cell(0, 6)._tc.xml


def test_x_w1_the_photo_is_placed_in_its_cell_as_a_25_by_35_mm_picture(jc):
    data = render(make_expert(jc), application(jc, has_photo=True), jc, photo=png(250, 350))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert any(n.startswith("word/media/") for n in z.namelist())
    cell = _photo_cell_xml(data)
    assert "<w:drawing>" in cell and "粘贴处" not in cell
    extent = docx.Document(io.BytesIO(data)).inline_shapes[0]
    assert (extent.width, extent.height) == (Mm(25), Mm(35))
    assert 'distL="0"' in cell  # no wrap distance: LibreOffice would otherwise push it over the border


def test_x_w1_without_a_photo_the_cell_shows_the_annex_placeholder(jc):
    data = render(make_expert(jc), application(jc), jc)
    assert reopen(data).tables[0].cell(0, 6).text == "1寸免冠\n照片\n粘贴处"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert not any(n.startswith("word/media/") for n in z.namelist())


def test_x_w1_a_photo_of_another_shape_is_fitted_into_the_box_not_stretched(jc):
    data = render(make_expert(jc), application(jc), jc, photo=png(400, 300))
    shape = reopen(data).inline_shapes[0]
    assert shape.width == Mm(25)
    assert abs(shape.height - Mm(25) * 300 / 400) <= 1


def test_x_w1_a_jpeg_photo_is_accepted(jc):
    image = pytest.importorskip("PIL.Image")
    buffer = io.BytesIO()
    image.new("RGB", (295, 413), (70, 130, 200)).save(buffer, "JPEG")
    data = render(make_expert(jc), application(jc), jc, photo=buffer.getvalue())
    assert len(reopen(data).inline_shapes) == 1


def test_x_w1_a_file_that_is_not_a_picture_is_refused_in_chinese(jc):
    with pytest.raises(FormError, match="JPG 或 PNG"):
        render(make_expert(jc), application(jc), jc, photo=b"%PDF-1.4 not a photo")
    with pytest.raises(FormError, match="无法读取"):
        render(make_expert(jc), application(jc), jc, photo=png(30, 40)[:30])
    with pytest.raises(ValidationError) as bad:
        forms_service.check_photo(b"GIF89a....")
    assert bad.value.errors[0][0] == "photo" and "JPG 或 PNG" in bad.value.errors[0][1]
    with pytest.raises(ValidationError, match="不能超过"):
        forms_service.check_photo(png(300, 400), max_bytes=100)
    forms_service.check_photo(None)
    forms_service.check_photo(png(30, 40))
    assert forms.image_problem(png(30, 40)) is None


# --- literal user text -----------------------------------------------------------------------------------

def test_x_w1_user_text_comes_out_literally_with_real_line_breaks(jc):
    expert = make_expert(jc, resume=TRICKY, unit="甲&乙 <公司>", achievements="x < y && z > 0 }}")
    data = render(expert, application(jc), jc)
    table = reopen(data).tables[0]
    assert table.cell(3, 1).text == "甲&乙 <公司>"
    resume_cell = table.cell(10, 1)
    assert resume_cell.paragraphs[1].text == "A&B <甲> {{ x }} {% if %}\n第二行\n第三行"
    assert resume_cell._tc.xml.count("<w:br/>") == 2  # real line breaks, not "\n" in the text
    assert "x < y && z > 0 }}" in table.cell(13, 1).text
    xml = document_xml(data)
    assert "{{ name" not in xml and "{%tr" not in xml and "{% if photo" not in xml


# --- YQ 附表一 / 附表二 ------------------------------------------------------------------------------------

def test_yq_w1_yq_i1_application_form_has_the_annex_rows_and_default_unit_opinion(yq):
    expert = make_expert(yq, specialties=["4.3", "4.16", "6.2"], employment_status="退休", unit_opinion=None)
    name, data = forms_service.application_form(expert, application(yq), yq)
    assert name.startswith("附表一_阳泉市应急管理和安全生产专家入库申请表_")
    document = reopen(data)
    assert texts(document)[:3] == ["附表一：", "阳泉市应急管理和安全生产专家入库申请表", "填报：2026年6月15日"]
    table = document.tables[0]
    assert len(table.rows) == 14
    assert [table.cell(0, c).text for c in (0, 2, 4)] == ["姓　名", "性　别", "出生年月"]
    assert table.cell(1, 1).text == "中共党员"
    assert table.cell(2, 4).text == "在岗☐　退休☑"
    assert table.cell(3, 1).text == f"{expert['unit']}　{expert['unit_address']}"
    assert (table.cell(7, 1).text, table.cell(7, 4).text) == (
        "4.煤矿、6.化工", "4.3 矿井通风与瓦斯防治；4.16 安全管理；6.2 化工")
    assert table.cell(8, 0).text == "工\n作\n简\n历"
    assert table.cell(12, 0).text == "所在单位\n意见" and table.cell(12, 1).text.startswith("同意申报")
    assert table.cell(13, 0).text == "专家承诺"
    assert "请对上述文字认真理解，并抄写在下方。" in table.cell(13, 1).text
    assert texts(document)[-3:] == [
        "说明：1.职业资格：指注册安全工程师、注册安全评价师或国家职能技能一级/高级技师；",
        "2.现从事专业：请务必按照《专家行业领域和专业范围分类表》（见下表）填写；", "3.填写说明：此表一式两份。"]


def test_yq_w1_a_special_expert_gets_the_recommendation_form_with_department_and_leader(yq):
    expert = make_expert(yq, expert_kind="特聘专家")
    special = {"department": "市应急管理局救援协调科", "department_opinion": "同意推荐 & 支持",
               "leader_opinion": "同意。", "path": "frontline"}
    name, data = forms_service.application_form(expert, application(yq, kind="特聘专家", special=special), yq,
                                                photo=png(250, 350))
    assert name.startswith("附表二_阳泉市应急管理和安全生产特聘专家推荐表_")
    document = reopen(data)
    assert texts(document)[:2] == ["附表二：", "阳泉市应急管理和安全生产特聘专家推荐表"]
    table = document.tables[0]
    assert len(table.rows) == 15
    assert "（提交奖励证书复印件等有关证明材料。）" in table.cell(10, 1).text
    assert table.cell(12, 0).text == "专家承诺"
    assert table.cell(13, 0)._tc is table.cell(14, 0)._tc  # 推荐部门 spans 部门意见 and 分管领导
    assert table.cell(13, 0).text == "推荐部门\n市应急管理局救援协调科"
    assert table.cell(13, 1).text == "部\n门\n意\n见" and table.cell(14, 1).text == "分\n管\n领\n导"
    assert table.cell(13, 2).text.startswith("同意推荐 & 支持") and "签字：" in table.cell(13, 2).text
    assert table.cell(14, 2).text.startswith("同意。") and "签字：" in table.cell(14, 2).text
    assert len(document.inline_shapes) == 1


# --- every application form: A4, CJK font, no leftover tags ---------------------------------------------

@pytest.mark.parametrize("policy_id, kind", [("jincheng-2026", "普通专家"), ("yangquan-2024", "普通专家"),
                                             ("yangquan-2024", "特聘专家")])
def test_x_w1_application_forms_are_a4_with_an_east_asian_font_and_no_leftover_tags(policies, policy_id, kind):
    policy = policies[policy_id]
    data = render(make_expert(policy, expert_kind=kind), application(policy, kind=kind), policy)
    document = reopen(data)
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    fonts = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "仿宋"
    xml = document_xml(data)
    assert "{{" not in xml and "{%" not in xml and "}}" not in xml and "%}" not in xml

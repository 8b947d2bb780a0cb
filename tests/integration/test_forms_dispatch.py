"""Drawing and dispatch forms — YQ 附表四 使用申请表, 附表五 使用委派单, JC 附件7 服务派遣审批单 and the 抽取记录单 —
rendered from the real profiles and reopened with python-docx: fields in their cells, ☑/☐ decided in Python,
附表五 padded to five expert rows, 注1–4 word for word, user text literal, no tags left (JC-W1, YQ-W1, X-W1,
X-W2, X-D2 for the draw record)."""
from __future__ import annotations

import io
import zipfile
from datetime import date

import docx
import pytest
from docx.oxml.ns import qn

from core.errors import DomainError
from core.forms_context import (
    dispatch_approval_context, dispatch_slip_context, draw_record_context, request_form_context, split_unit,
)
from services import forms_service
from tests.factories import make_expert, real_policies

TODAY = date(2026, 6, 15)
# 附件7 注1–4 as the JC seed prints them (ASCII punctuation and all).
JC_NOTES = [
    "1.此表为市应急管理局各科室(单位)使用专家申请记录,审批完成后报专家管理工作领导小组办公室,使用科室(单位)留存复印件;",
    "2.严格按照《晋城市安全生产和应急管理专家使用管理办法》要求,事前一事一填;",
    "3.单次使用专家10人以上或使用市应急管理局专家库之外的专家需报经局主要领导批准;",
    "4.应急救援等特殊情况在使用后填写此表。",
]
TRICKY = "检查 A&B 公司 <重点> {{ 不是标签 }} {% 也不是 %}\n第二行"


@pytest.fixture(scope="module")
def jc():
    return real_policies()["jincheng-2026"]


@pytest.fixture(scope="module")
def yq():
    return real_policies()["yangquan-2024"]


def make_request(policy, **overrides) -> dict:
    """An approved request of `policy` for two specialties; `overrides` replace fields."""
    codes = policy.taxonomy.all_specialty_codes()
    yq_like = bool(policy.drawing.dispatch_form_id)
    request = {
        "id": 7, "policy_id": policy.id, "department": "市应急管理局危险化学品安全监督管理科", "contact": "王经办",
        "contact_phone": "13903560001", "matter": "危险化学品企业安全生产专项检查",
        "task_type": "安全生产" if yq_like else "监督检查", "target_enterprises": ["恒达化工有限公司", "新源化工有限公司"],
        "place": "城区", "outside_city": False, "start": "2026-06-05", "end": "2026-06-07", "days": 3,
        "needs": [{"specialty": codes[0], "count": 2}, {"specialty": codes[1], "count": 1}],
        "min_title_level": "中级", "mode": "抽取", "direct_reason": None, "emergency": False,
        "filed_on": "2026-06-01", "filed_by": "dept", "external_experts": [],
        "approval": {"by": "leader", "role": "领导", "level": "专家管理办公室" if yq_like else "分管领导",
                     "on": "2026-06-02", "opinion": "同意。", "after_the_fact": False},
        "status": "已委派",
    }
    request.update(overrides)
    return request


def accepted(policy, n: int) -> list[dict]:
    codes = policy.taxonomy.all_specialty_codes()
    return [make_expert(policy, id=i, name=f"专家{i}", specialties=[codes[(i - 1) % 2]], title="高级工程师",
                        qualifications=["注册安全工程师"]) for i in range(1, n + 1)]


def reopen(data: bytes) -> docx.Document:
    return docx.Document(io.BytesIO(data))


def texts(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.text.strip()]


def body_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("word/document.xml").decode("utf-8")


def no_leftover_tags(data: bytes) -> bool:
    xml = body_xml(data)
    return not any(tag in xml for tag in ("{{", "}}", "{%", "%}"))


# --- YQ 附表四 使用申请表 ---------------------------------------------------------------------------------

def test_yq_w1_request_form_has_every_field_of_the_annex_with_the_chosen_category_ticked(yq):
    name, data = forms_service.request_form(make_request(yq), yq)
    assert name == "附表四_阳泉市应急管理和安全生产专家使用申请表_市应急管理局危险化学品安全监督管理科_20260605.docx"
    document = reopen(data)
    assert texts(document)[:2] == ["附表四：", "阳泉市应急管理和安全生产专家使用申请表"]
    table = document.tables[0]
    assert [table.cell(r, 0).text for r in range(8)] == [
        "使用单位", "申请科室", "使用事项", "使用时间", "使用类别", "行业、专业要\n求及专家数量", "使用部门\n负责人签字",
        "使用部门\n分管领导签字"]
    assert table.cell(0, 1).text == "市应急管理局"
    assert (table.cell(1, 1).text, table.cell(1, 2).text, table.cell(1, 3).text) == (
        "危险化学品安全监督管理科", "联系人\n及电话", "王经办　13903560001")
    assert table.cell(2, 1).text == ("危险化学品企业安全生产专项检查\n工作地点：城区\n"
                                     "服务对象：恒达化工有限公司、新源化工有限公司")
    assert table.cell(3, 1).text == "2026年6月5日至2026年6月7日，共计3天。"
    assert table.cell(4, 1).text == "☑安全生产　☐应急管理"
    assert table.cell(5, 1).text == ("1.地震和地质灾害／1.1 地震观测与信息技术：2人\n"
                                     "1.地震和地质灾害／1.2 震情分析与预测：1人\n共计3人\n技术要求：中级及以上职称")
    assert table.cell(6, 1).text == "" and table.cell(7, 1).text == ""  # signed by hand
    assert no_leftover_tags(data)


def test_yq_w1_request_form_ticks_emergency_management_and_names_a_direct_selection(yq):
    request = make_request(yq, task_type="应急管理", mode="选派", direct_reason="3", outside_city=True, days=None,
                           end="2026-06-06")
    context = request_form_context(request, yq)
    assert context["category_boxes"] == "☐安全生产　☑应急管理"
    assert [c["box"] for c in context["categories"]] == ["☐", "☑"]
    assert context["period"] == "2026年6月5日至2026年6月6日，共计2天。"  # days from the span when not stored
    assert "工作地点：城区（市外）" in context["matter_text"]
    assert context["matter_text"].endswith("选取方式：直接选派：（3）各行业安全生产标准化定级现场核查")


def test_yq_w1_a_request_without_dates_prints_the_blank_period_line(yq):
    context = request_form_context(make_request(yq, start=None, end=None, days=None), yq)
    assert context["period"] == "　　　　年　　月　　日至　　　　年　　月　　日，共计　　天。"


def test_x_w1_request_form_prints_user_text_literally(yq):
    request = make_request(yq, matter=TRICKY, contact="张&李", department="<市安委办>")
    data = forms_service.request_form(request, yq)[1]
    table = reopen(data).tables[0]
    assert table.cell(2, 1).text.startswith(TRICKY)
    assert table.cell(1, 3).text.startswith("张&李")
    assert table.cell(0, 1).text == "<市安委办>" and table.cell(1, 1).text == ""
    xml = body_xml(data).replace("{{ 不是标签 }}", "").replace("{% 也不是 %}", "")
    assert not any(tag in xml for tag in ("{{", "}}", "{%", "%}"))


def test_unit_and_section_are_split_from_one_department_name():
    assert split_unit("市应急管理局危险化学品安全监督管理科") == ("市应急管理局", "危险化学品安全监督管理科")
    assert split_unit("阳泉市矿山安全监察局综合科") == ("阳泉市矿山安全监察局", "综合科")
    assert split_unit("市安委办") == ("市安委办", "")


# --- YQ 附表五 使用委派单 ---------------------------------------------------------------------------------

def slip_rows(table) -> list[list[str]]:
    """The expert rows of 附表五: between the header and the 使用事项 row."""
    out = []
    for row in table.rows[1:]:
        cells = [c.text for c in row.cells]
        if cells[0] == "使用事项":
            break
        out.append([cells[0], cells[1], cells[2], cells[3]])
    return out


def test_yq_w1_dispatch_slip_lists_the_experts_and_pads_to_five_rows_with_blank_ratings(yq):
    experts = accepted(yq, 2)
    name, data = forms_service.dispatch_slip_form(make_request(yq), experts, yq, number="阳应急专派〔2026〕015号")
    assert name == "附表五_阳泉市应急管理和安全生产专家使用委派单_阳应急专派〔2026〕015号.docx"
    document = reopen(data)
    assert texts(document)[:3] == ["附表五：", "阳泉市应急管理和安全生产专家使用委派单", "编号：阳应急专派〔2026〕015号"]
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells][:4] == ["姓　名", "专　业", "职称/资格", "对专家工作情况评价"]
    rows = slip_rows(table)
    assert len(rows) == 5
    assert rows[0] == ["专家1", "1.1 地震观测与信息技术", "高级工程师／注册安全工程师", "☐优秀 ☐良好 ☐一般 ☐较差"]
    assert rows[1][:2] == ["专家2", "1.2 震情分析与预测"]
    assert rows[2:] == [["", "", "", "☐优秀 ☐良好 ☐一般 ☐较差"]] * 3  # padding rows as in the annex
    after = {row.cells[0].text: row for row in table.rows[6:]}
    assert list(after) == ["使用事项", "使用时间", "使用类别", "专家库负\n责人签字", "被检查企业", "使用部门\n确认签字", "备　注"]
    assert after["使用事项"].cells[1].text == "危险化学品企业安全生产专项检查"
    assert after["使用时间"].cells[1].text == "2026年6月5日至2026年6月7日，共计3天。"
    assert after["使用类别"].cells[1].text == "☑安全生产　☐应急管理"
    assert after["专家库负\n责人签字"].cells[1].text == ""
    enterprise = [c.text for c in after["被检查企业"].cells]
    assert enterprise[1] == "恒达化工有限公司、新源化工有限公司" and enterprise[3] == "联系电话"
    assert after["备　注"].cells[1].text == ""
    assert no_leftover_tags(data)


def test_yq_w1_more_than_five_experts_add_rows_and_ratings_tick_their_box(yq):
    experts = accepted(yq, 6)
    ratings = {1: "优秀", "2": "较差"}  # keys as ids or as stored JSON strings
    request = make_request(yq, enterprise_phone="0353-2031234", remark="自带安全帽 & 手电", mode="选派",
                           direct_reason="6")
    data = forms_service.dispatch_slip_form(request, experts, yq, number="015", ratings=ratings)[1]
    table = reopen(data).tables[0]
    rows = slip_rows(table)
    assert [r[0] for r in rows] == [f"专家{i}" for i in range(1, 7)]
    assert rows[0][3] == "☑优秀 ☐良好 ☐一般 ☐较差"
    assert rows[1][3] == "☐优秀 ☐良好 ☐一般 ☑较差"
    assert rows[2][3] == "☐优秀 ☐良好 ☐一般 ☐较差"
    after = {row.cells[0].text: row for row in table.rows[7:]}
    assert after["被检查企业"].cells[4].text == "0353-2031234"
    assert after["备　注"].cells[1].text == "自带安全帽 & 手电\n直接选派：（6）需要专家深入企业现场开展技术服务与帮扶的任务"


def test_yq_w1_dispatch_slip_prints_the_specialty_drawn_for_and_refuses_an_unknown_rating(yq):
    expert = make_expert(yq, id=3, name="多专业", specialties=["1.1", "1.2", "2.1"], drawn_specialty="1.2")
    context = dispatch_slip_context(make_request(yq), [expert], yq, number="1")
    assert context["experts"][0]["specialty"] == "1.2 震情分析与预测"
    del expert["drawn_specialty"]
    context = dispatch_slip_context(make_request(yq), [expert], yq, number="1")
    assert context["experts"][0]["specialty"] == "1.1 地震观测与信息技术\n1.2 震情分析与预测"  # the ones needed
    with pytest.raises(DomainError, match="评价等级“优”不是优秀、良好、一般、较差之一"):
        dispatch_slip_context(make_request(yq), [expert], yq, number="1", ratings={3: "优"})


def test_jc_has_no_separate_request_form_or_dispatch_slip(jc, yq):
    with pytest.raises(DomainError, match="没有单独的使用申请表"):
        request_form_context(make_request(jc), jc)
    with pytest.raises(DomainError, match="没有专家使用委派单"):
        dispatch_slip_context(make_request(jc), [], jc, number="1")
    with pytest.raises(DomainError, match="没有服务派遣审批单"):
        dispatch_approval_context(make_request(yq), [], yq)


# --- JC 附件7 服务派遣审批单 -----------------------------------------------------------------------------

def test_jc_w1_dispatch_approval_slip_is_the_annex_two_columns_with_notes_verbatim(jc):
    experts = accepted(jc, 3)
    name, data = forms_service.dispatch_approval_form(make_request(jc), experts, jc)
    assert name == "附件7_晋城市安全生产和应急管理专家服务派遣审批单_市应急管理局危险化学品安全监督管理科_20260605.docx"
    document = reopen(data)
    lines = texts(document)
    assert lines[:2] == ["附件7", "晋城市安全生产\n和应急管理专家服务派遣审批单"]  # the title breaks as in the seed
    assert lines[-5:] == ["注:", *JC_NOTES]
    table = document.tables[0]
    assert len(table.columns) == 2 and len(table.rows) == 7
    assert [table.cell(r, 0).text for r in range(7)] == [
        "市应急管理局分管\n领导意见", "市应急管理局使用科室\n(单位)负责人", "市应急管理局使用科室\n(单位)及经办人",
        "专家出勤人员", "专家工作时间", "专家工作地点", "主要工作内容"]
    opinion = table.cell(0, 1).text
    assert opinion.startswith("同意。") and "(签字)" in opinion and opinion.rstrip().endswith("2026年6月2日")
    head = table.cell(1, 1).text
    assert "(签字)" in head and head.rstrip().endswith("年　　月　　日")  # signed and dated by hand
    assert table.cell(2, 1).text == "市应急管理局危险化学品安全监督管理科\n经办人：王经办　联系电话：13903560001"
    assert table.cell(3, 1).text == "专家1、专家2、专家3"
    assert table.cell(4, 1).text == "2026年6月5日至2026年6月7日（共3天）"
    assert table.cell(5, 1).text == "城区"
    assert table.cell(6, 1).text == ("危险化学品企业安全生产专项检查\n任务类型：监督检查\n"
                                     "服务对象：恒达化工有限公司、新源化工有限公司")
    assert no_leftover_tags(data)


def test_jc_d2_before_approval_the_leader_cell_is_blank_and_an_emergency_says_it_is_filled_in_after(jc):
    context = dispatch_approval_context(make_request(jc, approval=None, emergency=True, start="2026-06-05",
                                                     end="2026-06-05", days=1), [], jc)
    assert context["leader_opinion"] == "" and context["leader_date"] == "　　　　年　　月　　日"
    assert context["approval_note"] == "应急救援等特殊情况，使用后填写此表（注4），待补批"
    assert context["work_period"] == "2026年6月5日（共1天）"
    assert context["attendees"] == ""


def test_jc_d2_main_leader_approval_and_outside_experts_are_shown(jc):
    approval = {"by": "boss", "role": "领导", "level": "主要领导", "on": "2026-06-03", "opinion": "",
                "after_the_fact": True}
    external = [{"name": "周外", "unit": "太原理工大学", "title": "教授", "title_level": "正高级", "reason": "专业稀缺"}]
    request = make_request(jc, approval=approval, external_experts=external, outside_city=True, place="太原市")
    data = forms_service.request_form(request, jc, experts=accepted(jc, 1))[1]  # JC's request form is 附件7
    table = reopen(data).tables[0]
    opinion = table.cell(0, 1).text
    assert opinion.startswith("同意。\n已报局主要领导批准（注3）；使用后补填（注4）")
    assert opinion.rstrip().endswith("2026年6月3日")
    assert table.cell(3, 1).text == "专家1、周外（库外专家：太原理工大学，教授）"
    assert table.cell(5, 1).text == "太原市（市外）"


def test_x_w1_dispatch_approval_prints_user_text_literally(jc):
    request = make_request(jc, matter=TRICKY, place="A&B 园区 <东区>")
    data = forms_service.dispatch_approval_form(request, [make_expert(jc, name="王<五>&")], jc)[1]
    table = reopen(data).tables[0]
    assert table.cell(6, 1).text.startswith(TRICKY + "\n任务类型")
    assert table.cell(5, 1).text == "A&B 园区 <东区>"
    assert table.cell(3, 1).text == "王<五>&"


# --- 抽取记录单 -----------------------------------------------------------------------------------------

def stored_draw(policy) -> tuple[dict, dict, list[dict]]:
    codes = policy.taxonomy.all_specialty_codes()
    draw = {
        "request_id": 7, "policy_id": policy.id, "method_version": "rotation-seeded-v1",
        "seed": "0123456789abcdef0123456789abcdef", "drawn_at": "2026-06-02T09:30:05",
        "eligible_hash": {codes[0]: "a" * 64, codes[1]: "b" * 64},
        "exclusions": [
            {"expert_id": 8, "name": "回避甲", "rule": "same_employer", "label": "与任务对象同一单位",
             "reason": "工作单位“恒达化工有限公司”与任务对象相同"},
            {"expert_id": 9, "name": "忙碌乙", "rule": "busy", "label": "同期已有其他任务",
             "reason": "2026年6月4日至6月6日 已接受 第3号申请"},
        ],
        "orders": {codes[0]: [1, 3, 4], codes[1]: [2]},
        "use_counts": {"1": 0, "3": 1, "4": 1, "2": 0},
    }
    names = {1: "张一", 2: "李二", 3: "王三", 4: "赵四"}
    assignments = [
        {"id": 11, "request_id": 7, "expert_id": 1, "status": "已接受", "answered_on": "2026-06-02",
         "answer_channel": "电话", "decline_reason": "", "decline_justified": None},
        {"id": 12, "request_id": 7, "expert_id": 3, "status": "已拒绝", "answered_on": "2026-06-02",
         "answer_channel": "微信", "decline_reason": "出差 & <外地>", "decline_justified": False},
        {"id": 13, "request_id": 7, "expert_id": 4, "status": "邀请中", "answered_on": None,
         "answer_channel": "", "decline_reason": "", "decline_justified": None},
        {"id": 14, "request_id": 7, "expert_id": 2, "status": "已接受", "answered_on": "2026-06-03",
         "answer_channel": "电话", "decline_reason": "", "decline_justified": None},
        {"id": 99, "request_id": 6, "expert_id": 2, "status": "已完成", "answered_on": "2026-05-01",
         "answer_channel": "电话", "decline_reason": "", "decline_justified": None},  # another request
    ]
    return draw, names, assignments


def test_x_d2_draw_record_has_request_time_drawer_seed_hashes_exclusions_orders_and_answers(jc):
    draw, names, assignments = stored_draw(jc)
    name, data = forms_service.draw_record_form(make_request(jc), draw, names, assignments, jc, drawn_by="办公室乙")
    assert name == "晋城市安全生产和应急管理专家抽取记录单_市应急管理局危险化学品安全监督管理科_202606020930.docx"
    document = reopen(data)
    lines = texts(document)
    assert lines[0] == "晋城市安全生产和应急管理专家抽取记录单"
    assert lines[1:7] == ["一、候选名单校验值（SHA-256）", "二、回避与排除（共2人次）", "三、各专业完整排序",
                          "轮换使用：近365天内使用次数少者在前，次数相同者按随机种子排序；答复不能参加的，由本专业下一顺位递补。",
                          "1.1 地质勘探、测量（候选3人）", "1.2 地下采煤（候选1人）"]
    summary, hashes, exclusions, first, second, answers = document.tables
    cell = {summary.cell(r, c).text: summary.cell(r, c + 1).text for r in range(len(summary.rows)) for c in (0, 2)}
    assert cell["申请编号"] == "第7号" and cell["抽取时间"] == "2026年6月2日 09:30:05"
    assert cell["使用科室"] == "市应急管理局危险化学品安全监督管理科"
    assert cell["使用事项"] == "危险化学品企业安全生产专项检查"
    assert cell["专业及人数"].startswith("1.煤矿／1.1 地质勘探、测量：2人\n1.煤矿／1.2 地下采煤：1人\n共计3人")
    assert cell["服务对象"] == "恒达化工有限公司、新源化工有限公司"
    assert cell["选取方式"] == "随机抽取"
    assert cell["审批情况"] == "分管领导（leader）于2026年6月2日批准：同意。"
    assert cell["抽取人"] == "办公室乙" and cell["方法版本"] == "轮换优先、随机排序（第1版）"
    assert cell["随机种子"] == "0123456789abcdef0123456789abcdef"
    assert [[c.text for c in row.cells] for row in hashes.rows] == [
        ["专业", "候选人数", "校验值"],
        ["1.1 地质勘探、测量", "3", " ".join(["aaaaaaaa"] * 8)],
        ["1.2 地下采煤", "1", " ".join(["bbbbbbbb"] * 8)]]
    assert hashes.cell(1, 2).text.replace(" ", "") == "a" * 64
    assert [[c.text for c in row.cells] for row in exclusions.rows[1:]] == [
        ["1", "回避甲", "与任务对象同一单位", "工作单位“恒达化工有限公司”与任务对象相同"],
        ["2", "忙碌乙", "同期已有其他任务", "2026年6月4日至6月6日 已接受 第3号申请"]]
    assert [[c.text for c in row.cells] for row in first.rows] == [  # the complete order, one table per specialty
        ["顺位", "姓名", "近365天使用次数", "邀请结果"],
        ["1", "张一", "0", "已接受"], ["2", "王三", "1", "已拒绝"], ["3", "赵四", "1", "邀请中"]]
    assert [[c.text for c in row.cells] for row in second.rows[1:]] == [["1", "李二", "0", "已接受"]]
    assert first.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # a long order repeats its header
    assert [[c.text for c in row.cells] for row in answers.rows] == [
        ["序号", "姓名", "答复", "方式", "日期", "拒绝理由", "理由是否成立"],
        ["1", "张一", "接受", "电话", "2026年6月2日", "", ""],
        ["2", "王三", "拒绝", "微信", "2026年6月2日", "出差 & <外地>", "不成立"],
        ["3", "赵四", "待答复", "", "", "", ""],
        ["4", "李二", "接受", "电话", "2026年6月3日", "", ""]]
    assert lines[-2].startswith("核验方法：以本单所记随机种子、方法版本")
    assert lines[-1].replace("　", "") == "抽取人（签字）：监督人（签字）："
    assert no_leftover_tags(data)


def test_x_d2_draw_record_says_when_nothing_was_excluded_nobody_answered_or_a_specialty_ran_out(yq):
    codes = yq.taxonomy.all_specialty_codes()
    draw = {"request_id": 7, "policy_id": yq.id, "method_version": "rotation-seeded-v1", "seed": "ff" * 16,
            "drawn_at": "2026-06-02", "eligible_hash": {codes[0]: "c" * 64, codes[1]: "d" * 64},
            "exclusions": [], "orders": {codes[0]: [5], codes[1]: []}, "use_counts": {"5": 3}}
    request = make_request(yq, approval=None, emergency=True, reason=None)
    data = forms_service.draw_record_form(request, draw, {}, [], yq, drawn_by="办公室乙")[1]
    summary, hashes, exclusions, first, second, answers = reopen(data).tables
    cell = {summary.cell(r, c).text: summary.cell(r, c + 1).text for r in range(len(summary.rows)) for c in (0, 2)}
    assert cell["抽取时间"] == "2026年6月2日"
    assert cell["审批情况"] == "先委派后补批，尚待补批"
    assert cell["选取方式"] == "随机抽取（紧急情况，先委派后补批）"
    assert [c.text for c in exclusions.rows[1].cells] == ["", "（无）", "", ""]
    assert [c.text for c in first.rows[1].cells] == ["1", "专家5", "3", ""]  # a name missing from pool_names: its id
    assert [c.text for c in second.rows[1].cells] == ["", "该专业无可用专家", "", ""]
    assert [c.text for c in answers.rows[1].cells][1] == "（尚未邀请）"
    assert hashes.cell(2, 1).text == "0"


def test_x_d2_draw_record_takes_a_real_draw_result(jc):
    drawing = pytest.importorskip("core.drawing")
    codes = jc.taxonomy.all_specialty_codes()
    pool = [make_expert(jc, id=i, name=f"池{i}", specialties=[codes[0]], state="在库", term_start="2026-01-01",
                        term_end="2028-12-31", unit=f"单位{i}", related_enterprises=[], unavailable=[])
            for i in range(1, 6)]
    pool[0]["unit"] = "恒达化工有限公司"  # same employer as the target: excluded
    request = make_request(jc, needs=[{"specialty": codes[0], "count": 2}])
    result = drawing.draw(request, pool, [], jc, seed="00" * 16, drawn_at="2026-06-02T09:30:05")
    names = {e["id"]: e["name"] for e in pool}
    context = draw_record_context(request, result, names, [], jc, drawn_by="办公室乙")
    assert context["seed"] == "00" * 16 and context["method_version"] == drawing.method_name(drawing.METHOD_VERSION)
    assert context["hashes"][0]["hash"] == result.eligible_hash[codes[0]]
    assert [row["name"] for row in context["orders"][0]["rows"]] == [names[i] for i in result.orders[codes[0]]]
    assert {x["name"]: x["rule"] for x in context["exclusions"]}["池1"] == "与任务对象同一单位"
    data = forms_service.draw_record_form(request, result.to_dict(), names, [], jc, drawn_by="办公室乙")[1]
    assert no_leftover_tags(data)


# --- X-W2: the new templates are supported and check out ------------------------------------------------

@pytest.mark.parametrize("policy_id, form_ids", [
    ("jincheng-2026", ["jc_fj7", "jc_draw_record"]),
    ("yangquan-2024", ["yq_fb4", "yq_fb5", "yq_draw_record"])])
def test_x_w2_template_report_shows_the_dispatch_forms_supported_and_ok(policy_id, form_ids):
    policy = real_policies()[policy_id]
    report = {s.form_id: s for s in forms_service.template_report(policy, TODAY)}
    for form_id in form_ids:
        status = report[form_id]
        assert status.supported and status.exists and status.ok, (form_id, status.problems)
        assert status.needed and not status.missing
    assert report[form_ids[-1]].template == "draw_record_抽取记录单.docx"
    assert policy.form(form_ids[-1]).annex == "本地表单"

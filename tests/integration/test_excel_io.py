"""专家名单 Excel: export, import template and import, checked by reopening the real .xlsx bytes.

X-I1: ID numbers keep every character (X, leading zeros of phones), numbers-for-IDs are refused with a clear
Chinese message, every row's every error is reported, duplicates inside a file are refused, nothing is half
imported. X-T1: several specialties per expert survive a round trip.
"""
from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from core.errors import ValidationError
from core.expert import validate_expert
from core.expert_fields import EXPERT_FIELDS, FIELDS_BY_KEY
from core.policy import load_policies
from services.demo import generate_demo_pool
from services.excel_io import (
    DATA_SHEET, HELP_SHEET, IMPORT_REQUIRED_KEYS, ImportResult, RowError, blank_import_template_xlsx,
    export_experts_xlsx, parse_import_xlsx,
)
from tests.factories import valid_id_number

POLICIES = load_policies(Path(__file__).parents[2] / "policies")
JC = POLICIES["jincheng-2026"]
YQ = POLICIES["yangquan-2024"]
TODAY = date(2026, 6, 15)


@pytest.fixture(scope="module")
def demo30() -> list[dict]:
    """30 demo experts from every sector of JC."""
    pool = generate_demo_pool(JC, seed=11, today=TODAY)
    return pool[::8][:30]


def x_id(birth: date = date(1979, 4, 2), gender: str = "男") -> str:
    """A valid ID number ending in X."""
    for seq in range(1 if gender == "男" else 2, 999, 2):
        number = valid_id_number(birth, gender, "140502", seq)
        if number.endswith("X"):
            return number
    raise AssertionError("no X check digit found")


def sheet_bytes(headers: list[str], rows: list[list], *, title: str = DATA_SHEET) -> bytes:
    """An .xlsx as a user's own Excel would hold it: values keep their Python types (numbers stay numbers)."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def minimal_row(**overrides) -> dict[str, object]:
    """Label → value for a valid row with the required columns only."""
    row = {"姓名": "张三", "身份证号": valid_id_number(date(1978, 5, 6), "男", "140525", 123),
           "在岗情况": "在岗", "移动电话": "13812345678", "单位全称": "晋城蓝焰煤业股份有限公司",
           "最高学历": "本科", "职称等级": "副高级", "从事本专业年限": "20", "申报行业领域及专业": "1.3"}
    row.update(overrides)
    return row


def rows_bytes(rows: list[dict[str, object]]) -> bytes:
    headers = list(dict.fromkeys(h for r in rows for h in r))
    return sheet_bytes(headers, [[r.get(h) for h in headers] for r in rows])


def all_cells(data: bytes):
    wb = load_workbook(io.BytesIO(data))  # data_only=False: formulas would show as formulas
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            yield from row


# --- export ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("label", [None, JC.taxonomy.specialty_label], ids=["codes", "code-and-name"])
def test_x_i1_x_t1_export_then_import_gives_back_the_same_30_demo_experts(demo30, label):
    data = export_experts_xlsx(demo30, specialty_label=label)
    result = parse_import_xlsx(data, JC, TODAY)
    assert result.errors == []
    assert result.rows == demo30
    assert result.row_numbers == list(range(2, 32))
    assert any(len(e["specialties"]) > 1 for e in result.rows)


def test_export_has_chinese_headers_a_bold_frozen_header_and_no_formula(demo30):
    data = export_experts_xlsx(demo30, sheet_title="专家名单")
    ws = load_workbook(io.BytesIO(data))["专家名单"]
    assert [c.value for c in ws[1]] == [f.label for f in EXPERT_FIELDS]
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.max_row == 31
    assert all(c.data_type != "f" for c in all_cells(data))
    widths = [ws.column_dimensions[c.column_letter].width for c in ws[1]]
    assert all(8 <= w <= 50 for w in widths)


def test_export_of_chosen_columns_shows_specialties_and_booleans_in_words(demo30):
    expert = dict(demo30[0], specialties=["1.1", "1.3"], is_out_of_city=True, qualifications=["注册安全工程师", "律师"])
    data = export_experts_xlsx([expert], columns=["name", "specialties", "is_out_of_city", "qualifications"],
                               specialty_label=JC.taxonomy.specialty_label)
    ws = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in ws[1]] == ["姓名", "申报行业领域及专业", "市外专家", "职业资格"]
    assert [c.value for c in ws[2]] == [expert["name"], "1.1 地质勘探、测量、1.3 矿井通风与瓦斯防治", "是",
                                        "注册安全工程师、律师"]


def test_export_refuses_an_unknown_column_key():
    with pytest.raises(ValueError):
        export_experts_xlsx([], columns=["name", "salary"])


def test_x_i1_id_numbers_ending_in_x_and_phones_with_a_leading_zero_keep_every_character(demo30):
    expert = dict(demo30[0], id_number=x_id(), gender="男", birth_date="1979-04-02", work_phone="03562027255",
                  home_phone="0356-2027255", postcode="048000", mobile="13012345678")
    data = export_experts_xlsx([expert])
    ws = load_workbook(io.BytesIO(data)).active
    cells = {ws.cell(1, n).value: ws.cell(2, n) for n in range(1, ws.max_column + 1)}
    for label, text in (("身份证号", expert["id_number"]), ("工作电话", "03562027255"), ("住宅电话", "0356-2027255"),
                        ("邮政编码", "048000"), ("移动电话", "13012345678")):
        assert cells[label].value == text
        assert cells[label].data_type == "s" and cells[label].number_format == "@"
    assert expert["id_number"].endswith("X")
    assert parse_import_xlsx(data, JC, TODAY).rows == [validate_expert(expert, JC, TODAY)]


def test_text_that_looks_like_a_formula_is_written_and_read_back_as_literal_text(demo30):
    expert = dict(demo30[1], name="=SUM(A1)", department="+1", position="-x", major="@y",
                  resume='=HYPERLINK("http://example.com","点我")', remarks="=1+1")
    data = export_experts_xlsx([expert])
    assert all(c.data_type != "f" for c in all_cells(data))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet_xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    ws = load_workbook(io.BytesIO(data)).active
    cells = {ws.cell(1, n).value: ws.cell(2, n) for n in range(1, ws.max_column + 1)}
    assert cells["姓名"].value == "=SUM(A1)" and cells["姓名"].quotePrefix
    assert (cells["所在部门"].value, cells["职务"].value, cells["所学专业"].value) == ("+1", "-x", "@y")
    assert parse_import_xlsx(data, JC, TODAY).rows == [expert]


def test_text_with_markup_line_breaks_and_emoji_round_trips_literally(demo30):
    expert = dict(demo30[2], unit="A&B <安全> 公司 {{ unit }}",
                  resume="第一行 & < > {{ name }} {% if x %}\n第二行 😀 “引号” 'single'\n\n第四行",
                  related_enterprises=["晋城市某某化工有限公司", "R&D <测试> 企业"])
    data = export_experts_xlsx([expert])
    [row] = parse_import_xlsx(data, JC, TODAY).rows
    assert row["unit"] == expert["unit"]
    assert row["resume"] == expert["resume"]
    assert row["related_enterprises"] == expert["related_enterprises"]


def test_control_characters_are_dropped_on_export_and_windows_line_breaks_made_plain(demo30):
    expert = dict(demo30[3], resume="甲\x00乙\x07丙\r\n丁\x1f")
    ws = load_workbook(io.BytesIO(export_experts_xlsx([expert]))).active
    col = [f.key for f in EXPERT_FIELDS].index("resume") + 1
    assert ws.cell(2, col).value == "甲乙丙\n丁"


def test_datetimes_with_a_time_zone_are_written_without_it():
    from datetime import timezone
    expert = {"name": "甲", "apply_date": datetime(2026, 6, 5, tzinfo=timezone.utc)}
    ws = load_workbook(io.BytesIO(export_experts_xlsx([expert], columns=["name", "apply_date"]))).active
    assert ws["B2"].value == datetime(2026, 6, 5)  # a real date cell (issue 12), the time zone dropped
    assert ws["B2"].number_format == 'yyyy"年"m"月"d"日"'


# --- import template ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("policy", [JC, YQ], ids=lambda p: p.id)
def test_blank_template_has_every_column_an_empty_text_sheet_and_the_instructions(policy):
    data = blank_import_template_xlsx(policy)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == [DATA_SHEET, HELP_SHEET]
    ws = wb[DATA_SHEET]
    headers = [c.value for c in ws[1]]
    assert headers == [f.label + ("*" if f.key in IMPORT_REQUIRED_KEYS else "") for f in EXPERT_FIELDS]
    assert "姓名*" in headers and "身份证号*" in headers and "性别" in headers
    assert ws.max_row == 1  # no example row that could be imported
    assert all(ws.column_dimensions[c.column_letter].number_format == "@" for c in ws[1])
    help_text = [c.value for row in wb[HELP_SHEET].iter_rows() for c in row if c.value]
    for spec in EXPERT_FIELDS:
        assert any(str(t).startswith(spec.label) for t in help_text), spec.label
    for code in policy.taxonomy.all_specialty_codes():
        assert code in help_text, code
    assert any("示例" == t for t in help_text)
    assert parse_import_xlsx(data, policy, TODAY) == ImportResult()


def test_a_filled_in_template_imports_and_the_instructions_sheet_is_never_read():
    data = blank_import_template_xlsx(JC)
    wb = load_workbook(io.BytesIO(data))
    ws = wb[DATA_SHEET]
    by_label = {c.value.rstrip("*"): c.column for c in ws[1]}
    for label, value in minimal_row(**{"职业资格": "注册安全工程师、律师", "市外专家": "否",
                                       "申报行业领域及专业": "1.1 地质勘探、测量、1.3 矿井通风与瓦斯防治"}).items():
        ws.cell(row=2, column=by_label[label], value=value)
    buffer = io.BytesIO()
    wb.save(buffer)
    result = parse_import_xlsx(buffer.getvalue(), JC, TODAY)
    assert result.errors == []
    [row] = result.rows
    assert row["specialties"] == ["1.1", "1.3"]
    assert row["qualifications"] == ["注册安全工程师", "律师"]
    assert row["state"] == "申请中"  # 状态 may be left out: new entries start as applications
    assert (row["gender"], row["birth_date"]) == ("男", "1978-05-06")


# --- import: whole-file problems --------------------------------------------------------------------------

def test_x_i1_missing_required_columns_give_one_chinese_error_naming_them():
    data = sheet_bytes(["姓名", "性别", "单位全称"], [["张三", "男", "某单位"]])
    with pytest.raises(ValidationError) as caught:
        parse_import_xlsx(data, JC, TODAY)
    [(key, message)] = caught.value.errors
    assert key == "file"
    assert message.startswith("缺少必需的列：身份证号、在岗情况、移动电话")
    assert "姓名" not in message.split("。")[0] and "申报行业领域及专业" in message


@pytest.mark.parametrize("data,words", [
    (b"name,id_number\nzhang,140502197801011234\n", "不是 Excel"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xls"),
    (b"PK\x03\x04 this is no zip", "已损坏"),
    (b"", "空"),
], ids=["csv", "old-xls", "broken-zip", "empty"])
def test_a_file_that_is_not_xlsx_gives_a_chinese_error(data, words):
    with pytest.raises(ValidationError) as caught:
        parse_import_xlsx(data, JC, TODAY)
    assert caught.value.errors[0][0] == "file"
    assert words in str(caught.value)


def test_a_column_given_twice_is_refused():
    row = minimal_row()
    data = sheet_bytes(list(row) + ["姓名*"], [list(row.values()) + ["李四"]])
    with pytest.raises(ValidationError, match="出现了两次"):
        parse_import_xlsx(data, JC, TODAY)


def test_headers_with_or_without_a_star_and_unknown_columns_are_accepted():
    row = minimal_row()
    headers = [h + "*" if n % 2 else h for n, h in enumerate(row)] + ["序号"]
    result = parse_import_xlsx(sheet_bytes(headers, [list(row.values()) + [1]]), JC, TODAY)
    assert result.errors == [] and len(result.rows) == 1
    assert result.ignored_columns == ["序号"]


# --- import: row problems ---------------------------------------------------------------------------------

def test_x_i1_id_numbers_stored_as_numbers_are_refused_per_row_with_a_hint_to_use_text():
    good = valid_id_number(date(1980, 1, 1), "男", "140502", 11)
    rows = [minimal_row(身份证号=float(good[:17] + "0")),       # what Excel keeps: 1.40502198001010E+17
            minimal_row(身份证号=int(good), 移动电话="13912345678"),  # an int cell: the X could never be there
            minimal_row(身份证号="1.40502198001011E+17", 移动电话="13712345678"),  # a CSV detour
            minimal_row(身份证号=good, 移动电话="13612345678", 工作电话=3562027255)]
    result = parse_import_xlsx(rows_bytes(rows), JC, TODAY)
    assert result.rows == []
    assert [(e.row_number, e.field_label) for e in result.errors] == [
        (2, "身份证号"), (3, "身份证号"), (4, "身份证号"), (5, "工作电话")]
    for error in result.errors:
        assert "存成了数字" in error.message and "文本" in error.message
    assert str(result.errors[0]).startswith("第2行 身份证号：")


def test_x_i1_every_row_and_every_error_of_a_row_is_reported_and_no_bad_row_is_returned():
    rows = [
        minimal_row(),                                                       # row 2: fine
        minimal_row(从事本专业年限="abc", 最高学历="小学", 身份证号=valid_id_number(date(1970, 1, 1), "女", "140502", 2),
                    移动电话="1381234"),                                    # row 3: three problems
        minimal_row(身份证号="140502197801011230", 移动电话="13512345678"),  # row 4: wrong check digit
        minimal_row(身份证号=valid_id_number(date(1975, 3, 3), "男", "140502", 5), 移动电话="13412345678",
                    性别="女", 公职人员="也许", 出生日期="1975-03-04"),  # row 5: gender, birth date, bool
    ]
    result = parse_import_xlsx(rows_bytes(rows), JC, TODAY)
    assert result.row_numbers == [2] and len(result.rows) == 1
    by_row: dict[int, list[str]] = {}
    for error in result.errors:
        by_row.setdefault(error.row_number, []).append(error.field_label)
    assert by_row == {3: ["移动电话", "最高学历", "从事本专业年限"], 4: ["身份证号"],
                      5: ["性别", "出生日期", "公职人员"]}
    messages = " ".join(e.message for e in result.errors)
    assert "应为整数" in messages and "校验位" in messages and "不一致" in messages


def test_x_i1_duplicate_id_numbers_inside_one_file_are_reported_on_the_later_row():
    same = valid_id_number(date(1977, 7, 7), "男", "140581", 77)
    rows = [minimal_row(身份证号=same), minimal_row(身份证号=same.lower(), 移动电话="13912345670", 姓名="李四")]
    result = parse_import_xlsx(rows_bytes(rows), JC, TODAY)
    assert result.errors == [RowError(3, "身份证号", "与第2行的身份证号相同，同一人只能填写一行")]


@pytest.mark.parametrize("cell", ["1.1、1.3", "1.1,1.3", "1.1，1.3", "1.1;1.3", "1.1；1.3", "1.1/1.3", "1.1\n1.3",
                                  "1.1 地质勘探、测量、1.3 矿井通风与瓦斯防治", "1.1地质勘探,测量；1.3 矿井通风与瓦斯防治",
                                  "1.3、1.1、1.1"])
def test_x_t1_specialties_are_read_from_codes_or_codes_with_names_and_any_separator(cell):
    result = parse_import_xlsx(rows_bytes([minimal_row(申报行业领域及专业=cell)]), JC, TODAY)
    assert result.errors == []
    assert result.rows[0]["specialties"] == ["1.1", "1.3"]


@pytest.mark.parametrize("cell,words", [
    ("1.1 地下采煤", "不符"), ("矿井通风与瓦斯防治", "请填写专业代码"), ("9.9", "不在"), ("煤矿 1.1", "前没有专业代码"),
])
def test_specialties_with_a_wrong_name_no_code_or_an_unknown_code_are_refused(cell, words):
    result = parse_import_xlsx(rows_bytes([minimal_row(申报行业领域及专业=cell)]), JC, TODAY)
    [error] = result.errors
    assert error.field_label == "申报行业领域及专业" and words in error.message


def test_numbers_dates_and_booleans_typed_as_excel_values_are_understood():
    row = minimal_row(从事本专业年限=20, 移动电话=13812345678, 邮政编码=48000, 填报日期=datetime(2026, 6, 5),
                      出生日期=datetime(1978, 5, 6), 公职人员=True, 市外专家="否", 聘书编号=2024001)
    result = parse_import_xlsx(rows_bytes([row]), JC, TODAY)
    assert result.errors == []
    [r] = result.rows
    assert (r["years_in_field"], r["mobile"], r["postcode"], r["apply_date"]) == (20, "13812345678", "048000",
                                                                                  "2026-06-05")
    assert (r["is_public_servant"], r["is_out_of_city"], r["certificate_no"]) == (True, False, "2024001")


def test_blank_rows_are_skipped_and_errors_name_the_excel_row():
    row = minimal_row()
    headers = list(row)
    bad = dict(row, 身份证号="123", 移动电话="13900000000")
    data = sheet_bytes(headers, [list(row.values()), [None] * len(headers), ["  "] + [None] * (len(headers) - 1),
                                 list(bad.values())])
    result = parse_import_xlsx(data, JC, TODAY)
    assert result.row_numbers == [2]
    assert [(e.row_number, e.field_label) for e in result.errors] == [(5, "身份证号")]


def test_the_data_sheet_may_have_another_name_when_it_is_the_only_one():
    result = parse_import_xlsx(sheet_bytes(list(minimal_row()), [list(minimal_row().values())], title="Sheet1"),
                               JC, TODAY)
    assert result.errors == [] and len(result.rows) == 1


def test_field_labels_map_back_to_field_keys():
    assert {FIELDS_BY_KEY[k].label for k in IMPORT_REQUIRED_KEYS} >= {"姓名", "身份证号", "移动电话"}


def test_a_specialty_code_stored_as_a_number_is_refused_when_it_could_have_lost_a_trailing_zero():
    """1.10 typed into a General cell becomes the number 1.1: ambiguous with 1.1, so it is refused."""
    result = parse_import_xlsx(rows_bytes([minimal_row(申报行业领域及专业=1.1),
                                           minimal_row(申报行业领域及专业=1.3, 身份证号=x_id(), 移动电话="13900001111")]),
                               JC, TODAY)
    assert [(e.row_number, e.field_label) for e in result.errors] == [(2, "申报行业领域及专业")]
    assert "文本" in result.errors[0].message
    assert result.rows[0]["specialties"] == ["1.3"]

"""专家名单 Excel 导出、导入模板与批量导入 — X-I1 (valid ID numbers, duplicates refused, clear Chinese errors,
nothing saved on error) and X-T1 (several specialties per expert).

`export_experts_xlsx` writes expert records as a sheet with the Chinese field labels of
`core.expert_fields.EXPERT_FIELDS` as headers. Every piece of user text is written as a text cell: 身份证号 and
phone numbers keep all their digits, the trailing X and the leading 0, and text such as `=SUM(A1)`, `+1`, `-x` or
`@y` stays literal text (never a formula: the cell is typed as a string and carries Excel's quote prefix, so it
also stays text after someone edits it in Excel). Control characters that XML cannot hold are dropped.
`blank_import_template_xlsx` gives the import template: an empty, text-formatted sheet 专家信息 (required columns
marked *, drop-downs for fixed choices) and a sheet 填写说明 with each column's help, allowed values, an example
and the policy's 专业分类表 — the example lives on the instructions sheet, so it can never be imported.
`parse_import_xlsx` reads such a sheet and returns every valid row cleaned by `core.expert.validate_expert`, and
every problem of every row with its Excel row number; it saves nothing — the caller saves all rows only when
`errors` is empty. Problems with the file as a whole (not an .xlsx file, required columns missing, a column twice,
too many rows) raise `core.errors.ValidationError([("file", 中文说明)])` instead, since no row can be read then.

The sheet is read with openpyxl rather than pandas: the cell types are needed to tell an ID number that Excel
stored as a number (its last digits and X are already lost) from one stored as text, which `read_excel(dtype=str)`
would hide by turning 1.4010219800101E+17 into a string.
"""
from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Callable, Iterable

import xlsxwriter
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core.errors import ValidationError
from core.expert import validate_expert
from core.expert_fields import EXPERT_FIELDS, FIELDS_BY_KEY, FieldSpec
from core.idcard import check_digit, normalise_id_number
from core.xlsx_guard import check_xlsx

DATA_SHEET = "专家信息"
HELP_SHEET = "填写说明"
MAX_IMPORT_ROWS = 5000
LIST_JOIN = "、"          # multichoice and specialties in one cell
LINES_JOIN = "\n"         # kind "list" (related_enterprises): one item per line, as the field's help says
BOOL_WORDS = {True: "是", False: "否"}
# 状态 is required in the record but may be left out of an import: validate_expert then starts it at 申请中.
IMPORT_OPTIONAL_REQUIRED = ("state",)
IMPORT_REQUIRED_KEYS = tuple(f.key for f in EXPERT_FIELDS if f.required and f.key not in IMPORT_OPTIONAL_REQUIRED)
# Fields whose digits must be kept exactly as typed: a number cell has already lost something.
DIGIT_TEXT_KEYS = ("id_number", "work_phone", "home_phone", "unit_phone", "fax")

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what XML 1.0 cannot carry; \t \n \r stay
_FORMULA_START = ("=", "+", "-", "@")
_SCIENTIFIC = re.compile(r"[+-]?\d+(\.\d+)?[eE][+-]?\d+")
_SPECIALTY_CODE = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d{1,3})+)(?![\d.])")
_SPECIALTY_SEPARATORS = re.compile(r"[\s、,，;；/]+")
_HEADER_MARKS = re.compile(r"[*＊\s]+")

HEADER_FONT = Font(bold=True)
REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")
WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class RowError:
    """One problem in one row: `row_number` is the Excel row (the header is row 1)."""

    row_number: int
    field_label: str
    message: str

    def __str__(self) -> str:
        return f"第{self.row_number}行 {self.field_label}：{self.message}"


@dataclass
class ImportResult:
    """Cleaned rows (only those without a problem) and every problem found; save only if `errors` is empty."""

    rows: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)   # Excel row of each entry of `rows`
    ignored_columns: list[str] = field(default_factory=list)  # headers that are no field (left unread)

    @property
    def ok(self) -> bool:
        return not self.errors


# ---------------------------------------------------------------------------------------------------------
# Export

def clean_text(text: str) -> str:
    """Text as a cell can hold it: control characters dropped, Windows line breaks made plain."""
    return _ILLEGAL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _cell_value(spec: FieldSpec | None, value: Any, specialty_label: Callable[[str], str]) -> Any:
    """The value to write for one field: text, a whole number, or None for an empty cell."""
    if value is None:
        return None
    if isinstance(value, bool):
        return BOOL_WORDS[value]
    if isinstance(value, (list, tuple)):
        items = [str(v) for v in value if v not in (None, "")]
        if spec is not None and spec.kind == "specialties":
            items = [specialty_label(code) for code in items]
        joiner = LINES_JOIN if spec is not None and spec.kind == "list" else LIST_JOIN
        return clean_text(joiner.join(items)) or None
    if isinstance(value, datetime):
        value = value.replace(tzinfo=None)
        return value.date() if value.time() == time(0) else value
    if isinstance(value, date):
        return value
    if spec is not None and spec.kind == "date" and isinstance(value, str) and _ISO_DAY.match(value.strip()):
        try:  # a stored ISO date becomes a real date cell (issue 12); a masked one (1981-**-**) stays text
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    if isinstance(value, int):
        if spec is not None and spec.kind == "int":
            return value
        return str(value)
    if isinstance(value, float):
        if spec is not None and spec.kind == "int" and value.is_integer():
            return int(value)
        return str(value)
    return clean_text(str(value)) or None


def _text_cell(ws: Any, value: Any, *, font: Font | None = None) -> Any:
    """A cell for `value`; every string is a text cell with the text format '@'; a date is a real date cell
    shown 2026年12月7日 (a date-time 2026年12月7日 12:30), the office's way (issue 12)."""
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    if isinstance(value, str):
        cell.data_type = "s"   # openpyxl would make "=…" a formula
        cell.number_format = "@"
        if value.startswith(_FORMULA_START):
            cell.quotePrefix = True  # Excel keeps it text after an edit, too
    if font is not None:
        cell.font = font
    return cell


@dataclass(frozen=True)
class Sheet:
    """One worksheet for `write_sheets_xlsx`: a bold frozen header row, the rows, column widths (characters),
    the columns that hold money (shown #,##0.00) and whether the last row is a bold total."""
    title: str
    head: list[str]
    rows: list[list[Any]]
    widths: list[int]
    money_columns: tuple[int, ...] = ()
    bold_last: bool = False


MONEY_FORMAT = "#,##0.00"
# dates in every export as the office writes them: 2026年12月7日 / 2026年12月7日 12:30 (issue 12)
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
DATETIME_FORMAT = 'yyyy"年"m"月"d"日" hh:mm'
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def write_sheets_xlsx(sheets: Iterable[Sheet]) -> bytes:
    """An .xlsx of large tables, written with XlsxWriter in constant-memory mode (about 2.5× faster than
    openpyxl for a year of fee lines). Strings stay text — never a formula, number or link — after
    `clean_text`; ints and Decimals are numbers; None leaves the cell empty; booleans show as 是/否."""
    buffer = io.BytesIO()
    # constant_memory streams each row to a temporary file as it is written (in_memory would keep every cell)
    wb = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_formulas": False,
                                      "strings_to_numbers": False, "strings_to_urls": False})
    cleaned: dict[str, str] = {}  # dates, departments, names repeat thousands of times
    text = wb.add_format({"num_format": "@", "valign": "top", "text_wrap": True})
    money = wb.add_format({"num_format": MONEY_FORMAT, "valign": "top"})
    bold, bold_money = wb.add_format({"bold": True}), wb.add_format({"bold": True, "num_format": MONEY_FORMAT})
    day_format = wb.add_format({"num_format": DATE_FORMAT, "valign": "top", "align": "left"})
    moment_format = wb.add_format({"num_format": DATETIME_FORMAT, "valign": "top", "align": "left"})
    for sheet in sheets:
        ws = wb.add_worksheet(_sheet_title(sheet.title))
        for col, width in enumerate(sheet.widths):
            ws.set_column(col, col, width, money if col in sheet.money_columns else text)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, len(sheet.rows), max(len(sheet.head) - 1, 0))
        ws.write_row(0, 0, [clean_text(h) for h in sheet.head], bold)
        last = len(sheet.rows)
        for n, row in enumerate(sheet.rows, start=1):
            total = sheet.bold_last and n == last
            for col, value in enumerate(row):
                fmt = (bold_money if col in sheet.money_columns else bold) if total else None
                if value is None or value == "":
                    if fmt is not None:
                        ws.write_blank(n, col, None, fmt)
                elif isinstance(value, bool):
                    ws.write_string(n, col, BOOL_WORDS[value], fmt)
                elif isinstance(value, (int, float, Decimal)):
                    ws.write_number(n, col, float(value), fmt)
                elif isinstance(value, datetime):  # a real date-time cell, 2026年12月7日 12:30 (issue 12)
                    ws.write_datetime(n, col, value.replace(tzinfo=None), moment_format)
                elif isinstance(value, date) or (isinstance(value, str) and _ISO_DAY.match(value)
                                                 and _real_day(value)):
                    day = value if isinstance(value, date) else date.fromisoformat(value)
                    ws.write_datetime(n, col, datetime(day.year, day.month, day.day), day_format)
                else:
                    raw = value if isinstance(value, str) else str(value)
                    done = cleaned.get(raw)
                    if done is None:
                        done = clean_text(raw)
                        if len(raw) <= 40:
                            cleaned[raw] = done
                    ws.write_string(n, col, done, fmt)
    wb.close()
    return buffer.getvalue()


def _real_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _display_width(text: str) -> int:
    longest = max((line for line in text.split("\n")), key=len, default="")
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in longest)


def _sheet_title(title: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", "_", clean_text(title)).strip("'") or "Sheet1"
    return cleaned[:31]


def _fields_for(columns: Iterable[str] | None) -> list[FieldSpec]:
    if columns is None:
        return list(EXPERT_FIELDS)
    unknown = [c for c in columns if c not in FIELDS_BY_KEY]
    if unknown:
        raise ValueError(f"unknown expert field(s): {', '.join(unknown)}")
    return [FIELDS_BY_KEY[c] for c in columns]


def export_experts_xlsx(records: list[dict], *, columns: list[str] | None = None, sheet_title: str = "专家名单",
                        specialty_label: Callable[[str], str] | None = None) -> bytes:
    """An .xlsx of `records`: one column per field key in `columns` (default: every field), Chinese headers.

    Lists are joined with "、" (related enterprises: one per line); `specialty_label(code)` decides how a
    specialty shows (default: the bare code; pass `policy.taxonomy.specialty_label` for "1.1 地质勘探、测量").
    Booleans show as 是/否, dates as real date cells shown 2026年6月5日 (issue 12), every text as a text cell.
    """
    label_of = specialty_label or (lambda code: code)
    specs = _fields_for(columns)
    rows = [[_cell_value(spec, record.get(spec.key), label_of) for spec in specs] for record in records]

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_sheet_title(sheet_title))
    for n, spec in enumerate(specs):
        width = _display_width(spec.label)
        for row in rows[:500]:  # enough to size a column; a long tail does not change it much
            value = row[n]
            if value is not None:  # a date shows as 2026年12月17日: 14 columns
                width = max(width, 14 if isinstance(value, date) else _display_width(str(value)))
        ws.column_dimensions[get_column_letter(n + 1)].width = min(max(width + 2, 8), 50)
    ws.freeze_panes = "A2"
    if specs:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(specs))}{len(rows) + 1}"
    ws.append([_text_cell(ws, spec.label, font=HEADER_FONT) for spec in specs])
    # Every value gets its own cell object: openpyxl's write-only sheet reuses the previous cell object for a bare
    # value, so a bare value after a styled cell would silently inherit that style (quote prefix included).
    for row in rows:
        ws.append([_text_cell(ws, value) for value in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------------------
# Import template

def _header_label(spec: FieldSpec) -> str:
    return spec.label + ("*" if spec.key in IMPORT_REQUIRED_KEYS else "")


def _allowed_values(spec: FieldSpec, policy: Any) -> str:
    if spec.key == "route":
        return "、".join(policy.routes)
    if spec.key == "expert_kind":
        return "、".join(policy.expert_kinds)
    if spec.kind in ("choice", "multichoice"):
        extra = "（可填多项，用“、”分隔）" if spec.kind == "multichoice" else ""
        return "、".join(spec.choices) + extra
    return {
        "bool": "是、否",
        "date": "日期，如 2026-06-05",
        "int": "整数，如 15",
        "specialties": "专业代码，多个用“、”分隔，如 1.1、1.3；也可写“1.1 地质勘探、测量”（见下方专业分类表）",
        "list": "每行一项（单元格内换行：Alt+Enter）",
        "longtext": f"文字，不超过{spec.max_len}字，可换行",
    }.get(spec.kind, f"文字，不超过{spec.max_len}字")


def _example_values(policy: Any) -> dict[str, str]:
    first17 = "14050219800101123"
    codes = policy.taxonomy.all_specialty_codes()[:2]
    return {
        "name": "张三", "id_number": first17 + check_digit(first17), "gender": "男", "birth_date": "1980-01-01",
        "political_status": "中共党员", "employment_status": "在岗", "mobile": "13812345678",
        "work_phone": "0356-2021234", "email": "zhangsan@example.com", "unit": "某某煤业有限公司",
        "unit_address": f"{policy.city}城区某某路1号", "postcode": "048000", "department": "通风科",
        "position": "总工程师", "is_public_servant": "否", "is_out_of_city": "否", "school": "太原理工大学",
        "education": "本科", "major": "采矿工程", "title": "高级工程师", "title_level": "副高级",
        "qualifications": "注册安全工程师", "current_field": "煤矿（矿井通风与瓦斯防治）", "years_in_field": "20",
        "enterprise_safety_years": "15", "route": policy.routes[0] if policy.routes else "",
        "expert_kind": policy.expert_kinds[0] if policy.expert_kinds else "",
        "specialties": LIST_JOIN.join(codes), "apply_date": "2026-06-05",
        "resume": "2002年毕业于太原理工大学采矿工程专业；2002年至今在某某煤业有限公司从事通风安全工作。",
        "state": "申请中", "related_enterprises": "某某化工有限公司",
    }


def blank_import_template_xlsx(policy: Any) -> bytes:
    """The import template for `policy`: an empty sheet 专家信息 and the instructions sheet 填写说明."""
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    for n, spec in enumerate(EXPERT_FIELDS, start=1):
        cell = ws.cell(row=1, column=n, value=_header_label(spec))
        cell.data_type = "s"
        cell.font = HEADER_FONT
        cell.number_format = "@"
        if spec.key in IMPORT_REQUIRED_KEYS:
            cell.fill = REQUIRED_FILL
        letter = get_column_letter(n)
        ws.column_dimensions[letter].width = min(max(_display_width(spec.label) + 4, 10), 40)
        ws.column_dimensions[letter].number_format = "@"  # Excel applies the column's format to new cells
    ws.freeze_panes = "A2"
    last_row = MAX_IMPORT_ROWS + 1
    for n, spec in enumerate(EXPERT_FIELDS, start=1):
        options: tuple[str, ...] = ()
        if spec.key == "route":
            options = tuple(policy.routes)
        elif spec.key == "expert_kind":
            options = tuple(policy.expert_kinds)
        elif spec.key == "state":
            options = ("申请中",)  # an import makes applicants only (services.experts.import_xlsx)
        elif spec.kind == "choice":
            options = spec.choices
        elif spec.kind == "bool":
            options = ("是", "否")
        formula = '"' + ",".join(options) + '"'
        if options and len(formula) <= 255:
            dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                                errorTitle="请从列表中选择", error=f"{spec.label}只能填写：{'、'.join(options)}")
            letter = get_column_letter(n)
            dv.add(f"{letter}2:{letter}{last_row}")
            ws.add_data_validation(dv)

    help_ws = wb.create_sheet(HELP_SHEET)
    lines = [
        f"《{policy.name}》专家信息导入说明（本页不会被导入）",
        f"1. 在“{DATA_SHEET}”表中从第2行起每行填写一位专家，不要改动第1行的列名；带 * 的列必须填写。",
        "2. 所有列都已设为“文本”格式。身份证号、电话、邮编请勿改为数字格式，否则末位 X 和开头的 0 会丢失，导入时会被拒绝。",
        "3. 申报专业可填多个，用“、”分隔：只写代码（如 1.1、1.3）或“代码 名称”（如 1.1 地质勘探、测量）均可，代码见下方专业分类表。",
        "4. 是/否 列填“是”或“否”；日期写成 2026-06-05；性别、出生日期可不填（由身份证号推出）。",
        "5. 导入时逐行检查，任何一行有错误都不会保存，请按提示的行号修改后重新导入。",
        "6. 导入的每一位专家都是“申请中”：状态、聘期开始、聘期结束、聘书编号、聘任文件请留空。已经聘任的在库专家"
        "请在“专家录入”中逐人办理存量专家登记（聘任文号、日期和资格审查）。",
    ]
    for text in lines:
        help_ws.append([text])
    help_ws["A1"].font = Font(bold=True, size=13)
    help_ws.append([])
    header_row = help_ws.max_row + 1
    help_ws.append(["列名", "必填", "填写说明", "可选值 / 格式", "示例"])
    examples = _example_values(policy)
    for spec in EXPERT_FIELDS:
        help_ws.append([clean_text(v) for v in (
            _header_label(spec), "是" if spec.key in IMPORT_REQUIRED_KEYS else "",
            spec.help or "", _allowed_values(spec, policy), examples.get(spec.key, ""))])
    for cell in help_ws[header_row]:
        cell.font = HEADER_FONT
    help_ws.append([])
    taxonomy = policy.taxonomy
    help_ws.append([f"专业分类表（{policy.short_name}）"])
    help_ws.cell(row=help_ws.max_row, column=1).font = Font(bold=True, size=12)
    help_ws.append(["代码", "专业", "行业领域", "专家类别", "入选人数控制"])
    for cell in help_ws[help_ws.max_row]:
        cell.font = HEADER_FONT
    for sector in taxonomy.sectors:
        cap = f"不超过{sector.cap}人" if sector.cap is not None else ""
        for sp in sector.specialties:
            help_ws.append([clean_text(v) for v in (sp.code, sp.name, f"{sector.code}. {sector.name}",
                                                     sector.category or "", cap)])
    for letter, width in zip("ABCDE", (26, 26, 44, 60, 30)):
        help_ws.column_dimensions[letter].width = width
    for row in help_ws.iter_rows(min_row=header_row):
        for cell in row:
            cell.alignment = WRAP
            if isinstance(cell.value, str):
                cell.data_type = "s"
                cell.number_format = "@"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------------------
# Import

def _normalise_header(text: Any) -> str:
    return _HEADER_MARKS.sub("", unicodedata.normalize("NFKC", str(text or "")))


_HEADER_TO_KEY: dict[str, str] = {}
for _spec in EXPERT_FIELDS:
    _HEADER_TO_KEY[_normalise_header(_spec.label)] = _spec.key
    _HEADER_TO_KEY.setdefault(_normalise_header(_spec.key), _spec.key)


def _file_error(message: str) -> ValidationError:
    return ValidationError([("file", message)])


def _open_workbook(data: bytes) -> Any:
    if not data:
        raise _file_error("上传的文件是空的，请选择填好的 Excel（.xlsx）文件")
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise _file_error("这是旧版 Excel（.xls）文件，请在 Excel 中“另存为” .xlsx 格式后再导入")
    if data[:4] != b"PK\x03\x04":
        raise _file_error("上传的文件不是 Excel（.xlsx）文件，请使用导入模板填写后再导入")
    check_xlsx(data)  # sizes, counts and XML of the archive, before openpyxl sees it (issue 11 §9)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as err:
        raise _file_error("无法读取该文件：它不是有效的 Excel（.xlsx）文件或已损坏，"
                          "请在 Excel 中重新“另存为” .xlsx 后再导入") from err
    except Exception as err:  # openpyxl raises many kinds on a damaged package
        raise _file_error("无法读取该文件：它不是有效的 Excel（.xlsx）文件或已损坏") from err


def _data_sheet(wb: Any) -> Any:
    if DATA_SHEET in wb.sheetnames:
        return wb[DATA_SHEET]
    for name in wb.sheetnames:
        if name != HELP_SHEET:
            return wb[name]
    raise _file_error(f"文件中没有“{DATA_SHEET}”工作表，请使用导入模板")


def _map_headers(header: list[Any]) -> tuple[dict[int, str], list[str]]:
    columns: dict[int, str] = {}
    seen: dict[str, str] = {}
    ignored: list[str] = []
    for index, raw in enumerate(header):
        text = str(raw).strip() if raw is not None else ""
        if not text:
            continue
        key = _HEADER_TO_KEY.get(_normalise_header(text))
        if key is None:
            ignored.append(text)
            continue
        if key in seen:
            raise _file_error(f"列“{FIELDS_BY_KEY[key].label}”出现了两次（“{seen[key]}”和“{text}”），请只保留一列")
        seen[key] = text
        columns[index] = key
    missing = [FIELDS_BY_KEY[k].label for k in IMPORT_REQUIRED_KEYS if k not in seen]
    if missing:
        raise _file_error(f"缺少必需的列：{'、'.join(missing)}。请使用导入模板，不要删除或改动带 * 的列名")
    return columns, ignored


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _stored_as_number_message(label: str, value: Any) -> str:
    shown = f"{value:.15g}" if isinstance(value, float) else str(value)
    return (f"{label}被 Excel 存成了数字（{shown}），末位的 X、后几位数字或开头的 0 可能已经丢失。"
            f"请把“{label}”列设置为“文本”格式，重新录入后再导入")


def _parse_specialties(text: str, policy: Any) -> tuple[list[str], str | None]:
    """Codes from "1.1、1.3" or "1.1 地质勘探、测量；1.3 …"; a name that does not match its code is an error."""
    taxonomy = policy.taxonomy
    known = set(taxonomy.all_specialty_codes())
    text = unicodedata.normalize("NFKC", text)
    matches = list(_SPECIALTY_CODE.finditer(text))
    if not matches:
        if _SPECIALTY_SEPARATORS.sub("", text):
            return [], f"请填写专业代码（如 1.1、1.3），当前为“{text.strip()}”；代码见导入模板的专业分类表"
        return [], None
    before = _SPECIALTY_SEPARATORS.sub("", text[: matches[0].start()])
    if before:
        return [], f"“{before}”前没有专业代码，请写成“代码 名称”，如 1.1 地质勘探、测量"
    codes: list[str] = []
    for n, match in enumerate(matches):
        code = match.group(1)
        end = matches[n + 1].start() if n + 1 < len(matches) else len(text)
        name = _comparable(text[match.end(): end])
        if name and code in known and name != _comparable(taxonomy.specialty(code).name):
            return [], (f"专业代码 {code} 对应“{taxonomy.specialty(code).name}”，与所填名称“"
                        f"{text[match.end(): end].strip(' 、,，;；/')}”不符，请核对")
        codes.append(code)
    return codes, None


def _comparable(text: str) -> str:
    """A specialty name without separators and punctuation, for a lenient comparison."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isalnum())


def _cell_to_raw(key: str, cell: Any, policy: Any) -> tuple[Any, str | None]:
    """The raw value validate_expert gets for one cell, or an error message for the cell itself."""
    spec = FIELDS_BY_KEY[key]
    value = cell.value
    data_type = getattr(cell, "data_type", None)
    if value is None:
        return None, None
    if data_type == "e":
        return None, f"单元格是错误值 {value}，请改为实际内容"
    if isinstance(value, str):
        value = value.strip()
        if key in DIGIT_TEXT_KEYS and _SCIENTIFIC.fullmatch(value):
            return None, _stored_as_number_message(spec.label, value)
        if spec.kind == "specialties":
            return _parse_specialties(value, policy)
        return (value if value != "" else None), None
    if isinstance(value, bool):
        return value, None
    if isinstance(value, (int, float)):
        if key in DIGIT_TEXT_KEYS:
            return None, _stored_as_number_message(spec.label, value)
        if spec.kind in ("int", "bool") or key in ("mobile", "postcode"):
            return value, None  # validate_expert reads whole numbers, 1/0 and a postcode that lost its 0
        if spec.kind == "specialties":
            text = _number_text(value)
            if text + "0" in policy.taxonomy.all_specialty_codes():  # 1.10 typed into a number cell reads 1.1
                return None, (f"{spec.label}被 Excel 存成了数字（{text}），无法区分 {text} 和 {text}0。"
                              f"请把该列设置为“文本”格式后重新填写")
            return _parse_specialties(text, policy)
        return _number_text(value), None
    if isinstance(value, (datetime, date)):
        day = value.date() if isinstance(value, datetime) else value
        if spec.kind == "date" or (isinstance(value, datetime) and value.time() == time(0)):
            return day.isoformat(), None
        return value.isoformat(sep=" ") if isinstance(value, datetime) else day.isoformat(), None
    if isinstance(value, time):
        return value.isoformat(), None
    return str(value), None


def parse_import_xlsx(data: bytes, policy: Any, today: date) -> ImportResult:
    """Read an import sheet: cleaned rows and every problem of every row (X-I1). Saves nothing.

    Raises ValidationError([("file", …)]) when the file itself cannot be used: not an .xlsx, no data sheet,
    required columns missing (all named in one message), a column twice, more than MAX_IMPORT_ROWS rows.
    """
    wb = _open_workbook(data)
    try:
        ws = _data_sheet(wb)
        ws.reset_dimensions()  # some writers store a wrong sheet size; read every row there is
        rows_iter = ws.iter_rows()
        header_cells = next(rows_iter, None)
        if header_cells is None or all(c.value in (None, "") for c in header_cells):
            raise _file_error(f"“{ws.title}”表的第1行应为列名（姓名、身份证号……），当前为空。请使用导入模板")
        columns, ignored = _map_headers([c.value for c in header_cells])
        result = ImportResult(ignored_columns=ignored)
        first_row_of_id: dict[str, int] = {}
        count = 0
        for row_number, cells in enumerate(rows_iter, start=2):
            if all(c.value is None or (isinstance(c.value, str) and not c.value.strip()) for c in cells):
                continue
            count += 1
            if count > MAX_IMPORT_ROWS:
                raise _file_error(f"一次最多导入{MAX_IMPORT_ROWS}行，请分批导入")
            _read_row(row_number, cells, columns, policy, today, result, first_row_of_id)
    finally:
        wb.close()
    return result


def _read_row(row_number: int, cells: tuple, columns: dict[int, str], policy: Any, today: date,
              result: ImportResult, first_row_of_id: dict[str, int]) -> None:
    raw: dict[str, Any] = {}
    cell_errors: list[tuple[str, str]] = []
    for index, key in columns.items():
        if index >= len(cells):
            continue
        value, problem = _cell_to_raw(key, cells[index], policy)
        if problem is not None:
            cell_errors.append((key, problem))
        elif value is not None:
            raw[key] = value
    problems = list(cell_errors)
    failed = {k for k, _ in cell_errors}
    cleaned: dict | None = None
    try:
        cleaned = validate_expert(raw, policy, today)
    except ValidationError as err:
        problems.extend((k, m) for k, m in err.errors if k not in failed)

    id_text = normalise_id_number(raw.get("id_number")) if "id_number" not in failed else ""
    if id_text:
        first = first_row_of_id.setdefault(id_text, row_number)
        if first != row_number:
            problems.append(("id_number", f"与第{first}行的身份证号相同，同一人只能填写一行"))

    if problems:
        position = {spec.key: n for n, spec in enumerate(EXPERT_FIELDS)}
        problems.sort(key=lambda p: position.get(p[0], len(position)))
        for key, message in problems:
            label = FIELDS_BY_KEY[key].label if key in FIELDS_BY_KEY else key
            result.errors.append(RowError(row_number, label, message))
        return
    assert cleaned is not None
    result.rows.append(cleaned)
    result.row_numbers.append(row_number)

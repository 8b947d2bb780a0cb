"""Issue 12 (Language and dates): one date style everywhere — 2026年12月7日 and 2026年12月7日 12:30, no "T", no
leading zeros — made by core.dates, with the older formatters delegating to it."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from core import dates
from core.forms_context import cn_date, cn_date_or_blank, cn_datetime
from core.lifecycle import format_day
from services.assessments import cn_date_text
from services.drawing_view import office_date, office_datetime, office_period


@pytest.mark.parametrize("value, expected", [
    (date(2026, 12, 7), "2026年12月7日"),
    (date(2026, 1, 5), "2026年1月5日"),
    (datetime(2026, 12, 7, 12, 30, 45), "2026年12月7日"),
    ("2026-12-07", "2026年12月7日"),
    ("2026-01-05T08:05:00", "2026年1月5日"),
    (" 2026-03-09 ", "2026年3月9日"),
    (None, ""),
    ("", ""),
    ("不详", "不详"),
    ("2026-13-40", "2026-13-40"),   # not a real day: shown as it is, not guessed
    (17, "17"),
])
def test_issue12_office_date_writes_the_office_style(value, expected):
    assert dates.office_date(value) == expected


@pytest.mark.parametrize("value, expected", [
    (datetime(2026, 12, 7, 12, 30, 45), "2026年12月7日 12:30"),
    ("2026-12-07T12:30:45", "2026年12月7日 12:30"),
    ("2026-12-07T09:05:00.123456", "2026年12月7日 09:05"),
    ("2026-12-07 09:05", "2026年12月7日 09:05"),
    ("2026-12-07T09:05:00+08:00", "2026年12月7日 09:05"),
    ("2026-12-07", "2026年12月7日"),
    (date(2026, 2, 3), "2026年2月3日"),
    (None, ""),
    ("昨天", "昨天"),
    ("2026-12-07T25:00:00", "2026-12-07T25:00:00"),
])
def test_issue12_office_datetime_has_no_T_and_no_seconds(value, expected):
    assert dates.office_datetime(value) == expected
    assert "T" not in dates.office_datetime(datetime(2026, 12, 7, 12, 30))


def test_issue12_office_datetime_keeps_seconds_only_when_asked():
    assert dates.office_datetime("2026-12-07T12:30:45", seconds=True) == "2026年12月7日 12:30:45"


@pytest.mark.parametrize("start, end, expected", [
    ("2026-12-07", "2026-12-09", "2026年12月7日至9日"),
    ("2026-11-30", "2026-12-02", "2026年11月30日至12月2日"),
    ("2026-12-30", "2027-01-02", "2026年12月30日至2027年1月2日"),
    ("2026-12-07", "2026-12-07", "2026年12月7日"),
    (date(2026, 12, 7), None, "2026年12月7日"),
    ("2026-12-07", "待定", "2026年12月7日至待定"),
])
def test_issue12_office_period(start, end, expected):
    assert dates.office_period(start, end) == expected


def test_issue12_office_text_formats_only_dates_in_a_table_cell():
    assert dates.office_text("2026-12-07") == "2026年12月7日"
    assert dates.office_text("2026-12-07T08:00:00") == "2026年12月7日 08:00"
    assert dates.office_text("张三") == "张三"
    assert dates.office_text(3) == 3
    assert dates.office_text("2026-12-07 备注") == "2026-12-07 备注"
    assert dates.office_text("2026-12-07 至 2026-12-09") == "2026年12月7日至9日"
    assert dates.office_text("2026-12-07至2027-01-02") == "2026年12月7日至2027年1月2日"


def test_issue12_every_older_formatter_speaks_the_same_style():
    """format_day, cn_date, cn_date_or_blank, cn_datetime, office_date/office_datetime/office_period of the
    drawing view and cn_date_text all give the core.dates result."""
    day, moment = date(2026, 12, 7), datetime(2026, 12, 7, 12, 30, 5)
    assert format_day(day) == cn_date(day) == cn_date_or_blank("2026-12-07") == cn_date_text("2026-12-07") \
        == office_date("2026-12-07") == office_date(day) == "2026年12月7日"
    assert office_datetime(moment.isoformat()) == "2026年12月7日 12:30"
    assert cn_datetime(moment) == cn_datetime(moment.isoformat()) == "2026年12月7日 12:30:05"
    assert cn_datetime("2026-12-07") == "2026年12月7日"
    assert cn_datetime(None) == "" and cn_date_text(None) == ""
    assert office_period("2026-12-07", "2026-12-09") == "2026年12月7日至9日"


def test_issue12_office_dates_in_running_text():
    assert dates.office_dates_in("新增：2026-06-05 起") == "新增：2026年6月5日 起"
    assert dates.office_dates_in("退回（2026-12-07T21:45:36）") == "退回（2026年12月7日 21:45）"
    assert dates.office_dates_in("编号 2026-99-99") == "编号 2026-99-99"
    assert dates.office_dates_in(None) is None


def test_issue12_excel_date_cells_are_real_dates_in_the_office_format():
    """Issue 12: an exported date is a date cell (not text) shown 2026年6月5日; a masked date stays text; the fee
    statement writer (XlsxWriter) does the same for ISO dates and date-times."""
    import io

    from openpyxl import load_workbook

    from services.excel_io import DATE_FORMAT, DATETIME_FORMAT, Sheet, export_experts_xlsx, write_sheets_xlsx

    experts = [{"name": "甲", "birth_date": "1981-03-09", "term_end": date(2029, 12, 7)},
               {"name": "乙", "birth_date": "1981-**-**", "term_end": None}]
    ws = load_workbook(io.BytesIO(export_experts_xlsx(experts, columns=["name", "birth_date", "term_end"]))).active
    assert ws["B2"].is_date and ws["B2"].value == datetime(1981, 3, 9)
    assert ws["B2"].number_format == DATE_FORMAT == 'yyyy"年"m"月"d"日"'
    assert ws["C2"].is_date and ws["C2"].value == datetime(2029, 12, 7)
    assert ws["B3"].data_type == "s" and ws["B3"].value == "1981-**-**"

    data = write_sheets_xlsx([Sheet("表", ["日期", "时间", "金额", "说明"],
                                    [["2026-06-05", datetime(2026, 12, 7, 12, 30), 900, "2026-06-05 起"]],
                                    [14, 18, 10, 20], money_columns=(2,))])
    row = load_workbook(io.BytesIO(data)).active[2]
    assert row[0].is_date and row[0].value == datetime(2026, 6, 5) and row[0].number_format == DATE_FORMAT
    assert row[1].is_date and row[1].value == datetime(2026, 12, 7, 12, 30)
    assert row[1].number_format == DATETIME_FORMAT
    assert row[3].data_type == "s"  # text that only contains a date stays text

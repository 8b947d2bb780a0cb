"""Issue 11 §2 / X-I1 (data shown per role): the masking rules of core.masking that make masking impossible to undo.

An ID number shown as `1405**********0016` hides digits 7–14, the birth date: a masked viewer gets the birth date as
its year only, everywhere the record goes (nested values and free text included); phones read `138****5678` however
often they are masked; one function decides masked versus full per role.
"""
from __future__ import annotations

from datetime import date

import pytest

from core import vocab
from core.forms_context import _person
from core.masking import (birth_year_text, mask_phone, mask_record, scrub_text, secrets_of,
                          sees_full_personal_data, view_for, view_text_for)

ID = "140525197602220439"
RECORD = {"id": 7, "name": "张三", "id_number": ID, "birth_date": "1976-02-22", "gender": "男",
          "mobile": "13189931613", "home_phone": "0356-2025678", "work_phone": "0356-2021234"}


def test_the_birth_date_is_shown_as_its_year_only_to_a_masked_viewer_x_i1():
    masked = mask_record(RECORD)
    assert masked["birth_date"] == "1976年"
    assert masked["id_number"] == "1405**********0439"
    assert masked["mobile"] == "131****1613"
    assert masked["home_phone"] == "****-***5678"
    assert masked["work_phone"] == "0356-2021234"  # an office number is not personal
    assert RECORD["birth_date"] == "1976-02-22"  # a copy: the record is untouched


@pytest.mark.parametrize("value, shown", [("1976-02-22", "1976年"), (date(1976, 2, 22), "1976年"),
                                          ("1976年2月", "1976年"), ("1976年", "1976年"), ("垃圾", "****"),
                                          ("", ""), (None, "")])
def test_birth_year_text_keeps_nothing_finer_than_the_year(value, shown):
    assert birth_year_text(value) == shown


def test_a_phone_masked_twice_reads_like_one_masked_once_138_4_stars_5678_x_i1():
    """The export masked an already-masked view and showed *******1613."""
    once = mask_phone("13189931613")
    assert once == "131****1613"
    assert mask_phone(once) == once
    assert mask_record(mask_record(RECORD)) == mask_record(RECORD)


@pytest.mark.parametrize("written", ["1976-02-22", "1976-2-22", "1976/02/22", "1976.02.22", "19760222",
                                     "1976年02月22日", "1976年2月22日", "1976 年 2 月 22 日", "1976年2月", "1976年02月",
                                     "1976-02", "1976.02"])
def test_the_record_s_own_birth_date_is_scrubbed_from_its_free_text_in_every_form_x_i1(written):
    record = dict(RECORD, remarks=f"备注：出生{written}，见档案")
    masked = mask_record(record)
    assert masked["remarks"] == "备注：出生1976年，见档案"


def test_the_record_s_own_id_number_and_phones_are_scrubbed_from_nested_values_x_i1():
    record = dict(RECORD, legacy_registration={"relaxations": {"age": {"finding": f"身份证{ID.lower()[:-1]}9"}}},
                  transitions=[{"reason": "电话13189931613、0356-2025678"}], birth_month="1976年2月")
    masked = mask_record(record)
    assert masked["legacy_registration"]["relaxations"]["age"]["finding"] == "身份证1405**********0439"
    assert masked["transitions"][0]["reason"] == "电话131****1613、****-***5678"
    assert masked["birth_month"] == "1976年"


def test_other_dates_and_numbers_in_the_text_stay_as_they_are():
    record = dict(RECORD, remarks="2025-03-01聘任，编号20250301，1976年入党，年龄50周岁，电话0356-2021234")
    assert mask_record(record)["remarks"] == record["remarks"]


def test_the_versions_given_in_also_are_scrubbed_too_a_corrected_id_number_x_i1():
    old = dict(RECORD, id_number="140525198001010431", birth_date="1980-01-01")
    masked = mask_record(dict(RECORD, remarks="原身份证号140525198001010431，原出生日期1980-01-01"), also=[old])
    assert masked["remarks"] == "原身份证号1405**********0431，原出生日期1980年"


def test_a_masked_id_number_is_never_read_as_a_birth_date():
    assert secrets_of(mask_record(RECORD)).births == frozenset()
    assert secrets_of(RECORD).births == {date(1976, 2, 22)}


@pytest.mark.parametrize("role, full", [(vocab.ROLE_ADMIN, True), (vocab.ROLE_OFFICE, True),
                                        (vocab.ROLE_DEPARTMENT, False), (vocab.ROLE_LEADER, False), ("访客", False)])
def test_one_rule_decides_masked_or_full_per_role_x_i1(role, full):
    assert sees_full_personal_data(role) is full
    assert (view_for(role, RECORD) is RECORD) is full
    assert (view_text_for(role, f"出生于{RECORD['birth_date']}", RECORD) == "出生于1976年") is not full


def test_a_masked_record_prints_its_birth_year_not_a_blank_or_a_month_in_forms(ctx):
    """An annex filled from a masked record (出生年月) shows 1976年, never 1976年2月."""
    policy = ctx.policies["yangquan-2024"]
    person = _person(mask_record(RECORD), policy, None)
    assert person["birth_month"] == "1976年"
    assert person["id_number"] == "1405**********0439" and person["mobile"] == "131****1613"
    assert _person(RECORD, policy, None)["birth_month"] == "1976年2月"  # the office's form is complete


def test_scrub_text_leaves_text_without_secrets_alone():
    assert scrub_text("", secrets_of(RECORD)) == ""
    assert scrub_text("无敏感信息", secrets_of(RECORD)) == "无敏感信息"


def test_the_assessment_results_excel_export_is_audited(ctx):
    """个人信息保护法: the 年度考核 results list (experts' names and ratings) leaves an audit line when exported."""
    from services import assessments
    from tests.conftest import OFFICE
    from tests.unit.test_assessment_service import jc_data, pool

    first = pool(ctx)[0]
    assessments.save(ctx, OFFICE, first, 2026, jc_data(ctx, first))
    before = len(ctx.store.audit.entries())
    assessments.results_xlsx(ctx, 2026, OFFICE)
    lines = ctx.store.audit.entries()[before:]
    assert [line["action"] for line in lines] == ["导出考核结果（Excel）"]
    assert lines[0]["actor"] == "office" and lines[0]["after"]["记录编号"] == str(first)
    assert lines[0]["after"]["敏感信息"] == "完整（未脱敏）"

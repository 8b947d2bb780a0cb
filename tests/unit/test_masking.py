"""敏感信息脱敏 — 身份证号、电话 hidden from 使用科室 and 领导 (X-I1 data shown per role)."""
from __future__ import annotations

import pytest

from core import vocab
from core.expert_fields import SENSITIVE_KEYS
from core.masking import can_see_sensitive, mask_id_number, mask_phone, mask_record


def test_id_number_keeps_its_first_4_and_last_4_characters():
    assert mask_id_number("14010219800101123X") == "1401**********123X"


def test_mobile_keeps_its_first_3_and_last_4_digits():
    assert mask_phone("13812345678") == "138****5678"


def test_other_phone_numbers_keep_only_their_last_4_digits_and_separators():
    assert mask_phone("0353-2021234") == "****-***1234"
    assert mask_phone("(0356) 2021234") == "(****) ***1234"


@pytest.mark.parametrize("mask", [mask_id_number, mask_phone])
def test_empty_values_stay_empty(mask):
    assert mask("") == ""
    assert mask(None) == ""


def test_a_short_id_number_is_masked_completely():
    assert mask_id_number("1401") == "****"


def test_mask_record_masks_the_sensitive_fields_of_a_copy():
    record = {"name": "张三", "id_number": "14010219800101123X", "mobile": "13812345678", "home_phone": "",
              "unit": "阳泉市某公司"}
    masked = mask_record(record)
    assert masked == {"name": "张三", "id_number": "1401**********123X", "mobile": "138****5678",
                      "home_phone": "", "unit": "阳泉市某公司"}
    assert record["id_number"] == "14010219800101123X"


def test_mask_record_leaves_absent_keys_absent_and_accepts_other_keys():
    assert mask_record({"name": "张三"}) == {"name": "张三"}
    assert mask_record({"unit_phone": "0353-2021234"}, keys=("unit_phone",)) == {"unit_phone": "****-***1234"}


def test_the_sensitive_keys_include_id_number_and_mobile():
    assert {"id_number", "mobile"} <= set(SENSITIVE_KEYS)


@pytest.mark.parametrize("role, sees", [(vocab.ROLE_ADMIN, True), (vocab.ROLE_OFFICE, True),
                                        (vocab.ROLE_DEPARTMENT, False), (vocab.ROLE_LEADER, False),
                                        ("访客", False)])
def test_only_the_administrator_and_the_expert_office_see_sensitive_data(role, sees):
    assert can_see_sensitive(role) is sees

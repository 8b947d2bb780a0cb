"""居民身份证号、年龄与移动电话 — X-I1."""
from __future__ import annotations

import random
from datetime import date

import pytest

from core.errors import ValidationError
from core.idcard import IdInfo, age_on, check_digit, parse_id_number, validate_mobile
from tests.factories import TODAY, valid_id_number

# The worked example printed in GB 11643-1999 itself.
GB_EXAMPLE = "11010519491231002X"


def id_error(text: str, today: date = TODAY) -> str:
    with pytest.raises(ValidationError) as caught:
        parse_id_number(text, today=today)
    assert [k for k, _ in caught.value.errors] == ["id_number"]
    return caught.value.errors[0][1]


def test_x_i1_the_standards_own_example_parses_to_region_birth_date_and_gender():
    info = parse_id_number(GB_EXAMPLE, today=TODAY)
    assert info == IdInfo("11010519491231002X", "110105", date(1949, 12, 31), "女")


def test_x_i1_check_digit_satisfies_iso_7064_mod_11_2_for_random_numbers():
    rng = random.Random(11643)
    for _ in range(500):
        first17 = "".join(str(rng.randrange(10)) for _ in range(17))
        digits = [int(d) for d in first17] + [10 if (c := check_digit(first17)) == "X" else int(c)]
        # ISO 7064 MOD 11-2: sum of a_i * 2^(i-1), i counted from the right, is 1 mod 11.
        assert sum(a * pow(2, 17 - n, 11) for n, a in enumerate(digits)) % 11 == 1


def test_x_i1_odd_sequence_digit_is_male_even_is_female():
    assert parse_id_number(valid_id_number(date(1980, 1, 1), "男", seq=123), today=TODAY).gender == "男"
    assert parse_id_number(valid_id_number(date(1980, 1, 1), "女", seq=124), today=TODAY).gender == "女"


def test_x_i1_lower_case_x_spaces_and_full_width_digits_are_normalised():
    assert parse_id_number("  11010519491231002x ", today=TODAY).number == GB_EXAMPLE
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in "11010519491231002X")
    assert parse_id_number(full_width, today=TODAY).number == GB_EXAMPLE


def test_x_i1_check_digit_x_is_accepted_when_it_is_the_right_one():
    number = next(n for s in range(1, 999, 2)
                  if (n := valid_id_number(date(1975, 5, 5), "男", seq=s)).endswith("X"))
    assert parse_id_number(number, today=TODAY).number == number


def test_x_i1_wrong_length_is_refused_in_chinese_with_the_length():
    assert id_error("1403021980") == "身份证号应为18位，当前为10位"
    assert id_error("1403021980010112345") == "身份证号应为18位，当前为19位"


def test_x_i1_old_15_digit_number_is_refused_with_a_hint():
    assert "15位旧号码" in id_error("140302800101123")


def test_x_i1_letters_inside_the_number_are_refused():
    assert id_error("14030219800101A23X") == "身份证号前17位应为数字，末位应为数字或X"


def test_x_i1_empty_number_is_refused():
    assert id_error("   ") == "身份证号为必填项"


def test_x_i1_wrong_check_digit_is_refused_in_chinese():
    good = valid_id_number(date(1980, 1, 1), "男", seq=123)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    message = id_error(wrong)
    assert "校验位错误" in message and f"末位应为 {good[17]}" in message


def test_x_i1_one_mistyped_digit_in_the_middle_is_caught():
    good = valid_id_number(date(1980, 1, 1), "男", seq=123)
    typo = good[:15] + str((int(good[15]) + 1) % 10) + good[16:]
    assert "校验位错误" in id_error(typo)


def test_x_i1_impossible_birth_date_is_refused():
    # 1980-02-30 cannot exist; the check digit is made right so only the date is wrong.
    first17 = "14030219800230123"
    assert id_error(first17 + check_digit(first17)) == "身份证号中的出生日期 19800230 不存在"


def test_x_i1_29_february_is_accepted_in_a_leap_year():
    assert parse_id_number(valid_id_number(date(1980, 2, 29), "女", seq=2), today=TODAY).birth_date == date(1980, 2, 29)


def test_x_i1_29_february_is_refused_in_a_common_year():
    first17 = "14030219810229123"
    assert id_error(first17 + check_digit(first17)) == "身份证号中的出生日期 19810229 不存在"


def test_x_i1_birth_date_after_today_is_refused():
    tomorrow = date(2026, 6, 16)
    assert "晚于今天" in id_error(valid_id_number(tomorrow, "男", seq=1), today=TODAY)
    assert parse_id_number(valid_id_number(TODAY, "男", seq=1), today=TODAY).birth_date == TODAY


def test_x_i1_birth_date_before_1900_is_refused():
    assert "早于1900年" in id_error(valid_id_number(date(1899, 12, 31), "男", seq=1))
    assert parse_id_number(valid_id_number(date(1900, 1, 1), "男", seq=1), today=TODAY).birth_date.year == 1900


def test_x_i1_today_must_be_passed_so_core_never_reads_the_clock():
    with pytest.raises(TypeError):
        parse_id_number(GB_EXAMPLE)  # type: ignore[call-arg]


@pytest.mark.parametrize("region", ["990101", "000101", "160101", "720101", "830101"])
def test_x_i1_unknown_province_code_is_refused(region):
    assert "不是有效的省级行政区划代码" in id_error(valid_id_number(date(1980, 1, 1), "男", region, seq=1))


def test_x_i1_province_only_region_code_is_refused():
    assert id_error(valid_id_number(date(1980, 1, 1), "男", "140000", seq=1)) == "身份证号前6位 140000 不是县级行政区划代码"


@pytest.mark.parametrize("region", ["110101", "150102", "230102", "370102", "460105", "540102", "650102",
                                   "710101", "810101", "820101", "140525"])
def test_x_i1_every_province_range_is_accepted(region):
    assert parse_id_number(valid_id_number(date(1980, 1, 1), "男", region, seq=1), today=TODAY).region_code == region


def test_x_i1_an_error_can_be_reported_under_another_field_key():
    with pytest.raises(ValidationError) as caught:
        parse_id_number("123", today=TODAY, field="spouse_id")
    assert caught.value.errors[0][0] == "spouse_id"


# --- 年龄 -----------------------------------------------------------------------------------------------

def test_x_i1_age_goes_up_on_the_birthday_not_the_day_before():
    born = date(1966, 6, 15)
    assert age_on(born, date(2026, 6, 14)) == 59
    assert age_on(born, date(2026, 6, 15)) == 60


def test_x_i1_someone_born_on_29_february_turns_older_on_1_march_in_common_years():
    born = date(1968, 2, 29)
    assert age_on(born, date(2026, 2, 28)) == 57
    assert age_on(born, date(2026, 3, 1)) == 58
    assert age_on(born, date(2028, 2, 29)) == 60


def test_x_i1_age_is_zero_on_the_day_of_birth():
    assert age_on(TODAY, TODAY) == 0


# --- 移动电话 -------------------------------------------------------------------------------------------

def test_x_i1_mobile_with_spaces_hyphens_and_country_code_is_normalised():
    assert validate_mobile("138 1234 5678") == "13812345678"
    assert validate_mobile("138-1234-5678") == "13812345678"
    assert validate_mobile("+86 138 1234 5678") == "13812345678"
    assert validate_mobile("0086-13812345678") == "13812345678"
    assert validate_mobile("8613812345678") == "13812345678"
    assert validate_mobile("１３８１２３４５６７８") == "13812345678"


@pytest.mark.parametrize("text", ["1381234567", "138123456789", "23812345678", "1381234567a", "", "0353-2021234"])
def test_x_i1_mobile_that_is_not_11_digits_starting_with_1_is_refused(text):
    with pytest.raises(ValidationError) as caught:
        validate_mobile(text)
    assert caught.value.errors == [("mobile", "移动电话应为以1开头的11位数字")]


def test_x_i1_mobile_check_can_serve_another_phone_field():
    with pytest.raises(ValidationError) as caught:
        validate_mobile("12345", "home_phone")
    assert caught.value.errors == [("home_phone", "住宅电话应为以1开头的11位数字")]
    with pytest.raises(ValidationError) as caught:
        validate_mobile("12345", "contact_mobile", "联系人手机")
    assert caught.value.errors == [("contact_mobile", "联系人手机应为以1开头的11位数字")]


@pytest.mark.parametrize("digits", ["0123456789", "०१२३४५६७८९", "٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹", "০১২৩৪৫৬৭৮৯"])
def test_devanagari_digits_in_id_number_refused(digits):
    """Issue 11: \\d and str.isdigit() accept every script's digits and int() reads them, so "१४०३…" passed and was
    stored as text different from the same person's ASCII number (duplicate and ban-list checks defeated)."""
    number = valid_id_number(date(1981, 3, 12), "男", "140302", 1)
    typed = "".join(digits[int(c)] if c.isdigit() else c for c in number)
    if digits == "0123456789":
        assert parse_id_number(typed, today=date(2026, 6, 15)).number == number
        return
    with pytest.raises(ValidationError, match="半角数字"):
        parse_id_number(typed, today=date(2026, 6, 15))


@pytest.mark.parametrize("mobile", ["१३८१२३४५६७८", "١٣٨١٢٣٤٥٦٧٨"])
def test_non_ascii_digits_in_mobile_refused(mobile):
    with pytest.raises(ValidationError):
        validate_mobile(mobile)

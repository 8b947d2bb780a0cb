"""专家信息录入校验 — JC-I1, YQ-I1, X-I1 (bad input gets a clear Chinese message), X-T1 (sectors), 聘期."""
from __future__ import annotations

from datetime import date

import pytest

from core.errors import ValidationError
from core.expert import (expert_age, expert_sector_codes, term_end_for, validate_expert)
from core.expert_fields import EXPERT_FIELDS, FIELDS_BY_KEY
from tests.factories import FAKE_POLICY, TODAY, make_expert, real_policies, valid_id_number

POLICY = FAKE_POLICY


def errors_of(data: dict, policy=POLICY, **kwargs) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as caught:
        validate_expert(data, policy, TODAY, **kwargs)
    return caught.value.errors


def message_for(key: str, data: dict, policy=POLICY) -> str:
    messages = [m for k, m in errors_of(data, policy) if k == key]
    assert len(messages) == 1, errors_of(data, policy)
    return messages[0]


def clean(data: dict, policy=POLICY, **kwargs) -> dict:
    return validate_expert(data, policy, TODAY, **kwargs)


@pytest.fixture(params=["fake", "jincheng-2026", "yangquan-2024"])
def any_policy(request):
    """The fake profile always; each real profile once policies/<id>.toml exists (skipped until then)."""
    if request.param == "fake":
        return FAKE_POLICY
    policies = real_policies()
    if request.param not in policies:
        pytest.skip(f"policies/{request.param}.toml not written yet")
    return policies[request.param]


# --- the valid record ------------------------------------------------------------------------------------

def test_jc_i1_yq_i1_the_factory_record_is_valid_under_every_profile(any_policy):
    cleaned = clean(make_expert(any_policy), any_policy)
    assert cleaned["specialties"] == [any_policy.taxonomy.all_specialty_codes()[0]]


def test_jc_i1_cleaned_record_has_every_form_field_and_nothing_else():
    cleaned = clean(make_expert())
    assert set(cleaned) == {f.key for f in EXPERT_FIELDS}


def test_jc_i1_empty_fields_come_back_as_typed_empty_values():
    cleaned = clean(make_expert(resume=None, enterprise_safety_years=None, qualifications=None))
    assert cleaned["resume"] == "" and cleaned["enterprise_safety_years"] is None
    assert cleaned["qualifications"] == [] and cleaned["related_enterprises"] == []
    assert cleaned["is_public_servant"] is False and cleaned["term_start"] is None


def test_validation_returns_a_copy_and_leaves_the_input_alone():
    data = make_expert(name="  张三  ")
    before = dict(data)
    assert clean(data)["name"] == "张三"
    assert data == before


def test_state_starts_as_applying_when_absent():
    assert clean(make_expert())["state"] == "申请中"
    assert clean(make_expert(state="在库"))["state"] == "在库"


def test_system_keys_of_the_stored_record_are_kept_and_unknown_keys_are_refused():
    stored = dict(clean(make_expert()), id=7, policy_id="fake-2026", is_demo=True, transitions=[{"to": "申请中"}])
    cleaned = validate_expert({"unit": "新单位有限公司"}, FAKE_POLICY, TODAY, existing=stored)
    assert (cleaned["id"], cleaned["policy_id"], cleaned["is_demo"]) == (7, "fake-2026", True)
    assert cleaned["transitions"] == [{"to": "申请中"}]
    assert errors_of(make_expert(hobby="钓鱼")) == [("hobby", "未知字段“hobby”，不能保存（请检查导入表的列名）")]


@pytest.mark.parametrize("key", ["transitions", "policy_id", "is_demo", "id", "created_at"])
def test_system_keys_in_input_are_refused_not_kept(key):
    """Issue 11: a forged history (or id, profile, demo mark) typed or imported with the record is refused."""
    forged = make_expert(**{key: [{"from": "申请中", "to": "在库", "reason": "伪造"}] if key == "transitions" else 1})
    assert errors_of(forged) == [(key, f"“{key}”由系统记录，不能录入或导入")]


@pytest.mark.parametrize("digits", ["१४०३०२", "١٤٠٣٠٢", "۱۴۰۳۰۲"])
def test_non_ascii_digits_in_id_number_refused(digits):
    """Issue 11: Devanagari / Arabic-Indic digits pass str.isdigit() and int(); the ID number takes 0–9 only."""
    number = valid_id_number(date(1981, 3, 12), region="140302")
    forged = digits + number[6:]
    [(key, message)] = errors_of(make_expert(id_number=forged))
    assert key == "id_number" and "半角数字" in message


@pytest.mark.parametrize("key,value", [("mobile", "१३८१२३४५६७८"), ("work_phone", "٠٣٥٣-٢٠٢١٢٣٤"),
                                       ("postcode", "०४५०००")])
def test_non_ascii_digits_in_phones_and_postcode_refused(key, value):
    assert [k for k, _ in errors_of(make_expert(**{key: value}))] == [key]


def test_lone_surrogate_in_name_refused():
    """Issue 11: a lone surrogate cannot be encoded (UnicodeEncodeError on save or display): refused in Chinese."""
    [(key, message)] = errors_of(make_expert(name="张\ud800三"))
    assert key == "name" and "无法识别的字符" in message
    message.encode("utf-8")  # the message itself never echoes the surrogate


@pytest.mark.parametrize("char", ["\u202e", "\u202a", "\u2066", "\u2069", "\u200b", "\u200d", "\ufeff", "\u200f"])
def test_bidi_override_and_zero_width_characters_in_name_refused(char):
    [(key, message)] = errors_of(make_expert(name=f"张{char}三"))
    assert key == "name" and "不允许" in message


def test_text_is_stored_in_nfc():
    decomposed = "e\u0301"  # é as e + combining acute accent
    assert clean(make_expert(unit=f"Caf{decomposed}有限公司"))["unit"] == "Caf\u00e9有限公司"


def test_too_many_list_items_refused():
    items = [f"企业{n}" for n in range(51)]
    assert [k for k, _ in errors_of(make_expert(related_enterprises=items))] == ["related_enterprises"]


def test_record_that_is_not_a_mapping_is_refused():
    with pytest.raises(ValidationError, match="格式不正确"):
        validate_expert(["name", "张三"], FAKE_POLICY, TODAY)  # type: ignore[arg-type]


# --- required, length, characters --------------------------------------------------------------------------

@pytest.mark.parametrize("key", [f.key for f in EXPERT_FIELDS if f.required and f.key != "state"])
def test_x_i1_each_required_field_left_empty_is_named(key):
    data = make_expert(**{key: None})
    label = FIELDS_BY_KEY[key].label
    assert message_for(key, data) == f"{label}为必填项"


def test_x_i1_blank_string_counts_as_empty():
    assert message_for("name", make_expert(name="   ")) == "姓名为必填项"


def test_x_i1_a_10000_character_resume_is_refused_with_both_lengths():
    assert message_for("resume", make_expert(resume="简" * 10_000)) == "主要专业学历和工作简历不能超过4000字，当前10000字"


def test_x_i1_a_resume_of_exactly_4000_characters_is_accepted():
    assert len(clean(make_expert(resume="简" * 4000))["resume"]) == 4000


def test_x_i1_emoji_markup_and_line_breaks_are_kept_literally_in_long_text():
    text = "业绩 👷‍♂️ & <b>加粗</b> {{ name }} {% if %}\n第二行\n\n第四行"
    assert clean(make_expert(achievements=text))["achievements"] == text


def test_x_i1_windows_line_breaks_become_plain_line_breaks():
    assert clean(make_expert(resume="一\r\n二\r三"))["resume"] == "一\n二\n三"


def test_x_i1_markup_characters_are_kept_literally_in_one_line_text():
    assert clean(make_expert(unit="A&B <公司> {{ x }} 🏭"))["unit"] == "A&B <公司> {{ x }} 🏭"


def test_x_i1_line_break_in_a_one_line_field_is_refused():
    assert message_for("unit", make_expert(unit="第一行\n第二行")) == "单位全称不能换行，请写在一行内"


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x0b", "\x0c", "\x1b", "\x1f"])
def test_x_i1_control_characters_are_refused(char):
    assert "控制字符" in message_for("name", make_expert(name=f"张{char}三"))
    assert "控制字符" in message_for("remarks", make_expert(remarks=f"备{char}注"))


def test_x_i1_a_name_that_is_too_long_is_refused():
    assert message_for("name", make_expert(name="张" * 31)) == "姓名不能超过30字，当前31字"


def test_x_i1_a_list_or_number_in_a_text_field_is_handled():
    assert message_for("name", make_expert(name=["张三"])) == "姓名应为文字"
    assert clean(make_expert(certificate_no=2026001))["certificate_no"] == "2026001"


# --- choices, numbers, dates, booleans ---------------------------------------------------------------------

def test_x_i1_a_choice_outside_the_list_is_refused_with_the_options():
    assert message_for("education", make_expert(education="小学")) == \
        "最高学历“小学”不是可选项（可选：中专及以下、大专、本科、硕士研究生、博士研究生）"


def test_x_i1_qualifications_must_come_from_the_vocabulary_and_are_put_in_its_order():
    cleaned = clean(make_expert(qualifications=["律师", "注册安全工程师", "律师"]))
    assert cleaned["qualifications"] == ["注册安全工程师", "律师"]
    assert clean(make_expert(qualifications="律师、注册安全评价师"))["qualifications"] == ["注册安全评价师", "律师"]
    assert "“厨师”不是可选项" in message_for("qualifications", make_expert(qualifications=["厨师"]))


@pytest.mark.parametrize("value, expected", [(20, 20), ("20", 20), (" 15 ", 15), (12.0, 12), (0, 0), (60, 60)])
def test_x_i1_years_accept_whole_numbers(value, expected):
    assert clean(make_expert(years_in_field=value))["years_in_field"] == expected


@pytest.mark.parametrize("value", ["十年", "10.5", 10.5, True, "10年"])
def test_x_i1_years_that_are_not_whole_numbers_are_refused(value):
    assert message_for("years_in_field", make_expert(years_in_field=value)).startswith("从事本专业年限应为整数")


@pytest.mark.parametrize("value", [-1, 61, 200])
def test_x_i1_years_outside_0_to_60_are_refused(value):
    assert message_for("years_in_field", make_expert(years_in_field=value)) == \
        f"从事本专业年限应在0到60之间，当前为{value}"


@pytest.mark.parametrize("value", ["2026-06-05", "2026/6/5", "2026.06.05", "2026年6月5日", "20260605",
                                   date(2026, 6, 5), "2026-06-05 00:00:00"])
def test_dates_in_common_formats_come_back_as_iso_strings(value):
    assert clean(make_expert(apply_date=value))["apply_date"] == "2026-06-05"


@pytest.mark.parametrize("value", ["明天", "2026-02-30", "2026-13-01", 20260605])
def test_x_i1_a_date_that_is_not_a_date_is_refused(value):
    assert message_for("apply_date", make_expert(apply_date=value)).startswith("填报日期应为日期（如 2026-06-05）")


@pytest.mark.parametrize("value, expected", [(True, True), (False, False), ("是", True), ("否", False)])
def test_booleans_accept_true_false_and_chinese_yes_no(value, expected):
    assert clean(make_expert(is_public_servant=value))["is_public_servant"] is expected


def test_x_i1_a_boolean_that_is_neither_yes_nor_no_is_refused():
    assert message_for("is_out_of_city", make_expert(is_out_of_city="也许")) == "市外专家应为“是”或“否”，当前为“也许”"


# --- contact details ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["name@example", "name example.com", "@example.com", "a@b@c.com"])
def test_x_i1_a_malformed_email_is_refused(value):
    assert message_for("email", make_expert(email=value)) == "电子邮箱格式不正确，应如 name@example.com"


def test_an_ordinary_email_is_accepted():
    assert clean(make_expert(email="zhang.san@yq-safety.gov.cn"))["email"] == "zhang.san@yq-safety.gov.cn"


@pytest.mark.parametrize("value", ["04500", "0450000", "04500a"])
def test_x_i1_a_postcode_that_is_not_6_digits_is_refused(value):
    assert message_for("postcode", make_expert(postcode=value)) == "邮政编码应为6位数字"


def test_a_postcode_read_as_a_number_gets_its_leading_zero_back():
    assert clean(make_expert(postcode=48000))["postcode"] == "048000"


def test_x_i1_the_mobile_is_normalised_and_a_10_digit_one_is_refused():
    assert clean(make_expert(mobile="+86 139-0000-1111"))["mobile"] == "13900001111"
    assert message_for("mobile", make_expert(mobile="1390000111")) == "移动电话应为以1开头的11位数字"


@pytest.mark.parametrize("value", ["0353-2021234", "(0356) 202 1234", "（0356）2021234", "13812345678"])
def test_other_phone_numbers_accept_digits_spaces_hyphens_and_parentheses(value):
    assert clean(make_expert(home_phone=value))["home_phone"]


@pytest.mark.parametrize("key, value", [("work_phone", "123456"), ("fax", "0353-2021234 转 8"),
                                        ("unit_phone", "1" * 21), ("home_phone", "abc-defg")])
def test_x_i1_other_phone_numbers_with_letters_or_bad_length_are_refused(key, value):
    label = FIELDS_BY_KEY[key].label
    assert message_for(key, make_expert(**{key: value})) == f"{label}只能包含数字、空格、连字符和括号，长度7–20位"


# --- ID number, gender, birth date -------------------------------------------------------------------------

def test_x_i1_gender_and_birth_date_are_derived_from_the_id_number_when_empty():
    number = valid_id_number(date(1970, 8, 1), "女", seq=8)
    cleaned = clean(make_expert(id_number=number.lower(), gender=None, birth_date=None))
    assert (cleaned["id_number"], cleaned["gender"], cleaned["birth_date"]) == (number, "女", "1970-08-01")


def test_x_i1_typed_gender_that_disagrees_with_the_id_number_is_refused():
    number = valid_id_number(date(1970, 8, 1), "女", seq=8)
    assert message_for("gender", make_expert(id_number=number, gender="男")) == "性别与身份证号不一致（身份证号显示为女）"


def test_x_i1_typed_birth_date_that_disagrees_with_the_id_number_is_refused():
    number = valid_id_number(date(1970, 8, 1), "女", seq=8)
    assert message_for("birth_date", make_expert(id_number=number, gender="女", birth_date="1970-08-02")) == \
        "出生日期与身份证号不一致（身份证号显示为1970-08-01）"


def test_x_i1_typed_gender_and_birth_date_that_agree_are_accepted():
    number = valid_id_number(date(1970, 8, 1), "女", seq=8)
    cleaned = clean(make_expert(id_number=number, gender="女", birth_date="1970年8月1日"))
    assert cleaned["birth_date"] == "1970-08-01"


def test_x_i1_a_bad_id_number_is_reported_under_its_field_and_nothing_is_derived_from_it():
    errors = errors_of(make_expert(id_number="1403021980", gender="男"))
    assert errors == [("id_number", "身份证号应为18位，当前为10位")]


def test_x_i1_an_id_number_with_a_wrong_check_digit_is_refused_in_chinese():
    good = valid_id_number(date(1980, 1, 1), "男", seq=5)
    bad = good[:17] + ("1" if good[17] != "1" else "2")
    assert "身份证号校验位错误" in message_for("id_number", make_expert(id_number=bad))


# --- specialties (taxonomy of the active profile) -----------------------------------------------------------

def test_x_t1_specialties_are_deduplicated_and_put_in_taxonomy_order():
    cleaned = clean(make_expert(specialties=["3.1", "1.2", "3.1", " 1.1 "]))
    assert cleaned["specialties"] == ["1.1", "1.2", "3.1"]


def test_specialties_accept_a_separated_string_and_labels_as_a_select_box_shows_them():
    assert clean(make_expert(specialties="2.1、1.3"))["specialties"] == ["1.3", "2.1"]
    assert clean(make_expert(specialties=["1.1 地质勘探、测量"]))["specialties"] == ["1.1"]
    assert clean(make_expert(specialties="2.1 化工工艺；1.1 地质勘探、测量"))["specialties"] == ["1.1", "2.1"]
    assert clean(make_expert(specialties="1.2 1.3\n２.１"))["specialties"] == ["1.2", "1.3", "2.1"]


def test_x_i1_an_unknown_specialty_code_is_refused_by_name(any_policy):
    message = message_for("specialties", make_expert(any_policy, specialties=["99.9"]), any_policy)
    assert "99.9" in message and "专业分类表" in message


def test_x_i1_at_least_one_specialty_is_required():
    assert message_for("specialties", make_expert(specialties=[])) == "申报行业领域及专业为必填项"
    assert message_for("specialties", make_expert(specialties=["", " "])) == "申报行业领域及专业为必填项"


# --- route, kind, state, term, related enterprises ----------------------------------------------------------

def test_jc_i1_a_route_the_profile_does_not_offer_is_refused():
    message = message_for("route", make_expert(route="使用部门推荐"))
    assert message == "申报方式“使用部门推荐”不适用于《测试市 2026》（可选：单位推荐、个人自荐、牵头科室推荐）"


def test_jc_i1_every_route_the_profile_offers_is_accepted(any_policy):
    for route in any_policy.routes:
        assert clean(make_expert(any_policy, route=route), any_policy)["route"] == route


def test_yq_i1_an_expert_kind_the_profile_does_not_offer_is_refused():
    assert "不适用于《测试市 2026》" in message_for("expert_kind", make_expert(expert_kind="特聘专家"))


def test_route_and_kind_may_be_left_empty():
    cleaned = clean(make_expert(route=None, expert_kind=None))
    assert cleaned["route"] == "" and cleaned["expert_kind"] == ""


def test_term_end_before_term_start_is_refused():
    data = make_expert(term_start="2026-07-01", term_end="2026-06-30")
    assert message_for("term_end", data) == "聘期结束（2026-06-30）不能早于聘期开始（2026-07-01）"
    assert clean(make_expert(term_start="2026-07-01", term_end="2029-06-30"))["term_end"] == "2029-06-30"


def test_jc_i1_employment_status_other_needs_its_explanation():
    assert message_for("employment_other", make_expert(employment_status="其他")) == \
        "在岗情况选择“其他”时，请填写在岗情况（其他）说明"
    assert clean(make_expert(employment_status="其他", employment_other="返聘"))["employment_other"] == "返聘"


def test_related_enterprises_accept_a_list_or_one_per_line():
    assert clean(make_expert(related_enterprises=" 甲煤业公司 \n\n乙化工厂\r\n甲煤业公司"))["related_enterprises"] == \
        ["甲煤业公司", "乙化工厂"]
    assert clean(make_expert(related_enterprises=["甲煤业公司", "", "乙化工厂"]))["related_enterprises"] == \
        ["甲煤业公司", "乙化工厂"]


def test_x_i1_a_related_enterprise_that_is_too_long_is_named_by_position():
    assert message_for("related_enterprises", make_expert(related_enterprises=["甲", "乙" * 101])) == \
        "申报关联企业（回避）第2项不能超过100字，当前101字"


# --- every bad field at once ----------------------------------------------------------------------------------

def test_x_i1_every_bad_field_is_reported_at_once_in_form_order():
    data = make_expert(name="", id_number="12345", mobile="1234567890", email="bad", postcode="1",
                       education="小学", years_in_field=99, specialties=["8.8"], resume="x" * 4001,
                       term_start="2026-07-01", term_end="2026-01-01", hobby="钓鱼")
    keys = [k for k, _ in errors_of(data)]
    assert keys == ["name", "id_number", "mobile", "email", "postcode", "education", "years_in_field",
                    "specialties", "resume", "term_end", "hobby"]
    order = [f.key for f in EXPERT_FIELDS]
    assert keys[:-1] == sorted(keys[:-1], key=order.index)


def test_x_i1_the_error_message_joins_every_chinese_message():
    with pytest.raises(ValidationError) as caught:
        clean(make_expert(name="", mobile="1"))
    assert str(caught.value) == "姓名为必填项；移动电话应为以1开头的11位数字"


# --- editing an existing record ------------------------------------------------------------------------------

def test_editing_validates_the_changed_fields_together_with_the_stored_record():
    stored = {**clean(make_expert(state="在库")), "id": 3, "schema_version": 1, "review": {"score": 80}}
    cleaned = clean({"mobile": "139 1111 2222"}, existing=stored)
    assert cleaned["mobile"] == "13911112222" and cleaned["state"] == "在库"
    assert (cleaned["id"], cleaned["review"]) == (3, {"score": 80})
    assert cleaned["name"] == stored["name"]


def test_editing_can_still_fail_on_the_combined_record():
    stored = clean(make_expert(term_start="2026-07-01"))
    assert [k for k, _ in errors_of({"term_end": "2026-01-01"}, existing=stored)] == ["term_end"]


# --- facts read off a record ---------------------------------------------------------------------------------

def test_expert_age_comes_from_birth_date_or_else_the_id_number():
    assert expert_age({"birth_date": "1966-06-15"}, TODAY) == 60
    assert expert_age({"birth_date": "1966-06-16"}, TODAY) == 59
    assert expert_age({"id_number": valid_id_number(date(1966, 6, 16), "男", seq=1)}, TODAY) == 59


def test_expert_age_without_birth_date_or_id_number_says_why_in_chinese():
    with pytest.raises(ValidationError, match="无法计算年龄"):
        expert_age({"name": "张三"}, TODAY)


def test_x_t1_an_expert_counts_once_per_sector_in_taxonomy_order():
    expert = {"specialties": ["3.1", "1.1", "1.3", "2.2", "1.2"]}
    assert expert_sector_codes(expert, POLICY.taxonomy) == ("1", "2", "3")
    assert expert_sector_codes({"specialties": ["1.1", "1.2"]}, POLICY.taxonomy) == ("1",)


def test_x_t1_codes_from_another_profile_are_left_out_of_sector_counts():
    assert expert_sector_codes({"specialties": ["1.1", "99.9"]}, POLICY.taxonomy) == ("1",)
    assert expert_sector_codes({}, POLICY.taxonomy) == ()


def test_x_t1_real_profiles_give_distinct_sectors(any_policy):
    taxonomy = any_policy.taxonomy
    codes = taxonomy.all_specialty_codes()
    expert = clean(make_expert(any_policy, specialties=list(reversed(codes))), any_policy)
    assert expert_sector_codes(expert, taxonomy) == tuple(s.code for s in taxonomy.sectors if s.specialties)


@pytest.mark.parametrize("start, years, end", [
    (date(2026, 7, 1), 3, date(2029, 6, 30)),
    (date(2026, 1, 1), 3, date(2028, 12, 31)),
    (date(2024, 2, 29), 3, date(2027, 2, 28)),   # anniversary falls on 1 March
    (date(2024, 2, 29), 4, date(2028, 2, 28)),   # leap year to leap year
    (date(2027, 3, 1), 1, date(2028, 2, 29)),    # the day before 1 March of a leap year
])
def test_jc_term_ends_the_day_before_the_same_date_years_later(start, years, end):
    assert term_end_for(start, years) == end


def test_a_term_of_less_than_a_year_is_refused():
    with pytest.raises(ValueError):
        term_end_for(date(2026, 1, 1), 0)

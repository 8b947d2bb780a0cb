"""AppTest: 专家录入 — a valid record is saved; bad input shows Chinese errors and saves nothing (X-I1)."""
from datetime import date

from services import experts
from tests.app.conftest import click, logged_in, texts
from tests.factories import valid_id_number

P = "expert_form_new_"


def fill(at, **values):
    at.text_input(key=P + "name").input(values.get("name", "李卫东"))
    at.text_input(key=P + "id_number").input(values.get("id_number", valid_id_number(date(1975, 5, 6), "男")))
    at.text_input(key=P + "mobile").input(values.get("mobile", "13912345678"))
    at.text_input(key=P + "unit").input(values.get("unit", "晋城市安全技术服务中心"))
    at.selectbox(key=P + "employment_status").set_value("在岗")
    at.selectbox(key=P + "education").set_value("本科")
    at.selectbox(key=P + "title_level").set_value("副高级")
    at.number_input(key=P + "years_in_field").set_value(values.get("years", 20))
    at.multiselect(key=P + "specialties").set_value(["1.2"])
    at.selectbox(key=P + "state").set_value(values.get("state", "在库"))
    return at


def test_a_valid_expert_is_saved_from_the_form(app_ctx):
    at = fill(logged_in(page="pages/expert_form.py"))
    click(at, "保存")
    assert not at.exception
    assert "已保存" in texts(at)
    saved = experts.active_experts(app_ctx)
    assert [e["name"] for e in saved] == ["李卫东"] and saved[0]["gender"] == "男"


def test_a_wrong_check_digit_and_a_short_phone_are_both_reported_and_nothing_saved_x_i1(app_ctx):
    good = valid_id_number(date(1975, 5, 6), "男")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    at = fill(logged_in(page="pages/expert_form.py"), id_number=bad, mobile="1391234567")
    click(at, "保存")
    assert not at.exception
    shown = texts(at)
    assert "校验" in shown and "11位" in shown
    assert experts.active_experts(app_ctx) == []


def test_an_empty_required_field_is_named_in_the_error(app_ctx):
    at = fill(logged_in(page="pages/expert_form.py"), name="")
    click(at, "保存")
    assert "姓名为必填项" in texts(at)
    assert experts.active_experts(app_ctx) == []

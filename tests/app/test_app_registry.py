"""AppTest: 专家库 page — filters, counts against caps, export, masking for departments."""
from datetime import timedelta

from core import vocab
from services import experts
from tests.app.conftest import click, logged_in, texts
from tests.conftest import ADMIN


def test_the_registry_lists_and_filters_the_demo_pool(app_ctx):
    experts.load_demo(app_ctx, ADMIN, history=False)
    at = logged_in(page="pages/registry.py")
    assert not at.exception
    total = len(experts.active_experts(app_ctx))
    assert f"共 {total} 人" in texts(at)
    name = experts.active_experts(app_ctx)[0]["name"]
    at.text_input(key="registry_text").input(name).run()
    assert not at.exception
    shown = at.dataframe[0].value
    assert len(shown) >= 1 and all(name in n for n in shown["姓名"])


def test_sector_counts_are_shown_against_their_caps_jc_t1(app_ctx):
    experts.load_demo(app_ctx, ADMIN, history=False)
    at = logged_in(page="pages/registry.py")
    sectors = at.dataframe[1].value
    assert list(sectors["上限"])[:8] == [80, 15, 45, 30, 40, 15, 15, 20]
    assert "上限 260 人" in texts(at)


def test_filtering_by_sector_narrows_the_specialty_choices(app_ctx):
    at = logged_in(page="pages/registry.py")
    at.selectbox(key="registry_sector").set_value("3").run()
    assert not at.exception
    options = at.selectbox(key="registry_specialty").options
    assert all(o == "全部专业" or o.startswith("3.") for o in options)


def test_a_department_user_sees_the_registry_without_edit_buttons(app_ctx):
    experts.load_demo(app_ctx, ADMIN, history=False)
    at = logged_in(vocab.ROLE_DEPARTMENT, page="pages/registry.py", department="化工科")
    assert not at.exception
    assert "修改此专家信息" not in [b.label for b in at.button]


# --- issue 10 item 7 / issue 11 ---------------------------------------------------------------------------------
def _select_first_row(at):
    at.session_state["registry_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    return at.run()


def _legacy_expert(ctx, **overrides):
    from services import legacy, settings
    from tests.conftest import OFFICE
    from tests.factories import make_expert
    data = make_expert(settings.active_policy(ctx), **overrides)
    appointed_on = (ctx.today() - timedelta(days=100)).isoformat()
    found = legacy.preview(ctx, OFFICE, data, document_number="晋应急发〔2024〕12号", appointed_on=appointed_on)
    return legacy.register_legacy(ctx, OFFICE, data, document_number="晋应急发〔2024〕12号",
                                  appointed_on=appointed_on,
                                  relaxations={r.rule_id: "原聘任时已核实，材料在档" for r in found.needs_reason})


def test_wrong_shape_records_are_flagged_not_a_traceback(app_ctx):
    """Issue 11: valid JSON of the wrong shape (state 5, specialties "x", birth date garbage) inserted straight into
    the store: 专家库 and 首页 list it as 记录格式有误 with its id instead of crashing."""
    good = _legacy_expert(app_ctx, name="正常专家")
    raw = {k: v for k, v in app_ctx.store.collection("experts").get(good).items() if k != "id"}
    repo = app_ctx.store.collection("experts")
    bad_ids = [repo.insert({**raw, "id_number": f"x{n}", **damage}, actor="t", action="t", unique=())
               for n, damage in enumerate([{"state": 5}, {"specialties": "x"},
                                           {"birth_date": "garbage", "id_number": "garbage"},
                                           {"term_end": "不是日期"}])]
    at = logged_in(page="pages/registry.py")
    assert not at.exception
    assert "4 条记录格式有误" in texts(at)
    flagged = at.dataframe[0].value
    assert list(flagged["记录编号"]) == [str(i) for i in bad_ids]
    assert "共 1 人" in texts(at)
    home = logged_in(page="pages/home.py")
    assert not home.exception


def test_the_registry_has_no_free_state_box_and_only_an_admin_sees_the_correction(app_ctx):
    _legacy_expert(app_ctx, name="存量专家乙")
    at = _select_first_row(logged_in(page="pages/registry.py"))
    assert not at.exception
    assert "registry_transition_to" not in [s.key for s in at.selectbox]
    assert any("更正状态" in e.label for e in at.expander)
    assert "最近一次是存量专家登记" in texts(at)  # nothing to correct: no form, no button
    assert not [b for b in at.button if b.label.startswith("更正为")]
    office = _select_first_row(logged_in(vocab.ROLE_OFFICE, page="pages/registry.py"))
    assert not office.exception
    assert not any("更正状态" in e.label for e in office.expander)
    assert "由管理员在此处更正" in texts(office)


def test_an_admin_corrects_a_mistaken_step_from_the_registry(app_ctx):
    from services import lifecycle
    from tests.conftest import OFFICE
    expert_id = _legacy_expert(app_ctx, name="存量专家丙")
    lifecycle.transition(app_ctx, OFFICE, expert_id, "期满退出", "聘期届满", workflow=lifecycle.Workflow.TERM_END)
    # the state before 期满退出 is 在库: a correction can never restore it
    at = _select_first_row(logged_in(page="pages/registry.py"))
    assert "更正不能产生“在库”" in texts(at)
    assert not [b for b in at.button if b.label.startswith("更正为")]


def test_the_correction_form_restores_the_state_before_a_mistaken_refusal(app_ctx):
    from services import applications, lifecycle, settings
    from tests.conftest import OFFICE
    from tests.factories import make_expert
    form = make_expert(settings.active_policy(app_ctx), name="申请人丁")
    form.pop("route", None)
    form.pop("expert_kind", None)
    expert_id, _ = applications.submit(app_ctx, OFFICE, form, {"kind": "普通专家", "route": "个人自荐",
                                                               "pledge_signed": True, "pledge_date": "2026-06-05",
                                                               "declarations": {"healthy": True}})
    lifecycle.transition(app_ctx, OFFICE, expert_id, "未通过", "审核不予通过", workflow=lifecycle.Workflow.REVIEW)
    at = _select_first_row(logged_in(page="pages/registry.py"))
    at.text_area(key=f"registry_correct_wrong_{expert_id}").input("审核时把别人的结论点到了这位申请人")
    at.text_area(key=f"registry_correct_why_{expert_id}").input("经核对审核记录，此人尚未审核，应恢复为申请中")
    at = click(at, "更正为“申请中”")
    assert not at.exception
    saved = app_ctx.store.collection("experts").get(expert_id)
    assert saved["state"] == "申请中" and saved["transitions"][-1]["kind"] == "更正"

"""AppTest: 专家库 page — filters, counts against caps, export, masking for departments."""
from core import vocab
from services import experts
from tests.app.conftest import logged_in, texts
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

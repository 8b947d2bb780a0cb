"""AppTest: the 政策规则 page — read a profile, make a variant (age cap 60 → 65 for men in Yangquan), see the
diff, save it; bad input is refused with nothing saved; saved variants and the comparison of two profiles."""
from __future__ import annotations

import hashlib

from core import vocab
from services import policy_variants
from services.context import POLICY_DIR, build_context
from tests.app.conftest import build_download, click, logged_in, offered_downloads, texts
from tests.conftest import OFFICE

YQ = "yangquan-2024"
MALE_AGE = "eligibility.age_limits.0.max_age"


def hashes() -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(POLICY_DIR.glob("*.toml"))}


def saved(data_dir) -> list[dict]:
    return build_context(data_dir).store.collection(policy_variants.COLLECTION).all()


def frames(at) -> list[list[dict]]:
    return [df.value.to_dict("records") for df in at.dataframe]


def start_from_yangquan(at, search: str = "年龄上限"):
    at.selectbox(key="policy_edit_start").set_value(YQ).run()
    at.text_input(key="policy_edit_search").input(search).run()
    return at


def test_x_p1_a_department_user_reads_the_active_profile_with_sources_but_cannot_edit(app_ctx):
    at = logged_in(vocab.ROLE_DEPARTMENT, page="pages/policy.py", department="危险化学品安全监督管理科")
    assert not at.exception
    shown = texts(at)
    assert "政策规则" in shown and "出处：" in shown
    assert at.selectbox(key="policy_read").value == "jincheng-2026"
    assert [t.label for t in at.tabs] == ["阅读规则", "比较两个策略"]
    build_download(at, "下载 Word（政策规则说明）")
    rows = [r for frame in frames(at) for r in frame]
    assert {"参数", "取值", "出处 / 本地设置"} <= set(rows[0])


def test_reading_filters_rows_by_a_search_word(app_ctx):
    at = logged_in(page="pages/policy.py")
    at.selectbox(key="policy_read").set_value(YQ).run()
    at.text_input(key="policy_read_search").input("年龄上限").run()
    assert not at.exception
    params = [r["参数"] for frame in frames(at) for r in frame if "参数" in r and "取值" in r]
    assert "年龄上限「普通专家·男」 › 年龄上限" in params
    assert all("年龄上限" in p for p in params)


def test_x_p3_make_a_variant_of_yangquan_with_age_cap_65_see_the_diff_and_save_it(app_ctx, data_dir):
    before = hashes()
    at = start_from_yangquan(logged_in(page="pages/policy.py"))
    at.number_input(key=f"pv_{YQ}_{MALE_AGE}").set_value(65)
    click(at, "记下修改")
    assert not at.exception
    assert [{"参数": "选聘条件 › 年龄上限「普通专家·男」 › 年龄上限", "原值": "60", "新值": "65"}] in frames(at)
    at.text_input(key="policy_save_name").input("阳泉·男65")
    at.text_area(key="policy_save_note").input("试算年龄上限放宽到65岁")
    click(at, "保存变体")
    assert not at.exception
    assert "已保存变体“阳泉·男65”" in texts(at)
    [variant] = saved(data_dir)
    assert variant["base_id"] == YQ and variant["changes"] == {MALE_AGE: 65}
    assert variant["note"] == "试算年龄上限放宽到65岁" and variant["author"] == "测试用户"
    assert hashes() == before


def test_a_negative_cap_is_refused_on_the_page_and_nothing_is_saved(app_ctx, data_dir):
    at = logged_in(page="pages/policy.py")  # active profile: Jincheng, which has sector caps
    at.text_input(key="policy_edit_search").input("入选人数控制").run()
    key = "pv_jincheng-2026_taxonomy.sectors.0.cap"
    at.number_input(key=key).set_value(-5)
    click(at, "记下修改")
    assert "入选人数控制：应为正整数" in texts(at)
    at.text_input(key="policy_save_name").input("负数上限")
    click(at, "保存变体")
    assert "应为正整数" in texts(at)
    assert saved(data_dir) == []


def test_saved_variants_are_listed_and_can_be_deleted(app_ctx, data_dir):
    policy_variants.save_variant(app_ctx, OFFICE, YQ, "男65", "说明", {MALE_AGE: 65})
    at = logged_in(page="pages/policy.py")
    assert not at.exception
    assert any(r.get("名称") == "男65" for frame in frames(at) for r in frame)
    assert [{"参数": "选聘条件 › 年龄上限「普通专家·男」 › 年龄上限", "原值": "60", "新值": "65"}] in frames(at)
    at.checkbox(key="policy_saved_confirm").check().run()
    at.button(key="policy_saved_delete").click().run()
    assert not at.exception
    assert "已删除变体“男65”" in texts(at)
    assert saved(data_dir) == []


def test_a_variant_can_be_the_start_of_another_and_is_readable(app_ctx, data_dir):
    variant_id = policy_variants.save_variant(app_ctx, OFFICE, YQ, "男65", "", {MALE_AGE: 65})
    at = logged_in(page="pages/policy.py")
    ref = f"variant:{variant_id}"
    at.selectbox(key="policy_read").set_value(ref).run()
    assert not at.exception
    assert any(r.get("出处 / 本地设置") == "变体修改（原为 60）" for frame in frames(at) for r in frame)
    at.selectbox(key="policy_edit_start").set_value(ref).run()
    at.text_input(key="policy_edit_search").input("年龄上限").run()
    assert at.number_input(key=f"pv_{ref}_{MALE_AGE}").value == 65
    at.number_input(key=f"pv_{ref}_eligibility.age_limits.1.max_age").set_value(60)
    click(at, "记下修改")
    rows = next(f for f in frames(at) if f and "原值" in f[0] and len(f) == 2)
    assert {r["新值"] for r in rows} == {"65", "60"}
    at.text_input(key="policy_save_name").input("男女都放宽")
    click(at, "保存变体")
    assert not at.exception
    assert {v["name"] for v in saved(data_dir)} == {"男65", "男女都放宽"}


def test_x_p3_compare_yangquan_with_jincheng_lists_the_differences(app_ctx):
    at = logged_in(vocab.ROLE_LEADER, page="pages/policy.py")
    at.selectbox(key="policy_cmp_a").set_value(YQ).run()
    at.selectbox(key="policy_cmp_b").set_value("jincheng-2026").run()
    at.selectbox(key="policy_cmp_section").set_value("拒绝委派的后果").run()
    assert not at.exception
    rows = frames(at)[-1]
    threshold = next(r for r in rows if r["参数"] == "拒绝委派的后果 › 达到此次数即触发后果")
    assert (threshold["原值"], threshold["新值"]) == ("3", "2")
    assert "项不同" in texts(at)


def test_every_kind_of_parameter_gets_an_input_of_its_type_prefilled_with_the_current_value(app_ctx):
    at = logged_in(page="pages/policy.py")
    at.text_input(key="policy_edit_search").input("fees.rate_versions.0").run()
    assert not at.exception
    prefix = "pv_jincheng-2026_fees.rate_versions.0."
    assert at.date_input(key=prefix + "effective_from").value.isoformat() == "2026-06-05"
    assert at.text_input(key=prefix + "daily_rate").value == "300.00"
    assert at.checkbox(key=prefix + "set_locally").value is False
    at.text_input(key="policy_edit_search").input("declines").run()
    assert at.selectbox(key="pv_jincheng-2026_declines.counting").value == "within_window"
    assert at.number_input(key="pv_jincheng-2026_declines.threshold").value == 2
    at.text_input(key="policy_edit_search").input("routes").run()
    assert at.text_area(key="pv_jincheng-2026_routes").value == "单位推荐\n个人自荐\n牵头科室推荐"
    assert not at.exception


def test_undoing_all_changes_restores_the_inputs(app_ctx):
    at = start_from_yangquan(logged_in(page="pages/policy.py"))
    at.number_input(key=f"pv_{YQ}_{MALE_AGE}").set_value(65)
    click(at, "记下修改")
    at.button(key="policy_edit_reset").click().run()
    assert not at.exception
    assert "还没有修改任何参数" in texts(at)
    assert at.number_input(key=f"pv_{YQ}_{MALE_AGE}").value == 60

"""两份随产品发布的策略档案（policies/*.toml）从磁盘读取后与办法原文一致；坏文件给出写明文件和字段的中文错误。

X-P1（档案装下整个办法）、X-P2（读取时校验）、JC-T1/T2/T3（附件1 分类与人数控制）、YQ-T1（分类表）、X-T1。
"""
from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from core.policy import Policy, PolicyError, load_policies, load_policy

POLICIES = Path(__file__).resolve().parents[2] / "policies"
JC_FILE = POLICIES / "jincheng-2026.toml"
YQ_FILE = POLICIES / "yangquan-2024.toml"


@pytest.fixture(scope="module")
def jc() -> Policy:
    return load_policy(JC_FILE)


@pytest.fixture(scope="module")
def yq() -> Policy:
    return load_policy(YQ_FILE)


def write_variant(tmp_path: Path, source: Path, old: str, new: str, name: str = "broken.toml") -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found: {old!r}"
    target = tmp_path / name
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


# --- both profiles load -----------------------------------------------------------------------------------------
def test_both_shipped_profiles_load_keyed_by_id_x_p1():
    policies = load_policies(POLICIES)
    assert set(policies) >= {"jincheng-2026", "yangquan-2024"}
    assert all(isinstance(p, Policy) for p in policies.values())


def test_profile_identity_x_p1(jc, yq):
    assert (jc.id, jc.short_name, jc.city) == ("jincheng-2026", "晋城市 2026", "晋城市")
    assert jc.name == "晋城市安全生产和应急管理专家使用管理办法(试行)"
    assert jc.document_number == "晋市应急安技发[2026]63号"
    assert jc.effective_date == date(2026, 6, 5)
    assert (yq.id, yq.short_name, yq.city) == ("yangquan-2024", "阳泉市 2024", "阳泉市")
    assert yq.name == "阳泉市应急管理和安全生产专家管理办法"
    assert yq.document_number == "阳安办发〔2024〕64号"
    assert yq.effective_date == date(2024, 9, 1)


def test_routes_and_expert_kinds_jc_i1_yq_i1(jc, yq):
    assert jc.routes == ("单位推荐", "个人自荐", "牵头科室推荐")
    assert jc.expert_kinds == ("普通专家",)
    assert yq.routes == ("单位推荐", "个人自荐", "使用部门推荐")
    assert yq.expert_kinds == ("普通专家", "特聘专家")
    special = next(k for k in yq.intake.kinds if k.kind == "特聘专家")
    assert special.routes == ("使用部门推荐",) and special.application_form_id == "yq_fb2"


# --- JC-T1..T3: 附件1 -------------------------------------------------------------------------------------------
def test_jc_t1_three_categories_eight_sectors_caps_sum_to_pool_cap(jc):
    tax = jc.taxonomy
    assert tax.categories == ("安全生产类", "防灾、减灾、救灾类", "综合管理类")
    assert [s.name for s in tax.sectors] == [
        "煤矿", "非煤矿山", "化工", "冶金工贸", "防灾减灾救灾应急处置与救援风险评估应急预案管理",
        "法规、标准基础理论研究", "信息化", "综合协调"]
    assert [s.cap for s in tax.sectors] == [80, 15, 45, 30, 40, 15, 15, 20]
    assert sum(s.cap for s in tax.sectors) == 260 == tax.pool_cap
    assert [s.category for s in tax.sectors] == ["安全生产类"] * 4 + ["防灾、减灾、救灾类"] + ["综合管理类"] * 3


def test_jc_t1_specialty_counts_per_sector_match_annex_1(jc):
    assert [len(s.specialties) for s in jc.taxonomy.sectors] == [13, 12, 14, 18, 9, 5, 6, 9]
    assert len(jc.taxonomy.all_specialty_codes()) == 86
    assert jc.taxonomy.specialty_label("1.12") == "1.12 洗(选)煤"
    assert jc.taxonomy.specialty_label("2.10") == "2.10 岩土工程,边坡工程,尾矿库"
    assert jc.taxonomy.specialty_label("5.1") == "5.1 地震和地质灾害(含应急避难场所规划建设管理)"
    assert jc.taxonomy.specialty_label("7.6") == "7.6 人工智能"


def test_jc_t1_lead_departments_are_the_full_remarks_column(jc):
    coal = jc.taxonomy.sector("1")
    assert coal.lead_department == ("由市应急管理局煤矿安全监管综合科牵头,商市应急管理局煤矿通风安全监管科、"
                                    "煤矿地质机电安全监管科、安全技术科开展专家初审推荐。")
    assert coal.lead_office == "市应急管理局煤矿安全监管综合科"
    offices = [s.lead_office for s in jc.taxonomy.sectors]
    assert offices[1] == offices[3] == "市应急管理局冶金工贸安全监督管理科"
    assert offices[6] == "市应急管理调度指挥中心"
    assert all(s.lead_department and s.lead_department.endswith("开展专家初审推荐。") for s in jc.taxonomy.sectors)


def test_jc_t2_three_to_five_per_specialty_and_jc_t3_group_structure(jc):
    tax = jc.taxonomy
    assert (tax.specialty_min, tax.specialty_max) == (3, 5)
    assert (tax.leaders_per_sector, tax.deputy_threshold, tax.min_deputies, tax.max_deputies) == (1, 30, 1, 2)


# --- YQ-T1: 分类表 ----------------------------------------------------------------------------------------------
def test_yq_t1_thirteen_sectors_with_their_specialty_counts(yq):
    tax = yq.taxonomy
    assert [s.code for s in tax.sectors] == [str(n) for n in range(1, 14)]
    assert [len(s.specialties) for s in tax.sectors] == [12, 9, 8, 16, 16, 11, 8, 20, 6, 12, 17, 8, 10]
    assert tax.categories == () and tax.pool_cap is None
    assert all(s.cap is None and s.category is None for s in tax.sectors)


def test_yq_t1_names_exactly_as_in_the_seed(yq):
    tax = yq.taxonomy
    assert tax.specialty("1.8").name == "水文地质\\工程地质\\环境地质"
    assert tax.specialty("11.3").name == "场地、房屋、铁路、公路、市政、桥梁、隧道、港口等建筑施工"
    assert tax.specialty("9.1").name == "消防指挥"
    assert tax.specialty("4.9").name == "矿井建设，井巷工程"
    assert tax.specialty("5.12").name == "采油（采气）"
    assert tax.specialty("13.10").name == "软件工程"
    assert tax.sector("11").name == "综合业务（交通及海事、建筑、特种设备、民航、铁路、电力）"
    assert tax.sector_of("10.12").name == "灾害和事故救援及调查评估"


def test_no_copy_paste_debris_in_any_profile():
    for file in POLICIES.glob("*.toml"):
        assert "www.so.com" not in file.read_text(encoding="utf-8"), file.name
    for p in load_policies(POLICIES).values():
        for code in p.taxonomy.all_specialty_codes():
            assert "http" not in p.taxonomy.specialty(code).name


def test_x_t1_specialty_codes_are_unique_and_belong_to_their_sector(jc, yq):
    for p in (jc, yq):
        codes = p.taxonomy.all_specialty_codes()
        assert len(codes) == len(set(codes))
        assert all(p.taxonomy.sector_of(c).code == c.split(".")[0] for c in codes)


# --- eligibility ------------------------------------------------------------------------------------------------
def test_jc_e1_e3_eligibility_parameters(jc):
    el = jc.eligibility
    assert el.max_age("男") == el.max_age("女") == 65
    assert el.age_relaxable and el.conditions_relaxable
    assert (el.min_title_level, el.out_of_city_min_title_level, el.min_education, el.min_years) == \
        ("中级", "副高级", None, 10)
    assert el.qualifications == ("注册安全工程师", "注册安全评价师", "律师")


def test_jc_e2_sector_experience_rules(jc):
    rules = {r.key: r for r in jc.eligibility.experience_requirements}
    assert rules["forest_fire"].specialty_codes == ("5.3",)
    assert jc.taxonomy.specialty("5.3").name == "森林草原防灭火"
    assert rules["flood_drought"].specialty_codes == ("5.2",)
    assert "律师" in rules["legal_cases"].qualifications


def test_yq_e1_e2_eligibility_parameters(yq):
    el = yq.eligibility
    assert (el.max_age("男"), el.max_age("女"), el.max_age("男", "特聘专家")) == (60, 55, 65)
    assert (el.min_title_level, el.min_education, el.min_years) == ("中级", "大专", 10)
    assert el.no_criminal_record_required and not el.age_relaxable
    paths = {p.key: p for p in el.special_expert.paths}
    assert paths["senior_engineer"].min_title_level == "副高级" and paths["senior_engineer"].leadership_required
    commander = paths["frontline_commander"]
    assert not commander.education_required and not commander.title_required
    assert commander.text.endswith("（此种情形学历和职称不做要求）")


# --- JC-A1/A2: 附件4 --------------------------------------------------------------------------------------------
def test_jc_a1_scoring_sheet_nine_items_with_their_weights(jc):
    s = jc.scoring
    assert [it.weight for it in s.items] == [10, 10, 10, 10, 5, 10, 5, 20, 20]
    assert [it.method for it in s.items] == ["manual", "derived", "derived", "derived", "derived",
                                             "manual", "manual", "manual", "manual"]
    assert s.max_score == 100 and s.max_score_with_bonus == 110
    assert s.pass_mark == 70 and s.pass_mark_is_guideline
    assert yq_has_no_scoring(load_policy(YQ_FILE))


def yq_has_no_scoring(p: Policy) -> bool:
    return p.scoring is None and p.review.scored is False


def test_jc_a1_bands_and_derived_rules(jc):
    s = jc.scoring
    edu, title = s.item("education"), s.item("title")
    assert [edu.points_for_level(lv) for lv in ("中专及以下", "大专", "本科", "硕士研究生", "博士研究生")] == \
        [6, 7, 8, 10, 10]
    assert (title.points_for_level("中级"), title.points_for_level("副高级"), title.points_for_level("正高级")) == \
        (6, 10, 10)
    years = s.item("years")
    assert (years.step_rule.free_years, years.step_rule.years_per_step, years.step_rule.points_per_step) == (10, 2, 1)
    bonus = years.bonuses[0]
    assert (bonus.points, bonus.required_category, bonus.min_enterprise_safety_years) == (5, "安全生产类", 15)
    count = s.item("specialty_count").count_rule
    assert (count.first_points, count.extra_points, s.item("specialty_count").weight) == (3, 1, 5)
    assert [(b.min_points, b.max_points) for b in s.item("service_conditions").bands] == [(6, 10), (1, 5), (0, 0)]
    assert [(b.min_points, b.max_points) for b in s.item("service_experience").bands] == [(5, 5), (3, 4), (2, 3)]
    assert (s.item("knowledge").min_points, s.item("knowledge").weight) == (5, 20)
    assert s.item("effectiveness").bonuses[0].points == 5 and s.item("effectiveness").bonuses[0].method == "manual"


# --- lifecycle, drawing, declines, evaluations, dismissal, fees, forms -----------------------------------------
def test_jc_l1_l3_and_yq_l1_lifecycle(jc, yq):
    assert (jc.lifecycle.notice_days, jc.lifecycle.term_years, jc.lifecycle.application_month) == (5, 3, 6)
    assert jc.lifecycle.record_retention_years == 5
    assert jc.lifecycle.legacy_appointments.leave_after_years == 3
    assert (yq.lifecycle.term_years, yq.lifecycle.application_month) == (3, None)
    assert "notice_days" in yq.lifecycle.set_locally
    assert yq.assessment.before_month == 7 and jc.assessment.month == 6


def test_jc_d1_d2_yq_d1_d2_drawing_rules(jc, yq):
    assert jc.drawing.principles == ("一事一派", "随机选取", "轮换使用", "技术优先")
    assert jc.drawing.rotation_window_days == 365 and "rotation_window_days" in jc.drawing.set_locally
    assert (jc.drawing.approval.large_use_threshold, jc.drawing.out_of_pool.min_title_level) == (10, "副高级")
    assert jc.drawing.emergency.approve_after and yq.drawing.emergency.name == "先委派后补批"
    assert len(jc.drawing.task_types) == 12
    assert yq.drawing.request_lead_days == 3
    assert len(yq.drawing.direct_selection.reasons) == 7
    assert yq.drawing.direct_selection.reasons[6].text == "省应急厅和市委市政府安排的其他紧急任务。"
    assert yq.drawing.usage_categories == ("安全生产", "应急管理")


def test_jc_d4_yq_d4_decline_consequences(jc, yq):
    assert (jc.declines.counting, jc.declines.threshold, jc.declines.only_unjustified) == ("within_window", 2, True)
    assert jc.dismissal.reason(jc.declines.dismissal_reason_number).text.startswith("一年内累计两次无正当理由")
    assert (yq.declines.counting, yq.declines.threshold) == ("consecutive", 3)
    assert yq.dismissal.reason(yq.declines.dismissal_reason_number).text == "专家连续3次无法参加委派任务的；"


def test_jc_v1_yq_v1_v2_evaluation_rules(jc, yq):
    ev = jc.evaluations
    assert ev.ratings == ("优", "良", "一般", "较差") and ev.reason_required_for == ("优",)
    assert (ev.uniform_rule.min_experts, ev.uniform_rule.rating) == (3, "良")
    assert (ev.meaningful_items_min, ev.meaningful_items_max, ev.deadline_days, ev.deadline_unit) == \
        (1, 3, 3, "working_days")
    assert len(ev.indicators) == 8
    ev = yq.evaluations
    assert ev.ratings == ("优秀", "良好", "一般", "较差") and ev.reason_required_for == ("一般", "较差")
    assert ev.deadline_days == 2
    assert [(s.occurrence, s.action) for s in ev.escalation] == [(1, "提醒谈话"), (2, "调整退出专家库")]


def test_jc_r1_yq_r1_dismissal_reasons_verbatim(jc, yq):
    assert len(jc.dismissal.reasons) == 10 and jc.dismissal.permanent_ban_numbers == (5, 6, 7, 8, 9)
    assert jc.dismissal.reason(5).text == "被依法追究刑事责任的；"
    assert jc.dismissal.notice_days == 5 and jc.dismissal.suspend_immediately
    assert len(yq.dismissal.reasons) == 12 and yq.dismissal.permanent_ban_numbers == ()
    assert yq.dismissal.reason(10).text == "年龄超过60周岁或因身体原因不能胜任专家工作的；"


def test_jc_f1_f4_and_yq_f1_fees(jc, yq):
    rate = jc.fees.rate_on(date(2026, 7, 1))
    assert (rate.daily_rate, rate.cross_city_lodging, rate.cross_city_meals) == \
        (Decimal(300), Decimal(150), Decimal(50))
    assert jc.fees.public_servant_own_unit_unpaid and jc.fees.overlap_pays_once and jc.fees.budget_required
    yq_rate = yq.fees.rate_on(date(2025, 1, 1))
    assert yq_rate.set_locally and yq_rate.daily_rate is None
    assert "由本地设置" in yq_rate.note
    assert yq.fees.paid_by.endswith("由使用单位支付。")


def test_jc_w1_yq_w1_form_lists(jc, yq):
    assert [f.annex for f in jc.forms][:8] == [f"附件{n}" for n in range(1, 9)]
    assert jc.form("jc_fj2").template == "jc_fj2_申报表.docx"
    assert jc.form("jc_fj7").title == "晋城市安全生产和应急管理专家服务派遣审批单"
    assert [f.annex for f in yq.forms][:7] == ["附表一", "附表二", "附表三", "附表四", "附表五", "附表六", "分类表"]
    assert yq.form("yq_fb5").title == "阳泉市应急管理和安全生产专家使用委派单"


def test_main_sections_say_which_article_they_come_from(jc, yq):
    for p in (jc, yq):
        for section in ("taxonomy", "eligibility", "intake", "review", "lifecycle", "drawing", "declines",
                        "evaluations", "assessment", "dismissal", "fees"):
            assert getattr(p, section).source.strip(), (p.id, section)


# --- X-P2: broken files -----------------------------------------------------------------------------------------
def test_a_misspelt_field_in_a_file_names_file_and_field_x_p2(tmp_path):
    bad = write_variant(tmp_path, JC_FILE, "pool_cap = 260", "pool_capp = 260")
    with pytest.raises(PolicyError) as info:
        load_policy(bad)
    msg = str(info.value)
    assert str(bad) in msg and "taxonomy.pool_capp" in msg and "未知字段（可能拼写错误）" in msg


def test_a_negative_cap_in_a_file_names_file_and_field_x_p2(tmp_path):
    bad = write_variant(tmp_path, JC_FILE, "cap = 80\n", "cap = -80\n")
    with pytest.raises(PolicyError) as info:
        load_policy(bad)
    assert str(info.value) == f"策略文件 {bad} 有误：字段 taxonomy.sectors.0.cap：应为正整数"


def test_a_missing_field_in_a_file_is_reported_x_p2(tmp_path):
    bad = write_variant(tmp_path, YQ_FILE, "term_years = 3 ", "# term_years = 3 ")
    with pytest.raises(PolicyError) as info:
        load_policy(bad)
    assert "字段 lifecycle.term_years：缺少必填字段" in str(info.value)


def test_a_toml_syntax_error_names_the_file_and_line_x_p2(tmp_path):
    bad = write_variant(tmp_path, YQ_FILE, 'city = "阳泉市"', 'city = "阳泉市')
    with pytest.raises(PolicyError) as info:
        load_policy(bad)
    msg = str(info.value)
    assert str(bad) in msg and "不是有效的 TOML" in msg and "第 10 行" in msg


def test_a_missing_file_and_a_non_utf8_file_are_reported(tmp_path):
    with pytest.raises(PolicyError, match="不存在"):
        load_policy(tmp_path / "nope.toml")
    gbk = tmp_path / "gbk.toml"
    gbk.write_bytes('city = "阳泉市"'.encode("gbk"))
    with pytest.raises(PolicyError, match="UTF-8"):
        load_policy(gbk)


def test_a_file_saved_with_a_bom_still_loads(tmp_path):
    target = tmp_path / "bom.toml"
    target.write_bytes(b"\xef\xbb\xbf" + JC_FILE.read_bytes())
    assert load_policy(target).id == "jincheng-2026"


def test_load_policies_refuses_duplicate_ids(tmp_path):
    shutil.copy(JC_FILE, tmp_path / "a.toml")
    shutil.copy(JC_FILE, tmp_path / "b.toml")
    with pytest.raises(PolicyError) as info:
        load_policies(tmp_path)
    assert "b.toml" in str(info.value) and "jincheng-2026" in str(info.value) and "重复" in str(info.value)


def test_load_policies_refuses_an_empty_or_missing_folder(tmp_path):
    with pytest.raises(PolicyError, match="没有策略文件"):
        load_policies(tmp_path)
    with pytest.raises(PolicyError, match="不存在"):
        load_policies(tmp_path / "missing")

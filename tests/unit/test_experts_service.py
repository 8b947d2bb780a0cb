"""专家库 service — create, edit, duplicate refusal, masking by role, counts against caps, demo pool.

Runs on an in-memory store with the real policy profiles (fixture `ctx`).
"""
import pytest

from core.errors import DuplicateError, PermissionDenied, ValidationError
from core.registry import RegistryFilter
from services import experts, legacy, settings
from tests.conftest import ADMIN, DEPARTMENT, LEADER, OFFICE
from tests.factories import make_expert

PROCEDURE = ("state", "term_start", "term_end", "certificate_no", "appointed_under", "group_role")


def jc(ctx):
    return ctx.policies["jincheng-2026"]


def new_expert(ctx, **overrides):
    return experts.create_expert(ctx, OFFICE, make_expert(settings.active_policy(ctx), **overrides))


def pool_expert(ctx, appointed_on="2025-01-01", document="晋应急发〔2025〕1号", **overrides):
    """An expert in the pool through the real 存量专家登记 path, each rule that did not pass given a reason."""
    data = make_expert(settings.active_policy(ctx), **overrides)
    found = legacy.preview(ctx, OFFICE, data, document_number=document, appointed_on=appointed_on)
    reasons = {r.rule_id: "测试：原聘任时已核实" for r in found.needs_reason}
    return legacy.register_legacy(ctx, OFFICE, data, document_number=document, appointed_on=appointed_on,
                                  relaxations=reasons)


def test_a_valid_expert_is_saved_with_the_policy_it_was_made_under_x_p1(ctx):
    expert_id = new_expert(ctx, name="王建国")
    saved = experts.get_expert(ctx, OFFICE, expert_id)
    assert saved["name"] == "王建国" and saved["policy_id"] == "jincheng-2026"
    assert saved["is_demo"] is False


def test_every_write_is_audited_with_who_and_what(ctx):
    expert_id = new_expert(ctx, name="王建国")
    experts.update_expert(ctx, OFFICE, expert_id, {"unit": "晋城市应急管理局"})
    trail = experts.history(ctx, OFFICE, expert_id)
    assert [t["操作"] for t in trail] == ["修改专家信息", "新建专家"]
    assert trail[0]["操作人"] == "office"
    assert "单位全称" in trail[0]["变更"] and "晋城市应急管理局" in trail[0]["变更"]


def test_a_duplicate_id_number_is_refused_and_nothing_saved_x_i1(ctx):
    first = make_expert(jc(ctx))
    experts.create_expert(ctx, OFFICE, first)
    with pytest.raises(DuplicateError, match="已存在") as err:
        experts.create_expert(ctx, OFFICE, make_expert(jc(ctx), id_number=first["id_number"]))
    assert err.value.existing_id is not None
    assert len(experts.active_experts(ctx)) == 1


@pytest.mark.parametrize("overrides, message", [
    ({"id_number": "140502198001011234"}, "校验"),
    ({"mobile": "1391234567"}, "11位"),
    ({"name": ""}, "姓名为必填项"),
    ({"resume": "长" * 10_000}, "不能超过"),
])
def test_bad_input_gets_a_chinese_error_and_nothing_is_saved_x_i1(ctx, overrides, message):
    with pytest.raises(ValidationError, match=message):
        experts.create_expert(ctx, OFFICE, make_expert(jc(ctx), **overrides))
    assert experts.active_experts(ctx) == []
    assert ctx.store.audit.entries(collection="experts") == []


def test_a_failed_edit_changes_nothing(ctx):
    expert_id = new_expert(ctx, name="王建国")
    before = experts.get_expert(ctx, OFFICE, expert_id)
    with pytest.raises(ValidationError):
        experts.update_expert(ctx, OFFICE, expert_id, {"mobile": "123"})
    assert experts.get_expert(ctx, OFFICE, expert_id) == before


def test_text_with_markup_and_emoji_is_stored_literally(ctx):
    text = "A&B <b>粗体</b> {{ x }} {% if %}\n第二行 🚒"
    expert_id = new_expert(ctx, resume=text)
    assert experts.get_expert(ctx, OFFICE, expert_id)["resume"] == text


def test_departments_and_leaders_see_masked_id_numbers_and_phones(ctx):
    expert_id = new_expert(ctx)
    full = experts.get_expert(ctx, OFFICE, expert_id)
    for role_user in (DEPARTMENT, LEADER):
        masked = experts.get_expert(ctx, role_user, expert_id)
        assert masked["id_number"] != full["id_number"] and "*" in masked["id_number"]
        assert masked["id_number"][:4] == full["id_number"][:4] and masked["id_number"][-4:] == full["id_number"][-4:]
        assert "*" in masked["mobile"]
        trail = experts.history(ctx, role_user, expert_id)
        assert full["id_number"] not in str(trail)


def test_only_office_roles_create_experts(ctx):
    with pytest.raises(PermissionDenied):
        experts.create_expert(ctx, DEPARTMENT, make_expert(jc(ctx)))


def test_an_expert_with_two_specialties_in_one_sector_counts_once_x_t1_jc_t1(ctx):
    sector = jc(ctx).taxonomy.sectors[0]
    codes = [sp.code for sp in sector.specialties[:2]]
    pool_expert(ctx, specialties=codes)
    summary = experts.summary(ctx)
    row = next(r for r in summary.sectors if r.code == sector.code)
    assert row.count == 1 and row.limit_max == 80
    per_spec = {r.code: r.count for r in summary.specialties}
    assert per_spec[codes[0]] == 1 and per_spec[codes[1]] == 1


def test_specialty_counts_show_under_and_over_three_to_five_jc_t2(ctx):
    code = jc(ctx).taxonomy.sectors[0].specialties[0].code
    for _ in range(6):
        pool_expert(ctx, specialties=[code])
    rows = {r.code: r for r in experts.summary(ctx).specialties}
    assert rows[code].status == "超出"
    other = jc(ctx).taxonomy.sectors[0].specialties[1].code
    assert rows[other].status == "不足"


def test_applicants_do_not_count_against_the_cap_jc_t1(ctx):
    new_expert(ctx, state="申请中")
    assert experts.summary(ctx).total == 0


def test_registry_filters_by_sector_and_text(ctx):
    s1, s2 = jc(ctx).taxonomy.sectors[0], jc(ctx).taxonomy.sectors[2]
    pool_expert(ctx, name="煤矿专家", specialties=[s1.specialties[0].code])
    pool_expert(ctx, name="化工专家", specialties=[s2.specialties[0].code])
    rows, _ = experts.registry(ctx, OFFICE, RegistryFilter(sector=s2.code))
    assert [r["姓名"] for r in rows] == ["化工专家"]
    rows, _ = experts.registry(ctx, OFFICE, RegistryFilter(text="煤矿"))
    assert [r["姓名"] for r in rows] == ["煤矿专家"]


def test_records_of_another_profile_are_kept_but_not_mixed_in(ctx):
    new_expert(ctx, name="晋城专家")
    settings.set_active_policy(ctx, ADMIN, "yangquan-2024", confirmed=True)
    assert experts.active_experts(ctx) == []
    assert experts.registry_view(ctx, ADMIN, RegistryFilter()).other_policies == {"jincheng-2026": 1}


def test_demo_pool_loads_only_on_an_empty_registry_and_is_marked(ctx):
    count = experts.load_demo(ctx, OFFICE, history=False)
    assert 220 <= count <= 260
    assert all(e["is_demo"] for e in experts.active_experts(ctx))
    with pytest.raises(ValidationError, match="空库"):
        experts.load_demo(ctx, OFFICE, history=False)


def test_the_demo_pool_stays_within_every_cap_jc_t1(ctx):
    experts.load_demo(ctx, ADMIN, history=False)
    summary = experts.summary(ctx)
    assert not summary.over_pool_cap
    assert all(r.status != "超出" for r in summary.sectors)


def test_home_view_lists_terms_ending_within_ninety_days_masked_for_leaders(ctx):
    pool_expert(ctx, name="将届满", appointed_on="2023-12-20")
    pool_expert(ctx, name="远期", appointed_on="2026-01-01")
    view = experts.home_view(ctx, LEADER, 90)
    assert [e["name"] for e in view.ending] == ["将届满"]
    assert "*" in view.ending[0]["id_number"]


def test_only_an_admin_removes_the_demo_pool_after_confirming_its_plan(ctx):
    from services import demo_history
    experts.load_demo(ctx, ADMIN)
    real_id = None
    with pytest.raises(PermissionDenied):
        experts.remove_demo(ctx, OFFICE, confirmed=True, fingerprint="")
    # a real record added afterwards survives the removal
    real_id = experts.create_expert(ctx, OFFICE, make_expert(jc(ctx), name="真实专家"))
    plan = demo_history.removal_plan(ctx, ADMIN)
    removed = experts.remove_demo(ctx, ADMIN, confirmed=True, fingerprint=plan.fingerprint)
    assert removed >= 220
    assert [e["id"] for e in experts.active_experts(ctx)] == [real_id]
    assert not experts.has_demo(ctx)


def test_a_second_group_leader_in_a_sector_is_refused_jc_t3(ctx):
    code = jc(ctx).taxonomy.sectors[1].specialties[0].code
    pool_expert(ctx, specialties=[code], group_role="组长")
    with pytest.raises(ValidationError, match="组长应为1名"):
        pool_expert(ctx, specialties=[code], group_role="组长")


def test_a_deputy_is_refused_in_a_sector_under_thirty_experts_jc_t3(ctx):
    code = jc(ctx).taxonomy.sectors[1].specialties[0].code
    with pytest.raises(ValidationError, match="不足30人，不设副组长"):
        pool_expert(ctx, specialties=[code], group_role="副组长")
    assert experts.active_experts(ctx) == []


def test_deputies_are_allowed_from_thirty_experts_and_at_most_two_jc_t3(ctx):
    codes = [sp.code for sp in jc(ctx).taxonomy.sectors[0].specialties]
    for i in range(30):
        pool_expert(ctx, specialties=[codes[i % len(codes)]])
    pool_expert(ctx, specialties=[codes[0]], group_role="副组长")
    pool_expert(ctx, specialties=[codes[1]], group_role="副组长")
    with pytest.raises(ValidationError, match="副组长最多2名"):
        pool_expert(ctx, specialties=[codes[2]], group_role="副组长")


def test_only_an_expert_in_the_pool_holds_a_group_role_jc_t3(ctx):
    with pytest.raises(ValidationError, match="只有在库专家"):
        new_expert(ctx, state="申请中", group_role="组长")


def _roster(ctx, records, *, applicants=True):
    """An Excel roster of `records`; with `applicants`, as new applications (no state, term or certificate)."""
    if applicants:
        records = [{k: v for k, v in r.items() if k not in PROCEDURE} for r in records]
    return experts.excel_io.export_experts_xlsx(records)


def test_an_import_with_one_bad_row_saves_nothing_and_names_the_row_x_i1(ctx):
    from services import demo
    rows = demo.generate_demo_pool(jc(ctx), seed=3, today=ctx.today())[:4]
    rows[2] = dict(rows[2], mobile="1391234567")
    outcome = experts.import_xlsx(ctx, OFFICE, _roster(ctx, rows))
    assert outcome.saved == 0
    assert [(e.row_number, e.field_label) for e in outcome.errors] == [(4, "移动电话")]
    assert experts.active_experts(ctx) == []


def test_an_import_of_an_id_already_in_the_registry_saves_nothing_x_i1(ctx):
    from services import demo
    rows = demo.generate_demo_pool(jc(ctx), seed=4, today=ctx.today())[:3]
    experts.create_expert(ctx, OFFICE, {k: v for k, v in rows[1].items() if k not in PROCEDURE})
    outcome = experts.import_xlsx(ctx, OFFICE, _roster(ctx, rows))
    assert outcome.saved == 0 and "已在专家库中" in outcome.errors[0].message
    assert len(experts.active_experts(ctx)) == 1


def test_a_valid_import_saves_every_row_in_one_write(ctx):
    from services import demo
    rows = demo.generate_demo_pool(jc(ctx), seed=5, today=ctx.today())[:6]
    outcome = experts.import_xlsx(ctx, OFFICE, _roster(ctx, rows))
    assert outcome.saved == 6 and not outcome.errors
    assert {e["id_number"] for e in experts.active_experts(ctx)} == {r["id_number"] for r in rows}


def test_an_expert_appointed_under_the_2023_document_leaves_three_years_after_it_jc_l2(ctx):
    expert_id = pool_expert(ctx, appointed_on="2024-03-01", document="晋市应急总指办发〔2023〕4号")
    saved = experts.get_expert(ctx, OFFICE, expert_id)
    assert saved["term_end"] == "2027-02-28"
    assert saved["appointed_under"] == "晋市应急总指办发[2023]4号"


def test_the_state_is_not_edited_directly_x_l1(ctx):
    expert_id = pool_expert(ctx)
    with pytest.raises(ValidationError, match="状态变更"):
        experts.update_expert(ctx, OFFICE, expert_id, {"state": "解聘"})
    assert experts.get_expert(ctx, OFFICE, expert_id)["state"] == "在库"


@pytest.mark.parametrize("key,value", [("term_end", "2099-12-31"), ("certificate_no", "伪造〔2026〕第1号"),
                                       ("appointed_under", "晋市应急总指办发[2023]4号")])
def test_term_certificate_and_document_are_not_edited_directly(ctx, key, value):
    expert_id = pool_expert(ctx)
    before = experts.get_expert(ctx, OFFICE, expert_id)
    with pytest.raises(ValidationError, match="不能在修改专家信息时更改"):
        experts.update_expert(ctx, OFFICE, expert_id, {key: value})
    assert experts.get_expert(ctx, OFFICE, expert_id) == before


# --- issue 10 item 7 / issue 11: 专家录入 never creates 在库; input is whitelisted ------------------------------
@pytest.mark.parametrize("state", ["在库", "已审核", "暂停", "解聘", "清退", "公示中"])
def test_create_expert_refuses_any_state_but_申请中(ctx, state):
    with pytest.raises(ValidationError, match="存量专家登记"):
        new_expert(ctx, state=state)
    assert ctx.store.collection("experts").all() == []


def test_create_expert_makes_an_applicant_even_for_an_ineligible_person(ctx):
    """The 70-year-old with 中专, 初级 and 2 years of the issue: 专家录入 can no longer put him in the pool."""
    with pytest.raises(ValidationError, match="存量专家登记"):
        new_expert(ctx, state="在库", birth_date="1956-03-01", education="中专及以下", title_level="初级", years_in_field=2)
    expert_id = new_expert(ctx, birth_date="1956-03-01", education="中专及以下", title_level="初级", years_in_field=2)
    assert experts.get_expert(ctx, OFFICE, expert_id)["state"] == "申请中"
    assert experts.summary(ctx).total == 0


def test_create_expert_ignores_forged_transitions(ctx):
    """Issue 11: a forged `transitions` history is refused with a Chinese error and nothing is saved."""
    forged = [{"from": "公示中", "to": "在库", "reason": "伪造", "by": "admin", "at": "2020-01-01T00:00:00"}]
    with pytest.raises(ValidationError, match="由系统记录"):
        new_expert(ctx, transitions=forged)
    with pytest.raises(ValidationError, match="由系统记录"):
        new_expert(ctx, policy_id="yangquan-2024")
    assert ctx.store.collection("experts").all() == []


@pytest.mark.parametrize("key,value", [("term_start", "2025-01-01"), ("term_end", "2099-12-31"),
                                       ("certificate_no", "晋应急专家聘字〔2025〕第001号"),
                                       ("appointed_under", "晋市应急总指办发[2023]4号")])
def test_create_expert_refuses_term_certificate_and_document(ctx, key, value):
    with pytest.raises(ValidationError, match="不能直接填写"):
        new_expert(ctx, **{key: value})
    assert ctx.store.collection("experts").all() == []


def test_devanagari_digits_in_id_number_refused_and_do_not_defeat_the_duplicate_check(ctx):
    """Issue 11: "१४०३…" passed str.isdigit() and int(), and was stored as a different text from the same person's
    ASCII number, defeating the duplicate and ban-list checks."""
    first = make_expert(jc(ctx))
    experts.create_expert(ctx, OFFICE, first)
    devanagari = "".join("०१२३४५६७८९"[int(c)] if c.isdigit() else c for c in first["id_number"])
    with pytest.raises(ValidationError, match="半角数字"):
        experts.create_expert(ctx, OFFICE, make_expert(jc(ctx), id_number=devanagari))
    assert len(ctx.store.collection("experts").all()) == 1


def test_lone_surrogate_in_name_refused_not_a_unicode_error(ctx):
    with pytest.raises(ValidationError, match="无法识别的字符"):
        new_expert(ctx, name="王\udc80建国")
    assert ctx.store.collection("experts").all() == []


def test_an_import_row_in_the_pool_is_refused_x_i1(ctx):
    """A roster import cannot put anyone 在库 either: rows with a state, a term or a certificate are refused."""
    from services import demo
    rows = [r for r in demo.generate_demo_pool(jc(ctx), seed=6, today=ctx.today()) if r["state"] == "在库"][:2]
    outcome = experts.import_xlsx(ctx, OFFICE, _roster(ctx, rows, applicants=False))
    assert outcome.saved == 0
    assert {e.field_label for e in outcome.errors} >= {"状态", "聘期开始", "聘期结束"}
    assert any("存量专家登记" in e.message for e in outcome.errors)
    assert ctx.store.collection("experts").all() == []


def test_an_import_makes_applicants(ctx):
    from services import demo
    rows = demo.generate_demo_pool(jc(ctx), seed=7, today=ctx.today())[:3]
    experts.import_xlsx(ctx, OFFICE, _roster(ctx, rows))
    assert {e["state"] for e in ctx.store.collection("experts").all()} == {"申请中"}


# --- wrong-shape records (issue 11) ------------------------------------------------------------------------------
WRONG_SHAPES = [
    {"state": 5},
    {"specialties": "x"},
    {"birth_date": "garbage", "id_number": "not a number"},
    {"term_end": "2027-99-99"},
    {"name": ["张", "三"]},
    {"transitions": "在库"},
]


@pytest.mark.parametrize("damage", WRONG_SHAPES)
def test_a_wrong_shape_record_is_listed_as_malformed_not_a_traceback(ctx, damage):
    good = pool_expert(ctx, name="正常专家")
    raw = dict(ctx.store.collection("experts").get(good))
    raw.pop("id")
    bad = ctx.store.collection("experts").insert({**raw, "id_number": "x", **damage}, actor="t", action="t", unique=())
    view = experts.registry_view(ctx, OFFICE, RegistryFilter())
    assert [r["姓名"] for r in view.rows] == ["正常专家"]
    assert [m.id for m in view.malformed] == [bad] and view.malformed[0].problems
    assert view.summary.total == 1
    home = experts.home_view(ctx, OFFICE)
    assert home.summary.total == 1


def test_an_unavailable_period_reason_is_cleaned_and_limited(ctx):
    from datetime import date
    expert_id = pool_expert(ctx)
    with pytest.raises(ValidationError, match="不允许"):
        experts.declare_unavailable(ctx, OFFICE, expert_id, date(2026, 12, 1), date(2026, 12, 3), "出差\u202e")
    with pytest.raises(ValidationError, match="不能超过200"):
        experts.declare_unavailable(ctx, OFFICE, expert_id, date(2026, 12, 1), date(2026, 12, 3), "长" * 201)
    with pytest.raises(PermissionDenied):
        experts.declare_unavailable(ctx, DEPARTMENT, expert_id, date(2026, 12, 1), date(2026, 12, 3), "出差")
    assert not experts.get_expert(ctx, OFFICE, expert_id).get("unavailable")
    experts.declare_unavailable(ctx, OFFICE, expert_id, date(2026, 12, 1), date(2026, 12, 3), " 出差 ")
    assert experts.get_expert(ctx, OFFICE, expert_id)["unavailable"][0]["reason"] == "出差"

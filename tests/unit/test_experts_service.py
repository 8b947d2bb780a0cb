"""专家库 service — create, edit, duplicate refusal, masking by role, counts against caps, demo pool.

Runs on an in-memory store with the real policy profiles (fixture `ctx`).
"""
import pytest

from core.errors import DuplicateError, PermissionDenied, ValidationError
from core.registry import RegistryFilter
from services import experts, settings
from tests.conftest import ADMIN, DEPARTMENT, LEADER, OFFICE
from tests.factories import make_expert


def jc(ctx):
    return ctx.policies["jincheng-2026"]


def new_expert(ctx, **overrides):
    return experts.create_expert(ctx, OFFICE, make_expert(settings.active_policy(ctx), **overrides))


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
    new_expert(ctx, specialties=codes, state="在库")
    summary = experts.summary(ctx)
    row = next(r for r in summary.sectors if r.code == sector.code)
    assert row.count == 1 and row.limit_max == 80
    per_spec = {r.code: r.count for r in summary.specialties}
    assert per_spec[codes[0]] == 1 and per_spec[codes[1]] == 1


def test_specialty_counts_show_under_and_over_three_to_five_jc_t2(ctx):
    code = jc(ctx).taxonomy.sectors[0].specialties[0].code
    for _ in range(6):
        new_expert(ctx, specialties=[code], state="在库")
    rows = {r.code: r for r in experts.summary(ctx).specialties}
    assert rows[code].status == "超出"
    other = jc(ctx).taxonomy.sectors[0].specialties[1].code
    assert rows[other].status == "不足"


def test_applicants_do_not_count_against_the_cap_jc_t1(ctx):
    new_expert(ctx, state="申请中")
    assert experts.summary(ctx).total == 0


def test_registry_filters_by_sector_and_text(ctx):
    s1, s2 = jc(ctx).taxonomy.sectors[0], jc(ctx).taxonomy.sectors[2]
    new_expert(ctx, name="煤矿专家", specialties=[s1.specialties[0].code], state="在库")
    new_expert(ctx, name="化工专家", specialties=[s2.specialties[0].code], state="在库")
    rows, _ = experts.registry(ctx, OFFICE, RegistryFilter(sector=s2.code))
    assert [r["姓名"] for r in rows] == ["化工专家"]
    rows, _ = experts.registry(ctx, OFFICE, RegistryFilter(text="煤矿"))
    assert [r["姓名"] for r in rows] == ["煤矿专家"]


def test_records_of_another_profile_are_kept_but_not_mixed_in(ctx):
    new_expert(ctx, name="晋城专家")
    settings.set_active_policy(ctx, ADMIN, "yangquan-2024")
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
    new_expert(ctx, name="将届满", state="在库", term_start="2023-12-20", term_end="2026-12-19")
    new_expert(ctx, name="远期", state="在库", term_start="2026-01-01", term_end="2028-12-31")
    view = experts.home_view(ctx, LEADER, 90)
    assert [e["name"] for e in view.ending] == ["将届满"]
    assert "*" in view.ending[0]["id_number"]


def test_only_an_admin_removes_the_demo_pool_in_one_call(ctx):
    experts.load_demo(ctx, ADMIN)
    real_id = None
    with pytest.raises(PermissionDenied):
        experts.remove_demo(ctx, OFFICE)
    # a real record added afterwards survives the removal
    real_id = experts.create_expert(ctx, OFFICE, make_expert(jc(ctx), name="真实专家"))
    removed = experts.remove_demo(ctx, ADMIN)
    assert removed >= 220
    assert [e["id"] for e in experts.active_experts(ctx)] == [real_id]
    assert not experts.has_demo(ctx)


def test_a_second_group_leader_in_a_sector_is_refused_jc_t3(ctx):
    code = jc(ctx).taxonomy.sectors[1].specialties[0].code
    new_expert(ctx, specialties=[code], state="在库", group_role="组长")
    with pytest.raises(ValidationError, match="组长应为1名"):
        new_expert(ctx, specialties=[code], state="在库", group_role="组长")


def test_a_deputy_is_refused_in_a_sector_under_thirty_experts_jc_t3(ctx):
    code = jc(ctx).taxonomy.sectors[1].specialties[0].code
    with pytest.raises(ValidationError, match="不足30人，不设副组长"):
        new_expert(ctx, specialties=[code], state="在库", group_role="副组长")
    assert experts.active_experts(ctx) == []


def test_deputies_are_allowed_from_thirty_experts_and_at_most_two_jc_t3(ctx):
    codes = [sp.code for sp in jc(ctx).taxonomy.sectors[0].specialties]
    for i in range(30):
        new_expert(ctx, specialties=[codes[i % len(codes)]], state="在库")
    new_expert(ctx, specialties=[codes[0]], state="在库", group_role="副组长")
    new_expert(ctx, specialties=[codes[1]], state="在库", group_role="副组长")
    with pytest.raises(ValidationError, match="副组长最多2名"):
        new_expert(ctx, specialties=[codes[2]], state="在库", group_role="副组长")


def test_only_an_expert_in_the_pool_holds_a_group_role_jc_t3(ctx):
    with pytest.raises(ValidationError, match="只有在库专家"):
        new_expert(ctx, state="申请中", group_role="组长")


def _roster(ctx, records):
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
    experts.create_expert(ctx, OFFICE, dict(rows[1]))
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
    expert_id = new_expert(ctx, state="在库", term_start="2024-03-01", term_end="2027-12-31",
                           appointed_under="晋市应急总指办发[2023]4号")
    assert experts.get_expert(ctx, OFFICE, expert_id)["term_end"] == "2027-02-28"


def test_the_state_is_not_edited_directly_x_l1(ctx):
    expert_id = new_expert(ctx, state="在库")
    with pytest.raises(ValidationError, match="状态变更"):
        experts.update_expert(ctx, OFFICE, expert_id, {"state": "解聘"})

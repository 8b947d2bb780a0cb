"""AppTest (issue 10 items 3–4): 系统设置 shows what a sweeping action will change and acts only after an explicit
confirmation (policy switch, backup restore, demo removal); after a switch 首页 and 专家库 name the other profile in
Chinese instead of saying the pool is empty; 抽取委派 and 劳务报酬 never fail when an expert record is gone."""
from datetime import timedelta

from core import vocab
from services import dispatch, experts, fees, settings
from services.context import build_context
from tests.app.conftest import click, logged_in, shown, texts
from tests.conftest import ADMIN, LEADER, OFFICE
from tests.factories import make_expert, seed_expert

SPEC = "1.3"
COAL = "煤矿安全监管综合科"


def checkbox(at, label_start):
    found = [c for c in at.checkbox if shown(c.label).startswith(label_start)]
    assert found, f"no checkbox starting {label_start!r}; have {[c.label for c in at.checkbox]}"
    return found[0]


def drawn_request(ctx, n_pool=4, accept=False, finish=False):
    """A real request of the coal department, approved and drawn from a real pool of `n_pool` experts."""
    policy = settings.active_policy(ctx)
    day = ctx.today() + timedelta(days=3)
    for i in range(n_pool):
        seed_expert(ctx, OFFICE, make_expert(policy, specialties=[SPEC], state="在库", term_start="2025-01-01",
                                             term_end="2099-12-31", unit=f"某单位{i}"))
    fees.set_budget(ctx, OFFICE, COAL, day.year, 100_000)
    request_id = dispatch.file_request(ctx, OFFICE, {
        "department": COAL, "contact": "张三", "matter": "通风专项检查", "task_type": policy.drawing.task_types[0],
        "target_enterprises": ["某煤业"], "start": day.isoformat(), "end": day.isoformat(),
        "needs": [{"specialty": SPEC, "count": 1}], "mode": "抽取", "emergency": False})[0]
    dispatch.approve(ctx, LEADER, request_id, "同意")
    dispatch.draw(ctx, OFFICE, request_id)
    for a in dispatch.assignments_of(ctx, request_id):
        if accept:
            dispatch.answer(ctx, OFFICE, a["id"], accepted=True, channel="电话")
        if finish:
            ctx.store.collection("assignments").update(a["id"], {"status": "已完成"}, actor="t", action="任务完成")
    if finish:
        ctx.store.collection("requests").update(request_id, {"status": "已完成"}, actor="t", action="任务完成")
    return request_id


# --- 切换当前政策 -------------------------------------------------------------------------------------------------

def test_switching_the_profile_shows_what_changes_and_needs_the_checkbox(app_ctx, data_dir):
    experts.load_demo(app_ctx, ADMIN, history=False)
    at = logged_in(page="pages/settings.py")
    at.selectbox(key="settings_policy_id").set_value("yangquan-2024").run()
    assert not at.exception
    shown = texts(at)
    assert "将从“晋城市 2026”切换到“阳泉市 2024”" in shown and "240 名专家保留原样，但不再显示" in shown
    frame = next(d.value for d in at.dataframe if "当前政策下（保留，不再显示）" in d.value.columns)
    assert dict(zip(frame["记录"], frame["当前政策下（保留，不再显示）"]))["专家"] == 240
    at.button(key="settings_policy_switch").click().run()
    assert "勾选确认" in texts(at)
    assert settings.active_policy_id(build_context(data_dir)) == "jincheng-2026"
    checkbox(at, "我已了解上述变化").check().run()
    at.button(key="settings_policy_switch").click().run()
    assert not at.exception
    assert settings.active_policy_id(build_context(data_dir)) == "yangquan-2024"
    assert any(e["action"] == "切换当前政策（已确认）" for e in build_context(data_dir).store.audit.entries())


def test_after_a_switch_home_and_registry_name_the_other_profile_in_chinese_not_empty(app_ctx, data_dir):
    experts.load_demo(app_ctx, ADMIN, history=False)
    settings.set_active_policy(app_ctx, ADMIN, "yangquan-2024", confirmed=True)
    for page in (None, "pages/registry.py"):
        at = logged_in(page=page)
        assert not at.exception
        shown = texts(at)
        assert "当前政策（阳泉市 2024）下没有专家" in shown and "240 条专家记录属于“晋城市 2026”" in shown, page
        assert "jincheng-2026" not in shown and "yangquan-2024" not in shown
        assert "加载演示数据" not in [b.label for b in at.button]
        assert not any(d.value.empty for d in at.dataframe), "an empty grid reads 'empty' in English"


# --- 恢复备份 ---------------------------------------------------------------------------------------------------

def test_restoring_a_backup_shows_the_counts_and_needs_the_checkbox(app_ctx, data_dir):
    taken = app_ctx.store.backups.create("手动备份", actor="admin")
    seed_expert(app_ctx, OFFICE, make_expert(settings.active_policy(app_ctx), name="备份后新增"))
    at = logged_in(page="pages/settings.py")
    at.selectbox(key="settings_restore_name").set_value(taken.name).run()
    assert not at.exception
    frame = next(d.value for d in at.dataframe if "备份中" in d.value.columns)
    row = frame[frame["数据"] == "专家"].iloc[0]
    assert row["当前"] == 1 and row["备份中"] == "（无）" and row["恢复后变化"] == "删除该类全部记录"
    at.button(key="settings_restore_go").click().run()
    assert "请先核对恢复将带来的变化" in texts(at)
    assert len(build_context(data_dir).store.collection("experts").all()) == 1
    checkbox(at, f"我确认用备份 {taken.name}").check().run()
    at.button(key="settings_restore_go").click().run()
    assert not at.exception
    assert build_context(data_dir).store.collection("experts").all() == []


# --- 删除演示数据 -------------------------------------------------------------------------------------------------

def test_the_demo_removal_lists_the_plan_and_needs_the_checkbox(app_ctx, data_dir):
    experts.load_demo(app_ctx, ADMIN, history=False)
    at = logged_in(page="pages/settings.py")
    assert not at.exception
    frame = next(d.value for d in at.dataframe if "将删除的记录" in d.value.columns)
    assert dict(zip(frame["将删除的记录"], frame["条数"]))["演示专家"] == 240
    at.button(key="settings_remove_demo").click().run()
    assert "我已了解将删除以上记录" in texts(at)
    assert len(experts.active_experts(build_context(data_dir))) == 240
    checkbox(at, "我已了解将删除以上记录").check().run()
    at.button(key="settings_remove_demo").click().run()
    assert not at.exception
    assert experts.active_experts(build_context(data_dir)) == []
    assert "已删除" in texts(at) and "当前没有演示数据" in texts(at)


def test_a_real_request_using_demo_experts_is_listed_and_no_removal_is_offered(app_ctx, data_dir):
    experts.load_demo(app_ctx, ADMIN, history=False)
    busiest: dict[str, int] = {}
    for e in experts.active_experts(app_ctx):
        if e["state"] == "在库":
            for code in e["specialties"]:
                busiest[code] = busiest.get(code, 0) + 1
    fees.set_budget(app_ctx, OFFICE, COAL, 2026, 100_000)
    request_id = dispatch.file_request(app_ctx, OFFICE, {
        "department": COAL, "contact": "张三", "matter": "真实的通风检查", "task_type":
        settings.active_policy(app_ctx).drawing.task_types[0], "target_enterprises": ["某煤业"],
        "start": "2026-12-01", "end": "2026-12-01", "needs": [{"specialty": max(busiest, key=busiest.get), "count": 1}],
        "mode": "抽取", "emergency": False})[0]
    dispatch.approve(app_ctx, LEADER, request_id, "同意")
    dispatch.draw(app_ctx, OFFICE, request_id)
    at = logged_in(page="pages/settings.py")
    assert not at.exception
    assert "不能删除演示数据" in texts(at)
    blockers = next(d.value for d in at.dataframe if "说明" in d.value.columns)
    assert any(f"使用申请 #{request_id}（非演示" in t for t in blockers["说明"])
    assert "settings_remove_demo" not in [b.key for b in at.button]


# --- pages stay up when an expert record is gone --------------------------------------------------------------

def test_the_drawing_page_shows_a_deleted_expert_as_deleted_not_none(app_ctx):
    request_id = drawn_request(app_ctx)
    invited = dispatch.assignments_of(app_ctx, request_id)[0]["expert_id"]
    app_ctx.store.collection("experts").delete(invited, actor="t", action="旧版删除演示数据")  # as issue 10 found it
    at = logged_in(page="pages/drawing.py")
    assert not at.exception
    shown = texts(at)
    assert f"（专家记录已删除 #{invited}）" in shown and "None" not in shown


def test_the_fees_page_says_which_record_is_missing_without_failing(app_ctx):
    request_id = drawn_request(app_ctx, accept=True, finish=True)
    invited = dispatch.assignments_of(app_ctx, request_id)[0]["expert_id"]
    app_ctx.store.collection("experts").delete(invited, actor="t", action="旧版删除演示数据")
    at = logged_in(vocab.ROLE_ADMIN, page="pages/fees.py")
    at.number_input(key="fees_year").set_value((app_ctx.today() + timedelta(days=3)).year).run()
    assert not at.exception
    assert f"#{invited}" in texts(at)


# --- 申报资料保存期 -------------------------------------------------------------------------------------------------

def test_deleting_past_retention_applications_lists_them_and_needs_the_checkbox_jc_l3(app_ctx, data_dir):
    expert_id = seed_expert(app_ctx, OFFICE, make_expert(settings.active_policy(app_ctx), name="早年申报人"))
    app_id = app_ctx.store.collection("applications").insert(
        {"policy_id": "jincheng-2026", "status": "已提交", "expert_id": expert_id, "created_at": "2015-03-01T09:00:00"},
        actor="t", action="入库申报", unique=())
    at = logged_in(page="pages/settings.py")
    listed = next(d.value for d in at.dataframe if "申报资料" in d.value.columns)
    assert list(listed["专家"]) == ["早年申报人"] and list(listed["政策"]) == ["晋城市 2026"]
    at.button(key="settings_purge_apps").click().run()
    assert "勾选确认" in texts(at)
    assert build_context(data_dir).store.collection("applications").get(app_id) is not None
    checkbox(at, "我已了解将永久删除以上 1 份申报资料").check().run()
    at.button(key="settings_purge_apps").click().run()
    assert not at.exception
    assert build_context(data_dir).store.collection("applications").get(app_id) is None

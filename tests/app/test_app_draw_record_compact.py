"""AppTest (issue 17, X-D1, X-D2): the 抽取委派 page shows a draw's exclusions summed by rule (those a person must see
by name, 专业不符 as a count), 查看全部排除 recomputes everyone from the pool snapshot, and 复核本次抽取 says it replayed
from the snapshot."""
from core import vocab
from services import dispatch, fees, settings
from tests.app.conftest import logged_in
from tests.conftest import LEADER, OFFICE
from tests.factories import make_expert, seed_expert

SPEC = "1.3"
OTHER = "1.1"


def drawn(ctx) -> tuple[int, int]:
    fees.set_budget(ctx, OFFICE, "煤矿安全监管综合科", 2026, 1_000_000)
    policy = settings.active_policy(ctx)
    for i, (spec, unit) in enumerate([(SPEC, "某煤业"), (SPEC, "某单位1"), (SPEC, "某单位2"), (OTHER, "某单位3"),
                                      (OTHER, "某单位4")]):
        seed_expert(ctx, OFFICE, make_expert(policy, name=f"池{i}", specialties=[spec], state="在库",
                                             term_start="2025-01-01", term_end="2028-12-31", unit=unit))
    request_id = dispatch.file_request(ctx, OFFICE, {
        "department": "煤矿安全监管综合科", "contact": "张三", "matter": "通风专项检查",
        "task_type": policy.drawing.task_types[0], "target_enterprises": ["某煤业"],
        "start": "2026-12-01", "end": "2026-12-02", "needs": [{"specialty": SPEC, "count": 1}], "mode": "抽取"})[0]
    dispatch.approve(ctx, LEADER, request_id, "同意")
    return request_id, dispatch.draw(ctx, OFFICE, request_id)


def frame(at, column: str):
    """The page's table with this column (AppTest finds dataframes by position, not by key)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_x_d1_the_drawing_page_sums_exclusions_by_rule_and_shows_everyone_on_request(app_ctx):
    request_id, draw_id = drawn(app_ctx)
    at = logged_in(vocab.ROLE_ADMIN, page="pages/drawing.py")
    assert not at.exception
    rules = frame(at, "排除规则")
    assert list(rules["排除规则"]) == ["与任务对象同一单位", "专业不符"] and list(rules["人数"]) == [1, 2]
    assert list(rules["逐人列出"]) == [1, 0]
    named = [d.value for d in at.dataframe if "原因" in d.value.columns]
    assert [list(d["姓名"]) for d in named] == [["池0"]]
    at.checkbox(key=f"drawing_all_exclusions_{draw_id}").check().run()
    assert not at.exception
    named, everyone = [d.value for d in at.dataframe if "原因" in d.value.columns]
    assert list(named["姓名"]) == ["池0"] and sorted(everyone["姓名"]) == ["池0", "池3", "池4"]
    at.button(key=f"drawing_verify_{request_id}").click().run()
    assert any("复核一致" in s.value and "抽取快照" in s.value for s in at.success)

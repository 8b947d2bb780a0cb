"""AppTest: 劳务报酬 page with the issue-10 fee rules — a bureau public servant on a section's task is shown unpaid
with the reason (JC-F2), an expert from outside the city serving here is paid lodging and meals (JC-F1), and an
expert from outside the pool has a line named by name and unit (JC 第十一条)."""
from services import fees
from tests.app.test_app_fees import fees_page, finished_task, other_day, table, task_day
from tests.conftest import OFFICE

SECTION = "市应急管理局危险化学品安全监督管理科"
OUTSIDER = {"name": "王教授", "unit": "太原理工大学", "title": "教授", "title_level": "正高级", "reason": "专业稀缺",
            "is_out_of_city": True}


def test_jc_f2_jc_f1_the_statement_shows_own_unit_cross_city_and_outside_pool_lines(app_ctx):
    ctx = app_ctx
    fees.set_budget(ctx, OFFICE, SECTION, task_day(ctx).year, 100_000)
    rid = finished_task(ctx, department=SECTION)
    [a] = ctx.store.collection("assignments").search(lambda x: x["request_id"] == rid)
    ctx.store.collection("experts").update(a["expert_id"], {"unit": "晋城市应急管理局", "is_public_servant": True},
                                           actor="t", action="测试：本局公职人员")
    ctx.store.collection("requests").update(rid, {"external_experts": [OUTSIDER]}, actor="t", action="测试：库外专家")
    other = finished_task(ctx, day=other_day(ctx))
    [b] = ctx.store.collection("assignments").search(lambda x: x["request_id"] == other)
    visitor_id = next(e["id"] for e in ctx.store.collection("experts").all() if e["id"] != a["expert_id"])
    ctx.store.collection("assignments").update(b["id"], {"expert_id": visitor_id}, actor="t", action="测试：委派")
    ctx.store.collection("experts").update(visitor_id, {"unit": "太原理工大学", "is_out_of_city": True,
                                                        "is_public_servant": False}, actor="t", action="测试：市外专家")
    at = fees_page(ctx)
    assert not at.exception
    rows = table(at, "计算过程")
    own = rows[(rows["申请"] == rid) & ~rows["专家"].str.contains("库外专家")]
    assert list(own["合计"]) == ["0.00"] and "公职人员从事本单位业务不领取劳务报酬" in own.iloc[0]["计算过程"]
    outsider = rows[(rows["申请"] == rid) & rows["专家"].str.contains("库外专家")]
    assert list(zip(outsider["专家"], outsider["合计"], outsider["跨市"])) == [
        ("王教授（库外专家，太原理工大学）", "500.00", "是")]
    visitor = rows[rows["申请"] == other]
    assert list(zip(visitor["合计"], visitor["跨市"])) == [("500.00", "是")]
    assert "市外专家来我市" in visitor.iloc[0]["计算过程"]

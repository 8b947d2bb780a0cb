"""AppTest (issue 10 item 8): 条件变化：拟解聘/清退建议 on 首页 and 解聘清退, opened as a case with one click (JC-R1);
JC-T3 group-role flags on 首页."""
from datetime import date

from services import dismissals
from services.context import build_context
from tests.app.conftest import logged_in, texts
from tests.factories import make_expert, real_policies

JC = real_policies()["jincheng-2026"]


def _add(ctx, age: int, name: str) -> int:
    today = date.today()
    record = make_expert(JC, name=name, birth_date=date(today.year - age, 1, 1).isoformat(), gender="男",
                         state="在库", term_start="2025-01-01", term_end="2030-12-31", policy_id=JC.id)
    return ctx.store.collection("experts").insert(record, actor="t", action="t")


def test_jc_r1_home_and_dismissal_list_the_proposal_and_the_button_opens_a_case(app_ctx, data_dir):
    old = _add(app_ctx, 70, "年长专家")
    _add(app_ctx, 45, "年轻专家")
    at = logged_in()
    assert not at.exception
    assert "条件变化：拟解聘/清退建议 1 条" in texts(at)
    table = at.dataframe[0].value
    assert list(table["姓名"]) == ["年长专家"] and table["情形"][0].startswith("第九条（二）")
    assert "未设组长" in texts(at) or any("未设组长" in str(df.value) for df in at.dataframe)

    at.switch_page("pages/dismissal.py")
    at.run()
    assert not at.exception
    assert "条件变化：拟解聘/清退建议" in texts(at) and "年长专家（测试市安全技术服务有限公司，在库）" in texts(at)
    [button] = [b for b in at.button if b.key == f"dismissal_cond_raise_{old}"]
    button.click().run()
    assert not at.exception
    [case] = dismissals.cases(build_context(data_dir), "进行中")
    assert case["expert_id"] == old and case["reason_number"] == 2
    assert not [b for b in at.button if b.key == f"dismissal_cond_raise_{old}"]
    assert "没有条件变化的建议。" in texts(at)

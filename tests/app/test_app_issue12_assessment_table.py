"""AppTest, issue 12 “年度考核”: the 年度考核 page's table entry of the whole list — pre-filled from the year's
records, keyed by the profile and the year, saved all or nothing with each wrong row's problems shown on that row
and listed with the expert's name; the single-expert form stays for the detail (JC-Y1, YQ-Y1)."""
from services import settings
from services.assessments import COL_PROBLEMS, COL_SERVICES, COL_STATUS, COL_TASKS
from services.context import build_context
from tests.app.conftest import click, logged_in, texts
from tests.conftest import ADMIN, OFFICE
from tests.factories import make_expert, seed_expert

YEAR = 2026


def pool(ctx, n=2):
    policy = settings.active_policy(ctx)
    spec = policy.taxonomy.all_specialty_codes()[0]
    return [seed_expert(ctx, OFFICE, make_expert(policy, specialties=[spec], state="在库", name=f"专家{i}",
                                                 term_start="2025-01-01", term_end="2027-12-31")) for i in range(n)]


def task(ctx, expert_id, start="2025-10-09", matter="通风专项检查"):
    pid = settings.active_policy(ctx).id
    rid = ctx.store.collection("requests").insert({"policy_id": pid, "matter": matter, "department": "煤矿科",
                                                   "start": start, "end": start, "status": "已完成"},
                                                  actor="t", action="t")
    return ctx.store.collection("assignments").insert({"policy_id": pid, "request_id": rid, "expert_id": expert_id,
                                                       "status": "已完成", "start": start, "end": start,
                                                       "days_worked": 2}, actor="t", action="t")


def open_table(role_page="pages/assessment.py"):
    at = logged_in(page=role_page)
    assert not at.exception
    at.number_input(key="assessment_year").set_value(YEAR).run()
    assert not at.exception
    assert len(at.data_editor) == 1
    return at


def edit(at, rows: dict) -> None:
    """Type into the table's cells (row position → {column: value}) as the browser sends them, then save."""
    key = at.data_editor[0].key
    at.session_state[key] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}
    click(at, "保存表格")
    assert not at.exception, at.exception


def jc_row(policy, conclusion="继续使用", **extra):
    cells = {item: "良" for item in policy.assessment.items}
    cells.update({"考核结论": conclusion, "专家自评业绩": "发现隐患3处；提出整改建议"}, **extra)
    return cells


def test_the_table_is_keyed_by_profile_and_year_and_prefilled_from_the_years_records_issue12_jc_y1(app_ctx):
    """Issue 12, JC-Y1: one editable row per expert due, with the year's services summed up from the records."""
    first, second = pool(app_ctx)
    task(app_ctx, first)
    at = open_table()
    editor = at.data_editor[0]
    assert editor.key.startswith(f"assessment_table_jincheng-2026_{YEAR}_") and editor.editing_mode == "fixed"
    table = editor.value
    assert list(table["姓名"]) == ["专家0", "专家1"] and list(table[COL_STATUS]) == ["未考核", "未考核"]
    assert "接受委派1次" in table[COL_SERVICES][0] and "服务2天" in table[COL_SERVICES][0]
    assert table[COL_TASKS][0] == "1. 2025年10月9日 通风专项检查"
    assert "尚有2人未考核" in texts(at)


def test_the_whole_table_is_saved_in_one_click_issue12_jc_y1(app_ctx, data_dir):
    """Issue 12, JC-Y1: filling both rows and clicking 保存表格 stores both assessments (one of them proposing
    dismissal, which raises its 年度考核 proposal); the table then shows them as 已考核."""
    policy = settings.active_policy(app_ctx)
    first, second = pool(app_ctx)
    task(app_ctx, first)
    at = open_table()
    edit(at, {0: jc_row(policy, 服务质量自我评价="优"), 1: jc_row(policy, conclusion="建议解聘", 考核意见说明="能力较差")})
    assert "已保存考核表格：新保存2人" in texts(at)
    ctx = build_context(data_dir)
    saved = {a["expert_id"]: a for a in ctx.store.collection("assessments").all()}
    assert {k: a["conclusion"] for k, a in saved.items()} == {first: "continue", second: "dismiss"}
    assert list(saved[first]["self_evaluation"]["service_ratings"].values()) == ["优"]
    assert [p["source"] for p in ctx.store.collection("proposals").all()] == ["年度考核"]
    assert list(at.data_editor[0].value[COL_STATUS]) == ["已考核", "已考核"]
    click(at, "保存表格")  # the same table again: nothing to write
    assert "表格没有改动，未写入任何记录" in texts(at)
    assert len(build_context(data_dir).store.collection("assessments").all()) == 2


def test_one_wrong_row_saves_nothing_and_its_problems_show_on_the_row_issue12_jc_y1(app_ctx, data_dir):
    """Issue 12, JC-Y1: all or nothing on the page — the good row is not saved either; the wrong row's problems
    are written in its 问题 column and listed above the table with the expert's name; the edits are kept."""
    policy = settings.active_policy(app_ctx)
    pool(app_ctx)
    at = open_table()
    edit(at, {0: jc_row(policy), 1: {"考核结论": "继续使用"}})
    assert build_context(data_dir).store.collection("assessments").all() == []
    assert "表格未保存：1行有问题，共7处" in texts(at)
    listed = at.dataframe[0].value  # the problem list, above the table
    assert set(listed["姓名"]) == {"专家1"} and "专家自评业绩" in set(listed["栏目"])
    problems = at.data_editor[0].value[COL_PROBLEMS]
    assert problems[0] == "" and "请评定考核项目“专家服务态度及诚信情况”" in problems[1]
    assert at.session_state[at.data_editor[0].key]["edited_rows"][0]["考核结论"] == "继续使用"  # not lost
    # the clerk completes the second row: now everything is saved and the problems are gone
    edit(at, {0: jc_row(policy), 1: jc_row(policy, conclusion="继续观察使用")})
    assert len(build_context(data_dir).store.collection("assessments").all()) == 2
    assert "表格未保存" not in texts(at) and set(at.data_editor[0].value[COL_PROBLEMS]) == {""}


def test_the_yq_table_has_no_self_evaluation_and_the_single_form_is_kept_issue12_yq_y1(app_ctx, data_dir):
    """Issue 12, YQ-Y1: 阳泉's table lists the experts dispatched in the year, without JC's self-evaluation
    columns; the single-expert form (keyed by the expert) is still there for the detail."""
    settings.set_active_policy(app_ctx, ADMIN, "yangquan-2024")
    policy = settings.active_policy(app_ctx)
    first, _ = pool(app_ctx)
    task(app_ctx, first, "2025-08-01")
    at = open_table()
    table = at.data_editor[0].value
    assert list(table["姓名"]) == ["专家0"] and "专家自评业绩" not in table.columns
    cells = {item: "良好" for item in policy.assessment.items}
    edit(at, {0: dict(cells, 考核结论="提出清退意见")})
    ctx = build_context(data_dir)
    assert [a["conclusion_label"] for a in ctx.store.collection("assessments").all()] == ["提出清退意见"]
    assert [p["reason_number"] for p in ctx.store.collection("proposals").all()] == [9]
    at.selectbox(key="assessment_expert").set_value(first).run()
    assert at.radio(key=f"assessment_conclusion_{first}_{YEAR}").value == "remove"  # pre-filled from the table's save

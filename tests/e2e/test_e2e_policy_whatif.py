"""End to end in Chromium (issue 6, X-P3): with the Yangquan profile in force and men aged 62 and 63 in the pool, an
admin makes the variant “男性普通专家年龄上限 60 → 65” in 政策规则, sees the change 60 → 65, saves it with a name,
runs it in 政策推演, sees the two men become eligible, downloads the Word briefing and finds the change and their
names in it — and the real records are untouched (a what-if reads only)."""
import hashlib
import io
from datetime import date

import pytest
from docx import Document
from playwright.sync_api import expect

from services import experts, users
from services.context import build_context
from tests.conftest import ADMIN
from tests.e2e.conftest import ROOT, download, wait_idle
from tests.e2e.test_e2e_appointment import choose
from tests.factories import make_expert, seed_expert

pytestmark = pytest.mark.e2e

POLICY_ID = "yangquan-2024"
PARAM = "eligibility.age_limits.0.max_age"  # 年龄上限「普通专家·男」 in policies/yangquan-2024.toml (60)
VARIANT = "阳泉·男性年龄上限65"
OVER_AGE_MEN = {"王建六二": 62, "赵国六三": 63}  # over 60 now, within 65 under the variant
UNCHANGED = {"孙老六六": ("男", 66), "李淑六二": ("女", 62), "周壮四五": ("男", 45)}  # no flip either way


def _born(age: int, today: date) -> str:
    return date(today.year - age, 1, 1).isoformat()  # exactly `age` on any day of this year


def seed(data_dir) -> None:
    ctx = build_context(data_dir)
    users.create_first_admin(ctx, username="admin", display_name="管理员甲", password="abc12345", confirm="abc12345",
                             policy_id=POLICY_ID)
    policy = ctx.policies[POLICY_ID]
    people = {name: ("男", age) for name, age in OVER_AGE_MEN.items()} | UNCHANGED
    for i, (name, (gender, age)) in enumerate(people.items()):
        seed_expert(ctx, ADMIN, make_expert(policy, name=name, gender=gender, expert_kind="普通专家",
                                                      birth_date=_born(age, ctx.today()), state="在库",
                                                      term_start="2024-07-01", term_end="2027-06-30",
                                                      unit=f"阳泉市测试单位{i}"))


def snapshot(data_dir) -> list[dict]:
    return sorted(build_context(data_dir).store.collection("experts").all(), key=lambda e: e["id"])


def login(page, url) -> None:
    page.goto(url)
    page.get_by_role("textbox", name="用户名", exact=True).fill("admin")
    page.get_by_role("textbox", name="密码", exact=True).fill("abc12345")
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_role("button", name="退出登录").wait_for()


def open_page(page, name: str) -> None:
    """Click the sidebar link; an admin has more than ten pages, and Streamlit folds the rest under
    “View N more” (those links are not in the DOM until it is clicked)."""
    wait_idle(page)
    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True)
    if link.count() == 0:
        page.get_by_test_id("stSidebarNavViewButton").click()
    link.click()
    page.get_by_role("heading", name=name).first.wait_for()
    wait_idle(page)


def grid_row(panel, first_cell: str):
    """The row of the st.dataframe in `panel` whose first cell is `first_cell`. The grid is drawn on a canvas; its
    accessible copy (a table inside the canvas, hidden to role queries) holds the cell texts."""
    return panel.get_by_test_id("stDataFrame").locator("tbody tr").filter(
        has=panel.page.locator("td[aria-colindex='1']", has_text=first_cell))


def test_variant_age_cap_65_what_if_and_briefing(server, page, tmp_path):
    url, data_dir = server
    seed(data_dir)
    toml = ROOT / "policies" / f"{POLICY_ID}.toml"
    toml_before = hashlib.sha256(toml.read_bytes()).hexdigest()
    records_before = snapshot(data_dir)
    assert {e["name"]: e["state"] for e in records_before} == {n: "在库" for n in [*OVER_AGE_MEN, *UNCHANGED]}

    login(page, url)
    expect(page.get_by_test_id("stSidebar").get_by_text("阳泉市 2024")).to_be_visible()

    # 政策规则 → 制作变体: find the men's age cap, 60 → 65, see the diff row, save under a name
    open_page(page, "政策规则")
    page.get_by_role("tab", name="制作变体").click()
    search = page.get_by_role("textbox", name="查找参数（名称、路径或当前值）")
    search.fill(PARAM)
    search.press("Enter")
    expect(page.get_by_text("符合条件 1 项")).to_be_visible(timeout=30_000)
    cap = page.get_by_role("spinbutton", name="年龄上限「普通专家·男」 › 年龄上限")
    expect(cap).to_have_value("60")
    cap.fill("65")
    page.get_by_role("button", name="记下修改").click()
    expect(page.get_by_role("heading", name="修改对比（1 项）")).to_be_visible(timeout=30_000)
    editor = page.get_by_role("tabpanel", name="制作变体")
    expect(editor.get_by_test_id("stDataFrame").locator("tbody tr")).to_have_count(1)
    expect(grid_row(editor, "年龄上限「普通专家·男」").locator("td")).to_have_text(
        ["选聘条件 › 年龄上限「普通专家·男」 › 年龄上限", "60", "65"])  # 参数 / 原值 / 新值
    page.get_by_role("textbox", name="变体名称 *").fill(VARIANT)
    page.get_by_role("textbox", name="说明").fill("如果男性普通专家年龄上限放宽到65周岁，哪些在库专家会重新符合条件")
    page.get_by_role("button", name="保存变体").click()
    expect(page.get_by_text(f"已保存变体“{VARIANT}”")).to_be_visible(timeout=30_000)

    # 政策推演: choose the saved variant, run, see who becomes eligible, download the briefing
    open_page(page, "政策推演")
    choose(page, "比较对象", f"变体：{VARIANT}（基于 阳泉市 2024）")
    page.get_by_role("button", name="开始推演").click()
    expect(page.get_by_role("heading", name=f"现行：阳泉市 2024　↔　推演：变体：{VARIANT}（基于 阳泉市 2024）")) \
        .to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stMetric").filter(has_text="资格变为符合")).to_contain_text("2人")
    expect(page.get_by_test_id("stMetric").filter(has_text="资格变为不符合")).to_contain_text("0人")
    page.get_by_role("tab", name="调整内容（1）").click()
    changes = page.get_by_role("tabpanel", name="调整内容（1）")
    expect(grid_row(changes, "年龄上限「普通专家·男」").locator("td")).to_have_text(
        ["选聘条件 › 年龄上限「普通专家·男」 › 年龄上限", "60", "65"])  # 参数 / 现行 / 推演
    page.get_by_role("tab", name="资格变化（2）").click()
    flipped = page.get_by_role("tabpanel", name="资格变化（2）")
    expect(flipped.get_by_test_id("stDataFrame").locator("tbody tr")).to_have_count(2)
    for name, age in OVER_AGE_MEN.items():  # 姓名 / 状态 / 变化 / 现行 / 推演 / 说明
        cells = grid_row(flipped, name).locator("td")
        expect(cells.nth(0)).to_have_text(name)
        expect(cells.nth(1)).to_have_text("在库")
        expect(cells.nth(2)).to_have_text("变为符合")
        expect(cells.nth(3)).to_contain_text(f"年龄{age}周岁")
    for name in UNCHANGED:
        expect(grid_row(flipped, name)).to_have_count(0)

    data = download(page, "下载简报（Word）", tmp_path / "briefing.docx")
    doc = Document(io.BytesIO(data))
    rows = [[c.text.strip() for c in r.cells] for t in doc.tables for r in t.rows]
    text = "\n".join([p.text for p in doc.paragraphs] + ["\t".join(r) for r in rows])
    assert ["1", "选聘条件 › 年龄上限「普通专家·男」 › 年龄上限", "60", "65"] in rows  # the one change, 60 → 65
    assert VARIANT in text
    flips = {r[1]: r for r in rows if len(r) == 6 and r[0].isdigit()}
    for name, age in OVER_AGE_MEN.items():
        assert name in flips and flips[name][3] == "变为符合", (name, flips)
        assert f"年龄{age}周岁" in flips[name][4] and "超过60周岁" in flips[name][4]
    for name in UNCHANGED:
        assert name not in text

    # a what-if reads only: the real records and the base profile file are unchanged
    records_after = snapshot(data_dir)
    assert records_after == records_before
    assert {e["name"]: e["state"] for e in records_after} == {n: "在库" for n in [*OVER_AGE_MEN, *UNCHANGED]}
    assert hashlib.sha256(toml.read_bytes()).hexdigest() == toml_before
    variants = build_context(data_dir).store.collection("policy_variants").all()
    assert [(v["name"], v["base_id"], v["changes"]) for v in variants] == [(VARIANT, POLICY_ID, {PARAM: 65})]

"""Issue 11 §1 in Chromium (X-W1: text typed by a user comes out literally): hostile Markdown and HTML pointing at a
listener on 127.0.0.1 — an image, a "重新登录" link, a bare URL and an <img> tag — in a request's 使用事项 and in
experts' names, units and remarks. 领导 opens 使用审批 and 首页, 办公室 opens 专家库 (an expert's detail), 首页 and
抽取委派: the listener gets no request, the DOM has no <img> or <a> pointing at it, and the text is on screen
literally. Screenshots go to test-artifacts/issue11_hostile_*.png."""
from __future__ import annotations

import http.server
import threading
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from core import vocab
from core.dispatch import task_type_choices
from services import dismissals, dispatch, fees, settings, users
from services.context import build_context
from tests.conftest import DEPARTMENT, OFFICE
from tests.e2e.conftest import ARTIFACTS, wait_idle
from tests.e2e.test_e2e_appointment import choose
from tests.factories import make_expert, seed_expert

pytestmark = pytest.mark.e2e

POLICY_ID = "jincheng-2026"
PASSWORD = "abc12345"
WORD_JOINER = "\u2060"  # md_escape puts one inside http:// and :shortcodes: (invisible on screen)


@pytest.fixture
def listener():
    """A tiny HTTP server on a free loopback port that records every request it gets."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 — the stdlib's name
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        do_POST = do_HEAD = do_GET

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], hits
    server.shutdown()
    server.server_close()


def hostile(port: int) -> dict[str, str]:
    base = f"http://127.0.0.1:{port}"
    return {
        "image": f"![x]({base}/x)",  # 30 characters with a 5-digit port: fits the 姓名 limit
        "link": f"[点此]({base}/)",
        "matter": (f"![x]({base}/x.png) [点此重新登录]({base}/login) {base}/bare <img src=\"{base}/h.png\"> **粗** "
                   ":red[x] $x$"),
    }


def seed(data_dir, text: dict[str, str]) -> None:
    """An admin, a 领导 and a 办公室 account; three 在库 experts of one specialty named with an image and a link;
    a request awaiting the leader with the hostile 使用事项; another approved and drawn (抽取委派 shows the names);
    a dismissal case whose evidence is hostile (首页 lists open cases)."""
    ctx = build_context(data_dir)
    users.create_first_admin(ctx, username="admin", display_name="管理员甲", password=PASSWORD, confirm=PASSWORD,
                             policy_id=POLICY_ID)
    admin = users.login(ctx, "admin", PASSWORD)
    users.create_user(ctx, admin, username="leader", display_name="领导丁", role=vocab.ROLE_LEADER,
                      password=PASSWORD, confirm=PASSWORD)
    users.create_user(ctx, admin, username="office", display_name=text["link"][:20], role=vocab.ROLE_OFFICE,
                      password=PASSWORD, confirm=PASSWORD)
    policy = settings.active_policy(ctx)
    spec = policy.taxonomy.all_specialty_codes()[0]
    ids = [seed_expert(ctx, admin, make_expert(policy, name=name, state="在库", term_start="2025-07-01",
                                                term_end="2028-06-30", specialties=[spec], unit=unit,
                                                remarks=text["matter"]))
           for name, unit in ((text["image"], "测试单位甲"), (text["link"], text["matter"][:100]),
                              ("王正常", "测试单位乙"))]
    today = ctx.today()
    fees.set_budget(ctx, OFFICE, DEPARTMENT.department, today.year, "100000", note=text["matter"])
    start = today + timedelta(days=10)
    data = {"department": DEPARTMENT.department, "contact": "张三", "contact_phone": "13900000000",
            "matter": text["matter"], "task_type": task_type_choices(policy)[0],
            "target_enterprises": [text["link"]], "place": text["link"], "outside_city": False,
            "start": start.isoformat(), "end": (start + timedelta(days=1)).isoformat(),
            "needs": [{"specialty": spec, "count": 1}], "min_title_level": None, "mode": "抽取",
            "emergency": False, "external_experts": []}
    leader = users.login(ctx, "leader", PASSWORD)
    drawn = dispatch.file_request(ctx, DEPARTMENT, dict(data, matter=text["matter"] + "（已审批）"))[0]
    dispatch.approve(ctx, leader, drawn, text["matter"])
    dispatch.draw(ctx, OFFICE, drawn)
    dispatch.file_request(ctx, DEPARTMENT, dict(data))  # waits for the leader
    dismissals.raise_case(ctx, OFFICE, ids[0], policy.dismissal.reasons[0].number, text["matter"])


def signed_in(browser, url: str, username: str):
    """A fresh browser context (its own cookies) signed in as `username`."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    pg.goto(url)
    pg.get_by_role("textbox", name="用户名", exact=True).fill(username)
    pg.get_by_role("textbox", name="密码", exact=True).fill(PASSWORD)
    pg.get_by_role("button", name="登录", exact=True).click()
    pg.get_by_role("button", name="退出登录").wait_for()
    pg.wait_for_load_state()
    pg.get_by_role("button", name="退出登录").wait_for()  # again: a login may reload the page once (its cookie)
    wait_idle(pg)
    return pg


def open_page(pg, name: str) -> None:
    wait_idle(pg)
    link = pg.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True)
    if link.count() == 0:
        pg.get_by_test_id("stSidebarNavViewButton").click()
    link.click()
    pg.get_by_role("heading", name=name).first.wait_for()
    wait_idle(pg)


def assert_inert(pg, port: int, hits: list[str], shown: list[str], shot: str) -> None:
    """Nothing on the page points at the listener, the listener got nothing, and each of `shown` is on screen
    literally (ignoring the invisible word joiners md_escape adds)."""
    pg.wait_for_timeout(500)  # let any image the page would load start loading
    base = f"http://127.0.0.1:{port}"
    assert pg.locator(f'img[src^="{base}"]').count() == 0
    assert pg.locator(f'a[href^="{base}"]').count() == 0
    assert pg.locator("strong", has_text="粗").count() == 0  # **粗** is not bold
    assert pg.locator(".katex").count() == 0  # $x$ is not LaTeX
    body = pg.inner_text("body").replace(WORD_JOINER, "")
    for text in shown:
        assert text in body, (text, shot)
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"issue11_hostile_{shot}.png"), full_page=True)
    assert hits == [], hits


def test_x_w1_hostile_markdown_is_shown_literally_and_nothing_is_fetched_in_chromium(server, page, listener):
    url, data_dir = server
    port, hits = listener
    text = hostile(port)
    seed(data_dir, text)
    browser = page.context.browser

    leader = signed_in(browser, url, "leader")
    assert_inert(leader, port, hits, [], "leader_home")
    open_page(leader, "使用审批")
    assert_inert(leader, port, hits, [text["matter"]], "leader_approvals")

    office = signed_in(browser, url, "office")
    assert_inert(office, port, hits, [text["link"][:20]], "office_home")  # the user label in the sidebar
    open_page(office, "抽取委派")
    choose(office, "使用申请", "1号 ")  # the approved and drawn request: the leader's opinion, the invitation
    office.get_by_text("邀请与答复").wait_for()
    wait_idle(office)
    assert_inert(office, port, hits, [text["matter"]], "office_drawing")
    open_page(office, "专家库")
    search = office.get_by_role("textbox", name="姓名/单位/职称")
    search.fill("点此")
    search.press("Enter")
    caption = office.get_by_text("点击表格左侧选中一行可查看详情")
    expect(caption).to_contain_text("共 1 人", timeout=30_000)
    wait_idle(office)
    # select the one row: the grid is a canvas; its row-selection checkbox sits left of the first data row
    grid = office.get_by_test_id("stDataFrame").first
    box = grid.bounding_box()
    office.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
    office.get_by_role("heading", name="专家详情").wait_for()
    wait_idle(office)
    office.get_by_test_id("stExpander").filter(has_text="单位信息").first.locator("summary").click()  # the unit
    wait_idle(office)
    assert_inert(office, port, hits, [text["link"], text["matter"][:100]], "office_registry_detail")
    office.wait_for_timeout(1000)
    assert hits == [], hits

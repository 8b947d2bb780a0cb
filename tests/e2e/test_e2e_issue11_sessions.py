"""Issue 11 §5 in Chromium: a reload (F5) or a typed URL keeps the user signed in; logout, and idle expiry set in
系统设置, end the session; the session token is in an HttpOnly cookie the page's scripts cannot read; the app runs
under its Content-Security-Policy with no violation."""
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import setup_admin, wait_idle

pytestmark = pytest.mark.e2e

COOKIE = "zjk_session"


def session_cookie(page):
    found = [c for c in page.context.cookies() if c["name"] == COOKIE]
    return found[0] if found else None


def wait_signed_in(page):
    """After a login the browser fetches its cookie (/auth/session) and reloads; wait for both."""
    for _ in range(100):
        if session_cookie(page):
            break
        page.wait_for_timeout(100)
    page.wait_for_load_state()
    page.get_by_role("button", name="退出登录").wait_for()
    wait_idle(page)


def login(page, url):
    page.goto(url)
    page.get_by_role("heading", name="专家库 · 登录").wait_for()
    page.get_by_role("textbox", name="用户名", exact=True).fill("admin")
    page.get_by_role("textbox", name="密码", exact=True).fill("abc12345")
    page.get_by_role("button", name="登录", exact=True).click()
    wait_signed_in(page)


def test_issue11_s5_reload_and_typed_url_keep_the_session_logout_and_idle_expiry_end_it(server, page):
    url, data_dir = server
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    setup_admin(page, url)
    wait_signed_in(page)

    # the token is in an HttpOnly, SameSite=Strict cookie: the page's scripts cannot read it
    cookie = session_cookie(page)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert cookie["value"] not in page.evaluate("document.cookie")
    assert COOKIE not in page.evaluate("document.cookie")

    # F5 and a typed URL keep the user signed in
    page.reload()
    page.get_by_role("button", name="退出登录").wait_for()
    expect(page.get_by_role("heading", name="专家库 · 登录")).to_have_count(0)
    page.goto(url + "/registry")
    page.get_by_role("tab", name="行业领域名额").wait_for()  # the registry page itself
    page.get_by_role("button", name="退出登录").wait_for()

    # logout ends it: the cookie is gone and a reload shows the login screen
    page.get_by_role("button", name="退出登录").click()
    page.get_by_role("heading", name="专家库 · 登录").wait_for()
    assert session_cookie(page) is None
    page.reload()
    page.get_by_role("heading", name="专家库 · 登录").wait_for()
    page.goto(url + "/registry")
    page.get_by_role("heading", name="专家库 · 登录").wait_for()

    # idle expiry set in 系统设置: the admin sets it on the page, then the session is left idle past it
    login(page, url)
    page.goto(url + "/settings")
    field = page.get_by_role("spinbutton", name="无操作自动退出（分钟）")
    field.fill("5")
    field.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="保存会话设置").click()
    page.get_by_text("无操作自动退出时间已设为 5 分钟").wait_for()
    from services.context import build_context

    sessions_repo = build_context(data_dir).store.collection("sessions", redact=("token_hash", "handoff_hash"))
    [live] = [d for d in sessions_repo.all() if not d.get("ended_at") and d.get("token_hash")]
    idle_since = (datetime.now() - timedelta(minutes=6)).isoformat(timespec="seconds")  # 6 minutes pass
    sessions_repo.update(live["id"], {"last_seen": idle_since}, actor="test", action="测试：模拟无操作6分钟")
    page.get_by_role("link", name="专家库", exact=True).click()  # the open tab: ended on its next click
    page.get_by_text("长时间未操作，已自动退出，请重新登录。").wait_for()
    page.get_by_role("heading", name="专家库 · 登录").wait_for()
    page.reload()  # and the cookie restores nothing
    page.get_by_role("heading", name="专家库 · 登录").wait_for()
    expect(page.get_by_role("button", name="退出登录")).to_have_count(0)
    assert violations == []

"""Issue 11 §5 on the pages (AppTest): a login starts a server-side session held by the tab, every run checks it,
an ended session (idle, reset, disabled) sends the tab to the login screen with the reason, 修改密码 keeps this
tab and ends the others, and an admin sets the idle expiry under 系统设置."""
from __future__ import annotations

from datetime import datetime, timedelta

from services import sessions, settings, users
from tests.app.conftest import make_app, rerun_app, texts
from tests.conftest import ADMIN

PASSWORD = "abc12345"


def logged_in_through_the_form():
    at = make_app().run()
    at.text_input(key="login_username").input("admin")
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    rerun_app(at)
    assert not at.exception
    return at


def test_issue11_s5_a_login_starts_a_session_the_tab_holds(app_ctx):
    at = logged_in_through_the_form()
    session_id = at.session_state["session_id"]
    assert sessions.current(app_ctx, session_id).user.username == "admin"
    assert "首页" in texts(at)


def test_issue11_s5_an_ended_session_sends_the_tab_to_the_login_screen_with_the_reason(app_ctx):
    at = logged_in_through_the_form()
    users.reset_password(app_ctx, ADMIN, "admin", "newpass123", "newpass123")
    rerun_app(at)
    assert "user" not in at.session_state
    assert "管理员已重置您的密码" in texts(at) and "专家库 · 登录" in texts(at)


def test_issue11_s5_an_idle_tab_is_signed_out_after_the_set_time(app_ctx):
    settings.set_session_idle_minutes(app_ctx, ADMIN, 5)
    at = logged_in_through_the_form()
    repo = app_ctx.store.collection("sessions", redact=("token_hash", "handoff_hash"))
    idle_since = (datetime.now() - timedelta(minutes=6)).isoformat(timespec="seconds")
    repo.update(at.session_state["session_id"], {"last_seen": idle_since}, actor="test", action="测试：模拟无操作")
    rerun_app(at)
    assert "长时间未操作" in texts(at) and "user" not in at.session_state


def test_issue11_s5_logout_ends_the_server_side_session(app_ctx):
    at = logged_in_through_the_form()
    session_id = at.session_state["session_id"]
    at.button(key="app_logout").click()
    rerun_app(at)
    assert "user" not in at.session_state
    assert sessions.current(app_ctx, session_id).user is None


def test_issue11_s5_changing_the_password_keeps_this_tab_and_ends_the_others(app_ctx):
    other = sessions.start(app_ctx, users.login(app_ctx, "admin", PASSWORD))
    at = logged_in_through_the_form()
    at.switch_page("pages/account.py")
    at.run()
    at.text_input(key="account_old").input(PASSWORD)
    at.text_input(key="account_new").input("newpass123")
    at.text_input(key="account_confirm").input("newpass123")
    at.button[-1].click().run()
    assert not at.exception
    assert "密码已修改" in texts(at)
    assert sessions.current(app_ctx, other.session_id).user is None
    assert sessions.current(app_ctx, at.session_state["session_id"]).user is not None


def test_issue11_s5_an_admin_sets_the_idle_expiry_on_the_settings_page(app_ctx):
    at = logged_in_through_the_form()
    at.switch_page("pages/settings.py")
    at.run()
    at.number_input(key="settings_session_idle").set_value(45)
    at.button(key="settings_session_save").click().run()
    assert not at.exception
    assert settings.session_idle_minutes(app_ctx) == 45

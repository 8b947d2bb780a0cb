"""AppTest: first-run setup, login, logout and which pages each role gets."""
from core import vocab
from tests.app.conftest import click, logged_in, make_app, rerun_app, shown, texts


def test_first_start_shows_the_setup_screen_and_creates_the_admin(data_dir):
    at = make_app().run()
    assert not at.exception
    assert "初始设置" in texts(at)
    at.selectbox(key="setup_policy").set_value("yangquan-2024")
    at.text_input(key="setup_username").input("admin")
    at.text_input(key="setup_display_name").input("管理员甲")
    at.text_input(key="setup_password").input("abc12345")
    at.text_input(key="setup_confirm").input("abc12345")
    at.button[0].click().run()
    assert not at.exception
    assert at.session_state["user"].role == vocab.ROLE_ADMIN
    rerun_app(at)
    assert "首页" in texts(at)
    assert any("阳泉" in str(m.value) for m in at.sidebar.markdown)  # the sidebar shows the chosen profile


def test_setup_with_mismatched_passwords_shows_a_chinese_error(data_dir):
    at = make_app().run()
    at.text_input(key="setup_username").input("admin")
    at.text_input(key="setup_display_name").input("管理员甲")
    at.text_input(key="setup_password").input("abc12345")
    at.text_input(key="setup_confirm").input("abc99999")
    at.button[0].click().run()
    assert "两次输入的密码不一致" in texts(at)
    assert "user" not in at.session_state


def test_login_with_the_right_password_opens_the_home_page(app_ctx):
    at = make_app().run()
    assert "登录" in texts(at)
    at.text_input(key="login_username").input("admin")
    at.text_input(key="login_password").input("abc12345")
    at.button[0].click().run()
    assert not at.exception
    rerun_app(at)
    assert "首页" in texts(at)


def test_a_wrong_password_is_refused_in_chinese(app_ctx):
    at = make_app().run()
    at.text_input(key="login_username").input("admin")
    at.text_input(key="login_password").input("nope")
    at.button[0].click().run()
    assert "用户名或密码错误" in texts(at)
    assert "user" not in at.session_state


def test_logout_returns_to_the_login_screen(app_ctx):
    at = logged_in()
    at.button(key="app_logout").click()
    rerun_app(at)
    assert "user" not in at.session_state
    assert "登录" in texts(at)


def test_a_department_user_cannot_reach_admin_pages(app_ctx):
    at = logged_in(vocab.ROLE_DEPARTMENT, department="化工科")
    assert not at.exception
    # the users page is not registered for this role, so switching to it fails
    try:
        at.switch_page("pages/users.py")
        at.run()
        reached = not at.exception and "用户管理" in texts(at)
    except Exception:
        reached = False
    assert not reached


def test_the_account_page_changes_the_password(app_ctx):
    at = logged_in(page="pages/account.py")
    at.text_input(key="account_old").input("abc12345")
    at.text_input(key="account_new").input("new12345")
    at.text_input(key="account_confirm").input("new12345")
    click(at, "保存新密码")
    assert "密码已修改" in texts(at)


def test_a_data_file_that_does_not_parse_stops_the_app_with_a_chinese_message(app_ctx, data_dir):
    (data_dir / "experts.json").write_text('{"_default": {"1": {"name": "王', encoding="utf-8")
    at = make_app().run()
    assert not at.exception
    message = " ".join(shown(e.value) for e in at.error)
    assert "experts.json" in message and "备份" in message
    assert not at.text_input  # no login form: the app does not start over a broken file

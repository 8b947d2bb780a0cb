"""初始设置 — first start with no users: create the admin account and choose the office's policy profile."""
import streamlit as st

from core.errors import DomainError
from pages._ui import get_context, show_error
from services import settings, users

ctx = get_context()
st.title("专家库 · 初始设置")
st.info("系统中还没有任何账号。请创建管理员账号，并选择本单位执行的专家管理政策。")

choices = settings.policy_choices(ctx)
with st.form("setup_form"):
    policy_id = st.selectbox("本单位执行的政策", list(choices), format_func=choices.get, key="setup_policy", placeholder="请选择")
    username = st.text_input("管理员用户名", key="setup_username", placeholder="如 admin")
    display_name = st.text_input("管理员姓名", key="setup_display_name")
    password = st.text_input("密码（至少8位，含字母和数字）", type="password", key="setup_password")
    confirm = st.text_input("再次输入密码", type="password", key="setup_confirm")
    submitted = st.form_submit_button("创建管理员并进入系统", type="primary")

if submitted:
    try:
        admin_user = users.create_first_admin(
            ctx, username=username, display_name=display_name, password=password, confirm=confirm,
            policy_id=policy_id)
    except DomainError as error:
        show_error(error)
    else:
        from pages import _session
        from services import sessions

        try:  # a session as at login, so a reload keeps the new admin signed in (issue 11 §5)
            started = sessions.start(ctx, admin_user)
        except DomainError:
            started = None
        _session.signed_in(admin_user, started)
        st.rerun()

"""登录 — username and password; five wrong passwords lock the account for fifteen minutes."""
import streamlit as st

from core.errors import DomainError
from pages._ui import get_context, show_error
from services import admin, users

ctx = get_context()
st.title("专家库 · 登录")
st.caption("安全生产和应急管理专家管理系统")

with st.form("login_form"):
    username = st.text_input("用户名", key="login_username")
    password = st.text_input("密码", type="password", key="login_password")
    submitted = st.form_submit_button("登录", type="primary")

if submitted:
    try:
        st.session_state["user"] = users.login(ctx, username, password)
    except DomainError as error:
        show_error(error)
    else:
        admin.housekeeping(ctx)
        st.rerun()

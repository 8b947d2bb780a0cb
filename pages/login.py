"""登录 — username and password; five wrong passwords lock the account for fifteen minutes.

A successful login starts a server-side session (services.sessions) and sends the browser once to /auth/session,
which puts the session's token into an HttpOnly cookie, so a reload (F5) or a typed URL keeps the user signed in.
"""
import streamlit as st

from core.errors import DomainError, StoreError
from pages import _session
from pages._ui import get_context, show_error
from services import admin, sessions, users

ctx = get_context()
st.title("专家库 · 登录")
st.caption("安全生产和应急管理专家管理系统")

with st.form("login_form"):
    username = st.text_input("用户名", key="login_username")
    password = st.text_input("密码", type="password", key="login_password")
    submitted = st.form_submit_button("登录", type="primary")

if submitted:
    try:
        user = users.login(ctx, username, password)
    except DomainError as error:
        show_error(error)
    else:
        try:
            started = sessions.start(ctx, user)
        except StoreError:  # e.g. a full disk: signed in in this tab only; a reload asks for the password again
            started = None
        _session.signed_in(user, started)
        admin.housekeeping(ctx)
        st.rerun()

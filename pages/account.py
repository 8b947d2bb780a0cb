"""修改密码 — every user changes their own password; their sessions in other browsers end, this one stays."""
import streamlit as st

from core.errors import DomainError
from pages import _session
from pages._ui import current_user, get_context, show_error
from services import users

ctx = get_context()
user = current_user()
st.title("修改密码")

with st.form("account_form", clear_on_submit=True):
    old = st.text_input("原密码", type="password", key="account_old")
    new = st.text_input("新密码（至少8位，含字母和数字）", type="password", key="account_new")
    confirm = st.text_input("再次输入新密码", type="password", key="account_confirm")
    submitted = st.form_submit_button("保存新密码", type="primary")
st.caption("修改密码后，此账号在其他浏览器或电脑上的登录会立即失效；本页面保持登录。")

if submitted:
    try:
        users.change_own_password(ctx, user, old, new, confirm,
                                  keep_session=st.session_state.get(_session.SESSION_KEY))
    except DomainError as error:
        show_error(error)
    else:
        st.success("密码已修改")

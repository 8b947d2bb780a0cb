"""修改密码 — every user changes their own password."""
import streamlit as st

from core.errors import DomainError
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

if submitted:
    try:
        users.change_own_password(ctx, user, old, new, confirm)
    except DomainError as error:
        show_error(error)
    else:
        st.success("密码已修改")

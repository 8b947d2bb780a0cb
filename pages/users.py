"""用户管理 — an admin creates accounts (管理员 / 专家管理办公室 / 使用科室 / 领导), disables or re-enables them,
and resets passwords."""
import pandas as pd
import streamlit as st

from core import vocab
from core.errors import DomainError
from pages._ui import dataframe, md_escape, current_user, flash, get_context, show_error, show_flash
from services import users

ctx = get_context()
user = current_user()
st.title("用户管理")
show_flash()

try:
    rows = users.list_users(ctx, user)
except DomainError as error:
    show_error(error)
    st.stop()
dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")

tab_new, tab_manage = st.tabs(["新建用户", "停用 / 启用 / 重置密码"], key="users_tabs", on_change="rerun")
with tab_new:
    with st.form("users_create", clear_on_submit=True):
        c1, c2 = st.columns(2)
        username = c1.text_input("用户名", key="users_new_username")
        display_name = c2.text_input("姓名", key="users_new_display_name")
        role = c1.selectbox("角色", vocab.ROLES, key="users_new_role", placeholder="请选择")
        department = c2.text_input("所属科室（使用科室账号必填）", key="users_new_department")
        password = c1.text_input("初始密码", type="password", key="users_new_password")
        confirm = c2.text_input("再次输入密码", type="password", key="users_new_confirm")
        create = st.form_submit_button("创建用户", type="primary")
    if create:
        try:
            users.create_user(ctx, user, username=username, display_name=display_name, role=role,
                              department=department, password=password, confirm=confirm)
        except DomainError as error:
            show_error(error)
        else:
            flash(f"已创建用户 {md_escape(username)}")
            st.rerun()

with tab_manage:
    names = [r["用户名"] for r in rows]
    with st.form("users_manage"):
        target = st.selectbox("用户", names, key="users_manage_target", placeholder="请选择")
        action = st.radio("操作", ("停用", "启用", "解锁", "重置密码"), horizontal=True, key="users_manage_action")
        new_password = st.text_input("新密码（重置密码时填写）", type="password", key="users_manage_password")
        confirm = st.text_input("再次输入新密码", type="password", key="users_manage_confirm")
        apply = st.form_submit_button("执行")
    if apply:
        try:
            if action == "重置密码":
                users.reset_password(ctx, user, target, new_password, confirm)
            elif action == "解锁":
                users.unlock(ctx, user, target)
            else:
                users.set_disabled(ctx, user, target, action == "停用")
        except DomainError as error:
            show_error(error)
        else:
            st.success(f"已{md_escape(action)}：{md_escape(target)}")

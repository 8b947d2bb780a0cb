"""专家库 — entry point: page config, start-up check, login, the pages a role may use, and the sidebar.

Only the pages registered here can be reached, so a role never reaches another role's page by URL.
"""
from __future__ import annotations

import streamlit as st

from core.auth import can
from core.errors import DomainError
from pages._ui import get_context
from services import settings

st.set_page_config(page_title="专家库", page_icon=":material/shield:", layout="wide")

try:
    ctx = get_context()
except DomainError as error:  # a data file that does not parse stops the app; it never starts empty
    st.error(error.message)
    st.stop()

user = st.session_state.get("user")
if user is not None:
    from services.users import session_user

    user = session_user(ctx, user)  # checked on every run: a disabled account's session ends at once
    if user is None:
        st.session_state.clear()
        st.warning("账号已停用或已删除，已退出登录。如有疑问请联系管理员。")
    else:
        st.session_state["user"] = user
if user is None:
    from services.users import needs_setup

    if needs_setup(ctx):
        pages = [st.Page("pages/setup.py", title="初始设置", icon=":material/build:", url_path="setup")]
    else:
        pages = [st.Page("pages/login.py", title="登录", icon=":material/login:", url_path="login")]
else:
    pages = [st.Page("pages/home.py", title="首页", icon=":material/home:", url_path="home", default=True),
             st.Page("pages/registry.py", title="专家库", icon=":material/groups:", url_path="registry")]
    if can(user.role, "request_experts"):
        pages.append(st.Page("pages/requests.py", title="使用申请", icon=":material/post_add:", url_path="requests"))
    if can(user.role, "approve_requests"):
        pages.append(st.Page("pages/approvals.py", title="使用审批", icon=":material/approval:", url_path="approvals"))
    if can(user.role, "edit_experts"):
        pages += [st.Page("pages/drawing.py", title="抽取委派", icon=":material/casino:", url_path="drawing"),
                  st.Page("pages/intake.py", title="入库申报", icon=":material/assignment_add:", url_path="intake"),
                  st.Page("pages/review.py", title="条件审核", icon=":material/fact_check:", url_path="review"),
                  st.Page("pages/appointment.py", title="推荐与聘任", icon=":material/workspace_premium:",
                          url_path="appointment"),
                  st.Page("pages/dismissal.py", title="解聘清退", icon=":material/person_remove:", url_path="dismissal"),
                  st.Page("pages/expert_form.py", title="专家录入", icon=":material/person_add:", url_path="expert_form")]
    if can(user.role, "evaluate_service") or can(user.role, "record_service"):
        pages.append(st.Page("pages/service.py", title="服务评价", icon=":material/rate_review:", url_path="service"))
    if can(user.role, "assess_experts"):
        pages.append(st.Page("pages/assessment.py", title="年度考核", icon=":material/grading:", url_path="assessment"))
    if can(user.role, "manage_training"):
        pages.append(st.Page("pages/training.py", title="专家培训", icon=":material/school:", url_path="training"))
    if can(user.role, "view_fees"):
        pages.append(st.Page("pages/fees.py", title="劳务报酬", icon=":material/payments:", url_path="fees"))
    if can(user.role, "view_policy"):
        pages.append(st.Page("pages/policy.py", title="政策规则", icon=":material/gavel:", url_path="policy"))
    if can(user.role, "make_variants"):
        pages.append(st.Page("pages/impact.py", title="政策推演", icon=":material/compare_arrows:", url_path="impact"))
    if can(user.role, "import_experts"):
        pages.append(st.Page("pages/import_experts.py", title="批量导入", icon=":material/upload_file:", url_path="import_experts"))
    if can(user.role, "manage_users"):
        pages.append(st.Page("pages/users.py", title="用户管理", icon=":material/manage_accounts:", url_path="users"))
    if can(user.role, "manage_settings"):
        pages.append(st.Page("pages/settings.py", title="系统设置", icon=":material/settings:", url_path="settings"))
    pages.append(st.Page("pages/account.py", title="修改密码", icon=":material/lock:", url_path="account"))

nav = st.navigation(pages)

with st.sidebar:
    policy = settings.active_policy(ctx)
    st.markdown(f"**当前政策：** {policy.short_name}")
    st.caption(f"{policy.name}（{policy.document_number}）")
    if user is not None:
        st.markdown(f"**当前用户：** {user.label}")
        if st.button("退出登录", key="app_logout"):
            st.session_state.clear()
            st.rerun()

nav.run()

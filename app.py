"""专家库 — entry point: page config, start-up check, login, the pages a role may use, and the sidebar.

Only the pages registered here can be reached, so a role never reaches another role's page by URL.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from core.auth import can
from core.errors import DomainError
from pages._ui import get_context, md_escape
from pages import _session
from services import sessions, settings

# a local icon: a :material/…: page icon is fetched from fonts.gstatic.com, which the CSP (server.py) refuses
st.set_page_config(page_title="专家库", page_icon=str(Path(__file__).resolve().parent / "assets" / "favicon.png"),
                   layout="wide")

try:
    ctx = get_context()
except DomainError as error:  # a data file that does not parse stops the app; it never starts empty
    st.error(md_escape(error.message))
    st.stop()

# The session is checked on every run against its server-side record (idle expiry, logout, password change,
# disabled account) and the user record; a reload or a typed URL restores it from the HttpOnly cookie (issue 11 §5).
user = st.session_state.get("user")
session_id = st.session_state.get(_session.SESSION_KEY)
if user is not None and session_id is not None:
    checked = sessions.current(ctx, session_id)
    user = checked.user
    if user is None:
        st.session_state.clear()
        st.warning(md_escape(sessions.ended_message(checked.ended)))
    else:
        st.session_state["user"] = user
elif user is not None:  # a tab signed in without a stored session (the disk was full at login; AppTest)
    from services.users import session_user

    user = session_user(ctx, user)  # checked on every run: a disabled account's session ends at once
    if user is None:
        st.session_state.clear()
        st.warning("账号已停用或已删除，已退出登录。如有疑问请联系管理员。")
    else:
        st.session_state["user"] = user
else:
    resumed = sessions.resume(ctx, _session.cookie_token())
    if resumed is not None:
        user = resumed.user
        st.session_state["user"] = user
        st.session_state[_session.SESSION_KEY] = resumed.session_id
_session.follow_pending_redirect()
if user is None:
    from services.users import needs_setup

    if needs_setup(ctx):
        pages = [st.Page("pages/setup.py", title="初始设置", icon=":material/build:", url_path="setup")]
    else:
        pages = [st.Page("pages/login.py", title="登录", icon=":material/login:", url_path="login")]
else:
    # The sidebar groups the pages by job (issue 12), every group open; a role gets only the pages it uses, so a page
    # that could never show it anything is not listed (使用审批: 晋城 the 领导 signs, 阳泉 the office — see
    # services.drawing_view.approves_requests).
    from services.drawing_view import approves_requests

    signs_requests = approves_requests(settings.active_policy(ctx), user.role)
    sections: dict[str, list] = {"概览": [], "入库与聘任": [], "使用与抽取": [], "评价与考核": [], "报酬与预算": [],
                                 "政策": [], "系统": []}
    sections["概览"] += [st.Page("pages/home.py", title="首页", icon=":material/home:", url_path="home", default=True),
                        st.Page("pages/registry.py", title="专家库", icon=":material/groups:", url_path="registry")]
    if can(user.role, "edit_experts"):
        sections["入库与聘任"] += [
            st.Page("pages/intake.py", title="入库申报", icon=":material/assignment_add:", url_path="intake"),
            st.Page("pages/review.py", title="条件审核", icon=":material/fact_check:", url_path="review"),
            st.Page("pages/appointment.py", title="推荐与聘任", icon=":material/workspace_premium:",
                    url_path="appointment"),
            st.Page("pages/expert_form.py", title="专家录入", icon=":material/person_add:", url_path="expert_form")]
    if can(user.role, "import_experts"):
        sections["入库与聘任"].append(st.Page("pages/import_experts.py", title="批量导入", icon=":material/upload_file:",
                                          url_path="import_experts"))
    if can(user.role, "edit_experts"):
        sections["入库与聘任"].append(st.Page("pages/dismissal.py", title="解聘清退", icon=":material/person_remove:",
                                          url_path="dismissal"))
    if can(user.role, "request_experts"):
        sections["使用与抽取"].append(st.Page("pages/requests.py", title="使用申请", icon=":material/post_add:",
                                          url_path="requests"))
    if can(user.role, "approve_requests") and signs_requests:
        sections["使用与抽取"].append(st.Page("pages/approvals.py", title="使用审批", icon=":material/approval:",
                                          url_path="approvals"))
    if can(user.role, "edit_experts"):
        sections["使用与抽取"].append(st.Page("pages/drawing.py", title="抽取委派", icon=":material/casino:",
                                          url_path="drawing"))
    if can(user.role, "evaluate_service") or can(user.role, "record_service"):
        sections["评价与考核"].append(st.Page("pages/service.py", title="服务评价", icon=":material/rate_review:",
                                          url_path="service"))
    if can(user.role, "assess_experts"):
        sections["评价与考核"].append(st.Page("pages/assessment.py", title="年度考核", icon=":material/grading:",
                                          url_path="assessment"))
    if can(user.role, "manage_training"):
        sections["评价与考核"].append(st.Page("pages/training.py", title="专家培训", icon=":material/school:",
                                          url_path="training"))
    if can(user.role, "view_fees"):
        sections["报酬与预算"].append(st.Page("pages/fees.py", title="劳务报酬", icon=":material/payments:",
                                          url_path="fees"))
    if can(user.role, "view_policy"):
        sections["政策"].append(st.Page("pages/policy.py", title="政策规则", icon=":material/gavel:", url_path="policy"))
    if can(user.role, "make_variants"):
        sections["政策"].append(st.Page("pages/impact.py", title="政策推演", icon=":material/compare_arrows:",
                                      url_path="impact"))
    if can(user.role, "manage_users"):
        sections["系统"].append(st.Page("pages/users.py", title="用户管理", icon=":material/manage_accounts:",
                                      url_path="users"))
    if can(user.role, "manage_settings"):
        sections["系统"].append(st.Page("pages/settings.py", title="系统设置", icon=":material/settings:",
                                      url_path="settings"))
        sections["系统"].append(st.Page("pages/calendar.py", title="节假日安排", icon=":material/event:",
                                      url_path="calendar"))
    sections["系统"].append(st.Page("pages/account.py", title="修改密码", icon=":material/lock:", url_path="account"))
    pages = {section: found for section, found in sections.items() if found}

if user is not None:  # an admin sees a full disk at once (start-up backup failed or space low)
    from pages._ui import md_escape
    from services.admin import audit_key_problem, disk_warning

    if (warning := disk_warning(ctx, user)) is not None:
        st.warning(md_escape(warning), icon=":material/storage:")
    if (key_problem := audit_key_problem(ctx, user)) is not None:  # every write is refused until the key is back
        st.error(md_escape(key_problem), icon=":material/key_off:")

nav = st.navigation(pages, expanded=True)  # every page of the role listed, grouped: no English "View 10 more" (issue 12)

with st.sidebar:
    policy = settings.active_policy(ctx)
    st.markdown(f"**当前政策：** {md_escape(policy.short_name)}")
    st.caption(f"{md_escape(policy.name)}（{md_escape(policy.document_number)}）")
    if user is not None:
        st.markdown(f"**当前用户：** {md_escape(user.label)}")  # the label holds a typed name and department
        if st.button("退出登录", key="app_logout"):
            try:
                sessions.end(ctx, st.session_state.get(_session.SESSION_KEY), user.username)
            except DomainError:
                pass  # e.g. a full disk: /auth/logout tries again, and the tab and the cookie are emptied anyway
            _session.signed_out()  # the browser is then sent to /auth/logout, which removes the cookie
            st.rerun()

nav.run()

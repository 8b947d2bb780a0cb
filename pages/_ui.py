"""Small helpers shared by the screens: the cached app context, the signed-in user, error display.

Not a page (app.py never registers it). `st.cache_resource` holds only the store handle and the loaded policies,
which are shared by every session and never mutated by a page.
"""
from __future__ import annotations

import streamlit as st

from core.errors import DomainError, ValidationError
from core.expert_fields import FIELDS_BY_KEY
from services.admin import daily_backup
from services.context import AppContext, User, build_context


@st.cache_resource(show_spinner=False)
def get_context() -> AppContext:
    ctx = build_context()
    daily_backup(ctx)  # at most one snapshot a day; login repeats the check for long-running servers
    return ctx


def current_user() -> User:
    user = st.session_state.get("user")
    if user is None:
        st.warning("请先登录")
        st.stop()
    return user


def show_error(error: DomainError) -> None:
    """A domain error as a Chinese message, one line per bad field; never a traceback."""
    if isinstance(error, ValidationError) and len(error.errors) > 1:
        lines = "\n".join(f"- {msg}" for _, msg in error.errors)
        st.error(f"有 {len(error.errors)} 处需要修改：\n{lines}")
    else:
        st.error(error.message)


def field_label(key: str) -> str:
    return FIELDS_BY_KEY[key].label if key in FIELDS_BY_KEY else key


DEMO_BADGE = ":orange-badge[演示数据]"


def flash(message: str) -> None:
    """Keep a success message across the st.rerun() that follows a change (shown by show_flash)."""
    st.session_state["_flash"] = message


def show_flash() -> None:
    message = st.session_state.pop("_flash", None)
    if message:
        st.success(message)

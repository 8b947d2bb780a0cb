"""Small helpers shared by the screens: the cached app context, the signed-in user, error display.

Not a page (app.py never registers it). `st.cache_resource` holds only the store handle and the loaded policies,
which are shared by every session and never mutated by a page.
"""
from __future__ import annotations

from datetime import date

import streamlit as st

from core.errors import DomainError, ValidationError
from core.expert_fields import FIELDS_BY_KEY
from services.admin import housekeeping
from services.context import AppContext, User, build_context


@st.cache_resource(show_spinner=False)
def get_context() -> AppContext:
    ctx = build_context()
    housekeeping(ctx)  # daily snapshot and term expiry; login repeats it for long-running servers
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


def field_widget(field, value, key: str, policy):
    """The input widget of one expert field (core.expert_fields.FieldSpec), pre-filled with `value`."""
    label = field.label + (" *" if field.required else "")
    help_text = field.help or None
    taxonomy = policy.taxonomy
    if field.kind == "longtext":
        return st.text_area(label, value or "", key=key, help=help_text)
    if field.kind == "choice":
        allowed = {"route": policy.routes, "expert_kind": policy.expert_kinds}
        options = list(allowed.get(field.key, field.choices))
        # nothing is pre-chosen for the user: an unanswered required choice is reported, never guessed
        index = options.index(value) if value in options else None
        return st.selectbox(label, options, index=index, key=key, help=help_text, placeholder="请选择")
    if field.kind == "multichoice":
        return st.multiselect(label, field.choices, default=[v for v in value or [] if v in field.choices], key=key,
                              placeholder="可多选")
    if field.kind == "specialties":
        codes = list(taxonomy.all_specialty_codes())
        return st.multiselect(label, codes, default=[c for c in value or [] if c in codes], key=key,
                              format_func=lambda c: f"{taxonomy.specialty_label(c)}（{taxonomy.sector_of(c).name}）",
                              help=help_text, placeholder="可多选，输入关键字查找")
    if field.kind == "int":
        return st.number_input(label, min_value=0, max_value=60, step=1, value=value, key=key, help=help_text)
    if field.kind == "date":
        return st.date_input(label, value=date.fromisoformat(value) if value else None, min_value=date(1900, 1, 1),
                             max_value=date(2100, 12, 31), key=key, help=help_text, format="YYYY-MM-DD")
    if field.kind == "bool":
        return st.checkbox(label, value=bool(value), key=key, help=help_text)
    if field.kind == "list":
        return st.text_area(label, "\n".join(value or []), key=key, help=help_text)
    return st.text_input(label, value or "", key=key, help=help_text)


def form_values(values: dict) -> dict:
    """Widget values → the plain record a service takes: dates as ISO text, empty inputs as None."""
    return {k: (v.isoformat() if isinstance(v, date) else (None if v in ("", []) else v)) for k, v in values.items()}


def perform(action, message) -> None:
    """Run one service call; on success keep `message` (text, or a function of the call's result) across the
    rerun; on a domain error show it in Chinese."""
    try:
        result = action()
    except DomainError as error:
        show_error(error)
    else:
        flash(message(result) if callable(message) else message)
        st.rerun()

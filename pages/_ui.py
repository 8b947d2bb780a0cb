"""Small helpers shared by the screens: the cached app context, the signed-in user, error display.

Not a page (app.py never registers it). `st.cache_resource` holds only the store handle and the loaded policies,
which are shared by every session and never mutated by a page.
"""
from __future__ import annotations

import logging
import re
from datetime import date
from typing import Callable

import streamlit as st

from core.dates import office_text
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
    """A domain error as a Chinese message, one line per bad field; never a traceback. The message is escaped
    (md_escape): services quote user input in their messages."""
    if isinstance(error, ValidationError) and len(error.errors) > 1:
        lines = "\n".join(f"- {md_escape(msg)}" for _, msg in error.errors)
        st.error(f"有 {len(error.errors)} 处需要修改：\n{lines}")
    else:
        st.error(md_escape(error.message))  # messages can quote what the user typed (a name, a file name)


_MD_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation mark: CommonMark lets each be escaped
_WORD_JOINER = "\u2060"  # zero-width, invisible, never a line break
# Patterns Streamlit's Markdown still acts on after backslash escapes are resolved (it rewrites the plain text):
# emoji / :material/…: / :streamlit: shortcodes and URL schemes (after a colon), www. and e-mail autolinks,
# and the typographic arrows (-> <- -- >= <= ~=). A word joiner inside each breaks the pattern, not the text.
_TEXT_REWRITES = re.compile(r"(?<=:)|(?=@)|(?<=www)(?=\.)|(?<=WWW)(?=\.)|(?<=[<>~-])(?=[<>=-])")


def md_escape(text) -> str:
    """User text made safe for every Markdown-rendering call (st.markdown, caption, info/warning/error/success,
    toast, titles, and widget / expander / tab / metric labels and help): it shows literally and nothing in it is
    interpreted — no image is fetched, no link, bold, colour (`:red[…]`), LaTeX (`$…$`), HTML, emoji shortcode,
    heading or list. Every ASCII punctuation mark is backslash-escaped, and an invisible word joiner (U+2060) is
    put inside the patterns Streamlit rewrites in plain text (`:tada:`, `http://…`, `www.`, `a@b.cn`, `->`).
    Measured in Chromium with streamlit 1.67 (tests/e2e/test_e2e_hostile_text.py). None reads as ""."""
    if text is None:
        return ""
    return _MD_PUNCT.sub(r"\\\1", _TEXT_REWRITES.sub(_WORD_JOINER, str(text)))


def field_label(key: str) -> str:
    return FIELDS_BY_KEY[key].label if key in FIELDS_BY_KEY else key


DEMO_BADGE = ":orange-badge[演示数据]"
_LOG = logging.getLogger("zhuanjiaku.downloads")


def prepare_label(label: str) -> str:
    """The label of the button that builds a file: 下载附件7 → 生成附件7; 导出… → 生成：导出…"""
    return "生成" + label[2:] if label.startswith("下载") else f"生成：{label}"


def download(label: str, build: Callable[[], bytes], *, file_name: str, mime: str, key: str, container=None) -> None:
    """A download that works on every click or says in Chinese why not.

    The file is built in the script run of a click on 生成… (so a failure is shown here as a Chinese message,
    never lost in a background thread), then offered as plain bytes by a download button that does not rerun the
    script (on_click="ignore"). Streamlit's deferred downloads (data=callable) are not used: the button's click
    reruns the script, which revokes the callable the same click is about to fetch ("Deferred file … not found",
    about 1 click in 4 on 抽取委派). The built file is shown only in the run that built it, so it never outlives a
    change of the record it was built from. `key` must name the record (e.g. f"drawing_fj7_{request_id}")."""
    box = container if container is not None else st
    if not box.button(prepare_label(label), key=f"{key}__make"):
        return
    try:
        data = build()
    except DomainError as error:
        box.error(f"未能生成“{label.removeprefix('下载')}”：{md_escape(error.message)}")
        return
    except Exception:  # a defect: logged with its traceback for the administrator, a Chinese message for the user
        _LOG.exception("building download %s failed", key)
        box.error(f"未能生成“{label.removeprefix('下载')}”：系统内部错误（已记入服务器日志）。请刷新页面后重试；"
                  "仍不成功请联系系统管理员。")
        return
    box.download_button(label, data, file_name=file_name, mime=mime, key=key, on_click="ignore", type="primary",
                        icon=":material/download:")


class ExpertNames(dict):
    """专家 id → 姓名 for display. An id whose record is gone reads “（专家记录已删除 #105）” — never None (a
    format_func returning None made 抽取委派 fail with a TypeError, and an invitation card read "None")."""

    def get(self, key, default=None):  # the default is ignored on purpose: a name is always shown
        name = super().get(key)
        return name if name else f"（专家记录已删除 #{key}）"


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


def office_frame(data):
    """A table for the screen with every date and date-time cell written the office's way (issue 12):
    2026年12月7日, 2026年12月7日 12:30 — never 2026-12-07 or 2026-12-07T12:30; other cells unchanged."""
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        frame = data.copy()
        for column in frame.columns:
            series = frame[column]
            if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
                continue
            frame[column] = series.map(lambda v: office_text(v) if isinstance(v, str) or (
                isinstance(v, date) and not pd.isna(v)) else v).astype(object)
        return frame
    return data


def dataframe(data, **kwargs):
    """st.dataframe of a table whose dates are shown the office's way (office_frame, issue 12). A table without
    rows is said in words (“暂无记录”): Streamlit draws an empty table with the English word "empty"."""
    import pandas as pd

    if isinstance(data, pd.DataFrame) and data.empty and "on_select" not in kwargs:
        st.caption("暂无记录")
        return None
    return st.dataframe(office_frame(data), **kwargs)


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

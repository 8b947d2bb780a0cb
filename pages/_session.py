"""登录会话 in the browser tab — which session the tab holds, and moving the browser to the cookie routes.

Not a page (app.py never registers it). The session itself is kept on the server (services.sessions); the tab
holds its id in st.session_state, the browser holds its token in an HttpOnly cookie that server.py sets and
clears. A Streamlit script cannot set a cookie nor redirect the browser by itself, so `go` renders one fixed
same-origin script (/auth/redirect.js, allowed by the Content-Security-Policy) that replaces the location with
/auth/session?t=… or /auth/logout; nothing typed by a user ever goes into that HTML.
"""
from __future__ import annotations

import re

import streamlit as st

from services import sessions
from services.context import User

SESSION_KEY = "session_id"
_GO_KEY = "_session_go"
_URL = re.compile(r"^/auth/(session\?t=[A-Za-z0-9_\-]{20,200}|logout)$")


def signed_in(user: User, started: sessions.Started | None) -> None:
    """After a successful login: the tab holds the user and its session, and the browser fetches its cookie."""
    st.session_state["user"] = user
    if started is not None:
        st.session_state[SESSION_KEY] = started.session_id
        st.session_state[_GO_KEY] = f"/auth/session?t={started.handoff}"


def signed_out() -> None:
    """After 退出登录 (the session has already been ended on the server): empty the tab, remove the cookie."""
    st.session_state.clear()
    st.session_state[_GO_KEY] = "/auth/logout"


def cookie_token() -> str | None:
    """The session token the browser sent when this tab connected (HttpOnly: the page's scripts cannot read it)."""
    try:
        return st.context.cookies.get(sessions.COOKIE)
    except Exception:  # no browser behind this run (AppTest)
        return None


def _browser_behind_this_run() -> bool:
    """False when no browser is connected (AppTest, a script): nothing could follow a redirect then."""
    try:
        return bool(st.context.headers.get("Host"))
    except Exception:
        return False


def follow_pending_redirect() -> None:
    """Move the browser to the cookie route a login or logout asked for, once, and show nothing else in this run
    (the page reloads at once; no half-shown page is left to click in)."""
    url = st.session_state.pop(_GO_KEY, None)
    if not url or not _URL.match(url) or not _browser_behind_this_run():
        return
    st.info("正在退出…" if url == "/auth/logout" else "正在进入系统…")
    st.html(f'<script src="/auth/redirect.js" data-url="{url}"></script>', unsafe_allow_javascript=True)
    st.markdown(f"[如页面没有自动跳转，请点此继续]({url})")  # a fixed, checked URL, never user text
    st.stop()

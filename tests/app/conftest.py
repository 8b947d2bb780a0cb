"""AppTest fixtures: each test gets its own data folder and a fresh cached context."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core import vocab
from services import users
from services.context import User, build_context

ROOT_PATH = Path(__file__).resolve().parents[2]
APP = str(ROOT_PATH / "app.py")
TIMEOUT = 30


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    monkeypatch.setenv("EXPERT_DATA_DIR", str(folder))
    st.cache_resource.clear()
    yield folder
    st.cache_resource.clear()


@pytest.fixture
def app_ctx(data_dir):
    """A context on the same folder the app will open, with an admin created."""
    ctx = build_context(data_dir)
    users.create_first_admin(ctx, username="admin", display_name="管理员甲", password="abc12345",
                             confirm="abc12345", policy_id="jincheng-2026")
    return ctx


def make_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=TIMEOUT)


def account(user: User) -> User:
    """Make sure the data folder the app opens (EXPERT_DATA_DIR) holds an enabled account for `user`, with its
    role and department, as a real login would have found it: app.py checks the session against the user record
    on every run and ends it when there is none. Written straight into the store (a fixture, like seed_expert)."""
    import os

    from core.auth import hash_password

    repo = build_context(os.environ["EXPERT_DATA_DIR"]).store.collection("users", redact=("password_hash",))
    found = repo.search(lambda d: d.get("username") == user.username)
    fields = {"display_name": user.display_name, "role": user.role, "department": user.department, "disabled": False}
    if found:
        repo.update(found[0]["id"], fields, actor="test", action="测试账号")
    else:
        repo.insert({"username": user.username, "password_hash": hash_password("abc12345", salt=bytes(16)),
                     "failed_count": 0, "locked_until": None, **fields}, actor="test", action="测试账号")
    return user


def logged_in(role: str = vocab.ROLE_ADMIN, page: str | None = None, department: str = "") -> AppTest:
    """An AppTest already signed in as a user of `role`, optionally switched to `page` (e.g. 'pages/registry.py')."""
    at = make_app()
    at.session_state["user"] = account(User("admin" if role == vocab.ROLE_ADMIN else "u1", "测试用户", role,
                                            department))
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


def shown(source: str) -> str:
    """What the browser shows for a Markdown string built with pages._ui.md_escape: the backslash escapes and the
    invisible word joiners removed (AppTest reports the Markdown source)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", str(source)).replace("\u2060", "")


def texts(at: AppTest) -> str:
    """Every visible text of the run, joined, for 'is this message shown' checks (Markdown as shown)."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "success", "error", "warning", "info"):
        parts.extend(str(el.value) if kind == "text" else shown(el.value) for el in getattr(at, kind))
    return "\n".join(parts)


def click(at: AppTest, label: str) -> AppTest:
    """Click the (form submit) button with this label and rerun."""
    matches = [b for b in at.button if b.label == label]
    assert matches, f"no button labelled {label!r}; have {[b.label for b in at.button]}"
    return matches[0].click().run()


def rerun_app(at: AppTest) -> AppTest:
    """Run again from app.py, as a browser does after st.rerun().

    AppTest 1.67 re-executes only the last page's script on later runs (reproduced with a two-page app), so a
    change that app.py must see — login, logout, a new role — needs the page request cleared first.
    """
    at._page_hash = ""
    at._finished_page_script_hash = ""
    return at.run()


def offered_downloads(at: AppTest) -> list[str]:
    """The labels of the 生成… buttons that build a download (pages._ui.download)."""
    return [b.label for b in at.button if str(b.key or "").endswith("__make")]


def build_download(at: AppTest, label: str):
    """Click 生成… for the download labelled `label` (e.g. '下载抽取记录单'), rerun, and return its download button;
    fails if building it showed an error or raised."""
    from pages._ui import prepare_label

    click(at, prepare_label(label))
    assert not at.exception, at.exception
    assert not [e.value for e in at.error if "未能生成" in str(e.value)], [e.value for e in at.error]
    found = [b for b in at.get("download_button") if b.label == label]
    assert found, f"no download button {label!r} after building it; have {[b.label for b in at.get('download_button')]}"
    return found[0]

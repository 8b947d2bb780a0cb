"""Page sweep (issue 10): every page registered for every role opens without an exception, on a data folder full
of real use — for both profiles.

The data: the demo pool with its year of history made through the services (requests approved, drawn, answered,
finished, evaluated, paid; budgets; training; an open task and an overdue evaluation), then a few more steps the
history does not take — a request sent back for changes, one refused, one withdrawn, a dismissal case opened and
an open re-draw. Built once per profile (module scope, about 6 s each).

Which pages a role gets is decided by app.py: the test reads app.py's `st.Page(...)` calls and the `if can(...)`
conditions around them (evaluated with core.auth.can for the role), so a new page is swept without touching this
file; and each run checks that app.py really registered the page for that role.
"""
from __future__ import annotations

import ast
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core import vocab
from core.auth import can
from core.dispatch import task_type_choices
from core.errors import DomainError
from services import dismissals, dispatch, experts, settings, users
from services.context import User, build_context
from tests.app.conftest import APP, account, make_app
from services.drawing_view import approves_requests
from tests.conftest import ADMIN, DEPARTMENT, LEADER, OFFICE
from tests.factories import real_policies

PROFILES = ("jincheng-2026", "yangquan-2024")
ROLE_USERS = {vocab.ROLE_ADMIN: ADMIN, vocab.ROLE_OFFICE: OFFICE, vocab.ROLE_DEPARTMENT: DEPARTMENT,
              vocab.ROLE_LEADER: LEADER}


# --- which pages app.py registers for a role ---------------------------------------------------------------------
def _page_calls(tree: ast.AST):
    """(page path, [(if-test, branch taken)]) for every st.Page("pages/…") call in app.py."""
    found = []

    def walk(node, path):
        if isinstance(node, ast.If):
            for child in node.body:
                walk(child, path + [(node.test, True)])
            for child in node.orelse:
                walk(child, path + [(node.test, False)])
            return
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "Page" and node.args \
                and isinstance(node.args[0], ast.Constant) and str(node.args[0].value).startswith("pages/"):
            found.append((node.args[0].value, path))
        for child in ast.iter_child_nodes(node):
            walk(child, path)

    walk(tree, [])
    return found


def pages_for(role: str, profile: str = PROFILES[0]) -> list[str]:
    """The pages app.py registers for a signed-in user of `role` under `profile` (使用审批 only for a role that
    signs requests under that profile, issue 12: services.drawing_view.approves_requests)."""
    tree = ast.parse(Path(APP).read_text(encoding="utf-8"))
    names = {"can": can, "user": SimpleNamespace(role=role),
             "signs_requests": approves_requests(real_policies()[profile], role)}
    out = []
    for page, path in _page_calls(tree):
        taken = True
        for test, branch in path:
            value = eval(compile(ast.Expression(test), APP, "eval"), names)  # noqa: S307 — app.py's own conditions
            if bool(value) != branch:
                taken = False
                break
        if taken and page not in out:
            out.append(page)
    return out


CASES = [(profile, role, page) for profile in PROFILES for role in ROLE_USERS for page in pages_for(role, profile)]


def test_every_role_has_home_and_account_and_only_admins_get_settings():
    """The reading of app.py is right: shared pages for all, 系统设置 and 用户管理 for the admin only."""
    for role in ROLE_USERS:
        assert {"pages/home.py", "pages/registry.py", "pages/account.py"} <= set(pages_for(role))
    assert "pages/settings.py" in pages_for(vocab.ROLE_ADMIN)
    assert "pages/settings.py" not in pages_for(vocab.ROLE_LEADER)
    assert "pages/drawing.py" not in pages_for(vocab.ROLE_DEPARTMENT)
    # 使用审批 where the role has requests to sign: 晋城 the 领导, 阳泉 the office and the admin (issue 12)
    assert [role for role in ROLE_USERS if "pages/approvals.py" in pages_for(role, "jincheng-2026")] == [
        vocab.ROLE_LEADER]
    assert sorted(role for role in ROLE_USERS if "pages/approvals.py" in pages_for(role, "yangquan-2024")) == sorted(
        [vocab.ROLE_ADMIN, vocab.ROLE_OFFICE])


# --- the data: demo pool + history + a few more steps, once per profile -------------------------------------------
def _more_use(ctx) -> None:
    """Records the demo history does not make: returned, refused and withdrawn requests, a re-draw, an open case."""
    policy = settings.active_policy(ctx)
    today = ctx.today()
    pool = [e for e in experts.active_experts(ctx) if e.get("state") == "在库"]
    spec = pool[0]["specialties"][0]
    start = today + timedelta(days=10)
    data = {"department": DEPARTMENT.department, "contact": "张三", "contact_phone": "13900000000",
            "matter": "〔演示〕页面巡检用申请", "task_type": task_type_choices(policy)[0],
            "target_enterprises": ["某煤业公司"], "place": "城区", "outside_city": False,
            "start": start.isoformat(), "end": (start + timedelta(days=1)).isoformat(),
            "needs": [{"specialty": spec, "count": 1}], "min_title_level": None, "mode": "抽取",
            "emergency": False, "external_experts": []}
    approver = LEADER if policy.id == "jincheng-2026" else OFFICE
    sent_back = dispatch.file_request(ctx, DEPARTMENT, dict(data, matter="〔演示〕页面巡检：退回修改的申请"))[0]
    dispatch.return_for_changes(ctx, approver, sent_back, "请补充检查对象的详细地址")
    refused = dispatch.file_request(ctx, DEPARTMENT, dict(data, matter="〔演示〕页面巡检：不同意的申请"))[0]
    dispatch.reject(ctx, approver, refused, "本月已安排同类检查，不同意")
    withdrawn = dispatch.file_request(ctx, DEPARTMENT, dict(data, matter="〔演示〕页面巡检：撤回的申请"))[0]
    dispatch.withdraw(ctx, DEPARTMENT, withdrawn, "任务取消，撤回申请")
    emergency = dispatch.file_request(ctx, OFFICE, dict(data, matter="〔演示〕页面巡检：紧急任务", emergency=True,
                                                        start=today.isoformat(),
                                                        end=today.isoformat()))[0]
    try:  # an emergency drawn before approval (待补批), then re-drawn after a decline
        dispatch.draw(ctx, OFFICE, emergency)
        invited = [a for a in dispatch.assignments_of(ctx, emergency) if a["status"] == "邀请中"]
        if invited:
            dispatch.answer(ctx, OFFICE, invited[0]["id"], accepted=False, channel="电话", reason="外出",
                            justified=True)
    except DomainError:
        pass  # a pool without a free expert that day: the page then shows the shortage, also worth sweeping
    target = pool[-1]
    number = policy.dismissal.reasons[0].number
    dismissals.raise_case(ctx, OFFICE, target["id"], number, "〔演示〕页面巡检：核实中的解聘事项")


class SweepFolders:
    """The data folder of each profile, built the first time a test asks for it and kept for the module."""

    def __init__(self, root: Path):
        self.root = root
        self.folders: dict[str, Path] = {}

    def __call__(self, profile: str) -> Path:
        if profile not in self.folders:
            folder = self.root / profile / "data"
            ctx = build_context(folder)
            users.create_first_admin(ctx, username="admin", display_name="管理员甲", password="abc12345",
                                     confirm="abc12345", policy_id=profile)
            experts.load_demo(ctx, ADMIN)
            _more_use(ctx)
            self.folders[profile] = folder
        return self.folders[profile]


@pytest.fixture(scope="module")
def sweep_folders():
    """On tmpfs where there is one: the demo history's few thousand fsyncs are slow on a busy CI disk."""
    shm = Path("/dev/shm")
    root = Path(tempfile.mkdtemp(prefix="zjk-sweep-", dir=shm if shm.is_dir() else None))
    yield SweepFolders(root)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def registered_pages(monkeypatch):
    """The script names (stems) of the pages app.py passes to st.navigation on each run."""
    registered: list[str] = []
    real_navigation = st.navigation

    def recording(pages, *args, **kwargs):
        flat = [p for group in pages.values() for p in group] if isinstance(pages, dict) else pages  # sections
        registered[:] = [Path(str(getattr(p, "_page", ""))).stem for p in flat]
        return real_navigation(pages, *args, **kwargs)

    monkeypatch.setattr(st, "navigation", recording)
    return registered


def _page_id(case):
    profile, role, page = case
    return f"{'jc' if profile.startswith('jincheng') else 'yq'}-{ROLE_USERS[role].username}-{Path(page).stem}"


def signed_in_on(folder, role: str, monkeypatch) -> AppTest:
    """The app on data folder `folder`, run once signed in as the sweep's user of `role`."""
    monkeypatch.setenv("EXPERT_DATA_DIR", str(folder))
    st.cache_resource.clear()
    at = make_app()
    user = ROLE_USERS[role]
    at.session_state["user"] = account(User(user.username, user.display_name, role, user.department))
    at.run()
    return at


@pytest.mark.parametrize("profile, role, page", [pytest.param(*c, id=_page_id(c)) for c in CASES])
def test_every_page_opens_for_every_role_without_an_exception(sweep_folders, registered_pages, monkeypatch,
                                                              profile, role, page):
    """Issue 10 page sweep: signed in as `role` on a folder full of real use, the page runs without an exception
    and shows no traceback."""
    try:
        at = signed_in_on(sweep_folders(profile), role, monkeypatch)
        assert Path(page).stem in registered_pages, f"app.py did not register {page} for {role}: {registered_pages}"
        at.switch_page(page)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        shown = [str(e.value) for e in at.error]
        assert not [t for t in shown if "Traceback" in t], shown
    finally:
        st.cache_resource.clear()

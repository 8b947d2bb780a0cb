"""Issue 11 §1: no user text is interpreted as Markdown or HTML on any page (X-W1: text typed by a user comes out
literally) — in AppTest.

The data folder is the page sweep's (demo pool + a year of history made through the services), then every text
field the services accept is filled with hostile Markdown: expert names, units, titles, resumes and remarks;
a request's 使用事项, contact, place and target enterprises; approval opinions, refusal / return / withdrawal
reasons; decline reasons; dismissal evidence and notes; training titles and content; work summaries; budget
notes and payment vouchers; user names and departments; policy variant names and notes; intake drafts.

Then every page app.py registers is opened as every role, and every element that Streamlit renders as Markdown
(markdown, caption, titles, alerts, toasts, expander / tab / metric / widget labels, help texts, radio options)
must hold none of the hostile strings raw — only their md_escape(...) form; and each hostile string must be
shown somewhere, literally (escaped in Markdown, or as-is in st.text / dataframe cells).
"""
from __future__ import annotations

import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
import streamlit as st

from core import vocab
from core.dispatch import task_type_choices
from core.errors import DomainError
from core.fees import FeeError
from pages._ui import md_escape
from services import (applications, dismissals, dispatch, evaluations, experts, fees, policy_variants, settings,
                      training, users)
from services.context import User, build_context
from tests.app.conftest import account, make_app
from tests.app.test_app_page_sweep import PROFILES, ROLE_USERS, pages_for
from tests.conftest import ADMIN, DEPARTMENT, LEADER, OFFICE

HOSTILE = ("![x](http://127.0.0.1:9/x.png)", "[点此](http://127.0.0.1:9/)", "**粗**", ":red[x]", "$x$",
           "<b>x</b>")
ALL_HOSTILE = " ".join(HOSTILE)  # 89 characters, for the fields that take that much
# what any of them looks like when it reaches Markdown unescaped
RAW_MARKERS = ("![x](", "[点此](", "**粗**", ":red[", "$x$", "<b>x</b>", "http://127.0.0.1:9")

# element types whose text Streamlit never interprets (checked for the literal text only)
PLAIN_TYPES = {"text", "code", "json", "arrow_data_frame", "dataframe", "table_plain"}
# widgets whose options are shown without Markdown (per the streamlit 1.67 docs: selectbox / multiselect)
PLAIN_OPTIONS = {"selectbox", "multiselect"}
MARKDOWN_FIELDS = ("label", "body", "help", "delta", "caption", "text", "title")


def _hostile(i: int) -> str:
    return HOSTILE[i % len(HOSTILE)]


def _try(made: dict, what: str, call):
    try:
        result = call()
    except DomainError as error:
        made[what] = f"refused: {error.message}"
        return None
    made[what] = "ok"
    return result


def build_hostile_folder(folder: Path, profile: str) -> dict:
    """A data folder full of real use with hostile Markdown in every text field the services accept.
    Returns {what: "ok" | "refused: message"} for each write tried."""
    ctx = build_context(folder)
    users.create_first_admin(ctx, username="admin", display_name="管理员甲", password="abc12345",
                             confirm="abc12345", policy_id=profile)
    experts.load_demo(ctx, ADMIN)
    made: dict[str, str] = {}
    policy = settings.active_policy(ctx)
    today = ctx.today()
    pool = [e for e in experts.active_experts(ctx) if e.get("state") == "在库"]
    spec = pool[0]["specialties"][0]
    # experts: those a request for `spec` can draw, and a few more, get hostile names and text (not all 200:
    # every update is an audited write)
    chosen = [e for e in pool if spec in (e.get("specialties") or [])][:20]
    chosen += [e for e in pool[:6] + pool[-2:] if e not in chosen]
    for i, expert in enumerate(chosen):
        _try(made, f"expert {i} name/unit/resume/remarks", lambda e=expert, i=i: experts.update_expert(
            ctx, OFFICE, e["id"], {"name": _hostile(i), "unit": ALL_HOSTILE, "resume": ALL_HOSTILE,
                                   "remarks": ALL_HOSTILE, "position": _hostile(i + 1),
                                   "unit_address": ALL_HOSTILE, "school": _hostile(i + 2),
                                   "major": _hostile(i + 3), "current_field": _hostile(i + 4)}))
    # users: names and departments
    _try(made, "user display name", lambda: users.create_user(
        ctx, ADMIN, username="hostile", display_name=HOSTILE[0], role=vocab.ROLE_DEPARTMENT, department=HOSTILE[1],
        password="abc12345", confirm="abc12345"))
    # fees: a budget with a hostile note (also lets JC approve a request: 第十八条 budget first)
    _try(made, "budget note", lambda: fees.set_budget(ctx, OFFICE, DEPARTMENT.department, today.year, "100000",
                                                      note=ALL_HOSTILE))
    # requests: 使用事项 and the other typed fields, then every decision with a hostile reason
    start = today + timedelta(days=10)
    data = {"department": DEPARTMENT.department, "contact": HOSTILE[2], "contact_phone": "13900000000",
            "matter": ALL_HOSTILE, "task_type": task_type_choices(policy)[0],
            "target_enterprises": list(HOSTILE), "place": ALL_HOSTILE, "outside_city": False,
            "start": start.isoformat(), "end": (start + timedelta(days=1)).isoformat(),
            "needs": [{"specialty": spec, "count": 1}], "min_title_level": None, "mode": "抽取",
            "emergency": False, "external_experts": []}
    approver = LEADER if policy.id == "jincheng-2026" else OFFICE
    def file(n: int):  # each request differs (an identical one is refused as a double submission)
        return dispatch.file_request(ctx, DEPARTMENT, dict(data, matter=f"{ALL_HOSTILE}（{n}）"))

    pending = _try(made, "request awaiting approval", lambda: file(1))
    sent_back = _try(made, "request to send back", lambda: file(2))
    if sent_back:
        _try(made, "return reason", lambda: dispatch.return_for_changes(ctx, approver, sent_back[0], ALL_HOSTILE))
    refused = _try(made, "request to refuse", lambda: file(3))
    if refused:
        _try(made, "refusal reason", lambda: dispatch.reject(ctx, approver, refused[0], ALL_HOSTILE))
    withdrawn = _try(made, "request to withdraw", lambda: file(4))
    if withdrawn:
        _try(made, "withdrawal reason", lambda: dispatch.withdraw(ctx, DEPARTMENT, withdrawn[0], ALL_HOSTILE))
    approved = _try(made, "request to approve", lambda: file(5))
    if approved:
        _try(made, "approval opinion", lambda: dispatch.approve(ctx, approver, approved[0], ALL_HOSTILE))
        if _try(made, "draw", lambda: dispatch.draw(ctx, OFFICE, approved[0])) is not None:
            invited = [a for a in dispatch.assignments_of(ctx, approved[0]) if a["status"] == "邀请中"]
            if invited:
                _try(made, "decline reason", lambda: dispatch.answer(
                    ctx, OFFICE, invited[0]["id"], accepted=False, channel="电话", reason=ALL_HOSTILE, justified=True))
    del pending
    # dismissal: a case with hostile evidence, a reminder talk with a hostile note
    number = policy.dismissal.reasons[0].number
    _try(made, "dismissal evidence", lambda: dismissals.raise_case(ctx, OFFICE, pool[-1]["id"], number, ALL_HOSTILE))
    if policy.id == "yangquan-2024":  # only YQ has 提醒谈话 (第二十四条)
        _try(made, "reminder talk note", lambda: dismissals.record_reminder_talk(ctx, OFFICE, pool[-2]["id"], number,
                                                                                ALL_HOSTILE))
    # training
    _try(made, "training title/content", lambda: training.record_session(ctx, OFFICE, {
        "title": HOSTILE[0], "held_on": today.isoformat(), "hours": 4, "organizer": HOSTILE[1],
        "content": ALL_HOSTILE, "attendees": [pool[0]["id"], pool[1]["id"]]}))
    # a task waiting to be finished: the work summary
    for req in evaluations.tasks_to_finish(ctx, OFFICE)[:1]:
        people = evaluations.participants(ctx, req["id"])
        _try(made, "work summary", lambda r=req, p=people: evaluations.complete_task(
            ctx, OFFICE, r["id"], days={x["expert_id"] if x["external"] else x["assignment_id"]: 1 for x in p},
            work_summary=ALL_HOSTILE))
    # fees: a payment voucher (YQ ships without rates: nothing is payable there)
    try:
        payable = fees.payable(ctx, OFFICE)
    except (DomainError, FeeError) as error:
        made["payment voucher"] = f"refused: {error}"
        payable = []
    for task in payable[:1]:
        _try(made, "payment voucher", lambda t=task: fees.mark_paid(ctx, OFFICE, t["id"], HOSTILE[1]))
    # policy variant: name and note
    from core.policy_edit import parameter_map
    param = next(p for p in parameter_map(policy).values() if p.kind == "int" and p.value is not None)
    _try(made, "variant name/note", lambda: policy_variants.save_variant(ctx, OFFICE, policy.id, HOSTILE[0],
                                                                         ALL_HOSTILE, {param.path: param.value + 1}))
    # an intake draft with a hostile name
    from tests.factories import make_expert
    form = make_expert(policy, name=HOSTILE[1], unit=ALL_HOSTILE)
    _try(made, "intake draft", lambda: applications.save_draft(ctx, OFFICE, form, {}))
    return made


class HostileFolders:
    def __init__(self, root: Path):
        self.root = root
        self.folders: dict[str, tuple[Path, dict]] = {}

    def __call__(self, profile: str) -> tuple[Path, dict]:
        if profile not in self.folders:
            folder = self.root / profile / "data"
            self.folders[profile] = (folder, build_hostile_folder(folder, profile))
        return self.folders[profile]


@pytest.fixture(scope="module")
def hostile_folders():
    shm = Path("/dev/shm")
    root = Path(tempfile.mkdtemp(prefix="zjk-hostile-", dir=shm if shm.is_dir() else None))
    yield HostileFolders(root)
    shutil.rmtree(root, ignore_errors=True)


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def rendered_texts(at) -> tuple[list[tuple[str, str]], list[str]]:
    """(Markdown-rendered texts as (element type, text), plain texts) of the whole run, main area and sidebar."""
    markdown, plain = [], []
    for node in _walk(at._tree):
        kind = getattr(node, "type", "")
        proto = getattr(node, "proto", None)
        if proto is None or not hasattr(proto, "ListFields"):
            continue
        inner = proto
        if hasattr(proto, "WhichOneof"):  # a block: the label is on its sub-message (expandable, tab, popover …)
            try:
                which = proto.WhichOneof("type")
            except (TypeError, ValueError):
                which = None
            if which:
                inner = getattr(proto, which)
        if kind in PLAIN_TYPES:
            for field, value in inner.ListFields():
                if isinstance(value, str):
                    plain.append(value)
            if kind in ("arrow_data_frame", "dataframe"):
                try:
                    plain.append(node.value.to_csv())
                except Exception:  # noqa: BLE001 — a frame that cannot be read is simply not counted as shown
                    pass
            continue
        for field, value in inner.ListFields():
            if field.name in MARKDOWN_FIELDS and isinstance(value, str):
                markdown.append((kind, value))
            elif field.name == "options" and kind not in PLAIN_OPTIONS:
                markdown.extend((kind, str(getattr(o, "content", o))) for o in value)
            elif field.name in ("value", "default", "placeholder") and isinstance(value, str):
                plain.append(value)  # a widget's content: shown in an input box, never as Markdown
    return markdown, plain


def unescaped(markdown: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(kind, text) for kind, text in markdown if any(m in text for m in RAW_MARKERS)]


CASES = [(profile, role, page) for profile in PROFILES for role in ROLE_USERS for page in pages_for(role, profile)]


def _case_id(case):
    profile, role, page = case
    return f"{'jc' if profile.startswith('jincheng') else 'yq'}-{ROLE_USERS[role].username}-{Path(page).stem}"


SHOWN: dict[str, set[str]] = {}  # profile → the hostile strings seen displayed literally so far


@pytest.mark.parametrize("profile, role, page", [pytest.param(*c, id=_case_id(c)) for c in CASES])
def test_x_w1_user_text_never_renders_as_markdown_on_any_page(hostile_folders, monkeypatch, profile, role, page):
    """Issue 11 §1 / X-W1: with hostile Markdown in every text field, no Markdown-rendering element of the page
    holds it unescaped (no image to fetch, no link, no bold / colour / LaTeX / HTML)."""
    folder, made = hostile_folders(profile)
    monkeypatch.setenv("EXPERT_DATA_DIR", str(folder))
    st.cache_resource.clear()
    try:
        at = make_app()
        user = ROLE_USERS[role]
        at.session_state["user"] = account(User(user.username, HOSTILE[3] + user.display_name, role,
                                                user.department))
        at.run()  # app.py (sidebar) + the default page
        first, _ = rendered_texts(at)
        assert not unescaped(first), unescaped(first)
        # the signed-in user's label (a typed display name) is in app.py's sidebar, escaped
        assert any(md_escape(HOSTILE[3]) in text for _, text in first), [t for _, t in first if "当前用户" in t]
        at.switch_page(page)
        at.run()  # AppTest reruns only the page script here
        assert not at.exception, [e.value for e in at.exception]
        markdown, plain = rendered_texts(at)
        assert markdown, "no Markdown-rendering element found: the walk over the page is broken"
        assert not unescaped(markdown), unescaped(markdown)
        seen = SHOWN.setdefault(profile, set())
        for h in HOSTILE:
            if any(md_escape(h) in text for _, text in markdown) or any(h in text for text in plain):
                seen.add(h)
    finally:
        st.cache_resource.clear()


@pytest.mark.parametrize("profile", PROFILES)
def test_x_w1_hostile_text_was_stored_and_is_shown_literally(hostile_folders, profile):
    """The sweep above is not vacuous: the hostile text really went in through the services, and each hostile
    string was shown literally on some page (run after the sweep, in file order)."""
    _, made = hostile_folders(profile)
    needed = ("expert 0 name/unit/resume/remarks", "request awaiting approval", "approval opinion",
              "refusal reason", "return reason", "withdrawal reason", "dismissal evidence", "training title/content",
              "user display name", "variant name/note")
    refused = {k: v for k, v in made.items() if k in needed and v != "ok"}
    assert not refused, refused
    if profile in SHOWN:
        assert SHOWN[profile] == set(HOSTILE), set(HOSTILE) - SHOWN[profile]


def test_x_w1_the_sweep_would_see_markdown_if_pages_did_not_escape(hostile_folders, monkeypatch):
    """The check above can fail: with md_escape made a no-op, the sidebar and 专家培训 (a training titled with an
    image) show the hostile Markdown raw — the attack of issue 11 §1 — and unescaped() reports it."""
    import pages._ui

    folder, _ = hostile_folders("jincheng-2026")
    monkeypatch.setenv("EXPERT_DATA_DIR", str(folder))
    monkeypatch.setattr(pages._ui, "md_escape", lambda text: "" if text is None else str(text))
    st.cache_resource.clear()
    try:
        at = make_app()
        at.session_state["user"] = account(User(OFFICE.username, HOSTILE[0], vocab.ROLE_OFFICE, OFFICE.department))
        at.run()
        first, _ = rendered_texts(at)
        assert unescaped(first)  # the sidebar's user label
        at.switch_page("pages/training.py")
        at.run()
        markdown, _ = rendered_texts(at)
        assert any("![x](http://127.0.0.1:9/x.png)" in text for _, text in unescaped(markdown)), markdown
    finally:
        st.cache_resource.clear()

"""使用申请、审批、抽取、邀请与委派 — a using department asks for experts, the right leader approves, the office draws
them fairly and provably, records each answer, replaces a decliner with the next expert of the committed order
(never a re-shuffle), and dispatches. JC 第十一条、附件7; YQ 第十二条–第十四条、附表四、附表五.

A draw stores its seed (from `secrets`), the method version, the hash of each eligible list and the complete
order, so replaying it proves the result (X-D2). The record is compact (issue 17, core.drawing.DrawResult.to_record):
exclusions summed by rule, by name where a person must see them; the pool it read is named by the record by its SHA-256
and kept in proportion to what changed (services.pool_snapshots: one piece per distinct expert entry, chunks, one
manifest per distinct pool), so 复核 and 查看全部排除 recompute from it, every piece and the whole checked. A new draw for the same request is a new record with a stated
reason; both stay visible. Decline consequences (YQ 连续3次, JC 一年内两次无正当理由) become proposals for the
dismissal workflow — shown to the office, never applied by themselves.
"""
from __future__ import annotations

import copy
import re
import secrets
from datetime import date, datetime, timedelta

from core import vocab
from core.auth import can
from core.dispatch import (AWAITING_APPROVAL, DRAWABLE_STATUSES, DRAWING_PAGE_STATUSES, FINAL_STATUSES,  # noqa: F401
                           WITHDRAWABLE, can_approve, change_needs_approval,
                           check_request, clean_reason, clean_request_input, decline_consequence, fully_staffed,
                           history_entry, may_draw, outcome_lines, plan_invitations, request_fingerprint,  # noqa: F401
                           required_approval, same_department, staffed_assignments, staffing, status_on_filing,
                           task_days)
from core.drawing import (EXCLUSION_RULES, DrawParams, DrawResult, SharedPool, _read_request, full_exclusions,
                          listed, pool_snapshot_hash, replay, summarise)
from core.drawing import draw as run_draw
from core.errors import DomainError, DuplicateError, NotFoundError, PermissionDenied, ValidationError
from core.text import clean_choice
from services import pool_snapshots, pool_view
from services.context import AppContext, User
from services.fees import approval_estimate
from services.settings import active_policy, require_policy

REQUESTS, ASSIGNMENTS, DRAWS, PROPOSALS, EXPERTS = "requests", "assignments", "draws", "proposals", "experts"
POOL_SNAPSHOTS = pool_snapshots.SNAPSHOTS
OPEN_ANSWERS = ("邀请中", "已接受")
ANSWER_CHANNELS = ("电话", "微信")
REQUESTER_ROLES = (vocab.ROLE_DEPARTMENT, vocab.ROLE_OFFICE, vocab.ROLE_ADMIN)
# The same user filing the same request again within this window is a double submission, not a new request.
DUPLICATE_WINDOW = timedelta(minutes=10)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{8,64}")


def _repo(ctx, name):
    return ctx.store.collection(name)


def _now(ctx) -> str:
    return ctx.now().isoformat(timespec="seconds")


def _require_office(actor: User) -> None:
    if not can(actor.role, "edit_experts"):
        raise PermissionDenied("只有专家管理办公室可以办理抽取和委派")


def _require_requester(actor: User, req: dict | None = None, verb: str = "办理") -> None:
    """使用科室 (its own department's requests only), 专家管理办公室 or 管理员; never a 领导."""
    if actor.role not in REQUESTER_ROLES:
        raise PermissionDenied(f"只有申请科室或专家管理办公室可以{verb}使用申请")
    if req is not None and actor.role == vocab.ROLE_DEPARTMENT \
            and not same_department(req.get("department"), actor.department):
        raise PermissionDenied(f"只能{verb}本科室的使用申请")


def _require_approver(actor: User, req: dict) -> None:
    if not can(actor.role, "approve_requests") or not can_approve(actor.role, req["required_level"]):
        raise PermissionDenied(f"该申请须由{req['required_level']}审批（{req['required_reason']}）")
    if req.get("approval") or req.get("status") not in AWAITING_APPROVAL:
        raise ValidationError(("approval", "该申请已审批" if req.get("approval") else f"该申请{req.get('status')}，不在待审批状态"))


def _refuse_final(req: dict, what: str) -> None:
    if req.get("status") in FINAL_STATUSES or req.get("status") == "退回修改":
        raise ValidationError(("status", f"申请{req.get('status')}，不能{what}"))


def _pool(ctx, policy) -> list[dict]:
    """The profile's experts as a draw and a request check read them: one list per version of the experts file,
    shared by every task and session of the process (issue 17: copying 3,000 records twice a task cost more than
    the draw). Read-only — the draw and the checks never change it (tests/integration/test_shared_pool_issue17.py);
    a caller that needs to change a record takes a copy."""
    from services.conditions import with_relaxations  # JC 第七条(六): a recorded age relaxation reaches the draw
    return with_relaxations(ctx, pool_view.shared_pool(ctx, policy.id))


def _draw_history(ctx, policy, req: dict, pool: list[dict]) -> list[dict]:
    """The assignments a draw for `req` on `pool` can read (core.drawing._index_history reads only the lines of its
    candidates, experts of a needed specialty): uses in the rotation window before the task's start, tasks
    overlapping its dates — every one of them ends on or after the window's first day — and declines of this
    request. Found by index (issue 17): the assignments of the experts of the needed specialties that end from the
    window's first day on, and this request's own; nothing else is read or copied, however many years of tasks are
    kept. Dates are ISO text (core.dispatch.clean_request_input); an assignment without a text end is read too."""
    params = DrawParams.from_policy(policy)
    try:
        needed = _read_request(req, params).needed
        lowest = (date.fromisoformat(str(req.get("start"))[:10])
                  - timedelta(days=params.rotation_window_days)).isoformat()
    except (DomainError, ValueError, TypeError):  # the draw refuses such a request itself, with its own message
        return [a for a in _repo(ctx, ASSIGNMENTS).find("policy_id", policy.id)]
    by_specialty = (pool.memo("by_specialty", lambda: _experts_by_specialty(pool)) if isinstance(pool, SharedPool)
                    else _experts_by_specialty(pool))
    experts = {e for code in needed for e in by_specialty.get(code, ())}
    repo = _repo(ctx, ASSIGNMENTS)
    by_expert = repo.keyed_ids("expert_id")
    theirs = {i for e in experts for i in by_expert.get(e, ())}
    wanted = theirs & repo.ids_from("end", lowest) if theirs else set()
    if req.get("id") is not None:  # this request's own lines (its declines), whatever dates they carry
        wanted.update(repo.keyed_ids("request_id").get(req["id"], ()))
    return [a for a in repo.get_many(wanted) if a.get("policy_id") == policy.id]


def _experts_by_specialty(pool: list[dict]) -> dict[str, tuple]:
    """specialty code → ids of the experts who list it (as core.drawing reads `specialties`: a list, or one code)."""
    out: dict[str, list] = {}
    for x in pool:
        own = x.get("specialties") or ()
        for code in ((own,) if isinstance(own, str) else own):
            if isinstance(code, str):
                out.setdefault(code, []).append(x.get("id"))
    return {code: tuple(ids) for code, ids in out.items()}


def _label(policy, code) -> str:
    try:
        return policy.taxonomy.specialty_label(code)
    except Exception:
        return str(code)


def request(ctx: AppContext, request_id: int) -> dict:
    found = _repo(ctx, REQUESTS).get(request_id)
    if found is None:
        raise NotFoundError(f"使用申请 {request_id} 不存在")
    return found


def _with_history(req: dict, ctx, actor: User, action: str, reason: str = "") -> list[dict]:
    return list(req.get("history") or []) + [history_entry(action, actor, _now(ctx), reason)]


# --- requests (使用申请) ----------------------------------------------------------------------------------------
def new_submission_token() -> str:
    """A token for one filling-in of the request form; the page keeps it in the session and sends it with 提交申请."""
    return secrets.token_hex(16)


def file_request(ctx: AppContext, actor: User, data: dict, *, token: str | None = None) -> tuple[int, list[str]]:
    """Validate and file a request; a 使用科室 user files for their own department (YQ-D5 报备).

    The input goes through `core.dispatch.clean_request_input` (whitelisted fields, lengths, NFC, no invisible
    characters, phone format). A repeated submission is refused with DuplicateError naming the request already filed:
    the same `token` (one per filling-in of the form — a double click), or the same content from the same user within
    DUPLICATE_WINDOW (a second tab, a reload)."""
    _require_requester(actor, verb="提出")
    policy = active_policy(ctx)
    doc = clean_request_input(data, allow_demo=actor.role != vocab.ROLE_DEPARTMENT)
    if token is not None and not (isinstance(token, str) and _TOKEN.fullmatch(token)):
        raise ValidationError(("token", "提交标识无效，请刷新页面后重新填写"))
    if actor.role == vocab.ROLE_DEPARTMENT:
        doc["department"] = actor.department
    _refuse_duplicate(ctx, actor, doc, token)
    doc.update(policy_id=policy.id, filed_on=ctx.today().isoformat(), filed_by=actor.username, approval=None)
    if not doc.get("days") and doc.get("start") and doc.get("end"):
        doc["days"] = task_days(doc["start"], doc["end"])
    warnings = check_request(doc, policy, _pool(ctx, policy), ctx.today(), filer_role=actor.role)
    level = required_approval(doc, policy)
    doc.update(required_level=level["level"], required_reason=level["reason"],
               status=status_on_filing(doc, policy), created_at=_now(ctx), submission_token=token,
               history=[history_entry("提交申请", actor, _now(ctx))])
    return _repo(ctx, REQUESTS).insert(doc, actor=actor.username, action="提出使用申请"), warnings


def _refuse_duplicate(ctx, actor: User, doc: dict, token: str | None) -> None:
    fingerprint, now = request_fingerprint(doc), ctx.now()
    since = (now - DUPLICATE_WINDOW).isoformat(timespec="seconds")
    # only the user's requests that could match (same token, or made within the window): not a copy of every
    # request the user ever filed, so filing costs the same after years of requests
    repo = _repo(ctx, REQUESTS)
    found = {r["id"]: r for r in repo.find_from("created_at", since) if str(r.get("created_at") or "") >= since}
    if token:
        found.update((r["id"], r) for r in repo.find("submission_token", token))
    mine = [r for _, r in sorted(found.items()) if r.get("filed_by") == actor.username]
    for r in mine:
        if token and r.get("submission_token") == token:
            raise DuplicateError(f"该申请已提交（申请编号 #{r['id']}），请勿重复提交", r["id"])
    for r in mine:
        if r.get("status") in ("已撤回", "不同意", "退回修改") or request_fingerprint(r) != fingerprint:
            continue
        try:
            age = now - datetime.fromisoformat(r.get("created_at") or "")
        except (TypeError, ValueError):
            continue
        if timedelta(0) <= age <= DUPLICATE_WINDOW:
            raise DuplicateError(f"与刚才提交的申请编号 #{r['id']} 内容完全相同，请勿重复提交；如确需另一份申请，"
                                 f"请修改内容后再提交", r["id"])


def requests(ctx: AppContext, actor: User, *, status: tuple[str, ...] = (), year: int | None = None) -> list[dict]:
    """The active profile's requests, newest first; a 使用科室 user sees only their department's. `year` keeps
    those whose task starts in that year (a page's year filter over years of history; `request_years`). Found by
    index (issue 17): only the requests listed are read."""
    pid = active_policy(ctx).id
    mine = actor.role == vocab.ROLE_DEPARTMENT
    prefix = f"{year:04d}" if year is not None else None
    repo = _repo(ctx, REQUESTS)
    ids = _request_ids(ctx, actor, status)
    if prefix is not None:
        ids &= repo.ids_from("start", prefix)
    found = [r for r in repo.get_many(ids) if r.get("policy_id") == pid and (not status or r.get("status") in status)
             and (prefix is None or str(r.get("start") or "")[:4] == prefix)
             and (not mine or same_department(r.get("department"), actor.department))]
    return sorted(found, key=lambda r: -r["id"])


def _request_ids(ctx, actor: User, status: tuple[str, ...]) -> set[int]:
    """The ids `requests` may list (a superset it then checks record by record), from the indexes alone."""
    repo = _repo(ctx, REQUESTS)
    ids = set(repo.keyed_ids("policy_id").get(active_policy(ctx).id, ()))
    if status:
        by_status = repo.keyed_ids("status")
        ids &= {i for s in status for i in by_status.get(s, ())}
    if actor.role == vocab.ROLE_DEPARTMENT:
        ids &= {i for key, found in repo.keyed_ids("department").items()
                if same_department(key if isinstance(key, str) else None, actor.department) for i in found}
    return ids


def request_years(ctx: AppContext, actor: User, *, status: tuple[str, ...] = ()) -> list[int]:
    """The start years of the requests `requests` would list, newest first (the choices of a year filter): from the
    indexes, no request read (issue 17)."""
    ids = _request_ids(ctx, actor, status)
    years = {str(key or "")[:4] for key, found in _repo(ctx, REQUESTS).keyed_ids("start").items()
             if isinstance(key, str) and not ids.isdisjoint(found)}
    return sorted((int(y) for y in years if y.isdigit()), reverse=True)


def awaiting_approval(ctx: AppContext, actor: User) -> list[dict]:
    """Requests this user may sign: not yet approved (incl. emergencies used first, 待补批)."""
    return [r for r in requests(ctx, actor, status=AWAITING_APPROVAL) if r.get("approval") is None
            and can(actor.role, "approve_requests") and can_approve(actor.role, r["required_level"])]


def withdrawable(ctx: AppContext, actor: User) -> list[dict]:
    """Requests this user may withdraw now (see `withdraw`)."""
    if actor.role not in REQUESTER_ROLES:
        return []
    return [r for r in requests(ctx, actor, status=WITHDRAWABLE)
            if not fully_staffed(r.get("needs"), _assignments_of(ctx, r["id"]))]


def returned_for_changes(ctx: AppContext, actor: User) -> list[dict]:
    """Requests sent back (退回修改) that this user may edit and resubmit."""
    if actor.role not in REQUESTER_ROLES:
        return []
    return requests(ctx, actor, status=("退回修改",))


def approve(ctx: AppContext, actor: User, request_id: int, opinion: str) -> dict:
    """审批·同意 (JC 附件7 分管领导/主要领导; YQ 专家管理办公室); for an emergency it is the approval filled in afterwards.
    When the profile requires budgets (JC 第十八条, JC-F4) the estimated fee must fit in the department's budget
    left for the year (services.fees.approval_estimate) and is stored on the request as "estimated_fee"."""
    req = request(ctx, request_id)
    _require_approver(actor, req)
    opinion = clean_reason(opinion, label="审批意见", required=False) or "同意"
    approval = {"by": actor.display_name, "username": actor.username, "role": actor.role,
                "level": req["required_level"], "on": ctx.today().isoformat(), "opinion": opinion,
                "after_the_fact": req["status"] != "待审批"}
    history = list(req.get("approvals") or []) + [approval]
    changes = {"approval": approval, "approvals": history, "status": _status_after_approval(ctx, req),
               "history": _with_history(req, ctx, actor, "同意", opinion)}
    estimated = approval_estimate(ctx, req)  # JC 第十八条: refused (nothing saved) beyond the budget left
    if estimated is not None:
        changes["estimated_fee"] = str(estimated)
    saved = _repo(ctx, REQUESTS).update(request_id, changes, actor=actor.username,
                                        action="补批使用申请" if approval["after_the_fact"] else "审批使用申请")
    _mark_dispatched(ctx, actor, request_id)
    return saved


def reject(ctx: AppContext, actor: User, request_id: int, reason: str) -> dict:
    """审批·不同意 — final: the request is closed (不同意) and any open invitation cancelled; the reason is kept."""
    req = request(ctx, request_id)
    _require_approver(actor, req)
    reason = clean_reason(reason, label="不同意的理由", required=True)
    _cancel_open(ctx, actor, request_id, "申请未获同意，取消邀请")
    return _repo(ctx, REQUESTS).update(request_id, {"status": "不同意", "history": _with_history(
        req, ctx, actor, "不同意", reason)}, actor=actor.username, action="不同意使用申请")


def return_for_changes(ctx: AppContext, actor: User, request_id: int, reason: str) -> dict:
    """审批·退回修改 — back to the requester, who edits and resubmits (`resubmit`). Only before any draw or invitation:
    a drawn request's inputs are part of the draw record, so it can be refused or withdrawn but not edited."""
    req = request(ctx, request_id)
    _require_approver(actor, req)
    reason = clean_reason(reason, label="退回修改的理由", required=True)
    if _draws_of(ctx, request_id) or _assignments_of(ctx, request_id):
        raise ValidationError(("status", "该申请已抽取或选派专家，不能退回修改；可选择不同意，或由申请科室撤回"))
    return _repo(ctx, REQUESTS).update(request_id, {"status": "退回修改", "history": _with_history(
        req, ctx, actor, "退回修改", reason)}, actor=actor.username, action="退回修改使用申请")


def resubmit(ctx: AppContext, actor: User, request_id: int, data: dict) -> tuple[dict, list[str]]:
    """修改后重新提交 a request sent back (退回修改): the fields given in `data` replace the request's (the same whitelist,
    limits and checks as filing; the days are recounted when the dates change), the rest stay; the approval level is
    decided again."""
    req = request(ctx, request_id)
    _require_requester(actor, req, verb="修改")
    if req.get("status") != "退回修改":
        raise ValidationError(("status", f"申请{req.get('status')}，只有退回修改的申请可以修改后重新提交"))
    policy = require_policy(ctx, req["policy_id"])
    cleaned = clean_request_input(data)
    doc = {key: value for key, value in cleaned.items() if key in data}
    if actor.role == vocab.ROLE_DEPARTMENT:
        doc["department"] = actor.department
    merged = dict(req, **doc)
    if ("start" in doc or "end" in doc) and "days" not in doc:
        doc["days"] = merged["days"] = task_days(merged.get("start"), merged.get("end"))
    warnings = check_request(merged, policy, _pool(ctx, policy), ctx.today(), filer_role=actor.role)
    level = required_approval(merged, policy)
    doc.update(required_level=level["level"], required_reason=level["reason"], status=status_on_filing(merged, policy),
               history=_with_history(req, ctx, actor, "重新提交"))
    return _repo(ctx, REQUESTS).update(request_id, doc, actor=actor.username, action="修改后重新提交使用申请"), warnings


def _status_after_approval(ctx, req: dict) -> str:
    if not _draws_of(ctx, req["id"]) and not _assignments_of(ctx, req["id"]):
        return "已审批"
    return "已抽取"


def _cancel_open(ctx, actor: User, request_id: int, action: str) -> None:
    for a in _assignments_of(ctx, request_id):
        if a["status"] in OPEN_ANSWERS:
            _repo(ctx, ASSIGNMENTS).update(a["id"], {"status": "已取消"}, actor=actor.username, action=action)


def withdraw(ctx: AppContext, actor: User, request_id: int, reason: str) -> dict:
    """撤回 by the requesting department (its own requests only) or the office/admin, with a reason, while the request
    is still being handled (WITHDRAWABLE) and not every expert has accepted; open invitations are cancelled."""
    _require_requester(actor, verb="撤回")
    req = request(ctx, request_id)
    _require_requester(actor, req, verb="撤回")
    reason = clean_reason(reason, label="撤回理由", required=True)
    if req.get("status") not in WITHDRAWABLE:
        raise ValidationError(("status", f"申请{req.get('status')}，不能撤回"))
    if fully_staffed(req.get("needs"), _assignments_of(ctx, request_id)):
        raise ValidationError(("status", "各专业专家均已接受委派，申请已委派完成，不能撤回；如需变更请联系专家管理办公室"))
    _cancel_open(ctx, actor, request_id, "申请撤回，取消邀请")
    return _repo(ctx, REQUESTS).update(request_id, {"status": "已撤回", "withdraw_reason": reason,
                                                    "history": _with_history(req, ctx, actor, "撤回", reason)},
                                       actor=actor.username, action="撤回使用申请")


# --- the draw (抽取) ---------------------------------------------------------------------------------------------
def _draws_of(ctx, request_id: int) -> list[dict]:
    return _repo(ctx, DRAWS).find("request_id", request_id)  # by id


def draws_of(ctx: AppContext, request_id: int) -> list[dict]:
    return _draws_of(ctx, request_id)


def _assignments_of(ctx, request_id: int) -> list[dict]:
    return _repo(ctx, ASSIGNMENTS).find("request_id", request_id)  # by id


def assignments_of(ctx: AppContext, request_id: int) -> list[dict]:
    return _assignments_of(ctx, request_id)


def staffing_of(ctx: AppContext, request_id: int) -> list[dict]:
    """Per specialty: requested, accepted, pending invitations and open slots (core.dispatch.staffing)."""
    return staffing(request(ctx, request_id)["needs"], _assignments_of(ctx, request_id))


def draw(ctx: AppContext, actor: User, request_id: int, *, reason: str = "") -> int:
    """随机抽取: a seeded, recorded draw; per specialty only the open slots — requested − (accepted + pending
    invitations) — are filled from the order, so a re-draw never takes a request over its numbers. A re-draw needs a
    reason and is refused, writing nothing, when every specialty is full. The draw record keeps the per-specialty
    outcome ("outcome": who was invited, how many slots are still open)."""
    _require_office(actor)
    req = request(ctx, request_id)
    policy = require_policy(ctx, req["policy_id"])
    if req.get("mode") == "选派":
        raise ValidationError(("mode", "选派的申请不进行随机抽取，请直接指定专家"))
    _refuse_final(req, "抽取")
    may_draw(req, policy)
    previous = _draws_of(ctx, request_id)
    reason = clean_reason(reason, label="重新抽取理由", required=False)
    if previous and not reason:
        raise ValidationError(("reason", "重新抽取须说明理由；原抽取记录保留"))
    assignments = _assignments_of(ctx, request_id)
    if not any(row["open"] for row in staffing(req["needs"], assignments)):
        raise ValidationError(("status", "各专业均已满员，无需重新抽取"))
    pool = _pool(ctx, policy)
    history = _draw_history(ctx, policy, req, pool)
    result = run_draw(req, pool, history, policy, seed=secrets.token_hex(16), drawn_at=_now(ctx))
    plan = plan_invitations(req["needs"], result.orders, assignments)
    record, snapshot = result.to_record()  # compact: the pool goes to its content-addressed snapshot
    # first, so a draw record never names a snapshot that is not there
    keep_pool_snapshot(ctx, actor, snapshot, record.get("inputs", {}).get("pool_snapshot"))
    draw_id = _repo(ctx, DRAWS).insert({"request_id": request_id, "policy_id": policy.id, "seq": len(previous) + 1,
                                        "reason": reason or "首次抽取", "drawn_by": actor.display_name,
                                        "result": record, "outcome": _outcome_record(plan)},
                                       actor=actor.username, action="随机抽取")
    if req["status"] in ("已审批", "待补批"):
        _repo(ctx, REQUESTS).update(request_id, {"status": "已抽取" if req.get("approval") else "待补批"},
                                    actor=actor.username, action="随机抽取")
    _invite(ctx, actor, request(ctx, request_id), draw_id, plan)
    return draw_id


def _outcome_record(plan: list[dict]) -> list[dict]:
    return [dict(row, invite=[[i, n] for i, n in row["invite"]]) for row in plan]


def draw_outcome(ctx: AppContext, draw_id: int) -> list[dict]:
    """The per-specialty outcome stored with a draw (empty for draws recorded before it was kept)."""
    record = _repo(ctx, DRAWS).get(draw_id)
    if record is None:
        raise NotFoundError(f"抽取记录 {draw_id} 不存在")
    return [dict(row, invite=[tuple(x) for x in row["invite"]]) for row in record.get("outcome") or []]


def draw_audit_head(ctx: AppContext, draw_id: int) -> dict | None:
    """The audit line that recorded draw `draw_id` (line number and keyed hash), printed on the 抽取记录单."""
    found = ctx.store.audit.locate(DRAWS, draw_id, "随机抽取")
    return {"line": found[0], "hash": found[1]} if found else None


def latest_draw(ctx: AppContext, request_id: int) -> dict | None:
    found = _draws_of(ctx, request_id)
    return found[-1] if found else None


def _invite(ctx, actor: User, req: dict, draw_id: int, plan: list[dict]) -> None:
    for row in plan:
        for expert_id, position in row["invite"]:
            _repo(ctx, ASSIGNMENTS).insert(
                {"request_id": req["id"], "expert_id": expert_id, "policy_id": req["policy_id"],
                 "specialty": row["specialty"], "draw_id": draw_id, "position": position, "start": req["start"],
                 "end": req["end"], "status": "邀请中", "invited_on": ctx.today().isoformat()},
                actor=actor.username, action="发出邀请")
    shortages = [row["specialty"] for row in plan if row["short"] > 0]
    if shortages != req.get("shortages", []):
        _repo(ctx, REQUESTS).update(req["id"], {"shortages": shortages}, actor=actor.username,
                                    action="该专业无可用专家" if shortages else "可用专家已补足")


def _fill_invitations(ctx, actor: User, request_id: int) -> None:
    """After a decline or a release: invite, per specialty, the next experts of the latest draw's order into the open
    slots only (no re-shuffle; nobody invited twice for the same request)."""
    req = request(ctx, request_id)
    latest = latest_draw(ctx, request_id)
    if latest is None:
        return
    plan = plan_invitations(req["needs"], latest["result"]["orders"], _assignments_of(ctx, request_id))
    _invite(ctx, actor, req, latest["id"], plan)


def answer(ctx: AppContext, actor: User, assignment_id: int, *, accepted: bool, channel: str, reason: str = "",
           justified: bool | None = None) -> dict:
    """记录专家答复 (电话/微信): accepted, or declined with a reason and whether it is justified; a decline invites
    the next expert of the committed order, and may raise a dismissal proposal (YQ-D4, JC-D4).

    An acceptance that would take a specialty over the requested number (an invitation left over from data made
    before the slot rule) is refused, nothing written: the office releases that invitation instead."""
    _require_office(actor)
    a = _repo(ctx, ASSIGNMENTS).get(assignment_id)
    if a is None:
        raise NotFoundError(f"邀请记录 {assignment_id} 不存在")
    if a["status"] != "邀请中":
        raise ValidationError(("status", "该邀请已答复"))
    req = request(ctx, a["request_id"])
    _refuse_final(req, "记录答复")
    if not isinstance(accepted, bool):
        raise ValidationError(("accepted", "请选择接受或拒绝"))
    channel = clean_choice(channel, field_label="联系方式", choices=ANSWER_CHANNELS, field_key="channel")
    reason = clean_reason(reason, label="拒绝理由", required=not accepted)
    if not accepted and justified is None:
        raise ValidationError(("justified", "请认定拒绝理由是否正当"))
    if accepted:
        row = next((r for r in staffing(req["needs"], _assignments_of(ctx, req["id"]))
                    if r["specialty"] == a["specialty"]), None)
        if row is None or row["accepted"] >= row["requested"]:
            policy = require_policy(ctx, req["policy_id"])
            held = f"已有{row['accepted']}人接受委派，达到申请人数{row['requested']}人" if row else "不在申请的专业中"
            raise ValidationError(("status", f"{_label(policy, a['specialty'])}{held}；这份邀请超出申请人数，不能再接受。"
                                             f"请在“调整已委派专家”中取消该邀请"))
    changes = {"status": "已接受" if accepted else "已拒绝", "answered_on": ctx.today().isoformat(),
               "answer_channel": channel, "decline_reason": "" if accepted else reason,
               "decline_justified": None if accepted else bool(justified)}
    saved = _repo(ctx, ASSIGNMENTS).update(assignment_id, changes, actor=actor.username,
                                           action="专家接受委派" if accepted else "专家拒绝委派")
    if accepted:
        _mark_dispatched(ctx, actor, a["request_id"])
    else:
        _fill_invitations(ctx, actor, a["request_id"])
        _propose_if_due(ctx, actor, a["expert_id"], a["policy_id"])
    return saved


def _mark_dispatched(ctx, actor: User, request_id: int) -> None:
    req = request(ctx, request_id)
    if fully_staffed(req["needs"], _assignments_of(ctx, request_id)) \
            and req["status"] in ("已抽取", "待补批", "已审批", "待审批"):
        status = "已委派" if req.get("approval") else ("待补批" if req.get("emergency") else "待审批")
        if status != req["status"]:
            _repo(ctx, REQUESTS).update(request_id, {"status": status}, actor=actor.username, action="委派完成")


def verify(ctx: AppContext, draw_id: int) -> tuple[bool, str]:
    """复核: replay the stored draw and compare (X-D2)."""
    record = _repo(ctx, DRAWS).get(draw_id)
    if record is None:
        raise NotFoundError(f"抽取记录 {draw_id} 不存在")
    return verify_replay(record["result"], ctx)


def verify_replay(stored: dict, ctx: AppContext | None = None) -> tuple[bool, str]:
    """复核 of a stored draw result: a full record (made before issue 17) from itself, a compact one from the pool
    snapshot it names, read from `ctx`'s store (rebuilt from its pieces, each checked) and checked against its
    hash. A snapshot that cannot be rebuilt (a piece missing or altered) is a failed 复核 naming it."""
    if ctx is None:
        return replay(stored)
    try:
        snapshot = _snapshot_of(ctx, stored)
    except DomainError as error:
        return False, error.message
    return replay(stored, snapshot)


# --- pool snapshots (抽取快照): the pool a draw read, kept in proportion to what changed (services.pool_snapshots) --
def keep_pool_snapshot(ctx: AppContext, actor: User, snapshot: dict | None, digest: str | None = None) -> str | None:
    """Keep a draw's pool snapshot ({"experts": […]}, `digest` its SHA-256 when known) unless one with that hash is
    kept already (draws that saw the same pool share it): only the pieces of the experts whose entry changed, their
    chunks and a manifest are written. Returns the hash (None for no snapshot)."""
    return pool_snapshots.keep(ctx, actor, snapshot, digest)


def pool_snapshot(ctx: AppContext, digest: str) -> dict | None:
    """The pool snapshot with this hash as {"hash", "count", "experts": […]}, or None when none is kept. Rebuilt from
    its pieces and checked (each piece against its hash, the whole against the manifest's): DomainError (Chinese)
    naming a missing part or an altered piece. A snapshot kept whole (the first compact records) is returned as
    stored; replay checks it against the record's hash."""
    return pool_snapshots.load(ctx, digest)


def _snapshot_of(ctx: AppContext, stored: dict) -> dict | None:
    digest = ((stored or {}).get("inputs") or {}).get("pool_snapshot")
    return pool_snapshot(ctx, digest) if isinstance(digest, str) else None


def exclusion_summary(stored: dict) -> list[dict]:
    """Per rule: label, count and how many of them the record lists by name (core.drawing.listed) — rules with
    names first, 专业不符 last. A full record made before issue 17 is summed the same way."""
    try:
        rec = DrawResult.from_dict(stored)
    except (KeyError, TypeError, ValueError, AttributeError):
        return []  # a record of the wrong shape: 复核 says so
    rows = [{"rule": rule, "label": EXCLUSION_RULES.get(rule, rule), "count": n, "listed": shown}
            for rule, n, shown in (rec.summary or summarise(rec.exclusions))]
    return sorted(rows, key=lambda row: not row["listed"])


def listed_exclusions(stored: dict) -> list[dict]:
    """The exclusions a person must see, by name (experts of the needed specialties: 回避, busy, declined,
    suspended, conditions …; never 专业不符)."""
    try:
        rec = DrawResult.from_dict(stored)
    except (KeyError, TypeError, ValueError, AttributeError):
        return []
    return [x.to_dict() for x in (rec.exclusions if rec.compact else listed(rec.exclusions))]


def all_exclusions(ctx: AppContext, draw_id: int) -> list[dict]:
    """查看全部排除: every exclusion of a stored draw with rule and reason — recomputed from the pool snapshot for a
    compact record (checked against the record's digest). DomainError (Chinese) if it cannot be recomputed."""
    record = _repo(ctx, DRAWS).get(draw_id)
    if record is None:
        raise NotFoundError(f"抽取记录 {draw_id} 不存在")
    return [x.to_dict() for x in full_exclusions(record["result"], _snapshot_of(ctx, record["result"]))]


def eligible_for_selection(ctx: AppContext, request_id: int) -> tuple[dict[str, list[int]], list[dict]]:
    """选派: who may be chosen directly — the same exclusions as a draw (回避, term, busy…), no random order."""
    req = request(ctx, request_id)
    policy = require_policy(ctx, req["policy_id"])
    pool = _pool(ctx, policy)
    history = _draw_history(ctx, policy, req, pool)
    result = run_draw(req, pool, history, policy, seed="direct-selection", drawn_at=_now(ctx),
                      keep_inputs=False)
    return {spec: sorted(order) for spec, order in result.orders.items()}, [x.to_dict() for x in result.exclusions]


def select_directly(ctx: AppContext, actor: User, request_id: int, picks: dict[str, list[int]]) -> int:
    """直接选派 (YQ 第十四条(一)2, with the request's stated reason): invite the chosen eligible experts — per
    specialty exactly its open slots (requested − accepted − pending), nobody twice, no specialty not requested."""
    _require_office(actor)
    req = request(ctx, request_id)
    policy = require_policy(ctx, req["policy_id"])
    if req.get("mode") != "选派":
        raise ValidationError(("mode", "该申请为随机抽取，不能直接选派"))
    _refuse_final(req, "选派")
    may_draw(req, policy)
    if not isinstance(picks, dict):
        raise ValidationError(("picks", "选派名单格式不正确"))
    assignments = _assignments_of(ctx, request_id)
    rows = {row["specialty"]: row for row in staffing(req["needs"], assignments)}
    if not any(row["open"] for row in rows.values()):
        raise ValidationError(("picks", "各专业均已满员，无需选派"))
    eligible, _ = eligible_for_selection(ctx, request_id)
    already = {a["expert_id"] for a in assignments}
    errors, seen = [], set()
    for spec in picks:
        if spec not in rows:
            errors.append(("picks", f"{_label(policy, spec)}不是本申请所需的专业"))
    for spec, row in rows.items():
        chosen = picks.get(spec) or []
        label = _label(policy, spec)
        if not isinstance(chosen, (list, tuple)) or any(not isinstance(i, int) or isinstance(i, bool) for i in chosen):
            errors.append(("picks", f"{label}：选派名单格式不正确"))
            continue
        if len(chosen) != row["open"]:
            errors.append(("picks", f"{label}：须选派{row['open']}人，已选{len(chosen)}人"))
        if len(set(chosen)) != len(chosen) or seen & set(chosen) or already & set(chosen):
            errors.append(("picks", f"{label}：同一位专家不能重复选派"))
        seen |= set(chosen)
        if set(chosen) - set(eligible.get(spec, [])):
            errors.append(("picks", f"{label}：所选专家不在可选名单内（回避、聘期或时间冲突）"))
    if errors:
        raise ValidationError(errors)
    for spec in rows:
        for expert_id in picks.get(spec) or []:
            _repo(ctx, ASSIGNMENTS).insert(
                {"request_id": request_id, "expert_id": expert_id, "policy_id": req["policy_id"], "specialty": spec,
                 "draw_id": None, "selected": True, "position": None, "start": req["start"], "end": req["end"],
                 "status": "邀请中", "invited_on": ctx.today().isoformat()}, actor=actor.username, action="直接选派")
    if req["status"] in ("已审批", "待补批"):
        _repo(ctx, REQUESTS).update(request_id, {"status": "已抽取" if req.get("approval") else "待补批"},
                                    actor=actor.username, action="直接选派")
    return len(seen)


def replace_expert(ctx: AppContext, actor: User, assignment_id: int, reason: str) -> dict:
    """调整已委派专家: the expert is released with a reason and the next of the order invited into the slot (only if a
    slot is open, so releasing a surplus invitation invites nobody). In JC releasing an expert who had accepted needs
    the leader's approval again (第十一条), so the request goes back to 待审批; withdrawing a pending invitation does not."""
    _require_office(actor)
    reason = clean_reason(reason, label="调整理由", required=True)
    a = _repo(ctx, ASSIGNMENTS).get(assignment_id)
    if a is None or a["status"] not in OPEN_ANSWERS:
        raise ValidationError(("assignment", "只能调整邀请中或已接受的专家"))
    req = request(ctx, a["request_id"])
    _refuse_final(req, "调整专家")
    policy = require_policy(ctx, req["policy_id"])
    needs_approval = change_needs_approval(req, policy) and a["status"] == "已接受"
    _repo(ctx, ASSIGNMENTS).update(assignment_id, {"status": "已取消", "cancel_reason": reason},
                                   actor=actor.username, action="调整委派专家")
    if needs_approval:
        _repo(ctx, REQUESTS).update(req["id"], {"approval": None, "status": "待审批",
                                                "required_reason": f"调整已委派专家（{reason}），须重新报批"},
                                    actor=actor.username, action="调整专家，重新报批")
    elif req["status"] == "已委派" and not fully_staffed(req["needs"], _assignments_of(ctx, req["id"])):
        _repo(ctx, REQUESTS).update(req["id"], {"status": "已抽取"}, actor=actor.username, action="调整委派专家")
    _fill_invitations(ctx, actor, req["id"])
    return request(ctx, req["id"])


# --- decline consequences → proposals (never applied by themselves) ---------------------------------------------
def _propose_if_due(ctx, actor: User, expert_id: int, policy_id: str) -> None:
    policy = require_policy(ctx, policy_id)
    history = _repo(ctx, ASSIGNMENTS).find("expert_id", expert_id)
    due = decline_consequence(expert_id, history, policy, ctx.today())
    if due is None:
        return
    open_ = [p for p in _repo(ctx, PROPOSALS).find("expert_id", expert_id) if p.get("status") == "待处理"]
    if open_:
        return
    expert = _repo(ctx, EXPERTS).get(expert_id) or {}
    _repo(ctx, PROPOSALS).insert({"expert_id": expert_id, "name": expert.get("name", ""), "policy_id": policy_id,
                                  "reason_number": due["reason_number"], "text": due["text"], "source": "拒绝委派",
                                  "created_on": ctx.today().isoformat(), "status": "待处理"},
                                 actor=actor.username, action="生成解聘建议")


def proposals(ctx: AppContext, status: str | None = "待处理") -> list[dict]:
    pid = active_policy(ctx).id
    rows = _repo(ctx, PROPOSALS).find("status", status) if status is not None else _repo(ctx, PROPOSALS).find(
        "policy_id", pid)
    return [p for p in rows if p.get("policy_id") == pid and (status is None or p["status"] == status)]


def handle_proposal(ctx: AppContext, actor: User, proposal_id: int, *, open_case: bool, note: str) -> int | None:
    """立案 (a dismissal case with the proposal's reason and text) or 不予立案 with a note."""
    from services import dismissals

    _require_office(actor)
    if not isinstance(open_case, bool):
        raise ValidationError(("open_case", "请选择立案或不予立案"))
    note = clean_reason(note, label="处理意见", required=True)
    p = _repo(ctx, PROPOSALS).get(proposal_id)
    if p is None or p["status"] != "待处理":
        raise ValidationError(("proposal", "该建议已处理"))
    case_id = None
    if open_case:
        case_id = dismissals.raise_case(ctx, actor, p["expert_id"], p["reason_number"], f"{p['text']}；{note}")
    _repo(ctx, PROPOSALS).update(proposal_id, {"status": "已立案" if open_case else "不予立案", "note": note,
                                               "handled_by": actor.username, "case_id": case_id},
                                 actor=actor.username, action="处理解聘建议")
    return case_id


def tasks_of(ctx: AppContext, expert_id: int) -> list[dict]:
    """An expert's dispatches (the task record on the expert's file)."""
    found = _repo(ctx, ASSIGNMENTS).find("expert_id", expert_id)
    wanted = {a.get("request_id") for a in found}  # only the requests named, not a copy of every request ever
    reqs = {r["id"]: r for r in _repo(ctx, REQUESTS).get_many(wanted)} if wanted else {}
    return [dict(a, matter=reqs.get(a["request_id"], {}).get("matter", "")) for a in sorted(found, key=lambda a: a["id"])]



# --- forms -------------------------------------------------------------------------------------------------------
def forms_for(ctx: AppContext, request_id: int) -> list[tuple[str, str, object]]:
    """The Word forms of a request as (title, file name, zero-argument builder returning bytes): JC 附件7; YQ 附表四
    and 附表五; and the 抽取记录单 of the latest draw. Built only when the user clicks."""
    from services import forms_service

    req = request(ctx, request_id)
    policy = require_policy(ctx, req["policy_id"])
    by_id = {e["id"]: e for e in _pool(ctx, policy)}
    # never more experts than requested per specialty, whatever the data holds (issue 10 item 2)
    accepted = [copy.deepcopy(by_id[a["expert_id"]])  # the forms get their own copies of the shared pool's records
                for a in staffed_assignments(req["needs"], _assignments_of(ctx, request_id)) if a["expert_id"] in by_id]
    out = []
    if policy.drawing.request_form_id == "jc_fj7":
        out.append(("服务派遣审批单（附件7）", f"附件7_服务派遣审批单_{request_id}.docx",
                    lambda: forms_service.dispatch_approval_form(req, accepted, policy)[1]))
    else:
        out.append(("使用申请表（附表四）", f"附表四_使用申请表_{request_id}.docx",
                    lambda: forms_service.request_form(req, policy)[1]))
        number = f"{req['filed_on'][:4]}-{request_id:04d}"
        out.append(("使用委派单（附表五）", f"附表五_使用委派单_{request_id}.docx",
                    lambda: forms_service.dispatch_slip_form(req, accepted, policy, number=number)[1]))
    latest = latest_draw(ctx, request_id)
    if latest is not None:
        names = {i: e["name"] for i, e in by_id.items()}
        result = dict(latest["result"], reason=latest["reason"], audit_head=draw_audit_head(ctx, latest["id"]))
        out.append(("抽取记录单", f"抽取记录单_{request_id}_第{latest['seq']}次.docx",
                    lambda: forms_service.draw_record_form(req, result, names, _assignments_of(ctx, request_id),
                                                           policy, drawn_by=latest["drawn_by"])[1]))
    return out

"""使用申请、审批、抽取、邀请与委派 — a using department asks for experts, the right leader approves, the office draws
them fairly and provably, records each answer, replaces a decliner with the next expert of the committed order
(never a re-shuffle), and dispatches. JC 第十一条、附件7; YQ 第十二条–第十四条、附表四、附表五.

A draw stores its seed (from `secrets`), the method version, the hash of each eligible list and the complete
order, so replaying it proves the result (X-D2). A new draw for the same request is a new record with a stated
reason; both stay visible. Decline consequences (YQ 连续3次, JC 一年内两次无正当理由) become proposals for the
dismissal workflow — shown to the office, never applied by themselves.
"""
from __future__ import annotations

import secrets

from core import vocab
from core.auth import can
from core.dispatch import (can_approve, change_needs_approval, check_request, decline_consequence, may_draw,
                           required_approval, same_department, status_on_filing, task_days)
from core.drawing import draw as run_draw
from core.errors import NotFoundError, PermissionDenied, ValidationError
from services.context import AppContext, User
from services.fees import approval_estimate
from services.settings import active_policy, require_policy

REQUESTS, ASSIGNMENTS, DRAWS, PROPOSALS, EXPERTS = "requests", "assignments", "draws", "proposals", "experts"
OPEN_ANSWERS = ("邀请中", "已接受")


def _repo(ctx, name):
    return ctx.store.collection(name)


def _now(ctx) -> str:
    return ctx.now().isoformat(timespec="seconds")


def _require_office(actor: User) -> None:
    if not can(actor.role, "edit_experts"):
        raise PermissionDenied("只有专家管理办公室可以办理抽取和委派")


def _pool(ctx, policy) -> list[dict]:
    return _repo(ctx, EXPERTS).search(lambda d: d.get("policy_id") == policy.id)


def request(ctx: AppContext, request_id: int) -> dict:
    found = _repo(ctx, REQUESTS).get(request_id)
    if found is None:
        raise NotFoundError(f"使用申请 {request_id} 不存在")
    return found


# --- requests (使用申请) ----------------------------------------------------------------------------------------
def file_request(ctx: AppContext, actor: User, data: dict) -> tuple[int, list[str]]:
    """Validate and file a request; a 使用科室 user files for their own department (YQ-D5 报备)."""
    if actor.role not in (vocab.ROLE_DEPARTMENT, vocab.ROLE_OFFICE, vocab.ROLE_ADMIN):
        raise PermissionDenied("只有使用科室或专家管理办公室可以提出使用申请")
    policy = active_policy(ctx)
    doc = dict(data)
    if actor.role == vocab.ROLE_DEPARTMENT:
        doc["department"] = actor.department
    doc.update(policy_id=policy.id, filed_on=ctx.today().isoformat(), filed_by=actor.username,
               external_experts=list(doc.get("external_experts") or []), approval=None)
    if not doc.get("days") and doc.get("start") and doc.get("end"):
        doc["days"] = task_days(doc["start"], doc["end"])
    warnings = check_request(doc, policy, _pool(ctx, policy), ctx.today(), filer_role=actor.role)
    level = required_approval(doc, policy)
    doc.update(required_level=level["level"], required_reason=level["reason"],
               status=status_on_filing(doc, policy), created_at=_now(ctx))
    return _repo(ctx, REQUESTS).insert(doc, actor=actor.username, action="提出使用申请"), warnings


def requests(ctx: AppContext, actor: User, *, status: tuple[str, ...] = ()) -> list[dict]:
    """The active profile's requests, newest first; a 使用科室 user sees only their department's."""
    pid = active_policy(ctx).id
    mine = actor.role == vocab.ROLE_DEPARTMENT
    found = _repo(ctx, REQUESTS).search(
        lambda r: r.get("policy_id") == pid and (not status or r.get("status") in status)
        and (not mine or same_department(r.get("department"), actor.department)))
    return sorted(found, key=lambda r: -r["id"])


def awaiting_approval(ctx: AppContext, actor: User) -> list[dict]:
    """Requests this user may sign: not yet approved (incl. emergencies used first, 待补批)."""
    return [r for r in requests(ctx, actor) if r.get("approval") is None and r["status"] != "已撤回"
            and can_approve(actor.role, r["required_level"])]


def approve(ctx: AppContext, actor: User, request_id: int, opinion: str) -> dict:
    """审批 (JC 附件7 分管领导/主要领导; YQ 专家管理办公室); for an emergency it is the approval filled in afterwards.
    When the profile requires budgets (JC 第十八条, JC-F4) the estimated fee must fit in the department's budget
    left for the year (services.fees.approval_estimate) and is stored on the request as "estimated_fee"."""
    req = request(ctx, request_id)
    if req.get("approval"):
        raise ValidationError(("approval", "该申请已审批"))
    if not can_approve(actor.role, req["required_level"]):
        raise PermissionDenied(f"该申请须由{req['required_level']}审批（{req['required_reason']}）")
    approval = {"by": actor.display_name, "username": actor.username, "role": actor.role,
                "level": req["required_level"], "on": ctx.today().isoformat(), "opinion": (opinion or "同意").strip(),
                "after_the_fact": req["status"] != "待审批"}
    history = list(req.get("approvals") or []) + [approval]
    changes = {"approval": approval, "approvals": history, "status": _status_after_approval(ctx, req)}
    estimated = approval_estimate(ctx, req)  # JC 第十八条: refused (nothing saved) beyond the budget left
    if estimated is not None:
        changes["estimated_fee"] = str(estimated)
    saved = _repo(ctx, REQUESTS).update(request_id, changes, actor=actor.username,
                                        action="补批使用申请" if approval["after_the_fact"] else "审批使用申请")
    _mark_dispatched(ctx, actor, request_id)
    return saved


def _status_after_approval(ctx, req: dict) -> str:
    if not _draws_of(ctx, req["id"]) and not _assignments_of(ctx, req["id"]):
        return "已审批"
    return "已抽取"


def withdraw(ctx: AppContext, actor: User, request_id: int, reason: str) -> dict:
    if not (reason or "").strip():
        raise ValidationError(("reason", "请填写撤回理由"))
    req = request(ctx, request_id)
    if actor.role == vocab.ROLE_DEPARTMENT and not same_department(req.get("department"), actor.department):
        raise PermissionDenied("只能撤回本科室的申请")
    for a in _assignments_of(ctx, request_id):
        if a["status"] in OPEN_ANSWERS:
            _repo(ctx, ASSIGNMENTS).update(a["id"], {"status": "已取消"}, actor=actor.username, action="申请撤回，取消邀请")
    return _repo(ctx, REQUESTS).update(request_id, {"status": "已撤回", "withdraw_reason": reason.strip()},
                                       actor=actor.username, action="撤回使用申请")


# --- the draw (抽取) ---------------------------------------------------------------------------------------------
def _draws_of(ctx, request_id: int) -> list[dict]:
    return sorted(_repo(ctx, DRAWS).search(lambda d: d.get("request_id") == request_id), key=lambda d: d["id"])


def draws_of(ctx: AppContext, request_id: int) -> list[dict]:
    return _draws_of(ctx, request_id)


def _assignments_of(ctx, request_id: int) -> list[dict]:
    return sorted(_repo(ctx, ASSIGNMENTS).search(lambda a: a.get("request_id") == request_id), key=lambda a: a["id"])


def assignments_of(ctx: AppContext, request_id: int) -> list[dict]:
    return _assignments_of(ctx, request_id)


def draw(ctx: AppContext, actor: User, request_id: int, *, reason: str = "") -> int:
    """随机抽取: a seeded, recorded draw; the first experts of each specialty's order are invited at once."""
    _require_office(actor)
    req = request(ctx, request_id)
    policy = require_policy(ctx, req["policy_id"])
    if req.get("mode") == "选派":
        raise ValidationError(("mode", "选派的申请不进行随机抽取，请直接指定专家"))
    if req["status"] == "已撤回":
        raise ValidationError(("status", "申请已撤回"))
    may_draw(req, policy)
    previous = _draws_of(ctx, request_id)
    if previous and not (reason or "").strip():
        raise ValidationError(("reason", "重新抽取须说明理由；原抽取记录保留"))
    history = _repo(ctx, ASSIGNMENTS).search(lambda a: a.get("policy_id") == policy.id)
    result = run_draw(req, _pool(ctx, policy), history, policy, seed=secrets.token_hex(16), drawn_at=_now(ctx))
    for a in _assignments_of(ctx, request_id):  # a new draw replaces the open invitations of the old one
        if a["status"] == "邀请中":
            _repo(ctx, ASSIGNMENTS).update(a["id"], {"status": "已取消"}, actor=actor.username, action="重新抽取，取消原邀请")
    draw_id = _repo(ctx, DRAWS).insert({"request_id": request_id, "policy_id": policy.id, "seq": len(previous) + 1,
                                        "reason": (reason or "").strip() or "首次抽取", "drawn_by": actor.display_name,
                                        "result": result.to_dict()}, actor=actor.username, action="随机抽取")
    if req["status"] in ("已审批", "待补批"):
        _repo(ctx, REQUESTS).update(request_id, {"status": "已抽取" if req.get("approval") else "待补批"},
                                    actor=actor.username, action="随机抽取")
    _fill_invitations(ctx, actor, request_id)
    return draw_id


def latest_draw(ctx: AppContext, request_id: int) -> dict | None:
    found = _draws_of(ctx, request_id)
    return found[-1] if found else None


def _fill_invitations(ctx, actor: User, request_id: int) -> None:
    """Invite, per specialty, the next experts of the latest draw's order until the count is met (no re-shuffle)."""
    req = request(ctx, request_id)
    latest = latest_draw(ctx, request_id)
    if latest is None:
        return
    orders = latest["result"]["orders"]
    taken = {a["expert_id"] for a in _assignments_of(ctx, request_id) if a["status"] != "已取消"}
    shortages = []
    for need in req["needs"]:
        spec = need["specialty"]
        live = [a for a in _assignments_of(ctx, request_id)
                if a["specialty"] == spec and a["status"] in OPEN_ANSWERS and a.get("draw_id") == latest["id"]]
        missing = need["count"] - len(live)
        candidates = [i for i in orders.get(spec, []) if i not in taken]
        for expert_id in candidates[:max(missing, 0)]:
            _repo(ctx, ASSIGNMENTS).insert(
                {"request_id": request_id, "expert_id": expert_id, "policy_id": req["policy_id"], "specialty": spec,
                 "draw_id": latest["id"], "position": orders[spec].index(expert_id) + 1, "start": req["start"],
                 "end": req["end"], "status": "邀请中", "invited_on": ctx.today().isoformat()},
                actor=actor.username, action="发出邀请")
            taken.add(expert_id)
        if missing > len(candidates):
            shortages.append(spec)
    if shortages != req.get("shortages", []):
        _repo(ctx, REQUESTS).update(request_id, {"shortages": shortages}, actor=actor.username,
                                    action="该专业无可用专家" if shortages else "可用专家已补足")


def answer(ctx: AppContext, actor: User, assignment_id: int, *, accepted: bool, channel: str, reason: str = "",
           justified: bool | None = None) -> dict:
    """记录专家答复 (电话/微信): accepted, or declined with a reason and whether it is justified; a decline invites
    the next expert of the committed order, and may raise a dismissal proposal (YQ-D4, JC-D4)."""
    _require_office(actor)
    a = _repo(ctx, ASSIGNMENTS).get(assignment_id)
    if a is None:
        raise NotFoundError(f"邀请记录 {assignment_id} 不存在")
    if a["status"] != "邀请中":
        raise ValidationError(("status", "该邀请已答复"))
    if not channel:
        raise ValidationError(("channel", "请选择联系方式"))
    if not accepted and not (reason or "").strip():
        raise ValidationError(("reason", "请填写拒绝理由"))
    if not accepted and justified is None:
        raise ValidationError(("justified", "请认定拒绝理由是否正当"))
    changes = {"status": "已接受" if accepted else "已拒绝", "answered_on": ctx.today().isoformat(),
               "answer_channel": channel, "decline_reason": "" if accepted else reason.strip(),
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
    accepted = [a for a in _assignments_of(ctx, request_id) if a["status"] == "已接受"]
    wanted = sum(n["count"] for n in req["needs"])
    if len(accepted) >= wanted and req["status"] in ("已抽取", "待补批", "已审批", "待审批"):
        status = "已委派" if req.get("approval") else ("待补批" if req.get("emergency") else "待审批")
        if status != req["status"]:
            _repo(ctx, REQUESTS).update(request_id, {"status": status}, actor=actor.username, action="委派完成")


def verify(ctx: AppContext, draw_id: int) -> tuple[bool, str]:
    """复核: replay the stored draw and compare (X-D2)."""
    record = _repo(ctx, DRAWS).get(draw_id)
    if record is None:
        raise NotFoundError(f"抽取记录 {draw_id} 不存在")
    return verify_replay(record["result"])


def verify_replay(stored: dict) -> tuple[bool, str]:
    from core.drawing import replay
    return replay(stored)


def eligible_for_selection(ctx: AppContext, request_id: int) -> tuple[dict[str, list[int]], list[dict]]:
    """选派: who may be chosen directly — the same exclusions as a draw (回避, term, busy…), no random order."""
    req = request(ctx, request_id)
    policy = require_policy(ctx, req["policy_id"])
    history = _repo(ctx, ASSIGNMENTS).search(lambda a: a.get("policy_id") == policy.id)
    result = run_draw(req, _pool(ctx, policy), history, policy, seed="direct-selection", drawn_at=_now(ctx),
                      keep_inputs=False)
    return {spec: sorted(order) for spec, order in result.orders.items()}, [x.to_dict() for x in result.exclusions]


def select_directly(ctx: AppContext, actor: User, request_id: int, picks: dict[str, list[int]]) -> int:
    """直接选派 (YQ 第十四条(一)2, with the request's stated reason): invite the chosen eligible experts."""
    _require_office(actor)
    req = request(ctx, request_id)
    policy = require_policy(ctx, req["policy_id"])
    if req.get("mode") != "选派":
        raise ValidationError(("mode", "该申请为随机抽取，不能直接选派"))
    may_draw(req, policy)
    eligible, _ = eligible_for_selection(ctx, request_id)
    errors = []
    for need in req["needs"]:
        chosen = picks.get(need["specialty"], [])
        if len(chosen) != need["count"]:
            errors.append(("picks", f"{need['specialty']}：须选派{need['count']}人，已选{len(chosen)}人"))
        if set(chosen) - set(eligible.get(need["specialty"], [])):
            errors.append(("picks", f"{need['specialty']}：所选专家不在可选名单内（回避、聘期或时间冲突）"))
    if errors:
        raise ValidationError(errors)
    for spec, chosen in picks.items():
        for expert_id in chosen:
            _repo(ctx, ASSIGNMENTS).insert(
                {"request_id": request_id, "expert_id": expert_id, "policy_id": req["policy_id"], "specialty": spec,
                 "draw_id": None, "selected": True, "position": None, "start": req["start"], "end": req["end"],
                 "status": "邀请中", "invited_on": ctx.today().isoformat()}, actor=actor.username, action="直接选派")
    if req["status"] in ("已审批", "待补批"):
        _repo(ctx, REQUESTS).update(request_id, {"status": "已抽取" if req.get("approval") else "待补批"},
                                    actor=actor.username, action="直接选派")
    return sum(len(v) for v in picks.values())


def replace_expert(ctx: AppContext, actor: User, assignment_id: int, reason: str) -> dict:
    """调整已委派专家: the expert is released with a reason and the next of the order invited; in JC the change
    needs the leader's approval again (第十一条), so the request goes back to 待审批."""
    _require_office(actor)
    if not (reason or "").strip():
        raise ValidationError(("reason", "请填写调整理由"))
    a = _repo(ctx, ASSIGNMENTS).get(assignment_id)
    if a is None or a["status"] not in OPEN_ANSWERS:
        raise ValidationError(("assignment", "只能调整邀请中或已接受的专家"))
    req = request(ctx, a["request_id"])
    policy = require_policy(ctx, req["policy_id"])
    needs_approval = change_needs_approval(req, policy)
    _repo(ctx, ASSIGNMENTS).update(assignment_id, {"status": "已取消", "cancel_reason": reason.strip()},
                                   actor=actor.username, action="调整委派专家")
    if needs_approval:
        _repo(ctx, REQUESTS).update(req["id"], {"approval": None, "status": "待审批",
                                                "required_reason": f"调整已委派专家（{reason.strip()}），须重新报批"},
                                    actor=actor.username, action="调整专家，重新报批")
    _fill_invitations(ctx, actor, req["id"])
    return request(ctx, req["id"])


# --- decline consequences → proposals (never applied by themselves) ---------------------------------------------
def _propose_if_due(ctx, actor: User, expert_id: int, policy_id: str) -> None:
    policy = require_policy(ctx, policy_id)
    history = _repo(ctx, ASSIGNMENTS).search(lambda a: a.get("expert_id") == expert_id)
    due = decline_consequence(expert_id, history, policy, ctx.today())
    if due is None:
        return
    open_ = _repo(ctx, PROPOSALS).search(lambda p: p.get("expert_id") == expert_id and p.get("status") == "待处理")
    if open_:
        return
    expert = _repo(ctx, EXPERTS).get(expert_id) or {}
    _repo(ctx, PROPOSALS).insert({"expert_id": expert_id, "name": expert.get("name", ""), "policy_id": policy_id,
                                  "reason_number": due["reason_number"], "text": due["text"], "source": "拒绝委派",
                                  "created_on": ctx.today().isoformat(), "status": "待处理"},
                                 actor=actor.username, action="生成解聘建议")


def proposals(ctx: AppContext, status: str | None = "待处理") -> list[dict]:
    pid = active_policy(ctx).id
    return _repo(ctx, PROPOSALS).search(lambda p: p.get("policy_id") == pid and (status is None or p["status"] == status))


def handle_proposal(ctx: AppContext, actor: User, proposal_id: int, *, open_case: bool, note: str) -> int | None:
    """立案 (a dismissal case with the proposal's reason and text) or 不予立案 with a note."""
    from services import dismissals

    _require_office(actor)
    if not (note or "").strip():
        raise ValidationError(("note", "请填写处理意见"))
    p = _repo(ctx, PROPOSALS).get(proposal_id)
    if p is None or p["status"] != "待处理":
        raise ValidationError(("proposal", "该建议已处理"))
    case_id = None
    if open_case:
        case_id = dismissals.raise_case(ctx, actor, p["expert_id"], p["reason_number"], f"{p['text']}；{note.strip()}")
    _repo(ctx, PROPOSALS).update(proposal_id, {"status": "已立案" if open_case else "不予立案", "note": note.strip(),
                                               "handled_by": actor.username, "case_id": case_id},
                                 actor=actor.username, action="处理解聘建议")
    return case_id


def tasks_of(ctx: AppContext, expert_id: int) -> list[dict]:
    """An expert's dispatches (the task record on the expert's file)."""
    found = _repo(ctx, ASSIGNMENTS).search(lambda a: a.get("expert_id") == expert_id)
    reqs = {r["id"]: r for r in _repo(ctx, REQUESTS).all()}
    return [dict(a, matter=reqs.get(a["request_id"], {}).get("matter", "")) for a in sorted(found, key=lambda a: a["id"])]



# --- forms -------------------------------------------------------------------------------------------------------
def forms_for(ctx: AppContext, request_id: int) -> list[tuple[str, str, object]]:
    """The Word forms of a request as (title, file name, zero-argument builder returning bytes): JC 附件7; YQ 附表四
    and 附表五; and the 抽取记录单 of the latest draw. Built only when the user clicks."""
    from services import forms_service

    req = request(ctx, request_id)
    policy = require_policy(ctx, req["policy_id"])
    by_id = {e["id"]: e for e in _pool(ctx, policy)}
    accepted = [by_id[a["expert_id"]] for a in _assignments_of(ctx, request_id)
                if a["status"] in ("已接受", "已完成") and a["expert_id"] in by_id]
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
        result = dict(latest["result"], reason=latest["reason"])
        out.append(("抽取记录单", f"抽取记录单_{request_id}_第{latest['seq']}次.docx",
                    lambda: forms_service.draw_record_form(req, result, names, _assignments_of(ctx, request_id),
                                                           policy, drawn_by=latest["drawn_by"])[1]))
    return out

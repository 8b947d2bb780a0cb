"""解聘退出 / 清退 — dismissal cases (JC 第九条, YQ 第二十四条) and the ban list.

Raising a reason suspends the expert at once where the profile says so (JC: 应立即停止使用), so they cannot be
drawn; the case then follows the profile's procedure step by step (proposal → leader → meeting → notice → final).
Reasons the profile marks permanent (JC 第九条(五)–(九), 第十四条(三)) end in 清退 and put the person on the ban list,
which the intake screen checks. YQ's first-time reminder talk (提醒谈话) is a recorded event, not a case.
"""
from __future__ import annotations

from datetime import date

from core.auth import can
from core.dismissal import advance_case, next_step, open_case, reason_choices, reminder_talk
from core.lifecycle import Workflow
from core.errors import NotFoundError, PermissionDenied, ValidationError
from services import lifecycle
from services.context import AppContext, User
from services.settings import active_policy, require_policy

CASES, EVENTS, EXPERTS = "dismissals", "events", "experts"


def _cases(ctx):
    return ctx.store.collection(CASES)


def _require_office(actor: User) -> None:
    if not can(actor.role, "edit_experts"):
        raise PermissionDenied("只有专家管理办公室可以办理解聘")


def _expert(ctx, expert_id: int | None) -> dict:
    if expert_id is None:
        raise ValidationError(("expert", "请选择专家"))
    expert = ctx.store.collection(EXPERTS).get(expert_id)
    if expert is None:
        raise NotFoundError(f"专家记录 {expert_id} 不存在")
    return expert


def raise_case(ctx: AppContext, actor: User, expert_id: int, reason_number: int, evidence: str) -> int:
    """提出解聘: a case with its reason and evidence; the expert is suspended at once where the profile says so."""
    _require_office(actor)
    expert = _expert(ctx, expert_id)
    policy = require_policy(ctx, expert["policy_id"])
    if any(c["expert_id"] == expert_id and c["status"] == "进行中" for c in _cases(ctx).all()):
        raise ValidationError(("expert", f"{expert['name']}已有正在办理的解聘事项"))
    case = open_case(expert, reason_number, evidence, policy, ctx.today(), by=actor.username)
    # a case carries the expert's id_number (for the ban list): an expert may have several cases over the years
    case_id = _cases(ctx).insert(case, actor=actor.username, action="提出解聘", unique=())
    if case.get("suspend") and expert.get("state") == "在库":
        lifecycle.transition(ctx, actor, expert_id, "暂停", f"出现{case['reason_label']}情形，立即停止使用",
                             workflow=Workflow.DISMISSAL)
    return case_id


def advance(ctx: AppContext, actor: User, case_id: int, *, done_on: date | None, note: str = "",
            approved: bool = True, notice_start: date | None = None, notice_end: date | None = None) -> dict:
    """Record the next step; the last one dismisses (解聘) or bans (清退); a refusal withdraws the case."""
    _require_office(actor)
    if done_on is None:
        raise ValidationError(("done_on", "请填写办理日期"))
    case = _case(ctx, case_id)
    policy = require_policy(ctx, case["policy_id"])
    new = advance_case(case, policy, done_on=done_on, by=actor.username, note=note, approved=approved,
                       notice_start=notice_start, notice_end=notice_end)
    changes = {k: v for k, v in new.items() if k != "id"}
    saved = _cases(ctx).update(case_id, changes, actor=actor.username, action=f"解聘办理：{new['steps'][-1]['name']}")
    expert = _expert(ctx, case["expert_id"])
    if new["status"] == "已完成" and new.get("outcome"):
        lifecycle.transition(ctx, actor, expert["id"], new["outcome"], f"{case['reason_label']}（{done_on}）",
                             workflow=Workflow.DISMISSAL)
    elif new["status"] == "已撤销" and expert.get("state") == "暂停":
        lifecycle.transition(ctx, actor, expert["id"], "在库", f"解聘事项撤销，恢复使用：{note}",
                             workflow=Workflow.DISMISSAL)
    return saved


def _case(ctx, case_id: int) -> dict:
    case = _cases(ctx).get(case_id)
    if case is None:
        raise NotFoundError(f"解聘事项 {case_id} 不存在")
    return case


def cases(ctx: AppContext, status: str | None = None) -> list[dict]:
    """The active profile's cases, newest first, each with its `next_step` (None once closed) and whether that
    step is the profile's notice step (which records the notice dates)."""
    policy = active_policy(ctx)
    found = _cases(ctx).search(lambda c: c.get("policy_id") == policy.id
                               and (status is None or c.get("status") == status))
    out = []
    for c in sorted(found, key=lambda c: -c["id"]):
        step = next_step(c, policy)
        out.append(dict(c, next_step=step, next_is_notice=step is not None and step == policy.dismissal.notice_step))
    return out


def reasons(ctx: AppContext) -> dict:
    """The reasons a case can be raised for under the active profile: number (or ban key) → label."""
    return dict(reason_choices(active_policy(ctx)))


def ban_list(ctx: AppContext) -> list[dict]:
    """永不录用: every completed case whose reason is permanent."""
    return [c for c in _cases(ctx).all() if c.get("permanent") and c.get("status") == "已完成"]


def record_reminder_talk(ctx: AppContext, actor: User, expert_id: int, reason_number: int, note: str) -> int:
    """YQ 第二十四条 提醒谈话: a recorded event on the expert's file."""
    _require_office(actor)
    expert = _expert(ctx, expert_id)
    policy = require_policy(ctx, expert["policy_id"])
    event = reminder_talk(expert, reason_number, note, policy, ctx.today(), by=actor.username)
    return ctx.store.collection(EVENTS).insert(event, actor=actor.username, action="提醒谈话", unique=())


def events_of(ctx: AppContext, expert_id: int) -> list[dict]:
    return ctx.store.collection(EVENTS).search(lambda e: e.get("expert_id") == expert_id)
